package jnat.rules;

/** The ipt_ip part of a rule while it is being parsed (read by modules that check -p). */
final class RuleSpec {
    int proto;
    int invflags;
    /** An ip6tables rule: -p ipv6-icmp loads icmp6, not icmp. */
    boolean ipv6;
    /** The namespace's sets (-m set and -j SET find theirs by name), null for none. */
    jnat.ipset.IpSetCore sets;
    /** The namespace's accounting objects (-m nfacct finds its by name), null for none. */
    NfnlAcct acct;
    /** The ruleset the rule goes into (-m rateest finds its estimators' RATEEST rules there), null for none. */
    Ruleset ruleset;

    String protoName() {
        return switch (proto) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> ipv6 ? null : "icmp";
            case 58 -> ipv6 ? "icmp6" : null;
            case 132 -> "sctp";
            case 33 -> "dccp";
            case 136 -> "udplite";
            default -> null;
        };
    }

    boolean protoInverted() {
        return (invflags & Rule.INV_PROTO) != 0;
    }
}

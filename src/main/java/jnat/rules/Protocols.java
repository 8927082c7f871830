package jnat.rules;

/** Protocol names as iptables parses and prints them (xtables_chain_protos, getprotobyname). */
public final class Protocols {
    private Protocols() {}

    private static final String[] NAMES = {"tcp", "sctp", "udp", "udplite", "icmp", "icmpv6", "ipv6-icmp", "esp", "ah",
        "ipv6-mh", "mh", "all"};
    private static final int[] NUMBERS = {6, 132, 17, 136, 1, 58, 58, 50, 51, 135, 135, 0};

    /** -p NAME|NUMBER|all. */
    public static int parse(String s) {
        String l = s.toLowerCase();
        try {
            int n = Integer.parseInt(l);
            if (n >= 0 && n <= 255) return n;
        } catch (NumberFormatException ignored) {
            // a name
        }
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(l)) return NUMBERS[i];
        int n = Services.protocol(l);
        if (n >= 0) return n;
        throw new RuleError("unknown protocol \"" + s + "\" specified");
    }

    /** proto_to_name(proto, 0): /etc/protocols first, then the built-in names, else null. */
    static String name(int proto) {
        if (proto != 0) {
            String n = Services.protocolName(proto);
            if (n != null) return n;
        }
        for (int i = 0; i < NAMES.length; i++) if (NUMBERS[i] == proto) return NAMES[i];
        return null;
    }

    /** The prot column: with -n only the built-in names (iptables 1.8.10's proto_to_name). */
    static String listName(int proto, boolean numeric) {
        if (numeric) {
            for (int i = 0; i < NAMES.length; i++) if (NUMBERS[i] == proto) return NAMES[i];
            return null;
        }
        return name(proto);
    }

    static String saveName(int proto) {
        String n = name(proto);
        return n != null ? n : Integer.toString(proto);
    }
}

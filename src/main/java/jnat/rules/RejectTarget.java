package jnat.rules;

/**
 * -j REJECT (ipt_REJECT.c / ip6t_REJECT.c reject_tg, libipt_REJECT.c / libip6t_REJECT.c): the
 * packet is dropped and its sender told, by an ICMP (ICMPv6 for an ip6tables rule, {@link #ipv6})
 * destination unreachable with {@link #icmpCode} (nf_send_unreach, nf_send_unreach6) or a TCP RST
 * (nf_send_reset, nf_send_reset6). The engine sends the answer; the verdict is a drop. Valid in the
 * filter table at INPUT, FORWARD and OUTPUT; tcp-reset only on a rule for -p tcp (reject_tg_check).
 */
public final class RejectTarget extends Target {
    /** libipt_REJECT's reject_table, in enum ipt_reject_with order: name, alias, ICMP code (-1: tcp-reset). */
    private static final String[][] WITH = {
            {"icmp-net-unreachable", "net-unreach", "0"},
            {"icmp-host-unreachable", "host-unreach", "1"},
            {"icmp-proto-unreachable", "proto-unreach", "2"},
            {"icmp-port-unreachable", "port-unreach", "3"},
            {"icmp-net-prohibited", "net-prohib", "9"},
            {"icmp-host-prohibited", "host-prohib", "10"},
            {"tcp-reset", "tcp-rst", "-1"},
            {"icmp-admin-prohibited", "admin-prohib", "13"},
    };

    /** libip6t_REJECT's reject_table in enum ip6t_reject_with order (null: a slot ip6tables leaves out), ICMPv6 codes. */
    private static final String[][] WITH6 = {
            {"icmp6-no-route", "no-route", "0"},
            {"icmp6-adm-prohibited", "adm-prohibited", "1"},
            null, // IP6T_ICMP6_NOT_NEIGHBOR
            {"icmp6-addr-unreachable", "addr-unreach", "3"},
            {"icmp6-port-unreachable", "port-unreach", "4"},
            null, // IP6T_ICMP6_ECHOREPLY
            {"tcp-reset", "tcp-reset", "-1"},
            {"icmp6-policy-fail", "policy-fail", "5"},
            {"icmp6-reject-route", "reject-route", "6"},
    };

    /** An ip6tables REJECT: {@link #icmpCode} is an ICMPv6 destination unreachable code. */
    public final boolean ipv6;
    private final int with;
    /** The destination unreachable code to send, or -1 for a TCP RST. */
    public final int icmpCode;

    RejectTarget(int with) {
        this(with, false);
    }

    RejectTarget(int with, boolean ipv6) {
        this.ipv6 = ipv6;
        this.with = with;
        this.icmpCode = Integer.parseInt((ipv6 ? WITH6 : WITH)[with][2]);
    }

    public boolean tcpReset() {
        return icmpCode < 0;
    }

    @Override
    public String name() {
        return "REJECT";
    }

    @Override
    public String table() {
        return "filter";
    }

    @Override
    public int hooks() {
        return Hook.INPUT.bit() | Hook.FORWARD.bit() | Hook.OUTPUT.bit();
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" reject-with ").append((ipv6 ? WITH6 : WITH)[with][0]);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --reject-with ").append((ipv6 ? WITH6 : WITH)[with][0]);
    }

    static final class Parser extends ModuleParser {
        private final boolean ipv6;
        private int with;

        Parser() {
            this(false);
        }

        Parser(boolean ipv6) {
            this.ipv6 = ipv6;
            this.with = ipv6 ? 4 : 3; // icmp6-port-unreachable, icmp-port-unreachable
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--reject-with")) return false;
            noInvert("REJECT", opt, invert);
            String v = args.value(opt);
            if (ipv6) {
                // REJECT_parse of ip6tables: the first name or alias the text begins, case-insensitive
                for (int i = 0; i < WITH6.length; i++) {
                    if (WITH6[i] != null && (startsWith(WITH6[i][0], v) || startsWith(WITH6[i][1], v))) {
                        with = i;
                        return true;
                    }
                }
                throw new RuleError("unknown reject type \"" + v + "\"");
            }
            for (int i = 0; i < WITH.length; i++) {
                if (WITH[i][0].equals(v) || WITH[i][1].equals(v)) {
                    with = i;
                    return true;
                }
            }
            if (v.equals("echo-reply") || v.equals("echoreply")) {
                throw new RuleError("--reject-with echo-reply no longer supported");
            }
            throw new RuleError("unknown reject type \"" + v + "\"");
        }

        private static boolean startsWith(String name, String v) {
            return v.length() <= name.length() && name.regionMatches(true, 0, v, 0, v.length());
        }

        @Override
        Object finish(RuleSpec spec) {
            RejectTarget t = new RejectTarget(with, ipv6);
            if (t.tcpReset() && (spec.proto != 6 || spec.protoInverted())) {
                // reject_tg_check: "TCP_RESET invalid for non-tcp"; iptables-nft reports EINVAL
                if (ipv6) throw kernelRefuses();
                throw new RuleError("RULE_APPEND failed (Invalid argument): REJECT --reject-with tcp-reset is only valid for -p tcp", 1);
            }
            return t;
        }
    }
}

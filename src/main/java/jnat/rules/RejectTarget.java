package jnat.rules;

/**
 * -j REJECT (ipt_REJECT.c reject_tg, libipt_REJECT.c): the packet is dropped and its sender told,
 * by an ICMP destination unreachable with {@link #icmpCode} (nf_send_unreach) or a TCP RST
 * (nf_send_reset). The engine sends the answer; the verdict is a drop. Valid in the filter table
 * at INPUT, FORWARD and OUTPUT; tcp-reset only on a rule for -p tcp (reject_tg_check).
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

    private final int with;
    /** The destination unreachable code to send, or -1 for a TCP RST. */
    public final int icmpCode;

    RejectTarget(int with) {
        this.with = with;
        this.icmpCode = Integer.parseInt(WITH[with][2]);
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
        out.append(" reject-with ").append(WITH[with][0]);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --reject-with ").append(WITH[with][0]);
    }

    static final class Parser extends ModuleParser {
        private int with = 3; // icmp-port-unreachable

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--reject-with")) return false;
            noInvert("REJECT", opt, invert);
            String v = args.value(opt);
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

        @Override
        Object finish(RuleSpec spec) {
            RejectTarget t = new RejectTarget(with);
            if (t.tcpReset() && (spec.proto != 6 || spec.protoInverted())) {
                // reject_tg_check: "TCP_RESET invalid for non-tcp"; iptables-nft reports EINVAL
                throw new RuleError("RULE_APPEND failed (Invalid argument): REJECT --reject-with tcp-reset is only valid for -p tcp", 1);
            }
            return t;
        }
    }
}

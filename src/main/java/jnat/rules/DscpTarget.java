package jnat.rules;

/** -j DSCP --set-dscp N | --set-dscp-class NAME (dscp_tg in xt_DSCP.c, libxt_DSCP.c): the DSCP bits rewritten, ECN kept; mangle only. */
public final class DscpTarget extends Target {
    public final int dscp;

    DscpTarget(int dscp) {
        this.dscp = dscp;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "DSCP";
    }

    @Override
    public String table() {
        return "mangle";
    }

    /** dscp_tg: ipv4_change_dsfield(iph, XT_DSCP_ECN_MASK, dscp << 2) when the DSCP differs. */
    @Override
    public boolean apply(PacketContext ctx) {
        int tos = ctx.tos();
        if (tos >>> 2 != dscp) ctx.setTos(tos & 0x03 | dscp << 2);
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" DSCP set ").append(TosMatch.hex2(dscp));
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --set-dscp ").append(TosMatch.hex2(dscp));
    }

    static final class Parser extends ModuleParser {
        int dscp = -1;
        final java.util.List<String> given = new java.util.ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--set-dscp" -> dscp = (int) number("DSCP", opt, args.value(opt), 63);
                case "--set-dscp-class" -> dscp = DscpMatch.classToDscp(args.value(opt));
                default -> {
                    return false;
                }
            }
            noInvert("DSCP", opt, invert);
            given.add(opt);
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            exclusive("DSCP", java.util.List.of("--set-dscp", "--set-dscp-class"), given);
            if (dscp < 0) throw new RuleError("DSCP target: Parameter --set-dscp is required");
            return new DscpTarget(dscp);
        }
    }
}

package jnat.rules;

/**
 * -j NOTRACK and -j CT --notrack (xt_CT.c notrack_tg, xt_ct_target_v0; libxt_CT.c): the packet
 * leaves the raw table untracked (IP_CT_UNTRACKED): conntrack skips it, -m conntrack --ctstate
 * UNTRACKED matches it, NAT does not apply. A packet that already carries a connection (the host's
 * ICMP error with nf_ct_attach, a packet looped through lo) keeps it. The kernel allows it only
 * in the raw table (xt_target.table); the CT target's other options (zones, helpers, timeouts,
 * events) are refused at load: jnat has none of them.
 */
public final class NotrackTarget extends Target {
    /** True for the NOTRACK alias (XT_CT_NOTRACK_ALIAS): saved as "-j NOTRACK", listed as "CT ... NOTRACK". */
    public final boolean alias;

    NotrackTarget(boolean alias) {
        this.alias = alias;
    }

    @Override
    public String name() {
        return "CT";
    }

    @Override
    public String saveName() {
        return alias ? "NOTRACK" : "CT";
    }

    @Override
    public String table() {
        return "raw";
    }

    @Override
    public int hooks() {
        return Hook.PREROUTING.bit() | Hook.OUTPUT.bit();
    }

    @Override
    public boolean apply(PacketContext ctx) {
        ctx.notrack();
        return true; // XT_CONTINUE
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(alias ? " NOTRACK" : " CT notrack");
    }

    @Override
    public void save(StringBuilder out) {
        if (!alias) out.append(" --notrack");
    }

    static final class Parser extends ModuleParser {
        private final boolean alias;
        private boolean notrack;

        Parser(boolean alias) {
            this.alias = alias;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (alias) return false; // NOTRACK has no options
            switch (opt) {
                case "--notrack" -> {
                    noInvert("CT", opt, invert);
                    notrack = true;
                    return true;
                }
                case "--helper", "--ctevents", "--expevents", "--zone", "--zone-orig", "--zone-reply", "--timeout" -> {
                    throw new RuleError("CT target: option \"" + opt + "\" is not supported by jnat (only --notrack is)");
                }
                default -> {
                    return false;
                }
            }
        }

        @Override
        Object finish(RuleSpec spec) {
            if (!alias && !notrack) {
                throw new RuleError("CT target without --notrack is not supported by jnat (it has no zones, helpers or timeouts)");
            }
            return new NotrackTarget(alias);
        }
    }
}

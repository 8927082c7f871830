package jnat.rules;

/** -j HL (libip6t_HL.c; the kernel's ip6t_HL in xt_HL.c): set, raise or lower the hop limit; mangle only. */
public final class HlTarget extends Target {
    public static final int SET = 0, INC = 1, DEC = 2;

    public final int mode, value;

    HlTarget(int mode, int value) {
        this.mode = mode;
        this.value = value;
    }

    @Override
    public String name() {
        return "HL";
    }

    @Override
    public String table() {
        return "mangle";
    }

    /** hl_tg6: the new hop limit, clamped to 0..255; the walk goes on (XT_CONTINUE). */
    @Override
    public boolean apply(PacketContext ctx) {
        int hl = switch (mode) {
            case SET -> value;
            case INC -> Math.min(255, ctx.hopLimit() + value);
            default -> Math.max(0, ctx.hopLimit() - value);
        };
        if (hl != ctx.hopLimit()) ctx.setHopLimit(hl);
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" HL ").append(mode == SET ? "set to" : mode == DEC ? "decrement by" : "increment by").append(' ').append(value);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(mode == SET ? " --hl-set" : mode == DEC ? " --hl-dec" : " --hl-inc").append(' ').append(value);
    }

    static final class Parser extends ModuleParser {
        int mode = -1, value;
        final java.util.List<String> given = new java.util.ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            int m = switch (opt) {
                case "--hl-set" -> SET;
                case "--hl-inc" -> INC;
                case "--hl-dec" -> DEC;
                default -> -1;
            };
            if (m < 0) return false;
            noInvert("HL", opt, invert);
            given.add(opt);
            String v = args.value(opt);
            long n = strtoul(v, 0xFF);
            if (n < 0 || (m != SET && n < 1)) {
                throw new RuleError("HL: bad value for option \"" + opt + "\", or out of range (" + (m == SET ? 0 : 1) + "-255).");
            }
            value = (int) n;
            mode = m;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            exclusive("HL", java.util.List.of("--hl-set", "--hl-dec", "--hl-inc"), given);
            if (mode < 0) throw new RuleError("HL: You must specify an action");
            return new HlTarget(mode, value);
        }
    }
}

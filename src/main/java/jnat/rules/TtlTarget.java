package jnat.rules;

/** -j TTL (ipt_TTL in xt_HL.c, libipt_TTL.c): set, raise or lower the IPv4 TTL; mangle only. */
public final class TtlTarget extends Target {
    public static final int SET = 0, INC = 1, DEC = 2;

    public final int mode, value;

    TtlTarget(int mode, int value) {
        this.mode = mode;
        this.value = value;
    }

    @Override
    public String name() {
        return "TTL";
    }

    @Override
    public String table() {
        return "mangle";
    }

    /** ttl_tg: the new TTL clamped to 0..255, written with csum_replace2 only when it changed. */
    @Override
    public boolean apply(PacketContext ctx) {
        int t = switch (mode) {
            case SET -> value;
            case INC -> Math.min(255, ctx.ttl() + value);
            default -> Math.max(0, ctx.ttl() - value);
        };
        if (t != ctx.ttl()) ctx.setTtl(t);
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" TTL ").append(mode == SET ? "set to" : mode == DEC ? "decrement by" : "increment by").append(' ').append(value);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(mode == SET ? " --ttl-set" : mode == DEC ? " --ttl-dec" : " --ttl-inc").append(' ').append(value);
    }

    static final class Parser extends ModuleParser {
        int mode = -1, value;
        final java.util.List<String> given = new java.util.ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            int m = switch (opt) {
                case "--ttl-set" -> SET;
                case "--ttl-inc" -> INC;
                case "--ttl-dec" -> DEC;
                default -> -1;
            };
            if (m < 0) return false;
            noInvert("TTL", opt, invert);
            given.add(opt);
            long n = strtoul(args.value(opt), 0xFF);
            if (n < 0 || (m != SET && n < 1)) {
                throw new RuleError("TTL: bad value for option \"" + opt + "\", or out of range (" + (m == SET ? 0 : 1) + "-255).");
            }
            value = (int) n;
            mode = m;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            exclusive("TTL", java.util.List.of("--ttl-set", "--ttl-dec", "--ttl-inc"), given);
            if (mode < 0) throw new RuleError("TTL: You must specify an action");
            return new TtlTarget(mode, value);
        }
    }
}

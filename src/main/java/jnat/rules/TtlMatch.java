package jnat.rules;

/** -m ttl (ipt_ttl.c, libipt_ttl.c): the IPv4 TTL ==, !=, < or > a value. */
public final class TtlMatch implements Match {
    public static final int EQ = 0, NE = 1, LT = 2, GT = 3;
    private static final String[] OPS = {"==", "!=", "<", ">"};
    private static final String[] SAVE = {"--ttl-eq", "! --ttl-eq", "--ttl-lt", "--ttl-gt"};

    public final int mode, ttl;

    TtlMatch(int mode, int ttl) {
        this.mode = mode;
        this.ttl = ttl;
    }

    @Override
    public String name() {
        return "ttl";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        int t = ctx.ttl();
        return switch (mode) {
            case EQ -> t == ttl;
            case NE -> t != ttl;
            case LT -> t < ttl;
            default -> t > ttl;
        };
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" TTL match TTL ").append(OPS[mode]).append(' ').append(ttl);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(' ').append(SAVE[mode]).append(' ').append(ttl);
    }

    static final class Parser extends ModuleParser {
        int mode = -1, value;
        final java.util.List<String> given = new java.util.ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            int m = switch (opt) {
                case "--ttl-eq", "--ttl" -> invert ? NE : EQ;
                case "--ttl-lt" -> LT;
                case "--ttl-gt" -> GT;
                default -> -1;
            };
            if (m < 0) return false;
            if (invert && !opt.equals("--ttl-eq")) noInvert("ttl", opt, true);
            given.add(opt);
            value = (int) number("ttl", opt, args.value(opt), 0xFF);
            mode = m;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            // libipt_ttl's option table order: lt, gt, eq
            exclusive("ttl", java.util.List.of("--ttl-lt", "--ttl-gt", "--ttl-eq", "--ttl"), given);
            if (mode < 0) throw new RuleError("TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
            return new TtlMatch(mode, value);
        }
    }
}

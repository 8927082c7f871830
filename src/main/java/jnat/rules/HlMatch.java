package jnat.rules;

/** -m hl (libip6t_hl.c; the kernel's ip6t_hl.c): the hop limit ==, !=, < or > a value. */
public final class HlMatch implements Match {
    public static final int EQ = 0, NE = 1, LT = 2, GT = 3;
    private static final String[] OPS = {"==", "!=", "<", ">"};
    private static final String[] SAVE = {"--hl-eq", "! --hl-eq", "--hl-lt", "--hl-gt"};

    public final int mode, hopLimit;

    HlMatch(int mode, int hopLimit) {
        this.mode = mode;
        this.hopLimit = hopLimit;
    }

    @Override
    public String name() {
        return "hl";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        int hl = ctx.hopLimit();
        return switch (mode) {
            case EQ -> hl == hopLimit;
            case NE -> hl != hopLimit;
            case LT -> hl < hopLimit;
            default -> hl > hopLimit;
        };
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" HL match HL ").append(OPS[mode]).append(' ').append(hopLimit);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(' ').append(SAVE[mode]).append(' ').append(hopLimit);
    }

    static final class Parser extends ModuleParser {
        int mode = -1, value;
        final java.util.List<String> given = new java.util.ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            int m = switch (opt) {
                case "--hl-eq", "--hl" -> invert ? NE : EQ;
                case "--hl-lt" -> LT;
                case "--hl-gt" -> GT;
                default -> -1;
            };
            if (m < 0) return false;
            if (invert && !opt.equals("--hl-eq")) noInvert("hl", opt, true);
            given.add(opt);
            value = (int) number("hl", opt, args.value(opt), 0xFF);
            mode = m;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            exclusive("hl", java.util.List.of("--hl-lt", "--hl-gt", "--hl-eq", "--hl"), given);
            if (mode < 0) throw new RuleError("HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'");
            return new HlMatch(mode, value);
        }
    }
}

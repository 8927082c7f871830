package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * -m ttl and -m hl (xt_hl.c: ttl_mt and hl_mt; libipt_ttl.c, libip6t_hl.c): the IPv4 TTL or the
 * IPv6 hop limit ==, !=, < or > a value. One class for both families, as the kernel's one file.
 */
public final class HlMatch implements Match {
    public static final int EQ = 0, NE = 1, LT = 2, GT = 3;
    private static final String[] OPS = {"==", "!=", "<", ">"};
    private static final String[] SAVE = {"-eq", "! -eq", "-lt", "-gt"};

    public final boolean ipv6;
    public final int mode, value;

    HlMatch(boolean ipv6, int mode, int value) {
        this.ipv6 = ipv6;
        this.mode = mode;
        this.value = value;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return ipv6 ? "hl" : "ttl";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        int t = ipv6 ? ctx.hopLimit() : ctx.ttl();
        return switch (mode) {
            case EQ -> t == value;
            case NE -> t != value;
            case LT -> t < value;
            default -> t > value;
        };
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        String label = ipv6 ? "HL" : "TTL";
        out.append(' ').append(label).append(" match ").append(label).append(' ').append(OPS[mode]).append(' ').append(value);
    }

    @Override
    public void save(StringBuilder out) {
        String s = SAVE[mode];
        boolean inverted = s.startsWith("!");
        out.append(' ').append(inverted ? "! " : "").append("--").append(name()).append(inverted ? s.substring(2) : s)
                .append(' ').append(value);
    }

    static final class Parser extends ModuleParser {
        private final boolean ipv6;
        int mode = -1, value;
        final List<String> given = new ArrayList<>();

        Parser(boolean ipv6) {
            this.ipv6 = ipv6;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            String m = ipv6 ? "hl" : "ttl";
            int mode = opt.equals("--" + m + "-eq") || opt.equals("--" + m) ? (invert ? NE : EQ)
                    : opt.equals("--" + m + "-lt") ? LT
                    : opt.equals("--" + m + "-gt") ? GT : -1;
            if (mode < 0) return false;
            if (invert && !opt.equals("--" + m + "-eq")) noInvert(m, opt, true);
            given.add(opt);
            value = (int) number(m, opt, args.value(opt), 0xFF);
            this.mode = mode;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            String m = ipv6 ? "hl" : "ttl";
            // the option tables' order: lt, gt, eq
            exclusive(m, List.of("--" + m + "-lt", "--" + m + "-gt", "--" + m + "-eq", "--" + m), given);
            if (mode < 0) {
                // libipt_ttl's message lacks the closing quote libip6t_hl's has
                throw new RuleError(ipv6 ? "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'"
                        : "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
            }
            return new HlMatch(ipv6, mode, value);
        }
    }
}

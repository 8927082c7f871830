package jnat.rules;

/** -m mh (libip6t_mh.c; the kernel's ip6t_mh.c): the Mobility Header's type, a name or a range. */
public final class MhMatch implements Match {
    private static final String[] NAMES = {"binding-refresh-request", "brr", "home-test-init", "hoti",
        "careof-test-init", "coti", "home-test", "hot", "careof-test", "cot", "binding-update", "bu",
        "binding-acknowledgement", "ba", "binding-error", "be"};

    public final int min, max;
    public final boolean invert;

    MhMatch(int min, int max, boolean invert) {
        this.min = min;
        this.max = max;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "mh";
    }

    /** mh_mt6: a fragment never matches; a header whose payload proto is not IPPROTO_NONE is dropped (no match). */
    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        int p = ctx.ipv6FindHeader(135);
        if (p < 0 || ctx.networkByte(p + 2) < 0 || ctx.networkByte(p) != 59) return false;
        int type = ctx.networkByte(p + 2);
        return (type >= min && type <= max) != invert;
    }

    private static String type(int t, boolean numeric) {
        return numeric || t > 7 ? Integer.toString(t) : NAMES[2 * t];
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" mh");
        if (min == 0 && max == 0xFF && !invert) return;
        out.append(' ').append(invert ? "!" : "").append(type(min, numeric));
        if (min != max) out.append(':').append(type(max, numeric));
    }

    @Override
    public void save(StringBuilder out) {
        if (min == 0 && max == 0xFF) return; // even inverted, as ip6tables 1.8.9 saves it
        if (invert) out.append(" !");
        out.append(" --mh-type ").append(min);
        if (min != max) out.append(':').append(max);
    }

    static final class Parser extends ModuleParser {
        int min = 0, max = 0xFF;
        boolean inv, given;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--mh-type")) return false;
            if (given) throw new RuleError("mh: \"--mh-type\" option may only be specified once");
            given = true;
            String v = args.value(opt);
            int colon = v.indexOf(':');
            if (colon < 0) {
                min = max = type(v);
            } else {
                min = colon == 0 ? 0 : type(v.substring(0, colon));
                max = colon == v.length() - 1 ? 0xFF : type(v.substring(colon + 1));
                if (min > max) throw new RuleError("Invalid MH type range (min > max)");
            }
            inv = invert;
            return true;
        }

        /** name_to_type: a name prefix (an exact name wins), else a number 0-255. */
        private static int type(String s) {
            int match = -1;
            for (int i = 0; i < NAMES.length; i++) {
                if (NAMES[i].regionMatches(true, 0, s, 0, s.length()) && s.length() <= NAMES[i].length()) {
                    if (match < 0 || NAMES[i].length() == s.length()) match = i;
                }
            }
            if (match >= 0) return match / 2;
            long n = strtoul(s, 0xFF);
            if (n < 0) throw new RuleError("Invalid MH type `" + s + "'");
            return (int) n;
        }

        @Override
        Object finish(RuleSpec spec) {
            // registered for IPPROTO_MH: xt_check_match refuses any other -p
            if (spec.proto != 135 || spec.protoInverted()) throw kernelRefuses();
            return new MhMatch(min, max, inv);
        }
    }
}

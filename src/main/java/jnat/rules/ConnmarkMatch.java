package jnat.rules;

/** -m connmark --mark value[/mask] (xt_connmark.c connmark_mt, libxt_connmark.c revision 1): (ct->mark & mask) == value. */
public final class ConnmarkMatch implements Match {
    public final int mark, mask;
    public final boolean invert;

    ConnmarkMatch(int mark, int mask, boolean invert) {
        this.mark = mark;
        this.mask = mask;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "connmark";
    }

    /** connmark_mt: no connection never matches, inverted or not. */
    @Override
    public boolean matches(PacketContext ctx) {
        if (!ctx.hasConnection()) return false;
        return ((ctx.ctMark() & mask) == mark) != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" connmark match ").append(invert ? "!" : "");
        MarkMatch.printMark(out, mark, mask);
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        out.append(" --mark");
        MarkMatch.printMark(out, mark, mask);
    }

    /** XTTYPE_MARKMASK32 (xtopt_parse_markmask): value[/mask], strtoul base 0, 32 bits; the mask defaults to all ones. */
    static int[] markMask(String module, String opt, String v) {
        int slash = v.indexOf('/');
        long m = strtoul32(slash < 0 ? v : v.substring(0, slash));
        long k = slash < 0 ? 0xFFFFFFFFL : strtoul32(v.substring(slash + 1));
        if (m < 0 || k < 0) throw new RuleError(module + ": bad integer value for option \"" + opt + "\", or out of range.");
        return new int[] {(int) m, (int) k};
    }

    private static long strtoul32(String s) {
        if (s.isEmpty() || s.startsWith("-")) return -1;
        return ModuleParser.strtoul(s, 0xFFFFFFFFL);
    }

    static final class Parser extends ModuleParser {
        int[] mm;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--mark")) return false;
            mm = markMask("connmark", opt, args.value(opt));
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (mm == null) throw new RuleError("connmark: option \"--mark\" must be specified");
            return new ConnmarkMatch(mm[0], mm[1], inv);
        }
    }

    @Override
    public boolean usesConntrack() {
        return true;
    }
}

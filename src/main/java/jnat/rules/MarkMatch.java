package jnat.rules;

/** -m mark --mark value[/mask] (xt_mark.c, libxt_mark.c). */
public final class MarkMatch implements Match {
    public final int mark, mask;
    public final boolean invert;

    MarkMatch(int mark, int mask, boolean invert) {
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
        return "mark";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        return ((ctx.mark() & mask) == mark) != invert;
    }

    static void printMark(StringBuilder out, int mark, int mask) {
        out.append(" 0x").append(Integer.toHexString(mark));
        if (mask != -1) out.append("/0x").append(Integer.toHexString(mask));
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" mark match");
        if (invert) out.append(" !");
        printMark(out, mark, mask);
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        out.append(" --mark");
        printMark(out, mark, mask);
    }

    /** "value[/mask]" to {value, mask}; mask defaults to all ones. */
    static int[] parseMarkMask(String s) {
        int slash = s.indexOf('/');
        String v = slash < 0 ? s : s.substring(0, slash);
        int mark = (int) Inet.parseUnsigned(v, 0xFFFFFFFFL, "mark");
        int mask = slash < 0 ? -1 : (int) Inet.parseUnsigned(s.substring(slash + 1), 0xFFFFFFFFL, "mark");
        return new int[] {mark, mask};
    }

    static final class Parser extends ModuleParser {
        int[] mm;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--mark")) return false;
            mm = parseMarkMask(args.value(opt));
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (mm == null) throw new RuleError("mark: option \"--mark\" must be specified");
            return new MarkMatch(mm[0], mm[1], inv);
        }
    }
}

package jnat.rules;

/**
 * -m length --length MIN[:MAX] (xt_length.c, libxt_length.c): the packet's length at the network
 * layer (IPv4's total length; IPv6's payload length plus its 40-byte header) in the range.
 */
public final class LengthMatch implements Match {
    public final int min, max;
    public final boolean invert;

    LengthMatch(int min, int max, boolean invert) {
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
        return "length";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        int len = ctx.length();
        return (len >= min && len <= max) != invert;
    }

    private void range(StringBuilder out) {
        out.append(min);
        if (min != max) out.append(':').append(max);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" length ").append(invert ? "!" : "");
        range(out);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " ! --length " : " --length ");
        range(out);
    }

    static final class Parser extends ModuleParser {
        long[] range;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--length")) return false;
            String v = args.value(opt);
            // XTTYPE_UINT16RC: a bad single value is reported "near" itself, as xtopt_parse_mint does
            if (v.indexOf(':') < 0 && strtoul(v, 0xffff) < 0) {
                throw new RuleError("length: bad value for option \"--length\" near \"" + v + "\", or out of range (0-65535).");
            }
            range = range("length", opt, v, 0xffff);
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (range == null) throw new RuleError("length: option \"--length\" must be specified");
            return new LengthMatch((int) range[0], (int) range[1], inv);
        }
    }
}

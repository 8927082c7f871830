package jnat.rules;

/** -m tcpmss --mss MIN[:MAX] (xt_tcpmss.c, libxt_tcpmss.c): the MSS option of a TCP header in the range; TCP only. */
public final class TcpmssMatch implements Match {
    public final int min, max;
    public final boolean invert;

    TcpmssMatch(int min, int max, boolean invert) {
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
        return "tcpmss";
    }

    /** tcpmss_mt: the first well-formed MSS option decides; none matches only inverted; a cut header is dropped (hotdrop). */
    @Override
    public boolean matches(PacketContext ctx) {
        int b12 = ctx.transportByte(12);
        if (ctx.transportByte(19) < 0 || b12 < 0) return dropit(ctx);
        int doff = (b12 >>> 4) * 4;
        if (doff < 20) return dropit(ctx);
        int optlen = doff - 20;
        if (optlen == 0) return invert;
        if (ctx.transportByte(doff - 1) < 0) return dropit(ctx);
        for (int i = 0; i < optlen;) {
            int kind = ctx.transportByte(20 + i);
            if (kind == 2 && optlen - i >= 4 && ctx.transportByte(21 + i) == 4) {
                int mss = ctx.transportU16(22 + i);
                return (mss >= min && mss <= max) != invert;
            }
            if (kind < 2) i++;
            else {
                int len = i + 1 < optlen ? ctx.transportByte(21 + i) : 0;
                i += len == 0 ? 1 : len;
            }
        }
        return invert;
    }

    private static boolean dropit(PacketContext ctx) {
        ctx.hotdrop();
        return false;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" tcpmss match ").append(invert ? "!" : "").append(min);
        if (min != max) out.append(':').append(max);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " !" : "").append(" --mss ").append(min);
        if (min != max) out.append(':').append(max);
    }

    static final class Parser extends ModuleParser {
        long[] range;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--mss")) return false;
            String v = args.value(opt);
            if (v.indexOf(':') < 0 && strtoul(v, 0xffff) < 0) {
                throw new RuleError("tcpmss: bad value for option \"--mss\" near \"" + v + "\", or out of range (0-65535).");
            }
            range = range("tcpmss", opt, v, 0xffff);
            if (range[0] > range[1]) throw new RuleError("tcpmss: invalid range given");
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (range == null) throw new RuleError("tcpmss: option \"--mss\" must be specified");
            if (spec.proto != 6 || spec.protoInverted()) throw kernelRefuses(); // xt_match.proto = IPPROTO_TCP
            return new TcpmssMatch((int) range[0], (int) range[1], inv);
        }
    }
}

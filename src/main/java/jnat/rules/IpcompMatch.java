package jnat.rules;

/**
 * -m ipcomp (libxt_ipcomp.c, xt_ipcomp.c): the IPComp header's CPI in a range; only with
 * -p ipcomp (xt_match.proto). --compres is kept and printed but, as in the kernel (comp_mt reads
 * only the CPI), it tests nothing.
 */
public final class IpcompMatch implements Match {
    public final long spiMin, spiMax;
    public final boolean invert, hdrres;

    IpcompMatch(long spiMin, long spiMax, boolean invert, boolean hdrres) {
        this.spiMin = spiMin;
        this.spiMax = spiMax;
        this.invert = invert;
        this.hdrres = hdrres;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "ipcomp";
    }

    /** comp_mt: no later fragment; a header shorter than 4 bytes drops the packet. */
    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        long cpi = ctx.transportU16(2);
        if (cpi < 0) {
            ctx.hotdrop();
            return false;
        }
        return (cpi >= spiMin && cpi <= spiMax) != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" comp ");
        // print_spis: no "s" before the range's colon-separated ends' prefix beyond "spis"
        if (spiMin != 0 || spiMax != 0xFFFFFFFFL || invert) {
            if (spiMin == spiMax) out.append("spi:").append(invert ? "!" : "").append(spiMin);
            else out.append("spis:").append(invert ? "!" : "").append(spiMin).append(':').append(spiMax);
        }
        if (hdrres) out.append(" reserved");
    }

    @Override
    public void save(StringBuilder out) {
        ModuleParser.saveRange(out, "--ipcompspi", spiMin, spiMax, 0xFFFFFFFFL, invert);
        if (hdrres) out.append(" --compres");
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("ipcomp", new XtOptions.Entry("ipcompspi", 0, true, 0, 0, false),
                XtOptions.entry("compres", 1));
        long min, max; // no init in libxt_ipcomp: both 0 until --ipcompspi
        boolean inv, res;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            if (e.id() == 1) {
                opts.parse(e, invert);
                res = true;
                return true;
            }
            String v = args.value(opt);
            opts.parse(e, invert);
            long[] r = mint("ipcomp", opt, v, 0xFFFFFFFFL);
            min = r[0];
            max = r[1];
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (spec.proto != 108 || spec.protoInverted()) throw kernelRefuses(); // xt_match.proto = IPPROTO_COMP
            return new IpcompMatch(min, max, inv, res);
        }
    }
}

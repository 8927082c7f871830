package jnat.rules;

/**
 * -m ah for IPv4 (libipt_ah.c; the kernel's ipt_ah.c): the authentication header's SPI in a range,
 * only with -p ah (xt_match.proto). IPv6's, with length and reserved field, is {@link AhMatch}.
 */
public final class Ah4Match implements Match {
    private static final long U32 = 0xFFFFFFFFL;

    public final long spiMin, spiMax;
    public final boolean invert;

    Ah4Match(long spiMin, long spiMax, boolean invert) {
        this.spiMin = spiMin;
        this.spiMax = spiMax;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "ah";
    }

    /** ah_mt: a later fragment never matches; a header too short for the SPI drops the packet. */
    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        long spi = ctx.transportU32(4);
        if (spi < 0) {
            ctx.hotdrop();
            return false;
        }
        return (spi >= spiMin && spi <= spiMax) != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" ah ");
        ModuleParser.printRange(out, "spi", spiMin, spiMax, U32, invert);
    }

    @Override
    public void save(StringBuilder out) {
        ModuleParser.saveRange(out, "--ahspi", spiMin, spiMax, U32, invert);
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("ah", new XtOptions.Entry("ahspi", 0, true, 0, 0, false));
        long min = 0, max = U32;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            long[] r = mint("ah", opt, v, U32);
            min = r[0];
            max = r[1];
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (spec.proto != 51 || spec.protoInverted()) throw kernelRefuses(); // xt_match.proto = IPPROTO_AH
            return new Ah4Match(min, max, inv);
        }
    }
}

package jnat.rules;

/** -m esp (libxt_esp.c, xt_esp.c): the ESP header's SPI in a range; only with -p esp (xt_match.proto). */
public final class EspMatch implements Match {
    private static final long U32 = 0xFFFFFFFFL;

    public final long spiMin, spiMax;
    public final boolean invert;

    EspMatch(long spiMin, long spiMax, boolean invert) {
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
        return "esp";
    }

    /** esp_mt: a later fragment never matches; a header shorter than the SPI drops the packet (hotdrop). */
    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        long spi = ctx.transportU32(0);
        if (spi < 0) {
            ctx.hotdrop();
            return false;
        }
        return (spi >= spiMin && spi <= spiMax) != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" esp");
        if (spiMin != 0 || spiMax != U32 || invert) {
            out.append(' ');
            ModuleParser.printRange(out, "spi", spiMin, spiMax, U32, invert);
        }
    }

    @Override
    public void save(StringBuilder out) {
        ModuleParser.saveRange(out, "--espspi", spiMin, spiMax, U32, invert);
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("esp", new XtOptions.Entry("espspi", 0, true, 0, 0, false));
        long min = 0, max = U32;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            long[] r = mint("esp", opt, v, U32);
            min = r[0];
            max = r[1];
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (spec.proto != 50 || spec.protoInverted()) throw kernelRefuses(); // xt_match.proto = IPPROTO_ESP
            return new EspMatch(min, max, inv);
        }
    }
}

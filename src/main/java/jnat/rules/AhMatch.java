package jnat.rules;

/** -m ah for IPv6 (libip6t_ah.c; the kernel's ip6t_ah.c): the authentication header's SPI, length, reserved field. */
public final class AhMatch implements Match {
    static final int INV_SPI = 1, INV_LEN = 2;
    private static final long U32 = 0xFFFFFFFFL;

    public final long spiMin, spiMax, hdrlen;
    public final boolean hdrres;
    public final int invflags;

    AhMatch(long spiMin, long spiMax, long hdrlen, boolean hdrres, int invflags) {
        this.spiMin = spiMin;
        this.spiMax = spiMax;
        this.hdrlen = hdrlen;
        this.hdrres = hdrres;
        this.invflags = invflags;
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

    /** ah_mt6: SPI in range, length ((hdrlen + 2) * 4) when given (0 is "any"), reserved zero with --ahres. */
    @Override
    public boolean matches(PacketContext ctx) {
        int p = ctx.ipv6FindHeader(51);
        if (p < 0 || ctx.networkByte(p + 7) < 0) return false;
        int len = (ctx.networkByte(p + 1) + 2) << 2;
        long spi = (long) ctx.networkByte(p + 4) << 24 | ctx.networkByte(p + 5) << 16 | ctx.networkByte(p + 6) << 8
                | ctx.networkByte(p + 7);
        boolean reserved = ctx.networkByte(p + 2) != 0 || ctx.networkByte(p + 3) != 0;
        return ((spi >= spiMin && spi <= spiMax) != ((invflags & INV_SPI) != 0))
                && (hdrlen == 0 || ((hdrlen == len) != ((invflags & INV_LEN) != 0)))
                && !(hdrres && reserved);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" ah ");
        ModuleParser.printRange(out, "spi", spiMin, spiMax, U32, (invflags & INV_SPI) != 0);
        // print_len has no leading space: "spis:1:3length:3" as ip6tables prints it
        if (hdrlen != 0 || (invflags & INV_LEN) != 0) {
            out.append("length:").append((invflags & INV_LEN) != 0 ? "!" : "").append(hdrlen);
        }
        if (hdrres) out.append(" reserved");
    }

    @Override
    public void save(StringBuilder out) {
        ModuleParser.saveRange(out, "--ahspi", spiMin, spiMax, U32, (invflags & INV_SPI) != 0);
        if (hdrlen != 0 || (invflags & INV_LEN) != 0) {
            out.append((invflags & INV_LEN) != 0 ? " !" : "").append(" --ahlen ").append(hdrlen);
        }
        if (hdrres) out.append(" --ahres");
    }

    static final class Parser extends ModuleParser {
        long min = 0, max = U32, hdrlen;
        boolean res, sawSpi, sawLen;
        int inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--ahspi" -> {
                    if (sawSpi) throw new RuleError("ah: \"--ahspi\" option may only be specified once");
                    sawSpi = true;
                    long[] r = range("ah", opt, args.value(opt), U32);
                    min = r[0];
                    max = r[1];
                    if (invert) inv |= INV_SPI;
                }
                case "--ahlen" -> {
                    if (sawLen) throw new RuleError("ah: \"--ahlen\" option may only be specified once");
                    sawLen = true;
                    hdrlen = number("ah", opt, args.value(opt), U32);
                    if (invert) inv |= INV_LEN;
                }
                case "--ahres" -> {
                    noInvert("ah", opt, invert);
                    if (res) throw new RuleError("ah: \"--ahres\" option may only be specified once");
                    res = true;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            return new AhMatch(min, max, hdrlen, res, inv);
        }
    }
}

package jnat.rules;

/** -m iprange revision 1 (xt_iprange.c, libxt_iprange.c). */
public final class IprangeMatch implements Match {
    public static final int SRC = 1, DST = 2, SRC_INV = 0x10, DST_INV = 0x20;

    public final int flags, srcMin, srcMax, dstMin, dstMax;

    IprangeMatch(int flags, int srcMin, int srcMax, int dstMin, int dstMax) {
        this.flags = flags;
        this.srcMin = srcMin;
        this.srcMax = srcMax;
        this.dstMin = dstMin;
        this.dstMax = dstMax;
    }

    @Override
    public String name() {
        return "iprange";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        if ((flags & SRC) != 0) {
            int a = ctx.srcAddress();
            boolean out = Integer.compareUnsigned(a, srcMin) < 0 || Integer.compareUnsigned(a, srcMax) > 0;
            if (out != ((flags & SRC_INV) != 0)) return false;
        }
        if ((flags & DST) != 0) {
            int a = ctx.dstAddress();
            boolean out = Integer.compareUnsigned(a, dstMin) < 0 || Integer.compareUnsigned(a, dstMax) > 0;
            if (out != ((flags & DST_INV) != 0)) return false;
        }
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if ((flags & SRC) != 0) {
            out.append(" source IP range ");
            if ((flags & SRC_INV) != 0) out.append("! ");
            out.append(Inet.format(srcMin)).append('-').append(Inet.format(srcMax));
        }
        if ((flags & DST) != 0) {
            out.append(" destination IP range ");
            if ((flags & DST_INV) != 0) out.append("! ");
            out.append(Inet.format(dstMin)).append('-').append(Inet.format(dstMax));
        }
    }

    @Override
    public void save(StringBuilder out) {
        if ((flags & SRC) != 0) {
            if ((flags & SRC_INV) != 0) out.append(" !");
            out.append(" --src-range ").append(Inet.format(srcMin)).append('-').append(Inet.format(srcMax));
        }
        if ((flags & DST) != 0) {
            if ((flags & DST_INV) != 0) out.append(" !");
            out.append(" --dst-range ").append(Inet.format(dstMin)).append('-').append(Inet.format(dstMax));
        }
    }

    static final class Parser extends ModuleParser {
        int flags;
        int[] src = new int[2], dst = new int[2];

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--src-range" -> {
                    src = range(args.value(opt));
                    flags |= SRC | (invert ? SRC_INV : 0);
                }
                case "--dst-range" -> {
                    dst = range(args.value(opt));
                    flags |= DST | (invert ? DST_INV : 0);
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private static int[] range(String v) {
            int dash = v.indexOf('-');
            int lo = Inet.parseAddress(dash < 0 ? v : v.substring(0, dash));
            int hi = dash < 0 ? lo : Inet.parseAddress(v.substring(dash + 1));
            return new int[] {lo, hi};
        }

        @Override
        Object finish(RuleSpec spec) {
            if (flags == 0) throw new RuleError("iprange match: You must specify `--src-range' or `--dst-range'");
            return new IprangeMatch(flags, src[0], src[1], dst[0], dst[1]);
        }
    }
}

package jnat.rules;

/** -m iprange revision 1 (xt_iprange.c, libxt_iprange.c). */
public final class IprangeMatch implements Match {
    public static final int SRC = 1, DST = 2, SRC_INV = 0x10, DST_INV = 0x20;

    public final int flags, srcMin, srcMax, dstMin, dstMax;
    /** An ip6tables rule: the ranges are src6/dst6 = {minHi, minLo, maxHi, maxLo}. */
    public final boolean ipv6;
    private final long[] src6, dst6;

    IprangeMatch(int flags, long[] src6, long[] dst6) {
        this.flags = flags;
        this.srcMin = this.srcMax = this.dstMin = this.dstMax = 0;
        this.ipv6 = true;
        this.src6 = src6;
        this.dst6 = dst6;
    }

    IprangeMatch(int flags, int srcMin, int srcMax, int dstMin, int dstMax) {
        this.ipv6 = false;
        this.src6 = this.dst6 = null;
        this.flags = flags;
        this.srcMin = srcMin;
        this.srcMax = srcMax;
        this.dstMin = dstMin;
        this.dstMax = dstMax;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "iprange";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        if (ipv6) {
            if ((flags & SRC) != 0 && outside(ctx.srcAddressHi(), ctx.srcAddressLo(), src6) != ((flags & SRC_INV) != 0)) {
                return false;
            }
            return (flags & DST) == 0 || outside(ctx.dstAddressHi(), ctx.dstAddressLo(), dst6) == ((flags & DST_INV) != 0);
        }
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

    private static boolean outside(long hi, long lo, long[] r) {
        return Inet6.compare(hi, lo, r[0], r[1]) < 0 || Inet6.compare(hi, lo, r[2], r[3]) > 0;
    }

    private String range(boolean src) {
        if (ipv6) {
            long[] r = src ? src6 : dst6;
            return Inet6.format(r[0], r[1]) + "-" + Inet6.format(r[2], r[3]);
        }
        return src ? Inet.format(srcMin) + "-" + Inet.format(srcMax) : Inet.format(dstMin) + "-" + Inet.format(dstMax);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if ((flags & SRC) != 0) {
            out.append(" source IP range ");
            if ((flags & SRC_INV) != 0) out.append("! ");
            out.append(range(true));
        }
        if ((flags & DST) != 0) {
            out.append(" destination IP range ");
            if ((flags & DST_INV) != 0) out.append("! ");
            out.append(range(false));
        }
    }

    @Override
    public void save(StringBuilder out) {
        if ((flags & SRC) != 0) {
            if ((flags & SRC_INV) != 0) out.append(" !");
            out.append(" --src-range ").append(range(true));
        }
        if ((flags & DST) != 0) {
            if ((flags & DST_INV) != 0) out.append(" !");
            out.append(" --dst-range ").append(range(false));
        }
    }

    static final class Parser extends ModuleParser {
        int flags;
        int[] src = new int[2], dst = new int[2];
        long[] src6 = new long[4], dst6 = new long[4];

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--src-range" -> {
                    if (spec.ipv6) src6 = range6(opt, args.value(opt));
                    else src = range(args.value(opt));
                    flags |= SRC | (invert ? SRC_INV : 0);
                }
                case "--dst-range" -> {
                    if (spec.ipv6) dst6 = range6(opt, args.value(opt));
                    else dst = range(args.value(opt));
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

        private static long[] range6(String opt, String v) {
            int dash = v.indexOf('-');
            long[] lo = address6(opt, dash < 0 ? v : v.substring(0, dash));
            long[] hi = dash < 0 ? lo : address6(opt, v.substring(dash + 1));
            return new long[] {lo[0], lo[1], hi[0], hi[1]};
        }

        private static long[] address6(String opt, String a) {
            long[] x = Inet6.tryParse(a);
            if (x == null) throw new RuleError("iprange: Bad value for \"" + opt + "\" option: \"" + a + "\"");
            return x;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (flags == 0) throw new RuleError("iprange match: You must specify `--src-range' or `--dst-range'");
            if (spec.ipv6) return new IprangeMatch(flags, src6, dst6);
            return new IprangeMatch(flags, src[0], src[1], dst[0], dst[1]);
        }
    }
}

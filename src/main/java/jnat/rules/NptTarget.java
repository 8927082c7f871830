package jnat.rules;

/**
 * -j SNPT and -j DNPT (libip6t_SNPT.c, libip6t_DNPT.c; the kernel's ip6t_NPT.c): RFC 6296
 * stateless prefix translation, checksum-neutral, in the mangle table. SNPT rewrites the source
 * (INPUT, POSTROUTING), DNPT the destination (PREROUTING, OUTPUT). A packet outside
 * --src-pfx is the kernel's NF_DROP after an ICMPv6 parameter problem: apply then returns false
 * and the engine treats this target as that verdict.
 */
public final class NptTarget extends Target {
    public final boolean source;
    public final long srcHi, srcLo, dstHi, dstLo;
    public final int srcLen, dstLen;
    /** nf_nptv6_checkentry's adjustment: ~csum_fold(csum_sub(sum(src prefix), sum(dst prefix))). */
    private final int adjustment;

    NptTarget(boolean source, long[] src, int srcLen, long[] dst, int dstLen) {
        this.source = source;
        this.srcHi = src[0];
        this.srcLo = src[1];
        this.dstHi = dst[0];
        this.dstLo = dst[1];
        this.srcLen = srcLen;
        this.dstLen = dstLen;
        int s = sum(srcHi, srcLo), d = sum(dstHi, dstLo);
        this.adjustment = fold(fold(s) + (~fold(d) & 0xFFFF));
    }

    private static int sum(long hi, long lo) {
        int s = 0;
        for (int i = 48; i >= 0; i -= 16) s += (int) (hi >>> i) & 0xFFFF;
        for (int i = 48; i >= 0; i -= 16) s += (int) (lo >>> i) & 0xFFFF;
        return s;
    }

    private static int fold(int s) {
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return s;
    }

    @Override
    public String name() {
        return source ? "SNPT" : "DNPT";
    }

    @Override
    public String table() {
        return "mangle";
    }

    @Override
    public int hooks() {
        return source ? Hook.INPUT.bit() | Hook.POSTROUTING.bit() : Hook.PREROUTING.bit() | Hook.OUTPUT.bit();
    }

    @Override
    public boolean apply(PacketContext ctx) {
        long hi = source ? ctx.srcAddressHi() : ctx.dstAddressHi(), lo = source ? ctx.srcAddressLo() : ctx.dstAddressLo();
        if (!jnat.wire.Ipv6Address.inPrefix(hi, lo, srcHi, srcLo, srcLen)) return false;
        long[] a = rewrite(hi, lo);
        if (a == null) return false;
        if (source) ctx.setSrcAddress6(a[0], a[1]);
        else ctx.setDstAddress6(a[0], a[1]);
        return true;
    }

    /** nf_nptv6_rewrite: the prefix replaced, one 16-bit word (word 3, or the first after /48 not 0xffff) adjusted. */
    long[] rewrite(long hi, long lo) {
        int[] w = new int[8];
        long mh = jnat.wire.Ipv6Address.maskHi(srcLen), ml = jnat.wire.Ipv6Address.maskLo(srcLen);
        long nhi = (hi & ~mh) | (dstHi & mh), nlo = (lo & ~ml) | (dstLo & ml);
        for (int i = 0; i < 4; i++) w[i] = (int) (nhi >>> (48 - 16 * i)) & 0xFFFF;
        for (int i = 0; i < 4; i++) w[4 + i] = (int) (nlo >>> (48 - 16 * i)) & 0xFFFF;
        int idx;
        if (srcLen <= 48) {
            idx = 3;
        } else {
            for (idx = 4; idx < 8; idx++) if (w[idx] != 0xFFFF) break;
            if (idx == 8) return null;
        }
        int s = fold(w[idx] + adjustment);
        w[idx] = s == 0xFFFF ? 0 : s;
        long rh = 0, rl = 0;
        for (int i = 0; i < 4; i++) rh = rh << 16 | w[i];
        for (int i = 4; i < 8; i++) rl = rl << 16 | w[i];
        return new long[] {rh, rl};
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(' ').append(name()).append(" src-pfx ").append(Inet6.format(srcHi, srcLo)).append('/').append(srcLen)
                .append(" dst-pfx ").append(Inet6.format(dstHi, dstLo)).append('/').append(dstLen);
    }

    @Override
    public void save(StringBuilder out) {
        if (srcHi != 0 || srcLo != 0 || srcLen != 0) out.append(" --src-pfx ").append(Inet6.format(srcHi, srcLo)).append('/').append(srcLen);
        if (dstHi != 0 || dstLo != 0 || dstLen != 0) out.append(" --dst-pfx ").append(Inet6.format(dstHi, dstLo)).append('/').append(dstLen);
    }

    static final class Parser extends ModuleParser {
        private final boolean source;
        long[] src = new long[2], dst = new long[2];
        int srcLen, dstLen;
        boolean sawSrc, sawDst;

        Parser(boolean source) {
            this.source = source;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--src-pfx") && !opt.equals("--dst-pfx")) return false;
            noInvert(source ? "SNPT" : "DNPT", opt, invert);
            String v = args.value(opt);
            int slash = v.indexOf('/');
            long[] a = Inet6.parseAddress(slash < 0 ? v : v.substring(0, slash));
            int len = slash < 0 ? 128 : prefix(v.substring(slash + 1));
            if (opt.equals("--src-pfx")) {
                sawSrc = true;
                src = a;
                srcLen = len;
            } else {
                sawDst = true;
                dst = a;
                dstLen = len;
            }
            return true;
        }

        private static int prefix(String s) {
            long n = strtoul(s, 128);
            if (n < 0) throw new RuleError("invalid mask `" + s + "' specified");
            return (int) n;
        }

        /** nf_nptv6_checkentry: prefixes of at most 64 bits with nothing set past them. */
        @Override
        Object finish(RuleSpec spec) {
            String n = source ? "SNPT" : "DNPT";
            if (!sawSrc) throw new RuleError(n + ": option \"--src-pfx\" must be specified");
            if (!sawDst) throw new RuleError(n + ": option \"--dst-pfx\" must be specified");
            if (srcLen > 64 || dstLen > 64) throw kernelRefuses();
            long[][] p = {src, dst};
            int[] l = {srcLen, dstLen};
            for (int i = 0; i < 2; i++) {
                if ((p[i][0] & ~jnat.wire.Ipv6Address.maskHi(l[i])) != 0 || (p[i][1] & ~jnat.wire.Ipv6Address.maskLo(l[i])) != 0) {
                    throw kernelRefuses();
                }
            }
            return new NptTarget(source, src, srcLen, dst, dstLen);
        }
    }
}

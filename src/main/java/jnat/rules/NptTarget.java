package jnat.rules;

/**
 * -j SNPT and -j DNPT (libip6t_SNPT.c, libip6t_DNPT.c; the kernel's ip6t_NPT.c): RFC 6296
 * stateless prefix translation, checksum-neutral, in the mangle table. SNPT rewrites the source
 * (INPUT, POSTROUTING), DNPT the destination (PREROUTING, OUTPUT), whatever the address (the
 * kernel does not check it is in --src-pfx: a rule's -s or -d does), and in an ICMPv6 error the
 * quoted header's other address when it is in --src-pfx. The address is written as it is: the
 * adjusted word keeps every checksum over it right. When no word can be adjusted (a prefix longer
 * than 48 bits and every later word 0xffff) the kernel answers a parameter problem, to the address
 * with its prefix already replaced, and drops the packet: apply then returns false and the engine treats this target as that verdict
 * ({@link #failedPointer}).
 */
public final class NptTarget extends Target {
    /** CSUM_MANGLED_0: a word the adjustment would make 0xffff is written 0. */
    private static final int CSUM_MANGLED_0 = 0xffff;

    public final boolean source;
    public final long srcHi, srcLo, dstHi, dstLo;
    public final int srcLen, dstLen;
    /** ip6t_npt_checkentry's adjustment: ~csum_fold(csum_sub(sum(src prefix), sum(dst prefix))). */
    final int adjustment;
    /** max(src_pfx_len, dst_pfx_len): the bits ip6t_npt_map_pfx replaces. */
    private final int pfxLen;

    NptTarget(boolean source, long[] src, int srcLen, long[] dst, int dstLen) {
        this.source = source;
        this.srcHi = src[0];
        this.srcLo = src[1];
        this.dstHi = dst[0];
        this.dstLo = dst[1];
        this.srcLen = srcLen;
        this.dstLen = dstLen;
        this.pfxLen = Math.max(srcLen, dstLen);
        // csum_sub adds the complement; its fold is never 0 (a sum equal to its subtrahend folds to 0xffff)
        int adj = fold(fold(sum(srcHi, srcLo)) + (~fold(sum(dstHi, dstLo)) & 0xffff));
        this.adjustment = adj == 0 ? 0xffff : adj;
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

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
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

    /** offsetof(struct ipv6hdr, saddr) and daddr. */
    private static final int OFF_SRC = 8, OFF_DST = 24;

    /** The parameter problem's pointer when this target failed: the address it could not translate. */
    public int failedPointer() {
        return source ? OFF_SRC : OFF_DST;
    }

    /** ip6t_snpt_tg / ip6t_dnpt_tg. */
    @Override
    public boolean apply(PacketContext ctx) {
        int at = source ? OFF_SRC : OFF_DST;
        long hi = ctx.address6Hi(at), lo = ctx.address6Lo(at);
        if (!mappable(hi, lo)) {
            // the kernel has replaced the prefix before it finds no word to adjust: the parameter
            // problem (icmpv6_send(PARAMPROB, HDR_FIELD, at)) goes to the half-translated address
            ctx.setAddress6(at, replaced(hi, dstHi, jnat.wire.Ipv6Address.maskHi(pfxLen)),
                    replaced(lo, dstLo, jnat.wire.Ipv6Address.maskLo(pfxLen)));
            return false;
        }
        ctx.setAddress6(at, mapHi(hi, lo), mapLo(hi, lo));
        // icmpv6_bounced_ipv6hdr: an ICMPv6 error's quoted header, its other address from --src-pfx too
        if (ctx.networkByte(6) == 58 && ctx.length() >= 48 + 40) {
            int type = ctx.networkByte(40);
            if (type >= 0 && type < 128) {
                int q = 48 + (source ? OFF_DST : OFF_SRC);
                long qh = ctx.address6Hi(q), ql = ctx.address6Lo(q);
                long mh = jnat.wire.Ipv6Address.maskHi(srcLen), ml = jnat.wire.Ipv6Address.maskLo(srcLen);
                if ((qh & mh) == srcHi && (ql & ml) == srcLo && mappable(qh, ql)) ctx.setAddress6(q, mapHi(qh, ql), mapLo(qh, ql));
            }
        }
        return true;
    }

    /** ip6t_npt_map_pfx can adjust a word: a prefix of at most 48 bits, or a word after it that is not 0xffff. */
    boolean mappable(long hi, long lo) {
        return adjustIndex(hi, lo) >= 0;
    }

    /** ip6t_npt_map_pfx's word: 3 for a prefix of at most 48 bits, else the first of words 4-7 not 0xffff (-1: none). */
    private int adjustIndex(long hi, long lo) {
        if (pfxLen <= 48) return 3;
        long nlo = replaced(lo, dstLo, jnat.wire.Ipv6Address.maskLo(pfxLen));
        for (int idx = 4; idx < 8; idx++) if (word(nlo, idx - 4) != CSUM_MANGLED_0) return idx;
        return -1;
    }

    private static long replaced(long addr, long pfx, long mask) {
        return addr & ~mask | pfx & mask;
    }

    /** 16-bit word {@code i} (0-3) of a 64-bit half. */
    private static int word(long half, int i) {
        return (int) (half >>> (48 - 16 * i)) & 0xffff;
    }

    private static long withWord(long half, int i, int w) {
        int shift = 48 - 16 * i;
        return half & ~(0xffffL << shift) | (long) w << shift;
    }

    /** The adjusted word: ~csum_fold(csum_add(word, adjustment)), 0xffff written 0. */
    private int adjusted(int w) {
        int s = fold(w + adjustment);
        return s == CSUM_MANGLED_0 ? 0 : s;
    }

    /** Bytes 0-7 of ip6t_npt_map_pfx's result (the address must be {@link #mappable}). */
    long mapHi(long hi, long lo) {
        long nhi = replaced(hi, dstHi, jnat.wire.Ipv6Address.maskHi(pfxLen));
        int idx = adjustIndex(hi, lo);
        return idx < 4 ? withWord(nhi, idx, adjusted(word(nhi, idx))) : nhi;
    }

    /** Bytes 8-15 of ip6t_npt_map_pfx's result (the address must be {@link #mappable}). */
    long mapLo(long hi, long lo) {
        long nlo = replaced(lo, dstLo, jnat.wire.Ipv6Address.maskLo(pfxLen));
        int idx = adjustIndex(hi, lo);
        return idx >= 4 ? withWord(nlo, idx - 4, adjusted(word(nlo, idx - 4))) : nlo;
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

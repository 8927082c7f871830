package jnat.rules;

/** -m rt (libip6t_rt.c; the kernel's ip6t_rt.c): the routing header's type, segments left, length, type-0 addresses. */
public final class RtMatch implements Match {
    static final int TYP = 1, SGS = 2, LEN = 4, RES = 8, FST = 0x10, FST_NSTRICT = 0x20;
    static final int INV_TYP = 1, INV_SGS = 2, INV_LEN = 4;
    /** IP6T_RT_HOPS: at most 16 addresses. */
    static final int HOPS = 16;
    private static final long U32 = 0xFFFFFFFFL;

    public final long type, sgsMin, sgsMax, hdrlen;
    public final int flags, invflags;
    /** --rt-0-addrs, as hi/lo pairs. */
    private final long[] addrs;

    RtMatch(long type, long sgsMin, long sgsMax, long hdrlen, int flags, int invflags, long[] addrs) {
        this.type = type;
        this.sgsMin = sgsMin;
        this.sgsMax = sgsMax;
        this.hdrlen = hdrlen;
        this.flags = flags;
        this.invflags = invflags;
        this.addrs = addrs;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "rt";
    }

    private boolean inv(int f) {
        return (invflags & f) != 0;
    }

    private static long addr64(PacketContext ctx, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | ctx.networkByte(off + i);
        return v;
    }

    /** rt_mt6. */
    @Override
    public boolean matches(PacketContext ctx) {
        int ptr = ctx.ipv6FindHeader(43);
        if (ptr < 0 || ctx.networkByte(ptr + 3) < 0) return false;
        int len = (ctx.networkByte(ptr + 1) + 1) << 3;
        if (ctx.networkByte(ptr + len - 1) < 0) return false;
        int rtType = ctx.networkByte(ptr + 2), segsLeft = ctx.networkByte(ptr + 3);
        boolean ret = ((segsLeft >= sgsMin && segsLeft <= sgsMax) != inv(INV_SGS))
                && ((flags & LEN) == 0 || ((hdrlen == len) != inv(INV_LEN)))
                && ((flags & TYP) == 0 || ((type == rtType) != inv(INV_TYP)));
        if (ret && (flags & RES) != 0) {
            for (int i = 4; i < 8; i++) if (ctx.networkByte(ptr + i) != 0) ret = false;
        }
        if ((flags & FST) == 0) return ret;
        int n = addrs.length / 2, inPacket = (len - 8) / 16;
        if (ret && n > inPacket) return false;
        if ((flags & FST_NSTRICT) != 0) {
            int i = 0;
            for (int k = 0; k < inPacket && i < n; k++) {
                int off = ptr + 8 + 16 * k;
                if (addr64(ctx, off) == addrs[2 * i] && addr64(ctx, off + 8) == addrs[2 * i + 1]) i++;
            }
            return i == n && ret;
        }
        int k = 0;
        for (; k < n; k++) {
            int off = ptr + 8 + 16 * k;
            if (addr64(ctx, off) != addrs[2 * k] || addr64(ctx, off + 8) != addrs[2 * k + 1]) break;
        }
        return k == n && k == inPacket && ret;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" rt");
        if ((flags & TYP) != 0) out.append(" type:").append(inv(INV_TYP) ? "!" : "").append(type);
        if (!(sgsMin == 0 && sgsMax == U32 && !inv(INV_SGS))) out.append(' ');
        ModuleParser.printRange(out, "segsleft", sgsMin, sgsMax, U32, inv(INV_SGS));
        if ((flags & LEN) != 0) out.append(" length:").append(inv(INV_LEN) ? "!" : "").append(hdrlen);
        if ((flags & RES) != 0) out.append(" reserved");
        if ((flags & FST) != 0) out.append(" 0-addrs");
        addresses(out);
        if ((flags & FST_NSTRICT) != 0) out.append(" 0-not-strict");
    }

    private void addresses(StringBuilder out) {
        for (int i = 0; i < addrs.length; i += 2) out.append(i == 0 ? ' ' : ',').append(Inet6.format(addrs[i], addrs[i + 1]));
    }

    @Override
    public void save(StringBuilder out) {
        if ((flags & TYP) != 0) out.append(inv(INV_TYP) ? " !" : "").append(" --rt-type ").append(type);
        ModuleParser.saveRange(out, "--rt-segsleft", sgsMin, sgsMax, U32, inv(INV_SGS));
        if ((flags & LEN) != 0) out.append(inv(INV_LEN) ? " !" : "").append(" --rt-len ").append(hdrlen);
        if ((flags & RES) != 0) out.append(" --rt-0-res");
        if ((flags & FST) != 0) out.append(" --rt-0-addrs");
        addresses(out);
        if ((flags & FST_NSTRICT) != 0) out.append(" --rt-0-not-strict");
    }

    static final class Parser extends ModuleParser {
        long type, min = 0, max = U32, hdrlen;
        int flags, inv;
        long[] addrs = new long[0];

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--rt-type" -> {
                    once(opt, TYP);
                    type = number("rt", opt, args.value(opt), U32);
                    if (invert) inv |= INV_TYP;
                }
                case "--rt-segsleft" -> {
                    once(opt, SGS);
                    long[] r = range("rt", opt, args.value(opt), U32);
                    min = r[0];
                    max = r[1];
                    if (invert) inv |= INV_SGS;
                }
                case "--rt-len" -> {
                    once(opt, LEN);
                    hdrlen = number("rt", opt, args.value(opt), U32);
                    if (invert) inv |= INV_LEN;
                }
                case "--rt-0-res" -> {
                    noInvert("rt", opt, invert);
                    requireType0(opt);
                    once(opt, RES);
                }
                case "--rt-0-addrs" -> {
                    noInvert("rt", opt, invert);
                    String v = args.value(opt);
                    requireType0(opt);
                    once(opt, FST);
                    String[] a = v.split(",", -1);
                    if (a.length > HOPS) throw new RuleError("too many addresses specified");
                    addrs = new long[2 * a.length];
                    for (int i = 0; i < a.length; i++) {
                        long[] x = Inet6.tryParse(a[i]);
                        if (x == null) throw new RuleError("bad address: " + a[i]);
                        addrs[2 * i] = x[0];
                        addrs[2 * i + 1] = x[1];
                    }
                }
                case "--rt-0-not-strict" -> {
                    noInvert("rt", opt, invert);
                    if ((flags & FST) == 0) throw new RuleError("`--rt-0-addr ...' required before `--rt-0-not-strict'");
                    once(opt, FST_NSTRICT);
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void requireType0(String opt) {
            if ((flags & TYP) == 0 || type != 0 || (inv & INV_TYP) != 0) {
                throw new RuleError("`--rt-type 0' required before `" + opt + "'");
            }
        }

        private void once(String opt, int f) {
            if ((flags & f) != 0) throw new RuleError("rt: \"" + opt + "\" option may only be specified once");
            flags |= f;
        }

        @Override
        Object finish(RuleSpec spec) {
            return new RtMatch(type, min, max, hdrlen, flags, inv, addrs);
        }
    }
}

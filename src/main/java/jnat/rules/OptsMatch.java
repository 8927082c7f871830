package jnat.rules;

/**
 * -m hbh and -m dst (libip6t_hbh.c, libip6t_dst.c; the kernel's ip6t_hbh.c, which registers
 * both): the hop-by-hop or destination options header's length and its options in order.
 */
public final class OptsMatch implements Match {
    static final int LEN = 1, OPTS = 2, INV_LEN = 1;
    /** IP6T_OPTS_OPTSNR: at most 16 options. */
    static final int OPTSNR = 16;

    /** True for -m dst (NEXTHDR_DEST), false for -m hbh (NEXTHDR_HOP). */
    public final boolean dst;
    public final long hdrlen;
    public final int flags, invflags;
    /** Each option as type << 8 | length, length 0xFF for any. */
    private final int[] opts;

    OptsMatch(boolean dst, long hdrlen, int flags, int invflags, int[] opts) {
        this.dst = dst;
        this.hdrlen = hdrlen;
        this.flags = flags;
        this.invflags = invflags;
        this.opts = opts;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return dst ? "dst" : "hbh";
    }

    /** hbh_mt6: the header's length ((hdrlen + 1) * 8) and, with --*-opts, the options from its start in order. */
    @Override
    public boolean matches(PacketContext ctx) {
        int ptr = ctx.ipv6FindHeader(dst ? 60 : 0);
        if (ptr < 0 || ctx.networkByte(ptr + 1) < 0) return false;
        int len = (ctx.networkByte(ptr + 1) + 1) << 3;
        if (ctx.networkByte(ptr + len - 1) < 0) return false; // shorter than its length field
        boolean ret = (flags & LEN) == 0 || ((hdrlen == len) != ((invflags & INV_LEN) != 0));
        if ((flags & OPTS) == 0) return ret;
        ptr += 2;
        len -= 2;
        int i = 0;
        for (; i < opts.length; i++) {
            if (len < 1) break;
            int type = ctx.networkByte(ptr);
            if (type != opts[i] >> 8) break;
            int optlen;
            if (type != 0) {
                if (len < 2) break;
                int l = ctx.networkByte(ptr + 1);
                int spec = opts[i] & 0xFF;
                if (spec != 0xFF && spec != l) break;
                optlen = l + 2;
            } else {
                optlen = 1; // Pad1
            }
            if (optlen > len) break;
            ptr += optlen;
            len -= optlen;
        }
        return i == opts.length && ret;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(' ').append(name());
        if ((flags & LEN) != 0) out.append(" length:").append((invflags & INV_LEN) != 0 ? "!" : "").append(hdrlen);
        if ((flags & OPTS) != 0) out.append(" opts");
        options(out);
    }

    private void options(StringBuilder out) {
        for (int i = 0; i < opts.length; i++) {
            out.append(i == 0 ? ' ' : ',').append(opts[i] >> 8);
            if ((opts[i] & 0xFF) != 0xFF) out.append(':').append(opts[i] & 0xFF);
        }
    }

    @Override
    public void save(StringBuilder out) {
        if ((flags & LEN) != 0) {
            out.append((invflags & INV_LEN) != 0 ? " !" : "").append(" --").append(name()).append("-len ").append(hdrlen);
        }
        if ((flags & OPTS) != 0) out.append(" --").append(name()).append("-opts");
        options(out);
    }

    static final class Parser extends ModuleParser {
        private final boolean dst;
        long hdrlen;
        int flags, inv;
        int[] opts = new int[0];

        Parser(boolean dst) {
            this.dst = dst;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            String n = dst ? "dst" : "hbh";
            if (opt.equals("--" + n + "-len")) {
                once(n, opt, LEN);
                hdrlen = number(n, opt, args.value(opt), 0xFFFFFFFFL);
                if (invert) inv |= INV_LEN;
                return true;
            }
            if (opt.equals("--" + n + "-opts")) {
                noInvert(n, opt, invert);
                once(n, opt, OPTS);
                opts = parseOptions(args.value(opt));
                return true;
            }
            return false;
        }

        private void once(String n, String opt, int f) {
            if ((flags & f) != 0) throw new RuleError(n + ": \"" + opt + "\" option may only be specified once");
            flags |= f;
        }

        /** parse_options: "type[:length]" items split by commas, at most 16. */
        private static int[] parseOptions(String s) {
            String[] items = s.split(",", -1);
            if (items.length > OPTSNR) throw new RuleError("too many addresses specified");
            int[] out = new int[items.length];
            for (int i = 0; i < items.length; i++) {
                String[] tl = items[i].split(":", 2);
                if (tl.length == 2 && i == OPTSNR - 1) throw new RuleError("too many ports specified");
                out[i] = (num(tl[0], "opt") & 0xFF) << 8;
                if (tl.length == 2) {
                    if (out[i] == 0) throw new RuleError("PAD0 has not got length");
                    out[i] |= num(tl[1], "length") & 0xFF;
                } else {
                    out[i] |= 0xFF;
                }
            }
            return out;
        }

        private static int num(String s, String what) {
            long v = strtoul(s, 0xFF);
            if (v < 0) throw new RuleError("Invalid " + what + " '" + s + "'");
            return (int) v;
        }

        @Override
        Object finish(RuleSpec spec) {
            return new OptsMatch(dst, hdrlen, flags, inv, opts);
        }
    }
}

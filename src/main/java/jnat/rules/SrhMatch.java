package jnat.rules;

/**
 * -m srh (libip6t_srh.c revision 1, ip6t_srh.c): the IPv6 segment routing header's fields (next
 * header, length, segments left, last entry, tag), each equal, greater or less than a value, and
 * the previous, next and last segment under a mask.
 */
public final class SrhMatch implements Match {
    static final int NEXTHDR = 0x1, LEN_EQ = 0x2, LEN_GT = 0x4, LEN_LT = 0x8, SEGS_EQ = 0x10, SEGS_GT = 0x20,
            SEGS_LT = 0x40, LAST_EQ = 0x80, LAST_GT = 0x100, LAST_LT = 0x200, TAG = 0x400, PSID = 0x800, NSID = 0x1000,
            LSID = 0x2000;
    static final String[] NAMES = {"next-hdr", "hdr-len-eq", "hdr-len-gt", "hdr-len-lt", "segs-left-eq", "segs-left-gt",
        "segs-left-lt", "last-entry-eq", "last-entry-gt", "last-entry-lt", "tag", "psid", "nsid", "lsid"};

    public final int nextHdr, hdrLen, segsLeft, lastEntry, tag, flags, invflags;
    /** psid, nsid, lsid: address hi, lo, mask hi, lo each. */
    private final long[][] sids;

    SrhMatch(int nextHdr, int hdrLen, int segsLeft, int lastEntry, int tag, long[][] sids, int flags, int invflags) {
        this.nextHdr = nextHdr;
        this.hdrLen = hdrLen;
        this.segsLeft = segsLeft;
        this.lastEntry = lastEntry;
        this.tag = tag;
        this.sids = sids;
        this.flags = flags;
        this.invflags = invflags;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "srh";
    }

    /** NF_SRH_INVF over a test that holds: false when the option is given and fails. */
    private boolean fails(int flag, boolean holds) {
        return (flags & flag) != 0 && (!holds ^ (invflags & flag) != 0);
    }

    private boolean sidDiffers(PacketContext ctx, int off, int which) {
        long[] s = sids[which];
        return ((ctx.address6Hi(off) ^ s[0]) & s[2]) != 0 || ((ctx.address6Lo(off) ^ s[1]) & s[3]) != 0;
    }

    /** srh1_mt6: a routing header of type 4 whose segments left is at most its last entry, then each test. */
    @Override
    public boolean matches(PacketContext ctx) {
        int off = ctx.ipv6FindHeader(43);
        if (off < 0 || ctx.networkByte(off + 7) < 0) return false;
        int next = ctx.networkByte(off), len = ctx.networkByte(off + 1), type = ctx.networkByte(off + 2),
                left = ctx.networkByte(off + 3), first = ctx.networkByte(off + 4),
                // ip6t_srh compares the header's __be16 tag with the rule's host-order one: on a
                // little-endian host (x86, arm64) rule tag 7 is the wire's 0x0700
                t = ctx.networkByte(off + 6) | ctx.networkByte(off + 7) << 8;
        if (ctx.networkByte(off + ((len + 1) << 3) - 1) < 0) return false; // skb->len - srhoff < hdrlen
        if (type != 4 || left > first) return false;
        if (fails(NEXTHDR, next == nextHdr) || fails(LEN_EQ, len == hdrLen) || fails(LEN_GT, len > hdrLen)
                || fails(LEN_LT, len < hdrLen) || fails(SEGS_EQ, left == segsLeft) || fails(SEGS_GT, left > segsLeft)
                || fails(SEGS_LT, left < segsLeft) || fails(LAST_EQ, first == lastEntry) || fails(LAST_GT, first > lastEntry)
                || fails(LAST_LT, first < lastEntry) || fails(TAG, t == tag)) {
            return false;
        }
        if ((flags & PSID) != 0) {
            if (left == first) return false;
            int p = off + 8 + (left + 1) * 16;
            if (ctx.networkByte(p + 15) < 0 || (sidDiffers(ctx, p, 0) ^ (invflags & PSID) != 0)) return false;
        }
        if ((flags & NSID) != 0) {
            if (left == 0) return false;
            int p = off + 8 + (left - 1) * 16;
            if (ctx.networkByte(p + 15) < 0 || (sidDiffers(ctx, p, 1) ^ (invflags & NSID) != 0)) return false;
        }
        if ((flags & LSID) != 0) {
            int p = off + 8;
            if (ctx.networkByte(p + 15) < 0 || (sidDiffers(ctx, p, 2) ^ (invflags & LSID) != 0)) return false;
        }
        return true;
    }

    private int value(int i) {
        return i == 0 ? nextHdr : i < 4 ? hdrLen : i < 7 ? segsLeft : i < 10 ? lastEntry : tag;
    }

    private String sid(int which) {
        long[] s = sids[which];
        return Inet6.format(s[0], s[1]) + "/" + Inet6.prefixLength(s[2], s[3]);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" srh");
        for (int i = 0; i < 11; i++) {
            if ((flags & 1 << i) != 0) out.append(' ').append(NAMES[i]).append(':').append((invflags & 1 << i) != 0 ? "!" : "").append(value(i));
        }
        for (int i = 11; i < 14; i++) {
            if ((flags & 1 << i) != 0) out.append(' ').append(NAMES[i]).append(' ').append((invflags & 1 << i) != 0 ? "!" : "").append(' ').append(sid(i - 11));
        }
    }

    @Override
    public void save(StringBuilder out) {
        for (int i = 0; i < 14; i++) {
            if ((flags & 1 << i) == 0) continue;
            out.append((invflags & 1 << i) != 0 ? " !" : "").append(" --srh-").append(NAMES[i]).append(' ')
                    .append(i < 11 ? Integer.toString(value(i)) : sid(i - 11));
        }
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts;
        int nextHdr, hdrLen, segsLeft, lastEntry, tag, flags, inv;
        final long[][] sids = new long[3][4];

        Parser() {
            XtOptions.Entry[] e = new XtOptions.Entry[14];
            for (int i = 0; i < 14; i++) e[i] = new XtOptions.Entry("srh-" + NAMES[i], i, true, 0, 0, false);
            opts = new XtOptions("srh", e);
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            int i = e.id();
            if (i < 11) {
                int n = (int) number("srh", opt, v, i == 10 ? 0xFFFF : 0xFF);
                if (i == 0) nextHdr = n;
                else if (i < 4) hdrLen = n;
                else if (i < 7) segsLeft = n;
                else if (i < 10) lastEntry = n;
                else tag = n;
            } else {
                // XTTYPE_HOSTMASK: the address as given and a prefix or mask (all ones when it is not contiguous)
                int slash = v.indexOf('/');
                long[] a = Inet6.tryParse(slash < 0 ? v : v.substring(0, slash));
                if (a == null) throw new RuleError("host/network `" + (slash < 0 ? v : v.substring(0, slash)) + "' not found");
                int len = slash < 0 ? 128 : plen("srh", opt.substring(2), v.substring(slash + 1), true);
                if (len > 128) len = 128;
                sids[i - 11] = new long[] {a[0], a[1], jnat.wire.Ipv6Address.maskHi(len), jnat.wire.Ipv6Address.maskLo(len)};
            }
            flags |= 1 << i;
            if (invert) inv |= 1 << i;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            return new SrhMatch(nextHdr, hdrLen, segsLeft, lastEntry, tag, sids, flags, inv);
        }
    }
}

package jnat.host;

import jnat.wire.Ipv6Address;

/**
 * IPv6 address classes as the kernel sees them, over (hi, lo) pairs: __ipv6_addr_type
 * (addrconf_core.c), the source-selection scope and label (addrconf.c, addrlabel.c).
 */
final class Inet6 {
    private Inet6() {}

    // include/net/ipv6.h's IPV6_ADDR_* bits and scopes
    static final int ANY = 0x0000, UNICAST = 0x0001, MULTICAST = 0x0002, LOOPBACK = 0x0010, LINKLOCAL = 0x0020,
            SITELOCAL = 0x0040, COMPATV4 = 0x0080, MAPPED = 0x1000;
    static final int SCOPE_NODELOCAL = 0x01, SCOPE_LINKLOCAL = 0x02, SCOPE_SITELOCAL = 0x05, SCOPE_GLOBAL = 0x0e;

    /** ::1 */
    static final long LOOPBACK_LO = 1;
    /** fe80:: */
    static final long LINK_LOCAL_HI = 0xfe80_0000_0000_0000L;

    /** __ipv6_addr_type: the type bits, with the scope in bits 16 and up. */
    static int type(long hi, long lo) {
        int st = (int) (hi >>> 32);
        if ((st & 0xe0000000) != 0 && (st & 0xe0000000) != 0xe0000000) return UNICAST | SCOPE_GLOBAL << 16;
        if ((st & 0xff000000) == 0xff000000) return MULTICAST | scope2type((st >>> 16) & 0x0f);
        if ((st & 0xffc00000) == 0xfe800000) return LINKLOCAL | UNICAST | SCOPE_LINKLOCAL << 16;
        if ((st & 0xffc00000) == 0xfec00000) return SITELOCAL | UNICAST | SCOPE_SITELOCAL << 16;
        if ((st & 0xfe000000) == 0xfc000000) return UNICAST | SCOPE_GLOBAL << 16; // RFC 4193
        if (hi == 0) {
            int w2 = (int) (lo >>> 32), w3 = (int) lo;
            if (w2 == 0) {
                if (w3 == 0) return ANY;
                if (w3 == 1) return LOOPBACK | UNICAST | SCOPE_LINKLOCAL << 16;
                return COMPATV4 | UNICAST | SCOPE_GLOBAL << 16;
            }
            if (w2 == 0xffff) return MAPPED | SCOPE_GLOBAL << 16;
        }
        return UNICAST | SCOPE_GLOBAL << 16;
    }

    /** ipv6_addr_scope2type */
    private static int scope2type(int scope) {
        return switch (scope) {
            case SCOPE_NODELOCAL -> SCOPE_NODELOCAL << 16 | LOOPBACK;
            case SCOPE_LINKLOCAL -> SCOPE_LINKLOCAL << 16 | LINKLOCAL;
            case SCOPE_SITELOCAL -> SCOPE_SITELOCAL << 16 | SITELOCAL;
            default -> scope << 16;
        };
    }

    /** __ipv6_addr_src_scope: -1 for ::. */
    static int srcScope(int type) {
        return type == ANY ? -1 : type >>> 16;
    }

    /** The RT_SCOPE_* of an address on a device (ipv6_addr_scope through rt_scope), what ip addr prints. */
    static int rtScope(long hi, long lo) {
        int bits = type(hi, lo) & 0x00f0;
        if ((bits & LOOPBACK) != 0) return Scope.HOST;
        if ((bits & LINKLOCAL) != 0) return Scope.LINK;
        if ((bits & SITELOCAL) != 0) return Scope.SITE;
        return Scope.UNIVERSE;
    }

    static boolean isMulticast(long hi) {
        return (hi >>> 56) == 0xff;
    }

    /** rt6_need_strict: multicast, link-local and loopback destinations are looked up on their device only. */
    static boolean needStrict(long hi, long lo) {
        return (type(hi, lo) & (MULTICAST | LINKLOCAL | LOOPBACK)) != 0;
    }

    /** ipv6_addr_orchid: 2001:10::/28. */
    static boolean isOrchid(long hi) {
        return (hi >>> 36) == 0x2001001L;
    }

    /** ip6addrlbl_init_table: the default policy table's label of the longest matching prefix. */
    private static final long[][] LABELS = { // hi, lo, prefix length, label; longest first
        {0, 1, 128, 0},
        {0, 0xffff_0000_0000L, 96, 4},
        {0, 0, 96, 3},
        {0x2001_0000_0000_0000L, 0, 32, 6},
        {0x2001_0010_0000_0000L, 0, 28, 7},
        {0x2002_0000_0000_0000L, 0, 16, 2},
        {0x3ffe_0000_0000_0000L, 0, 16, 12},
        {0xfec0_0000_0000_0000L, 0, 10, 11},
        {0xfc00_0000_0000_0000L, 0, 7, 5},
        {0, 0, 0, 1},
    };

    static int label(long hi, long lo) {
        for (long[] l : LABELS) {
            if (Ipv6Address.inPrefix(hi, lo, l[0], l[1], (int) l[2])) return (int) l[3];
        }
        return 1;
    }

    /** ipv6_addr_diff: the number of leading bits two addresses share (128 when equal). */
    static int commonPrefix(long h1, long l1, long h2, long l2) {
        if (h1 != h2) return Long.numberOfLeadingZeros(h1 ^ h2);
        return 64 + (l1 == l2 ? 64 : Long.numberOfLeadingZeros(l1 ^ l2));
    }

    static String format(long hi, long lo) {
        return Ipv6Address.format(hi, lo);
    }

    /** Parses inet_pton text into {hi, lo}; throws IllegalArgumentException. */
    static long[] parse(String s) {
        byte[] b = Ipv6Address.parse(s);
        return new long[] {Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0)};
    }

    /** The modified EUI-64 interface identifier of a MAC (addrconf_ifid_eui48): U/L bit flipped, ff:fe inserted. */
    static long eui64(long mac) {
        long hi24 = (mac >>> 24) & 0xffffff, lo24 = mac & 0xffffff;
        return ((hi24 ^ 0x020000) << 40) | 0xfffeL << 24 | lo24;
    }
}

package jnat.wire;

/**
 * The options of an NDP message (RFC 4861 4.6) as {@code ndisc_parse_options} (net/ipv6/ndisc.c)
 * takes them: each is type, length in units of 8 octets, data; a length of 0 or one running past the
 * message refuses the whole message ({@link WireError#BAD_ND_OPTION}). The first source/target
 * link-layer address, MTU, nonce and redirected header are kept (a duplicate is ignored), and the
 * first and last prefix information; other types are skipped. Reusable, allocation-free: positions
 * are absolute indexes of an option's type byte, -1 when absent.
 */
public final class NdiscOptions {
    /** Option types, as include/net/ndisc.h. */
    public static final int ND_OPT_SOURCE_LL_ADDR = 1;
    public static final int ND_OPT_TARGET_LL_ADDR = 2;
    public static final int ND_OPT_PREFIX_INFO = 3;
    public static final int ND_OPT_REDIRECT_HDR = 4;
    public static final int ND_OPT_MTU = 5;
    public static final int ND_OPT_NONCE = 14;
    public static final int ND_OPT_ROUTE_INFO = 24;
    public static final int ND_OPT_RDNSS = 25;
    public static final int ND_OPT_DNSSL = 31;

    public static final int OFF_TYPE = 0;
    public static final int OFF_LENGTH = 1;
    /** Link-layer address options: the address after type and length (8 bytes in all for Ethernet). */
    public static final int OFF_LL_ADDR = 2;
    public static final int LL_ADDR_LENGTH_ETHERNET = 8;
    /** MTU option: 2 reserved bytes, then the 32-bit MTU. */
    public static final int OFF_MTU = 4;
    public static final int MTU_LENGTH = 8;
    /** Prefix information ({@code struct prefix_info}): 32 bytes. */
    public static final int OFF_PREFIX_LENGTH = 2;
    public static final int OFF_PREFIX_FLAGS = 3;
    public static final int OFF_VALID_LIFETIME = 4;
    public static final int OFF_PREFERRED_LIFETIME = 8;
    public static final int OFF_PREFIX = 16;
    public static final int PREFIX_INFO_LENGTH = 32;
    /** Prefix flags: on-link, autonomous address configuration. */
    public static final int PREFIX_ONLINK = 0x80;
    public static final int PREFIX_AUTOCONF = 0x40;

    private byte[] buf;
    private int start = -1;
    private int end = -1;
    private int sourceLl, targetLl, mtu, nonce, redirectHdr, prefixFirst, prefixLast;

    /** Parses the options in {@code b[off, off+len)}. Returns {@link WireError#OK} or {@link WireError#BAD_ND_OPTION}. Never throws. */
    public int parse(byte[] b, int off, int len) {
        buf = b;
        start = end = -1;
        sourceLl = targetLl = mtu = nonce = redirectHdr = prefixFirst = prefixLast = -1;
        if (off < 0 || len < 0 || off > b.length - len) return WireError.BAD_ND_OPTION;
        int p = off, left = len;
        while (left > 0) {
            if (left < 2) return WireError.BAD_ND_OPTION;
            int l = (b[p + OFF_LENGTH] & 0xff) << 3;
            if (left < l || l == 0) return WireError.BAD_ND_OPTION;
            switch (b[p + OFF_TYPE] & 0xff) {
                case ND_OPT_SOURCE_LL_ADDR -> sourceLl = first(sourceLl, p);
                case ND_OPT_TARGET_LL_ADDR -> targetLl = first(targetLl, p);
                case ND_OPT_MTU -> mtu = first(mtu, p);
                case ND_OPT_NONCE -> nonce = first(nonce, p);
                case ND_OPT_REDIRECT_HDR -> redirectHdr = first(redirectHdr, p);
                case ND_OPT_PREFIX_INFO -> {
                    prefixFirst = first(prefixFirst, p);
                    prefixLast = p;
                }
                default -> { } // unsupported or user options (RDNSS, route information, ...) are skipped
            }
            p += l;
            left -= l;
        }
        start = off;
        end = off + len;
        return WireError.OK;
    }

    private static int first(int kept, int p) {
        return kept >= 0 ? kept : p;
    }

    public int sourceLinkLayer() { return sourceLl; }
    public int targetLinkLayer() { return targetLl; }
    public int mtuOption() { return mtu; }
    public int nonceOption() { return nonce; }
    public int redirectedHeader() { return redirectHdr; }
    public int firstPrefixInfo() { return prefixFirst; }
    public int lastPrefixInfo() { return prefixLast; }

    // ---- a cursor over every option (after a parse that said OK) ----

    /** The first option's position, or -1 when there is none. */
    public int firstOption() { return start < end ? start : -1; }

    /** The option after the one at {@code pos}, or -1 at the end. */
    public int nextOption(int pos) {
        int next = pos + optionLength(pos);
        return next < end ? next : -1;
    }

    public int optionType(int pos) { return buf[pos + OFF_TYPE] & 0xff; }

    /** The option's whole length in bytes. */
    public int optionLength(int pos) { return (buf[pos + OFF_LENGTH] & 0xff) << 3; }

    // ---- readers of one option ----

    /**
     * The Ethernet address a link-layer address option at {@code pos} carries, or -1 when absent or of
     * another size (ndisc_opt_addr_data's length check).
     */
    public long macAddress(int pos) {
        if (pos < 0 || optionLength(pos) != LL_ADDR_LENGTH_ETHERNET) return -1;
        return Bytes.u48(buf, pos + OFF_LL_ADDR);
    }

    /** The MTU option's value, or -1 without one. */
    public long mtu() {
        return mtu < 0 ? -1 : Bytes.i32(buf, mtu + OFF_MTU) & 0xffffffffL;
    }

    /** True when the prefix information option at {@code pos} is long enough to read (addrconf_prefix_rcv's check). */
    public boolean isPrefixInfo(int pos) {
        return pos >= 0 && optionType(pos) == ND_OPT_PREFIX_INFO && optionLength(pos) >= PREFIX_INFO_LENGTH;
    }

    public int prefixLength(int pos) { return buf[pos + OFF_PREFIX_LENGTH] & 0xff; }
    public int prefixFlags(int pos) { return buf[pos + OFF_PREFIX_FLAGS] & 0xff; }
    public long validLifetime(int pos) { return Bytes.i32(buf, pos + OFF_VALID_LIFETIME) & 0xffffffffL; }
    public long preferredLifetime(int pos) { return Bytes.i32(buf, pos + OFF_PREFERRED_LIFETIME) & 0xffffffffL; }
    public long prefixHi(int pos) { return Ipv6Address.readHi(buf, pos + OFF_PREFIX); }
    public long prefixLo(int pos) { return Ipv6Address.readLo(buf, pos + OFF_PREFIX); }

    // ---- writers (static, no allocation); each returns the position after the option ----

    /** A source or target link-layer address option for an Ethernet address. */
    public static int writeLinkLayer(byte[] b, int p, int type, long mac) {
        Bytes.put8(b, p + OFF_TYPE, type);
        Bytes.put8(b, p + OFF_LENGTH, LL_ADDR_LENGTH_ETHERNET >>> 3);
        Bytes.put48(b, p + OFF_LL_ADDR, mac);
        return p + LL_ADDR_LENGTH_ETHERNET;
    }

    public static int writeMtu(byte[] b, int p, long mtuValue) {
        Bytes.put8(b, p + OFF_TYPE, ND_OPT_MTU);
        Bytes.put8(b, p + OFF_LENGTH, MTU_LENGTH >>> 3);
        Bytes.put16(b, p + 2, 0);
        Bytes.put32(b, p + OFF_MTU, (int) mtuValue);
        return p + MTU_LENGTH;
    }

    public static int writePrefixInfo(byte[] b, int p, int prefixLength, int flags, long validLifetime,
                                      long preferredLifetime, long prefixHi, long prefixLo) {
        Bytes.put8(b, p + OFF_TYPE, ND_OPT_PREFIX_INFO);
        Bytes.put8(b, p + OFF_LENGTH, PREFIX_INFO_LENGTH >>> 3);
        Bytes.put8(b, p + OFF_PREFIX_LENGTH, prefixLength);
        Bytes.put8(b, p + OFF_PREFIX_FLAGS, flags);
        Bytes.put32(b, p + OFF_VALID_LIFETIME, (int) validLifetime);
        Bytes.put32(b, p + OFF_PREFERRED_LIFETIME, (int) preferredLifetime);
        Bytes.put32(b, p + 12, 0);
        Ipv6Address.write(b, p + OFF_PREFIX, prefixHi, prefixLo);
        return p + PREFIX_INFO_LENGTH;
    }
}

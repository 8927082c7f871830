package jnat.wire;

/**
 * A view of an ICMPv6 message (RFC 4443) and of the NDP messages carried in it (RFC 4861): type, code,
 * checksum and the 4 bytes after it ({@code icmp6_dataun}: echo identifier and sequence, the MTU of
 * packet too big, the pointer of parameter problem, the NA flags, the RA fields), the target of NS, NA
 * and redirect, and where NDP options start (read them with {@link NdiscOptions}). An error's body
 * is the quoted datagram: wrap it with {@link #quoted}.
 *
 * <p>The checksum covers the IPv6 pseudo-header (RFC 4443 2.3), unlike ICMP's: verify and fill
 * take the addresses. Type and code names are the kernel's (include/uapi/linux/icmpv6.h,
 * include/net/ndisc.h).
 */
public final class Icmpv6Packet {
    /** {@code struct icmp6hdr}: type, code, checksum, 4 bytes. */
    public static final int HEADER_LENGTH = 8;

    public static final int OFF_TYPE = 0;
    public static final int OFF_CODE = 1;
    public static final int OFF_CHECKSUM = 2;
    /** The 4 bytes after the checksum ({@code icmp6_dataun}). */
    public static final int OFF_DATA = 4;
    public static final int OFF_ECHO_ID = 4;
    public static final int OFF_ECHO_SEQ = 6;
    /** Packet too big's 32-bit MTU. */
    public static final int OFF_MTU = 4;
    /** Parameter problem's 32-bit pointer. */
    public static final int OFF_POINTER = 4;
    /** NA: router, solicited, override in the high bits of this byte. */
    public static final int OFF_NA_FLAGS = 4;
    /** NS, NA, redirect: the target address ({@code struct nd_msg}, {@code rd_msg}). */
    public static final int OFF_ND_TARGET = 8;
    /** Redirect: the destination address. */
    public static final int OFF_REDIRECT_DEST = 24;
    /** RA ({@code struct ra_msg}): current hop limit, flags, router lifetime, reachable time, retrans timer. */
    public static final int OFF_RA_HOP_LIMIT = 4;
    public static final int OFF_RA_FLAGS = 5;
    public static final int OFF_RA_LIFETIME = 6;
    public static final int OFF_RA_REACHABLE_TIME = 8;
    public static final int OFF_RA_RETRANS_TIMER = 12;

    /** NDP message lengths before the options: rs_msg, ra_msg, nd_msg (NS, NA), rd_msg. */
    public static final int RS_LENGTH = 8;
    public static final int RA_LENGTH = 16;
    public static final int ND_LENGTH = 24;
    public static final int REDIRECT_LENGTH = 40;

    public static final int ICMPV6_DEST_UNREACH = 1;
    public static final int ICMPV6_PKT_TOOBIG = 2;
    public static final int ICMPV6_TIME_EXCEED = 3;
    public static final int ICMPV6_PARAMPROB = 4;
    /** Types with this bit are informational; the others errors. */
    public static final int ICMPV6_INFOMSG_MASK = 0x80;
    public static final int ICMPV6_ECHO_REQUEST = 128;
    public static final int ICMPV6_ECHO_REPLY = 129;
    public static final int ICMPV6_MGM_QUERY = 130;
    public static final int ICMPV6_MGM_REPORT = 131;
    public static final int ICMPV6_MGM_REDUCTION = 132;
    public static final int NDISC_ROUTER_SOLICITATION = 133;
    public static final int NDISC_ROUTER_ADVERTISEMENT = 134;
    public static final int NDISC_NEIGHBOUR_SOLICITATION = 135;
    public static final int NDISC_NEIGHBOUR_ADVERTISEMENT = 136;
    public static final int NDISC_REDIRECT = 137;
    public static final int ICMPV6_NI_QUERY = 139;
    public static final int ICMPV6_NI_REPLY = 140;
    public static final int ICMPV6_MLD2_REPORT = 143;

    /** Destination unreachable codes. */
    public static final int ICMPV6_NOROUTE = 0;
    public static final int ICMPV6_ADM_PROHIBITED = 1;
    public static final int ICMPV6_NOT_NEIGHBOUR = 2;
    public static final int ICMPV6_ADDR_UNREACH = 3;
    public static final int ICMPV6_PORT_UNREACH = 4;
    public static final int ICMPV6_POLICY_FAIL = 5;
    public static final int ICMPV6_REJECT_ROUTE = 6;
    /** Time exceeded codes. */
    public static final int ICMPV6_EXC_HOPLIMIT = 0;
    public static final int ICMPV6_EXC_FRAGTIME = 1;
    /** Parameter problem codes. */
    public static final int ICMPV6_HDR_FIELD = 0;
    public static final int ICMPV6_UNK_NEXTHDR = 1;
    public static final int ICMPV6_UNK_OPTION = 2;
    public static final int ICMPV6_HDR_INCOMP = 3;

    /** NA flag bits of byte {@link #OFF_NA_FLAGS}. */
    public static final int NA_ROUTER = 0x80;
    public static final int NA_SOLICITED = 0x40;
    public static final int NA_OVERRIDE = 0x20;
    /** RA flag bits of byte {@link #OFF_RA_FLAGS}: managed, other configuration. */
    public static final int RA_MANAGED = 0x80;
    public static final int RA_OTHER = 0x40;

    private byte[] buf;
    private int off;
    private int len;

    /** Wraps the message at {@code off}; {@code len} is the upper-layer length. Never throws. */
    public int wrap(byte[] buf, int off, int len) {
        if (this.buf != buf) this.buf = buf; // an unchanged reference is not stored again: no GC write barrier
        this.off = off;
        this.len = 0;
        if (off < 0 || len < HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        this.len = len;
        return WireError.OK;
    }

    /** Error messages (types 0-127), which quote a datagram, as conntrack's icmpv6_error tells them. */
    public static boolean typeIsError(int type) {
        return (type & ICMPV6_INFOMSG_MASK) == 0;
    }

    /** Echo request and reply, whose identifier NAT rewrites ({@code icmpv6_manip_pkt}). */
    public static boolean typeHasId(int type) {
        return type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    public int type() { return buf[off + OFF_TYPE] & 0xff; }
    public int code() { return buf[off + OFF_CODE] & 0xff; }
    public int checksum() { return Bytes.u16(buf, off + OFF_CHECKSUM); }
    /** The 4 bytes after the checksum as one int. */
    public int dataWord() { return Bytes.i32(buf, off + OFF_DATA); }
    public boolean isError() { return typeIsError(type()); }
    public boolean hasId() { return typeHasId(type()); }
    public int echoId() { return Bytes.u16(buf, off + OFF_ECHO_ID); }
    public int echoSeq() { return Bytes.u16(buf, off + OFF_ECHO_SEQ); }
    /** Packet too big's MTU (unsigned 32 bits). */
    public long mtu() { return Bytes.i32(buf, off + OFF_MTU) & 0xffffffffL; }
    /** Parameter problem's pointer: the offset in the quoted datagram of the field in error. */
    public long pointer() { return Bytes.i32(buf, off + OFF_POINTER) & 0xffffffffL; }
    /** Absolute index of the data after the 8-byte header (echo data, a quoted datagram, NDP fields). */
    public int payloadOffset() { return off + HEADER_LENGTH; }
    public int payloadLength() { return len - HEADER_LENGTH; }

    /**
     * Wraps the datagram an error quotes into {@code inner} in quoted mode; writes through {@code inner}
     * then keep this message's checksum right. Returns {@link WireError#OK} or why not.
     */
    public int quoted(Ipv6Packet inner) {
        return inner.wrapQuoted(buf, off + HEADER_LENGTH, len - HEADER_LENGTH, off + OFF_CHECKSUM);
    }

    // ---- NDP ----

    /** The length NDP message {@code type} has before its options, or -1 when {@code type} is not one. */
    public static int ndFixedLength(int type) {
        return switch (type) {
            case NDISC_ROUTER_SOLICITATION -> RS_LENGTH;
            case NDISC_ROUTER_ADVERTISEMENT -> RA_LENGTH;
            case NDISC_NEIGHBOUR_SOLICITATION, NDISC_NEIGHBOUR_ADVERTISEMENT -> ND_LENGTH;
            case NDISC_REDIRECT -> REDIRECT_LENGTH;
            default -> -1;
        };
    }

    /** True when this is an NDP message long enough for its fixed fields ("packet too short" otherwise, as ndisc_recv_* say). */
    public boolean isNdWhole() {
        int n = ndFixedLength(type());
        return n >= 0 && len >= n;
    }

    /** NS, NA, redirect: the target address (needs {@link #isNdWhole()}). */
    public long ndTargetHi() { return Ipv6Address.readHi(buf, off + OFF_ND_TARGET); }
    public long ndTargetLo() { return Ipv6Address.readLo(buf, off + OFF_ND_TARGET); }
    /** Redirect: the destination address. */
    public long redirectDestHi() { return Ipv6Address.readHi(buf, off + OFF_REDIRECT_DEST); }
    public long redirectDestLo() { return Ipv6Address.readLo(buf, off + OFF_REDIRECT_DEST); }
    /** NA's flag byte: {@link #NA_ROUTER}, {@link #NA_SOLICITED}, {@link #NA_OVERRIDE}. */
    public int naFlags() { return buf[off + OFF_NA_FLAGS] & 0xe0; }
    public boolean naRouter() { return (naFlags() & NA_ROUTER) != 0; }
    public boolean naSolicited() { return (naFlags() & NA_SOLICITED) != 0; }
    public boolean naOverride() { return (naFlags() & NA_OVERRIDE) != 0; }
    public int raHopLimit() { return buf[off + OFF_RA_HOP_LIMIT] & 0xff; }
    /** RA's flag byte ({@link #RA_MANAGED}, {@link #RA_OTHER}, preference and the rest). */
    public int raFlags() { return buf[off + OFF_RA_FLAGS] & 0xff; }
    public int raRouterLifetime() { return Bytes.u16(buf, off + OFF_RA_LIFETIME); }
    public long raReachableTime() { return Bytes.i32(buf, off + OFF_RA_REACHABLE_TIME) & 0xffffffffL; }
    public long raRetransTimer() { return Bytes.i32(buf, off + OFF_RA_RETRANS_TIMER) & 0xffffffffL; }

    /** Absolute index of the NDP options, or -1 when this is no whole NDP message. */
    public int ndOptionsOffset() { return isNdWhole() ? off + ndFixedLength(type()) : -1; }

    /** Bytes of NDP options (0 when none or no NDP message). */
    public int ndOptionsLength() { return isNdWhole() ? len - ndFixedLength(type()) : 0; }

    /** Parses this NDP message's options into {@code opts} as ndisc_parse_options; {@link WireError#TRUNCATED} when no whole NDP message. */
    public int parseNdOptions(NdiscOptions opts) {
        if (!isNdWhole()) return WireError.TRUNCATED;
        return opts.parse(buf, ndOptionsOffset(), ndOptionsLength());
    }

    // ---- checksum (with the IPv6 pseudo-header) ----

    public boolean verifyChecksum(long srcHi, long srcLo, long dstHi, long dstLo) {
        return Checksum.verifyTransport6(buf, off, len, srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6);
    }

    public void fillChecksum(long srcHi, long srcLo, long dstHi, long dstLo) {
        fillChecksum(buf, off, len, srcHi, srcLo, dstHi, dstLo);
    }

    public void setChecksum(int checksum) { Bytes.put16(buf, off + OFF_CHECKSUM, checksum); }

    // ---- writers for messages built from scratch (static, no allocation) ----

    /** Writes the 8-byte header at {@code off}: {@code dataWord} is bytes 4-7 (big-endian), checksum 0. */
    public static void writeHeader(byte[] b, int off, int type, int code, int dataWord) {
        Bytes.put8(b, off + OFF_TYPE, type);
        Bytes.put8(b, off + OFF_CODE, code);
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put32(b, off + OFF_DATA, dataWord);
    }

    /** Computes and writes the checksum of {@code b[off, off+len)} with the pseudo-header of {@code src > dst}. */
    public static void fillChecksum(byte[] b, int off, int len, long srcHi, long srcLo, long dstHi, long dstLo) {
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put16(b, off + OFF_CHECKSUM, Checksum.transport6(b, off, len, srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6));
    }

    /** Rewrites the echo identifier with the checksum updated. */
    public void setEchoId(int id) {
        int pos = off + OFF_ECHO_ID;
        int old = Bytes.u16(buf, pos);
        Bytes.put16(buf, pos, id);
        setChecksum(Checksum.update16(checksum(), old, id & 0xffff));
    }

    /** For debugging and test messages (allocates). */
    @Override
    public String toString() {
        return len == 0 ? "Icmpv6Packet[not wrapped]" : "icmp6 type " + type() + " code " + code() + " length " + payloadLength();
    }
}

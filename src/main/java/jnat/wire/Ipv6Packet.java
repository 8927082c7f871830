package jnat.wire;

/**
 * A view of an IPv6 packet (RFC 8200): the fixed 40-byte header and, walked once at {@link #wrap} as
 * {@code ipv6_skip_exthdr} walks them ({@link Ipv6ExtHeaders}), its extension headers, giving the
 * upper-layer protocol and where it starts. Reusable: {@link #wrap} again for the next packet.
 *
 * <p>{@link #wrap} checks what {@code ip6_rcv_core} checks of the fixed header: version 6, the header
 * present, 40 plus the payload length no more than the bytes present (the rest is padding). A chain
 * of extension headers that cannot be walked does not fail the wrap (a router forwards such a packet
 * without looking): {@link #extHeaderError()} says it, and there is then no upper layer. Jumbograms
 * (RFC 2675, payload length 0 and a hop-by-hop jumbo option) are not read: the packet is the header.
 *
 * <p>{@link #wrapQuoted} wraps the datagram an ICMPv6 error quotes, whose payload length usually
 * claims more than is quoted; the walk then stops at the quoted bytes.
 *
 * <p>The setters used by NAT66 ({@link #setSrc}, {@link #setDst}, {@link #setSrcPort}, {@link #setDstPort},
 * {@link #setIcmpId}, {@link #decrementHopLimit}) keep checksums right incrementally as
 * {@code nf_nat_ipv6_manip_pkt} does: IPv6 has no header checksum, but the TCP, UDP and ICMPv6
 * checksums cover the addresses through the pseudo-header ({@code inet_proto_csum_replace16}); ICMPv6,
 * unlike ICMP, has one. A non-first fragment's addresses change alone. A UDP checksum of 0 stays 0 (it
 * is invalid over IPv6, and the kernel leaves it so). For a quoted datagram, the enclosing ICMPv6
 * message's checksum follows every write.
 */
public final class Ipv6Packet {
    public static final int HEADER_LENGTH = 40;

    // byte offsets in the header, one per field of the kernel's struct ipv6hdr
    /** The first 32-bit word: version (4 bits), traffic class (8), flow label (20). */
    public static final int OFF_VERSION_CLASS_FLOW = 0;
    public static final int OFF_PAYLOAD_LENGTH = 4;
    public static final int OFF_NEXT_HEADER = 6;
    public static final int OFF_HOP_LIMIT = 7;
    public static final int OFF_SRC = 8;
    public static final int OFF_DST = 24;

    public static final int FLOW_LABEL_MASK = 0xfffff;

    private final Ipv6ExtHeaders walker = new Ipv6ExtHeaders();
    private byte[] buf;
    private int off;
    /** Bytes of this packet present in buf: 40 plus the payload length, or fewer for a quoted datagram. */
    private int len;
    private boolean quoted;
    /** Absolute index of the enclosing ICMPv6 checksum to keep right on writes, or -1. */
    private int enclosingChecksum = -1;
    /** CHECKSUM_PARTIAL: the L4 checksum field holds the pseudo-header sum, not a checksum. */
    private boolean checksumPartial;
    // the walk at wrap time
    private int extError;
    private int upperProtocol;
    private int upperOffset;
    private int fragField;
    private int fragHeader;

    /**
     * Wraps the IPv6 packet starting at {@code off}, with {@code len} bytes available (more than 40 plus
     * the payload length is fine: the rest is padding). Returns {@link WireError#OK} or why not. Never throws.
     */
    public int wrap(byte[] buf, int off, int len) {
        return wrap(buf, off, len, false, -1);
    }

    /**
     * Wraps a datagram quoted inside an ICMPv6 error: the fixed header must be whole, but the payload
     * length may claim more than is present ({@link #isTruncated()}). Never throws.
     */
    public int wrapQuoted(byte[] buf, int off, int len) {
        return wrap(buf, off, len, true, -1);
    }

    /**
     * As {@link #wrapQuoted(byte[], int, int)}, and every write through this view also updates the
     * checksum at absolute index {@code enclosingChecksumOffset} (the ICMPv6 error's; this datagram must
     * start an even number of bytes after the ICMPv6 header's start, as it does at +8).
     */
    public int wrapQuoted(byte[] buf, int off, int len, int enclosingChecksumOffset) {
        return wrap(buf, off, len, true, enclosingChecksumOffset);
    }

    private int wrap(byte[] buf, int off, int len, boolean quoted, int enclosing) {
        if (this.buf != buf) this.buf = buf; // an unchanged reference is not stored again: no GC write barrier
        this.off = off;
        this.len = 0;
        this.quoted = quoted;
        this.enclosingChecksum = enclosing;
        this.checksumPartial = false;
        this.extError = WireError.TRUNCATED;
        this.upperProtocol = -1;
        this.upperOffset = -1;
        this.fragField = 0;
        this.fragHeader = -1;
        if (off < 0 || len < HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        if ((buf[off] & 0xff) >>> 4 != 6) return WireError.BAD_VERSION;
        int total = HEADER_LENGTH + Bytes.u16(buf, off + OFF_PAYLOAD_LENGTH);
        if (total > len) {
            if (!quoted) return WireError.TRUNCATED;
            this.len = len;
        } else {
            this.len = total;
        }
        walk();
        return WireError.OK;
    }

    private void walk() {
        Ipv6ExtHeaders w = walker;
        extError = w.skip(buf, off + HEADER_LENGTH, off + len, nextHeader());
        if (extError != WireError.OK) return;
        fragField = w.fragOff();
        fragHeader = w.fragmentHeaderOffset();
        if ((fragField & Ipv6FragmentHeader.IP6_OFFSET) != 0) {
            // a later fragment: its data follows the fragment header, under that header's next header
            upperProtocol = buf[fragHeader + Ipv6FragmentHeader.OFF_NEXT_HEADER] & 0xff;
            upperOffset = Math.min(fragHeader + Ipv6FragmentHeader.LENGTH, off + len);
        } else {
            upperProtocol = w.nextHeader();
            upperOffset = w.offset();
        }
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    /** Bytes of the packet present: 40 plus the payload length, or what an ICMPv6 error quoted. */
    public int length() { return len; }
    /** True when wrapped quoted and the payload length claims more than is present. */
    public boolean isTruncated() { return quoted && HEADER_LENGTH + payloadLengthField() > len; }

    public int version() { return (buf[off] & 0xff) >>> 4; }
    public int trafficClass() { return Bytes.u16(buf, off + OFF_VERSION_CLASS_FLOW) >>> 4 & 0xff; }
    public int dscp() { return trafficClass() >>> 2; }
    public int ecn() { return trafficClass() & 0x03; }
    public int flowLabel() { return Bytes.i32(buf, off + OFF_VERSION_CLASS_FLOW) & FLOW_LABEL_MASK; }
    /** The payload length field: bytes after the fixed header, extension headers included. */
    public int payloadLengthField() { return Bytes.u16(buf, off + OFF_PAYLOAD_LENGTH); }
    /** The first header after the fixed one (an extension header or the upper layer). */
    public int nextHeader() { return buf[off + OFF_NEXT_HEADER] & 0xff; }
    public int hopLimit() { return buf[off + OFF_HOP_LIMIT] & 0xff; }
    public long srcHi() { return Ipv6Address.readHi(buf, off + OFF_SRC); }
    public long srcLo() { return Ipv6Address.readLo(buf, off + OFF_SRC); }
    public long dstHi() { return Ipv6Address.readHi(buf, off + OFF_DST); }
    public long dstLo() { return Ipv6Address.readLo(buf, off + OFF_DST); }
    /** Absolute index of the source address's 16 bytes. */
    public int srcOffset() { return off + OFF_SRC; }
    /** Absolute index of the destination address's 16 bytes. */
    public int dstOffset() { return off + OFF_DST; }
    /** Absolute index after the fixed header, where the extension headers or the upper layer start. */
    public int payloadOffset() { return off + HEADER_LENGTH; }
    /** Bytes present after the fixed header. */
    public int payloadLength() { return len - HEADER_LENGTH; }

    // ---- the extension header walk ----

    /** {@link WireError#OK} when the extension headers were walked, else why not ({@link WireError#BAD_EXT_HEADER}). */
    public int extHeaderError() { return extError; }

    /**
     * The upper-layer protocol (TCP, UDP, ICMPv6, ESP, {@link Ipv6ExtHeaders#NEXTHDR_NONE}, ...); for a
     * fragment that is not the first, the fragment header's next header. -1 when the walk failed.
     */
    public int upperProtocol() { return upperProtocol; }

    /** Absolute index where the upper layer starts (a later fragment's data), or -1 when the walk failed. */
    public int upperOffset() { return upperOffset; }

    /** Bytes present from {@link #upperOffset()} on (0 when the walk failed). */
    public int upperLength() { return upperOffset < 0 ? 0 : off + len - upperOffset; }

    /** True when a fragment header says this is a fragment (M set or offset not 0). */
    public boolean isFragment() { return (fragField & (Ipv6FragmentHeader.IP6_OFFSET | Ipv6FragmentHeader.IP6_MF)) != 0; }

    /** The fragment offset in 8-octet units (0 unfragmented). */
    public int fragmentOffset() { return fragField >>> 3; }

    public boolean moreFragments() { return (fragField & Ipv6FragmentHeader.IP6_MF) != 0; }

    /** Absolute index of the (last) fragment header, or -1 without one. */
    public int fragmentHeaderOffset() { return fragHeader; }

    /** True when the upper-layer header starts here: walked, and not a later fragment. */
    private boolean hasUpper() { return extError == WireError.OK && fragmentOffset() == 0; }

    // ---- checksums ----

    /**
     * True when the TCP, UDP or ICMPv6 checksum of a whole, unfragmented packet verifies against the
     * pseudo-header; a UDP checksum of 0 fails (mandatory over IPv6, RFC 8200 8.1). False for truncated,
     * fragmented or unwalkable packets and too-short headers; true for other protocols.
     */
    public boolean verifyTransportChecksum() {
        int proto = upperProtocol;
        if (proto != IpProtocol.TCP && proto != IpProtocol.UDP && proto != IpProtocol.ICMPV6) return extError == WireError.OK;
        if (isTruncated() || isFragment()) return false;
        int p = upperOffset, n = upperLength();
        int min = switch (proto) {
            case IpProtocol.TCP -> TcpSegment.MIN_HEADER_LENGTH;
            case IpProtocol.UDP -> UdpDatagram.HEADER_LENGTH;
            default -> Icmpv6Packet.HEADER_LENGTH;
        };
        if (n < min) return false;
        if (proto == IpProtocol.UDP && Bytes.u16(buf, p + UdpDatagram.OFF_CHECKSUM) == 0) return false;
        return Checksum.verifyTransport6(buf, p, n, srcHi(), srcLo(), dstHi(), dstLo(), proto);
    }

    // ---- writers for packets built from scratch (static, no allocation) ----

    /** Writes the 40-byte fixed header at {@code off} (version 6). IPv6 has no header checksum. */
    public static void writeHeader(byte[] b, int off, int trafficClass, int flowLabel, int payloadLength, int nextHeader,
                                   int hopLimit, long srcHi, long srcLo, long dstHi, long dstLo) {
        Bytes.put32(b, off + OFF_VERSION_CLASS_FLOW, 6 << 28 | (trafficClass & 0xff) << 20 | (flowLabel & FLOW_LABEL_MASK));
        Bytes.put16(b, off + OFF_PAYLOAD_LENGTH, payloadLength);
        Bytes.put8(b, off + OFF_NEXT_HEADER, nextHeader);
        Bytes.put8(b, off + OFF_HOP_LIMIT, hopLimit);
        Ipv6Address.write(b, off + OFF_SRC, srcHi, srcLo);
        Ipv6Address.write(b, off + OFF_DST, dstHi, dstLo);
    }

    // ---- setters that keep checksums right ----

    /**
     * Marks the packet CHECKSUM_PARTIAL ({@link Offload}; {@link #wrap} clears it), with
     * {@link Ipv4Packet#setChecksumPartial}'s rule: the L4 field (TCP, UDP and here ICMPv6 too, whose
     * pseudo-header it is) holds the pseudo-header sum; an address change goes into it, a port or
     * identifier change does not.
     */
    public void setChecksumPartial(boolean partial) { this.checksumPartial = partial; }

    public boolean checksumPartial() { return checksumPartial; }

    public void setSrc(long hi, long lo) { setAddress(off + OFF_SRC, hi, lo); }

    public void setDst(long hi, long lo) { setAddress(off + OFF_DST, hi, lo); }

    private void setAddress(int pos, long hi, long lo) {
        long oldHi = Ipv6Address.readHi(buf, pos), oldLo = Ipv6Address.readLo(buf, pos);
        if (oldHi == hi && oldLo == lo) return;
        for (int i = 0; i < 4; i++) put16(pos + 2 * i, (int) (hi >>> (48 - 16 * i)));
        for (int i = 0; i < 4; i++) put16(pos + 8 + 2 * i, (int) (lo >>> (48 - 16 * i)));
        int l4 = transportChecksumPos();
        if (l4 < 0) return;
        int c = Bytes.u16(buf, l4);
        boolean udp = upperProtocol == IpProtocol.UDP;
        if (checksumPartial) {
            // the field holds the folded pseudo-header sum: add the change, no complement
            int p = ~Checksum.update128(~c & 0xffff, oldHi, oldLo, hi, lo) & 0xffff;
            put16(l4, udp ? Checksum.udpField(p) : p);
        } else if (udp) {
            if (c != 0) put16(l4, Checksum.udpField(Checksum.update128(c, oldHi, oldLo, hi, lo)));
        } else {
            put16(l4, Checksum.update128(c, oldHi, oldLo, hi, lo));
        }
    }

    public void setHopLimit(int hopLimit) {
        // hop limit and next header share a 16-bit word of an enclosing checksum
        put16(off + OFF_NEXT_HEADER, (buf[off + OFF_NEXT_HEADER] & 0xff) << 8 | (hopLimit & 0xff));
    }

    /** Decrements the hop limit, as ip6_forward does; returns the new one. */
    public int decrementHopLimit() {
        int h = (hopLimit() - 1) & 0xff;
        setHopLimit(h);
        return h;
    }

    /** Writes the traffic class (DSCP and ECN), flow label kept. */
    public void setTrafficClass(int trafficClass) {
        int word = Bytes.u16(buf, off);
        put16(off, (word & 0xf00f) | (trafficClass & 0xff) << 4);
    }

    // ---- the upper-layer header as conntrack sees it: ports and ICMPv6 ids ----

    /** True when the upper layer is TCP or UDP with its ports present (not a later fragment). */
    public boolean hasPorts() {
        return (upperProtocol == IpProtocol.TCP || upperProtocol == IpProtocol.UDP) && hasUpper() && upperLength() >= 4;
    }

    /** The TCP/UDP source port; only meaningful when {@link #hasPorts()}. */
    public int srcPort() { return Bytes.u16(buf, upperOffset + UdpDatagram.OFF_SRC_PORT); }

    /** The TCP/UDP destination port; only meaningful when {@link #hasPorts()}. */
    public int dstPort() { return Bytes.u16(buf, upperOffset + UdpDatagram.OFF_DST_PORT); }

    /** Rewrites the TCP/UDP source port with checksums updated; does nothing unless {@link #hasPorts()}. */
    public void setSrcPort(int port) {
        if (hasPorts()) setL4Word(upperOffset + UdpDatagram.OFF_SRC_PORT, port);
    }

    /** Rewrites the TCP/UDP destination port with checksums updated; does nothing unless {@link #hasPorts()}. */
    public void setDstPort(int port) {
        if (hasPorts()) setL4Word(upperOffset + UdpDatagram.OFF_DST_PORT, port);
    }

    /** True when the upper layer is an ICMPv6 echo request or reply (whose id NAT rewrites) with its 8-byte header. */
    public boolean hasIcmpId() {
        return upperProtocol == IpProtocol.ICMPV6 && hasUpper() && upperLength() >= Icmpv6Packet.HEADER_LENGTH
                && Icmpv6Packet.typeHasId(icmpType());
    }

    /** The ICMPv6 type; only meaningful when the upper layer is ICMPv6 with a byte present. */
    public int icmpType() { return buf[upperOffset + Icmpv6Packet.OFF_TYPE] & 0xff; }

    /** The ICMPv6 code; only meaningful when the upper layer is ICMPv6 with two bytes present. */
    public int icmpCode() { return buf[upperOffset + Icmpv6Packet.OFF_CODE] & 0xff; }

    /** The echo identifier; only meaningful when {@link #hasIcmpId()}. */
    public int icmpId() { return Bytes.u16(buf, upperOffset + Icmpv6Packet.OFF_ECHO_ID); }

    /** Rewrites the echo identifier with the checksum updated (as {@code icmpv6_manip_pkt}); needs {@link #hasIcmpId()}. */
    public void setIcmpId(int id) {
        if (hasIcmpId()) setL4Word(upperOffset + Icmpv6Packet.OFF_ECHO_ID, id);
    }

    /** A port or identifier: not in the pseudo-header, so a CHECKSUM_PARTIAL field is left alone. */
    private void setL4Word(int pos, int value) {
        int old = Bytes.u16(buf, pos);
        if (old == value) return;
        put16(pos, value);
        int l4 = checksumPartial ? -1 : transportChecksumPos();
        if (l4 < 0) return;
        int c = Bytes.u16(buf, l4);
        if (upperProtocol == IpProtocol.UDP) {
            if (c != 0) put16(l4, Checksum.udpField(Checksum.update16(c, old, value)));
        } else {
            put16(l4, Checksum.update16(c, old, value));
        }
    }

    /** Absolute index of the TCP/UDP/ICMPv6 checksum when present in the upper-layer header here, else -1. */
    private int transportChecksumPos() {
        if (!hasUpper()) return -1;
        int n = upperLength();
        return switch (upperProtocol) {
            case IpProtocol.TCP -> n >= TcpSegment.OFF_CHECKSUM + 2 ? upperOffset + TcpSegment.OFF_CHECKSUM : -1;
            case IpProtocol.UDP -> n >= UdpDatagram.OFF_CHECKSUM + 2 ? upperOffset + UdpDatagram.OFF_CHECKSUM : -1;
            case IpProtocol.ICMPV6 -> n >= Icmpv6Packet.OFF_CHECKSUM + 2 ? upperOffset + Icmpv6Packet.OFF_CHECKSUM : -1;
            default -> -1;
        };
    }

    /** Writes a 16-bit word, keeping an enclosing ICMPv6 checksum right when there is one. */
    private void put16(int pos, int value) {
        Checksum.put16Covered(buf, pos, value, enclosingChecksum);
    }

    /** For debugging and test messages (allocates): "2001:db8::1 > 2001:db8::2 next 6 hlim 64 len 20". */
    @Override
    public String toString() {
        if (len == 0) return "Ipv6Packet[not wrapped]";
        return Ipv6Address.format(buf, off + OFF_SRC) + " > " + Ipv6Address.format(buf, off + OFF_DST)
                + " next " + nextHeader() + " upper " + upperProtocol + " hlim " + hopLimit()
                + " len " + payloadLengthField() + (isTruncated() ? " (quoted " + len + ")" : "");
    }
}

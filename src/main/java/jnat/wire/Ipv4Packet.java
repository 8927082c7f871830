package jnat.wire;

/**
 * A view of an IPv4 packet (RFC 791), options included. Reusable: {@link #wrap} again for the next packet.
 *
 * <p>{@link #wrap} checks what {@code ip_rcv_core} checks before it trusts a header: version 4, IHL at
 * least 5, the header present, total length at least the header and no more than the bytes present.
 * Bytes beyond the total length (Ethernet padding) are not part of the packet. The header checksum is
 * not verified by {@code wrap}; call {@link #verifyChecksum()}.
 *
 * <p>{@link #wrapQuoted} wraps the datagram quoted inside an ICMP error, whose total length usually
 * claims more than the quoted bytes (typically the header plus 8 bytes, enough for the ports).
 *
 * <p>The setters used by NAT ({@link #setSrc}, {@link #setDst}, {@link #setSrcPort}, {@link #setDstPort},
 * {@link #setIcmpId}, {@link #decrementTtl}) keep every checksum right incrementally (RFC 1624): the
 * header checksum, the TCP/UDP checksum including its pseudo-header share, and, for a quoted datagram,
 * the enclosing ICMP message's checksum, as {@code nf_nat_ipv4_manip_pkt} and the l4proto manip
 * functions do. A UDP checksum of 0 ("none") stays 0; a computed 0 is written as 0xffff. A TCP checksum
 * outside the quoted bytes is left alone (as {@code tcp_manip_pkt} does for an ICMP error's payload).
 */
public final class Ipv4Packet {
    public static final int MIN_HEADER_LENGTH = 20;

    /** Byte offsets in the header, one per field of the kernel's {@code struct iphdr}. */
    public static final int OFF_VERSION_IHL = 0;
    public static final int OFF_TOS = 1;
    public static final int OFF_TOTAL_LENGTH = 2;
    public static final int OFF_ID = 4;
    /** The 16-bit flags and fragment offset field ({@code frag_off}). */
    public static final int OFF_FRAG = 6;
    public static final int OFF_TTL = 8;
    public static final int OFF_PROTOCOL = 9;
    public static final int OFF_CHECKSUM = 10;
    public static final int OFF_SRC = 12;
    public static final int OFF_DST = 16;

    /** Bits of the {@link #OFF_FRAG} field, as the kernel's IP_DF, IP_MF and IP_OFFSET. */
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAG_OFFSET_MASK = 0x1fff;

    private byte[] buf;
    private int off;
    /** Bytes of this packet present in buf: the total length, or fewer for a quoted datagram. */
    private int len;
    private boolean quoted;
    /** Absolute index of the enclosing ICMP checksum to keep right on writes, or -1. */
    private int enclosingChecksum = -1;
    /** CHECKSUM_PARTIAL: the L4 checksum field holds the pseudo-header sum, not a checksum. */
    private boolean checksumPartial;

    /**
     * Wraps the IPv4 packet starting at {@code off}, with {@code len} bytes available (more than the
     * total length is fine: the rest is padding). Returns {@link WireError#OK} or why not. Never throws.
     */
    public int wrap(byte[] buf, int off, int len) {
        return wrap(buf, off, len, false, -1);
    }

    /**
     * Wraps a datagram quoted inside an ICMP error: the header must be whole, but the total length may
     * claim more than is present; {@link #length()} is then what is present and {@link #isTruncated()} is
     * true. Returns {@link WireError#OK} or why not. Never throws.
     */
    public int wrapQuoted(byte[] buf, int off, int len) {
        return wrap(buf, off, len, true, -1);
    }

    /**
     * As {@link #wrapQuoted(byte[], int, int)}, and every write through this view also updates the
     * checksum at absolute index {@code enclosingChecksumOffset} (the ICMP error's checksum field; this
     * datagram must start an even number of bytes after the ICMP header's start, as it does at +8).
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
        if (off < 0 || len < MIN_HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        int b0 = buf[off + OFF_VERSION_IHL] & 0xff;
        if (b0 >>> 4 != 4) return WireError.BAD_VERSION;
        int hlen = (b0 & 0x0f) * 4;
        if (hlen < MIN_HEADER_LENGTH) return WireError.BAD_IHL;
        if (hlen > len) return WireError.TRUNCATED;
        int total = Bytes.u16(buf, off + OFF_TOTAL_LENGTH);
        if (total < hlen) return WireError.BAD_TOTAL_LENGTH;
        if (total > len) {
            if (!quoted) return WireError.TRUNCATED;
            this.len = len;
        } else {
            this.len = total;
        }
        return WireError.OK;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    /** Bytes of the packet present: the total length, or what an ICMP error quoted. */
    public int length() { return len; }
    /** True when wrapped quoted and the total length claims more than is present. */
    public boolean isTruncated() { return quoted && totalLength() > len; }

    public int version() { return (buf[off + OFF_VERSION_IHL] & 0xff) >>> 4; }
    /** The header length in 32-bit words. */
    public int ihl() { return buf[off + OFF_VERSION_IHL] & 0x0f; }
    public int headerLength() { return (buf[off + OFF_VERSION_IHL] & 0x0f) * 4; }
    public int tos() { return buf[off + OFF_TOS] & 0xff; }
    public int dscp() { return (buf[off + OFF_TOS] & 0xff) >>> 2; }
    public int ecn() { return buf[off + OFF_TOS] & 0x03; }
    public int totalLength() { return Bytes.u16(buf, off + OFF_TOTAL_LENGTH); }
    public int identification() { return Bytes.u16(buf, off + OFF_ID); }
    public boolean dontFragment() { return (Bytes.u16(buf, off + OFF_FRAG) & FLAG_DF) != 0; }
    public boolean moreFragments() { return (Bytes.u16(buf, off + OFF_FRAG) & FLAG_MF) != 0; }
    /** The fragment offset field, in units of 8 bytes. */
    public int fragmentOffset() { return Bytes.u16(buf, off + OFF_FRAG) & FRAG_OFFSET_MASK; }
    /** True for any fragment (MF set or offset not 0), as {@code ip_is_fragment}. */
    public boolean isFragment() { return (Bytes.u16(buf, off + OFF_FRAG) & (FLAG_MF | FRAG_OFFSET_MASK)) != 0; }
    public int ttl() { return buf[off + OFF_TTL] & 0xff; }
    public int protocol() { return buf[off + OFF_PROTOCOL] & 0xff; }
    public int checksum() { return Bytes.u16(buf, off + OFF_CHECKSUM); }
    public int src() { return Bytes.i32(buf, off + OFF_SRC); }
    public int dst() { return Bytes.i32(buf, off + OFF_DST); }
    public int optionsOffset() { return off + MIN_HEADER_LENGTH; }
    public int optionsLength() { return headerLength() - MIN_HEADER_LENGTH; }
    /** Absolute index in {@link #buffer()} where the payload (TCP, UDP, ICMP header) starts. */
    public int payloadOffset() { return off + headerLength(); }
    /** Payload bytes present (total length minus header, or fewer when quoted). */
    public int payloadLength() { return len - headerLength(); }

    /** True when the header checksum verifies. */
    public boolean verifyChecksum() {
        return Checksum.verify(buf, off, headerLength());
    }

    /** Computes and writes the header checksum. */
    public void fillChecksum() {
        put16(off + OFF_CHECKSUM, 0);
        put16(off + OFF_CHECKSUM, Checksum.compute(buf, off, headerLength()));
    }

    /**
     * True when the TCP, UDP or ICMP checksum of a whole, unfragmented packet verifies (a UDP checksum
     * of 0 means none and passes). False for truncated or fragmented packets and too-short headers;
     * true for other protocols, which carry no checksum we know.
     */
    public boolean verifyTransportChecksum() {
        int p = payloadOffset();
        int n = payloadLength();
        int proto = protocol();
        if (proto != IpProtocol.TCP && proto != IpProtocol.UDP && proto != IpProtocol.ICMP) return true;
        if (isTruncated() || isFragment()) return false;
        return switch (proto) {
            case IpProtocol.TCP -> n >= TcpSegment.MIN_HEADER_LENGTH
                    && Checksum.verifyTransport(buf, p, n, src(), dst(), proto);
            case IpProtocol.UDP -> n >= UdpDatagram.HEADER_LENGTH
                    && (Bytes.u16(buf, p + UdpDatagram.OFF_CHECKSUM) == 0 || Checksum.verifyTransport(buf, p, n, src(), dst(), proto));
            default -> n >= IcmpPacket.HEADER_LENGTH && Checksum.verify(buf, p, n);
        };
    }

    // ---- writers for packets built from scratch (static, no allocation) ----

    /**
     * Writes a 20-byte header without options at {@code off} (version 4, IHL 5) and fills in its
     * checksum. {@code fragField} is the whole 16-bit flags and offset field, e.g. {@link #FLAG_DF}.
     */
    public static void writeHeader(byte[] b, int off, int tos, int totalLength, int id, int fragField,
                                   int ttl, int protocol, int src, int dst) {
        writeFields(b, off, MIN_HEADER_LENGTH / 4, tos, totalLength, id, fragField, ttl, protocol, src, dst);
        fillChecksum(b, off);
    }

    /** The fixed 20 bytes with IHL {@code ihl} (options, if any, are the caller's) and checksum 0. */
    static void writeFields(byte[] b, int off, int ihl, int tos, int totalLength, int id, int fragField,
                            int ttl, int protocol, int src, int dst) {
        Bytes.put8(b, off + OFF_VERSION_IHL, 4 << 4 | ihl);
        Bytes.put8(b, off + OFF_TOS, tos);
        Bytes.put16(b, off + OFF_TOTAL_LENGTH, totalLength);
        Bytes.put16(b, off + OFF_ID, id);
        Bytes.put16(b, off + OFF_FRAG, fragField);
        Bytes.put8(b, off + OFF_TTL, ttl);
        Bytes.put8(b, off + OFF_PROTOCOL, protocol);
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put32(b, off + OFF_SRC, src);
        Bytes.put32(b, off + OFF_DST, dst);
    }

    /** Computes and writes the checksum of the header at {@code off}, options included (IHL as written). */
    public static void fillChecksum(byte[] b, int off) {
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put16(b, off + OFF_CHECKSUM, Checksum.compute(b, off, (b[off + OFF_VERSION_IHL] & 0x0f) * 4));
    }

    // ---- setters that keep checksums right ----

    /**
     * Marks the packet CHECKSUM_PARTIAL ({@link Offload}; {@link #wrap} clears it): its L4 checksum
     * field holds the pseudo-header sum, not complemented, and the data is not summed. The setters
     * then do what {@code inet_proto_csum_replace4/2} do for such a packet: an address change (part
     * of the pseudo-header) goes into the field, a port or ICMP id change does not touch it (the
     * final sum covers the new value).
     */
    public void setChecksumPartial(boolean partial) {
        this.checksumPartial = partial;
    }

    public boolean checksumPartial() {
        return checksumPartial;
    }

    public void setSrc(int address) {
        setAddress(off + OFF_SRC, address);
    }

    public void setDst(int address) {
        setAddress(off + OFF_DST, address);
    }

    private void setAddress(int pos, int address) {
        int old = Bytes.i32(buf, pos);
        if (old == address) return;
        put16(pos, address >>> 16);
        put16(pos + 2, address & 0xffff);
        put16(off + OFF_CHECKSUM, Checksum.update32(checksum(), old, address));
        int l4 = transportChecksumPos();
        if (l4 >= 0) {
            int c = Bytes.u16(buf, l4);
            if (checksumPartial) {
                // the field holds the folded pseudo-header sum: add the change, no complement
                int p = ~Checksum.update32(~c & 0xffff, old, address) & 0xffff;
                put16(l4, protocol() == IpProtocol.UDP ? Checksum.udpField(p) : p);
            } else if (protocol() == IpProtocol.UDP) {
                if (c != 0) put16(l4, Checksum.udpField(Checksum.update32(c, old, address)));
            } else {
                put16(l4, Checksum.update32(c, old, address));
            }
        }
    }

    public void setTtl(int ttl) {
        // TTL and protocol share a 16-bit word of the checksum
        int oldWord = Bytes.u16(buf, off + OFF_TTL);
        int newWord = (ttl & 0xff) << 8 | (oldWord & 0xff);
        put16(off + OFF_TTL, newWord);
        put16(off + OFF_CHECKSUM, Checksum.update16(checksum(), oldWord, newWord));
    }

    /** Decrements the TTL with the header checksum updated, as {@code ip_decrease_ttl}; returns the new TTL. */
    public int decrementTtl() {
        int ttl = (ttl() - 1) & 0xff;
        setTtl(ttl);
        return ttl;
    }

    /** Writes the TOS byte (DSCP and ECN) with the header checksum updated. */
    public void setTos(int tos) {
        // version/IHL and TOS share a 16-bit word of the checksum
        int oldWord = Bytes.u16(buf, off + OFF_VERSION_IHL);
        int newWord = (oldWord & 0xff00) | (tos & 0xff);
        put16(off + OFF_VERSION_IHL, newWord);
        put16(off + OFF_CHECKSUM, Checksum.update16(checksum(), oldWord, newWord));
    }

    // ---- the transport header as conntrack sees it: ports and ICMP ids ----

    /**
     * True when this is TCP or UDP and the ports are present: the first fragment (offset 0) with at
     * least 4 bytes of payload. Quoted datagrams usually have them.
     */
    public boolean hasPorts() {
        int proto = protocol();
        return (proto == IpProtocol.TCP || proto == IpProtocol.UDP)
                && fragmentOffset() == 0 && payloadLength() >= 4;
    }

    // TCP and UDP put their ports at the same offsets, so UdpDatagram's names serve both

    /** The TCP/UDP source port; only meaningful when {@link #hasPorts()}. */
    public int srcPort() { return Bytes.u16(buf, payloadOffset() + UdpDatagram.OFF_SRC_PORT); }

    /** The TCP/UDP destination port; only meaningful when {@link #hasPorts()}. */
    public int dstPort() { return Bytes.u16(buf, payloadOffset() + UdpDatagram.OFF_DST_PORT); }

    /** Rewrites the TCP/UDP source port with checksums updated; does nothing unless {@link #hasPorts()}. */
    public void setSrcPort(int port) {
        if (hasPorts()) setPort(payloadOffset() + UdpDatagram.OFF_SRC_PORT, port);
    }

    /** Rewrites the TCP/UDP destination port with checksums updated; does nothing unless {@link #hasPorts()}. */
    public void setDstPort(int port) {
        if (hasPorts()) setPort(payloadOffset() + UdpDatagram.OFF_DST_PORT, port);
    }

    private void setPort(int pos, int port) {
        int old = Bytes.u16(buf, pos);
        if (old == port) return;
        put16(pos, port);
        int l4 = checksumPartial ? -1 : transportChecksumPos(); // ports are not in the pseudo-header
        if (l4 >= 0) {
            int c = Bytes.u16(buf, l4);
            if (protocol() == IpProtocol.UDP) {
                if (c != 0) put16(l4, Checksum.udpField(Checksum.update16(c, old, port)));
            } else {
                put16(l4, Checksum.update16(c, old, port));
            }
        }
    }

    /**
     * True when this is an ICMP echo, timestamp, information or address mask message (the ones
     * conntrack tracks by identifier) whose 8-byte header is present in a first fragment.
     */
    public boolean hasIcmpId() {
        if (protocol() != IpProtocol.ICMP || fragmentOffset() != 0 || payloadLength() < IcmpPacket.HEADER_LENGTH) {
            return false;
        }
        return IcmpPacket.typeHasId(icmpType());
    }

    /** The ICMP identifier; only meaningful when {@link #hasIcmpId()}. */
    public int icmpId() { return Bytes.u16(buf, payloadOffset() + IcmpPacket.OFF_ECHO_ID); }

    /** The ICMP type; only meaningful when the protocol is ICMP with a byte of payload. */
    public int icmpType() { return buf[payloadOffset() + IcmpPacket.OFF_TYPE] & 0xff; }

    /** The ICMP code; only meaningful when the protocol is ICMP with two bytes of payload. */
    public int icmpCode() { return buf[payloadOffset() + IcmpPacket.OFF_CODE] & 0xff; }

    /** Rewrites the ICMP identifier with the ICMP checksum updated (as {@code icmp_manip_pkt}); needs {@link #hasIcmpId()}. */
    public void setIcmpId(int id) {
        if (!hasIcmpId()) return;
        int p = payloadOffset();
        int old = Bytes.u16(buf, p + IcmpPacket.OFF_ECHO_ID);
        if (old == id) return;
        put16(p + IcmpPacket.OFF_ECHO_ID, id);
        int c = p + IcmpPacket.OFF_CHECKSUM;
        if (!checksumPartial) put16(c, Checksum.update16(Bytes.u16(buf, c), old, id));
    }

    /** Absolute index of the TCP/UDP checksum when it is present in a first fragment, else -1. */
    private int transportChecksumPos() {
        if (fragmentOffset() != 0) return -1;
        int n = payloadLength();
        return switch (protocol()) {
            case IpProtocol.TCP -> n >= TcpSegment.OFF_CHECKSUM + 2 ? payloadOffset() + TcpSegment.OFF_CHECKSUM : -1;
            case IpProtocol.UDP -> n >= UdpDatagram.OFF_CHECKSUM + 2 ? payloadOffset() + UdpDatagram.OFF_CHECKSUM : -1;
            default -> -1;
        };
    }

    /** Writes a 16-bit word, keeping an enclosing ICMP checksum right when there is one. */
    private void put16(int pos, int value) {
        Checksum.put16Covered(buf, pos, value, enclosingChecksum);
    }

    /** For debugging and test messages (allocates): "172.17.0.2 > 8.8.8.8 proto 6 ttl 64 len 60". */
    @Override
    public String toString() {
        if (len == 0) return "Ipv4Packet[not wrapped]";
        return Ipv4Address.format(src()) + " > " + Ipv4Address.format(dst()) + " proto " + protocol() + " ttl " + ttl()
                + " len " + totalLength() + (isTruncated() ? " (quoted " + len + ")" : "");
    }
}

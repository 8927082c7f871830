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
        this.buf = buf;
        this.off = off;
        this.len = 0;
        this.quoted = quoted;
        this.enclosingChecksum = enclosing;
        this.checksumPartial = false;
        if (off < 0 || len < MIN_HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        int b0 = buf[off] & 0xff;
        if (b0 >>> 4 != 4) return WireError.BAD_VERSION;
        int hlen = (b0 & 0x0f) * 4;
        if (hlen < MIN_HEADER_LENGTH) return WireError.BAD_IHL;
        if (hlen > len) return WireError.TRUNCATED;
        int total = Bytes.u16(buf, off + 2);
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

    public int version() { return (buf[off] & 0xff) >>> 4; }
    /** The header length in 32-bit words. */
    public int ihl() { return buf[off] & 0x0f; }
    public int headerLength() { return (buf[off] & 0x0f) * 4; }
    public int tos() { return buf[off + 1] & 0xff; }
    public int dscp() { return (buf[off + 1] & 0xff) >>> 2; }
    public int ecn() { return buf[off + 1] & 0x03; }
    public int totalLength() { return Bytes.u16(buf, off + 2); }
    public int identification() { return Bytes.u16(buf, off + 4); }
    public boolean dontFragment() { return (buf[off + 6] & 0x40) != 0; }
    public boolean moreFragments() { return (buf[off + 6] & 0x20) != 0; }
    /** The fragment offset field, in units of 8 bytes. */
    public int fragmentOffset() { return Bytes.u16(buf, off + 6) & 0x1fff; }
    /** True for any fragment (MF set or offset not 0), as {@code ip_is_fragment}. */
    public boolean isFragment() { return (Bytes.u16(buf, off + 6) & 0x3fff) != 0; }
    public int ttl() { return buf[off + 8] & 0xff; }
    public int protocol() { return buf[off + 9] & 0xff; }
    public int checksum() { return Bytes.u16(buf, off + 10); }
    public int src() { return Bytes.i32(buf, off + 12); }
    public int dst() { return Bytes.i32(buf, off + 16); }
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
        put16(off + 10, 0);
        put16(off + 10, Checksum.compute(buf, off, headerLength()));
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
                    && (Bytes.u16(buf, p + 6) == 0 || Checksum.verifyTransport(buf, p, n, src(), dst(), proto));
            default -> n >= IcmpPacket.HEADER_LENGTH && Checksum.verify(buf, p, n);
        };
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
        setAddress(off + 12, address);
    }

    public void setDst(int address) {
        setAddress(off + 16, address);
    }

    private void setAddress(int pos, int address) {
        int old = Bytes.i32(buf, pos);
        if (old == address) return;
        put16(pos, address >>> 16);
        put16(pos + 2, address & 0xffff);
        put16(off + 10, Checksum.update32(checksum(), old, address));
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
        int oldWord = Bytes.u16(buf, off + 8);
        int newWord = (ttl & 0xff) << 8 | (oldWord & 0xff);
        put16(off + 8, newWord);
        put16(off + 10, Checksum.update16(checksum(), oldWord, newWord));
    }

    /** Decrements the TTL with the header checksum updated, as {@code ip_decrease_ttl}; returns the new TTL. */
    public int decrementTtl() {
        int ttl = (ttl() - 1) & 0xff;
        setTtl(ttl);
        return ttl;
    }

    /** Writes the TOS byte (DSCP and ECN) with the header checksum updated. */
    public void setTos(int tos) {
        int oldWord = Bytes.u16(buf, off);
        int newWord = (oldWord & 0xff00) | (tos & 0xff);
        put16(off, newWord);
        put16(off + 10, Checksum.update16(checksum(), oldWord, newWord));
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

    /** The TCP/UDP source port; only meaningful when {@link #hasPorts()}. */
    public int srcPort() { return Bytes.u16(buf, payloadOffset()); }

    /** The TCP/UDP destination port; only meaningful when {@link #hasPorts()}. */
    public int dstPort() { return Bytes.u16(buf, payloadOffset() + 2); }

    /** Rewrites the TCP/UDP source port with checksums updated; does nothing unless {@link #hasPorts()}. */
    public void setSrcPort(int port) {
        if (hasPorts()) setPort(payloadOffset(), port);
    }

    /** Rewrites the TCP/UDP destination port with checksums updated; does nothing unless {@link #hasPorts()}. */
    public void setDstPort(int port) {
        if (hasPorts()) setPort(payloadOffset() + 2, port);
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
        return IcmpPacket.typeHasId(buf[payloadOffset()] & 0xff);
    }

    /** The ICMP identifier; only meaningful when {@link #hasIcmpId()}. */
    public int icmpId() { return Bytes.u16(buf, payloadOffset() + 4); }

    /** The ICMP type; only meaningful when the protocol is ICMP with a byte of payload. */
    public int icmpType() { return buf[payloadOffset()] & 0xff; }

    /** The ICMP code; only meaningful when the protocol is ICMP with two bytes of payload. */
    public int icmpCode() { return buf[payloadOffset() + 1] & 0xff; }

    /** Rewrites the ICMP identifier with the ICMP checksum updated (as {@code icmp_manip_pkt}); needs {@link #hasIcmpId()}. */
    public void setIcmpId(int id) {
        if (!hasIcmpId()) return;
        int p = payloadOffset();
        int old = Bytes.u16(buf, p + 4);
        if (old == id) return;
        put16(p + 4, id);
        if (!checksumPartial) put16(p + 2, Checksum.update16(Bytes.u16(buf, p + 2), old, id));
    }

    /** Absolute index of the TCP/UDP checksum when it is present in a first fragment, else -1. */
    private int transportChecksumPos() {
        if (fragmentOffset() != 0) return -1;
        int n = payloadLength();
        return switch (protocol()) {
            case IpProtocol.TCP -> n >= 18 ? payloadOffset() + 16 : -1;
            case IpProtocol.UDP -> n >= 8 ? payloadOffset() + 6 : -1;
            default -> -1;
        };
    }

    /** Writes a 16-bit word, keeping an enclosing ICMP checksum right when there is one. */
    private void put16(int pos, int value) {
        if (enclosingChecksum >= 0) {
            int old = Bytes.u16(buf, pos);
            Bytes.put16(buf, pos, value);
            Bytes.put16(buf, enclosingChecksum,
                    Checksum.update16(Bytes.u16(buf, enclosingChecksum), old, value & 0xffff));
        } else {
            Bytes.put16(buf, pos, value);
        }
    }

    /** For debugging and test messages (allocates): "172.17.0.2 > 8.8.8.8 proto 6 ttl 64 len 60". */
    @Override
    public String toString() {
        if (len == 0) return "Ipv4Packet[not wrapped]";
        return Ipv4Address.format(src()) + " > " + Ipv4Address.format(dst()) + " proto " + protocol() + " ttl " + ttl()
                + " len " + totalLength() + (isTruncated() ? " (quoted " + len + ")" : "");
    }
}

package jnat.wire;

/**
 * A view of a UDP datagram (RFC 768). {@link #wrap} checks the header is present and the length field is
 * between 8 and the bytes present (as {@code udp_error} in conntrack); bytes after the length are not
 * part of the datagram. A checksum of 0 means "none" (IPv4 only): setters leave it 0, and a computed 0
 * is written as 0xffff.
 */
public final class UdpDatagram {
    public static final int HEADER_LENGTH = 8;

    /** Byte offsets in the header, one per field of the kernel's {@code struct udphdr}. */
    public static final int OFF_SRC_PORT = 0;
    public static final int OFF_DST_PORT = 2;
    public static final int OFF_LENGTH = 4;
    public static final int OFF_CHECKSUM = 6;

    private byte[] buf;
    private int off;
    private int len;

    /**
     * Wraps the datagram at {@code off}; {@code len} is the IP payload length. Returns
     * {@link WireError#OK}, {@link WireError#TRUNCATED} or {@link WireError#BAD_UDP_LENGTH}. Never throws.
     */
    public int wrap(byte[] buf, int off, int len) {
        if (this.buf != buf) this.buf = buf; // an unchanged reference is not stored again: no GC write barrier
        this.off = off;
        this.len = 0;
        if (off < 0 || len < HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        int ulen = Bytes.u16(buf, off + OFF_LENGTH);
        if (ulen < HEADER_LENGTH || ulen > len) return WireError.BAD_UDP_LENGTH;
        this.len = ulen;
        return WireError.OK;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    /** The datagram's length: the length field. */
    public int length() { return len; }

    public int srcPort() { return Bytes.u16(buf, off + OFF_SRC_PORT); }
    public int dstPort() { return Bytes.u16(buf, off + OFF_DST_PORT); }
    public int checksum() { return Bytes.u16(buf, off + OFF_CHECKSUM); }
    public boolean hasChecksum() { return checksum() != 0; }
    public int payloadOffset() { return off + HEADER_LENGTH; }
    public int payloadLength() { return len - HEADER_LENGTH; }

    /** True when the checksum verifies against the pseudo-header, or is 0 (none). */
    public boolean verifyChecksum(int src, int dst) {
        return !hasChecksum() || Checksum.verifyTransport(buf, off, len, src, dst, IpProtocol.UDP);
    }

    /** True when the checksum verifies against the IPv6 pseudo-header; 0 ("none") fails, as over IPv6 it must (RFC 8200 8.1). */
    public boolean verifyChecksum6(long srcHi, long srcLo, long dstHi, long dstLo) {
        return hasChecksum() && Checksum.verifyTransport6(buf, off, len, srcHi, srcLo, dstHi, dstLo, IpProtocol.UDP);
    }

    /** Computes and writes the checksum (0xffff for a computed 0). */
    public void fillChecksum(int src, int dst) {
        fillChecksum(buf, off, len, src, dst);
    }

    /** Writes the checksum field as given (0 to send without one). */
    public void setChecksum(int checksum) { Bytes.put16(buf, off + OFF_CHECKSUM, checksum); }

    // ---- writers for datagrams built from scratch (static, no allocation) ----

    /** Writes the 8-byte header at {@code off} with {@code length} (header plus data) and checksum 0 ("none"). */
    public static void writeHeader(byte[] b, int off, int srcPort, int dstPort, int length) {
        Bytes.put16(b, off + OFF_SRC_PORT, srcPort);
        Bytes.put16(b, off + OFF_DST_PORT, dstPort);
        Bytes.put16(b, off + OFF_LENGTH, length);
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
    }

    /** Computes and writes the checksum of {@code b[off, off+len)} with the pseudo-header (0xffff for a computed 0). */
    public static void fillChecksum(byte[] b, int off, int len, int src, int dst) {
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put16(b, off + OFF_CHECKSUM, Checksum.udpField(Checksum.transport(b, off, len, src, dst, IpProtocol.UDP)));
    }

    /** As {@link #fillChecksum(byte[], int, int, int, int)} with the IPv6 pseudo-header (0xffff for a computed 0). */
    public static void fillChecksum6(byte[] b, int off, int len, long srcHi, long srcLo, long dstHi, long dstLo) {
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put16(b, off + OFF_CHECKSUM,
                Checksum.udpField(Checksum.transport6(b, off, len, srcHi, srcLo, dstHi, dstLo, IpProtocol.UDP)));
    }

    /** Updates a present checksum for a pseudo-header address that changed (the IP header is not touched). */
    public void replaceAddressInChecksum(int oldAddress, int newAddress) {
        if (hasChecksum()) setChecksum(Checksum.udpField(Checksum.update32(checksum(), oldAddress, newAddress)));
    }

    public void setSrcPort(int port) { setPort(off + OFF_SRC_PORT, port); }
    public void setDstPort(int port) { setPort(off + OFF_DST_PORT, port); }

    private void setPort(int pos, int port) {
        int old = Bytes.u16(buf, pos);
        Bytes.put16(buf, pos, port);
        if (hasChecksum()) setChecksum(Checksum.udpField(Checksum.update16(checksum(), old, port & 0xffff)));
    }

    /** For debugging and test messages (allocates). */
    @Override
    public String toString() {
        return len == 0 ? "UdpDatagram[not wrapped]" : srcPort() + " > " + dstPort() + " length " + payloadLength();
    }
}

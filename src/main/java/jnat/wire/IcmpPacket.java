package jnat.wire;

/**
 * A view of an ICMP message (RFC 792): type, code, checksum, and the 4 bytes after them, read as an echo
 * identifier and sequence number, a next-hop MTU (destination unreachable, fragmentation needed), or
 * a gateway (redirect). For errors, the rest is the quoted datagram: wrap it with {@link #quoted}.
 */
public final class IcmpPacket {
    public static final int HEADER_LENGTH = 8;

    /** Byte offsets in the header, as the kernel's {@code struct icmphdr}. */
    public static final int OFF_TYPE = 0;
    public static final int OFF_CODE = 1;
    public static final int OFF_CHECKSUM = 2;
    /** The 4 bytes after the checksum ({@code un}): echo id and sequence, next-hop MTU, or gateway. */
    public static final int OFF_REST = 4;
    public static final int OFF_ECHO_ID = 4;
    public static final int OFF_ECHO_SEQ = 6;
    public static final int OFF_MTU = 6;
    public static final int OFF_GATEWAY = 4;

    public static final int ECHO_REPLY = 0;
    public static final int DEST_UNREACH = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;
    public static final int TIMESTAMP = 13;
    public static final int TIMESTAMP_REPLY = 14;
    public static final int INFO_REQUEST = 15;
    public static final int INFO_REPLY = 16;
    public static final int ADDRESS_MASK = 17;
    public static final int ADDRESS_MASK_REPLY = 18;

    /** Destination unreachable codes used by netfilter and the stack. */
    public static final int NET_UNREACH = 0;
    public static final int HOST_UNREACH = 1;
    public static final int PROT_UNREACH = 2;
    public static final int PORT_UNREACH = 3;
    public static final int FRAG_NEEDED = 4;
    public static final int ADMIN_PROHIBITED = 13;

    private byte[] buf;
    private int off;
    private int len;

    /** Wraps the message at {@code off}; {@code len} is the IP payload length. Never throws. */
    public int wrap(byte[] buf, int off, int len) {
        if (this.buf != buf) this.buf = buf; // an unchanged reference is not stored again: no GC write barrier
        this.off = off;
        this.len = 0;
        if (off < 0 || len < HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        this.len = len;
        return WireError.OK;
    }

    /** Error messages, which quote a datagram (as the kernel's {@code icmp_is_err}). */
    public static boolean typeIsError(int type) {
        return type == DEST_UNREACH || type == SOURCE_QUENCH || type == REDIRECT
                || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM;
    }

    /** Query messages with an identifier, which conntrack tracks by it. */
    public static boolean typeHasId(int type) {
        return type == ECHO_REQUEST || type == ECHO_REPLY || type == TIMESTAMP || type == TIMESTAMP_REPLY
                || type == INFO_REQUEST || type == INFO_REPLY || type == ADDRESS_MASK || type == ADDRESS_MASK_REPLY;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    public int type() { return buf[off + OFF_TYPE] & 0xff; }
    public int code() { return buf[off + OFF_CODE] & 0xff; }
    public int checksum() { return Bytes.u16(buf, off + OFF_CHECKSUM); }
    /** The 4 bytes after the checksum as one int. */
    public int restOfHeader() { return Bytes.i32(buf, off + OFF_REST); }
    public boolean isError() { return typeIsError(type()); }
    public boolean hasId() { return typeHasId(type()); }
    public int echoId() { return Bytes.u16(buf, off + OFF_ECHO_ID); }
    public int echoSeq() { return Bytes.u16(buf, off + OFF_ECHO_SEQ); }
    /** The next-hop MTU of a "fragmentation needed" message (RFC 1191). */
    public int nextHopMtu() { return Bytes.u16(buf, off + OFF_MTU); }
    /** The gateway address of a redirect. */
    public int gateway() { return Bytes.i32(buf, off + OFF_GATEWAY); }
    /** Absolute index of the data after the 8-byte header (echo data, or the quoted datagram). */
    public int payloadOffset() { return off + HEADER_LENGTH; }
    public int payloadLength() { return len - HEADER_LENGTH; }
    /** Where an error's quoted datagram starts (the same as {@link #payloadOffset()}). */
    public int quotedOffset() { return off + HEADER_LENGTH; }
    /** How many bytes of the datagram the error quotes (often just its header and 8 bytes). */
    public int quotedLength() { return len - HEADER_LENGTH; }

    /**
     * Wraps the datagram an error quotes into {@code inner} in quoted mode (its total length may exceed
     * what was quoted); writes through {@code inner} then keep this message's checksum right. Returns
     * {@link WireError#OK} or why not (e.g. {@link WireError#TRUNCATED} when nothing is quoted).
     */
    public int quoted(Ipv4Packet inner) {
        return inner.wrapQuoted(buf, off + HEADER_LENGTH, len - HEADER_LENGTH, off + OFF_CHECKSUM);
    }

    public boolean verifyChecksum() {
        return Checksum.verify(buf, off, len);
    }

    public void fillChecksum() {
        fillChecksum(buf, off, len);
    }

    public void setChecksum(int checksum) { Bytes.put16(buf, off + OFF_CHECKSUM, checksum); }

    // ---- writers for messages built from scratch (static, no allocation) ----

    /** Writes the 8-byte header at {@code off}: {@code restOfHeader} is bytes 4-7 (big-endian), checksum 0. */
    public static void writeHeader(byte[] b, int off, int type, int code, int restOfHeader) {
        Bytes.put8(b, off + OFF_TYPE, type);
        Bytes.put8(b, off + OFF_CODE, code);
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put32(b, off + OFF_REST, restOfHeader);
    }

    /** Computes and writes the checksum of the message {@code b[off, off+len)} (ICMP has no pseudo-header). */
    public static void fillChecksum(byte[] b, int off, int len) {
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put16(b, off + OFF_CHECKSUM, Checksum.compute(b, off, len));
    }

    /** Rewrites the identifier with the checksum updated (as {@code icmp_manip_pkt}). */
    public void setEchoId(int id) { set16(off + OFF_ECHO_ID, id); }

    public void setEchoSeq(int seq) { set16(off + OFF_ECHO_SEQ, seq); }

    private void set16(int pos, int value) {
        int old = Bytes.u16(buf, pos);
        Bytes.put16(buf, pos, value);
        setChecksum(Checksum.update16(checksum(), old, value & 0xffff));
    }

    /** For debugging and test messages (allocates). */
    @Override
    public String toString() {
        return len == 0 ? "IcmpPacket[not wrapped]" : "icmp type " + type() + " code " + code() + " length " + payloadLength();
    }
}

package jnat.wire;

/**
 * A view of a TCP segment (RFC 9293) with its options. Reusable: {@link #wrap} again for the next one.
 * {@link #wrap} checks the fixed header is present and the data offset is sane (at least 5 words, not
 * beyond the segment); options are read leniently, as {@code tcp_parse_options} does: an option with a
 * bad length ends the walk, an option of the wrong size is ignored.
 *
 * <p>Sequence numbers are {@code int}: compare them with {@code (a - b) < 0} as the kernel's
 * {@code before()}; print with {@link Integer#toUnsignedString(int)}.
 */
public final class TcpSegment {
    public static final int MIN_HEADER_LENGTH = 20;

    /** Byte offsets in the header, one per field of the kernel's {@code struct tcphdr}. */
    public static final int OFF_SRC_PORT = 0;
    public static final int OFF_DST_PORT = 2;
    public static final int OFF_SEQ = 4;
    public static final int OFF_ACK = 8;
    /** Data offset in the high 4 bits ({@code doff}); the low 4 are reserved. */
    public static final int OFF_DATA_OFFSET = 12;
    public static final int OFF_FLAGS = 13;
    public static final int OFF_WINDOW = 14;
    public static final int OFF_CHECKSUM = 16;
    public static final int OFF_URGENT = 18;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    public static final int OPT_EOL = 0;
    public static final int OPT_NOP = 1;
    public static final int OPT_MSS = 2;
    public static final int OPT_WSCALE = 3;
    public static final int OPT_SACK_PERM = 4;
    public static final int OPT_SACK = 5;
    public static final int OPT_TIMESTAMP = 8;

    /** Whole option lengths, kind and length bytes included (the kernel's TCPOLEN_*). */
    public static final int OPTLEN_MSS = 4;
    public static final int OPTLEN_WSCALE = 3;
    public static final int OPTLEN_SACK_PERM = 2;
    public static final int OPTLEN_TIMESTAMP = 10;
    /** A SACK option is this plus {@link #SACK_BLOCK_LENGTH} per block. */
    public static final int OPTLEN_SACK_BASE = 2;
    public static final int SACK_BLOCK_LENGTH = 8;

    private byte[] buf;
    private int off;
    private int len;

    /**
     * Wraps the segment at {@code off}; {@code len} is the IP payload length. Returns
     * {@link WireError#OK}, {@link WireError#TRUNCATED} or {@link WireError#BAD_DATA_OFFSET}. Never throws.
     */
    public int wrap(byte[] buf, int off, int len) {
        if (this.buf != buf) this.buf = buf; // an unchanged reference is not stored again: no GC write barrier
        this.off = off;
        this.len = 0;
        if (off < 0 || len < MIN_HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        int doff = dataOffset(buf, off);
        if (doff < 5 || doff * 4 > len) return WireError.BAD_DATA_OFFSET;
        this.len = len;
        return WireError.OK;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    public int srcPort() { return Bytes.u16(buf, off + OFF_SRC_PORT); }
    public int dstPort() { return Bytes.u16(buf, off + OFF_DST_PORT); }
    public int seq() { return Bytes.i32(buf, off + OFF_SEQ); }
    public int ack() { return Bytes.i32(buf, off + OFF_ACK); }
    /** The data offset in 32-bit words. */
    public int dataOffset() { return dataOffset(buf, off); }

    /** The data offset (32-bit words) of the TCP header at {@code off}, for callers without a view. */
    public static int dataOffset(byte[] b, int off) { return (b[off + OFF_DATA_OFFSET] & 0xff) >>> 4; }
    public int headerLength() { return dataOffset() * 4; }
    /** The 8 flag bits CWR ECE URG ACK PSH RST SYN FIN (the constants above). */
    public int flags() { return buf[off + OFF_FLAGS] & 0xff; }
    public boolean fin() { return (flags() & FIN) != 0; }
    public boolean syn() { return (flags() & SYN) != 0; }
    public boolean rst() { return (flags() & RST) != 0; }
    public boolean psh() { return (flags() & PSH) != 0; }
    public boolean isAck() { return (flags() & ACK) != 0; }
    public boolean urg() { return (flags() & URG) != 0; }
    public boolean ece() { return (flags() & ECE) != 0; }
    public boolean cwr() { return (flags() & CWR) != 0; }
    public int window() { return Bytes.u16(buf, off + OFF_WINDOW); }
    public int checksum() { return Bytes.u16(buf, off + OFF_CHECKSUM); }
    public int urgentPointer() { return Bytes.u16(buf, off + OFF_URGENT); }
    public int optionsOffset() { return off + MIN_HEADER_LENGTH; }
    public int optionsLength() { return headerLength() - MIN_HEADER_LENGTH; }
    public int payloadOffset() { return off + headerLength(); }
    public int payloadLength() { return len - headerLength(); }

    // ---- options: a cursor is the absolute index of an option's kind byte ----

    /** The first option's position, or -1 when there is none. Walk with {@link #nextOption}. */
    public int firstOption() {
        return checkOption(optionsOffset());
    }

    /** The option after the one at {@code pos}, or -1 at the end (EOL, end of header, or a bad length). */
    public int nextOption(int pos) {
        return checkOption(pos + optionLength(pos));
    }

    private int checkOption(int pos) {
        int end = payloadOffset();
        if (pos >= end) return -1;
        int kind = buf[pos] & 0xff;
        if (kind == OPT_EOL) return -1;
        if (kind == OPT_NOP) return pos;
        if (pos + 2 > end) return -1;
        int size = buf[pos + 1] & 0xff;
        if (size < 2 || pos + size > end) return -1;
        return pos;
    }

    public int optionKind(int pos) { return buf[pos] & 0xff; }

    /** The option's whole length (1 for NOP). */
    public int optionLength(int pos) {
        int kind = buf[pos] & 0xff;
        return kind == OPT_NOP || kind == OPT_EOL ? 1 : buf[pos + 1] & 0xff;
    }

    /** Absolute index of the option's data (after kind and length). */
    public int optionDataOffset(int pos) { return pos + 2; }

    private int find(int kind, int size) {
        for (int p = firstOption(); p >= 0; p = nextOption(p)) {
            if (optionKind(p) == kind && optionLength(p) == size) return p;
        }
        return -1;
    }

    /** The MSS option's value, or -1 without one. */
    public int mss() {
        int p = find(OPT_MSS, OPTLEN_MSS);
        return p < 0 ? -1 : Bytes.u16(buf, optionDataOffset(p));
    }

    /** The window scale option's shift count, or -1 without one. */
    public int windowScale() {
        int p = find(OPT_WSCALE, OPTLEN_WSCALE);
        return p < 0 ? -1 : buf[optionDataOffset(p)] & 0xff;
    }

    public boolean sackPermitted() { return find(OPT_SACK_PERM, OPTLEN_SACK_PERM) >= 0; }

    public boolean hasTimestamps() { return find(OPT_TIMESTAMP, OPTLEN_TIMESTAMP) >= 0; }

    /** TSval; only meaningful when {@link #hasTimestamps()}. */
    public int tsVal() {
        int p = find(OPT_TIMESTAMP, OPTLEN_TIMESTAMP);
        return p < 0 ? 0 : Bytes.i32(buf, optionDataOffset(p));
    }

    /** TSecr; only meaningful when {@link #hasTimestamps()}. */
    public int tsEcr() {
        int p = find(OPT_TIMESTAMP, OPTLEN_TIMESTAMP);
        return p < 0 ? 0 : Bytes.i32(buf, optionDataOffset(p) + 4);
    }

    private int sackOption() {
        for (int p = firstOption(); p >= 0; p = nextOption(p)) {
            int size = optionLength(p);
            if (optionKind(p) == OPT_SACK && size >= OPTLEN_SACK_BASE + SACK_BLOCK_LENGTH
                    && (size - OPTLEN_SACK_BASE) % SACK_BLOCK_LENGTH == 0) return p;
        }
        return -1;
    }

    /** How many SACK blocks the SACK option carries (0 without one). */
    public int sackBlockCount() {
        int p = sackOption();
        return p < 0 ? 0 : (optionLength(p) - OPTLEN_SACK_BASE) / SACK_BLOCK_LENGTH;
    }

    /** The left edge of SACK block {@code i} (0-based, below {@link #sackBlockCount()}). */
    public int sackLeft(int i) { return Bytes.i32(buf, optionDataOffset(sackOption()) + SACK_BLOCK_LENGTH * i); }

    /** The right edge of SACK block {@code i}. */
    public int sackRight(int i) { return Bytes.i32(buf, optionDataOffset(sackOption()) + SACK_BLOCK_LENGTH * i + 4); }

    // ---- checksum ----

    /** True when the checksum verifies against the pseudo-header of {@code src} and {@code dst}. */
    public boolean verifyChecksum(int src, int dst) {
        return Checksum.verifyTransport(buf, off, len, src, dst, IpProtocol.TCP);
    }

    /** True when the checksum verifies against the IPv6 pseudo-header of {@code src > dst}. */
    public boolean verifyChecksum6(long srcHi, long srcLo, long dstHi, long dstLo) {
        return Checksum.verifyTransport6(buf, off, len, srcHi, srcLo, dstHi, dstLo, IpProtocol.TCP);
    }

    /** Computes and writes the checksum over pseudo-header, header and payload. */
    public void fillChecksum(int src, int dst) {
        fillChecksum(buf, off, len, src, dst);
    }

    public void setChecksum(int checksum) { Bytes.put16(buf, off + OFF_CHECKSUM, checksum); }

    // ---- writers for segments built from scratch (static, no allocation) ----

    /** Writes a 20-byte header at {@code off}: data offset 5, urgent pointer 0, checksum 0 (see {@link #fillChecksum(byte[], int, int, int, int)}). */
    public static void writeHeader(byte[] b, int off, int srcPort, int dstPort, int seq, int ack, int flags, int window) {
        writeHeader(b, off, srcPort, dstPort, seq, ack, MIN_HEADER_LENGTH / 4, flags, window, 0);
    }

    /** As the public writer, with the data offset (options are the caller's) and urgent pointer given. */
    public static void writeHeader(byte[] b, int off, int srcPort, int dstPort, int seq, int ack, int dataOffset,
                            int flags, int window, int urgentPointer) {
        Bytes.put16(b, off + OFF_SRC_PORT, srcPort);
        Bytes.put16(b, off + OFF_DST_PORT, dstPort);
        Bytes.put32(b, off + OFF_SEQ, seq);
        Bytes.put32(b, off + OFF_ACK, ack);
        Bytes.put8(b, off + OFF_DATA_OFFSET, dataOffset << 4);
        Bytes.put8(b, off + OFF_FLAGS, flags);
        Bytes.put16(b, off + OFF_WINDOW, window);
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put16(b, off + OFF_URGENT, urgentPointer);
    }

    /** Computes and writes the checksum of the segment {@code b[off, off+len)} with the pseudo-header of {@code src > dst}. */
    public static void fillChecksum(byte[] b, int off, int len, int src, int dst) {
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put16(b, off + OFF_CHECKSUM, Checksum.transport(b, off, len, src, dst, IpProtocol.TCP));
    }

    /** As {@link #fillChecksum(byte[], int, int, int, int)} with the IPv6 pseudo-header of {@code src > dst}. */
    public static void fillChecksum6(byte[] b, int off, int len, long srcHi, long srcLo, long dstHi, long dstLo) {
        Bytes.put16(b, off + OFF_CHECKSUM, 0);
        Bytes.put16(b, off + OFF_CHECKSUM, Checksum.transport6(b, off, len, srcHi, srcLo, dstHi, dstLo, IpProtocol.TCP));
    }

    /** Updates the checksum for a pseudo-header address that changed (the IP header is not touched). */
    public void replaceAddressInChecksum(int oldAddress, int newAddress) {
        setChecksum(Checksum.update32(checksum(), oldAddress, newAddress));
    }

    // ---- setters with incremental checksum update ----

    public void setSrcPort(int port) { set16(off + OFF_SRC_PORT, port); }
    public void setDstPort(int port) { set16(off + OFF_DST_PORT, port); }
    public void setWindow(int window) { set16(off + OFF_WINDOW, window); }

    public void setSeq(int seq) { set32(off + OFF_SEQ, seq); }
    public void setAck(int ack) { set32(off + OFF_ACK, ack); }

    /** Writes the 8 flag bits, checksum updated. */
    public void setFlags(int flags) {
        // the flags share a 16-bit word of the checksum with the data offset
        int oldWord = Bytes.u16(buf, off + OFF_DATA_OFFSET);
        set16(off + OFF_DATA_OFFSET, (oldWord & 0xff00) | (flags & 0xff));
    }

    private void set16(int pos, int value) {
        int old = Bytes.u16(buf, pos);
        Bytes.put16(buf, pos, value);
        setChecksum(Checksum.update16(checksum(), old, value & 0xffff));
    }

    private void set32(int pos, int value) {
        int old = Bytes.i32(buf, pos);
        Bytes.put32(buf, pos, value);
        setChecksum(Checksum.update32(checksum(), old, value));
    }

    /** For debugging and test messages (allocates). */
    @Override
    public String toString() {
        if (len == 0) return "TcpSegment[not wrapped]";
        return srcPort() + " > " + dstPort() + " flags 0x" + Integer.toHexString(flags()) + " seq "
                + Integer.toUnsignedString(seq()) + " ack " + Integer.toUnsignedString(ack()) + " win " + window()
                + " length " + payloadLength();
    }
}

package jnat.wire;

/**
 * A view of the IPv6 fragment header (RFC 8200 4.5, the kernel's {@code struct frag_hdr}): next
 * header, the 13-bit fragment offset in 8-octet units with the M flag, and the 32-bit identification.
 */
public final class Ipv6FragmentHeader {
    public static final int LENGTH = 8;

    public static final int OFF_NEXT_HEADER = 0;
    public static final int OFF_RESERVED = 1;
    /** Offset (high 13 bits) and M flag (bit 0): the kernel's {@code frag_off}. */
    public static final int OFF_FRAG_OFF = 2;
    public static final int OFF_IDENTIFICATION = 4;

    /** Bits of the {@link #OFF_FRAG_OFF} field, as the kernel's IP6_MF and IP6_OFFSET. */
    public static final int IP6_MF = 0x0001;
    public static final int IP6_OFFSET = 0xfff8;

    private byte[] buf;
    private int off;
    private boolean wrapped;

    /** Wraps the 8-byte header at {@code off} with {@code len} bytes there. Never throws. */
    public int wrap(byte[] buf, int off, int len) {
        if (this.buf != buf) this.buf = buf; // an unchanged reference is not stored again: no GC write barrier
        this.off = off;
        this.wrapped = false;
        if (off < 0 || len < LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        wrapped = true;
        return WireError.OK;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int nextHeader() { return buf[off + OFF_NEXT_HEADER] & 0xff; }
    /** The fragment offset in 8-octet units. */
    public int fragmentOffset() { return Bytes.u16(buf, off + OFF_FRAG_OFF) >>> 3; }
    /** The fragment offset in bytes ({@code frag_off & IP6_OFFSET}). */
    public int byteOffset() { return Bytes.u16(buf, off + OFF_FRAG_OFF) & IP6_OFFSET; }
    public boolean moreFragments() { return (Bytes.u16(buf, off + OFF_FRAG_OFF) & IP6_MF) != 0; }
    /** The 32-bit identification (compare as unsigned). */
    public int identification() { return Bytes.i32(buf, off + OFF_IDENTIFICATION); }

    /** Writes the header at {@code off}: reserved bytes 0, {@code fragmentOffset} in 8-octet units. */
    public static void write(byte[] b, int off, int nextHeader, int fragmentOffset, boolean more, int identification) {
        Bytes.put8(b, off + OFF_NEXT_HEADER, nextHeader);
        Bytes.put8(b, off + OFF_RESERVED, 0);
        Bytes.put16(b, off + OFF_FRAG_OFF, fragmentOffset << 3 | (more ? IP6_MF : 0));
        Bytes.put32(b, off + OFF_IDENTIFICATION, identification);
    }

    /** For debugging and test messages (allocates). */
    @Override
    public String toString() {
        return !wrapped ? "Ipv6FragmentHeader[not wrapped]" : "frag (0x" + Integer.toHexString(identification()) + ") offset "
                + byteOffset() + (moreFragments() ? " M" : "") + " next " + nextHeader();
    }
}

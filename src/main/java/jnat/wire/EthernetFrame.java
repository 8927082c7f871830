package jnat.wire;

/**
 * A view of an Ethernet II frame: destination and source MAC, up to two VLAN tags (802.1Q 0x8100,
 * 802.1ad 0x88a8), the ethertype after the tags, and the payload. Reusable: {@link #wrap} again for
 * the next frame. No frame check sequence is expected (captures and TUN/TAP devices carry none).
 */
public final class EthernetFrame {
    public static final int HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;

    private byte[] buf;
    private int off;
    private int len;
    private int tags;

    /**
     * Wraps {@code len} bytes from {@code off}; returns {@link WireError#OK} or why not
     * ({@link WireError#TRUNCATED}). Never throws for any contents.
     */
    public int wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = 0;
        this.tags = 0;
        if (off < 0 || len < HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        int type = Bytes.u16(buf, off + 12);
        int t = 0;
        while ((type == EtherType.VLAN || type == EtherType.QINQ) && t < 2) {
            if (len < HEADER_LENGTH + (t + 1) * VLAN_TAG_LENGTH) return WireError.TRUNCATED;
            t++;
            type = Bytes.u16(buf, off + 12 + 4 * t);
        }
        this.tags = t;
        this.len = len;
        return WireError.OK;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    public long dst() { return Bytes.u48(buf, off); }
    public long src() { return Bytes.u48(buf, off + 6); }

    /** The ethertype after any VLAN tags (0x0800 for IPv4). */
    public int etherType() { return Bytes.u16(buf, off + 12 + 4 * tags); }

    /** How many VLAN tags precede the ethertype (0, 1 or 2). */
    public int vlanTagCount() { return tags; }

    /** The VLAN id (12 bits) of the outermost tag, or -1 without one. */
    public int vlanId() { return tags == 0 ? -1 : Bytes.u16(buf, off + 14) & 0x0fff; }

    /** The priority code point (3 bits) of the outermost tag, or -1 without one. */
    public int vlanPriority() { return tags == 0 ? -1 : Bytes.u16(buf, off + 14) >>> 13; }

    public int headerLength() { return HEADER_LENGTH + VLAN_TAG_LENGTH * tags; }

    /** Absolute index in {@link #buffer()} where the payload (e.g. the IPv4 header) starts. */
    public int payloadOffset() { return off + headerLength(); }

    /** Bytes after the header up to the end of the wrapped range (Ethernet padding included). */
    public int payloadLength() { return len - headerLength(); }

    public void setDst(long mac) { Bytes.put48(buf, off, mac); }
    public void setSrc(long mac) { Bytes.put48(buf, off + 6, mac); }

    /** Writes the ethertype after any VLAN tags. */
    public void setEtherType(int type) { Bytes.put16(buf, off + 12 + 4 * tags, type); }

    /** For debugging and test messages (allocates). */
    @Override
    public String toString() {
        return len == 0 ? "EthernetFrame[not wrapped]" : MacAddress.format(src()) + " > " + MacAddress.format(dst())
                + " ethertype 0x" + Integer.toHexString(etherType()) + (tags > 0 ? " vlan " + vlanId() : "");
    }
}

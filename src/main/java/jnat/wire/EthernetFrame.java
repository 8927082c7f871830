package jnat.wire;

/**
 * A view of an Ethernet II frame: destination and source MAC, up to two VLAN tags (802.1Q 0x8100,
 * 802.1ad 0x88a8), the ethertype after the tags, and the payload. Reusable: {@link #wrap} again for
 * the next frame. No frame check sequence is expected (captures and TUN/TAP devices carry none).
 */
public final class EthernetFrame {
    public static final int HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;

    /** Byte offsets, as the kernel's {@code struct ethhdr} and {@code struct vlan_ethhdr}. */
    public static final int OFF_DST = 0;
    public static final int OFF_SRC = 6;
    /** The ethertype, or the first tag's TPID (0x8100, 0x88a8); each tag moves the real one 4 bytes on. */
    public static final int OFF_ETHERTYPE = 12;
    /** The outermost tag's TCI ({@code h_vlan_TCI}): priority (3 bits), DEI, VLAN id (12 bits). */
    public static final int OFF_VLAN_TCI = 14;
    public static final int VLAN_ID_MASK = 0x0fff;
    public static final int VLAN_PRIO_SHIFT = 13;

    private byte[] buf;
    private int off;
    private int len;
    private int tags;

    /**
     * Wraps {@code len} bytes from {@code off}; returns {@link WireError#OK} or why not
     * ({@link WireError#TRUNCATED}). Never throws for any contents.
     */
    public int wrap(byte[] buf, int off, int len) {
        if (this.buf != buf) this.buf = buf; // an unchanged reference is not stored again: no GC write barrier
        this.off = off;
        this.len = 0;
        this.tags = 0;
        if (off < 0 || len < HEADER_LENGTH || off > buf.length - len) return WireError.TRUNCATED;
        int type = Bytes.u16(buf, off + OFF_ETHERTYPE);
        int t = 0;
        while ((type == EtherType.VLAN || type == EtherType.QINQ) && t < 2) {
            if (len < HEADER_LENGTH + (t + 1) * VLAN_TAG_LENGTH) return WireError.TRUNCATED;
            t++;
            type = Bytes.u16(buf, off + OFF_ETHERTYPE + VLAN_TAG_LENGTH * t);
        }
        this.tags = t;
        this.len = len;
        return WireError.OK;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    public long dst() { return Bytes.u48(buf, off + OFF_DST); }
    public long src() { return Bytes.u48(buf, off + OFF_SRC); }

    /** The ethertype after any VLAN tags (0x0800 for IPv4). */
    public int etherType() { return Bytes.u16(buf, off + OFF_ETHERTYPE + VLAN_TAG_LENGTH * tags); }

    /** How many VLAN tags precede the ethertype (0, 1 or 2). */
    public int vlanTagCount() { return tags; }

    /** The VLAN id (12 bits) of the outermost tag, or -1 without one. */
    public int vlanId() { return tags == 0 ? -1 : Bytes.u16(buf, off + OFF_VLAN_TCI) & VLAN_ID_MASK; }

    /** The priority code point (3 bits) of the outermost tag, or -1 without one. */
    public int vlanPriority() { return tags == 0 ? -1 : Bytes.u16(buf, off + OFF_VLAN_TCI) >>> VLAN_PRIO_SHIFT; }

    public int headerLength() { return HEADER_LENGTH + VLAN_TAG_LENGTH * tags; }

    /** Absolute index in {@link #buffer()} where the payload (e.g. the IPv4 header) starts. */
    public int payloadOffset() { return off + headerLength(); }

    /** Bytes after the header up to the end of the wrapped range (Ethernet padding included). */
    public int payloadLength() { return len - headerLength(); }

    public void setDst(long mac) { Bytes.put48(buf, off + OFF_DST, mac); }
    public void setSrc(long mac) { Bytes.put48(buf, off + OFF_SRC, mac); }

    /** Writes the ethertype after any VLAN tags. */
    public void setEtherType(int type) { Bytes.put16(buf, off + OFF_ETHERTYPE + VLAN_TAG_LENGTH * tags, type); }

    // ---- writers for frames built from scratch (static, no allocation) ----

    /** Writes a 14-byte untagged header at {@code off}. */
    public static void writeHeader(byte[] b, int off, long dst, long src, int etherType) {
        Bytes.put48(b, off + OFF_DST, dst);
        Bytes.put48(b, off + OFF_SRC, src);
        Bytes.put16(b, off + OFF_ETHERTYPE, etherType);
    }

    /** Writes an 18-byte header with one 802.1Q tag ({@code tci}: priority, DEI, VLAN id) at {@code off}. */
    public static void writeVlanHeader(byte[] b, int off, long dst, long src, int tci, int etherType) {
        writeHeader(b, off, dst, src, EtherType.VLAN);
        Bytes.put16(b, off + OFF_VLAN_TCI, tci);
        Bytes.put16(b, off + OFF_ETHERTYPE + VLAN_TAG_LENGTH, etherType);
    }

    /** For debugging and test messages (allocates). */
    @Override
    public String toString() {
        return len == 0 ? "EthernetFrame[not wrapped]" : MacAddress.format(src()) + " > " + MacAddress.format(dst())
                + " ethertype 0x" + Integer.toHexString(etherType()) + (tags > 0 ? " vlan " + vlanId() : "");
    }
}

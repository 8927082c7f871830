package jnat.wire;

/** A view of an ARP packet for Ethernet and IPv4 (RFC 826), the only kind a NAT gateway answers. */
public final class ArpPacket {
    public static final int LENGTH = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    private byte[] buf;
    private int off;
    private int len;

    /**
     * Wraps the packet at {@code off}. Returns {@link WireError#OK}, {@link WireError#TRUNCATED}, or
     * {@link WireError#UNSUPPORTED_ARP} for hardware other than Ethernet or protocol other than IPv4.
     */
    public int wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = 0;
        if (off < 0 || len < 8 || off > buf.length - len) return WireError.TRUNCATED;
        if (Bytes.u16(buf, off) != 1 || Bytes.u16(buf, off + 2) != EtherType.IPV4
                || buf[off + 4] != 6 || buf[off + 5] != 4) {
            return WireError.UNSUPPORTED_ARP;
        }
        if (len < LENGTH) return WireError.TRUNCATED;
        this.len = LENGTH;
        return WireError.OK;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    public int operation() { return Bytes.u16(buf, off + 6); }
    public long senderMac() { return Bytes.u48(buf, off + 8); }
    public int senderIp() { return Bytes.i32(buf, off + 14); }
    public long targetMac() { return Bytes.u48(buf, off + 18); }
    public int targetIp() { return Bytes.i32(buf, off + 24); }

    public void setOperation(int op) { Bytes.put16(buf, off + 6, op); }
    public void setSenderMac(long mac) { Bytes.put48(buf, off + 8, mac); }
    public void setSenderIp(int ip) { Bytes.put32(buf, off + 14, ip); }
    public void setTargetMac(long mac) { Bytes.put48(buf, off + 18, mac); }
    public void setTargetIp(int ip) { Bytes.put32(buf, off + 24, ip); }
}

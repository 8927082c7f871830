package jnat.wire;

/** A view of an ARP packet for Ethernet and IPv4 (RFC 826), the only kind a NAT gateway answers. */
public final class ArpPacket {
    public static final int LENGTH = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    /** Hardware type Ethernet (ARPHRD_ETHER). */
    public static final int HTYPE_ETHERNET = 1;

    /** Byte offsets, as the kernel's {@code struct arphdr} followed by the Ethernet/IPv4 addresses. */
    public static final int OFF_HTYPE = 0;      // ar_hrd
    public static final int OFF_PTYPE = 2;      // ar_pro
    public static final int OFF_HLEN = 4;       // ar_hln
    public static final int OFF_PLEN = 5;       // ar_pln
    public static final int OFF_OPER = 6;       // ar_op
    public static final int OFF_SENDER_MAC = 8; // ar_sha
    public static final int OFF_SENDER_IP = 14; // ar_sip
    public static final int OFF_TARGET_MAC = 18; // ar_tha
    public static final int OFF_TARGET_IP = 24; // ar_tip

    private byte[] buf;
    private int off;
    private int len;

    /**
     * Wraps the packet at {@code off}. Returns {@link WireError#OK}, {@link WireError#TRUNCATED}, or
     * {@link WireError#UNSUPPORTED_ARP} for hardware other than Ethernet or protocol other than IPv4.
     */
    public int wrap(byte[] buf, int off, int len) {
        if (this.buf != buf) this.buf = buf; // an unchanged reference is not stored again: no GC write barrier
        this.off = off;
        this.len = 0;
        if (off < 0 || len < OFF_OPER + 2 || off > buf.length - len) return WireError.TRUNCATED;
        if (Bytes.u16(buf, off + OFF_HTYPE) != HTYPE_ETHERNET || Bytes.u16(buf, off + OFF_PTYPE) != EtherType.IPV4
                || buf[off + OFF_HLEN] != MacAddress.LENGTH || buf[off + OFF_PLEN] != Ipv4Address.LENGTH) {
            return WireError.UNSUPPORTED_ARP;
        }
        if (len < LENGTH) return WireError.TRUNCATED;
        this.len = LENGTH;
        return WireError.OK;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    public int operation() { return Bytes.u16(buf, off + OFF_OPER); }
    public long senderMac() { return Bytes.u48(buf, off + OFF_SENDER_MAC); }
    public int senderIp() { return Bytes.i32(buf, off + OFF_SENDER_IP); }
    public long targetMac() { return Bytes.u48(buf, off + OFF_TARGET_MAC); }
    public int targetIp() { return Bytes.i32(buf, off + OFF_TARGET_IP); }

    public void setOperation(int op) { Bytes.put16(buf, off + OFF_OPER, op); }
    public void setSenderMac(long mac) { Bytes.put48(buf, off + OFF_SENDER_MAC, mac); }
    public void setSenderIp(int ip) { Bytes.put32(buf, off + OFF_SENDER_IP, ip); }
    public void setTargetMac(long mac) { Bytes.put48(buf, off + OFF_TARGET_MAC, mac); }
    public void setTargetIp(int ip) { Bytes.put32(buf, off + OFF_TARGET_IP, ip); }

    /** Writes a whole 28-byte Ethernet/IPv4 packet at {@code off} (static, no allocation). */
    public static void write(byte[] b, int off, int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
        Bytes.put16(b, off + OFF_HTYPE, HTYPE_ETHERNET);
        Bytes.put16(b, off + OFF_PTYPE, EtherType.IPV4);
        Bytes.put8(b, off + OFF_HLEN, MacAddress.LENGTH);
        Bytes.put8(b, off + OFF_PLEN, Ipv4Address.LENGTH);
        Bytes.put16(b, off + OFF_OPER, operation);
        Bytes.put48(b, off + OFF_SENDER_MAC, senderMac);
        Bytes.put32(b, off + OFF_SENDER_IP, senderIp);
        Bytes.put48(b, off + OFF_TARGET_MAC, targetMac);
        Bytes.put32(b, off + OFF_TARGET_IP, targetIp);
    }
}

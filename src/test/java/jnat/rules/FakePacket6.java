package jnat.rules;

import jnat.wire.Ipv6Address;

import java.io.ByteArrayOutputStream;

/**
 * An IPv6 packet for matching tests: real header bytes (the IPv6 header, extension headers, then
 * the upper-layer header), walked as ipv6_find_hdr walks them, so each ip6t match reads what the
 * kernel's would.
 */
final class FakePacket6 implements PacketContext {
    String in = "", out = "";
    long mac = -1;
    int mark, ctState = CT_NEW;
    final long[] ct = new long[8];
    /** Local addresses (hi, lo pairs) for addressType6. */
    long[] local = {};
    private byte[] bytes = new byte[40];
    private final ByteArrayOutputStream ext = new ByteArrayOutputStream();
    private int lastNextOffset = 6;

    static FakePacket6 of(String src, String dst) {
        FakePacket6 p = new FakePacket6();
        p.bytes[0] = 0x60;
        p.bytes[7] = 64;
        System.arraycopy(Ipv6Address.parse(src), 0, p.bytes, 8, 16);
        System.arraycopy(Ipv6Address.parse(dst), 0, p.bytes, 24, 16);
        p.bytes[6] = 59; // no next header until one is added
        return p;
    }

    FakePacket6 hopLimit(int hl) {
        bytes[7] = (byte) hl;
        return this;
    }

    /** Appends a header of type {@code type} whose bytes are {@code h} (its next-header byte is filled in). */
    FakePacket6 header(int type, int... h) {
        int at = 40 + ext.size();
        setNext(type);
        for (int b : h) ext.write(b);
        lastNextOffset = at; // every extension header starts with its next header
        bytes = build();
        return this;
    }

    /** The upper layer: protocol and its header bytes. */
    FakePacket6 upper(int proto, int... h) {
        setNext(proto);
        for (int b : h) ext.write(b);
        lastNextOffset = -1;
        bytes = build();
        return this;
    }

    private void setNext(int type) {
        byte[] e = ext.toByteArray();
        if (lastNextOffset == 6) bytes[6] = (byte) type;
        else if (lastNextOffset > 0) {
            e[lastNextOffset - 40] = (byte) type;
            ext.reset();
            ext.write(e, 0, e.length);
        }
    }

    private byte[] build() {
        byte[] e = ext.toByteArray();
        byte[] b = new byte[40 + e.length];
        System.arraycopy(bytes, 0, b, 0, 40);
        System.arraycopy(e, 0, b, 40, e.length);
        return b;
    }

    private static boolean isExt(int nh) {
        return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
    }

    /** ipv6_find_hdr: the walk from the fixed header (a non-first fragment stops at its fragment header). */
    @Override
    public int ipv6FindHeader(int target) {
        int nh = bytes[6] & 0xFF, off = 40;
        for (;;) {
            if (nh == target) return off;
            if (!isExt(nh) || off + 2 > bytes.length) return -1;
            int len;
            if (nh == 44) {
                if (((bytes[off + 2] & 0xFF) << 8 | bytes[off + 3] & 0xF8) != 0) return -1;
                len = 8;
            } else if (nh == 51) {
                len = ((bytes[off + 1] & 0xFF) + 2) << 2;
            } else {
                len = ((bytes[off + 1] & 0xFF) + 1) << 3;
            }
            nh = bytes[off] & 0xFF;
            off += len;
        }
    }

    @Override
    public int networkByte(int offset) {
        return offset >= 0 && offset < bytes.length ? bytes[offset] & 0xFF : -1;
    }

    private int upperOffset() {
        int nh = bytes[6] & 0xFF, off = 40;
        while (isExt(nh) && off + 2 <= bytes.length) {
            int len = nh == 44 ? 8 : nh == 51 ? ((bytes[off + 1] & 0xFF) + 2) << 2 : ((bytes[off + 1] & 0xFF) + 1) << 3;
            nh = bytes[off] & 0xFF;
            off += len;
        }
        return off;
    }

    @Override public boolean ipv6() { return true; }
    @Override public long srcAddressHi() { return Ipv6Address.readHi(bytes, 8); }
    @Override public long srcAddressLo() { return Ipv6Address.readLo(bytes, 8); }
    @Override public long dstAddressHi() { return Ipv6Address.readHi(bytes, 24); }
    @Override public long dstAddressLo() { return Ipv6Address.readLo(bytes, 24); }
    @Override public int hopLimit() { return bytes[7] & 0xFF; }
    @Override public void setHopLimit(int hl) { bytes[7] = (byte) hl; }
    @Override public long address6Hi(int offset) { return Ipv6Address.readHi(bytes, offset); }
    @Override public long address6Lo(int offset) { return Ipv6Address.readLo(bytes, offset); }
    @Override public void setAddress6(int offset, long hi, long lo) { Ipv6Address.write(bytes, offset, hi, lo); }
    @Override public long sourceMac() { return mac; }
    @Override public long ctAddressHi(int which) { return ct[2 * which]; }
    @Override public long ctAddressLo(int which) { return ct[2 * which + 1]; }

    @Override
    public int addressType6(long hi, long lo, String limitIface) {
        for (int i = 0; i < local.length; i += 2) if (local[i] == hi && local[i + 1] == lo) return RTN_LOCAL;
        return (hi >>> 56) == 0xFF ? RTN_MULTICAST : RTN_UNICAST;
    }

    @Override
    public int protocol() {
        int nh = bytes[6] & 0xFF, off = 40;
        while (isExt(nh) && off + 2 <= bytes.length) {
            int len = nh == 44 ? 8 : nh == 51 ? ((bytes[off + 1] & 0xFF) + 2) << 2 : ((bytes[off + 1] & 0xFF) + 1) << 3;
            nh = bytes[off] & 0xFF;
            off += len;
        }
        return nh;
    }

    @Override
    public boolean nonFirstFragment() {
        int f = ipv6FindHeader(44);
        return f >= 0 && ((networkByte(f + 2) << 8 | networkByte(f + 3)) & 0xFFF8) != 0;
    }

    private int u16(int off) {
        return networkByte(off) << 8 | networkByte(off + 1);
    }

    @Override public String inInterface() { return in; }
    @Override public String outInterface() { return out; }
    @Override public int srcAddress() { return 0; }
    @Override public int dstAddress() { return 0; }
    @Override public int srcPort() { return u16(upperOffset()); }
    @Override public int dstPort() { return u16(upperOffset() + 2); }
    @Override public int tcpFlags() { return networkByte(upperOffset() + 13); }
    @Override public int icmpType() { return networkByte(upperOffset()); }
    @Override public int icmpCode() { return networkByte(upperOffset() + 1); }
    @Override public int length() { return bytes.length; }
    @Override public int mark() { return mark; }
    @Override public void setMark(int m) { mark = m; }
    @Override public int ctState() { return ctState; }
    @Override public int ctDirection() { return DIR_ORIGINAL; }
    @Override public int ctOrigSrc() { return 0; }
    @Override public int ctOrigDst() { return 0; }
    @Override public int ctOrigSrcPort() { return 0; }
    @Override public int ctOrigDstPort() { return 0; }
    @Override public int ctReplySrc() { return 0; }
    @Override public int ctReplyDst() { return 0; }
    @Override public int ctReplySrcPort() { return 0; }
    @Override public int ctReplyDstPort() { return 0; }
    @Override public int addressType(int addr, String limitIface) { return RTN_UNSPEC; }
}

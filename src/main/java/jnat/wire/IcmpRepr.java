package jnat.wire;

import java.util.Arrays;

/**
 * An ICMP message as plain values: type, code, the 4 bytes after the checksum ({@code restOfHeader}:
 * echo id and sequence, next-hop MTU, gateway) and the data (echo data, or a quoted datagram).
 * Use the factories: {@link #echoRequest}, {@link #destUnreachable}, {@link #fragNeeded}, {@link #timeExceeded}.
 */
public record IcmpRepr(int type, int code, int restOfHeader, byte[] data) implements TransportRepr {

    /** As Linux's {@code icmp_send}: an error with its IP header fits in 576 bytes. */
    public static final int LINUX_MAX_QUOTE = 576 - Ipv4Packet.MIN_HEADER_LENGTH - IcmpPacket.HEADER_LENGTH;

    public IcmpRepr {
        Reprs.u8(type, "type");
        Reprs.u8(code, "code");
        data = data == null ? Reprs.EMPTY : data.clone();
    }

    public static IcmpRepr echoRequest(int id, int seq, byte[] data) {
        return new IcmpRepr(IcmpPacket.ECHO_REQUEST, 0, Reprs.u16(id, "id") << 16 | Reprs.u16(seq, "seq"), data);
    }

    public static IcmpRepr echoReply(int id, int seq, byte[] data) {
        return new IcmpRepr(IcmpPacket.ECHO_REPLY, 0, Reprs.u16(id, "id") << 16 | Reprs.u16(seq, "seq"), data);
    }

    /** Destination unreachable with {@code code} (e.g. {@link IcmpPacket#PORT_UNREACH}), quoting {@code original} as Linux does. */
    public static IcmpRepr destUnreachable(int code, byte[] original) {
        return new IcmpRepr(IcmpPacket.DEST_UNREACH, code, 0, quote(original, LINUX_MAX_QUOTE));
    }

    /** Fragmentation needed and DF set, with the next-hop MTU (RFC 1191). */
    public static IcmpRepr fragNeeded(int mtu, byte[] original) {
        return new IcmpRepr(IcmpPacket.DEST_UNREACH, IcmpPacket.FRAG_NEEDED, Reprs.u16(mtu, "mtu"), quote(original, LINUX_MAX_QUOTE));
    }

    /** Time exceeded (code 0: TTL exceeded in transit). */
    public static IcmpRepr timeExceeded(int code, byte[] original) {
        return new IcmpRepr(IcmpPacket.TIME_EXCEEDED, code, 0, quote(original, LINUX_MAX_QUOTE));
    }

    /** The first {@code max} bytes of {@code datagram} (all of it when shorter). */
    public static byte[] quote(byte[] datagram, int max) {
        return Arrays.copyOf(datagram, Math.min(max, datagram.length));
    }

    /** What RFC 792 requires at least: the IP header and the first 8 bytes of its payload. */
    public static byte[] quoteMinimal(byte[] datagram) {
        int hlen = (datagram[Ipv4Packet.OFF_VERSION_IHL] & 0x0f) * 4;
        return quote(datagram, hlen + 8);
    }

    public IcmpRepr withType(int t) { return new IcmpRepr(t, code, restOfHeader, data); }
    public IcmpRepr withCode(int c) { return new IcmpRepr(type, c, restOfHeader, data); }
    public IcmpRepr withRestOfHeader(int r) { return new IcmpRepr(type, code, r, data); }
    public IcmpRepr withData(byte[] d) { return new IcmpRepr(type, code, restOfHeader, d); }

    public int echoId() { return restOfHeader >>> 16; }
    public int echoSeq() { return restOfHeader & 0xffff; }
    public int nextHopMtu() { return restOfHeader & 0xffff; }

    @Override
    public byte[] data() { return data.clone(); }

    @Override
    public int protocol() { return IpProtocol.ICMP; }

    @Override
    public int length() { return IcmpPacket.HEADER_LENGTH + data.length; }

    @Override
    public void emit(byte[] buf, int off, int src, int dst) {
        IcmpPacket.writeHeader(buf, off, type, code, restOfHeader);
        System.arraycopy(data, 0, buf, off + IcmpPacket.HEADER_LENGTH, data.length);
        IcmpPacket.fillChecksum(buf, off, length());
    }

    public static IcmpRepr parse(IcmpPacket p) {
        return new IcmpRepr(p.type(), p.code(), p.restOfHeader(), Reprs.copy(p.buffer(), p.payloadOffset(), p.payloadLength()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IcmpRepr r && type == r.type && code == r.code && restOfHeader == r.restOfHeader
                && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + code) * 31 + restOfHeader) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IcmpRepr[type " + type + " code " + code + " rest 0x" + Integer.toHexString(restOfHeader)
                + " data " + Reprs.hex(data) + "]";
    }
}

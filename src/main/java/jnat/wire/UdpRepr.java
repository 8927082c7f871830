package jnat.wire;

import java.util.Arrays;

/** A UDP datagram as plain values; {@link #emit} fills in the checksum (0xffff for a computed 0). */
public record UdpRepr(int srcPort, int dstPort, byte[] payload) implements TransportRepr, Transport6Repr {

    public UdpRepr {
        Reprs.u16(srcPort, "source port");
        Reprs.u16(dstPort, "destination port");
        payload = payload == null ? Reprs.EMPTY : payload.clone();
    }

    public static UdpRepr of(int srcPort, int dstPort) {
        return new UdpRepr(srcPort, dstPort, null);
    }

    public UdpRepr withSrcPort(int p) { return new UdpRepr(p, dstPort, payload); }
    public UdpRepr withDstPort(int p) { return new UdpRepr(srcPort, p, payload); }
    public UdpRepr withPayload(byte[] p) { return new UdpRepr(srcPort, dstPort, p); }

    @Override
    public byte[] payload() { return payload.clone(); }

    @Override
    public int protocol() { return IpProtocol.UDP; }

    @Override
    public int length() { return UdpDatagram.HEADER_LENGTH + payload.length; }

    @Override
    public void emit(byte[] buf, int off, int src, int dst) {
        UdpDatagram.writeHeader(buf, off, srcPort, dstPort, length());
        System.arraycopy(payload, 0, buf, off + UdpDatagram.HEADER_LENGTH, payload.length);
        UdpDatagram.fillChecksum(buf, off, length(), src, dst);
    }

    @Override
    public void emit6(byte[] buf, int off, long srcHi, long srcLo, long dstHi, long dstLo) {
        UdpDatagram.writeHeader(buf, off, srcPort, dstPort, length());
        System.arraycopy(payload, 0, buf, off + UdpDatagram.HEADER_LENGTH, payload.length);
        UdpDatagram.fillChecksum6(buf, off, length(), srcHi, srcLo, dstHi, dstLo);
    }

    public static UdpRepr parse(UdpDatagram u) {
        return new UdpRepr(u.srcPort(), u.dstPort(), Reprs.copy(u.buffer(), u.payloadOffset(), u.payloadLength()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpRepr r && srcPort == r.srcPort && dstPort == r.dstPort && Arrays.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return (srcPort * 31 + dstPort) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "UdpRepr[" + srcPort + " > " + dstPort + " length " + payload.length + "]";
    }
}

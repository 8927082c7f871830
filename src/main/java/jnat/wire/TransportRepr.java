package jnat.wire;

/** A transport-layer packet description that IPv4 can carry: TCP, UDP or ICMP. */
public sealed interface TransportRepr permits TcpRepr, UdpRepr, IcmpRepr {
    /** The IPv4 protocol number. */
    int protocol();

    /** Header plus payload, in bytes. */
    int length();

    /**
     * Writes {@link #length()} bytes at {@code off}, checksum included; {@code src} and {@code dst} are
     * the IPv4 addresses of the pseudo-header (ignored by ICMP).
     */
    void emit(byte[] buf, int off, int src, int dst);

    /**
     * The bytes alone, without an IP header; a TCP/UDP checksum is computed for the pseudo-header
     * 0.0.0.0 > 0.0.0.0 (use {@link Ipv4Repr#packet(TransportRepr)} for real ones).
     */
    default byte[] bytes() {
        byte[] out = new byte[length()];
        emit(out, 0, 0, 0);
        return out;
    }

    /** Reads the transport header of an IPv4 packet view back into a repr; throws IllegalArgumentException when malformed. */
    static TransportRepr parse(Ipv4Packet ip) {
        byte[] b = ip.buffer();
        int p = ip.payloadOffset();
        int n = ip.payloadLength();
        return switch (ip.protocol()) {
            case IpProtocol.TCP -> Reprs.tcp(b, p, n);
            case IpProtocol.UDP -> Reprs.udp(b, p, n);
            case IpProtocol.ICMP -> {
                IcmpPacket i = new IcmpPacket();
                Reprs.check(i.wrap(b, p, n), "ICMP");
                yield IcmpRepr.parse(i);
            }
            default -> throw new IllegalArgumentException("not TCP, UDP or ICMP: protocol " + ip.protocol());
        };
    }
}

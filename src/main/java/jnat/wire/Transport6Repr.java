package jnat.wire;

/** An upper-layer packet description that IPv6 can carry: TCP, UDP or ICMPv6 (checksums over the IPv6 pseudo-header). */
public sealed interface Transport6Repr permits TcpRepr, UdpRepr, Icmpv6Repr {
    /** The next header value (the IP protocol number). */
    int protocol();

    /** Header plus payload, in bytes. */
    int length();

    /** Writes {@link #length()} bytes at {@code off}, checksum included, with the pseudo-header of {@code src > dst}. */
    void emit6(byte[] buf, int off, long srcHi, long srcLo, long dstHi, long dstLo);

    /**
     * Reads the upper-layer header of an IPv6 packet view back into a repr; throws
     * IllegalArgumentException when it is malformed, a later fragment, or another protocol.
     */
    static Transport6Repr parse(Ipv6Packet ip) {
        Reprs.check(ip.extHeaderError(), "IPv6 extension headers");
        if (ip.fragmentOffset() != 0) throw new IllegalArgumentException("a later fragment has no upper-layer header");
        byte[] b = ip.buffer();
        int p = ip.upperOffset();
        int n = ip.upperLength();
        return switch (ip.upperProtocol()) {
            case IpProtocol.TCP -> Reprs.tcp(b, p, n);
            case IpProtocol.UDP -> Reprs.udp(b, p, n);
            case IpProtocol.ICMPV6 -> {
                Icmpv6Packet i = new Icmpv6Packet();
                Reprs.check(i.wrap(b, p, n), "ICMPv6");
                yield Icmpv6Repr.parse(i);
            }
            default -> throw new IllegalArgumentException("not TCP, UDP or ICMPv6: next header " + ip.upperProtocol());
        };
    }
}

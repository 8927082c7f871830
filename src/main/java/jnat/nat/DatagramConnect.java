package jnat.nat;

import jnat.host.LocalSockets;
import jnat.wire.Bytes;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Packet;
import jnat.wire.WireError;

/**
 * net/ipv4/datagram.c and net/ipv6/datagram.c's connect for the host's own packets: a packet sent
 * from a connected TCP or UDP socket makes (on its first packet) the socket its replies are
 * delivered to ({@link LocalSockets#connect}); any other stays its raw socket's.
 */
final class DatagramConnect {
    private DatagramConnect() {}

    /** The TCP or UDP socket an IPv4 packet of the host's came from (made on its first packet), else {@code raw}. */
    static LocalSockets.Sock connect4(LocalSockets sockets, Ipv4Packet ip, LocalSockets.Sock raw) {
        int proto = ip.protocol();
        if (proto != LocalSockets.TCP && proto != LocalSockets.UDP || ip.fragmentOffset() != 0 || ip.payloadLength() < 4) return raw;
        byte[] b = ip.buffer();
        int l4 = ip.payloadOffset();
        return sockets.connect(proto, 4, ip.src(), 0, 0, Bytes.u16(b, l4), ip.dst(), 0, 0, Bytes.u16(b, l4 + 2),
                raw.uid, raw.gid);
    }

    /** The same for an IPv6 packet of the host's. */
    static LocalSockets.Sock connect6(LocalSockets sockets, Ipv6Packet ip, LocalSockets.Sock raw) {
        int proto = ip.upperProtocol();
        if (proto != LocalSockets.TCP && proto != LocalSockets.UDP || ip.extHeaderError() != WireError.OK
                || ip.fragmentOffset() != 0 || ip.upperLength() < 4) {
            return raw;
        }
        byte[] b = ip.buffer();
        int l4 = ip.upperOffset();
        return sockets.connect(proto, 6, 0, ip.srcHi(), ip.srcLo(), Bytes.u16(b, l4), 0, ip.dstHi(), ip.dstLo(),
                Bytes.u16(b, l4 + 2), raw.uid, raw.gid);
    }
}

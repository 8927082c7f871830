package jnat.nat;

import jnat.host.LocalSockets;
import jnat.wire.Icmpv6Packet;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.UdpDatagram;
import jnat.wire.WireError;

/**
 * __udp6_lib_rcv (net/ipv6/udp.c) for a datagram delivered to the host: a socket of the host's
 * takes it, one for a port no socket holds is answered with ICMPv6 port unreachable (icmpv6_send),
 * unless it is short, has checksum 0 (report_csum_error: a zero checksum needs a socket that
 * allows it) or a wrong one, or went to a multicast address.
 */
final class Udp6 {
    private final LocalSockets sockets;
    private final Icmpv6 icmp;
    long noPorts;

    Udp6(LocalSockets sockets, Icmpv6 icmp) {
        this.sockets = sockets;
        this.icmp = icmp;
    }

    void rcv(PacketState p) {
        Ipv6Packet ip = p.ip6;
        if (ip.extHeaderError() != WireError.OK || ip.upperProtocol() != IpProtocol.UDP || ip.fragmentOffset() != 0) return;
        UdpDatagram udp = p.udp;
        if (udp.wrap(ip.buffer(), ip.upperOffset(), ip.upperLength()) != WireError.OK) return; // short_packet
        if (Ip6Input.isMulticast(ip.dstHi())) return; // __udp6_lib_mcast_deliver
        if (p.sk != null || sockets.lookup6(LocalSockets.UDP, ip.srcHi(), ip.srcLo(), udp.srcPort(), ip.dstHi(), ip.dstLo(), udp.dstPort()) != null) {
            return;
        }
        if (!udp.hasChecksum()) return;
        if (p.offload.ipSummed == Offload.CHECKSUM_NONE
                && !udp.verifyChecksum6(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo())) {
            return;
        }
        noPorts++;
        icmp.send(p, Icmpv6Packet.ICMPV6_DEST_UNREACH, Icmpv6Packet.ICMPV6_PORT_UNREACH, 0,
                udp.offset() - ip.offset() + udp.length());
    }
}

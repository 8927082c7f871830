package jnat.nat;

import jnat.host.LocalSockets;
import jnat.host.RouteType;
import jnat.wire.IcmpPacket;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Offload;
import jnat.wire.UdpDatagram;
import jnat.wire.WireError;

/**
 * __udp4_lib_rcv (net/ipv4/udp.c) for a datagram delivered to the host: a socket of the host's
 * takes it (jnat runs nothing on it), and one for a port no socket holds is answered with ICMP port
 * unreachable (icmp_send, with its rate limits), unless its length or checksum is wrong or it was
 * sent to a broadcast or multicast address (__udp4_lib_mcast_deliver answers nothing).
 */
final class Udp {
    private final LocalSockets sockets;
    private final Icmp icmp;
    /** UDP_MIB_NOPORTS. */
    long noPorts;

    Udp(LocalSockets sockets, Icmp icmp) {
        this.sockets = sockets;
        this.icmp = icmp;
    }

    void rcv(PacketState p) {
        Ipv4Packet ip = p.ip;
        if (ip.protocol() != IpProtocol.UDP) return;
        UdpDatagram udp = p.udp;
        if (udp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength()) != WireError.OK) return; // short_packet
        RouteType to = p.route().type();
        if (to == RouteType.BROADCAST || to == RouteType.MULTICAST) return;
        // __udp4_lib_rcv: skb_steal_sock (a TPROXY assignment) before the socket table
        if (p.sk != null || sockets.lookup4(LocalSockets.UDP, ip.src(), udp.srcPort(), ip.dst(), udp.dstPort()) != null) return;
        // nf_reset_ct, then udp_lib_checksum_complete: a bad checksum is dropped silently
        if (p.offload.ipSummed == Offload.CHECKSUM_NONE && !udp.verifyChecksum(ip.src(), ip.dst())) return;
        noPorts++;
        // pskb_trim_rcsum cut the datagram to its UDP length: the quote ends there
        icmp.send(p, IcmpPacket.DEST_UNREACH, IcmpPacket.PORT_UNREACH, 0, ip.headerLength() + udp.length());
    }
}

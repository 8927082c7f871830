package jnat.nat;

import jnat.host.Host;
import jnat.host.LocalSockets;
import jnat.host.RouteResult;
import jnat.host.RouteType;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;

/**
 * tcp_v4_rcv (net/ipv4/tcp_ipv4.c) for a segment delivered to the host: a socket of the host's
 * takes it (jnat runs no TCP: a SYN to a listener gets no SYN-ACK), and a segment no socket holds
 * is answered by tcp_v4_send_reset: not for a packet sent to another link-layer address, a header
 * that is cut or whose checksum is wrong, a RST, or one routed to a broadcast address. The RST
 * goes out through ip_send_unicast_reply on the TCP control socket, not attached to the
 * segment's connection: conntrack sees it as the reply it is (the connection closes), and NAT
 * translates it as that connection's reply.
 */
final class TcpIpv4 {
    /** sysctl_ip_default_ttl: the control socket has no TTL of its own. */
    private static final int TTL = 64;

    private final Host host;
    private final LocalSockets sockets;
    private final IpOutput output;
    /** TCP_MIB_OUTRSTS. */
    long outRsts;

    TcpIpv4(Host host, LocalSockets sockets, IpOutput output) {
        this.host = host;
        this.sockets = sockets;
        this.output = output;
    }

    void rcv(PacketState p) {
        Ipv4Packet ip = p.ip;
        if (ip.protocol() != IpProtocol.TCP || !p.pktTypeHost) return;
        TcpSegment tcp = p.tcp;
        if (tcp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength()) != WireError.OK) return; // doff < 5, cut
        // __inet_lookup_skb: skb_steal_sock (TPROXY's assignment), else the established hash, then listeners
        LocalSockets.Sock sk = p.sk != null ? p.sk : sockets.lookup4(LocalSockets.TCP, ip.src(), tcp.srcPort(), ip.dst(), tcp.dstPort());
        if (sk != null) {
            // a listener's SYN: tcp_conn_request's request socket, the connection's own from here on
            if (!sk.connected() && tcp.syn() && (tcp.flags() & TcpSegment.ACK) == 0 && !tcp.rst()) {
                sockets.accept(sk, ip.dst(), 0, 0, tcp.dstPort(), ip.src(), 0, 0, tcp.srcPort());
            }
            return;
        }
        if (p.offload.ipSummed == Offload.CHECKSUM_NONE && !tcp.verifyChecksum(ip.src(), ip.dst())) return; // csum_error
        sendReset(p, ip, tcp);
    }

    /** tcp_v4_send_reset with no socket. */
    private void sendReset(PacketState p, Ipv4Packet ip, TcpSegment tcp) {
        if (tcp.rst() || p.route().type() != RouteType.LOCAL) return;
        // ip_send_unicast_reply: the route to the sender from the address it wrote to
        RouteResult back = host.routeOutput(ip.src());
        if (back.isError()) return;
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM;
        int total = Ipv4Packet.MIN_HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH;
        // the segment's TOS without its ECN bits; DF (IP_PMTUDISC_DO) and so id 0 (ip_select_ident_segs)
        Ipv4Packet.writeHeader(b, o, ip.tos() & ~0x3, total, 0, Ipv4Packet.FLAG_DF, TTL, IpProtocol.TCP, ip.dst(), ip.src());
        int t = o + Ipv4Packet.MIN_HEADER_LENGTH;
        RejectIpv4.writeReset(b, t, tcp, ip.totalLength() - ip.headerLength());
        TcpSegment.fillChecksum(b, t, TcpSegment.MIN_HEADER_LENGTH, ip.dst(), ip.src());
        outRsts++;
        output.sendOwn(p, total, -1, 0, back);
    }
}

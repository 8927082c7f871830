package jnat.nat;

import jnat.host.Host;
import jnat.host.LocalSockets;
import jnat.host.RouteDecision6;
import jnat.host.RouteType;
import jnat.wire.Bytes;
import jnat.wire.Checksum;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;

/**
 * tcp_v6_rcv (net/ipv6/tcp_ipv6.c) for a segment delivered to the host: a socket takes it, one no
 * socket holds is answered by tcp_v6_send_reset (tcp_v6_send_response on the control socket:
 * traffic class 0 and flow label 0 without the reflect sysctls, hop limit 64), under the same
 * rules as {@link TcpIpv4}; ipv6_unicast_destination: only for a local route. A link-local sender
 * is reached through the device the segment came in on (rt6_need_strict). A RST the host would
 * send to itself through lo is not sent (jnat's IPv6 host packets leave by unicast routes only).
 */
final class TcpIpv6 {
    private static final int HOP_LIMIT = 64;

    private final Host host;
    private final LocalSockets sockets;
    private final Ip6Output output;
    private final RouteDecision6 back = new RouteDecision6();
    long outRsts;

    TcpIpv6(Host host, LocalSockets sockets, Ip6Output output) {
        this.host = host;
        this.sockets = sockets;
        this.output = output;
    }

    void rcv(PacketState p) {
        Ipv6Packet ip = p.ip6;
        if (ip.extHeaderError() != WireError.OK || ip.upperProtocol() != IpProtocol.TCP || ip.fragmentOffset() != 0
                || !p.pktTypeHost) {
            return;
        }
        TcpSegment tcp = p.tcp;
        if (tcp.wrap(ip.buffer(), ip.upperOffset(), ip.upperLength()) != WireError.OK) return;
        LocalSockets.Sock sk = p.sk != null ? p.sk
                : sockets.lookup6(LocalSockets.TCP, ip.srcHi(), ip.srcLo(), tcp.srcPort(), ip.dstHi(), ip.dstLo(), tcp.dstPort());
        if (sk != null) {
            if (!sk.connected() && tcp.syn() && (tcp.flags() & TcpSegment.ACK) == 0 && !tcp.rst()) { // tcp_conn_request's request socket
                sockets.accept(sk, 0, ip.dstHi(), ip.dstLo(), tcp.dstPort(), 0, ip.srcHi(), ip.srcLo(), tcp.srcPort());
            }
            return;
        }
        if (p.offload.ipSummed == Offload.CHECKSUM_NONE && !ip.verifyTransportChecksum()) return;
        if (tcp.rst() || p.route6.type() != RouteType.LOCAL) return;
        long sh = ip.srcHi(), sl = ip.srcLo();
        RouteDecision6 rt = Ip6Input.isLinkLocal(sh) && p.in != null ? host.routeInput6(sh, sl, 0, 0, p.in, back)
                : host.routeOutput6(sh, sl, back);
        if (rt.isError() || rt.type() != RouteType.UNICAST) return;
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM;
        long fh = ip.dstHi(), fl = ip.dstLo();
        Ipv6Packet.writeHeader(b, o, 0, 0, TcpSegment.MIN_HEADER_LENGTH, IpProtocol.TCP, HOP_LIMIT, fh, fl, sh, sl);
        int t = o + Ipv6Packet.HEADER_LENGTH;
        RejectIpv4.writeReset(b, t, tcp, ip.upperLength());
        Bytes.put16(b, t + TcpSegment.OFF_CHECKSUM, Checksum.transport6(b, t, TcpSegment.MIN_HEADER_LENGTH, fh, fl, sh, sl, IpProtocol.TCP));
        outRsts++;
        output.sendOwn(p, Ipv6Packet.HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH, -1, 0, rt.out(), rt.nexthopHi(), rt.nexthopLo(),
                jnat.host.Interface.NO_MAC);
    }
}

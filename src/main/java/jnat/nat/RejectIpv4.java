package jnat.nat;

import jnat.conntrack.Conntrack;
import jnat.host.Host;
import jnat.host.RouteResult;
import jnat.host.RouteType;
import jnat.rules.RejectTarget;
import jnat.wire.IcmpPacket;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;

/**
 * reject_tg for IPv4 (ipt_REJECT.c, nf_reject_ipv4.c): before the packet is dropped its sender is
 * told, by a destination unreachable (nf_send_unreach: icmp_send, unless a TCP or UDP checksum is
 * wrong) or a TCP RST (nf_send_reset). The host's own packets are answered too, to the host itself
 * through lo.
 */
final class RejectIpv4 {
    /** sysctl_ip_default_ttl, as ip_select_ttl gives a RST with no route metric. */
    private static final int TTL = 64;

    private final Host host;
    private final Icmp icmp;
    private final IpOutput output;

    RejectIpv4(Host host, Icmp icmp, IpOutput output) {
        this.host = host;
        this.icmp = icmp;
        this.output = output;
    }

    void reject(PacketState p, RejectTarget r) {
        reject(p, r.icmpCode);
    }

    /** The answer for a destination unreachable code, or (-1) a TCP RST: reject_tg's and nft_reject's. */
    void reject(PacketState p, int icmpCode) {
        Ipv4Packet ip = p.ip;
        if (p.generated || ip.fragmentOffset() != 0) return;
        if (icmpCode >= 0) {
            if (checksumOk(p)) icmp.send(p, IcmpPacket.DEST_UNREACH, icmpCode, 0);
            return;
        }
        // nf_reject_ip_tcphdr_get: TCP, a whole header, not a RST, checksum right
        TcpSegment tcp = p.tcp;
        if (ip.protocol() != IpProtocol.TCP || tcp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength()) != WireError.OK
                || (tcp.flags() & TcpSegment.RST) != 0 || !checksumOk(p)) {
            return;
        }
        RouteType dstType = host.addressType(ip.dst());
        if (dstType == RouteType.BROADCAST || dstType == RouteType.MULTICAST) return; // RTCF_BROADCAST | RTCF_MULTICAST
        RouteResult back = host.routeOutput(ip.src()); // ip_route_me_harder
        // to the host itself (its own segment, REJECTed at OUTPUT): through lo
        if (back.isError() || back.type() != RouteType.UNICAST && back.type() != RouteType.LOCAL) return;
        int len = buildReset(ip, tcp);
        int ctinfo = Conntrack.isReply(p.ct.ctinfo) ? Conntrack.IP_CT_RELATED : Conntrack.IP_CT_RELATED_REPLY;
        output.sendOwn(p, len, p.tracked() ? p.ct.id : -1, ctinfo, back);
    }

    /** nf_reject_verify_csum and nf_ip_checksum: a TCP or UDP (with a checksum) packet's must be right. */
    private static boolean checksumOk(PacketState p) {
        if (p.offload.ipSummed != Offload.CHECKSUM_NONE) return true; // skb_csum_unnecessary
        Ipv4Packet ip = p.ip;
        byte[] b = ip.buffer();
        int l4 = ip.payloadOffset(), l4len = ip.payloadLength();
        return switch (ip.protocol()) {
            case IpProtocol.TCP -> p.tcp.wrap(b, l4, l4len) == WireError.OK && p.tcp.verifyChecksum(ip.src(), ip.dst());
            case IpProtocol.UDP -> p.udp.wrap(b, l4, l4len) == WireError.OK
                    && (!p.udp.hasChecksum() || p.udp.verifyChecksum(ip.src(), ip.dst()));
            default -> true;
        };
    }

    /**
     * nf_reject_iphdr_put and nf_reject_ip_tcphdr_put in the host's packet buffer: from the
     * packet's destination to its source, id 0, DF, TTL 64; the TCP header as {@link #writeReset}.
     * Returns the IP length.
     */
    private int buildReset(Ipv4Packet ip, TcpSegment tcp) {
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM;
        int total = Ipv4Packet.MIN_HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH;
        Ipv4Packet.writeHeader(b, o, 0, total, 0, Ipv4Packet.FLAG_DF, TTL, IpProtocol.TCP, ip.dst(), ip.src());
        int t = o + Ipv4Packet.MIN_HEADER_LENGTH;
        writeReset(b, t, tcp, ip.totalLength() - ip.headerLength());
        TcpSegment.fillChecksum(b, t, TcpSegment.MIN_HEADER_LENGTH, ip.dst(), ip.src());
        return total;
    }

    /**
     * nf_reject_ip_tcphdr_put's TCP header (both families; the checksum left to the caller): the
     * ports swapped, RST with the acknowledged sequence, or RST|ACK acknowledging what the segment
     * of {@code segmentLength} bytes carried when it acknowledged nothing; window 0.
     */
    static void writeReset(byte[] b, int t, TcpSegment tcp, int segmentLength) {
        int seq = 0, ack = 0, flags = TcpSegment.RST;
        int f = tcp.flags();
        if ((f & TcpSegment.ACK) != 0) {
            seq = tcp.ack();
        } else {
            int seqSpace = ((f & TcpSegment.SYN) != 0 ? 1 : 0) + ((f & TcpSegment.FIN) != 0 ? 1 : 0)
                    + segmentLength - tcp.headerLength();
            ack = tcp.seq() + seqSpace;
            flags |= TcpSegment.ACK;
        }
        TcpSegment.writeHeader(b, t, tcp.dstPort(), tcp.srcPort(), seq, ack, flags, 0);
    }
}

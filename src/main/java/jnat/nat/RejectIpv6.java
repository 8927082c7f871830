package jnat.nat;

import jnat.conntrack.Conntrack;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.RouteDecision6;
import jnat.host.RouteType;
import jnat.rules.RejectTarget;
import jnat.wire.Bytes;
import jnat.wire.Checksum;
import jnat.wire.Icmpv6Packet;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;
import jnat.wire.UdpDatagram;
import jnat.wire.WireError;

/**
 * reject_tg for IPv6 (ip6t_REJECT.c, nf_reject_ipv6.c): before the packet is dropped its sender is
 * told, by an ICMPv6 destination unreachable (nf_send_unreach6: icmpv6_send, unless a TCP or UDP
 * checksum is wrong, reject6_csum_ok) or a TCP RST (nf_send_reset6). The host's own packets are
 * answered to the host itself through lo, as {@link RejectIpv4}.
 */
final class RejectIpv6 {
    /** ip6_dst_hoplimit: the device's hop_limit sysctl. */
    private static final int HOP_LIMIT = 64;

    private final Host host;
    private final Icmpv6 icmp;
    private final Ip6Output output;
    private final RouteDecision6 back = new RouteDecision6();

    RejectIpv6(Host host, Icmpv6 icmp, Ip6Output output) {
        this.host = host;
        this.icmp = icmp;
        this.output = output;
    }

    void reject(PacketState p, RejectTarget r) {
        reject(p, r.icmpCode);
    }

    /** The answer for a destination unreachable code, or (-1) a TCP RST: reject_tg's and nft_reject's. */
    void reject(PacketState p, int icmpCode) {
        Ipv6Packet ip = p.ip6;
        if (p.generated || ip.fragmentOffset() != 0) return;
        if (icmpCode >= 0) {
            if (checksumOk(p)) icmp.send(p, Icmpv6Packet.ICMPV6_DEST_UNREACH, icmpCode, 0);
            return;
        }
        // nf_reject_ip6_tcphdr_get: TCP, a whole header, not a RST, checksum right
        TcpSegment tcp = p.tcp;
        if (ip.upperProtocol() != IpProtocol.TCP || tcp.wrap(ip.buffer(), ip.upperOffset(), ip.upperLength()) != WireError.OK
                || (tcp.flags() & TcpSegment.RST) != 0 || !checksumOk(p)) {
            return;
        }
        long sh = ip.srcHi(), sl = ip.srcLo(), dh = ip.dstHi(), dl = ip.dstLo();
        if (!unicast(sh, sl) || !unicast(dh, dl)) return; // "addr is not unicast"
        RouteDecision6 rt = host.routeOutput6(sh, sl, back);
        boolean toSelf = rt.type() == RouteType.LOCAL; // the host's own segment, REJECTed at OUTPUT: through lo
        if (rt.isError() || rt.type() != RouteType.UNICAST && !toSelf) return;
        int len = buildReset(ip, tcp);
        int ctinfo = Conntrack.isReply(p.ct.ctinfo) ? Conntrack.IP_CT_RELATED : Conntrack.IP_CT_RELATED_REPLY;
        if (toSelf) output.sendOwnLocal(p, len, p.tracked() ? p.ct.id : -1, ctinfo);
        else output.sendOwn(p, len, p.tracked() ? p.ct.id : -1, ctinfo, rt.out(), rt.nexthopHi(), rt.nexthopLo(), Interface.NO_MAC);
    }

    private static boolean unicast(long hi, long lo) {
        return (hi | lo) != 0 && !Ip6Input.isMulticast(hi);
    }

    /** reject6_csum_ok: the upper layer reachable and, for TCP and UDP with a checksum, its checksum right. */
    private static boolean checksumOk(PacketState p) {
        if (p.offload.ipSummed != Offload.CHECKSUM_NONE) return true; // skb_csum_unnecessary
        Ipv6Packet ip = p.ip6;
        if (ip.extHeaderError() != WireError.OK || ip.upperLength() <= 0) return false;
        return switch (ip.upperProtocol()) {
            case IpProtocol.TCP -> ip.verifyTransportChecksum();
            case IpProtocol.UDP -> ip.upperLength() < UdpDatagram.HEADER_LENGTH
                    || Bytes.u16(ip.buffer(), ip.upperOffset() + UdpDatagram.OFF_CHECKSUM) == 0 || ip.verifyTransportChecksum();
            default -> true; // nf_reject_verify_csum: ICMPv6 and others are not checked
        };
    }

    /**
     * nf_reject_ip6hdr_put and nf_reject_ip6_tcphdr_put in the host's buffer: from the packet's
     * destination to its source, traffic class and flow label 0, hop limit 64; the TCP header as
     * {@link RejectIpv4#writeReset}. Returns the IPv6 length.
     */
    private int buildReset(Ipv6Packet ip, TcpSegment tcp) {
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM;
        long sh = ip.dstHi(), sl = ip.dstLo(), dh = ip.srcHi(), dl = ip.srcLo();
        Ipv6Packet.writeHeader(b, o, 0, 0, TcpSegment.MIN_HEADER_LENGTH, IpProtocol.TCP, HOP_LIMIT, sh, sl, dh, dl);
        int t = o + Ipv6Packet.HEADER_LENGTH;
        RejectIpv4.writeReset(b, t, tcp, ip.upperLength());
        Bytes.put16(b, t + TcpSegment.OFF_CHECKSUM,
                Checksum.transport6(b, t, TcpSegment.MIN_HEADER_LENGTH, sh, sl, dh, dl, IpProtocol.TCP));
        return Ipv6Packet.HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH;
    }
}

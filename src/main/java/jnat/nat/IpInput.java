package jnat.nat;

import jnat.host.RouteResult;
import jnat.wire.Ipv4Packet;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * The IPv4 receive path (net/ipv4/ip_input.c): ip_rcv_core's checks, nf_defrag_ipv4, the input
 * route of ip_rcv_finish (an error route is ip_error's), and ip_local_deliver. The hooks between
 * them are {@link NfHooks}'; {@link NatEngine#receive} runs the stages in order.
 */
final class IpInput {
    private final NfHooks hooks;
    private final IpDefragHook defrag;
    private final RouteCache routes;
    private final Icmp icmp;
    private final Udp udp;
    private final TcpIpv4 tcp;
    private final NetStats stats;
    private final Trace trace;

    IpInput(NfHooks hooks, IpDefragHook defrag, RouteCache routes, Icmp icmp, Udp udp, TcpIpv4 tcp, NetStats stats, Trace trace) {
        this.hooks = hooks;
        this.udp = udp;
        this.tcp = tcp;
        this.defrag = defrag;
        this.routes = routes;
        this.icmp = icmp;
        this.stats = stats;
        this.trace = trace;
    }

    /**
     * ip_rcv_core: the header and its checksum; then nf_defrag_ipv4 (PREROUTING, -400): a fragment
     * waits in its queue, and the one completing the datagram carries it on whole. False when the
     * packet stops here.
     */
    boolean rcv(PacketState p, byte[] buf, int off, int len) {
        Ipv4Packet ip = p.ip;
        if (ip.wrap(buf, off, len) != WireError.OK) {
            stats.drop(p, DropReason.IP_MALFORMED);
            return false;
        }
        ip.setChecksumPartial(p.offload.ipSummed == Offload.CHECKSUM_PARTIAL);
        if (!ip.verifyChecksum()) {
            stats.drop(p, DropReason.IP_BAD_CHECKSUM);
            return false;
        }
        if (ip.isFragment() && !defrag.defragment(p, IpDefrag.USER_CONNTRACK_IN)) return false;
        if (trace.on()) trace.received(p);
        return true;
    }

    /**
     * ip_rcv_finish's route (ip_route_input_noref): a martian is dropped silently, another error
     * route answers with ip_error. False when the packet was dropped.
     */
    boolean route(PacketState p) {
        RouteResult rt = routes.input(p.ip.dst(), p.ip.src(), p.in, p.mark);
        p.setRoute(rt);
        if (!rt.isError()) return true;
        if (rt.error().isMartian()) {
            stats.drop(p, DropReason.ROUTE_MARTIAN);
        } else {
            icmp.ipError(p); // the route's dst.input
            stats.drop(p, DropReason.ROUTE_UNREACHABLE);
        }
        return false;
    }

    /**
     * ip_local_deliver for a LOCAL, BROADCAST or MULTICAST route: LOCAL_IN, then the packet is the
     * host's, and ip_protocol_deliver_rcu hands it to its protocol: icmp_rcv, udp_rcv and tcp_v4_rcv
     * answer what they must (an echo, a closed port).
     */
    void localDeliver(PacketState p) {
        if (!hooks.localIn(p)) return;
        stats.delivered(p);
        Ipv4Packet ip = p.ip;
        if (trace.on()) trace.delivered(p);
        p.tx.deliver(ip.buffer(), ip.offset(), ip.totalLength());
        switch (ip.protocol()) {
            case jnat.wire.IpProtocol.ICMP -> icmp.rcv(p);
            case jnat.wire.IpProtocol.UDP -> udp.rcv(p);
            case jnat.wire.IpProtocol.TCP -> tcp.rcv(p);
            default -> { }
        }
    }

    /** A packet the host sent to itself, back in through lo (loopback_xmit, netif_rx): PREROUTING, then delivered. */
    void loopbackRcv(PacketState p) {
        p.in = p.out();
        p.setOut(null);
        p.sk = null; // loopback_xmit's skb_orphan: the sender's socket stays behind
        p.nfTraceId = 0; // nf_trace stays, but the trace's id hashes skb_iif: lo's is another
        if (hooks.preRouting(p)) localDeliver(p);
    }
}

package jnat.nat;

import jnat.host.Host;
import jnat.host.RouteDecision6;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * The IPv6 receive path (net/ipv6/ip6_input.c): ip6_rcv_core's checks, the input route of
 * ip6_rcv_finish (ip6_route_input through {@link Host#routeInput6} into the packet's own
 * decision), and ip6_input's local delivery. The hooks between them are {@link NfHooks}';
 * {@link NatEngine#receive} runs the stages in order.
 */
final class Ip6Input {
    private final Host host;
    private final NfHooks hooks;
    private final Icmpv6 icmp;
    private final Udp6 udp;
    private final TcpIpv6 tcp;
    private final Ip6DefragHook defragHook;
    private final NetStats stats;
    private final Trace trace;

    Ip6Input(Host host, NfHooks hooks, Icmpv6 icmp, Udp6 udp, TcpIpv6 tcp, Ip6DefragHook defragHook, NetStats stats, Trace trace) {
        this.host = host;
        this.udp = udp;
        this.tcp = tcp;
        this.defragHook = defragHook;
        this.hooks = hooks;
        this.icmp = icmp;
        this.stats = stats;
        this.trace = trace;
    }

    /**
     * ip6_rcv_core: version, header, payload length within the bytes present, and RFC 4291's
     * address rules; then nf_defrag_ipv6 at PREROUTING (-400): a fragment waits for its datagram,
     * the one completing it carries it on whole. False when the packet stops.
     */
    boolean rcv(PacketState p, byte[] buf, int off, int len) {
        if (!wrap(p, buf, off, len, stats)) return false;
        Ipv6Packet ip = p.ip6;
        ip.setChecksumPartial(p.offload.ipSummed == Offload.CHECKSUM_PARTIAL);
        if (!addressesAllowed(ip, p.in.isLoopback())) {
            stats.drop(p, DropReason.IPV6_BAD_ADDRESS);
            return false;
        }
        if (trace.on()) trace.received(p);
        return defragHook.defragment(p, NfCtFrag6.USER_CONNTRACK_IN);
    }

    /** The packet becomes an IPv6 one, its view wrapped (ip6_rcv_core's header checks); dropped when it is not one. */
    static boolean wrap(PacketState p, byte[] buf, int off, int len, NetStats stats) {
        p.ipv6 = true;
        if (p.ip6.wrap(buf, off, len) == WireError.OK) return true;
        stats.drop(p, DropReason.IPV6_MALFORMED);
        return false;
    }

    /**
     * RFC 4291 2.5.3 (loopback neither way off lo), errata 3480 (interface-local multicast only
     * from this node), 2.7 (multicast scope 0 dropped, multicast never a source).
     */
    private static boolean addressesAllowed(Ipv6Packet ip, boolean loopbackDev) {
        long sh = ip.srcHi(), dh = ip.dstHi();
        if (!loopbackDev && (isLoopback(sh, ip.srcLo()) || isLoopback(dh, ip.dstLo()))) return false;
        if (isMulticast(dh)) {
            int scope = (int) (dh >>> 48) & 0xf;
            if (scope == 0 || scope == 1 && !loopbackDev) return false;
        }
        return !isMulticast(sh);
    }

    static boolean isMulticast(long hi) {
        return hi >>> 56 == 0xff;
    }

    /** fe80::/10. */
    static boolean isLinkLocal(long hi) {
        return (hi & 0xffc0_0000_0000_0000L) == 0xfe80_0000_0000_0000L;
    }

    static boolean isLoopback(long hi, long lo) {
        return hi == 0 && lo == 1;
    }

    /** ip6_rcv_finish's route: an error route answers with destination unreachable (ip6_pkt_discard) and drops the packet. */
    boolean route(PacketState p) {
        Ipv6Packet ip = p.ip6;
        RouteDecision6 rt = host.routeInput6(ip.dstHi(), ip.dstLo(), ip.srcHi(), ip.srcLo(), p.in, p.mark, p.route6);
        if (!rt.isError()) return true;
        icmp.routeError(p);
        stats.drop(p, DropReason.ROUTE_UNREACHABLE);
        return false;
    }

    /**
     * ip6_input for a local, anycast or multicast route: LOCAL_IN, then the packet is the host's, and
     * its upper layer answers what it must: icmpv6_rcv, udpv6_rcv and tcp_v6_rcv (an echo, a closed port).
     */
    void localDeliver(PacketState p) {
        if (!hooks.localIn(p)) return;
        stats.delivered(p);
        Ipv6Packet ip = p.ip6;
        if (trace.on()) trace.delivered(p);
        p.tx.deliver(ip.buffer(), ip.offset(), ip.length());
        switch (ip.upperProtocol()) {
            case jnat.wire.IpProtocol.UDP -> udp.rcv(p);
            case jnat.wire.IpProtocol.TCP -> tcp.rcv(p);
            default -> icmp.rcv(p);
        }
    }

    /** A packet the host sent to itself, back in through lo: PREROUTING, then delivered. */
    void loopbackRcv(PacketState p) {
        p.in = p.out();
        p.setOut(null);
        p.sk = null; // loopback_xmit's skb_orphan: the sender's socket stays behind
        p.nfTraceId = 0; // nf_trace stays, but the trace's id hashes skb_iif: lo's is another
        if (hooks.preRouting(p)) localDeliver(p);
    }
}

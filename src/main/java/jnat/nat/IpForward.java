package jnat.nat;

import jnat.host.Interface;
import jnat.wire.IcmpPacket;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;

/**
 * ip_forward (net/ipv4/ip_forward.c): TTL and MTU checks with the host's ICMP answers, the TTL
 * decrement, FORWARD, then ip_output.
 */
final class IpForward {
    private final NfHooks hooks;
    private final IpOutput output;
    private final Icmp icmp;
    private final NetStats stats;
    private final Trace trace;

    IpForward(NfHooks hooks, IpOutput output, Icmp icmp, NetStats stats, Trace trace) {
        this.hooks = hooks;
        this.output = output;
        this.icmp = icmp;
        this.stats = stats;
        this.trace = trace;
    }

    /**
     * TTL <= 1: time exceeded; DF and over the MTU: fragmentation needed (both dropped and
     * counted, as the kernel does); else TTL-1, FORWARD, and out.
     */
    void forward(PacketState p) {
        Ipv4Packet ip = p.ip;
        if (p.sk != null) { // ip_forward: skb->sk, a TPROXY assignment the route did not deliver locally
            stats.drop(p, DropReason.FORWARD_WITH_SOCKET);
            return;
        }
        if (ip.ttl() <= 1) {
            icmp.send(p, IcmpPacket.TIME_EXCEEDED, 0, 0); // too_many_hops
            stats.drop(p, DropReason.TTL_EXCEEDED);
            return;
        }
        Interface out = p.route().out();
        if (exceedsMtu(p, out.mtu())) {
            icmp.send(p, IcmpPacket.DEST_UNREACH, IcmpPacket.FRAG_NEEDED, out.mtu());
            stats.drop(p, DropReason.FRAG_NEEDED);
            return;
        }
        ip.decrementTtl();
        p.routeTo(p.route());
        if (trace.on()) trace.route(out, Ipv4Address.format(p.nexthop));
        if (!hooks.forward(p)) return;
        output.output(p);
    }

    /**
     * ip_exceeds_mtu: larger than the MTU with DF set. A reassembled packet (skb->ignore_df, as
     * nf_ct_ipv4_gather_frags sets it) exceeds it only when one of its fragments did; a GSO packet
     * counts by its segments.
     */
    static boolean exceedsMtu(PacketState p, int mtu) {
        Ipv4Packet ip = p.ip;
        if (ip.totalLength() <= mtu || !ip.dontFragment()) return false;
        if (p.fragMaxSize != 0) return p.fragMaxSize > mtu;
        return !(p.offload.isGso() && p.offload.gsoNetworkSegmentLength(ip) <= mtu);
    }
}

package jnat.nat;

import jnat.host.Interface;
import jnat.wire.Icmpv6Packet;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;

/**
 * ip6_forward (net/ipv6/ip6_output.c): the packet type, hop limit, source and MTU checks with the
 * host's ICMPv6 answers ({@link Icmpv6}: time exceeded, not a neighbour, packet too big; {@link
 * Ndisc}'s redirect for a packet leaving by the device it came in on), the hop limit decrement,
 * FORWARD, then ip6_output (which cuts a reassembled packet again).
 */
final class Ip6Forward {
    /** IPV6_MIN_MTU: no IPv6 link is smaller. */
    static final int IPV6_MIN_MTU = 1280;

    private final NfHooks hooks;
    private final Ip6Output output;
    private final Icmpv6 icmp;
    private final Ndisc ndisc;
    private final NetStats stats;
    private final Trace trace;

    Ip6Forward(NfHooks hooks, Ip6Output output, Icmpv6 icmp, Ndisc ndisc, NetStats stats, Trace trace) {
        this.hooks = hooks;
        this.output = output;
        this.icmp = icmp;
        this.ndisc = ndisc;
        this.stats = stats;
        this.trace = trace;
    }

    /**
     * Not PACKET_HOST: dropped; hop limit <= 1: time exceeded; leaving by the device it came in on: a
     * redirect; a ::, loopback or multicast source leaving by another device: dropped, a link-local
     * one: not a neighbour ("security critical");
     * over the out MTU: packet too big; else hop limit - 1, FORWARD, and out.
     */
    void forward(PacketState p) {
        Ipv6Packet ip = p.ip6;
        if (!p.pktTypeHost) {
            stats.drop(p, DropReason.IPV6_NOT_HOST);
            return;
        }
        if (p.sk != null) { // ip6_forward: skb->sk, a TPROXY assignment the route did not deliver locally
            stats.drop(p, DropReason.FORWARD_WITH_SOCKET);
            return;
        }
        if (ip.hopLimit() <= 1) {
            icmp.send(p, Icmpv6Packet.ICMPV6_TIME_EXCEED, Icmpv6Packet.ICMPV6_EXC_HOPLIMIT, 0);
            stats.drop(p, DropReason.HOP_LIMIT_EXCEEDED);
            return;
        }
        Interface out = p.route6.out();
        // Leaving by the device it came in on: a redirect (no source check); else the source is checked.
        if (p.in == out) {
            ndisc.forwardRedirect(p);
        } else {
            long sh = ip.srcHi(), sl = ip.srcLo();
            if (sh == 0 && (sl == 0 || sl == 1) || Ip6Input.isMulticast(sh)) {
                stats.drop(p, DropReason.IPV6_SOURCE_NOT_FORWARDED);
                return;
            }
            if (Ip6Input.isLinkLocal(sh)) {
                icmp.send(p, Icmpv6Packet.ICMPV6_DEST_UNREACH, Icmpv6Packet.ICMPV6_NOT_NEIGHBOUR, 0);
                stats.drop(p, DropReason.IPV6_SOURCE_NOT_FORWARDED);
                return;
            }
        }
        int mtu = Math.max(out.mtu(), IPV6_MIN_MTU);
        if (pktTooBig(p, mtu)) {
            icmp.send(p, Icmpv6Packet.ICMPV6_PKT_TOOBIG, 0, mtu);
            stats.drop(p, DropReason.PACKET_TOO_BIG);
            return;
        }
        ip.decrementHopLimit();
        p.routeTo6(p.route6);
        if (trace.on()) trace.route(out, Ipv6Address.format(p.nexthopHi, p.nexthopLo));
        if (!hooks.forward(p)) return;
        output.output(p);
    }

    /**
     * ip6_pkt_too_big: longer than the MTU, unless conntrack reassembled it from fragments that fit
     * (frag_max_size and ignore_df; ip6_fragment cuts it again) or it is a GSO packet whose segments
     * fit (skb_gso_validate_network_len); one received in a fragment larger than the MTU is too big.
     */
    static boolean pktTooBig(PacketState p, int mtu) {
        Ipv6Packet ip = p.ip6;
        if (ip.length() <= mtu) return false;
        if (p.fragMaxSize != 0) return p.fragMaxSize > mtu;
        return !(p.offload.isGso() && p.offload.gsoNetworkSegmentLength(ip) <= mtu);
    }
}

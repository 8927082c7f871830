package jnat.nat;

import jnat.host.Interface;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;

/**
 * ip6_forward (net/ipv6/ip6_output.c): the packet type, hop limit, source and MTU checks, the hop
 * limit decrement, FORWARD, then ip6_output. The kernel's ICMPv6 answers (time exceeded, packet too
 * big, not a neighbour) are not generated yet: the packet is dropped and counted.
 */
final class Ip6Forward {
    /** IPV6_MIN_MTU: no IPv6 link is smaller. */
    static final int IPV6_MIN_MTU = 1280;
    private static final long LINK_LOCAL_HI = 0xfe80_0000_0000_0000L, LINK_LOCAL_MASK = 0xffc0_0000_0000_0000L;

    private final NfHooks hooks;
    private final Ip6Output output;
    private final NetStats stats;
    private final Trace trace;

    Ip6Forward(NfHooks hooks, Ip6Output output, NetStats stats, Trace trace) {
        this.hooks = hooks;
        this.output = output;
        this.stats = stats;
        this.trace = trace;
    }

    void forward(PacketState p) {
        Ipv6Packet ip = p.ip6;
        if (!p.pktTypeHost) {
            stats.drop(p, DropReason.IPV6_NOT_HOST);
            return;
        }
        if (ip.hopLimit() <= 1) {
            stats.drop(p, DropReason.HOP_LIMIT_EXCEEDED); // ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT
            return;
        }
        Interface out = p.route6.out();
        // Leaving by the device it came in on the kernel sends a redirect and skips the source check.
        if (p.in != out && !forwardableSource(ip.srcHi(), ip.srcLo())) {
            stats.drop(p, DropReason.IPV6_SOURCE_NOT_FORWARDED);
            return;
        }
        if (ip.length() > Math.max(out.mtu(), IPV6_MIN_MTU)) { // ip6_pkt_too_big (no GSO for IPv6 here)
            stats.drop(p, DropReason.PACKET_TOO_BIG);
            return;
        }
        ip.decrementHopLimit();
        p.routeTo6(p.route6);
        if (trace.on()) trace.line("  route: forward out " + out.name() + " via " + Ipv6Address.format(p.nexthopHi, p.nexthopLo));
        if (!hooks.forward(p)) return;
        output.output(p);
    }

    /** ipv6_addr_type of the source: not ::, multicast, loopback or link-local ("security critical"). */
    private static boolean forwardableSource(long hi, long lo) {
        if (hi == 0 && (lo == 0 || lo == 1)) return false;
        return !Ip6Input.isMulticast(hi) && (hi & LINK_LOCAL_MASK) != LINK_LOCAL_HI;
    }
}

package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.wire.EtherType;
import jnat.wire.Ipv6Packet;

/**
 * The IPv6 output path (net/ipv6/ip6_output.c): ip6_output (POSTROUTING) and ip6_finish_output2
 * (the neighbour's link header, IPv6's ethertype), through {@link IpOutput#transmit}. A forwarded
 * packet was checked against the MTU in {@link Ip6Forward}; IPv6 routers never fragment.
 */
final class Ip6Output {
    private final Host host;
    private final NfHooks hooks;
    private final IpOutput link;
    private final Trace trace;

    Ip6Output(Host host, NfHooks hooks, IpOutput link, Trace trace) {
        this.host = host;
        this.hooks = hooks;
        this.link = link;
        this.trace = trace;
    }

    /** ip6_output: POSTROUTING, then ip6_finish_output2. */
    void output(PacketState p) {
        if (hooks.postRouting(p)) finishOutput2(p);
    }

    /** ip6_finish_output2: the nexthop's neighbour (Host.linkAddress6) and the frame out. */
    private void finishOutput2(PacketState p) {
        Ipv6Packet ip = p.ip6;
        Interface out = p.out;
        if (trace.on()) trace.line(out.name() + " out: " + Trace.summary(ip));
        long dstMac = Interface.NO_MAC;
        if (out.hasMac()) {
            p.offload.checksumHelp(ip.buffer(), ip.offset(), ip.length()); // the layer-2 devices here have no offloads
            dstMac = host.linkAddress6(out, p.nexthopHi, p.nexthopLo);
        }
        link.transmit(p, ip.buffer(), ip.offset(), ip.length(), dstMac, EtherType.IPV6);
    }
}

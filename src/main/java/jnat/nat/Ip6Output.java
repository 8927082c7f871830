package jnat.nat;

/**
 * The IPv6 output path (net/ipv6/ip6_output.c): ip6_output (POSTROUTING), then ip6_finish_output2
 * through {@link IpOutput#finishOutput2}, which finds the neighbour in the packet's family and
 * writes IPv6's ethertype. A forwarded packet was checked against the MTU in {@link Ip6Forward};
 * IPv6 routers never fragment.
 */
final class Ip6Output {
    private final NfHooks hooks;
    private final IpOutput link;

    Ip6Output(NfHooks hooks, IpOutput link) {
        this.hooks = hooks;
        this.link = link;
    }

    /** ip6_output: POSTROUTING, then ip6_finish_output2. */
    void output(PacketState p) {
        if (hooks.postRouting(p)) link.finishOutput2(p, p.ip6.buffer(), p.ip6.offset(), p.ip6.length());
    }
}

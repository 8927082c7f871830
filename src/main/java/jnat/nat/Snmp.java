package jnat.nat;

/**
 * The host's MIB counters, as /proc/net/snmp, /proc/net/snmp6 and /proc/net/netstat show them
 * (net/ipv4/proc.c, net/ipv6/proc.c): each lane of the engine counts its own, as each CPU does,
 * and a read sums them (snmp_fold_field).
 */
public final class Snmp {
    private final NatEngine e;

    Snmp(NatEngine engine) {
        this.e = engine;
    }

    /** Datagrams delivered to the host for a port no socket held (UDP_MIB_NOPORTS), answered by a port unreachable unless limited. */
    public long udpNoPorts(boolean ipv6) {
        return e.sum(l -> ipv6 ? l.udp6.noPorts : l.udp.noPorts);
    }

    /** RSTs the host sent for segments no socket held (TCP_MIB_OUTRSTS). */
    public long tcpResetsSent(boolean ipv6) {
        return e.sum(l -> ipv6 ? l.tcp6.outRsts : l.tcp.outRsts);
    }

    /** Packets delivered to the host itself, both families. */
    public long deliveredLocally() {
        return e.sum(l -> l.stats.delivered(false) + l.stats.delivered(true));
    }

    /** IPv6 packets ({@code ipv6}) or IPv4 ones (ARP among them) delivered to the host itself. */
    public long deliveredLocally(boolean ipv6) {
        return e.sum(l -> l.stats.delivered(ipv6));
    }

    /** Reassembled IPv6 packets sent as fragments again (Ip6: FragOKs). */
    public long fragmented6() {
        return e.sum(l -> l.output6.fragOks());
    }

    /** IPv6 fragments sent (Ip6: FragCreates). */
    public long fragmentsCreated6() {
        return e.sum(l -> l.output6.fragCreates());
    }

    /** Datagrams sent as fragments (Ip: FragOKs). */
    public long fragmented() {
        return e.sum(l -> l.output.fragOks());
    }

    /** Fragments sent (Ip: FragCreates). */
    public long fragmentsCreated() {
        return e.sum(l -> l.output.fragCreates());
    }

    /** ICMP errors the host sent (time exceeded, fragmentation needed, unreachable): ICMP_MIB_OUTERRORS-like. */
    public long icmpErrorsSent() {
        return e.sum(l -> l.icmp.errorsSent);
    }

    /** Echo replies the host sent to pings of its own addresses. */
    public long icmpEchoRepliesSent() {
        return e.sum(l -> l.icmp.echoRepliesSent);
    }

    /** ICMP messages not sent because a rate limit said no (ICMP_MIB_RATELIMITGLOBAL + RATELIMITHOST, and ip_error's). */
    public long icmpRateLimited() {
        return e.sum(l -> l.icmp.rateLimited);
    }

    /** ICMPv6 errors the host sent (time exceeded, packet too big, unreachable). */
    public long icmpv6ErrorsSent() {
        return e.sum(l -> l.icmp6.errorsSent);
    }

    /** ICMPv6 echo replies and neighbour advertisements the host sent. */
    public long icmpv6RepliesSent() {
        return e.sum(l -> l.icmp6.echoRepliesSent + l.icmp6.advertisementsSent);
    }

    /** ICMPv6 echo replies the host sent to pings of its own addresses. */
    public long icmpv6EchoRepliesSent() {
        return e.sum(l -> l.icmp6.echoRepliesSent);
    }

    /** Packets that waited for a neighbour the host had to resolve itself (arp_tbl's or nd_tbl's queue). */
    public long neighbourPacketsQueued(boolean ipv6) {
        return ipv6 ? e.neigh6.queued : e.neigh4.queued;
    }

    /** Of those, the ones that left when their neighbour answered (the rest were dropped: neigh-queuefull, neigh-failed). */
    public long neighbourPacketsReleased(boolean ipv6) {
        return ipv6 ? e.neigh6.released : e.neigh4.released;
    }

    /** ARP requests and neighbour solicitations sent for neighbours being resolved. */
    public long neighbourSolicitationsSent(boolean ipv6) {
        return e.sum(l -> ipv6 ? l.ndisc.solicitationsSent : l.arp.requestsSent);
    }

    /** IPv6 redirects sent (ip6_forward's, for packets leaving by the device they came in on). */
    public long redirectsSent() {
        return e.sum(l -> l.ndisc.redirectsSent);
    }

    public long neighbourAdvertisementsSent() {
        return e.sum(l -> l.icmp6.advertisementsSent);
    }

    /** ICMPv6 errors not sent because a rate limit said no. */
    public long icmpv6RateLimited() {
        return e.sum(l -> l.icmp6.rateLimited);
    }
}

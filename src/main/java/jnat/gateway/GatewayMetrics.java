package jnat.gateway;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jnat.conntrack.ConnTable;
import jnat.conntrack.ConntrackPrinter;
import jnat.conntrack.Status;
import jnat.conntrack.TcpTracker;
import jnat.linux.InterfaceCounters;
import jnat.nat.DropReason;
import jnat.nat.NatEngine;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The gateway's Prometheus metrics (text format at /metrics), read from the engine and the loop
 * when scraped: nothing is counted twice and the packet path does no extra work. The counters of
 * packets and connections carry a {@code family} label, "ipv4" or "ipv6" (the kernel's snmp and
 * snmp6 split): the series of one name add up to what it counted before the label came, so a
 * query that sums over the other labels keeps its meaning.
 *
 * <pre>
 * jnat_interface_packets_total{interface,direction="rx"|"tx",family}   packets the TUN device read / wrote
 * jnat_interface_bytes_total{interface,direction,family}
 * jnat_interface_tx_errors_total{interface}                    writes the kernel refused
 * jnat_drops_total{reason,family}                              engine drops, by DropReason label
 * jnat_conntrack_invalid_total{family}                         packets conntrack found INVALID
 * jnat_conntrack_connections{family,protocol,state}            live entries; state is the TCP state,
 *                                                              else UNREPLIED, REPLIED or ASSURED
 * jnat_conntrack_max                                           nf_conntrack_max (both families share it)
 * jnat_nat_port_allocation_failures_total{family}              new connections dropped because no free
 *                                                              NAT tuple was left (insert clash)
 * jnat_local_deliveries_total{family}                          packets delivered to the gateway itself (ARP: ipv4)
 * jnat_icmp_sent_total{kind,family}                            ICMP and ICMPv6 the gateway sent itself: error,
 *                                                              echo-reply; neighbour-advertisement (ipv6)
 * jnat_icmp_ratelimited_total{family}                          held back by the kernel's rate limits
 * jnat_ipfrag_queues{family}                                   incomplete datagrams held for reassembly
 * jnat_ipfrag_memory_bytes{family}                             memory they hold (ipfrag_high_thresh,
 *                                                              nf_conntrack_frag6_high_thresh bound it)
 * jnat_ip_reassembled_total{family}                            datagrams reassembled (Ip/Ip6: ReasmOKs)
 * jnat_ip_fragmented_total{family}, jnat_ip_fragments_sent_total{family}   datagrams sent as fragments, and
 *                                                              the fragments (FragOKs, FragCreates)
 * </pre>
 */
public final class GatewayMetrics {
    static final String IPV4 = "ipv4", IPV6 = "ipv6";

    private GatewayMetrics() {}

    /** Registers the gateway's metrics in {@code registry}. */
    public static void register(Gateway g, PrometheusRegistry registry) {
        int n = g.attachments().size();
        CounterWithCallback.builder().name("jnat_interface_packets_total")
                .help("Packets read from (rx) and written to (tx) each interface's TUN device, by IP version")
                .labelNames("interface", "direction", "family")
                .callback(cb -> {
                    for (int k = 0; k < n; k++) {
                        InterfaceCounters c = g.counters(k);
                        String name = g.attachments().get(k).iface().name();
                        cb.call(c.rxPackets() - c.rx6Packets(), name, "rx", IPV4);
                        cb.call(c.rx6Packets(), name, "rx", IPV6);
                        cb.call(c.txPackets() - c.tx6Packets(), name, "tx", IPV4);
                        cb.call(c.tx6Packets(), name, "tx", IPV6);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("jnat_interface_bytes_total")
                .help("Bytes (IP packets) read from (rx) and written to (tx) each interface's TUN device, by IP version")
                .labelNames("interface", "direction", "family")
                .callback(cb -> {
                    for (int k = 0; k < n; k++) {
                        InterfaceCounters c = g.counters(k);
                        String name = g.attachments().get(k).iface().name();
                        cb.call(c.rxBytes() - c.rx6Bytes(), name, "rx", IPV4);
                        cb.call(c.rx6Bytes(), name, "rx", IPV6);
                        cb.call(c.txBytes() - c.tx6Bytes(), name, "tx", IPV4);
                        cb.call(c.tx6Bytes(), name, "tx", IPV6);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("jnat_interface_tx_errors_total")
                .help("Packets the kernel refused when written to the interface's TUN device")
                .labelNames("interface")
                .callback(cb -> {
                    for (int k = 0; k < n; k++) cb.call(g.counters(k).txErrors(), g.attachments().get(k).iface().name());
                }).register(registry);
        CounterWithCallback.builder().name("jnat_drops_total")
                .help("Packets the engine dropped, by reason and IP version")
                .labelNames("reason", "family")
                .callback(cb -> {
                    int reasons = DropReason.values().length;
                    long[] d = g.withEngine(e -> {
                        long[] a = new long[2 * reasons];
                        for (DropReason r : DropReason.values()) {
                            a[r.ordinal()] = e.drops(r, false);
                            a[reasons + r.ordinal()] = e.drops(r, true);
                        }
                        return a;
                    });
                    for (DropReason r : DropReason.values()) {
                        cb.call(d[r.ordinal()], r.label(), IPV4);
                        cb.call(d[reasons + r.ordinal()], r.label(), IPV6);
                    }
                }).register(registry);
        perFamily(registry, g, "jnat_conntrack_invalid_total", "Packets conntrack found INVALID (passed on untracked, not NATed)",
                (e, v6) -> e.invalid(v6));
        perFamily(registry, g, "jnat_nat_port_allocation_failures_total",
                "New connections dropped because NAT found no free tuple (port) for them",
                (e, v6) -> e.drops(DropReason.NAT_NO_FREE_TUPLE, v6));
        perFamily(registry, g, "jnat_local_deliveries_total", "Packets delivered to the gateway itself (not forwarded)",
                (e, v6) -> e.snmp().deliveredLocally(v6));
        CounterWithCallback.builder().name("jnat_icmp_sent_total")
                .help("ICMP and ICMPv6 messages the gateway sent itself: errors (time exceeded, fragmentation needed or "
                        + "packet too big, unreachable), echo replies, neighbour advertisements")
                .labelNames("kind", "family")
                .callback(cb -> {
                    long[] v = g.withEngine(e -> new long[] {e.snmp().icmpErrorsSent(), e.snmp().icmpEchoRepliesSent(),
                            e.snmp().icmpv6ErrorsSent(), e.snmp().icmpv6EchoRepliesSent(), e.snmp().neighbourAdvertisementsSent()});
                    cb.call(v[0], "error", IPV4);
                    cb.call(v[1], "echo-reply", IPV4);
                    cb.call(v[2], "error", IPV6);
                    cb.call(v[3], "echo-reply", IPV6);
                    cb.call(v[4], "neighbour-advertisement", IPV6);
                }).register(registry);
        perFamily(registry, g, "jnat_icmp_ratelimited_total",
                "ICMP messages the gateway did not send because a rate limit said no (icmp_ratelimit, icmp_msgs_per_sec, "
                        + "route/error_cost; icmpv6 ratelimit)",
                (e, v6) -> v6 ? e.snmp().icmpv6RateLimited() : e.snmp().icmpRateLimited());
        GaugeWithCallback.builder().name("jnat_conntrack_connections")
                .help("Connections in the conntrack table, by IP version, protocol and state")
                .labelNames("family", "protocol", "state")
                .callback(cb -> {
                    Map<String, Integer> counts = g.withEngine(e -> byProtocolAndState(e.connections(), System.nanoTime()));
                    counts.forEach((k, v) -> {
                        String[] f = k.split(" ", 3);
                        cb.call(v, f[0], f[1], f[2]);
                    });
                }).register(registry);
        CounterWithCallback.builder().name("jnat_lane_concurrent_packets_total")
                .help("Packets the workers' lanes of the engine ran concurrently, beside each other's (established "
                        + "connections); the rest ran with the engine to themselves (--workers)")
                .callback(cb -> cb.call(g.withEngine(NatEngine::concurrentPackets)))
                .register(registry);
        CounterWithCallback.builder().name("jnat_worker_packets_total")
                .help("Packets each forwarding worker read (rx) and wrote (tx), over its queues of every device (--workers)")
                .labelNames("worker", "direction")
                .callback(cb -> {
                    for (int w = 0; w < g.workerCount(); w++) {
                        long[] p = g.workerPackets(w);
                        cb.call(p[0], Integer.toString(w), "rx");
                        cb.call(p[1], Integer.toString(w), "tx");
                    }
                }).register(registry);
        CounterWithCallback.builder().name("jnat_conntrack_early_drops_total")
                .help("Unassured connections evicted because the table was full or nearly (early_drop)")
                .callback(cb -> cb.call(g.withEngine(e -> e.connections().earlyDrops()))).register(registry);
        perFamilyGauge(registry, g, "jnat_ipfrag_queues",
                "Incomplete datagrams held for reassembly (nf_defrag_ipv4, nf_defrag_ipv6), by IP version",
                (e, v6) -> v6 ? e.defrag6().queues() : e.defrag().queues());
        perFamilyGauge(registry, g, "jnat_ipfrag_memory_bytes", "Memory the reassembly queues hold, by IP version; above "
                        + "ipfrag_high_thresh (nf_conntrack_frag6_high_thresh) fragments are refused",
                (e, v6) -> v6 ? e.defrag6().memory() : e.defrag().memory());
        perFamily(registry, g, "jnat_ip_reassembled_total", "Datagrams reassembled from fragments (ReasmOKs), by IP version",
                (e, v6) -> v6 ? e.defrag6().reasmOks() : e.defrag().reasmOks());
        perFamily(registry, g, "jnat_ip_fragmented_total", "Datagrams sent as fragments (FragOKs), by IP version",
                (e, v6) -> v6 ? e.snmp().fragmented6() : e.snmp().fragmented());
        perFamily(registry, g, "jnat_ip_fragments_sent_total", "Fragments sent (FragCreates), by IP version",
                (e, v6) -> v6 ? e.snmp().fragmentsCreated6() : e.snmp().fragmentsCreated());
        GaugeWithCallback.builder().name("jnat_conntrack_max")
                .help("The most connections the table holds (nf_conntrack_max)")
                .callback(cb -> cb.call(g.withEngine(e -> e.connections().max()))).register(registry);
    }

    /** An engine counter of one family. */
    interface FamilyCounter {
        long get(NatEngine e, boolean ipv6);
    }

    /** A counter whose only label is the family. */
    private static void perFamily(PrometheusRegistry registry, Gateway g, String name, String help, FamilyCounter c) {
        CounterWithCallback.builder().name(name).help(help).labelNames("family")
                .callback(cb -> {
                    long[] v = g.withEngine(e -> new long[] {c.get(e, false), c.get(e, true)});
                    cb.call(v[0], IPV4);
                    cb.call(v[1], IPV6);
                }).register(registry);
    }

    /** A gauge whose only label is the family. */
    private static void perFamilyGauge(PrometheusRegistry registry, Gateway g, String name, String help, FamilyCounter c) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("family")
                .callback(cb -> {
                    long[] v = g.withEngine(e -> new long[] {c.get(e, false), c.get(e, true)});
                    cb.call(v[0], IPV4);
                    cb.call(v[1], IPV6);
                }).register(registry);
    }

    /** "family protocol state" to count; the state of a TCP entry is its TCP state. */
    static Map<String, Integer> byProtocolAndState(ConnTable t, long now) {
        Map<String, Integer> m = new TreeMap<>();
        for (int id = t.nextConfirmed(0); id >= 0; id = t.nextConfirmed(id + 1)) {
            if (t.expired(id, now)) continue;
            int proto = t.protocol(id);
            String state;
            if (proto == 6) {
                state = TcpTracker.name(t.tcpState(id));
            } else if ((t.status(id) & Status.SEEN_REPLY) == 0) {
                state = "UNREPLIED";
            } else {
                state = (t.status(id) & Status.ASSURED) != 0 ? "ASSURED" : "REPLIED";
            }
            m.merge((t.ipv6(id) ? IPV6 : IPV4) + " " + ConntrackPrinter.protoName(proto) + " " + state, 1, Integer::sum);
        }
        return m;
    }

    /** Serves {@code registry} over HTTP on {@code host:port} (port 0: any free port). */
    public static HTTPServer serve(PrometheusRegistry registry, String host, int port) throws IOException {
        return HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }
}

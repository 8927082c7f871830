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
 * when scraped: nothing is counted twice and the packet path does no extra work.
 *
 * <pre>
 * jnat_interface_packets_total{interface,direction="rx"|"tx"}   packets the TUN device read / wrote
 * jnat_interface_bytes_total{interface,direction}
 * jnat_interface_tx_errors_total{interface}                    writes the kernel refused
 * jnat_drops_total{reason}                                     engine drops, by DropReason label
 * jnat_conntrack_invalid_total                                 packets conntrack found INVALID
 * jnat_conntrack_connections{protocol,state}                   live entries; state is the TCP state,
 *                                                              else UNREPLIED, REPLIED or ASSURED
 * jnat_conntrack_max                                           nf_conntrack_max
 * jnat_nat_port_allocation_failures_total                      new connections dropped because no free
 *                                                              NAT tuple was left (insert clash)
 * jnat_local_deliveries_total                                  packets delivered to the gateway itself
 * jnat_icmp_sent_total{kind}                                   ICMP the gateway sent itself: error, echo-reply
 * jnat_icmp_ratelimited_total                                  ICMP held back by the kernel's rate limits
 * jnat_ipfrag_queues                                           incomplete datagrams held for reassembly
 * jnat_ipfrag_memory_bytes                                     memory they hold (ipfrag_high_thresh bounds it)
 * jnat_ip_reassembled_total                                    datagrams reassembled (Ip: ReasmOKs)
 * jnat_ip_fragmented_total, jnat_ip_fragments_sent_total       datagrams sent as fragments, and the fragments
 *                                                              (Ip: FragOKs, FragCreates)
 * </pre>
 */
public final class GatewayMetrics {
    private GatewayMetrics() {}

    /** Registers the gateway's metrics in {@code registry}. */
    public static void register(Gateway g, PrometheusRegistry registry) {
        int n = g.attachments().size();
        CounterWithCallback.builder().name("jnat_interface_packets_total")
                .help("Packets read from (rx) and written to (tx) each interface's TUN device")
                .labelNames("interface", "direction")
                .callback(cb -> {
                    for (int k = 0; k < n; k++) {
                        InterfaceCounters c = g.counters(k);
                        String name = g.attachments().get(k).iface().name();
                        cb.call(c.rxPackets(), name, "rx");
                        cb.call(c.txPackets(), name, "tx");
                    }
                }).register(registry);
        CounterWithCallback.builder().name("jnat_interface_bytes_total")
                .help("Bytes (IP packets) read from (rx) and written to (tx) each interface's TUN device")
                .labelNames("interface", "direction")
                .callback(cb -> {
                    for (int k = 0; k < n; k++) {
                        InterfaceCounters c = g.counters(k);
                        String name = g.attachments().get(k).iface().name();
                        cb.call(c.rxBytes(), name, "rx");
                        cb.call(c.txBytes(), name, "tx");
                    }
                }).register(registry);
        CounterWithCallback.builder().name("jnat_interface_tx_errors_total")
                .help("Packets the kernel refused when written to the interface's TUN device")
                .labelNames("interface")
                .callback(cb -> {
                    for (int k = 0; k < n; k++) cb.call(g.counters(k).txErrors(), g.attachments().get(k).iface().name());
                }).register(registry);
        CounterWithCallback.builder().name("jnat_drops_total")
                .help("Packets the engine dropped, by reason")
                .labelNames("reason")
                .callback(cb -> {
                    long[] d = g.withEngine(e -> {
                        long[] a = new long[DropReason.values().length];
                        for (DropReason r : DropReason.values()) a[r.ordinal()] = e.drops(r);
                        return a;
                    });
                    for (DropReason r : DropReason.values()) cb.call(d[r.ordinal()], r.label());
                }).register(registry);
        CounterWithCallback.builder().name("jnat_conntrack_invalid_total")
                .help("Packets conntrack found INVALID (passed on untracked, not NATed)")
                .callback(cb -> cb.call(g.withEngine(e -> e.invalid()))).register(registry);
        CounterWithCallback.builder().name("jnat_nat_port_allocation_failures_total")
                .help("New connections dropped because NAT found no free tuple (port) for them")
                .callback(cb -> cb.call(g.withEngine(e -> e.drops(DropReason.NAT_NO_FREE_TUPLE)))).register(registry);
        CounterWithCallback.builder().name("jnat_local_deliveries_total")
                .help("Packets delivered to the gateway itself (not forwarded)")
                .callback(cb -> cb.call(g.withEngine(e -> e.deliveredLocally()))).register(registry);
        CounterWithCallback.builder().name("jnat_icmp_sent_total")
                .help("ICMP messages the gateway sent itself: errors (time exceeded, fragmentation needed, unreachable) and echo replies")
                .labelNames("kind")
                .callback(cb -> {
                    long[] v = g.withEngine(e -> new long[] {e.icmpErrorsSent(), e.icmpEchoRepliesSent()});
                    cb.call(v[0], "error");
                    cb.call(v[1], "echo-reply");
                }).register(registry);
        CounterWithCallback.builder().name("jnat_icmp_ratelimited_total")
                .help("ICMP messages the gateway did not send because a rate limit said no (icmp_ratelimit, icmp_msgs_per_sec, route/error_cost)")
                .callback(cb -> cb.call(g.withEngine(e -> e.icmpRateLimited()))).register(registry);
        GaugeWithCallback.builder().name("jnat_conntrack_connections")
                .help("Connections in the conntrack table, by protocol and state")
                .labelNames("protocol", "state")
                .callback(cb -> {
                    Map<String, Integer> counts = g.withEngine(e -> byProtocolAndState(e.connections(), System.nanoTime()));
                    counts.forEach((k, v) -> {
                        int sp = k.indexOf(' ');
                        cb.call(v, k.substring(0, sp), k.substring(sp + 1));
                    });
                }).register(registry);
        CounterWithCallback.builder().name("jnat_conntrack_early_drops_total")
                .help("Unassured connections evicted because the table was full or nearly (early_drop)")
                .callback(cb -> cb.call(g.withEngine(e -> e.connections().earlyDrops()))).register(registry);
        GaugeWithCallback.builder().name("jnat_ipfrag_queues")
                .help("Incomplete IPv4 datagrams held for reassembly (nf_defrag_ipv4)")
                .callback(cb -> cb.call(g.withEngine(e -> e.defrag().queues()))).register(registry);
        GaugeWithCallback.builder().name("jnat_ipfrag_memory_bytes")
                .help("Memory the reassembly queues hold; above ipfrag_high_thresh fragments are refused")
                .callback(cb -> cb.call(g.withEngine(e -> e.defrag().memory()))).register(registry);
        CounterWithCallback.builder().name("jnat_ip_reassembled_total")
                .help("IPv4 datagrams reassembled from fragments (ReasmOKs)")
                .callback(cb -> cb.call(g.withEngine(e -> e.defrag().reasmOks()))).register(registry);
        CounterWithCallback.builder().name("jnat_ip_fragmented_total")
                .help("IPv4 datagrams sent as fragments (FragOKs)")
                .callback(cb -> cb.call(g.withEngine(NatEngine::fragmented))).register(registry);
        CounterWithCallback.builder().name("jnat_ip_fragments_sent_total")
                .help("IPv4 fragments sent (FragCreates)")
                .callback(cb -> cb.call(g.withEngine(NatEngine::fragmentsCreated))).register(registry);
        GaugeWithCallback.builder().name("jnat_conntrack_max")
                .help("The most connections the table holds (nf_conntrack_max)")
                .callback(cb -> cb.call(g.withEngine(e -> e.connections().max()))).register(registry);
    }

    /** "protocol state" to count; the state of a TCP entry is its TCP state. */
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
            m.merge(ConntrackPrinter.protoName(proto) + " " + state, 1, Integer::sum);
        }
        return m;
    }

    /** Serves {@code registry} over HTTP on {@code host:port} (port 0: any free port). */
    public static HTTPServer serve(PrometheusRegistry registry, String host, int port) throws IOException {
        return HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }
}

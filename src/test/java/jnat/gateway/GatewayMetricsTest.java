package jnat.gateway;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import jnat.wire.IcmpRepr;
import jnat.wire.Icmpv6Repr;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Repr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The family label of the gateway's metrics, scraped over HTTP from a gateway on the lab's host with
 * both rulesets, without devices (packets handed to {@link Gateway#receive}; the engine's counters).
 */
class GatewayMetricsTest {
    static final int DOCKER0 = 0, ETH0 = 1;

    NatEngine engine;
    Gateway gateway;
    HTTPServer server;

    @BeforeEach
    void start() throws IOException {
        Host host = Host.fromFile(Path.of("scripts/lab-host.ip"));
        engine = new NatEngine(host, Ruleset.parse(Files.readString(Path.of("scripts/lab.rules"))));
        engine.setRuleset6(Ruleset.parse(Files.readString(Path.of("scripts/lab6.rules")), true));
        gateway = new Gateway(engine, List.of(new Gateway.Attachment(host.device("docker0"), "jnat-docker0"),
                new Gateway.Attachment(host.device("eth0"), "jnat-eth0")));
        PrometheusRegistry registry = new PrometheusRegistry();
        GatewayMetrics.register(gateway, registry);
        server = GatewayMetrics.serve(registry, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    void receive(int k, byte[] ip) {
        byte[] buf = new byte[65535];
        System.arraycopy(ip, 0, buf, 0, ip.length);
        gateway.receive(k, buf, 0, ip.length, System.nanoTime(), (i, b, off, len) -> {});
    }

    String scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), sample + " not in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void connectionsAreCountedByFamily() throws Exception {
        receive(DOCKER0, Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:2::8").packet(Icmpv6Repr.echoRequest(7, 1, new byte[8])));
        receive(DOCKER0, Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:2::8").packet(Icmpv6Repr.echoRequest(8, 1, new byte[8])));
        receive(DOCKER0, Ipv4Repr.of("172.17.0.2", "198.51.100.8").packet(IcmpRepr.echoRequest(7, 1, new byte[8])));
        String m = scrape();
        assertEquals(2, value(m, "jnat_conntrack_connections{family=\"ipv6\",protocol=\"icmpv6\",state=\"UNREPLIED\"}"));
        assertEquals(1, value(m, "jnat_conntrack_connections{family=\"ipv4\",protocol=\"icmp\",state=\"UNREPLIED\"}"));
    }

    @Test
    void dropsCarryTheFamilyOfTheDroppedPacket() throws Exception {
        // Docker's raw rule: the container's address straight from the internet is dropped (raw-drop)
        receive(ETH0, Ipv6Repr.of("2001:db8:1::1", "fd49:efd7:54aa::2").packet(Icmpv6Repr.echoRequest(1, 1, new byte[8])));
        receive(DOCKER0, Ipv4Repr.of("172.17.0.2", "198.51.100.8").withTtl(1).packet(IcmpRepr.echoRequest(2, 1, new byte[8])));
        String m = scrape();
        assertEquals(1, value(m, "jnat_drops_total{family=\"ipv6\",reason=\"raw-drop\"}"));
        assertEquals(0, value(m, "jnat_drops_total{family=\"ipv4\",reason=\"raw-drop\"}"));
        assertEquals(1, value(m, "jnat_drops_total{family=\"ipv4\",reason=\"ttl-exceeded\"}"));
        assertEquals(1, value(m, "jnat_icmp_sent_total{family=\"ipv4\",kind=\"error\"}"));
        assertEquals(0, value(m, "jnat_icmp_sent_total{family=\"ipv6\",kind=\"error\"}"));
    }

    @Test
    void pingsOfTheGatewayCountDeliveriesAndEchoRepliesByFamily() throws Exception {
        receive(DOCKER0, Ipv6Repr.of("fd49:efd7:54aa::2", "fd49:efd7:54aa::1").packet(Icmpv6Repr.echoRequest(3, 1, new byte[8])));
        receive(DOCKER0, Ipv6Repr.of("fd49:efd7:54aa::2", "fd49:efd7:54aa::1").packet(Icmpv6Repr.echoRequest(3, 2, new byte[8])));
        receive(DOCKER0, Ipv4Repr.of("172.17.0.2", "172.17.0.1").packet(IcmpRepr.echoRequest(3, 1, new byte[8])));
        String m = scrape();
        assertEquals(2, value(m, "jnat_local_deliveries_total{family=\"ipv6\"}"));
        assertEquals(1, value(m, "jnat_local_deliveries_total{family=\"ipv4\"}"));
        assertEquals(2, value(m, "jnat_icmp_sent_total{family=\"ipv6\",kind=\"echo-reply\"}"));
        assertEquals(1, value(m, "jnat_icmp_sent_total{family=\"ipv4\",kind=\"echo-reply\"}"));
    }

    @Test
    void invalidPacketsAreCountedByFamily() throws Exception {
        byte[] bad = Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:2::8").packet(new jnat.wire.UdpRepr(5000, 53, new byte[4]));
        bad[46] ^= 0x55; // the UDP checksum
        receive(DOCKER0, bad);
        String m = scrape();
        assertEquals(1, value(m, "jnat_conntrack_invalid_total{family=\"ipv6\"}"));
        assertEquals(0, value(m, "jnat_conntrack_invalid_total{family=\"ipv4\"}"));
    }

    @Test
    void interfaceCountersWithoutDevicesAreZeroForBothFamilies() throws Exception {
        String m = scrape();
        for (String f : List.of("ipv4", "ipv6")) {
            assertEquals(0, value(m, "jnat_interface_packets_total{direction=\"rx\",family=\"" + f + "\",interface=\"docker0\"}"));
        }
    }

    @Test
    void reassemblyIsCountedByFamily() throws Exception {
        // a 2000-byte UDP datagram from a container in two fragments: nf_defrag_ipv6 reassembles it, ip6_fragment cuts it again
        byte[] d = Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:2::8").withHopLimit(64)
                .packet(jnat.wire.UdpRepr.of(5000, 53).withPayload(new byte[2000]));
        receive(DOCKER0, fragment(d, 0x4242, 0, 1232, true));
        String half = scrape();
        assertEquals(1, value(half, "jnat_ipfrag_queues{family=\"ipv6\"}"));
        assertEquals(0, value(half, "jnat_ipfrag_queues{family=\"ipv4\"}"));
        assertTrue(value(half, "jnat_ipfrag_memory_bytes{family=\"ipv6\"}") > 0);
        receive(DOCKER0, fragment(d, 0x4242, 1232, d.length - 40 - 1232, false));
        String m = scrape();
        assertEquals(0, value(m, "jnat_ipfrag_queues{family=\"ipv6\"}"));
        assertEquals(1, value(m, "jnat_ip_reassembled_total{family=\"ipv6\"}"));
        assertEquals(0, value(m, "jnat_ip_reassembled_total{family=\"ipv4\"}"));
        assertEquals(1, value(m, "jnat_ip_fragmented_total{family=\"ipv6\"}"));
        assertEquals(2, value(m, "jnat_ip_fragments_sent_total{family=\"ipv6\"}"));
        assertEquals(0, value(m, "jnat_ip_fragments_sent_total{family=\"ipv4\"}"));
    }

    /** A fragment of the IPv6 packet {@code p} (no extension headers): payload bytes [at, at+n), M as {@code more}. */
    static byte[] fragment(byte[] p, int id, int at, int n, boolean more) {
        byte[] f = new byte[48 + n];
        System.arraycopy(p, 0, f, 0, 40);
        f[6] = 44;
        f[4] = (byte) ((8 + n) >>> 8);
        f[5] = (byte) (8 + n);
        f[40] = p[6];
        f[42] = (byte) ((at | (more ? 1 : 0)) >>> 8);
        f[43] = (byte) (at | (more ? 1 : 0));
        f[44] = (byte) (id >>> 24);
        f[45] = (byte) (id >>> 16);
        f[46] = (byte) (id >>> 8);
        f[47] = (byte) id;
        System.arraycopy(p, 40 + at, f, 48, n);
        return f;
    }
}

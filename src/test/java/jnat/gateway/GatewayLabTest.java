package jnat.gateway;

import jnat.cli.CliRun;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end with real programs: scripts/lab.sh's three namespaces, {@code jnat gateway} as a child
 * process in the gw namespace (the JVM run directly on the test classpath: in {@code mvn verify}
 * the jar is built after the tests), and ping, tcpdump, curl, python3 and iperf3 in the container
 * and wan namespaces. Every packet between them crosses jnat.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayLabTest {
    static final String SERVER = LabGateway.SERVER, GATEWAY_WAN = LabGateway.GATEWAY_WAN, CONTAINER = LabGateway.CONTAINER;

    LabGateway lab;

    @BeforeAll
    void up() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "ping", "tcpdump", "curl", "iperf3", "python3")) Tools.require(t);
        lab = new LabGateway(labName(), Path.of("scripts/lab.rules"), gatewayArgs());
    }

    /** The lab's name prefix (a subclass runs its own lab beside this one). */
    String labName() {
        return "jgw";
    }

    /** Extra options for jnat gateway. */
    String[] gatewayArgs() {
        return new String[0];
    }

    @AfterAll
    void down() {
        if (lab != null) lab.close();
    }

    Tools.Result in(String ns, String... cmd) {
        return lab.in(ns, cmd);
    }

    LabGateway.Bg startIn(String ns, String ready, String... cmd) throws Exception {
        return lab.startIn(ns, ready, cmd);
    }

    private static String rest(LabGateway.Bg bg, int seconds) throws Exception {
        return LabGateway.rest(bg, seconds);
    }

    CliRun control(String tool, String... args) {
        return lab.control(tool, args);
    }

    @Test
    void pingFromTheContainerGetsRepliesAndLeavesWithTheGatewaysAddress() throws Exception {
        LabGateway.Bg tcpdump = startIn("wan", "listening on", "tcpdump", "-n", "-l", "-c", "2", "-i", "jnat-eth0", "icmp");
        var ping = in("ctr", "ping", "-n", "-c", "3", "-i", "0.2", "-W", "5", SERVER);
        assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
        assertTrue(ping.stdout().contains("3 packets transmitted, 3 received"), ping.stdout());
        String seen = rest(tcpdump, 10);
        assertTrue(seen.contains("IP " + GATEWAY_WAN + " > " + SERVER + ": ICMP echo request"), seen);
        assertTrue(seen.contains("IP " + SERVER + " > " + GATEWAY_WAN + ": ICMP echo reply"), seen);
        assertFalse(seen.contains(CONTAINER), seen);

        var ct = control("conntrack", "-L", "-p", "icmp", "-s", CONTAINER);
        assertEquals(0, ct.exit(), ct.err());
        assertTrue(ct.out().contains("src=" + CONTAINER + " dst=" + SERVER + " type=8 code=0"), ct.out());
        assertTrue(ct.out().contains("src=" + SERVER + " dst=" + GATEWAY_WAN + " type=0 code=0"), ct.out());
    }

    @Test
    void curlFromWanReachesTheContainersHttpServerThroughDnat() throws Exception {
        Path www = Files.createTempDirectory("jnat-www");
        Files.writeString(www.resolve("hello.txt"), "hello from the container\n");
        startIn("ctr", "Serving HTTP", "python3", "-u", "-m", "http.server", "8000", "--bind", CONTAINER,
                "--directory", www.toString());
        var curl = in("wan", "curl", "-sS", "-m", "10", "http://" + GATEWAY_WAN + ":10000/hello.txt");
        assertEquals(0, curl.exitCode(), curl.stderr());
        assertEquals("hello from the container\n", curl.stdout());

        var ct = control("conntrack", "-L", "-p", "tcp", "--dport", "10000");
        assertTrue(ct.out().contains("src=203.0.113.1 dst=" + GATEWAY_WAN), ct.out());
        assertTrue(ct.out().contains("src=" + CONTAINER + " dst=203.0.113.1 sport=8000"), ct.out());

        // the DNAT rule counted the connection's first packet: counters moved, read through the socket
        var list = control("iptables", "-t", "nat", "-nvL", "DOCKER");
        String dnat = list.out().lines().filter(l -> l.contains("DNAT")).findFirst().orElse("");
        assertTrue(Long.parseLong(dnat.trim().split("\\s+")[0]) >= 1, list.out());
    }

    /** One UDP datagram from the container to the server and its answer: the source address the server saw. */
    private String udpExchange(int port) throws Exception {
        LabGateway.Bg server = startIn("wan", "ready", "python3", "-u", "-c", String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.bind(('" + SERVER + "', " + port + "))",
                "print('ready', flush=True)",
                "data, peer = s.recvfrom(100)",
                "s.sendto(data.upper() + b' seen from ' + peer[0].encode(), peer)"));
        var client = in("ctr", "python3", "-c", String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.settimeout(5)",
                "s.sendto(b'ping', ('" + SERVER + "', " + port + "))",
                "print(s.recvfrom(100)[0].decode())"));
        assertEquals(0, client.exitCode(), client.stderr());
        rest(server, 5);
        String reply = client.stdout().trim();
        assertTrue(reply.startsWith("PING seen from "), reply);
        return reply.substring("PING seen from ".length());
    }

    @Test
    void udpExchangeIsMasqueradedBothWays() throws Exception {
        assertEquals(GATEWAY_WAN, udpExchange(5300));
    }

    @Test
    void ruleInsertedThroughTheControlSocketAppliesToTheNextConnection() throws Exception {
        var insert = control("iptables", "-t", "nat", "-I", "POSTROUTING", "-p", "udp", "--dport", "5301",
                "-j", "SNAT", "--to-source", "203.0.113.99");
        assertEquals(0, insert.exit(), insert.err());
        try {
            assertEquals("203.0.113.99", udpExchange(5301));
        } finally {
            assertEquals(0, control("iptables", "-t", "nat", "-D", "POSTROUTING", "1").exit());
        }
    }

    /** bits per second the receiver counted, from iperf3 -J. */
    static double received(String json) {
        Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*?\"bits_per_second\":\\s*([0-9.e+E]+)").matcher(json);
        assertTrue(m.find(), json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void iperf3RunsInBothDirections() throws Exception {
        for (boolean reverse : new boolean[] {false, true}) {
            startIn("wan", "Server listening", "iperf3", "--forceflush", "-s", "-1", "-B", SERVER, "-p", "5201");
            List<String> cmd = Tools.cmd("iperf3", "-c", SERVER, "-p", "5201", "-t", "2", "-J");
            if (reverse) cmd.add("-R");
            var r = in("ctr", cmd.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(received(r.stdout()) > 1e6, (reverse ? "-R: " : "") + r.stdout());
        }
        var ct = control("conntrack", "-L", "-p", "tcp", "--dport", "5201");
        assertTrue(ct.out().contains("src=" + SERVER + " dst=" + GATEWAY_WAN + " sport=5201"), ct.out());
    }

    @Test
    void metricsCountPacketsPerInterfaceAndDirection() throws Exception {
        in("ctr", "ping", "-n", "-c", "1", "-W", "5", SERVER).checked();
        var r = in("gw", "curl", "-sS", "-m", "5", lab.metricsUrl);
        assertEquals(0, r.exitCode(), r.stderr());
        for (String iface : List.of("docker0", "eth0")) {
            for (String dir : List.of("rx", "tx")) {
                Matcher m = Pattern.compile("jnat_interface_packets_total\\{direction=\"" + dir + "\",family=\"ipv4\",interface=\""
                        + iface + "\"} ([0-9.E]+)").matcher(r.stdout());
                assertTrue(m.find(), r.stdout());
                assertTrue(Double.parseDouble(m.group(1)) >= 1, iface + " " + dir + ": " + m.group());
            }
        }
        assertTrue(r.stdout().contains("jnat_drops_total{family=\"ipv4\",reason=\"conntrack-clash\"}"), r.stdout());
        assertTrue(r.stdout().contains("jnat_conntrack_connections{family=\"ipv4\",protocol=\"icmp\""), r.stdout());
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void sigtermClosesTheDevicesAndRemovesTheSocket() throws Exception {
        // ip netns exec execs the JVM: the child is the gateway itself
        Tools.run("kill", "-TERM", Long.toString(lab.gateway.pid())).checked();
        assertTrue(lab.gateway.waitFor(20, TimeUnit.SECONDS), "gateway still running");
        assertEquals(143, lab.gateway.exitValue());
        assertFalse(Files.exists(lab.socket), "control socket left behind");
        // the kernel sides of the TUN devices vanish with their file descriptors
        assertFalse(in("ctr", "ip", "link", "show", "jnat-docker0").exitCode() == 0, "jnat-docker0 still in ctr");
        assertFalse(in("wan", "ip", "link", "show", "jnat-eth0").exitCode() == 0, "jnat-eth0 still in wan");
    }
}

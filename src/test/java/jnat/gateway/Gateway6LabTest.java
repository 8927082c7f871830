package jnat.gateway;

import jnat.cli.CliRun;
import jnat.cli.IptablesRestoreStdin;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dual-stack lab (scripts/lab.sh --ipv6) with real programs: {@code jnat gateway --rules6
 * scripts/lab6.rules} (Docker's ip6tables rules for a --ipv6 network, the container
 * fd49:efd7:54aa::2 published as -p 8080:80) between the container and the "internet" over TUN
 * devices with TSO6 and checksum offloads; ping -6, curl -6, iperf3 -6 and python3 in the peers,
 * tcpdump on the far side to see the translated addresses, the control socket speaking ip6tables.
 * The peers' TUN devices are point-to-point and NOARP: no neighbour discovery crosses them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Gateway6LabTest {
    static final String SERVER = LabGateway.SERVER6, GATEWAY_WAN = LabGateway.GATEWAY_WAN6,
            CONTAINER = LabGateway.CONTAINER6, ROUTER = LabGateway.ROUTER6;

    LabGateway lab;

    @BeforeAll
    void up() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "ping", "tcpdump", "curl", "iperf3", "python3")) Tools.require(t);
        lab = LabGateway.dualStack("jg6");
    }

    @AfterAll
    void down() {
        if (lab != null) lab.close();
    }

    private CliRun control(String tool, String... args) {
        return lab.control(tool, args);
    }

    @Test
    void ping6FromTheContainerIsMasqueradedAndAnswered() throws Exception {
        // echo requests and replies only: the peers' router solicitations and MLD reports are ICMPv6 too
        LabGateway.Bg tcpdump = lab.startIn("wan", "listening on", "tcpdump", "-n", "-l", "-c", "2", "-i", "jnat-eth0",
                "icmp6 and (ip6[40] == 128 or ip6[40] == 129)");
        var ping = lab.in("ctr", "ping", "-6", "-n", "-c", "3", "-i", "0.2", "-W", "5", SERVER);
        assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
        assertTrue(ping.stdout().contains("3 packets transmitted, 3 received"), ping.stdout());
        assertTrue(ping.stdout().contains("ttl=63"), "one hop: the gateway decremented the hop limit: " + ping.stdout());
        String seen = LabGateway.rest(tcpdump, 10);
        assertTrue(seen.contains("IP6 " + GATEWAY_WAN + " > " + SERVER + ": ICMP6, echo request"), seen);
        assertTrue(seen.contains("IP6 " + SERVER + " > " + GATEWAY_WAN + ": ICMP6, echo reply"), seen);
        assertFalse(seen.contains(CONTAINER), seen);

        var ct = control("conntrack", "-L", "-f", "ipv6", "-p", "icmpv6");
        assertEquals(0, ct.exit(), ct.err());
        assertTrue(ct.out().contains("src=" + CONTAINER + " dst=" + SERVER + " type=128 code=0"), ct.out());
        assertTrue(ct.out().contains("src=" + SERVER + " dst=" + GATEWAY_WAN + " type=129 code=0"), ct.out());
    }

    @Test
    void ping6OfTheGatewaysOwnAddressIsAnsweredByJnat() {
        var ping = lab.in("ctr", "ping", "-6", "-n", "-c", "2", "-i", "0.2", "-W", "5", "fd49:efd7:54aa::1");
        assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
        assertTrue(ping.stdout().contains("2 received"), ping.stdout());
        assertTrue(lab.metric("jnat_icmp_sent_total{family=\"ipv6\",kind=\"echo-reply\"}") >= 2);
    }

    @Test
    void curl6FromWanReachesThePublishedPortThroughDnat() throws Exception {
        Path www = Files.createTempDirectory("jnat-www6");
        Files.writeString(www.resolve("hello.txt"), "hello from the container over IPv6\n");
        lab.startIn("ctr", "Serving HTTP", "python3", "-u", "-m", "http.server", "80", "--bind", CONTAINER,
                "--directory", www.toString());
        LabGateway.Bg tcpdump = lab.startIn("ctr", "listening on", "tcpdump", "-n", "-l", "-c", "1", "-i", "jnat-docker0",
                "ip6 and tcp dst port 80 and ip6[53] & 2 != 0" /* the SYN flag; tcp[] is IPv4 only */);
        var curl = lab.in("wan", "curl", "-6", "-g", "-sS", "-m", "10", "http://[" + GATEWAY_WAN + "]:8080/hello.txt");
        assertEquals(0, curl.exitCode(), curl.stderr());
        assertEquals("hello from the container over IPv6\n", curl.stdout());
        String seen = LabGateway.rest(tcpdump, 10);
        assertTrue(seen.contains("IP6 " + ROUTER + "."), "DNAT keeps the client's source: " + seen);
        assertTrue(seen.contains(" > " + CONTAINER + ".80: Flags [S]"), seen);

        var ct = control("conntrack", "-L", "-f", "ipv6", "-p", "tcp", "--dport", "8080");
        assertTrue(ct.out().contains("src=" + ROUTER + " dst=" + GATEWAY_WAN), ct.out());
        assertTrue(ct.out().contains("src=" + CONTAINER + " dst=" + ROUTER + " sport=80"), ct.out());

        // the DNAT rule counted the connection's first packet, read through the socket with ip6tables
        var list = control("ip6tables", "-t", "nat", "-nvL", "DOCKER");
        assertEquals(0, list.exit(), list.err());
        String dnat = list.out().lines().filter(l -> l.contains("DNAT")).findFirst().orElse("");
        assertTrue(dnat.contains("to:[" + CONTAINER + "]:80"), list.out());
        assertTrue(Long.parseLong(dnat.trim().split("\\s+")[0]) >= 1, list.out());
    }

    @Test
    void theContainersAddressStraightFromWanIsDroppedByDockersRawRule() {
        lab.in("wan", "ip", "-6", "route", "replace", "fd49:efd7:54aa::/64", "via", GATEWAY_WAN).checked();
        double before = lab.metric("jnat_drops_total{family=\"ipv6\",reason=\"raw-drop\"}");
        var curl = lab.in("wan", "curl", "-6", "-g", "-sS", "-m", "2", "http://[" + CONTAINER + "]:80/");
        assertTrue(curl.exitCode() != 0, curl.stdout());
        assertTrue(lab.metric("jnat_drops_total{family=\"ipv6\",reason=\"raw-drop\"}") > before);
    }

    /** One UDP datagram from the container to the server's {@code port} and its answer: the source the server saw. */
    private String udpExchange(int port) throws Exception {
        LabGateway.Bg server = lab.startIn("wan", "ready", "python3", "-u", "-c", String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)",
                "s.bind(('" + SERVER + "', " + port + "))",
                "print('ready', flush=True)",
                "data, peer = s.recvfrom(100)",
                "s.sendto(data.upper() + b' seen from ' + peer[0].encode(), peer)"));
        var client = lab.in("ctr", "python3", "-c", String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)",
                "s.settimeout(5)",
                "s.sendto(b'ping', ('" + SERVER + "', " + port + "))",
                "print(s.recvfrom(100)[0].decode())"));
        assertEquals(0, client.exitCode(), client.stderr());
        LabGateway.rest(server, 5);
        String reply = client.stdout().trim();
        assertTrue(reply.startsWith("PING seen from "), reply);
        return reply.substring("PING seen from ".length());
    }

    @Test
    void ip6tablesRestoreThroughTheControlSocketReloadsTheIpv6Rules() throws Exception {
        assertEquals(GATEWAY_WAN, udpExchange(5400));
        String save = control("ip6tables-save").out();
        String withSnat = save.replace("-A POSTROUTING -s fd49:efd7:54aa::/64 ! -o docker0 -j MASQUERADE",
                "-A POSTROUTING -p udp -m udp --dport 5401 -j SNAT --to-source 2001:db8:1::99\n"
                        + "-A POSTROUTING -s fd49:efd7:54aa::/64 ! -o docker0 -j MASQUERADE");
        assertTrue(!withSnat.equals(save), save);
        CliRun[] r = new CliRun[1];
        IptablesRestoreStdin.with(withSnat, () -> r[0] = control("ip6tables-restore"));
        assertEquals(0, r[0].exit(), r[0].err());
        try {
            assertEquals("2001:db8:1::99", udpExchange(5401));
            assertEquals(GATEWAY_WAN, udpExchange(5402), "the other rules came back whole");
        } finally {
            IptablesRestoreStdin.with(save, () -> r[0] = control("ip6tables-restore"));
            assertEquals(0, r[0].exit(), r[0].err());
        }
    }

    /** Bits per second the receiver counted, from iperf3 -J. */
    private static double received(String json) {
        Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*?\"bits_per_second\":\\s*([0-9.e+E]+)").matcher(json);
        assertTrue(m.find(), json);
        return Double.parseDouble(m.group(1));
    }

    /** The largest TCP payload ("length N") among tcpdump's lines. */
    private static int largest(String tcpdump) {
        Matcher m = Pattern.compile("length (\\d+)$", Pattern.MULTILINE).matcher(tcpdump);
        int max = 0;
        while (m.find()) max = Math.max(max, Integer.parseInt(m.group(1)));
        return max;
    }

    @Test
    void iperf3OverIpv6RunsBothWaysInSegmentsLargerThanTheMtu() throws Exception {
        for (boolean reverse : new boolean[] {false, true}) {
            lab.startIn("wan", "Server listening", "iperf3", "--forceflush", "-s", "-1", "-B", SERVER, "-p", "5201");
            // TSO6: the segments cross the gateway whole, translated (tcpdump sees them on the far side)
            String farSide = reverse ? "ctr" : "wan", dev = reverse ? "jnat-docker0" : "jnat-eth0";
            LabGateway.Bg tcpdump = lab.startIn(farSide, "listening on", "timeout", "8", "tcpdump", "-n", "-l", "-c", "3",
                    "-i", dev, "ip6 and tcp and greater 3000");
            List<String> cmd = new ArrayList<>(List.of("iperf3", "-6", "-c", SERVER, "-p", "5201", "-t", "2", "-J"));
            if (reverse) cmd.add("-R");
            var r = lab.in("ctr", cmd.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(received(r.stdout()) > 1e6, (reverse ? "-R: " : "") + r.stdout());
            String seen = LabGateway.rest(tcpdump, 15);
            String expected = reverse ? "IP6 " + SERVER + ".5201 > " + CONTAINER + "." : "IP6 " + GATEWAY_WAN + ".";
            assertTrue(seen.contains(expected), seen);
            assertTrue(largest(seen) > 1428, "IPv6 segments larger than the MTU cross the gateway: " + seen);
        }
        var ct = control("conntrack", "-L", "-f", "ipv6", "-p", "tcp", "--dport", "5201");
        assertTrue(ct.out().contains("src=" + SERVER + " dst=" + GATEWAY_WAN + " sport=5201"), ct.out());
        assertTrue(lab.metric("jnat_interface_bytes_total{direction=\"rx\",family=\"ipv6\",interface=\"docker0\"}") > 1e6);
    }

    @Test
    void ipv4StillCrossesTheDualStackGateway() {
        var ping = lab.in("ctr", "ping", "-4", "-n", "-c", "2", "-i", "0.2", "-W", "5", LabGateway.SERVER);
        assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
        assertTrue(lab.metric("jnat_interface_packets_total{direction=\"tx\",family=\"ipv4\",interface=\"eth0\"}") >= 2);
    }
}

package jnat.host;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Builds the same host in a network namespace (eth0..eth2 are veths whose peers sit, up, in a
 * second namespace) and in jnat, then compares what ip(8) prints for both.
 */
class KernelComparisonTest {
    static final String FILE = """
            link set dev eth0 address 56:00:04:7c:7c:23 mtu 1400 up
            addr add 45.77.200.180/23 dev eth0
            addr add 45.77.200.190/23 dev eth0
            addr add 10.20.0.5/16 brd + dev eth0 label eth0:lan
            addr add 10.21.0.5/24 dev eth0 scope link
            route add default via 45.77.200.1 dev eth0
            link set eth1 address 02:42:d5:35:3a:3c up
            addr add 172.17.0.1/16 brd + dev eth1
            route add 10.30.0.0/16 via 172.17.0.254 metric 100
            route add 10.30.0.0/16 via 45.77.200.2 metric 50 proto static
            route add 10.30.1.0/24 dev eth1 src 45.77.200.190
            route add unreachable 10.40.0.0/16
            route add blackhole 10.41.0.0/16
            route add prohibit 10.42.0.0/16 metric 7
            route add 10.43.0.0/16 dev eth1
            route add 10.44.0.0/16 dev eth0
            route add 10.50.0.0/16 via 10.20.0.1 dev eth0
            route add 10.51.0.0/16 via 45.77.200.190
            route add local 198.51.100.7 dev eth1
            route add 203.0.113.0/24 via 172.17.0.9 onlink dev eth0
            link set eth2 address 02:00:00:00:00:02
            addr add 192.168.5.1/24 dev eth2
            neigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0
            neigh add 172.17.0.2 lladdr 02:42:ac:11:00:02 dev eth1
            """;

    static final String[] DESTINATIONS = {
        "8.8.8.8", "45.77.200.1", "45.77.200.180", "45.77.200.190", "45.77.201.255", "45.77.200.0",
        "10.20.255.255", "10.20.0.5", "10.20.3.4", "10.21.0.255", "10.21.0.9", "172.17.0.2", "172.17.255.255",
        "10.30.1.1", "10.30.2.1", "10.40.0.1", "10.41.0.1", "10.42.0.1", "10.43.0.1", "10.44.0.1", "10.50.0.1",
        "10.51.0.1", "198.51.100.7", "203.0.113.9", "192.168.5.1", "192.168.5.2", "192.168.5.255",
        "255.255.255.255", "224.0.0.1", "239.1.2.3", "127.0.0.1", "127.1.2.3", "0.0.0.0",
    };

    static Netns ns, peers;
    static Host host;

    @BeforeAll
    static void build() {
        Tools.require("ip");
        ns = Netns.create("host");
        peers = Netns.create("peer");
        for (String dev : List.of("eth0", "eth1", "eth2")) {
            String peer = "p" + dev.charAt(3);
            ns.exec("ip", "link", "add", dev, "type", "veth", "peer", "name", peer, "netns", peers.name()).checked();
            peers.exec("ip", "link", "set", peer, "up").checked();
        }
        for (String line : FILE.split("\n")) {
            List<String> cmd = new ArrayList<>(List.of("ip"));
            cmd.addAll(List.of(line.trim().split("\\s+")));
            ns.exec(cmd.toArray(String[]::new)).checked();
        }
        host = Host.parse(FILE, "kernel.ip");
    }

    @AfterAll
    static void tearDown() {
        if (ns != null) ns.close();
        if (peers != null) peers.close();
    }

    @Test
    void routeGetPrintsWhatTheKernelAnswers() {
        StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
        for (String d : DESTINATIONS) {
            Tools.Result r = ns.exec("ip", "route", "get", d);
            kernel.append(r.stdout()).append(r.stderr());
            ours.append(IpFormat.routeGet(Inet4.parse(d), host.routeOutput(Inet4.parse(d))));
        }
        assertEquals(kernel.toString(), ours.toString());
    }

    @Test
    void allRoutingTablesMatchTheKernel() {
        assertEquals(ns.exec("ip", "-4", "route", "show", "table", "all").checked().stdout(), IpFormat.routes(host, 0));
    }

    @Test
    void localTableMatchesTheKernel() {
        assertEquals(ns.exec("ip", "route", "show", "table", "local").checked().stdout(),
                IpFormat.routes(host, Route.TABLE_LOCAL));
    }

    @Test
    void addrShowMatchesTheKernelWithoutIpv6() {
        String kernel = ns.exec("ip", "addr", "show").checked().stdout();
        List<String> lines = new ArrayList<>();
        String[] k = kernel.split("\n");
        for (int i = 0; i < k.length; i++) {
            if (k[i].startsWith("    inet6 ")) { i++; continue; } // and its valid_lft line
            lines.add(k[i].replaceFirst("@if\\d+:", ":").replaceFirst(" link-netns \\S+", ""));
        }
        assertEquals(String.join("\n", lines) + "\n", IpFormat.addresses(host));
    }

    @Test
    void neighShowMatchesTheKernelInHashOrderIndependentWay() {
        // the kernel dumps neighbours in its hash table's order, so compare the sorted lines
        assertEquals(sorted(ns.exec("ip", "-4", "neigh", "show").checked().stdout()), sorted(IpFormat.neighbours(host)));
    }

    private static List<String> sorted(String lines) {
        return Stream.of(lines.split("\n")).sorted().toList();
    }

    @Test
    void addressTypesAgreeWithTheKernelsLocalTable() {
        // inet_addr_type reads table local: LOCAL and BROADCAST there, UNICAST elsewhere
        String local = ns.exec("ip", "route", "show", "table", "local").checked().stdout();
        for (String d : DESTINATIONS) {
            int a = Inet4.parse(d);
            String expected;
            if (Inet4.isZeronet(a) || a == -1) expected = "BROADCAST";
            else if (Inet4.isMulticast(a)) expected = "MULTICAST";
            else expected = kernelLocalType(local, a);
            assertEquals(expected, host.addressType(a).name(), d);
        }
    }

    /** The type of the longest local-table prefix holding {@code a}, from ip route show table local. */
    private static String kernelLocalType(String table, int a) {
        int best = -1;
        String type = "UNICAST";
        for (String line : table.split("\n")) {
            String[] w = line.split(" ");
            String p = w[1];
            int slash = p.indexOf('/');
            int plen = slash < 0 ? 32 : Integer.parseInt(p.substring(slash + 1));
            int dst = Inet4.parse(slash < 0 ? p : p.substring(0, slash));
            if (((a ^ dst) & Inet4.mask(plen)) == 0 && plen > best) {
                best = plen;
                type = w[0].toUpperCase();
            }
        }
        return type;
    }
}

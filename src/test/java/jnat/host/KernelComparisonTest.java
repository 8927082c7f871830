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
import static org.junit.jupiter.api.Assertions.assertFalse;

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
            route append 10.30.1.0/24 dev eth0
            route add unreachable 10.40.0.0/16
            route add blackhole 10.41.0.0/16
            route add prohibit 10.42.0.0/16 metric 7
            route add 10.43.0.0/16 dev eth1
            route add 10.44.0.0/16 dev eth0
            route add 10.50.0.0/16 via 10.20.0.1 dev eth0
            route add 10.51.0.0/16 via 45.77.200.190
            route add local 198.51.100.7 dev eth1
            route add blackhole 198.51.100.128/25 table local
            route add 203.0.113.0/24 via 172.17.0.9 onlink dev eth0
            route add 10.52.0.0/16 via 45.77.200.2 realm 5
            route add 10.53.0.0/16 dev eth1 realms 3/cosmos
            route add 10.54.0.0/16 dev eth1 realm 65537 metric 3
            route add 45.77.200.0/28 dev eth0 realm 0x10
            route add 172.17.0.0/29 dev eth1 realms 9/
            link set eth2 address 02:00:00:00:00:02 group 5
            addr add 192.168.5.1/24 dev eth2
            neigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0
            neigh add 172.17.0.2 lladdr 02:42:ac:11:00:02 dev eth1
            """;

    static final String[] DESTINATIONS = {
        "8.8.8.8", "45.77.200.1", "45.77.200.180", "45.77.200.190", "45.77.201.255", "45.77.200.0",
        "10.20.255.255", "10.20.0.5", "10.20.3.4", "10.21.0.255", "10.21.0.9", "172.17.0.2", "172.17.255.255",
        "10.30.1.1", "10.30.2.1", "10.40.0.1", "10.41.0.1", "10.42.0.1", "10.43.0.1", "10.44.0.1", "10.50.0.1",
        "10.51.0.1", "10.52.0.1", "10.53.0.1", "10.54.0.1", "198.51.100.7", "203.0.113.9", "192.168.5.1", "192.168.5.2", "192.168.5.255",
        "255.255.255.255", "224.0.0.1", "239.1.2.3", "127.0.0.1", "127.1.2.3", "0.0.0.0", "0.1.2.3", "198.51.100.130",
    };

    static Netns ns, peers;
    static Host host;

    @BeforeAll
    static void build() {
        Tools.require("ip");
        ns = Netns.create("host");
        peers = Netns.create("peer");
        // link-local addresses are usable at once, as jnat models DAD (see Ipv6KernelComparison)
        ns.exec("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0").checked();
        ns.exec("sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0").checked();
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
        ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked(); // a NAT host forwards
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

    /** ip route get DST from SRC iif DEV is the kernel's input route (ip_route_input_slow). */
    @Test
    void inputRoutesOfForwardedPacketsMatchTheKernel() {
        StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
        for (String in : List.of("eth0", "eth1")) {
            String src = in.equals("eth0") ? "45.77.200.7" : "172.17.0.2";
            for (String d : DESTINATIONS) {
                Tools.Result r = ns.exec("ip", "route", "get", d, "from", src, "iif", in);
                kernel.append(r.stdout()).append(r.stderr());
                int dst = Inet4.parse(d), s = Inet4.parse(src);
                Interface dev = host.device(in);
                RouteResult res = host.routeInput(dst, s, dev);
                ours.append(IpFormat.routeGetInput(dst, s, dev, 0, res, false,
                        res.isError() ? 0 : host.inputClassid(res.type(), res.route(), res.out(), s, dst)));
            }
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
    void addrShowMatchesTheKernel() {
        String kernel = ns.exec("ip", "addr", "show").checked().stdout();
        List<String> lines = new ArrayList<>();
        for (String l : kernel.split("\n")) lines.add(l.replaceFirst("@if\\d+:", ":").replaceFirst(" link-netns \\S+", ""));
        assertEquals(String.join("\n", lines) + "\n", IpFormat.addresses(host));
    }

    @Test
    void neighShowMatchesTheKernelInHashOrderIndependentWay() {
        // the kernel dumps neighbours in its hash table's order, so compare the sorted lines
        assertEquals(sorted(ns.exec("ip", "-4", "neigh", "show", "nud", "permanent").checked().stdout()), sorted(IpFormat.neighbours(host)));
    }

    private static List<String> sorted(String lines) {
        return Stream.of(lines.split("\n")).sorted().toList();
    }

    /**
     * Asks the kernel's addrtype match itself: one raw PREROUTING rule per (destination, type), with
     * and without --limit-iface-in, then one ICMP packet per destination sent into eth0 from its
     * veth peer (a raw AF_PACKET socket, so even 0.0.0.0/8 and 127/8 destinations arrive). The rule
     * that counted the packet names the kernel's type.
     */
    @Test
    void addressTypesAgreeWithTheKernelsAddrtypeMatch() {
        Tools.require("iptables-restore");
        Tools.require("python3");
        RouteType[] types = {RouteType.UNSPEC, RouteType.UNICAST, RouteType.LOCAL, RouteType.BROADCAST, RouteType.ANYCAST,
                RouteType.MULTICAST, RouteType.BLACKHOLE, RouteType.UNREACHABLE, RouteType.PROHIBIT};
        StringBuilder rules = new StringBuilder("*raw\n");
        for (String d : DESTINATIONS) {
            for (RouteType t : types) {
                for (String limit : new String[] {"", " --limit-iface-in"}) {
                    rules.append("-A PREROUTING -d ").append(d).append("/32 -i eth0 -m addrtype --dst-type ")
                            .append(t.name()).append(limit).append('\n');
                }
            }
        }
        rules.append("COMMIT\n");
        ns.execIn(rules.toString(), "iptables-restore").checked();
        try {
            String script = """
                    import socket, struct, sys
                    def csum(b):
                        s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
                        s = (s >> 16) + (s & 0xffff); s += s >> 16
                        return ~s & 0xffff
                    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                    sock.bind(('p0', 0))
                    for i, d in enumerate(sys.argv[1:]):
                        icmp = struct.pack('!BBHHH', 8, 0, 0, 7, i)
                        icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
                        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 28, i, 0, 64, 1, 0,
                                         socket.inet_aton('203.0.113.5'), socket.inet_aton(d))
                        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
                        eth = bytes.fromhex('5600047c7c23') + bytes.fromhex('020000000099') + b'\\x08\\x00'
                        sock.send(eth + ip + icmp)
                    """;
            List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
            cmd.addAll(List.of(DESTINATIONS));
            peers.exec(cmd.toArray(String[]::new)).checked();
            String saved = ns.exec("iptables-save", "-c", "-t", "raw").checked().stdout();
            StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
            for (String d : DESTINATIONS) {
                kernel.append(d).append(' ').append(countedType(saved, d, false)).append(' ').append(countedType(saved, d, true)).append('\n');
                int a = Inet4.parse(d);
                ours.append(d).append(' ').append(host.addressType(a)).append(' ').append(host.addressType(a, host.device("eth0"))).append('\n');
            }
            assertFalse(kernel.toString().contains("none"), "a packet was not seen:\n" + kernel);
            assertEquals(kernel.toString(), ours.toString());
        } finally {
            ns.exec("iptables", "-t", "raw", "-F", "PREROUTING");
        }
    }

    /** The dst-type of the rule for {@code dst} whose counter moved, from iptables-save -c. */
    private static String countedType(String saved, String dst, boolean limited) {
        String found = "none";
        for (String line : saved.split("\n")) {
            if (!line.startsWith("[") || line.startsWith("[0:") || !line.contains(" -d " + dst + "/32 ")) continue;
            if (line.endsWith("--limit-iface-in") != limited) continue;
            String t = line.replaceFirst(".*--dst-type (\\S+).*", "$1");
            found = found.equals("none") ? t : found + "+" + t;
        }
        return found;
    }
}

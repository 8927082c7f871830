package jnat.host;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Builds one host file in a network namespace with the real ip(8) and in jnat, then compares what
 * ip -6 prints for both. Each device the file only configures is a veth whose peer sits, up and
 * without IPv6 (so it sends no solicitations we would learn), in a second namespace; a bridge gets
 * a port so that it has carrier, as in jnat a device that is up has.
 *
 * <p>The namespace forwards IPv6 (a NAT host does; it is what adds the subnet-router anycast
 * routes) and has duplicate address detection off: DAD ends after a random delay
 * (rtr_solicit_delay), so with it on the order in which the kernel adds the routes of addresses on
 * several devices (anycast fe80:: per device) is random, and jnat models DAD as done at once.
 * Every line waits until the kernel has settled (carrier, link-local address) before the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Ipv6KernelComparison {
    /** The host file, run line by line. */
    abstract String file();

    /** The devices the file configures without creating them: veths. */
    abstract List<String> veths();

    /** Destinations for ip -6 route get and the addrtype match. */
    abstract List<String> destinations();

    /** (device, source) pairs for ip -6 route get DST from SRC iif DEV. */
    abstract List<String[]> inputs();

    Netns ns, peers;
    Host host;
    private final List<String> ports = new ArrayList<>();

    @BeforeAll
    void build() {
        Tools.require("ip");
        ns = Netns.create("h6");
        peers = Netns.create("h6p");
        peers.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").checked();
        peers.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").checked();
        for (String s : List.of("all", "default")) {
            ns.exec("sysctl", "-qw", "net.ipv6.conf." + s + ".forwarding=1").checked();
            ns.exec("sysctl", "-qw", "net.ipv6.conf." + s + ".accept_dad=0").checked();
        }
        ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked();
        int i = 0;
        for (String dev : veths()) {
            String peer = "p" + i++;
            ns.exec("ip", "link", "add", dev, "type", "veth", "peer", "name", peer, "netns", peers.name()).checked();
            peers.exec("ip", "link", "set", peer, "up").checked();
        }
        for (String line : file().split("\n")) {
            String l = line.replaceFirst("#.*", "").trim();
            if (l.isEmpty()) continue;
            List<String> cmd = new ArrayList<>(List.of("ip"));
            cmd.addAll(List.of(l.split("\\s+")));
            ns.exec(cmd.toArray(String[]::new)).checked();
            if (l.matches("link add \\S+ type bridge")) addBridgePort(l.split("\\s+")[2]);
            settle();
        }
        host = hostUnderTest();
    }

    /** The host compared with the kernel's: the file's, unless a subclass makes it otherwise. */
    Host hostUnderTest() {
        return Host.parse(file(), "kernel6.ip");
    }

    /** A port without IPv6, up, whose peer is up: the bridge has carrier once it is up itself. */
    private void addBridgePort(String bridge) {
        String port = "bp" + ports.size();
        ports.add(port);
        ns.exec("ip", "link", "add", port, "type", "veth", "peer", "name", "c" + port, "netns", peers.name()).checked();
        ns.exec("sysctl", "-qw", "net.ipv6.conf." + port + ".disable_ipv6=1").checked();
        ns.exec("ip", "link", "set", port, "master", bridge, "up").checked();
        peers.exec("ip", "link", "set", "c" + port, "up").checked();
    }

    /**
     * Waits (a readiness poll, not a timing assumption) until no device that is up lacks carrier,
     * no address is tentative and the addresses and routes stay the same for two polls: carrier and
     * the addrconf work it starts arrive through linkwatch, after ip returns.
     */
    private void settle() {
        String last = null;
        for (int i = 0; i < 100; i++) {
            String links = ns.exec("ip", "-o", "link", "show").stdout();
            String state = links + ns.exec("ip", "-6", "addr", "show").stdout() + ns.exec("ip", "-6", "route", "show", "table", "all").stdout();
            boolean ready = links.lines().noneMatch(l -> l.contains(",UP") && l.contains("NO-CARRIER"))
                    && ns.exec("ip", "-6", "addr", "show", "tentative").stdout().isEmpty();
            if (ready && state.equals(last)) return;
            last = state;
            try { Thread.sleep(50); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
        }
    }

    @AfterAll
    void tearDown() {
        if (ns != null) ns.close();
        if (peers != null) peers.close();
    }

    @Test
    void allRoutingTablesMatchTheKernel() {
        assertEquals(ns.exec("ip", "-6", "route", "show", "table", "all").checked().stdout(), IpFormat6.routes(host, 0));
    }

    @Test
    void mainTableMatchesTheKernel() {
        assertEquals(ns.exec("ip", "-6", "route", "show").checked().stdout(), IpFormat6.routes(host, Route.TABLE_MAIN));
    }

    @Test
    void localTableMatchesTheKernel() {
        assertEquals(ns.exec("ip", "-6", "route", "show", "table", "local").checked().stdout(), IpFormat6.routes(host, Route.TABLE_LOCAL));
    }

    @Test
    void routeGetPrintsWhatTheKernelAnswers() {
        StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
        for (String d : destinations()) {
            Tools.Result r = ns.exec("ip", "-6", "route", "get", d);
            kernel.append(r.stdout()).append(r.stderr());
            long[] a = Inet6.parse(d);
            ours.append(IpFormat6.routeGet(a[0], a[1], host.routeOutput6(a[0], a[1])));
        }
        assertEquals(kernel.toString(), ours.toString());
    }

    @Test
    void inputRoutesMatchTheKernel() {
        StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
        for (String[] in : inputs()) {
            Interface dev = host.device(in[0]);
            long[] s = Inet6.parse(in[1]);
            for (String d : destinations()) {
                Tools.Result r = ns.exec("ip", "-6", "route", "get", d, "from", in[1], "iif", in[0]);
                kernel.append(r.stdout()).append(r.stderr());
                long[] a = Inet6.parse(d);
                ours.append(IpFormat6.routeGetInput(a[0], a[1], s[0], s[1], dev, host.routeInput6(a[0], a[1], s[0], s[1], dev),
                        KernelConfig.IPV6_MROUTE));
            }
        }
        assertEquals(kernel.toString(), ours.toString());
    }

    @Test
    void addrShowListsBothFamiliesAsTheKernel() {
        assertEquals(withoutPorts(ns.exec("ip", "addr", "show").checked().stdout()), IpFormat.addresses(host));
    }

    @Test
    void ipv6AddrShowMatchesTheKernel() {
        assertEquals(withoutPorts(ns.exec("ip", "-6", "addr", "show").checked().stdout()), IpFormat6.addresses(host));
    }

    @Test
    void ipv6AddrShowOfEachDeviceMatchesTheKernel() {
        StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
        for (Interface d : host.interfaces()) {
            kernel.append(withoutPorts(ns.exec("ip", "-6", "addr", "show", "dev", d.name()).checked().stdout()));
            ours.append(IpFormat6.addresses(d));
        }
        assertEquals(kernel.toString(), ours.toString());
    }

    @Test
    void neighShowMatchesTheKernelInHashOrderIndependentWay() {
        // the kernel dumps neighbours in its hash table's order, so compare the sorted lines
        assertEquals(sorted(ns.exec("ip", "-6", "neigh", "show", "nud", "permanent").checked().stdout()), sorted(IpFormat6.neighbours(host)));
    }

    /**
     * What ip prints that jnat cannot know: a veth's "@ifN" peer index (or the name of a local
     * device with that index) and "link-netns NAME"; the bridge ports this test adds ("master").
     */
    private String withoutPorts(String s) {
        StringBuilder sb = new StringBuilder();
        boolean skip = false;
        for (String l : s.split("\n", -1)) {
            if (l.isEmpty()) continue;
            if (Character.isDigit(l.charAt(0))) {
                String name = l.replaceFirst("^\\d+: ([^:@]+).*", "$1");
                skip = ports.contains(name);
                l = l.replaceFirst("^(\\d+: [^:@]+)@[^:]+:", "$1:").replaceFirst(" link-netns \\S+", "");
            }
            if (!skip) sb.append(l.replaceFirst(" link-netns \\S+", "")).append('\n');
        }
        return sb.toString();
    }

    private static List<String> sorted(String lines) {
        return Stream.of(lines.split("\n")).filter(l -> !l.isEmpty()).sorted().toList();
    }

    /**
     * Asks the kernel's IPv6 addrtype match itself, as KernelComparisonTest does for IPv4: one raw
     * PREROUTING rule per (destination, type), with and without --limit-iface-in, then one packet
     * per destination sent into the first veth from its peer. A packet can match several types
     * (UNICAST and LOCAL); the rules whose counters moved name them.
     */
    @Test
    void addressTypesAgreeWithTheKernelsAddrtypeMatch() {
        Tools.require("ip6tables-restore");
        Tools.require("python3");
        String in = veths().get(0);
        RouteType[] types = {RouteType.UNSPEC, RouteType.UNICAST, RouteType.LOCAL, RouteType.ANYCAST, RouteType.MULTICAST, RouteType.UNREACHABLE};
        // ip6_rcv_core drops ::1, v4-mapped and interface-local multicast destinations before any hook
        List<String> dsts = destinations().stream().filter(d -> !d.equals("::1") && !d.startsWith("::ffff:") && !d.startsWith("ff01:")).toList();
        StringBuilder rules = new StringBuilder("*raw\n");
        for (String d : dsts) {
            for (RouteType t : types) {
                for (String limit : new String[] {"", " --limit-iface-in"}) {
                    rules.append("-A PREROUTING -d ").append(d).append("/128 -i ").append(in).append(" -m addrtype --dst-type ")
                            .append(t.name()).append(limit).append('\n');
                }
            }
        }
        rules.append("COMMIT\n");
        ns.execIn(rules.toString(), "ip6tables-restore").checked();
        try {
            String mac = host.device(in).macString().replace(":", "");
            String script = """
                    import socket, struct, sys
                    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                    sock.bind(('p0', 0))
                    for d in sys.argv[1:]:
                        ip = struct.pack('!IHBB16s16s', 0x60000000, 0, 59, 64,
                                         socket.inet_pton(socket.AF_INET6, '2001:db8:ffff::5'), socket.inet_pton(socket.AF_INET6, d))
                        sock.send(bytes.fromhex('%s') + bytes.fromhex('020000000099') + b'\\x86\\xdd' + ip)
                    """.formatted(mac);
            List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
            cmd.addAll(dsts);
            peers.exec(cmd.toArray(String[]::new)).checked();
            String saved = ns.exec("ip6tables-save", "-c", "-t", "raw").checked().stdout();
            StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
            for (String d : dsts) {
                long[] a = Inet6.parse(d);
                String dd = Inet6.format(a[0], a[1]); // ip6tables-save prints inet_ntop's form
                kernel.append(d).append(' ').append(counted(saved, dd, false)).append(' ').append(counted(saved, dd, true)).append('\n');
                ours.append(d).append(' ').append(ours(a, types, null)).append(' ').append(ours(a, types, host.device(in))).append('\n');
            }
            assertFalse(kernel.toString().contains("none"), "a packet was not seen:\n" + kernel);
            assertEquals(kernel.toString(), ours.toString());
        } finally {
            ns.exec("ip6tables", "-t", "raw", "-F", "PREROUTING");
        }
    }

    private String ours(long[] a, RouteType[] types, Interface dev) {
        List<String> names = new ArrayList<>();
        for (RouteType t : types) if (host.addrtypeMatch6(a[0], a[1], dev, 1 << t.rtn())) names.add(t.name());
        return names.isEmpty() ? "none" : String.join("+", names);
    }

    private static String counted(String saved, String dst, boolean limited) {
        List<String> names = new ArrayList<>();
        for (String line : saved.split("\n")) {
            if (!line.startsWith("[") || line.startsWith("[0:") || !line.contains(" -d " + dst + "/128 ")) continue;
            if (line.endsWith("--limit-iface-in") != limited) continue;
            names.add(line.replaceFirst(".*--dst-type (\\S+).*", "$1"));
        }
        return names.isEmpty() ? "none" : String.join("+", names);
    }
}

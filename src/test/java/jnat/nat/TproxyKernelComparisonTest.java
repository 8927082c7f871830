package jnat.nat;

import jnat.conntrack.ConntrackTool;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.Dumps;
import jnat.rules.Iptables;
import jnat.rules.Ruleset;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.Bytes;
import jnat.wire.Checksum;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TPROXY, -m socket and -m owner against kernel 6.18, both families: a client in one namespace
 * opens a TCP connection to 198.51.100.7:80 (or [2001:db8:99::7]:80) through a host namespace whose mangle PREROUTING diverts it onto a
 * transparent listener (port 15006, a process of uid 1337) with fwmark 0x1 and policy routing
 * (fwmark 0x1 lookup 100, local 0.0.0.0/0 dev lo table 100), as Istio's TPROXY mode does; the
 * client sends "hello", the listener answers, the client closes its side. Every frame on the wire is captured at the client.
 * jnat then gets the client's frames as received and the host's as the packets its socket of uid
 * 1337 sends (jnat runs no TCP itself), in the order seen, with the same host lines, rules and
 * {@code --listen tcp:0.0.0.0:15006,transparent,uid=1337,gid=1337}. Compared: what jnat puts on
 * the wire (exactly the host's frames: nothing forwarded, no RST), mangle's counters (the TPROXY
 * rule, -m socket --transparent's DIVERT for the flow's later segments, the mark seen in INPUT, the
 * owner's uid in OUTPUT) and the conntrack table (the tuple untranslated), the timeouts aside. (A
 * conntrack rule is there because the kernel tracks a namespace's connections only once a rule
 * needs it, as jnat does.)
 */
class TproxyKernelComparisonTest {
    static final String H_MAC = "02:00:00:00:0e:01", C_MAC = "02:00:00:00:0e:02";

    static final String HOST4 = """
            link set dev rH address %s mtu 1500 up
            addr add 10.0.0.1/24 dev rH
            neigh add 10.0.0.2 lladdr %s dev rH
            route add local 0.0.0.0/0 dev lo table 100
            rule add fwmark 0x1 lookup 100
            """.formatted(H_MAC, C_MAC);

    /** IPv6 without link-local addresses (addrgenmode none): no neighbour discovery beside the connection. */
    static final String HOST6 = """
            link set dev rH address %s mtu 1500 addrgenmode none up
            addr add 2001:db8:e::1/64 dev rH nodad
            neigh add 2001:db8:e::2 lladdr %s dev rH
            -6 route add local ::/0 dev lo table 100
            -6 rule add fwmark 0x1 lookup 100
            """.formatted(H_MAC, C_MAC);

    /**
     * The same rules for iptables and ip6tables; every counting rule is -p tcp (IPv6's MLD reports
     * aside). The owner rules count the SYN-ACK (the request socket's listener) and the data (the
     * accepted socket), never pure ACKs: the kernel sends some of those from its control socket
     * (no owner) or the connection's socket as timing decides (seen once in five runs).
     */
    static final String RULES = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :DIVERT - [0:0]
            -A PREROUTING -p tcp -m conntrack --ctstate ESTABLISHED
            -A PREROUTING -p tcp -m socket --transparent -j DIVERT
            -A PREROUTING -p tcp -m tcp --dport 80 -j TPROXY --on-port 15006 --tproxy-mark 0x1/0x1
            -A INPUT -p tcp -m mark --mark 0x1
            -A INPUT -p tcp -m mark ! --mark 0x1
            -A FORWARD -p tcp
            -A OUTPUT -p tcp -m tcp --tcp-flags SYN SYN -m owner --uid-owner 1337 --gid-owner 1337
            -A OUTPUT -p tcp -m tcp --tcp-flags PSH PSH -m owner --uid-owner 1337 --gid-owner 1337
            -A OUTPUT -p tcp -m tcp --tcp-flags SYN,PSH SYN -m owner ! --uid-owner 1337
            -A DIVERT -j MARK --set-xmark 0x1/0xffffffff
            -A DIVERT -j ACCEPT
            COMMIT
            """;

    /** The transparent listener (IP_TRANSPARENT, or IPV6_TRANSPARENT): accepts one connection, reads, answers, stays open. */
    static final String SERVER = """
            import socket, sys, time
            six = sys.argv[1] == "6"
            s = socket.socket(socket.AF_INET6 if six else socket.AF_INET)
            s.setsockopt(socket.IPPROTO_IPV6 if six else socket.SOL_IP, 75 if six else 19, 1)
            s.bind(("::" if six else "0.0.0.0", 15006)); s.listen(4); print("ready", flush=True)
            c, a = s.accept(); d = c.recv(100); c.sendall(b"world:" + d)
            time.sleep(8)
            """;

    /**
     * The client, capturing every TCP frame on its veth: "C hex" for its own, "H hex" for the
     * host's. It closes its side within the capture (its FIN and the host's ACK are compared too),
     * so nothing is sent after it.
     */
    static final String CLIENT = """
            import socket, select, sys, time
            rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); rx.bind(("vC", 0))
            c = socket.create_connection((sys.argv[1], 80), timeout=3); c.sendall(b"hello")
            assert c.recv(100) == b"world:hello"
            c.close()
            end = time.time() + 0.8
            while time.time() < end:
                r, _, _ = select.select([rx], [], [], max(0.0, end - time.time()))
                if r:
                    data, addr = rx.recvfrom(70000)
                    tcp = data[12:14] == b"\\x08\\x00" and data[23] == 6 or data[12:14] == b"\\x86\\xdd" and data[20] == 6
                    if tcp: print(("C " if addr[2] == socket.PACKET_OUTGOING else "H ") + data.hex(), flush=True)
            """;

    /** The system's interpreter: the listener runs as uid 1337, which may not read root's own installs. */
    static final String SYSTEM_PYTHON = "/usr/bin/python3";

    @Test
    void aTproxiedConnectionIsTheKernels() throws Exception {
        compare(false);
    }

    @Test
    void aTproxiedIpv6ConnectionIsTheKernels() throws Exception {
        compare(true);
    }

    private static void compare(boolean ipv6) throws Exception {
        String tool = ipv6 ? "ip6tables" : "iptables", hostLines = ipv6 ? HOST6 : HOST4;
        Tools.requireRoot();
        Tools.require(tool);
        Tools.require("conntrack");
        Tools.require("python3");
        Tools.require("setpriv");
        boolean python = java.nio.file.Files.isExecutable(java.nio.file.Path.of(SYSTEM_PYTHON));
        if (Tools.REQUIRED && !python) throw new AssertionError(SYSTEM_PYTHON + " is required (JNAT_REQUIRE_TOOLS is set)");
        org.junit.jupiter.api.Assumptions.assumeTrue(python, SYSTEM_PYTHON + " not installed");
        List<String> ct = List.of("conntrack", "-L", "-f", ipv6 ? "ipv6" : "ipv4");
        try (Netns h = Netns.create("tpk"); Netns x = Netns.create("tpc")) {
            for (Netns n : List.of(h, x)) {
                n.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=" + (ipv6 ? 0 : 1)).checked();
                n.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=" + (ipv6 ? 0 : 1)).checked();
            }
            h.exec("ip", "link", "add", "rH", "type", "veth", "peer", "name", "vC").checked();
            h.exec("ip", "link", "set", "vC", "netns", x.name()).checked();
            x.exec("ip", "link", "set", "vC", "address", C_MAC, "addrgenmode", "none", "up").checked();
            if (ipv6) {
                x.exec("ip", "addr", "add", "2001:db8:e::2/64", "dev", "vC", "nodad").checked();
                x.exec("ip", "-6", "route", "add", "default", "via", "2001:db8:e::1").checked();
                x.exec("ip", "neigh", "replace", "2001:db8:e::1", "lladdr", H_MAC, "dev", "vC", "nud", "permanent").checked();
                h.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").checked();
            } else {
                x.exec("ip", "addr", "add", "10.0.0.2/24", "dev", "vC").checked();
                x.exec("ip", "route", "add", "default", "via", "10.0.0.1").checked();
                x.exec("ip", "neigh", "replace", "10.0.0.1", "lladdr", H_MAC, "dev", "vC", "nud", "permanent").checked();
                h.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked();
            }
            for (String line : hostLines.split("\n")) {
                List<String> cmd = new ArrayList<>(List.of("ip"));
                cmd.addAll(List.of(line.trim().split("\\s+")));
                h.exec(cmd.toArray(String[]::new)).checked();
            }
            h.execIn(RULES, tool + "-restore").checked();
            h.exec("conntrack", "-F");
            Process server = new ProcessBuilder("ip", "netns", "exec", h.name(), "setpriv", "--reuid=1337", "--regid=1337",
                    "--clear-groups", "--inh-caps=+net_admin", "--ambient-caps=+net_admin", SYSTEM_PYTHON, "-u", "-c", SERVER,
                    ipv6 ? "6" : "4").redirectErrorStream(true).start();
            List<String[]> frames = new ArrayList<>();
            String ctKernel, mangleKernel;
            try {
                BufferedReader r = server.inputReader();
                assertEquals("ready", r.readLine());
                Tools.Result c = x.exec("python3", "-c", CLIENT, ipv6 ? "2001:db8:99::7" : "198.51.100.7").checked();
                for (String l : c.stdout().lines().toList()) frames.add(l.split(" "));
                ctKernel = h.exec(ct.toArray(String[]::new)).checked().stdout();
                mangleKernel = h.exec(tool, "-t", "mangle", "-nvxL").checked().stdout();
            } finally {
                server.destroy();
                server.waitFor();
            }
            assertTrue(frames.size() >= 9, "the handshake, the data, its answer and the client's FIN: " + frames.size());

            Host host = Host.parse(hostLines, "tproxy-host.ip");
            NatEngine e = new NatEngine(host, ipv6 ? new Ruleset() : Ruleset.parse(RULES));
            if (ipv6) e.setRuleset6(Ruleset.parse(RULES, true));
            e.sockets().listen((ipv6 ? "tcp:[::]" : "tcp:0.0.0.0") + ":15006,transparent,uid=1337,gid=1337");
            List<String> sent = new ArrayList<>(), expected = new ArrayList<>();
            int[] delivered = {0};
            Transmit tx = new Transmit() {
                @Override
                public void transmit(Interface dev, byte[] buf, int off, int len) {
                    sent.add(dev.name() + " " + HexFormat.of().formatHex(Arrays.copyOfRange(buf, off, off + len)));
                }

                @Override
                public void deliver(byte[] buf, int off, int len) {
                    delivered[0]++;
                }
            };
            long now = 1_000_000_000_000L;
            int fromClient = 0;
            for (String[] f : frames) {
                byte[] b = HexFormat.of().parseHex(f[1]);
                completePartialChecksum(b);
                now += 1_000_000;
                if (f[0].equals("C")) {
                    byte[] buf = new byte[16 + b.length];
                    System.arraycopy(b, 0, buf, 16, b.length);
                    e.receive(host.device("rH"), buf, 16, b.length, now, tx);
                    fromClient++;
                } else {
                    expected.add("rH " + HexFormat.of().formatHex(b));
                    byte[] ip = Arrays.copyOfRange(b, 14, b.length);
                    e.sendFromSocket(ip, 0, ip.length, now, tx, 1337, 1337);
                }
            }
            assertEquals(expected, sent, "jnat's frames are the host's own, nothing forwarded or answered");
            assertEquals(fromClient, delivered[0], "every client segment delivered to the listener");
            String ours = Iptables.run(ipv6 ? e.ruleset6() : e.ruleset(), List.of("-t", "mangle", "-nvxL")).output();
            assertEquals(counters(mangleKernel, ipv6), counters(ours, ipv6), "mangle's counters");
            assertEquals(withoutTimeouts(ctKernel), withoutTimeouts(ConntrackTool.run(e.connections(), ct.subList(1, 4), now).stdout()),
                    "conntrack -L");
            String client = ipv6 ? "src=2001:db8:e::2 dst=2001:db8:99::7" : "src=10.0.0.2 dst=198.51.100.7";
            assertTrue(ctKernel.contains("CLOSE_WAIT " + client) && ctKernel.contains("[ASSURED]"), ctKernel);
            assertTrue(mangleKernel.contains("       1       " + (ipv6 ? 80 : 60) + " TPROXY "), mangleKernel);
            assertEquals(2, mangleKernel.lines().filter(l -> l.matches(" +1 +\\d+ .* owner UID match 1337 owner GID match 1337")).count(),
                    "the SYN-ACK and the answer counted by their owner: " + mangleKernel);
        }
    }

    /**
     * Without the policy rule the diverted SYN's route is the main table's, through a gateway:
     * ip_forward drops a packet that carries a socket, so neither host sends anything and only the
     * TPROXY rule counts it.
     */
    @Test
    void aDivertedSynWithoutThePolicyRuleIsDroppedNotForwarded() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        String lines = """
                link set dev rH address %s mtu 1500 up
                addr add 10.0.0.1/24 dev rH
                neigh add 10.0.0.2 lladdr %s dev rH
                neigh add 10.0.0.3 lladdr %s dev rH
                route add 198.51.100.0/24 via 10.0.0.3
                """.formatted(H_MAC, C_MAC, C_MAC);
        byte[] syn = jnat.wire.EthernetRepr.of(C_MAC, H_MAC).frame(jnat.wire.Ipv4Repr.of("10.0.0.2", "198.51.100.7"),
                jnat.wire.TcpRepr.of(40000, 80).withSeq(1).withFlags(jnat.wire.TcpSegment.SYN).withWindow(64240));
        String mangleKernel;
        List<byte[]> kernel;
        try (Netns h = Netns.create("tpk"); Netns x = Netns.create("tpc")) {
            for (Netns n : List.of(h, x)) {
                n.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").checked();
                n.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").checked();
            }
            h.exec("ip", "link", "add", "rH", "type", "veth", "peer", "name", "vC").checked();
            h.exec("ip", "link", "set", "vC", "netns", x.name()).checked();
            x.exec("ip", "link", "set", "vC", "address", C_MAC, "up").checked();
            h.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked();
            for (String line : lines.split("\n")) {
                List<String> cmd = new ArrayList<>(List.of("ip"));
                cmd.addAll(List.of(line.trim().split("\\s+")));
                h.exec(cmd.toArray(String[]::new)).checked();
            }
            h.execIn(RULES, "iptables-restore").checked();
            Process server = new ProcessBuilder("ip", "netns", "exec", h.name(), "python3", "-u", "-c", SERVER, "4")
                    .redirectErrorStream(true).start();
            try {
                assertEquals("ready", server.inputReader().readLine());
                kernel = ClosedPortKernelComparisonTest.wire(x, List.of(syn));
                mangleKernel = h.exec("iptables", "-t", "mangle", "-nvxL").checked().stdout();
            } finally {
                server.destroy();
                server.waitFor();
            }
        }
        Host host = Host.parse(lines, "tproxy-nofwmark.ip");
        NatEngine e = new NatEngine(host, Ruleset.parse(RULES));
        e.sockets().listen("tcp:0.0.0.0:15006,transparent,uid=1337,gid=1337");
        List<byte[]> ours = new ArrayList<>();
        Transmit tx = new Transmit() {
            @Override
            public void transmit(Interface dev, byte[] buf, int off, int len) {
                ours.add(Arrays.copyOfRange(buf, off, off + len));
            }

            @Override
            public void deliver(byte[] buf, int off, int len) {}
        };
        byte[] buf = new byte[16 + syn.length];
        System.arraycopy(syn, 0, buf, 16, syn.length);
        e.receive(host.device("rH"), buf, 16, syn.length, 1_000_000_000_000L, tx);
        assertEquals(0, kernel.size(), "the kernel sends nothing");
        assertEquals(0, ours.size(), "nor does jnat");
        assertEquals(1, e.drops(DropReason.FORWARD_WITH_SOCKET));
        assertTrue(mangleKernel.contains("       1       40 TPROXY "), mangleKernel);
        assertEquals(counters(mangleKernel, false),
                counters(Iptables.run(e.ruleset(), List.of("-t", "mangle", "-nvxL")).output(), false), "mangle's counters");
    }

    /** The listing as compared: IPv6's policy counters left out (they count the host's MLD reports). */
    static String counters(String listing, boolean ipv6) {
        String l = Dumps.normaliseProt(listing);
        return ipv6 ? l.replaceAll("\\(policy ACCEPT \\d+ packets, \\d+ bytes\\)", "(policy ACCEPT)") : l;
    }

    /**
     * The veth hands a segment on with its checksum still partial (the pseudo-header's sum in the
     * field, TX checksum offload): completed here as a NIC would before the wire.
     */
    static void completePartialChecksum(byte[] f) {
        if (Bytes.u16(f, 12) == 0x86dd) {
            ClosedPortKernelComparisonTest.completePartialChecksum(f);
            return;
        }
        int ip = 14, ihl = (f[ip] & 0xf) * 4, t = ip + ihl, len = Bytes.u16(f, ip + 2) - ihl;
        int src = Bytes.i32(f, ip + 12), dst = Bytes.i32(f, ip + 16);
        if (f[ip + 9] != 6 || Checksum.verifyTransport(f, t, len, src, dst, 6)) return;
        Bytes.put16(f, t + 16, 0);
        Bytes.put16(f, t + 16, Checksum.transport(f, t, len, src, dst, 6));
    }

    /** conntrack -L lines without the seconds left (the third column). */
    static String withoutTimeouts(String listing) {
        return listing.lines().map(l -> l.replaceFirst("^(\\S+\\s+\\d+\\s+)\\d+ ", "$1")).reduce("", (a, b) -> a + b + "\n");
    }
}

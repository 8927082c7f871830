package jnat.host;

import jnat.cli.CliRun;
import jnat.pcap.LinkType;
import jnat.pcap.PcapWriter;
import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code jnat host capture} writes beside host.ip and the iptables dumps, for a namespace
 * set up with the real tools: DIR/sysctl.conf (the sysctls the engine has, as sysctl(8) reads
 * them there; a warning for those jnat's host cannot follow) and DIR/ruleset.nft (the native
 * nf_tables tables, as nft lists them, without those iptables-nft manages).
 */
class HostCaptureFilesKernelTest {
    private Netns ns;
    private Path out;

    @BeforeEach
    void namespace() throws IOException {
        ns = Netns.create("cap");
        ns.exec("ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1").checked(); // no dummy module here
        ns.exec("ip", "link", "set", "d0", "address", "02:00:00:00:0c:01", "up").checked();
        ns.exec("ip", "addr", "add", "203.0.113.2/24", "dev", "d0").checked();
        ns.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "d0", "-j", "MASQUERADE").checked(); // loads nf_conntrack too
        out = Files.createTempDirectory("jnat-capture");
    }

    @AfterEach
    void close() {
        if (ns != null) ns.close();
    }

    private void sysctl(String setting) {
        ns.exec("sysctl", "-q", "-w", setting).checked();
    }

    private CliRun capture() {
        return CliRun.jnat("host", "capture", "--netns", ns.name(), "--out", out.toString());
    }

    /** The NAME = VALUE lines of a file, comments left out. */
    private static List<String> settings(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    @Test
    void sysctlConfHoldsTheEnginesSysctlsAsSysctlReadsThemInTheNamespace() throws IOException {
        for (String s : List.of("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv4.icmp_ratelimit=500",
                "net.ipv6.icmp.ratelimit=0", "net.netfilter.nf_conntrack_checksum=0", "net.ipv4.ipfrag_time=12")) {
            sysctl(s);
        }
        CliRun r = capture();
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err(), "forwarding on, no rp_filter: nothing jnat's host cannot follow");
        List<String> lines = settings(out.resolve("sysctl.conf"));
        for (String want : List.of("net.ipv4.icmp_ratelimit = 500", "net.ipv6.icmp.ratelimit = 0",
                "net.netfilter.nf_conntrack_checksum = 0", "net.ipv4.ipfrag_time = 12", "net.netfilter.nf_conntrack_max = ")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(want)), want + " in\n" + lines);
        }
        for (String l : lines) {
            String name = l.substring(0, l.indexOf(" = "));
            assertEquals(ns.exec("sysctl", name).checked().stdout().strip(), l, "sysctl(8) prints the line");
        }
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("net.ipv4.route.")), "the initial namespace's only");
    }

    @Test
    void aSysctlJnatsHostCannotFollowIsAWarningAndAComment() throws IOException {
        // a new namespace forwards nothing until told; rp_filter on d0; a longer UDP timeout
        sysctl("net.ipv4.conf.d0.rp_filter=1");
        sysctl("net.netfilter.nf_conntrack_udp_timeout=60");
        CliRun r = capture();
        assertEquals(0, r.exit(), r.err());
        String file = Files.readString(out.resolve("sysctl.conf"));
        for (String w : List.of("net.ipv4.ip_forward = 0: jnat's host has 1", "net.ipv6.conf.all.forwarding = 0: jnat's host has 1",
                "net.ipv4.conf.d0.rp_filter = 1: jnat's host has 0", "net.netfilter.nf_conntrack_udp_timeout = 60: jnat's host has 30")) {
            assertTrue(r.err().contains("jnat host capture: warning: " + w), r.err());
            assertTrue(file.contains("# not copied: " + w), file);
        }
        assertEquals(4, r.err().lines().count(), r.err());
    }

    @Test
    void nativeNftTablesGoToRulesetNftWithoutTheTablesIptablesNftManages() throws IOException {
        ns.execIn("""
                table inet mine {
                	chain input {
                		type filter hook input priority filter; policy accept;
                		tcp dport 22 counter accept
                	}
                }
                table ip6 raw6 {
                	chain pre {
                		type filter hook prerouting priority raw; policy accept;
                		ip6 daddr 2001:db8::1 drop
                	}
                }
                """, "nft", "-f", "-").checked();
        ns.exec("ip6tables", "-A", "FORWARD", "-j", "ACCEPT").checked();
        CliRun r = capture();
        assertEquals(0, r.exit(), r.err());
        String kernel = ns.exec("nft", "list", "table", "inet", "mine").checked().stdout()
                + ns.exec("nft", "list", "table", "ip6", "raw6").checked().stdout();
        String nft = Files.readAllLines(out.resolve("ruleset.nft")).stream().filter(l -> !l.startsWith("#"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertEquals(kernel, nft, "the native tables as nft lists them; ip nat and ip6 filter are iptables-nft's");
        assertTrue(Files.readString(out.resolve("rules.v4")).contains("-A POSTROUTING -o d0 -j MASQUERADE"));
        assertTrue(Files.readString(out.resolve("rules.v6")).contains("-A FORWARD -j ACCEPT"));

        Path empty = out.resolve("empty.pcap");
        PcapWriter.create(empty, LinkType.ETHERNET).close();
        CliRun replay = CliRun.jnat("replay", "--host", out.resolve("host.ip").toString(), "--rules", out.resolve("rules.v4").toString(),
                "--rules6", out.resolve("rules.v6").toString(), "--sysctl-file", out.resolve("sysctl.conf").toString(),
                "--nft", out.resolve("ruleset.nft").toString(), "--in", "d0=" + empty, "--list", "--quiet");
        assertEquals(0, replay.exit(), replay.err());
        assertTrue(replay.out().contains("table inet mine {") && replay.out().contains("table ip6 raw6 {"), replay.out());
    }

    @Test
    void withoutANativeTableNoRulesetNftIsWritten() {
        CliRun r = capture();
        assertEquals(0, r.exit(), r.err());
        assertFalse(Files.exists(out.resolve("ruleset.nft")), "ip nat is iptables-nft's: in rules.v4");
    }

    @Test
    void sysctlAndNftOutputsCapturedElsewhereGiveTheSameFiles() throws IOException {
        Tools.require("nft");
        sysctl("net.ipv4.ip_forward=1");
        sysctl("net.ipv6.conf.all.forwarding=1");
        ns.execIn("table inet mine {\n\tchain c {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}\n}\n",
                "nft", "-f", "-").checked();
        Path src = Files.createTempDirectory("jnat-from");
        String[][] files = {{"link.json", "-d", "link", "show"}, {"addr.json", "addr", "show"},
            {"route4.json", "-4", "route", "show", "table", "main"}, {"route6.json", "-6", "route", "show", "table", "main"},
            {"neigh.json", "neigh", "show"}};
        for (String[] f : files) {
            String[] cmd = new String[f.length + 1];
            cmd[0] = "ip";
            cmd[1] = "-j";
            System.arraycopy(f, 1, cmd, 2, f.length - 1);
            Files.writeString(src.resolve(f[0]), ns.exec(cmd).checked().stdout());
        }
        Files.writeString(src.resolve("sysctl.txt"), ns.exec("sysctl", "-a").checked().stdout());
        Files.writeString(src.resolve("ruleset.nft"), ns.exec("nft", "list", "ruleset").checked().stdout());
        Process udp = sockets("import socket, time\nx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); x.bind(('0.0.0.0', 5353))\n"
                + "print('ready', flush=True)\ntime.sleep(30)\n");
        try {
            Files.writeString(src.resolve("ss.txt"), ns.exec("ss", "-Hlntue").checked().stdout());
            Path b = Files.createTempDirectory("jnat-b");
            assertEquals(0, capture().exit());
            CliRun r = CliRun.jnat("host", "capture", "--from", src.toString(), "--out", b.toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals(settings(out.resolve("sysctl.conf")), settings(b.resolve("sysctl.conf")));
            assertEquals(settings(out.resolve("ruleset.nft")), settings(b.resolve("ruleset.nft")));
            assertEquals(List.of("--listen udp:0.0.0.0:5353"), settings(b.resolve("sockets.args")));
            assertEquals(settings(out.resolve("sockets.args")), settings(b.resolve("sockets.args")));
        } finally {
            udp.destroy();
        }
    }

    @Test
    void aRouteAddedToTheLocalTableIsCopiedAndMakesItsAddressesLocalAsInTheKernel() throws IOException {
        ns.exec("ip", "route", "add", "local", "198.51.100.0/24", "dev", "lo").checked(); // AnyIP
        ns.exec("ip", "-6", "route", "add", "local", "2001:db8:5::/64", "dev", "lo").checked();
        CliRun r = capture();
        assertEquals(0, r.exit(), r.err());
        Host copy = Host.fromFile(out.resolve("host.ip"));
        assertTrue(ns.exec("ip", "route", "get", "198.51.100.7").checked().stdout().startsWith("local 198.51.100.7 dev lo"));
        assertEquals(RouteType.LOCAL, copy.addressType(jnat.wire.Ipv4Address.parse("198.51.100.7")));
        String get6 = ns.exec("ip", "-6", "route", "get", "2001:db8:5::7").checked().stdout();
        assertTrue(get6.startsWith("local 2001:db8:5::7 ") && get6.contains(" dev lo table local "), get6);
        byte[] a6 = jnat.wire.Ipv6Address.parse("2001:db8:5::7");
        assertEquals(RouteType.LOCAL, copy.addressType6(jnat.wire.Ipv6Address.readHi(a6, 0), jnat.wire.Ipv6Address.readLo(a6, 0)));
        assertEquals(RouteType.UNICAST, copy.addressType(jnat.wire.Ipv4Address.parse("198.51.101.7")), "beside the prefix");
    }

    @Test
    void aPolicyRuleIsCopiedAndOneWithASelectorJnatLacksIsAWarning() throws IOException {
        ns.exec("ip", "rule", "add", "from", "10.1.0.0/16", "table", "100").checked();
        ns.exec("ip", "rule", "add", "uidrange", "1000-2000", "table", "101", "pref", "200").checked();
        try {
            CliRun r = capture();
            assertEquals(0, r.exit(), r.err());
            assertTrue(Files.readString(out.resolve("host.ip")).contains("\nrule add from 10.1.0.0/16 lookup 100 pref 32765\n"),
                    Files.readString(out.resolve("host.ip")));
            assertTrue(r.err().contains("jnat host capture: warning: ip rule {\"priority\":200,\"src\":\"all\",\"uid_start\":1000,"
                    + "\"uid_end\":2000,\"table\":\"101\"}: jnat's rules have no uid_start, uid_end"), r.err());
            assertFalse(r.err().contains("10.1.0.0"), "copied, not warned about");
            assertFalse(r.err().contains("ip -6 rule"), "IPv6's rules are the default ones");
        } finally {
            ns.exec("ip", "rule", "del", "pref", "200");
            ns.exec("ip", "rule", "del", "from", "10.1.0.0/16", "table", "100");
        }
    }

    @Test
    void aMultipathRouteIsRefusedWithTheReason() {
        ns.exec("ip", "link", "set", "d1", "up").checked();
        ns.exec("ip", "addr", "add", "198.51.100.2/24", "dev", "d1").checked();
        ns.exec("ip", "route", "add", "10.0.0.0/8", "nexthop", "via", "203.0.113.1", "nexthop", "via", "198.51.100.1").checked();
        CliRun r = capture();
        assertEquals(1, r.exit());
        assertEquals("capture: route 10.0.0.0/8 has 2 nexthops: jnat's host has no multipath routes, so it cannot be copied\n", r.err());
        assertFalse(Files.exists(out.resolve("host.ip")), "nothing written");
    }

    @Test
    void theBoundUdpAndListeningTcpSocketsGoToSocketsArgsForReplaysListen() throws Exception {
        Tools.require("python3");
        // a root process's sockets, one bound to d0, and uid 1000's, held open while the capture runs
        Process root = sockets("""
                import socket, sys, time
                ss = []
                def s(fam, typ, addr, v6only=None, dev=None):
                    x = socket.socket(fam, typ)
                    if v6only is not None: x.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
                    if dev: x.setsockopt(socket.SOL_SOCKET, 25, dev)  # SO_BINDTODEVICE
                    x.bind(addr)
                    if typ == socket.SOCK_STREAM: x.listen()
                    ss.append(x)
                s(socket.AF_INET, socket.SOCK_DGRAM, ("0.0.0.0", 5353))
                s(socket.AF_INET6, socket.SOCK_DGRAM, ("::", 5353), 1)
                s(socket.AF_INET6, socket.SOCK_DGRAM, ("::", 6000), 0)
                s(socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 53))
                s(socket.AF_INET6, socket.SOCK_STREAM, ("::", 22), 0)
                s(socket.AF_INET, socket.SOCK_STREAM, ("203.0.113.2", 8080))
                s(socket.AF_INET, socket.SOCK_DGRAM, ("0.0.0.0", 67), dev=b"d0")
                print("ready", flush=True)
                time.sleep(30)
                """);
        Process user = sockets("""
                import os, socket, time
                os.setgid(1000); os.setuid(1000)
                x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); x.bind(("0.0.0.0", 7000))
                print("ready", flush=True)
                time.sleep(30)
                """);
        try {
            CliRun r = capture();
            assertEquals(0, r.exit(), r.err());
            List<String> args = settings(out.resolve("sockets.args"));
            // in ss's order (its hash tables'), so compared sorted
            assertEquals(Stream.of("udp:0.0.0.0:5353", "udp:[::]:5353", "udp:6000", "udp:127.0.0.1:53", "udp:0.0.0.0:67",
                    "udp:0.0.0.0:7000,uid=1000", "tcp:22", "tcp:203.0.113.2:8080").map(l -> "--listen " + l).sorted().toList(),
                    args.stream().sorted().toList());
            assertTrue(r.err().contains("jnat host capture: warning: udp 0.0.0.0%d0:67: bound to device d0, copied as bound to none"),
                    r.err());
            Path empty = out.resolve("empty.pcap");
            PcapWriter.create(empty, LinkType.ETHERNET).close();
            CliRun replay = CliRun.jnat("replay", "@" + out.resolve("sockets.args"), "--host", out.resolve("host.ip").toString(),
                    "--in", "d0=" + empty, "--quiet");
            assertEquals(0, replay.exit(), "replay takes every line: " + replay.err());
        } finally {
            root.destroy();
            user.destroy();
        }
    }

    private Process sockets(String python) throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "python3", "-c", python)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = p.inputReader().readLine();
        assertEquals("ready", line, "the sockets are open");
        return p;
    }
}

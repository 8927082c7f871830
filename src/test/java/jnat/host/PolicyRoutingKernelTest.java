package jnat.host;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import jnat.cli.CliRun;
import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Policy routing (FibRules) against kernel 6.18: the same host file run through ip(8) in a network
 * namespace and through jnat's host file reader; ip rule (both families) and ip route show table N
 * must print the same, and route lookups with a mark, a source and an input device must pick the
 * same route type, device and gateway, or fail with the same errno (ip -j route get ... mark M).
 */
class PolicyRoutingKernelTest {
    static final String FILE = """
            link set dev eth0 address 56:00:04:7c:7c:23 up
            addr add 10.0.0.1/24 dev eth0
            route add default via 10.0.0.254 dev eth0
            link set dev eth1 address 02:00:00:00:00:01 up
            addr add 172.16.0.1/24 dev eth1
            route add local 0.0.0.0/0 dev lo table 100
            route add 198.51.100.0/24 via 172.16.0.254 table 200
            route add unreachable 203.0.113.0/24 table 200
            route add throw 198.51.100.128/25 table 200
            rule add fwmark 0x1 lookup 100
            rule add fwmark 0x539/0xfff lookup 100 pref 100
            rule add from 10.0.0.0/24 to 198.51.100.0/24 lookup 200
            rule add iif eth1 lookup 200 pref 200
            rule add not fwmark 0x2/0x2 lookup 200 pref 32000
            rule add oif eth1 lookup 100 pref 300
            rule add to 203.0.113.64/26 prohibit pref 400
            rule add from 10.0.0.9 blackhole pref 401
            rule add fwmark 0x8 goto 32766 pref 402
            rule add fwmark 0x4 unreachable pref 403
            rule add fwmark 0x8 lookup 100 pref 404
            rule add nop pref 405
            rule add iif ghost0 lookup 100 pref 406
            rule add fwmark 0x10 lookup 100
            rule add fwmark 0x20 lookup 100
            rule add fwmark 0x40 lookup 200 pref 500
            rule del fwmark 0x20
            rule del pref 500
            rule del pref 32767
            -6 addr add 2001:db8:1::1/64 dev eth0 nodad
            -6 route add default via 2001:db8:1::fe dev eth0
            -6 route add local ::/0 dev lo table 100
            -6 route add 2001:db8:3::/48 via 2001:db8:1::fd table 300
            -6 rule add fwmark 0x1 lookup 100
            -6 rule add from 2001:db8:1::/64 to 2001:db8:2::/48 prohibit pref 50
            -6 rule add iif eth1 lookup 300 pref 60
            -6 rule add not fwmark 0/0x4 blackhole pref 61
            """;

    /** dst, then "from SRC iif DEV" or "from SRC" (output) or nothing, then the mark. */
    static final String[][] LOOKUPS = {
        {"198.51.100.7", "from 10.0.0.2 iif eth0", "0"},
        {"198.51.100.7", "from 10.0.0.2 iif eth0", "1"},
        {"198.51.100.7", "from 10.0.0.2 iif eth0", "0x1539"},
        {"198.51.100.7", "from 10.0.0.2 iif eth0", "0x2539"},
        {"198.51.100.200", "from 10.0.0.2 iif eth0", "0"},
        {"203.0.113.5", "from 172.16.0.2 iif eth1", "0"},
        {"203.0.113.70", "from 10.0.0.2 iif eth0", "0"},
        {"8.8.8.8", "from 10.0.0.9 iif eth0", "0"},
        {"8.8.8.8", "from 10.0.0.2 iif eth0", "8"},
        {"8.8.8.8", "from 10.0.0.2 iif eth0", "4"},
        {"8.8.8.8", "from 10.0.0.2 iif eth0", "5"},
        {"8.8.8.8", "from 10.0.0.2 iif eth0", "0x10"},
        {"8.8.8.8", "from 10.0.0.2 iif eth0", "1"},
        {"172.16.0.9", "from 10.0.0.2 iif eth0", "0"},
        {"8.8.8.8", "", "0"},
        {"8.8.8.8", "", "1"},
        {"198.51.100.7", "", "0"},
        {"198.51.100.7", "from 10.0.0.1", "0"},
        {"203.0.113.70", "", "0"},
        {"2001:db8:9::1", "", "1"},
        {"2001:db8:9::1", "", "0"},
        {"2001:db8:2::5", "from 2001:db8:1::1", "0"},
        {"2001:db8:2::5", "", "0"},
        {"2001:db8:3::5", "from 2001:db8:7::2 iif eth1", "0"},
        {"2001:db8:4::5", "from 2001:db8:7::2 iif eth1", "0"},
        {"2001:db8:4::5", "from 2001:db8:7::2 iif eth0", "1"},
        {"2001:db8:4::5", "from 2001:db8:7::2 iif eth0", "4"},
        {"2001:db8:4::5", "", "4"},
        {"198.51.100.7", "", "2"},
        {"198.51.100.250", "", "0"},
        {"198.51.100.7", "from 10.0.0.2 iif eth0", "2"},
    };

    static Netns ns, peers;
    static Host host;

    @BeforeAll
    static void build() {
        Tools.require("ip");
        ns = Netns.create("tpr");
        peers = Netns.create("tpp");
        for (String dev : List.of("eth0", "eth1")) {
            String peer = "p" + dev.charAt(3);
            ns.exec("ip", "link", "add", dev, "type", "veth", "peer", "name", peer, "netns", peers.name()).checked();
            peers.exec("ip", "link", "set", peer, "up").checked();
        }
        ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked();
        ns.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").checked();
        for (String line : FILE.split("\n")) {
            List<String> cmd = new ArrayList<>(List.of("ip"));
            cmd.addAll(List.of(line.trim().split("\\s+")));
            ns.exec(cmd.toArray(String[]::new)).checked();
        }
        host = Host.parse(FILE, "rules.ip");
    }

    @AfterAll
    static void tearDown() {
        if (ns != null) ns.close();
        if (peers != null) peers.close();
    }

    @Test
    void ipRuleListsAsIp() {
        assertEquals(ns.exec("ip", "rule", "show").checked().stdout(), host.rules().format(host));
        assertEquals(ns.exec("ip", "-6", "rule", "show").checked().stdout(), host.rules6().format(host));
    }

    @Test
    void routeShowTableListsAsIp() {
        for (String t : List.of("100", "200")) {
            assertEquals(ns.exec("ip", "route", "show", "table", t).checked().stdout(), IpFormat.routes(host, Integer.parseInt(t)), "table " + t);
        }
        for (String t : List.of("100", "300")) {
            assertEquals(ns.exec("ip", "-6", "route", "show", "table", t).checked().stdout(), IpFormat6.routes(host, Integer.parseInt(t)), "-6 table " + t);
        }
    }

    @Test
    void jnatIpRuleAndRouteShowTablePrintTheSame() throws IOException {
        Path f = Files.createTempFile("jnat-rules", ".ip");
        Files.writeString(f, FILE);
        assertEquals(ns.exec("ip", "rule").checked().stdout(), CliRun.jnat("ip", "--host", f.toString(), "rule").out());
        assertEquals(ns.exec("ip", "-6", "rule", "show").checked().stdout(), CliRun.jnat("ip", "--host", f.toString(), "-6", "rule", "show").out());
        assertEquals(ns.exec("ip", "route", "show", "table", "100").checked().stdout(),
                CliRun.jnat("ip", "--host", f.toString(), "route", "show", "table", "100").out());
    }

    @Test
    void hostCaptureKeepsTheRulesAndTheTables() throws IOException {
        Path out = Files.createTempDirectory("jnat-capture-rules");
        CliRun r = CliRun.jnat("host", "capture", "--netns", ns.name(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        String file = Files.readString(out.resolve("host.ip"));
        String copy = file.lines().filter(l -> !l.matches(".*dev bp\\d+( .*)?$")).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        Host captured = Host.parse(copy, "captured.ip");
        assertEquals(ns.exec("ip", "rule", "show").checked().stdout(), captured.rules().format(captured), file);
        assertEquals(ns.exec("ip", "-6", "rule", "show").checked().stdout(), captured.rules6().format(captured), file);
        assertEquals(ns.exec("ip", "route", "show", "table", "200").checked().stdout(), IpFormat.routes(captured, 200), file);
        assertEquals(ns.exec("ip", "-6", "route", "show", "table", "100").checked().stdout(), IpFormat6.routes(captured, 100), file);
    }

    @Test
    void lookupsWithMarkSourceAndInputDeviceMatchTheKernel() {
        List<String> diffs = new ArrayList<>();
        for (String[] l : LOOKUPS) {
            List<String> cmd = new ArrayList<>(List.of("ip", "-j"));
            boolean v6 = l[0].contains(":");
            if (v6) cmd.add("-6");
            cmd.addAll(List.of("route", "get", l[0]));
            if (!l[1].isEmpty()) cmd.addAll(List.of(l[1].split(" ")));
            cmd.addAll(List.of("mark", l[2]));
            Tools.Result r = ns.exec(cmd.toArray(String[]::new));
            String kernel;
            if (r.exitCode() != 0) {
                kernel = r.stderr().strip();
            } else {
                JsonObject o = JsonParser.parseString(r.stdout()).getAsJsonArray().get(0).getAsJsonObject();
                kernel = (o.has("type") ? o.get("type").getAsString() : "unicast") + " dev " + o.get("dev").getAsString()
                        + (o.has("gateway") ? " via " + o.get("gateway").getAsString() : "");
            }
            String ours = jnat(l[0], l[1], (int) Long.decode(l[2]).longValue());
            if (!kernel.equals(ours)) diffs.add(String.join(" ", l) + ": kernel '" + kernel + "', jnat '" + ours + "'");
        }
        assertEquals(List.of(), diffs);
    }

    @Test
    void jnatIpRouteGetWithAMarkPrintsWhatIpPrints() throws IOException {
        Path f = Files.createTempFile("jnat-rules", ".ip");
        Files.writeString(f, FILE);
        List<String> diffs = new ArrayList<>();
        for (String[] l : LOOKUPS) {
            List<String> args = new ArrayList<>();
            if (l[0].contains(":")) args.add("-6");
            args.addAll(List.of("route", "get", l[0]));
            if (!l[1].isEmpty()) args.addAll(List.of(l[1].split(" ")));
            args.addAll(List.of("mark", l[2]));
            List<String> cmd = new ArrayList<>(List.of("ip"));
            cmd.addAll(args);
            Tools.Result k = ns.exec(cmd.toArray(String[]::new));
            List<String> ours = new ArrayList<>(List.of("ip", "--host", f.toString()));
            ours.addAll(args);
            CliRun j = CliRun.jnat(ours.toArray(String[]::new));
            String kernel = k.exitCode() == 0 ? k.stdout() : k.stderr(), mine = j.exit() == 0 ? j.out() : j.err();
            if (!kernel.equals(mine)) diffs.add(String.join(" ", args) + ":\n  ip   " + kernel + "  jnat " + mine);
        }
        assertEquals(List.of(), diffs);
    }

    private static String jnat(String dst, String how, int mark) {
        String[] w = how.isEmpty() ? new String[0] : how.split(" ");
        Interface in = w.length == 4 ? host.device(w[3]) : null;
        if (dst.contains(":")) {
            long[] d = IpFormat6.parseAddress(dst), s = w.length >= 2 ? IpFormat6.parseAddress(w[1]) : new long[] {0, 0};
            RouteDecision6 rd = in != null ? host.routeInput6(d[0], d[1], s[0], s[1], in, mark, new RouteDecision6())
                    : host.routeOutput6(d[0], d[1], s[0], s[1], mark, new RouteDecision6());
            RouteResult6 res = rd.toResult();
            if (res.isError()) return "RTNETLINK answers: " + res.error().rtnetlinkText();
            boolean direct = res.nexthopHi() == d[0] && res.nexthopLo() == d[1];
            return res.type().ipName() + " dev " + res.out().name()
                    + (direct ? "" : " via " + IpFormat6.formatAddress(res.nexthopHi(), res.nexthopLo()));
        }
        int d = IpFormat.parseAddress(dst), s = w.length >= 2 ? IpFormat.parseAddress(w[1]) : 0;
        RouteResult res = in != null ? host.routeInput(d, s, in, mark) : host.routeOutput(d, s, mark);
        if (res.isError()) return "RTNETLINK answers: " + res.error().rtnetlinkText();
        boolean direct = res.nexthop() == d || res.type() != RouteType.UNICAST;
        return res.type().ipName() + " dev " + res.out().name() + (direct ? "" : " via " + Inet4.format(res.nexthop()));
    }

    @Test
    void aBackwardGotoAndADuplicateAreRefusedAsTheKernelRefusesThem() {
        for (List<String> lines : List.of(List.of("rule add goto 10 pref 20"),
                List.of("rule add fwmark 0x1 lookup 100 pref 5", "rule add fwmark 0x1 lookup 100 pref 5"))) {
            try (Netns n = Netns.create("tpq")) {
                Tools.Result last = null;
                for (String line : lines) {
                    List<String> cmd = new ArrayList<>(List.of("ip"));
                    cmd.addAll(List.of(line.split(" ")));
                    last = n.exec(cmd.toArray(String[]::new));
                }
                assertTrue(last.exitCode() != 0, lines.toString());
                String text = String.join("\n", lines);
                HostFileException e = assertThrows(HostFileException.class, () -> Host.parse(text, "bad.ip"));
                assertTrue(e.getMessage().endsWith(last.stderr().strip()), e.getMessage() + " vs " + last.stderr());
            }
        }
    }
}

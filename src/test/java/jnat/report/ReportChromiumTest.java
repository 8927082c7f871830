package jnat.report;

import jnat.demo.SeedDemo;
import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.pcap.LinkType;
import jnat.pcap.PcapRecord;
import jnat.replay.Replay;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report as a browser shows it: the seed demo's and a 10,000-connection replay's, loaded in
 * headless Chromium, render without a console message and hold the elements of a known replay.
 */
class ReportChromiumTest {
    @TempDir
    static Path dir;
    static Path demo;

    @BeforeAll
    static void writeTheDemosReport() throws IOException {
        demo = dir.resolve("demo.html");
        SeedDemo.print(new PrintWriter(new StringWriter()), demo);
    }

    @Test
    void theSeedDemosReportRendersWithoutConsoleMessages() throws IOException {
        Chromium.require();
        Chromium.Page page = Chromium.load(demo, null, dir.resolve("profile"));
        assertEquals(List.of(), page.console());
        assertTrue(page.dom().contains("<body data-ready=\"1\">"), "the script ran to its end");
        assertTrue(page.dom().contains("page 1 of 1 (2)"), "two connections: the ping and the HTTP fetch");
        assertTrue(page.dom().contains("page 1 of 1 (99)"), "88 ICMP and 11 TCP frames fed in");
    }

    @Test
    void theDnatedSynsRewrittenDestinationIsMarkedInItsWalkAndItsSequenceDiagram() throws IOException {
        Chromium.require();
        int syn = packetIndex(Chromium.load(demo, null, dir.resolve("profile")).dom(), "45.77.200.180.10000: Flags [S],");
        Chromium.Page page = Chromium.load(demo, "packet=" + syn, dir.resolve("profile"));
        assertEquals(List.of(), page.console());
        String walk = section(page.dom(), "walk");
        assertTrue(walk.contains("114.246.99.100.60677 &gt; <mark class=\"rw rw-dst\" title=\"destination rewritten by NAT\">172.17.0.2</mark>."
                + "<mark class=\"rw rw-dst\" title=\"destination rewritten by NAT\">8000</mark>: Flags [S]"), walk);
        assertTrue(walk.contains("nat:DOCKER:rule:2 DNAT to:172.17.0.2:8000"), "the DNAT rule in the walk");
        assertTrue(walk.contains("iptables -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000"),
                "with its text");
        assertEquals("cell hit", cellClass(walk, "PREROUTING", "nat"), "the nat cell at PREROUTING is where the packet was translated");
        assertEquals("cell ", cellClass(walk, "POSTROUTING", "mangle"), "no mangle table in the ruleset");
        String seq = section(page.dom(), "connections");
        assertTrue(seq.contains("<tspan class=\"rw rw-dst\">172.17.0.2</tspan>"), "the sequence diagram marks the rewritten destination");
    }

    @Test
    void theIcmpEchosWalkNamesTheMasqueradeRuleAtPostrouting() throws IOException {
        Chromium.require();
        int echo = packetIndex(Chromium.load(demo, null, dir.resolve("profile")).dom(), "172.17.0.2 &gt; 8.8.8.8: ICMP echo request, id 28, seq 265");
        Chromium.Page page = Chromium.load(demo, "packet=" + echo, dir.resolve("profile"));
        assertEquals(List.of(), page.console());
        String walk = section(page.dom(), "walk");
        assertTrue(walk.contains("nat:POSTROUTING:rule:1 MASQUERADE"), walk);
        assertTrue(walk.contains("iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE"), walk);
        assertEquals("cell hit", cellClass(walk, "POSTROUTING", "nat"));
        assertEquals("cell walked", cellClass(walk, "PREROUTING", "conntrack"));
        assertEquals("cell ", cellClass(walk, "INPUT", "filter"), "a forwarded packet never enters INPUT");
        assertTrue(walk.contains("data-edge=\"fwd&gt;post\"") && walk.matches("(?s).*class=\"edge on\" d=\"M700,92 L740,92\".*"),
                "the path from FORWARD to POSTROUTING is drawn");
        assertTrue(walk.contains("<mark class=\"rw rw-src\" title=\"source rewritten by NAT\">45.77.200.180</mark> &gt; 8.8.8.8"), walk);
    }

    @Test
    void aReplayOfTenThousandConnectionsRendersAndDrawsAChosenPacketsWalk() throws IOException {
        Chromium.require();
        Host host = SeedDemo.host();
        NatEngine engine = new NatEngine(host, SeedDemo.rules());
        ReportRecorder rec = new ReportRecorder(engine, null, ZoneOffset.UTC).attach();
        int n = 10_000;
        long t0 = 1_600_000_000_000_000_000L;
        int[] i = {0};
        Replay replay = new Replay(engine).input(host.device("docker0"), () -> {
            if (i[0] == n) return null;
            int k = i[0]++;
            byte[] f = EthernetRepr.of("02:42:ac:11:00:02", "02:42:d5:35:3a:3c").frame(
                    Ipv4Repr.of("172.17.0.2", Ipv4Address.format(Ipv4Address.parse("198.51.100.1") + k % 250)),
                    TcpRepr.of(1024 + k, 80).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240));
            return new PcapRecord(t0 + k * 1000L, LinkType.ETHERNET, 0, f, f.length, f.length);
        });
        replay.run(rec.sink(null), rec.listener(null));
        Path html = dir.resolve("10k.html");
        ReportWriter.write(html, rec, "10,000 SYNs", "10000 frames", false);
        long bytes = Files.size(html);
        assertTrue(bytes < 100L * n, "under 100 bytes a frame: " + bytes);
        Chromium.Page page = Chromium.load(html, "packet=7777", dir.resolve("profile"));
        assertEquals(List.of(), page.console());
        assertTrue(page.dom().contains("<body data-ready=\"1\">"));
        assertTrue(page.dom().contains("page 1 of 200 (10000)"), "10,000 connections, 50 a page");
        assertTrue(page.dom().contains("page 1 of 100 (10000)"), "10,000 packets, 100 a page");
        String walk = section(page.dom(), "walk");
        assertTrue(walk.contains("packet #7777"), walk);
        assertTrue(walk.contains("172.17.0.2.8801 &gt; 198.51.100.28.80: Flags [S]"), "its line as it came in");
        assertTrue(walk.contains("<mark class=\"rw rw-src\" title=\"source rewritten by NAT\">45.77.200.180</mark>"), "MASQUERADEd");
        assertEquals("cell hit", cellClass(walk, "POSTROUTING", "nat"));
    }

    @Test
    void aDroppedPacketsWalkEndsWithItsReasonAndTheHostsAnswerIsAPacketOfItsOwn() throws IOException {
        Chromium.require();
        String rules;
        try (var in = getClass().getResourceAsStream("/demo/seed-docker.rules")) {
            rules = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        rules += "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p udp -m udp --dport 9 -j DROP\nCOMMIT\n";
        Host host = SeedDemo.host();
        NatEngine engine = new NatEngine(host, jnat.rules.Ruleset.parse(rules));
        ReportRecorder rec = new ReportRecorder(engine, null, ZoneOffset.UTC).attach();
        EthernetRepr eth = EthernetRepr.of("02:42:ac:11:00:02", "02:42:d5:35:3a:3c");
        List<byte[]> frames = List.of(
                eth.frame(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), jnat.wire.IcmpRepr.echoRequest(28, 1, new byte[56])),
                eth.frame(Ipv4Repr.of("172.17.0.2", "198.51.100.8"), jnat.wire.UdpRepr.of(40000, 9).withPayload(new byte[8])));
        int[] i = {0};
        new Replay(engine).input(host.device("docker0"), () -> i[0] == frames.size() ? null
                : new PcapRecord(1_600_000_000_000_000_000L + i[0], LinkType.ETHERNET, 0, frames.get(i[0]), frames.get(i[0]).length,
                        frames.get(i[0]++).length)).run(rec.sink(null), rec.listener(null));
        Path html = dir.resolve("drops.html");
        ReportWriter.write(html, rec, "drops", "", false);

        String ttl = section(Chromium.load(html, "packet=0", dir.resolve("profile")).dom(), "walk");
        assertTrue(ttl.contains("dropped: TTL exceeded in forwarding (ttl-exceeded)"), ttl);
        assertTrue(ttl.contains("<a href=\"#packet=1\">the host's answer #1</a>"), ttl);
        String answer = section(Chromium.load(html, "packet=1", dir.resolve("profile")).dom(), "walk");
        assertTrue(answer.contains("the host's own packet, caused by #0, routed"), answer);
        assertTrue(answer.contains("172.17.0.1 &gt; 172.17.0.2: ICMP time exceeded in-transit"), answer);
        assertEquals("cell walked", cellClass(answer, "OUTPUT", "conntrack"), "the answer walks OUTPUT");
        Chromium.Page filtered = Chromium.load(html, "packet=2", dir.resolve("profile"));
        assertEquals(List.of(), filtered.console());
        String drop = section(filtered.dom(), "walk");
        assertEquals("cell dropped", cellClass(drop, "FORWARD", "filter"));
        assertTrue(drop.contains("filter:FORWARD:rule:1 DROP"), drop);
        assertTrue(drop.contains("✕ dropped at FORWARD: DROP verdict in the filter table (filter-drop)"), drop);
    }

    /** The packet list's row whose line as it came in contains {@code text}. */
    static int packetIndex(String dom, String text) {
        Matcher m = Pattern.compile("<tr data-packet=\"(\\d+)\">(.*?)</tr>").matcher(dom);
        while (m.find()) if (m.group(2).contains(text)) return Integer.parseInt(m.group(1));
        throw new AssertionError("no packet with " + text);
    }

    static String section(String dom, String id) {
        int a = dom.indexOf("<section id=\"" + id + "\"");
        assertFalse(a < 0, "no section " + id);
        return dom.substring(a, dom.indexOf("</section>", a));
    }

    static String hookGroup(String walk, String hook) {
        int a = walk.indexOf("<g data-hook=\"" + hook + "\">");
        assertFalse(a < 0, "no hook " + hook + " drawn");
        return walk.substring(a, walk.indexOf("</g>", a));
    }

    /** The class of the hook's cell for {@code table} on the packet-flow diagram. */
    static String cellClass(String walk, String hook, String table) {
        Matcher m = Pattern.compile("<rect class=\"([^\"]*)\"[^>]*data-table=\"" + table + "\"").matcher(hookGroup(walk, hook));
        assertTrue(m.find(), "no " + table + " cell at " + hook);
        return m.group(1);
    }
}

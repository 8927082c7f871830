package jnat.cli;

import jnat.demo.SeedDemo;
import jnat.pcap.LinkType;
import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import jnat.pcap.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayCommandTest {
    @TempDir
    Path dir;

    Path hostFile() throws Exception {
        Path h = dir.resolve("host.ip");
        try (var in = getClass().getResourceAsStream("/hosts/seed-docker-host.ip")) {
            Files.write(h, in.readAllBytes());
        }
        return h;
    }

    Path rulesFile() throws Exception {
        Path r = dir.resolve("nat.rules");
        try (var in = getClass().getResourceAsStream("/demo/seed-docker.rules")) {
            Files.write(r, in.readAllBytes());
        }
        return r;
    }

    /** The seed's frames that reached eth0 in the port-publishing experiment, as a pcap file. */
    Path seedEth0Input() throws Exception {
        return seedInput("eth0-in.pcap", SeedDemo.run().tcpEth0(), 0x5600047c7c23L);
    }

    /** The container's frames to docker0 in the same experiment. */
    Path seedDocker0Input() throws Exception {
        return seedInput("docker0-in.pcap", SeedDemo.run().tcpDocker0(), 0x0242d5353a3cL);
    }

    /** The frames of a capture addressed to {@code mac} (those that arrived on that interface). */
    Path seedInput(String name, SeedDemo.Capture capture, long mac) throws Exception {
        Path p = dir.resolve(name);
        try (PcapWriter w = PcapWriter.create(p, LinkType.ETHERNET)) {
            for (PcapRecord rec : capture.frames()) {
                if (jnat.wire.MacAddress.read(rec.data(), 0) == mac) w.write(rec);
            }
        }
        return p;
    }

    static List<PcapRecord> read(Path file) throws Exception {
        List<PcapRecord> all = new ArrayList<>();
        try (PcapReader in = PcapReader.open(file)) {
            for (PcapRecord rec; (rec = in.next()) != null; ) all.add(rec);
        }
        return all;
    }

    static void assertOneLineError(CliRun r, String expected) {
        assertNotEquals(0, r.exit(), "exit code");
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains(expected), err);
        assertTrue(!err.contains("Exception") && !err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void conntrackMaxBelowOneIsAOneLineError() throws Exception {
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--in", "eth0=" + seedEth0Input(), "--conntrack-max", "-5");
        assertOneLineError(r, "--conntrack-max must be at least 1, not -5");
    }

    @Test
    void replayWritesEachInterfacesTransmissionsToOutDir() throws Exception {
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(),
                "--in", "eth0=" + seedEth0Input(), "--in", "docker0=" + seedDocker0Input(),
                "--out", dir.resolve("out").toString(), "--list");
        assertEquals(0, r.exit(), r.err());
        assertEquals(6, read(dir.resolve("out/docker0.pcap")).size(), "the client's 6 frames DNATed onto docker0");
        assertEquals(5, read(dir.resolve("out/eth0.pcap")).size(), "the container's 5 frames back out of eth0");
        assertEquals(0, read(dir.resolve("out/local.pcap")).size());
        assertTrue(r.out().contains("to:172.17.0.2:8000"), r.out());
        assertTrue(r.out().contains("    1    64 DNAT"), r.out());
    }

    @Test
    void setsBesideTheRulesDecideAsTheirMembersSay() throws Exception {
        Path sets = dir.resolve("gw.sets"), rules = rulesFile();
        assertEquals(0, jnat("ipset", "--sets", sets.toString(), "create", "containers", "hash:ip,port", "counters").exit());
        assertEquals(0, jnat("ipset", "--sets", sets.toString(), "add", "containers", "172.17.0.2,tcp:8000").exit());
        CliRun add = jnat("iptables", "--rules", rules.toString(), "--sets", sets.toString(), "-I", "FORWARD",
                "-m", "set", "--match-set", "containers", "dst,dst", "-j", "DROP");
        assertEquals(0, add.exit(), add.err());
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rules.toString(), "--sets", sets.toString(),
                "--in", "eth0=" + seedEth0Input(), "--in", "docker0=" + seedDocker0Input(),
                "--out", dir.resolve("out").toString(), "--list");
        assertEquals(0, r.exit(), r.err());
        assertEquals(0, read(dir.resolve("out/docker0.pcap")).size(), "the client's frames to 172.17.0.2:8000 dropped by the set");
        CliRun missing = jnat("iptables", "--rules", dir.resolve("other.rules").toString(), "-I", "FORWARD", "-m", "set",
                "--match-set", "containers", "dst,dst"); // no --sets: no sets
        assertTrue(Files.notExists(dir.resolve("other.rules")));
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("Set containers doesn't exist."), missing.err());
    }

    @Test
    void nftRulesetReplaysAsTheIptablesOneAndListsItsCounters() throws Exception {
        // the seed's port publishing, written as Docker's nftables backend writes it
        Path nft = dir.resolve("seed.nft");
        Files.writeString(nft, """
                table ip docker {
                	chain prerouting {
                		type nat hook prerouting priority dstnat; policy accept;
                		fib daddr type local iifname != "docker0" tcp dport 10000 counter dnat to 172.17.0.2:8000
                	}
                	chain postrouting {
                		type nat hook postrouting priority srcnat; policy accept;
                		ip saddr 172.17.0.0/16 oifname != "docker0" counter masquerade
                	}
                }
                """);
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--nft", nft.toString(),
                "--in", "eth0=" + seedEth0Input(), "--in", "docker0=" + seedDocker0Input(),
                "--out", dir.resolve("out").toString(), "--list");
        assertEquals(0, r.exit(), r.err());
        assertEquals(6, read(dir.resolve("out/docker0.pcap")).size(), "the client's 6 frames DNATed onto docker0");
        assertEquals(5, read(dir.resolve("out/eth0.pcap")).size(), "the container's 5 frames back out of eth0");
        assertTrue(r.out().contains("tcp dport 10000 counter packets 1 bytes 64 dnat to 172.17.0.2:8000"), r.out()); // the SYN iptables counts as "1 64 DNAT"
    }

    @Test
    void anNftFileWithAnErrorIsNftsMessage() throws Exception {
        Path nft = dir.resolve("bad.nft");
        Files.writeString(nft, "table ip t {\n\tchain c {\n\t\ttcp dport 80 acept\n\t}\n}\n");
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--nft", nft.toString(), "--in", "eth0=" + seedEth0Input());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains(nft + ":3:") && r.err().contains("Error: syntax error"), r.err());
    }

    @Test
    void eventsFollowTheConnectionThroughItsTcpStatesAsConntrackEShowsThem() throws Exception {
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(),
                "--in", "eth0=" + seedEth0Input(), "--in", "docker0=" + seedDocker0Input(), "--events");
        assertEquals(0, r.exit(), r.err());
        List<String> events = r.out().lines().filter(l -> l.matches(" *\\[(NEW|UPDATE|DESTROY)\\] .*")).toList();
        // the client's SYN is DNATed: its reply tuple comes from the container's port 8000
        assertTrue(events.getFirst().matches("    \\[NEW\\] tcp      6 120 SYN_SENT src=\\S+ dst=45\\.77\\.200\\.180 sport=\\d+ "
                + "dport=10000 \\[UNREPLIED\\] src=172\\.17\\.0\\.2 dst=\\S+ sport=8000 dport=\\d+"), events.getFirst());
        // tcp_conntracks for the seed's exchange: the server closes first, the client's two ACKs, its FIN, the last ACK
        assertEquals(List.of("SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT"),
                events.stream().map(l -> l.split(" +")[5]).toList());
        assertTrue(events.get(2).endsWith("[ASSURED]"), events.get(2));
        assertTrue(r.err().contains("conntrack v1.4.7 (conntrack-tools): 7 flow events have been shown."), r.err());
    }

    @Test
    void aReportBesideTheTraceLeavesTheTraceAsItIsAndWritesTheFile() throws Exception {
        String[] args = {"replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(),
                "--in", "eth0=" + seedEth0Input(), "--in", "docker0=" + seedDocker0Input(), "--trace"};
        CliRun alone = jnat(args);
        List<String> withReport = new ArrayList<>(List.of(args));
        withReport.addAll(List.of("--report", dir.resolve("r.html").toString()));
        CliRun both = jnat(withReport.toArray(String[]::new));
        assertEquals(0, both.exit(), both.err());
        assertEquals(alone.out(), both.out());
        assertTrue(alone.out().contains("  nat:DOCKER:rule:2 DNAT to:172.17.0.2:8000"), alone.out());
        assertEquals("report written to " + dir.resolve("r.html"), both.err().strip());
        String html = Files.readString(dir.resolve("r.html"));
        assertTrue(html.contains("<title>jnat replay: eth0=" + seedEth0Input()), "titled by its inputs");
        assertTrue(html.contains("<span class=\"moved\">    1    64 DNAT       tcp  --  !docker0 *       0.0.0.0/0            0.0.0.0/0            tcp dpt:10000 to:172.17.0.2:8000</span>"),
                "the DNAT rule's counters moved");
    }

    @Test
    void localInputWalksOutputWhereDockerPublishesThePortToTheHostItself() throws Exception {
        Path local = dir.resolve("local-in.pcap");
        byte[] syn = jnat.wire.Ipv4Repr.of("45.77.200.180", "45.77.200.180")
                .packet(jnat.wire.TcpRepr.of(43000, 10000).withSeq(1).withFlags(jnat.wire.TcpSegment.SYN).withWindow(64240));
        try (PcapWriter w = PcapWriter.create(local, LinkType.RAW)) {
            w.write(1_000_000_000L, syn, 0, syn.length);
        }
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(),
                "--in", "local=" + local, "--out", dir.resolve("out").toString(), "--list");
        assertEquals(0, r.exit(), r.err());
        List<PcapRecord> docker0 = read(dir.resolve("out/docker0.pcap"));
        assertEquals(1, docker0.size(), r.out());
        jnat.wire.Ipv4Packet ip = new jnat.wire.Ipv4Packet();
        assertEquals(0, ip.wrap(docker0.getFirst().data(), 14, docker0.getFirst().capturedLength() - 14));
        assertEquals(jnat.wire.Ipv4Address.parse("172.17.0.2"), ip.dst());
        assertEquals(8000, ip.dstPort());
        assertTrue(r.out().contains("    1    40 DOCKER     all  --  *      *       0.0.0.0/0           !127.0.0.0/8"), r.out());
    }

    @Test
    void nflogWritesEachGroupsLoggedPacketsToNflogDir() throws Exception {
        Path rules = dir.resolve("nflog.rules");
        Files.writeString(rules, Files.readString(rulesFile()) + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\n-A FORWARD -p tcp --syn -j NFLOG --nflog-group 3 --nflog-prefix syn\n"
                + "-A FORWARD -j NFLOG --nflog-group 4 --nflog-size 40\nCOMMIT\n");
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rules.toString(),
                "--in", "eth0=" + seedEth0Input(), "--in", "docker0=" + seedDocker0Input(), "--nflog", dir.resolve("nflog").toString());
        assertEquals(0, r.exit(), r.err());
        List<PcapRecord> syns = read(dir.resolve("nflog/nflog-3.pcap")), all = read(dir.resolve("nflog/nflog-4.pcap"));
        assertEquals(1, syns.size(), "the client's one SYN was forwarded");
        assertEquals(11, all.size(), "every forwarded frame: 6 in, 5 back");
        byte[] rec = syns.getFirst().data();
        assertEquals(2, rec[0], "AF_INET");
        assertEquals(3, rec[3], "resource id: the group");
    }

    /** The seed's host with Docker's IPv6 network (a ULA on docker0, 2001:db8::10 on eth0) and Docker's MASQUERADE for it. */
    Path[] ipv6HostAndRules(String extraRule) throws Exception {
        Path h = dir.resolve("host6.ip");
        Files.writeString(h, Files.readString(hostFile()) + """
                addr add 2001:db8::10/64 dev eth0
                -6 route add default via fe80::1 dev eth0
                neigh add fe80::1 lladdr 06:7c:16:88:fe:87 dev eth0
                addr add fd49:efd7:54aa::1/64 dev docker0
                neigh add fd49:efd7:54aa::2 lladdr 02:42:ac:11:00:02 dev docker0
                """);
        Path r = dir.resolve("nat6.rules");
        Files.writeString(r, "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                + "-A POSTROUTING -s fd49:efd7:54aa::/64 ! -o docker0 -j MASQUERADE\n" + extraRule + "COMMIT\n");
        return new Path[] {h, r};
    }

    @Test
    void rules6ReplaysAnIpv6PcapThroughTheIpv6Path() throws Exception {
        Path[] hr = ipv6HostAndRules("");
        Path in = dir.resolve("docker0-in6.pcap");
        byte[] syn = jnat.wire.EthernetRepr.of("02:42:ac:11:00:02", "02:42:d5:35:3a:3c").frame(
                jnat.wire.Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:1::8"),
                jnat.wire.TcpRepr.of(40000, 443).withSeq(1).withFlags(jnat.wire.TcpSegment.SYN).withWindow(64240));
        try (PcapWriter w = PcapWriter.create(in, LinkType.ETHERNET)) {
            w.write(1_000_000_000L, syn, 0, syn.length);
        }
        CliRun r = jnat("replay", "--host", hr[0].toString(), "--rules6", hr[1].toString(),
                "--in", "docker0=" + in, "--out", dir.resolve("out").toString(), "--list");
        assertEquals(0, r.exit(), r.err());
        List<PcapRecord> eth0 = read(dir.resolve("out/eth0.pcap"));
        assertEquals(1, eth0.size(), r.out());
        jnat.wire.Ipv6Packet ip = new jnat.wire.Ipv6Packet();
        assertEquals(0, ip.wrap(eth0.getFirst().data(), 14, eth0.getFirst().capturedLength() - 14));
        assertEquals("2001:db8::10", jnat.wire.Ipv6Address.format(ip.srcHi(), ip.srcLo()), "MASQUERADEd");
        assertTrue(ip.verifyTransportChecksum());
        assertTrue(r.out().contains("    1    60 MASQUERADE  all  --  *      !docker0  fd49:efd7:54aa::/64  ::/0"), r.out());
    }

    @Test
    void anIpv6ReplaysReportListsIp6tablesCountersThatMoved() throws Exception {
        Path[] hr = ipv6HostAndRules("");
        Path in = dir.resolve("docker0-in6.pcap");
        byte[] syn = jnat.wire.EthernetRepr.of("02:42:ac:11:00:02", "02:42:d5:35:3a:3c").frame(
                jnat.wire.Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:1::8"),
                jnat.wire.TcpRepr.of(40000, 443).withSeq(1).withFlags(jnat.wire.TcpSegment.SYN).withWindow(64240));
        try (PcapWriter w = PcapWriter.create(in, LinkType.ETHERNET)) {
            w.write(1_000_000_000L, syn, 0, syn.length);
        }
        CliRun r = jnat("replay", "--host", hr[0].toString(), "--rules6", hr[1].toString(), "--in", "docker0=" + in,
                "--report", dir.resolve("r6.html").toString());
        assertEquals(0, r.exit(), r.err());
        String html = Files.readString(dir.resolve("r6.html"));
        assertTrue(html.contains("<h3>ip6tables -t nat -nvL</h3>"), "ip6tables' tables listed");
        assertTrue(html.contains("<span class=\"moved\">    1    60 MASQUERADE  all  --  *      !docker0  fd49:efd7:54aa::/64  ::/0                </span>"),
                html.substring(html.indexOf("ip6tables -t nat")));
    }

    @Test
    void aTproxyRuleAndPolicyRoutingDeliverAConnectionToARemoteAddressToTheTransparentListener() throws Exception {
        Path h = dir.resolve("tproxy-host.ip"), rules = dir.resolve("mangle.rules"), in = dir.resolve("eth0-in.pcap");
        Files.writeString(h, """
                link set dev eth0 address 56:00:04:7c:7c:23 up
                addr add 10.0.0.1/24 dev eth0
                neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0
                route add local 0.0.0.0/0 dev lo table 100
                rule add fwmark 0x1 lookup 100
                """);
        Files.writeString(rules, """
                *mangle
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -p tcp -m tcp --dport 80 -j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1
                COMMIT
                """);
        byte[] syn = jnat.wire.EthernetRepr.of("02:00:00:00:00:02", "56:00:04:7c:7c:23").frame(
                jnat.wire.Ipv4Repr.of("10.0.0.2", "198.51.100.7"),
                jnat.wire.TcpRepr.of(40000, 80).withSeq(1).withFlags(jnat.wire.TcpSegment.SYN).withWindow(64240));
        try (PcapWriter w = PcapWriter.create(in, LinkType.ETHERNET)) {
            w.write(1_000_000_000L, syn, 0, syn.length);
        }
        CliRun r = jnat("replay", "--host", h.toString(), "--rules", rules.toString(), "--in", "eth0=" + in,
                "--listen", "tcp:0.0.0.0:15006,transparent", "--out", dir.resolve("out").toString(), "--list");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("delivered to the host: 1"), r.out());
        assertTrue(r.out().contains("eth0                  1           54          0            0"), "nothing forwarded, no RST: " + r.out());
        CliRun without = jnat("replay", "--host", h.toString(), "--rules", rules.toString(), "--in", "eth0=" + in,
                "--listen", "tcp:0.0.0.0:15006", "--list");
        assertTrue(without.out().contains("dropped 1: DROP verdict in the mangle table"), "no IP_TRANSPARENT: TPROXY drops it: " + without.out());
    }

    @Test
    void missingInputFileIsOneLine() throws Exception {
        assertOneLineError(jnat("replay", "--host", hostFile().toString(), "--in", "eth0=" + dir.resolve("nope.pcap")),
                "nope.pcap: No such file or directory");
    }

    @Test
    void interfaceTheHostDoesNotHaveIsOneLineNamingIt() throws Exception {
        assertOneLineError(jnat("replay", "--host", hostFile().toString(), "--in", "wlan0=" + seedEth0Input()),
                "no interface wlan0 on the host");
    }

    @Test
    void corruptPcapIsOneLineWithTheOffset() throws Exception {
        Path bad = dir.resolve("bad.pcap");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25});
        assertOneLineError(jnat("replay", "--host", hostFile().toString(), "--in", "eth0=" + bad), "bad.pcap");
    }

    @Test
    void truncatedPcapIsOneLine() throws Exception {
        byte[] good = Files.readAllBytes(seedEth0Input());
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 10));
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--in", "eth0=" + cut);
        assertOneLineError(r, "cut.pcap");
    }

    @Test
    void unparsableRulesAreOneLineWithTheLineNumber() throws Exception {
        Path rules = dir.resolve("bad.rules");
        Files.writeString(rules, "*nat\n-A POSTROUTING -j NOSUCHTARGET\nCOMMIT\n");
        assertOneLineError(jnat("replay", "--host", hostFile().toString(), "--rules", rules.toString(),
                "--in", "eth0=" + seedEth0Input()), "line 2");
    }

    @Test
    void badHostFileLineIsOneLineWithTheLineNumber() throws Exception {
        Path host = dir.resolve("bad.ip");
        Files.writeString(host, "link set dev eth0 up\naddr add 10.0.0.300/24 dev eth0\n");
        assertOneLineError(jnat("replay", "--host", host.toString(), "--in", "eth0=" + seedEth0Input()), ":2:");
    }

    @Test
    void fragmentsInAPcapAreReassembledMasqueradedAndLeaveAsFragments() throws Exception {
        Path in = fragmentsPcap();
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(),
                "--in", "docker0=" + in, "--out", dir.resolve("out").toString());
        assertEquals(0, r.exit(), r.err());
        List<PcapRecord> eth0 = read(dir.resolve("out/eth0.pcap"));
        assertEquals(2, eth0.size(), r.out());
        jnat.wire.Ipv4Packet ip = new jnat.wire.Ipv4Packet();
        assertEquals(0, ip.wrap(eth0.get(0).data(), 14, eth0.get(0).capturedLength() - 14));
        assertEquals(jnat.wire.Ipv4Address.parse("45.77.200.180"), ip.src());
        assertEquals(0, ip.fragmentOffset());
        assertTrue(ip.moreFragments());
        assertEquals(0x77, ip.identification());
        assertEquals(0, ip.wrap(eth0.get(1).data(), 14, eth0.get(1).capturedLength() - 14));
        assertEquals(1480 / 8, ip.fragmentOffset());
        assertTrue(r.out().contains("IPv4 fragments: 2 received, 1 datagrams reassembled, 0 queues left incomplete"), r.out());
        assertTrue(r.out().contains("sent as fragments: 1 datagrams in 2 fragments"), r.out());
    }

    @Test
    void theReassemblySysctlsAreSetWithSysctl() throws Exception {
        // ipfrag_high_thresh 0: no memory for any queue, every fragment refused (frag-memory-full)
        Path in = fragmentsPcap();
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(),
                "--sysctl", "net.ipv4.ipfrag_high_thresh=0", "--sysctl", "net/ipv4/ipfrag_time=60",
                "--in", "docker0=" + in, "--out", dir.resolve("out").toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(0, read(dir.resolve("out/eth0.pcap")).size(), r.out());
        assertTrue(r.out().contains("IPv4 fragments: 2 received, 0 datagrams reassembled, 0 queues left incomplete"), r.out());
        assertTrue(r.out().contains("dropped 2: IPv4 fragment refused: reassembly memory above ipfrag_high_thresh"), r.out());
    }

    @Test
    void theSysctlsOfASysctlFileAreSetAsWithSysctl() throws Exception {
        Path conf = dir.resolve("sysctl.conf");
        Files.writeString(conf, "# as jnat host capture writes it\nnet.ipv4.ipfrag_high_thresh = 0\nnet.ipv4.ipfrag_time = 60\n");
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(),
                "--sysctl-file", conf.toString(), "--in", "docker0=" + fragmentsPcap(), "--out", dir.resolve("out").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("dropped 2: IPv4 fragment refused: reassembly memory above ipfrag_high_thresh"), r.out());
    }

    @Test
    void aSysctlAfterTheFileWins() throws Exception {
        Path conf = dir.resolve("sysctl.conf");
        Files.writeString(conf, "net.ipv4.ipfrag_high_thresh = 0\n");
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(), "--sysctl-file", conf.toString(),
                "--sysctl", "net.ipv4.ipfrag_high_thresh=4194304", "--in", "docker0=" + fragmentsPcap(), "--out", dir.resolve("out").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("IPv4 fragments: 2 received, 1 datagrams reassembled"), r.out());
    }

    @Test
    void aReassemblySysctlThatIsNotANumberIsAUsageError() throws Exception {
        CliRun r = jnat("replay", "--host", hostFile().toString(), "--rules", rulesFile().toString(),
                "--sysctl", "net.ipv4.ipfrag_time=soon", "--in", "docker0=" + fragmentsPcap(),
                "--out", dir.resolve("out").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("net.ipv4.ipfrag_time: not a number: soon"), r.err());
    }

    /** A masqueradable 2528-byte UDP datagram from the container in two fragments, the second first. */
    private Path fragmentsPcap() throws Exception {
        byte[] udp = jnat.wire.Ipv4Repr.of("172.17.0.2", "8.8.8.8").withIdentification(0x77).withDontFragment(false)
                .packet(jnat.wire.UdpRepr.of(43000, 53).withPayload(new byte[2500]));
        Path in = dir.resolve("docker0-frags.pcap");
        try (PcapWriter w = PcapWriter.create(in, LinkType.ETHERNET)) {
            long t = 1_000_000_000L;
            // The second fragment first, then the first: a 1500-byte and a 1048-byte IP packet.
            for (int[] part : new int[][] {{1480, 1028, 0}, {0, 1480, 1}}) {
                byte[] frag = new byte[20 + part[1]];
                System.arraycopy(udp, 0, frag, 0, 20);
                System.arraycopy(udp, 20 + part[0], frag, 20, part[1]);
                frag[2] = (byte) (frag.length >>> 8);
                frag[3] = (byte) frag.length;
                int fo = (part[2] == 1 ? 0x2000 : 0) | part[0] / 8;
                frag[6] = (byte) (fo >>> 8);
                frag[7] = (byte) fo;
                frag[10] = frag[11] = 0;
                int sum = jnat.wire.Checksum.compute(frag, 0, 20);
                frag[10] = (byte) (sum >>> 8);
                frag[11] = (byte) sum;
                byte[] eth = jnat.wire.EthernetRepr.of(0x0242ac110002L, 0x0242d5353a3cL).frame(frag);
                w.write(t, eth, 0, eth.length);
                t += 1_000_000L;
            }
        }
        return in;
    }
}

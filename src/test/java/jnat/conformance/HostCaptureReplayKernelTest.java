package jnat.conformance;

import jnat.cli.CliRun;
import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.pcap.LinkType;
import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import jnat.pcap.PcapWriter;
import jnat.testing.Tools;
import jnat.wire.Checksum;
import jnat.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static jnat.conformance.Harness.u16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16's "done when" point 2: {@code jnat host capture} of a lab namespace, replayed, equals the
 * kernel frame by frame. A dual-stack Docker host ({@link ScenarioGenerator6#HOST}: eth0 to the
 * internet, docker0 with its containers, eth1 to a LAN, both families) is built as a namespace ({@link KernelLab})
 * with dockerd's rules loaded by iptables-restore and ip6tables-restore; {@code jnat host capture
 * --netns} copies it through the CLI a user runs. The same frames then go through the kernel (the
 * injector, one step at a time) and, written as pcaps with the times they were sent, through
 * {@code jnat replay} on the copy (host.ip, rules.v4, rules.v6, sysctl.conf, sockets.args). Every frame the kernel
 * transmitted must be the frame replay wrote for that step, on the same device, byte for byte.
 *
 * <p>Two fields cannot be equal and are compared another way: the IP id of an IPv4 packet the host
 * builds itself (echo replies, ICMP errors: the kernel's __ip_select_ident hashes the addresses with
 * a key drawn at boot; jnat's header checksum is checked, then the kernel's id is put in jnat's frame),
 * and the TCP checksum of the kernel's own RSTs, which leave a veth CHECKSUM_PARTIAL (the field holds
 * the pseudo-header sum a NIC would complete; completed here, as the wire would carry it).
 * Timestamps are the replay's inputs' own, so they are not compared.
 */
class HostCaptureReplayKernelTest {
    private static final int TCP = 6, UDP = 17, ICMP = 1, ICMPV6 = 58;
    private static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
    private static final long ROUTER = ScenarioGenerator.ROUTER_MAC;
    /** The host's ports the traffic reaches that no socket holds. */
    private static final int CLOSED_UDP = 6000, CLOSED_TCP = 22;
    /** A UDP port a socket of the host's holds (both families): datagrams to it draw no answer, in the copy too (sockets.args). */
    private static final int LISTENING_UDP = 5353;
    /** Port unreachables from the host to one internet address: more than icmp_ratelimit's burst of 6. */
    private static final int UNREACHABLES = 8;

    /**
     * One injected step and how many frames the kernel should send for it (how long the injector waits,
     * not compared), after a pause of {@code pauseMillis}.
     */
    private record Planned(Step step, int frames, int pauseMillis) {
        Planned(Step step, int frames) {
            this(step, frames, 0);
        }
    }

    /**
     * What one run gave: the frames compared, those of the host's own packets among them, the mismatches;
     * and replay's stdout (its summary, {@code --list}'s nat tables, {@code --conntrack}'s connections).
     */
    private record Outcome(int compared, int hostBuilt, List<String> mismatches, String replayOut) {}

    /** The kernel's run: the traffic, the frames injected (a pcap's records per device) and what the kernel sent per step. */
    private record KernelRun(List<Planned> plan, Map<String, List<PcapRecord>> inputs, Map<Long, Integer> stepAt,
                             List<List<KernelLab.Frame>> out, List<String> late, String conntrack, String nat, String nat6) {}

    @Test
    void aCapturedDockerHostReplaysEveryFrameTheKernelSends() throws IOException {
        try (KernelLab kernel = dockerHost()) {
            Path dir = capture(kernel);
            assertTrue(Files.readString(dir.resolve("sysctl.conf")).contains("\nnet.ipv4.icmp_ratelimit = 0\n"),
                    "the lab's icmp_ratelimit, which the kernel's default would not give");
            assertFalse(Files.exists(dir.resolve("ruleset.nft")), "no native nft table: only iptables-nft's, in rules.v4 and rules.v6");
            KernelRun k = send(kernel, traffic());
            Outcome o = replay(dir, k, true, true);
            System.out.printf("host capture replayed: %d frames compared (%d built by the host), %d mismatches%n",
                    o.compared(), o.hostBuilt(), o.mismatches().size());
            assertEquals(List.of(), o.mismatches());
            assertEquals(expected(k.plan()), o.compared(), "every frame the traffic makes the kernel send");
        }
    }

    @Test
    void theReplayEndsWithTheKernelsConnectionsAndNatCounters() throws IOException {
        try (KernelLab kernel = dockerHost()) {
            Path dir = capture(kernel);
            KernelRun k = send(kernel, traffic());
            Outcome o = replay(dir, k, true, true);
            // replay's stdout: the summary, each family's nat table (--list), conntrack -L's lines (--conntrack)
            String out = o.replayOut();
            int nat4 = out.indexOf("Chain PREROUTING"), nat6 = out.indexOf("Chain PREROUTING", nat4 + 1);
            String connections = out.lines().filter(l -> l.matches("(tcp|udp|icmp|icmpv6) +\\d+ .*"))
                    .collect(java.util.stream.Collectors.joining("\n"));
            int end = out.indexOf(connections.lines().findFirst().orElseThrow());
            assertTrue(nat4 > 0 && nat6 > nat4 && end > nat6, out);
            assertEquals(Harness.numericProt(k.nat()).strip(), Harness.numericProt(out.substring(nat4, nat6)).strip(), "iptables -t nat -nvL");
            assertEquals(Harness.numericProt(k.nat6()).strip(), Harness.numericProt(out.substring(nat6, end)).strip(), "ip6tables -t nat -nvL");
            assertEquals(Harness.entries(k.conntrack()), Harness.entries(connections), "conntrack -L, timeouts aside");
            System.out.printf("host capture replayed: conntrack -L's %d connections and both nat tables' counters equal%n",
                    connections.lines().count());
        }
    }

    @Test
    void withoutTheCapturedSysctlsTheHostsLastUnreachablesAreRateLimited() throws IOException {
        // the lab's icmp_ratelimit is 0; jnat's default (the kernel's, 1000 ms) lets a burst of 6 through
        try (KernelLab kernel = dockerHost()) {
            Path dir = capture(kernel);
            Outcome o = replay(dir, send(kernel, traffic()), false, true);
            assertEquals(UNREACHABLES - 6, o.mismatches().size(), String.join("\n", o.mismatches()));
            for (String m : o.mismatches()) {
                assertTrue(m.contains("(internet to a closed UDP port of the host)") && m.contains("the kernel transmitted 1 frames, jnat replay 0"), m);
            }
        }
    }

    @Test
    void withoutTheCapturedSocketsTheCopyAnswersTheListeningPortUnreachable() throws IOException {
        try (KernelLab kernel = dockerHost()) {
            Path dir = capture(kernel);
            Outcome o = replay(dir, send(kernel, traffic()), true, false);
            assertEquals(2, o.mismatches().size(), String.join("\n", o.mismatches()));
            for (String m : o.mismatches()) {
                assertTrue(m.contains("(internet to the host's listening UDP socket") && m.contains("the kernel transmitted 0 frames, jnat replay 1"), m);
            }
        }
    }

    @Test
    void theKernelsDefaultIcmpv6RateLimitIsCopiedAndFollowed() throws IOException {
        String ratelimit6;
        try (jnat.testing.Netns fresh = jnat.testing.Netns.create("cpd")) {
            ratelimit6 = fresh.exec("sysctl", "-n", "net.ipv6.icmp.ratelimit").checked().stdout().strip();
        }
        try (KernelLab kernel = dockerHost()) {
            // the lab's 0 back to what a new namespace has (kernel 6.18: 100 ms, a bucket of 6 per destination)
            Tools.run("ip", "netns", "exec", kernel.hostNamespace(), "sysctl", "-qw", "net.ipv6.icmp.ratelimit=" + ratelimit6).checked();
            Path dir = capture(kernel);
            assertTrue(Files.readAllLines(dir.resolve("sysctl.conf")).contains("net.ipv6.icmp.ratelimit = " + ratelimit6));
            Flow closed6 = flow6(0, UDP, "eth0", ROUTER, "2001:db8:ffff::80", 5000, ScenarioGenerator6.PUBLIC6, CLOSED_UDP,
                    "internet to a closed UDP port of the host");
            List<Planned> plan = new ArrayList<>();
            // a burst of 8: the bucket's 6 answered; after a pause of 4 limits, 2 more answered
            for (int n = 0; n < 8; n++) plan.add(new Planned(Step.data(closed6, Kind.ORIGINAL, 20 + n), n < 6 ? 1 : 0));
            int pause = 4 * Integer.parseInt(ratelimit6);
            for (int n = 0; n < 2; n++) plan.add(new Planned(Step.data(closed6, Kind.ORIGINAL, 30 + n), 1, n == 0 ? pause : 0));
            KernelRun k = send(kernel, plan);
            Outcome o = replay(dir, k, true, true);
            assertEquals(List.of(), o.mismatches());
            assertEquals(8, o.compared(), "the kernel answered as planned: 6 of the burst, both after the pause");
        }
    }

    /**
     * A native nf_tables table beside dockerd's iptables-nft ones: captured into ruleset.nft (without
     * iptables-nft's tables), replayed with {@code --nft}, it drops what the kernel's drops and counts
     * what it counts.
     */
    static final String GUARD = """
            table inet guard {
            	chain input {
            		type filter hook input priority filter - 1; policy accept;
            		tcp dport 7777 counter packets 0 bytes 0 drop
            		meta l4proto { icmp, ipv6-icmp } counter packets 0 bytes 0 accept
            	}
            }
            """;

    @Test
    void aNativeNftTableIsCapturedAndReplayedAsTheKernelRunsIt() throws IOException {
        try (KernelLab kernel = new KernelLab(ScenarioGenerator6.HOST, ScenarioGenerator.DEVICES, true, LISTENING_UDP)) {
            kernel.load(resource("/host-capture/docker.rules"), resource("/demo/seed6-docker.rules"), GUARD);
            Path dir = capture(kernel);
            String captured = Files.readString(dir.resolve("ruleset.nft"));
            assertTrue(captured.contains("table inet guard {") && !captured.contains("table ip nat"), captured);
            List<Planned> plan = traffic();
            Flow guarded = new Flow(100, TCP, "eth0", ROUTER, ip("198.51.100.70"), 43000, ScenarioGenerator.PUBLIC, 7777,
                    "internet to the port the nft table drops");
            Flow guarded6 = flow6(101, TCP, "eth0", ROUTER, "2001:db8:ffff::70", 43000, ScenarioGenerator6.PUBLIC6, 7777,
                    "internet to the port the nft table drops");
            plan.add(new Planned(Step.tcp(guarded, Kind.ORIGINAL, SYN, 0x30000, 0, 0), 0));
            plan.add(new Planned(Step.tcp(guarded6, Kind.ORIGINAL, SYN, 0x30000, 0, 0), 0));
            KernelRun k = send(kernel, plan);
            Outcome o = replay(dir, k, true, true, "--nft", dir.resolve("ruleset.nft").toString());
            assertEquals(List.of(), o.mismatches());
            assertEquals(expected(plan), o.compared());
            String out = o.replayOut(), table = out.substring(out.indexOf("table inet guard {"));
            table = table.substring(0, table.indexOf("\n}\n") + 3);
            assertEquals(kernel.nftListing("inet", "guard"), table, "nft list table inet guard: the counters moved alike");
        }
    }

    /** The lab: the Docker host with dockerd's rules of both families loaded, a silent UDP socket on {@link #LISTENING_UDP}. */
    private static KernelLab dockerHost() throws IOException {
        KernelLab kernel = new KernelLab(ScenarioGenerator6.HOST, ScenarioGenerator.DEVICES, true, LISTENING_UDP);
        kernel.load(resource("/host-capture/docker.rules"), resource("/demo/seed6-docker.rules"));
        return kernel;
    }

    /** {@code jnat host capture --netns} of the lab, as a user runs it; the directory it wrote. */
    private static Path capture(KernelLab kernel) throws IOException {
        Path dir = Files.createTempDirectory("jnat-capture");
        CliRun capture = CliRun.jnat("host", "capture", "--netns", kernel.hostNamespace(), "--out", dir.toString());
        assertEquals(0, capture.exit(), capture.err());
        assertEquals("", capture.err(), "the lab is a host jnat can copy: no warnings");
        assertEquals(List.of("--listen udp:0.0.0.0:" + LISTENING_UDP, "--listen udp:[::]:" + LISTENING_UDP),
                Files.readAllLines(dir.resolve("sockets.args")).stream().filter(l -> !l.startsWith("#")).toList(),
                "the lab's silent sockets (its own raw sockets are not TCP or UDP)");
        return dir;
    }

    /** Sends the traffic through the kernel, step by step, keeping each injected frame with the time it was sent. */
    private static KernelRun send(KernelLab kernel, List<Planned> plan) throws IOException {
        Map<Integer, Harness.Seen> seen = new HashMap<>();
        Map<String, List<PcapRecord>> inputs = new TreeMap<>();
        Map<Long, Integer> stepAt = new HashMap<>();
        List<List<KernelLab.Frame>> kernelOut = new ArrayList<>();
        long started = System.nanoTime(), last = 0;
        for (int i = 0; i < plan.size(); i++) {
            Step step = plan.get(i).step();
            Harness.Seen s = seen.computeIfAbsent(step.flow().id, k -> new Harness.Seen());
            Harness.Injection in = Harness.build(step, i, s);
            if (plan.get(i).pauseMillis() > 0) sleep(plan.get(i).pauseMillis());
            if (in == null) throw new AssertionError("step " + i + " (" + step + ") answers a packet the kernel never sent");
            // the replay's clock is the kernel's: each step at the microsecond it was sent, one step a timestamp
            long ts = BASE + Math.max(last + 1000, (System.nanoTime() - started) / 1000 * 1000);
            last = ts - BASE;
            List<KernelLab.Frame> out = Harness.caused(kernel.send(in.device(), in.frame(), plan.get(i).frames()));
            Harness.observe(step, Harness.injectedId(step.flow(), i), s, out);
            kernelOut.add(out);
            stepAt.put(ts, i);
            inputs.computeIfAbsent(in.device(), d -> new ArrayList<>())
                    .add(new PcapRecord(ts, LinkType.ETHERNET, 0, in.frame(), in.frame().length, in.frame().length));
        }
        List<String> late = new ArrayList<>();
        List<KernelLab.Frame> after = Harness.caused(kernel.drain(20));
        if (!after.isEmpty()) late.add("the kernel transmitted after the last step:\n" + Harness.describe(after));
        String ns = kernel.hostNamespace();
        return new KernelRun(plan, inputs, stepAt, kernelOut, late, kernel.conntrackListing(),
                Tools.run("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-nvL").checked().stdout(),
                Tools.run("ip", "netns", "exec", ns, "ip6tables", "-t", "nat", "-nvL").checked().stdout());
    }

    private static final long BASE = 1_700_000_000_000_000_000L;

    /**
     * The kernel run's frames as pcaps through {@code jnat replay} on the copy in {@code dir} (with its
     * sysctl.conf or not), and what replay wrote compared with what the kernel sent, step by step.
     */
    private static Outcome replay(Path dir, KernelRun k, boolean sysctls, boolean sockets, String... more) throws IOException {
        List<String> bad = new ArrayList<>(k.late());
        List<Planned> plan = k.plan();
        Path run = Files.createTempDirectory(dir, "replay");
        List<String> args = new ArrayList<>(List.of("replay", "--host", dir.resolve("host.ip").toString(),
                "--rules", dir.resolve("rules.v4").toString(), "--rules6", dir.resolve("rules.v6").toString(), "--quiet",
                "--list", "--conntrack"));
        if (sysctls) args.addAll(List.of("--sysctl-file", dir.resolve("sysctl.conf").toString()));
        if (sockets) args.add("@" + dir.resolve("sockets.args")); // picocli's @-file: its --listen lines
        args.addAll(List.of(more));
        for (Map.Entry<String, List<PcapRecord>> e : k.inputs().entrySet()) {
            Path pcap = run.resolve("in-" + e.getKey() + ".pcap");
            try (PcapWriter w = PcapWriter.create(pcap, LinkType.ETHERNET)) {
                for (PcapRecord r : e.getValue()) w.write(r);
            }
            args.addAll(List.of("--in", e.getKey() + "=" + pcap));
        }
        Path outDir = run.resolve("out");
        args.addAll(List.of("--out", outDir.toString()));
        CliRun replay = CliRun.jnat(args.toArray(String[]::new));
        assertEquals(0, replay.exit(), replay.err());

        List<List<KernelLab.Frame>> jnatOut = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) jnatOut.add(new ArrayList<>());
        for (String dev : ScenarioGenerator.DEVICES) {
            try (PcapReader r = PcapReader.open(outDir.resolve(dev + ".pcap"))) {
                for (PcapRecord rec = r.next(); rec != null; rec = r.next()) {
                    Integer i = k.stepAt().get(rec.timestampNanos());
                    byte[] bytes = Arrays.copyOf(rec.data(), rec.capturedLength());
                    if (i == null) {
                        bad.add("replay transmitted on " + dev + " at a time no step has\n"
                                + Harness.describe(List.of(new KernelLab.Frame(dev, bytes))));
                        continue;
                    }
                    jnatOut.get(i).add(new KernelLab.Frame(dev, bytes));
                }
            }
        }
        int compared = 0, hostBuilt = 0;
        for (int i = 0; i < plan.size(); i++) {
            Step step = plan.get(i).step();
            String where = "step " + i + ": " + step;
            List<KernelLab.Frame> kf = byDevice(k.out().get(i)), jf = byDevice(jnatOut.get(i));
            if (kf.size() != jf.size()) {
                bad.add(where + ": the kernel transmitted " + kf.size() + " frames, jnat replay " + jf.size()
                        + "\n--- kernel\n" + Harness.describe(kf) + "--- jnat\n" + Harness.describe(jf));
                continue;
            }
            int injectedId = Harness.injectedId(step.flow(), i);
            for (int n = 0; n < kf.size(); n++) {
                byte[] kb = kf.get(n).bytes(), jb = jf.get(n).bytes();
                if (Harness.hostGenerated(kb, injectedId) && Harness.hostGenerated(jb, injectedId)) {
                    if (!Checksum.verify(jb, 14, (jb[14] & 0x0f) * 4)) {
                        bad.add(where + ": jnat's IP header checksum is wrong\n" + Harness.describe(List.of(jf.get(n))));
                        continue;
                    }
                    jb = Harness.withIpId(jb, u16(kb, 18));
                    hostBuilt++;
                } else if (Harness.hostReset(kb) && Harness.hostReset(jb)) {
                    kb = Harness.completedTcpChecksum(kb);
                    hostBuilt++;
                } else if (Frames6.isIpv6(kb) && Frames6.hostGenerated(kb)) {
                    kb = Frames6.completedTcpChecksum(kb);
                    hostBuilt++;
                }
                compared++;
                if (!kf.get(n).device().equals(jf.get(n).device()) || !Arrays.equals(kb, jb)) {
                    bad.add(where + ": frames differ\n--- kernel\n" + Harness.describe(List.of(kf.get(n))) + "--- jnat\n"
                            + Harness.describe(List.of(jf.get(n))));
                }
            }
        }
        return new Outcome(compared, hostBuilt, bad, replay.out());
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The frames the plan expects the kernel to send (the number compared when it sent what was planned). */
    private static int expected(List<Planned> plan) {
        return plan.stream().mapToInt(Planned::frames).sum();
    }

    /** A step's frames in device order (each device's in the order sent): devices are captured apart, in replay as in the lab. */
    private static List<KernelLab.Frame> byDevice(List<KernelLab.Frame> frames) {
        List<KernelLab.Frame> out = new ArrayList<>();
        for (String dev : ScenarioGenerator.DEVICES) for (KernelLab.Frame f : frames) if (f.device().equals(dev)) out.add(f);
        return out;
    }

    // ---- the traffic --------------------------------------------------------------------------

    /**
     * Both families: TCP through the published port's DNAT and out through MASQUERADE (handshake,
     * data both ways, close), UDP out and back, echo through MASQUERADE and to the host, an ICMP
     * error about a masqueraded datagram (RELATED, translated back), the host's own port
     * unreachables (IPv4: more than the rate limit's burst), RSTs and time exceeded, a packet
     * raw's direct-access rule drops, UDP to the LAN (masqueraded to eth1's address) and a datagram
     * too big for its 1400-byte MTU (fragmentation needed, packet too big).
     */
    static List<Planned> traffic() {
        List<Planned> plan = new ArrayList<>();
        int[] id = {0};
        int publicV4 = ScenarioGenerator.PUBLIC;
        // IPv4
        tcpSession(plan, new Flow(id[0]++, TCP, "eth0", ROUTER, ip("198.51.100.20"), 40000, publicV4, 10000,
                "internet to the published port"));
        tcpSession(plan, new Flow(id[0]++, TCP, "docker0", container(2), ip("172.17.0.2"), 45000, ip("198.51.100.30"), 443,
                "container to the internet"));
        udpExchange(plan, new Flow(id[0]++, UDP, "docker0", container(3), ip("172.17.0.3"), 53000, ip("198.51.100.53"), 53,
                "container's DNS query"));
        echo(plan, new Flow(id[0]++, ICMP, "docker0", container(2), ip("172.17.0.2"), 0x1234, ip("198.51.100.40"), 0,
                "container pings the internet"), true);
        echo(plan, new Flow(id[0]++, ICMP, "eth0", ROUTER, ip("198.51.100.41"), 0x4321, publicV4, 0,
                "internet pings the host"), false);
        Flow probe = new Flow(id[0]++, UDP, "docker0", container(4), ip("172.17.0.4"), 33000, ip("198.51.100.9"), 33434,
                "container's UDP to a closed port");
        plan.add(new Planned(Step.data(probe, Kind.ORIGINAL, 32), 1));
        plan.add(new Planned(Step.error(probe, Kind.ERROR_ABOUT_ORIGINAL, 3, 3, 0), 1));
        Flow closed = new Flow(id[0]++, UDP, "eth0", ROUTER, ip("198.51.100.50"), 5000, publicV4, CLOSED_UDP,
                "internet to a closed UDP port of the host");
        for (int n = 0; n < UNREACHABLES; n++) plan.add(new Planned(Step.data(closed, Kind.ORIGINAL, 20 + n), 1));
        Flow mdns = new Flow(id[0]++, UDP, "eth0", ROUTER, ip("198.51.100.52"), 5000, publicV4, LISTENING_UDP,
                "internet to the host's listening UDP socket");
        plan.add(new Planned(Step.data(mdns, Kind.ORIGINAL, 30), 0));
        Flow ssh = new Flow(id[0]++, TCP, "eth0", ROUTER, ip("198.51.100.51"), 41000, publicV4, CLOSED_TCP,
                "internet to a closed TCP port of the host");
        plan.add(new Planned(Step.tcp(ssh, Kind.ORIGINAL, SYN, 0x10000, 0, 0), 1));
        Flow ttl = new Flow(id[0]++, UDP, "docker0", container(5), ip("172.17.0.5"), 34000, ip("198.51.100.60"), 7000,
                "container's UDP with TTL 1");
        plan.add(new Planned(Step.data(ttl, Kind.ORIGINAL, 40).mangled(Step.TTL_ONE), 1));
        Flow direct = new Flow(id[0]++, TCP, "eth0", ROUTER, ip("198.51.100.61"), 42000, ip("172.17.0.2"), 8000,
                "internet straight to the container");
        plan.add(new Planned(Step.tcp(direct, Kind.ORIGINAL, SYN, 0x20000, 0, 0), 0));
        udpExchange(plan, new Flow(id[0]++, UDP, "docker0", container(6), ip("172.17.0.6"), 35000, ip("10.1.0.2"), 9000,
                "container to the LAN"));
        Flow big = new Flow(id[0]++, UDP, "docker0", container(6), ip("172.17.0.6"), 36000, ip("10.1.0.3"), 9000,
                "container's DF datagram too big for the LAN's 1400-byte MTU");
        plan.add(new Planned(Step.data(big, Kind.ORIGINAL, 1450), 1));

        // IPv6
        long[] public6 = ScenarioGenerator6.PUBLIC6;
        tcpSession(plan, flow6(id[0]++, TCP, "eth0", ROUTER, "2001:db8:ffff::20", 40000, public6, 10000,
                "internet to the published port"));
        tcpSession(plan, flow6(id[0]++, TCP, "docker0", container(2), "fd49:efd7:54aa::2", 45000, addr("2001:db8:ffff::30"), 443,
                "container to the internet"));
        udpExchange(plan, flow6(id[0]++, UDP, "docker0", container(3), "fd49:efd7:54aa::3", 53000, addr("2001:db8:ffff::53"), 53,
                "container's DNS query"));
        echo(plan, flow6(id[0]++, ICMPV6, "docker0", container(2), "fd49:efd7:54aa::2", 0x1234, addr("2001:db8:ffff::40"), 0,
                "container pings the internet"), true);
        echo(plan, flow6(id[0]++, ICMPV6, "eth0", ROUTER, "2001:db8:ffff::41", 0x4321, public6, 0,
                "internet pings the host"), false);
        Flow probe6 = flow6(id[0]++, UDP, "docker0", container(4), "fd49:efd7:54aa::4", 33000, addr("2001:db8:ffff::9"), 33434,
                "container's UDP to a closed port");
        plan.add(new Planned(Step.data(probe6, Kind.ORIGINAL, 32), 1));
        plan.add(new Planned(Step.error(probe6, Kind.ERROR_ABOUT_ORIGINAL, 1, 4, 0), 1));
        Flow closed6 = flow6(id[0]++, UDP, "eth0", ROUTER, "2001:db8:ffff::50", 5000, public6, CLOSED_UDP,
                "internet to a closed UDP port of the host");
        for (int n = 0; n < 2; n++) plan.add(new Planned(Step.data(closed6, Kind.ORIGINAL, 20 + n), 1));
        Flow mdns6 = flow6(id[0]++, UDP, "eth0", ROUTER, "2001:db8:ffff::52", 5000, public6, LISTENING_UDP,
                "internet to the host's listening UDP socket");
        plan.add(new Planned(Step.data(mdns6, Kind.ORIGINAL, 30), 0));
        Flow ssh6 = flow6(id[0]++, TCP, "eth0", ROUTER, "2001:db8:ffff::51", 41000, public6, CLOSED_TCP,
                "internet to a closed TCP port of the host");
        plan.add(new Planned(Step.tcp(ssh6, Kind.ORIGINAL, SYN, 0x10000, 0, 0), 1));
        Flow hop6 = flow6(id[0]++, UDP, "docker0", container(5), "fd49:efd7:54aa::5", 34000, addr("2001:db8:ffff::60"), 7000,
                "container's UDP with hop limit 1");
        plan.add(new Planned(Step.data(hop6, Kind.ORIGINAL, 40).mangled(Step.TTL_ONE), 1));
        Flow direct6 = flow6(id[0]++, TCP, "eth0", ROUTER, "2001:db8:ffff::61", 42000, ScenarioGenerator6.CONTAINER, 8000,
                "internet straight to the container");
        plan.add(new Planned(Step.tcp(direct6, Kind.ORIGINAL, SYN, 0x20000, 0, 0), 0));
        udpExchange(plan, flow6(id[0]++, UDP, "docker0", container(6), "fd49:efd7:54aa::6", 35000, addr("fd00:1::2"), 9000,
                "container to the LAN"));
        Flow big6 = flow6(id[0]++, UDP, "docker0", container(6), "fd49:efd7:54aa::6", 36000, addr("fd00:1::3"), 9000,
                "container's datagram too big for the LAN's 1400-byte MTU");
        plan.add(new Planned(Step.data(big6, Kind.ORIGINAL, 1400), 1));
        return plan;
    }

    /** Handshake, a request and its answer, the client's close: every segment forwarded once. */
    private static void tcpSession(List<Planned> plan, Flow f) {
        int c = 0x1000_0000 + f.id * 0x10000, s = 0x5000_0000 + f.id * 0x10000;
        plan.add(new Planned(Step.tcp(f, Kind.ORIGINAL, SYN, c, 0, 0), 1));
        plan.add(new Planned(Step.tcp(f, Kind.REPLY, SYN | ACK, s, c + 1, 0), 1));
        c++;
        s++;
        plan.add(new Planned(Step.tcp(f, Kind.ORIGINAL, ACK, c, s, 0), 1));
        plan.add(new Planned(Step.tcp(f, Kind.ORIGINAL, PSH | ACK, c, s, 120), 1));
        c += 120;
        plan.add(new Planned(Step.tcp(f, Kind.REPLY, PSH | ACK, s, c, 300), 1));
        s += 300;
        plan.add(new Planned(Step.tcp(f, Kind.ORIGINAL, ACK, c, s, 0), 1));
        plan.add(new Planned(Step.tcp(f, Kind.ORIGINAL, FIN | ACK, c, s, 0), 1));
        plan.add(new Planned(Step.tcp(f, Kind.REPLY, FIN | ACK, s, c + 1, 0), 1));
        plan.add(new Planned(Step.tcp(f, Kind.ORIGINAL, ACK, c + 1, s + 1, 0), 1));
    }

    private static void udpExchange(List<Planned> plan, Flow f) {
        plan.add(new Planned(Step.data(f, Kind.ORIGINAL, 33), 1));
        plan.add(new Planned(Step.data(f, Kind.REPLY, 80), 1));
        plan.add(new Planned(Step.data(f, Kind.ORIGINAL, 33), 1));
    }

    /** Two echoes; {@code forwarded}: through the host (the reply comes back in), else to it (the host answers). */
    private static void echo(List<Planned> plan, Flow f, boolean forwarded) {
        for (int seq = 1; seq <= 2; seq++) {
            plan.add(new Planned(Step.echo(f, Kind.ORIGINAL, seq), 1));
            if (forwarded) plan.add(new Planned(Step.echo(f, Kind.REPLY, seq), 1));
        }
    }

    private static long container(int n) {
        return 0x0242ac110000L | n;
    }

    private static int ip(String a) {
        return ScenarioGenerator.ip(a);
    }

    private static long[] addr(String a) {
        byte[] b = Ipv6Address.parse(a);
        return new long[] {Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0)};
    }

    private static Flow flow6(int id, int protocol, String dev, long mac, String client, int port, long[] dst, int dstPort, String what) {
        long[] c = addr(client);
        return new Flow(id, protocol, dev, mac, c[0], c[1], port, dst[0], dst[1], dstPort, what + " (IPv6)");
    }

    private static String resource(String name) {
        try (InputStream in = HostCaptureReplayKernelTest.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("no resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

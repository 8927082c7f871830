package jnat.demo;

import jnat.conntrack.ConntrackPrinter;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.NatEngine;
import jnat.pcap.LinkType;
import jnat.pcap.PcapRecord;
import jnat.replay.Replay;
import jnat.report.ReportRecorder;
import jnat.report.ReportWriter;
import jnat.rules.Iptables;
import jnat.rules.Ruleset;
import jnat.tcpdump.TcpdumpPrinter;
import jnat.wire.Bytes;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.IcmpPacket;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.MacAddress;
import jnat.wire.TcpSegment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The seed article's two experiments on its own host: a container pings 8.8.8.8 through
 * MASQUERADE, and a client reaches the container's published port 10000 (DNAT to 8000). The
 * frames that arrive at the host (the container's on docker0, the internet's on eth0) are built
 * from the article's captures; jnat forwards them, and what each interface carries is printed as
 * tcpdump prints it, then compared with the article's lines.
 */
public final class SeedDemo {
    static final String CONTAINER_MAC = "02:42:ac:11:00:02", DOCKER0_MAC = "02:42:d5:35:3a:3c";
    static final String ETH0_MAC = "56:00:04:7c:7c:23", ROUTER_MAC = "06:7c:16:88:fe:87";
    static final String CONTAINER = "172.17.0.2", HOST = "45.77.200.180", GOOGLE = "8.8.8.8", CLIENT = "114.246.99.100";

    /** What one interface carried, in time order, as the capture on it would show. */
    public record Capture(String device, List<PcapRecord> frames) {}

    /** The outcome: per-interface captures of each experiment, and the engine afterwards. */
    public record Result(Capture pingDocker0, Capture pingEth0, Capture tcpEth0, Capture tcpDocker0, NatEngine engine,
                         long endNanos) {}

    private SeedDemo() {}

    public static Host host() {
        return Host.fromResource("/hosts/seed-docker-host.ip");
    }

    public static Ruleset rules() {
        return Ruleset.parse(resource("/demo/seed-docker.rules"));
    }

    /** The article's captured lines, in the order it shows them (4 + 4 ICMP, 11 + 11 TCP). */
    public static List<String> seedLines() {
        return resource("/demo/seed-captures.txt").lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    static String resource(String name) {
        try (InputStream in = SeedDemo.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs both experiments through one engine, as on the article's host. */
    public static Result run() throws IOException {
        return run(engine -> null);
    }

    /** As {@link #run()}; {@code recorder} makes the report's recorder for the engine (or returns null). */
    public static Result run(Function<NatEngine, ReportRecorder> recorder) throws IOException {
        Host host = host();
        NatEngine engine = new NatEngine(host, rules());
        ReportRecorder report = recorder.apply(engine);
        if (report != null) report.attach();
        Interface docker0 = host.device("docker0"), eth0 = host.device("eth0");

        // Experiment 1: ping -i 1 8.8.8.8 from the container, seq 265 to 308 (the article shows
        // seq 265-266 on docker0 and, captured later, 307-308 on eth0).
        List<PcapRecord> fromContainer = new ArrayList<>(), fromInternet = new ArrayList<>();
        long t265 = at("14:51:54.443718"), t307 = at("14:52:36.512507");
        for (int seq = 265; seq <= 308; seq++) {
            long sent = switch (seq) {
                case 266 -> at("14:51:55.445564");
                case 308 -> at("14:52:37.514124");
                default -> t265 + (t307 - t265) * (seq - 265) / 42;
            };
            long replied = switch (seq) {
                case 265 -> at("14:51:54.445275");
                case 266 -> at("14:51:55.446986");
                case 307 -> at("14:52:36.513878");
                case 308 -> at("14:52:37.515451");
                default -> sent + 1_400_000;
            };
            fromContainer.add(record(sent, frame(CONTAINER_MAC, DOCKER0_MAC, CONTAINER, GOOGLE, 1, icmpEcho(8, 28, seq, 56))));
            fromInternet.add(record(replied, frame(ROUTER_MAC, ETH0_MAC, GOOGLE, HOST, 1, icmpEcho(0, 28, seq, 56))));
        }
        Capture[] ping = capture(engine, report, docker0, fromContainer, eth0, fromInternet);

        // Experiment 2: a client fetches a page from the container through -p 10000:8000.
        List<PcapRecord> client = new ArrayList<>(), server = new ArrayList<>();
        long c = 2189230313L, s = 3797373137L;
        byte[] synOpts = concat(mss(1440), NOP, wscale(6), NOP, NOP, ts(3976681198L, 0), SACK_OK, EOL);
        byte[] synAckOpts = concat(mss(1460), SACK_OK, ts(2686973908L, 3976681198L), NOP, wscale(10));
        client.add(tcp(at("15:22:06.799116"), true, c, 0, SYN, 65535, synOpts, 0));
        server.add(tcp(at("15:22:06.800061"), false, s, c + 1, SYN | ACK, 28960, synAckOpts, 0));
        client.add(tcp(at("15:22:07.066851"), true, c + 1, s + 1, ACK, 2052, tsOnly(3976681467L, 2686973908L), 0));
        client.add(tcp(at("15:22:07.067613"), true, c + 1, s + 1, PSH | ACK, 2052, tsOnly(3976681467L, 2686973908L), 83));
        server.add(tcp(at("15:22:07.067645"), false, s + 1, c + 84, ACK, 29, tsOnly(2686974176L, 3976681467L), 0));
        server.add(tcp(at("15:22:07.075862"), false, s + 1, c + 84, PSH | ACK, 29, tsOnly(2686974184L, 3976681467L), 154));
        server.add(tcp(at("15:22:07.076061"), false, s + 155, c + 84, FIN | PSH | ACK, 29, tsOnly(2686974184L, 3976681467L), 365));
        client.add(tcp(at("15:22:07.373595"), true, c + 84, s + 155, ACK, 2050, tsOnly(3976681774L, 2686974184L), 0));
        client.add(tcp(at("15:22:07.373655"), true, c + 84, s + 521, ACK, 2044, tsOnly(3976681774L, 2686974184L), 0));
        client.add(tcp(at("15:22:07.374062"), true, c + 84, s + 521, FIN | ACK, 2048, tsOnly(3976681774L, 2686974184L), 0));
        server.add(tcp(at("15:22:07.374090"), false, s + 521, c + 85, ACK, 29, tsOnly(2686974482L, 3976681774L), 0));
        Capture[] web = capture(engine, report, eth0, client, docker0, server);

        long end = at("15:22:07.374090");
        return new Result(ping[0], since(ping[1], t307), web[0], web[1], engine, end);
    }

    /** Replays two inputs and returns what each interface carried (its inputs and its outputs). */
    static Capture[] capture(NatEngine engine, Interface a, List<PcapRecord> inA, Interface b, List<PcapRecord> inB)
            throws IOException {
        return capture(engine, null, a, inA, b, inB);
    }

    /** As above, recorded for the report by {@code report} (null: none). */
    static Capture[] capture(NatEngine engine, ReportRecorder report, Interface a, List<PcapRecord> inA, Interface b,
                             List<PcapRecord> inB) throws IOException {
        List<PcapRecord> onA = new ArrayList<>(), onB = new ArrayList<>();
        Replay replay = new Replay(engine).input(a, source(inA)).input(b, source(inB));
        Replay.Sink sink = (out, ts, linkType, buf, off, len) -> {
            PcapRecord r = new PcapRecord(ts, linkType, 0, Arrays.copyOfRange(buf, off, off + len), len, len);
            (out == a ? onA : onB).add(r);
        };
        Replay.InputListener listener = (in, r) -> (in == a ? onA : onB).add(r);
        if (report == null) replay.run(sink, listener);
        else replay.run(report.sink(sink), report.listener(listener));
        if (report != null) report.finish();
        return new Capture[] {new Capture(a.name(), onA), new Capture(b.name(), onB)};
    }

    static Capture since(Capture c, long from) {
        return new Capture(c.device(), c.frames().stream().filter(r -> r.timestampNanos() >= from).toList());
    }

    static Replay.Source source(List<PcapRecord> records) {
        var it = records.iterator();
        return () -> it.hasNext() ? it.next() : null;
    }

    /** Prints a capture as {@code tcpdump -nne} does (in UTC, the zone the article's times are taken in). */
    public static List<String> print(Capture c, int count) {
        TcpdumpPrinter printer = new TcpdumpPrinter(new TcpdumpPrinter.Options(true, 0, 0, ZoneOffset.UTC));
        List<String> lines = new ArrayList<>();
        for (PcapRecord r : c.frames()) {
            if (count >= 0 && lines.size() == count) break;
            lines.add(printer.format(r));
        }
        return lines;
    }

    /** Runs the demo and prints it; returns how many lines differ from the article's (timestamps aside). */
    public static int print(java.io.PrintWriter out) throws IOException {
        return print(out, null);
    }

    /** As {@link #print(java.io.PrintWriter)}, and writes the report of both replays to {@code report} (null: none). */
    public static int print(java.io.PrintWriter out, Path report) throws IOException {
        ReportRecorder[] rec = new ReportRecorder[1];
        Result r = run(engine -> report == null ? null : (rec[0] = new ReportRecorder(engine, null, ZoneOffset.UTC)));
        List<String> seed = seedLines();
        List<String> ours = new ArrayList<>();
        out.println("jnat demo: the seed article's experiments on its Docker host (eth0 " + HOST + ", docker0 172.17.0.1/16,");
        out.println("container " + CONTAINER + " published as -p 10000:8000), forwarded by jnat's user-space netfilter.");
        out.println();
        out.println("# iptables-restore < seed-docker.rules      (the rules dockerd writes for -p 10000:8000)");
        out.println("# 1. the container runs: ping 8.8.8.8");
        out.println("# 2. a client on the internet fetches http://" + HOST + ":10000/ (the container serves :8000)");
        out.println();
        out.println("# iptables -t nat -nvL        (after both experiments: only each connection's first packet walks the chains)");
        out.print(Iptables.run(r.engine().ruleset(), List.of("-t", "nat", "-nvL")).output());
        out.println();
        ours.addAll(section(out, "tcpdump icmp -i docker0 -c 4 -nne", print(r.pingDocker0(), 4)));
        ours.addAll(section(out, "tcpdump icmp -i eth0 -c 4 -nne      (started 42 s later, as in the article)", print(r.pingEth0(), 4)));
        ours.addAll(section(out, "tcpdump tcp -i eth0 port 10000 -nne", print(r.tcpEth0(), -1)));
        ours.addAll(section(out, "tcpdump tcp -i docker0 port 8000 -nne", print(r.tcpDocker0(), -1)));
        out.println("# conntrack -L");
        out.print(new ConntrackPrinter().list(r.engine().connections(), r.endNanos()));
        out.println(ConntrackPrinter.summary(r.engine().connections().count()));
        out.println();
        int same = 0, exact = 0;
        for (int i = 0; i < Math.min(seed.size(), ours.size()); i++) {
            if (seed.get(i).equals(ours.get(i))) exact++;
            if (seed.get(i).substring(15).equals(ours.get(i).substring(15))) same++;
        }
        int differ = Math.max(seed.size(), ours.size()) - same;
        String compared = String.format("Compared with the article's %d captured lines: %d identical but for the timestamp, %d identical "
                + "with it%n(a forwarded frame carries its arrival time: jnat's replay adds no forwarding delay); "
                + "%d differ.%n", seed.size(), same, exact, differ);
        out.print(compared);
        if (report != null) {
            ReportWriter.write(report, rec[0], "jnat demo: the seed article's experiments on its Docker host",
                    "1. the container 172.17.0.2 runs ping 8.8.8.8 (MASQUERADE to eth0's 45.77.200.180)\n"
                    + "2. a client on the internet fetches http://45.77.200.180:10000/ (DNAT to the container's 172.17.0.2:8000, "
                    + "docker run -p 10000:8000)\n\n" + compared, false);
            out.println("report written to " + report);
        }
        out.flush();
        return differ;
    }

    static List<String> section(java.io.PrintWriter out, String command, List<String> lines) {
        out.println("# " + command);
        for (String l : lines) out.println(l);
        out.println();
        return lines;
    }

    // ---- frames ------------------------------------------------------------------------------

    static final int FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10;
    static final byte[] NOP = {1}, EOL = {0}, SACK_OK = {4, 2};

    /** Time of day on the article's day (unknown: any date will do), UTC. */
    static long at(String time) {
        var t = LocalDate.of(2020, 6, 1).atTime(LocalTime.parse(time)).toInstant(ZoneOffset.UTC);
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static PcapRecord record(long ts, byte[] frame) {
        return new PcapRecord(ts, LinkType.ETHERNET, 0, frame, frame.length, frame.length);
    }

    private static PcapRecord tcp(long ts, boolean fromClient, long seq, long ack, int flags, int win, byte[] options, int payload) {
        byte[] seg = tcpSegment(fromClient ? 60677 : 8000, fromClient ? 10000 : 60677, seq, ack, flags, win, options, payload);
        byte[] frame = fromClient
                ? frame(ROUTER_MAC, ETH0_MAC, CLIENT, HOST, 6, seg)
                : frame(CONTAINER_MAC, DOCKER0_MAC, CONTAINER, CLIENT, 6, seg);
        return record(ts, frame);
    }

    /** A TCP header with {@code options} (padded to 4 bytes) and {@code payload} bytes of "abc..."; checksum 0. */
    static byte[] tcpSegment(int sport, int dport, long seq, long ack, int flags, int win, byte[] options, int payload) {
        int optLen = (options.length + 3) & ~3;
        byte[] seg = new byte[20 + optLen + payload];
        TcpSegment.writeHeader(seg, 0, sport, dport, (int) seq, (int) ack, flags, win);
        Bytes.put8(seg, TcpSegment.OFF_DATA_OFFSET, (20 + optLen) / 4 << 4); // the options' share
        System.arraycopy(options, 0, seg, 20, options.length);
        for (int i = 0; i < payload; i++) seg[20 + optLen + i] = (byte) ('a' + i % 26);
        return seg;
    }

    private static byte[] icmpEcho(int type, int id, int seq, int dataLen) {
        byte[] m = new byte[8 + dataLen];
        IcmpPacket.writeHeader(m, 0, type, 0, (id & 0xffff) << 16 | (seq & 0xffff));
        for (int i = 0; i < dataLen; i++) m[8 + i] = (byte) (0x10 + i);
        IcmpPacket.fillChecksum(m, 0, m.length);
        return m;
    }

    /** Ethernet + IPv4 (TTL 64, DF) around an L4 message, every checksum filled. */
    private static byte[] frame(String srcMac, String dstMac, String src, String dst, int proto, byte[] l4) {
        byte[] f = new byte[14 + 20 + l4.length];
        EthernetFrame.writeHeader(f, 0, MacAddress.parse(dstMac), MacAddress.parse(srcMac), EtherType.IPV4);
        int s = Ipv4Address.parse(src), d = Ipv4Address.parse(dst);
        Ipv4Packet.writeHeader(f, 14, 0, 20 + l4.length, 0, Ipv4Packet.FLAG_DF, 64, proto, s, d);
        System.arraycopy(l4, 0, f, 34, l4.length);
        if (proto == IpProtocol.TCP) TcpSegment.fillChecksum(f, 34, l4.length, s, d);
        return f;
    }

    static byte[] mss(int v) { return new byte[] {2, 4, (byte) (v >>> 8), (byte) v}; }
    static byte[] wscale(int v) { return new byte[] {3, 3, (byte) v}; }

    static byte[] ts(long val, long ecr) {
        byte[] o = new byte[10];
        o[0] = 8;
        o[1] = 10;
        Bytes.put32(o, 2, (int) val);
        Bytes.put32(o, 6, (int) ecr);
        return o;
    }

    static byte[] tsOnly(long val, long ecr) {
        return concat(NOP, NOP, ts(val, ecr));
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }
}

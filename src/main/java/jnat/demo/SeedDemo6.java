package jnat.demo;

import jnat.conntrack.ConntrackTool;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.NatEngine;
import jnat.pcap.LinkType;
import jnat.pcap.PcapRecord;
import jnat.pcap.PcapWriter;
import jnat.rules.Iptables;
import jnat.rules.Ruleset;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.Icmpv6Packet;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.MacAddress;
import jnat.wire.TcpSegment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static jnat.demo.SeedDemo.ACK;
import static jnat.demo.SeedDemo.CONTAINER_MAC;
import static jnat.demo.SeedDemo.DOCKER0_MAC;
import static jnat.demo.SeedDemo.EOL;
import static jnat.demo.SeedDemo.ETH0_MAC;
import static jnat.demo.SeedDemo.FIN;
import static jnat.demo.SeedDemo.NOP;
import static jnat.demo.SeedDemo.PSH;
import static jnat.demo.SeedDemo.ROUTER_MAC;
import static jnat.demo.SeedDemo.SACK_OK;
import static jnat.demo.SeedDemo.SYN;
import static jnat.demo.SeedDemo.at;
import static jnat.demo.SeedDemo.concat;
import static jnat.demo.SeedDemo.mss;
import static jnat.demo.SeedDemo.ts;
import static jnat.demo.SeedDemo.tsOnly;
import static jnat.demo.SeedDemo.wscale;

/**
 * The seed article's two experiments over IPv6, on its host with Docker's --ipv6 default bridge
 * (hosts/seed-docker-ipv6.ip) and the ip6tables rules dockerd writes for it (demo/seed6-docker.rules):
 * the container fd49:efd7:54aa::2 pings an internet address, MASQUERADEd to eth0's global address,
 * and a client fetches the published port 10000 of that address, DNATed to the container's 8000.
 * The TCP exchange is the article's, segment for segment, over IPv6. There is no article capture
 * for IPv6: the reference is the kernel's, made by scripts/demo6-kernel.sh from the very frames
 * {@link #arrivals()} returns, sent into a network namespace built from the same host file and
 * loaded with the same rules, and kept in {@link #KERNEL_REFERENCE}.
 */
public final class SeedDemo6 {
    static final String CONTAINER = "fd49:efd7:54aa::2", HOST = "2001:db8:45:77::180";
    static final String SERVER = "2001:db8:8::8", CLIENT = "2001:db8:114:246::100";
    /** The kernel's captures, listings and conntrack table for the same frames (scripts/demo6-kernel.sh). */
    public static final String KERNEL_REFERENCE = "/demo/seed6-kernel.txt";

    /** The reference's sections, in the order the demo prints them (the kernel's tcpdump filter in each). */
    static final String ECHO = "'icmp6[icmp6type] == icmp6-echo or icmp6[icmp6type] == icmp6-echoreply'";
    public static final String PING_DOCKER0 = "tcpdump -nne -i docker0 " + ECHO;
    public static final String PING_ETH0 = "tcpdump -nne -i eth0 " + ECHO;
    public static final String TCP_ETH0 = "tcpdump -nne -i eth0 'tcp port 10000'";
    public static final String TCP_DOCKER0 = "tcpdump -nne -i docker0 'tcp port 8000'";
    public static final String NAT_LISTING = "ip6tables -t nat -nvL";
    public static final String CONNTRACK = "conntrack -L -f ipv6";
    static final List<String> CAPTURES = List.of(PING_DOCKER0, PING_ETH0, TCP_ETH0, TCP_DOCKER0);

    /** A frame that reaches the host on {@code device}. */
    public record Arrival(String device, PcapRecord record) {}

    private SeedDemo6() {}

    /** The seed's host (hosts/seed-docker-host.ip) with its IPv6 half (hosts/seed-docker-ipv6.ip). */
    public static Host host() {
        return Host.parse(SeedDemo.resource("/hosts/seed-docker-host.ip") + SeedDemo.resource("/hosts/seed-docker-ipv6.ip"),
                "seed-docker-host.ip + seed-docker-ipv6.ip");
    }

    /** Docker's ip6tables rules for the host (raw, filter and nat). */
    public static Ruleset rules6() {
        return Ruleset.parse(SeedDemo.resource("/demo/seed6-docker.rules"), true);
    }

    /**
     * The nat table of those rules alone (MASQUERADE of the bridge's /64, the published port's
     * DNAT): the IPv6 twin of demo/seed-docker.rules, which `jnat bench --ipv6` runs.
     */
    public static Ruleset natRules6() {
        String all = SeedDemo.resource("/demo/seed6-docker.rules");
        int from = all.indexOf("*nat"), to = all.indexOf("COMMIT", from) + "COMMIT".length();
        return Ruleset.parse(all.substring(from, to) + "\n", true);
    }

    /** The pings: seq 265 and 266 of id 28 from the container, the internet's replies on eth0, at the article's times. */
    static List<Arrival> pingArrivals() {
        List<Arrival> a = new ArrayList<>();
        a.add(echo(at("14:51:54.443718"), true, 265));
        a.add(echo(at("14:51:54.445275"), false, 265));
        a.add(echo(at("14:51:55.445564"), true, 266));
        a.add(echo(at("14:51:55.446986"), false, 266));
        return a;
    }

    /**
     * The article's HTTP exchange through -p 10000:8000, its segments, options and intervals, over
     * IPv6 (the MSS options 20 bytes smaller, for the larger header); 2.35 s after the pings rather
     * than half an hour, so that the ping's connection is still listed at the end.
     */
    static List<Arrival> webArrivals() {
        long c = 2189230313L, s = 3797373137L;
        byte[] synOpts = concat(mss(1420), NOP, wscale(6), NOP, NOP, ts(3976681198L, 0), SACK_OK, EOL);
        byte[] synAckOpts = concat(mss(1440), SACK_OK, ts(2686973908L, 3976681198L), NOP, wscale(10));
        List<Arrival> a = new ArrayList<>();
        a.add(tcp(web("15:22:06.799116"), true, c, 0, SYN, 65535, synOpts, 0));
        a.add(tcp(web("15:22:06.800061"), false, s, c + 1, SYN | ACK, 28960, synAckOpts, 0));
        a.add(tcp(web("15:22:07.066851"), true, c + 1, s + 1, ACK, 2052, tsOnly(3976681467L, 2686973908L), 0));
        a.add(tcp(web("15:22:07.067613"), true, c + 1, s + 1, PSH | ACK, 2052, tsOnly(3976681467L, 2686973908L), 83));
        a.add(tcp(web("15:22:07.067645"), false, s + 1, c + 84, ACK, 29, tsOnly(2686974176L, 3976681467L), 0));
        a.add(tcp(web("15:22:07.075862"), false, s + 1, c + 84, PSH | ACK, 29, tsOnly(2686974184L, 3976681467L), 154));
        a.add(tcp(web("15:22:07.076061"), false, s + 155, c + 84, FIN | PSH | ACK, 29, tsOnly(2686974184L, 3976681467L), 365));
        a.add(tcp(web("15:22:07.373595"), true, c + 84, s + 155, ACK, 2050, tsOnly(3976681774L, 2686974184L), 0));
        a.add(tcp(web("15:22:07.373655"), true, c + 84, s + 521, ACK, 2044, tsOnly(3976681774L, 2686974184L), 0));
        a.add(tcp(web("15:22:07.374062"), true, c + 84, s + 521, FIN | ACK, 2048, tsOnly(3976681774L, 2686974184L), 0));
        a.add(tcp(web("15:22:07.374090"), false, s + 521, c + 85, ACK, 29, tsOnly(2686974482L, 3976681774L), 0));
        return a;
    }

    /** Every frame that reaches the host, both experiments, in time order. */
    public static List<Arrival> arrivals() {
        List<Arrival> all = new ArrayList<>(pingArrivals());
        all.addAll(webArrivals());
        return all;
    }

    /** Writes {@link #arrivals()} as {@code dir/docker0.pcap} and {@code dir/eth0.pcap} (Ethernet, ns timestamps). */
    public static void writeArrivals(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (PcapWriter docker0 = PcapWriter.create(dir.resolve("docker0.pcap"), LinkType.ETHERNET);
             PcapWriter eth0 = PcapWriter.create(dir.resolve("eth0.pcap"), LinkType.ETHERNET)) {
            for (Arrival a : arrivals()) (a.device().equals("docker0") ? docker0 : eth0).write(a.record());
        }
    }

    /** Runs both experiments through one engine (IPv4's rules and Docker's ip6tables rules on the dual-stack host). */
    public static SeedDemo.Result run() throws IOException {
        Host host = host();
        NatEngine engine = new NatEngine(host, SeedDemo.rules());
        engine.setRuleset6(rules6());
        SeedDemo.Capture[] ping = replay(engine, host.device("docker0"), host.device("eth0"), pingArrivals());
        SeedDemo.Capture[] web = replay(engine, host.device("eth0"), host.device("docker0"), webArrivals());
        return new SeedDemo.Result(ping[0], ping[1], web[0], web[1], engine, web("15:22:07.374090"));
    }

    private static SeedDemo.Capture[] replay(NatEngine engine, Interface a, Interface b, List<Arrival> arrivals) throws IOException {
        List<PcapRecord> inA = new ArrayList<>(), inB = new ArrayList<>();
        for (Arrival x : arrivals) (x.device().equals(a.name()) ? inA : inB).add(x.record());
        return SeedDemo.capture(engine, a, inA, b, inB);
    }

    /**
     * The kernel reference's sections by name ("## NAME" lines open one), each a list of lines
     * (blank lines at a section's end dropped); the "#" lines before the first section (how, where
     * and when it was made) under "".
     */
    public static Map<String, List<String>> kernelReference() {
        return sections(SeedDemo.resource(KERNEL_REFERENCE));
    }

    /** The sections of a reference's text, as {@link #kernelReference()} reads them. */
    public static Map<String, List<String>> sections(String text) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = new ArrayList<>();
        sections.put("", current);
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("## ")) {
                current = new ArrayList<>();
                sections.put(line.substring(3), current);
            } else {
                current.add(line);
            }
        }
        for (List<String> lines : sections.values()) {
            while (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
        }
        return sections;
    }

    /** A tcpdump line without its timestamp (the first word). */
    public static String withoutTime(String line) {
        return line.substring(line.indexOf(' ') + 1);
    }

    /** A conntrack -L line without its timeout (the third word, after the protocol's name and number). */
    public static String withoutTimeout(String line) {
        String[] w = line.trim().split(" +", 4);
        return w.length < 4 ? line : w[0] + " " + w[1] + " " + w[3];
    }

    /** {@code conntrack -L -f ipv6} of the engine at the demo's end: the listing's lines. */
    public static List<String> conntrackLines(SeedDemo.Result r) {
        return ConntrackTool.run(r.engine().connections(), List.of("-L", "-f", "ipv6"), r.endNanos()).stdout().lines().toList();
    }

    /** {@code ip6tables -t nat -nvL} of the engine's IPv6 ruleset. */
    public static List<String> natListing(SeedDemo.Result r) {
        return Iptables.run(r.engine().ruleset6(), List.of("-t", "nat", "-nvL")).output().lines().toList();
    }

    /** jnat's four captures, in {@link #CAPTURES} order. */
    public static List<List<String>> captures(SeedDemo.Result r) {
        return List.of(SeedDemo.print(r.pingDocker0(), -1), SeedDemo.print(r.pingEth0(), -1),
                SeedDemo.print(r.tcpEth0(), -1), SeedDemo.print(r.tcpDocker0(), -1));
    }

    /** Runs the demo over IPv6 and prints it; returns how many lines differ from the kernel's (timestamps and timeouts aside). */
    public static int print(PrintWriter out) throws IOException {
        SeedDemo.Result r = run();
        Map<String, List<String>> kernel = kernelReference();
        out.println("jnat demo --ipv6: the seed article's experiments over IPv6 on its Docker host with --ipv6 (eth0 " + HOST
                + "/64,");
        out.println("docker0 fd49:efd7:54aa::1/64, container " + CONTAINER + " published as -p 10000:8000), forwarded by jnat.");
        out.println();
        out.println("# ip6tables-restore < seed6-docker.rules   (the ip6tables rules dockerd writes for it: raw, filter, nat)");
        out.println("# 1. the container runs: ping -6 " + SERVER);
        out.println("# 2. a client on the internet (" + CLIENT + ") fetches http://[" + HOST + "]:10000/ (the container serves :8000)");
        out.println();
        List<String> listing = natListing(r);
        out.println("# " + NAT_LISTING + "        (after both experiments: only each connection's first packet walks the chains)");
        listing.forEach(out::println);
        out.println();
        List<List<String>> ours = captures(r);
        for (int i = 0; i < CAPTURES.size(); i++) SeedDemo.section(out, CAPTURES.get(i), ours.get(i));
        List<String> conntrack = conntrackLines(r);
        out.println("# " + CONNTRACK);
        conntrack.forEach(out::println);
        out.println(jnat.conntrack.ConntrackPrinter.summary(conntrack.size()));
        out.println();

        int lines = 0, same = 0;
        List<String> firstDifference = List.of();
        for (int i = 0; i < CAPTURES.size(); i++) {
            List<String> k = kernel.getOrDefault(CAPTURES.get(i), List.of()), o = ours.get(i);
            lines += Math.max(k.size(), o.size());
            for (int j = 0; j < Math.max(k.size(), o.size()); j++) {
                String kj = j < k.size() ? withoutTime(k.get(j)) : "(no line)", oj = j < o.size() ? withoutTime(o.get(j)) : "(no line)";
                if (kj.equals(oj)) same++;
                else if (firstDifference.isEmpty()) firstDifference = List.of(CAPTURES.get(i) + ", line " + (j + 1), kj, oj);
            }
        }
        boolean listingSame = protAsNumbers(listing).equals(protAsNumbers(kernel.getOrDefault(NAT_LISTING, List.of())));
        boolean conntrackSame = sortedWithoutTimeouts(conntrack).equals(sortedWithoutTimeouts(kernel.getOrDefault(CONNTRACK, List.of())));
        String made = kernel.get("").isEmpty() ? "" : ", " + kernel.get("").getFirst().replaceFirst("^# *", "");
        out.printf("Compared with the kernel's run of the same frames (%s%s):%n", KERNEL_REFERENCE.substring(1), made);
        out.printf("  captures: %d of %d lines identical but for the timestamp, %d differ%n", same, lines, lines - same);
        if (!firstDifference.isEmpty()) {
            out.printf("    the first, %s:%n      kernel: %s%n      jnat:   %s%n", firstDifference.get(0), firstDifference.get(1),
                    firstDifference.get(2));
        }
        out.printf("  %s: %s%n", NAT_LISTING, listingSame
                ? "identical, counters included (the prot column compared as numbers, which ip6tables 1.8.9 prints)" : "differs");
        out.printf("  %s: %s%n", CONNTRACK, conntrackSame ? "identical but for the timeouts" : "differs");
        out.flush();
        return lines - same + (listingSame ? 0 : 1) + (conntrackSame ? 0 : 1);
    }

    /**
     * A listing's lines as words, a rule's prot column (its fourth word) as the protocol's number:
     * ip6tables 1.8.9, which made the kernel reference, prints numbers there where other versions,
     * and jnat, print names ("all", "tcp").
     */
    public static List<List<String>> protAsNumbers(List<String> listing) {
        List<List<String>> out = new ArrayList<>();
        for (String line : listing) {
            List<String> w = new ArrayList<>(List.of(line.trim().split(" +")));
            boolean rule = !line.startsWith("Chain ") && !line.startsWith(" pkts") && w.size() > 4;
            if (rule) w.set(3, String.valueOf(jnat.rules.Protocols.parse(w.get(3))));
            out.add(w);
        }
        return out;
    }

    static List<String> sortedWithoutTimeouts(List<String> conntrack) {
        return conntrack.stream().map(SeedDemo6::withoutTimeout).sorted().toList();
    }

    // ---- frames ------------------------------------------------------------------------------

    /** A time of the article's TCP exchange, moved to 2.35 s after the pings (see {@link #webArrivals}). */
    private static long web(String articleTime) {
        return at(articleTime) - (at("15:22:06.799116") - at("14:51:57.799116"));
    }

    private static Arrival echo(long ts, boolean request, int seq) {
        byte[] m = new byte[8 + 56];
        Icmpv6Packet.writeHeader(m, 0, request ? 128 : 129, 0, 28 << 16 | seq);
        for (int i = 0; i < 56; i++) m[8 + i] = (byte) (0x10 + i);
        return request
                ? new Arrival("docker0", frame(ts, CONTAINER_MAC, DOCKER0_MAC, CONTAINER, SERVER, IpProtocol.ICMPV6, m))
                : new Arrival("eth0", frame(ts, ROUTER_MAC, ETH0_MAC, SERVER, HOST, IpProtocol.ICMPV6, m));
    }

    private static Arrival tcp(long ts, boolean fromClient, long seq, long ack, int flags, int win, byte[] options, int payload) {
        byte[] seg = SeedDemo.tcpSegment(fromClient ? 60677 : 8000, fromClient ? 10000 : 60677, seq, ack, flags, win, options, payload);
        return fromClient
                ? new Arrival("eth0", frame(ts, ROUTER_MAC, ETH0_MAC, CLIENT, HOST, IpProtocol.TCP, seg))
                : new Arrival("docker0", frame(ts, CONTAINER_MAC, DOCKER0_MAC, CONTAINER, CLIENT, IpProtocol.TCP, seg));
    }

    /** Ethernet + IPv6 (hop limit 64, flow label 0) around an upper-layer message, its checksum filled. */
    private static PcapRecord frame(long ts, String srcMac, String dstMac, String src, String dst, int proto, byte[] l4) {
        byte[] f = new byte[EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH + l4.length];
        EthernetFrame.writeHeader(f, 0, MacAddress.parse(dstMac), MacAddress.parse(srcMac), EtherType.IPV6);
        byte[] s = Ipv6Address.parse(src), d = Ipv6Address.parse(dst);
        long sHi = Ipv6Address.readHi(s, 0), sLo = Ipv6Address.readLo(s, 0), dHi = Ipv6Address.readHi(d, 0), dLo = Ipv6Address.readLo(d, 0);
        Ipv6Packet.writeHeader(f, EthernetFrame.HEADER_LENGTH, 0, 0, l4.length, proto, 64, sHi, sLo, dHi, dLo);
        int l4Off = EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH;
        System.arraycopy(l4, 0, f, l4Off, l4.length);
        if (proto == IpProtocol.TCP) TcpSegment.fillChecksum6(f, l4Off, l4.length, sHi, sLo, dHi, dLo);
        else Icmpv6Packet.fillChecksum(f, l4Off, l4.length, sHi, sLo, dHi, dLo);
        return SeedDemo.record(ts, f);
    }
}

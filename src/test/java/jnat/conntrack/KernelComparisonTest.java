package jnat.conntrack;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel as the oracle: real ping, UDP and TCP traffic between two network namespaces,
 * over IPv4 here and over IPv6 in {@link Ipv6KernelComparisonTest},
 * captured with tcpdump in the client's namespace, listed there with the real {@code conntrack -L};
 * the captured packets are then replayed through our tracker and our listing must equal the
 * kernel's, line for line, up to a second or two of timeout. The table is flushed while one TCP
 * connection is open, so its entry is a mid-stream pickup; another ends with an RST (CLOSE).
 */
class KernelComparisonTest {
    /** One family's run: the veth pair's addresses, Python's socket family and wildcard, the rule tool. */
    record Family(String a, String b, int prefix, String af, String any, String rules) {}

    static final Family IPV4 = new Family("198.51.100.1", "198.51.100.2", 24, "AF_INET", "0.0.0.0", "iptables");
    static final Family IPV6 = new Family("fd00:6::1", "fd00:6::2", 64, "AF_INET6", "::", "ip6tables");

    static final String SERVER = """
            import socket, threading
            def tcp(c):
                while True:
                    d = c.recv(100)
                    if not d:
                        c.close(); return
                    c.sendall(d)
            def tcpd():
                l = socket.socket(socket.%1$s); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                l.bind(("%2$s", 8000)); l.listen()
                while True:
                    c, _ = l.accept(); threading.Thread(target=tcp, args=(c,), daemon=True).start()
            def udpd():
                u = socket.socket(socket.%1$s, socket.SOCK_DGRAM); u.bind(("%2$s", 5353))
                while True:
                    d, a = u.recvfrom(100); u.sendto(d, a)
            threading.Thread(target=tcpd, daemon=True).start()
            threading.Thread(target=udpd, daemon=True).start()
            print("ready", flush=True)
            threading.Event().wait(30)
            """;

    static final String CLIENT = """
            import socket, struct, sys, time
            k = socket.create_connection(("%1$s", 8000)); k.sendall(b"stay"); k.recv(100)
            time.sleep(0.3)
            print("established", flush=True)
            sys.stdin.readline()
            k.sendall(b"picked up"); k.recv(100)
            s = socket.create_connection(("%1$s", 8000)); s.sendall(b"hello"); s.recv(100); s.close()
            x = socket.create_connection(("%1$s", 8000)); x.sendall(b"reset"); x.recv(100)
            x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); x.close()
            u = socket.socket(socket.%2$s, socket.SOCK_DGRAM); u.bind(("%3$s", 40001))
            u.sendto(b"q", ("%1$s", 5353)); u.recvfrom(100)
            v = socket.socket(socket.%2$s, socket.SOCK_DGRAM); v.bind(("%3$s", 40002))
            v.sendto(b"q", ("%1$s", 5354))
            r = socket.socket(socket.%2$s, socket.SOCK_RAW, 253); r.sendto(b"generic", ("%1$s", 0))
            w = socket.socket(socket.%2$s, socket.SOCK_DGRAM); w.bind(("%3$s", 40003))
            w.sendto(b"q", ("%1$s", 5353)); w.recvfrom(100)
            time.sleep(2.2)
            w.sendto(b"q", ("%1$s", 5353)); w.recvfrom(100)
            time.sleep(0.5)
            print("ready", flush=True)
            time.sleep(20)
            """;

    /**
     * Packets conntrack refuses, sent from the client's namespace after its traffic: a SYN+FIN
     * (tcp_error's bad flag combination) to a closed port, whose RST back has no connection
     * either (both invalid); a port unreachable quoting a datagram never sent and an ICMP type
     * above NR_ICMP_TYPES (icmp_error refuses both: error).
     */
    static final String REFUSED = """
            import socket, struct, time
            def csum(b):
                if len(b) %% 2: b += b"\\0"
                s = sum(struct.unpack("!%%dH" %% (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
                return ~s & 0xffff
            src, dst = "%1$s", "%2$s"
            t = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
            h = struct.pack("!HHIIBBHHH", 40010, 9, 1000, 0, 5 << 4, 0x03, 8192, 0, 0)
            ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(h))
            t.sendto(h[:16] + struct.pack("!H", csum(ph + h)) + h[18:], (dst, 0))
            i = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            def icmp(typ, code, body):
                m = struct.pack("!BBHI", typ, code, 0, 0) + body
                return m[:2] + struct.pack("!H", csum(m)) + m[4:]
            q = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0, socket.inet_aton(dst), socket.inet_aton(src))
            i.sendto(icmp(3, 3, q + struct.pack("!HHHH", 5999, 40009, 8, 0)), (dst, 0))
            i.sendto(icmp(200, 0, b"x" * 8), (dst, 0))
            time.sleep(0.5)
            print("sent", flush=True)
            """;

    @Test
    void ourStatisticsOfReplayedTrafficEqualTheKernels() throws Exception {
        replay(IPV4, List.of(List.of("-S")));
    }

    @Test
    void getFindsTheConnectionTheKernelFinds() throws Exception {
        replay(IPV4, List.of(List.of("-G", "-s", IPV4.a(), "-d", IPV4.b(), "-p", "udp", "--sport", "40001", "--dport", "5353"),
                List.of("-G", "-s", IPV4.a(), "-d", IPV4.b(), "-p", "udp", "--sport", "40001", "--dport", "5999"),
                List.of("-L", "-p", "icmp", "--icmp-type", "8"),
                List.of("-L", "-m", "0"), List.of("-L", "-m", "1/0x1")));
    }

    @Test
    void ourEventsOfReplayedTrafficAreTheKernels() throws Exception {
        String ours = replay(IPV4, List.of(List.of("-E")));
        assertTrue(ours.contains("    [NEW] tcp") && ours.contains(" [UPDATE] udp"), ours);
        assertTrue(ours.contains("[DESTROY] tcp"), "the flush: " + ours);
    }

    @Test
    void ourListingOfReplayedTrafficEqualsTheKernels() throws Exception {
        String ours = replay(IPV4, List.of(List.of("-L"), List.of("-L", "-o", "extended")));
        int n = (int) ours.lines().count();
        assertEquals(8, n, "ping, 3 TCP, 3 UDP, 1 other: " + ours);
        assertTrue(ours.contains(" ESTABLISHED "), ours);
        assertTrue(ours.contains(" CLOSE "), ours);
        assertTrue(ours.contains(" TIME_WAIT "), ours);
    }

    /**
     * Runs the traffic over {@code f} between two namespaces (one IPv4 ping last, whatever the
     * family), lists the kernel's table with each of {@code listings}' conntrack arguments, replays
     * the capture through our tracker and asserts that ConntrackTool lists the same entries, with
     * the same summary, for each. Returns our listing for the first arguments.
     */
    static String replay(Family f, List<List<String>> listings) throws Exception {
        Tools.requireRoot();
        Tools.require("conntrack");
        Tools.require("tcpdump");
        Tools.require("python3");
        Tools.require("ping");
        Tools.require(f.rules());
        Path pcap = Files.createTempFile("jnat-ct", ".pcap");
        List<Process> started = new ArrayList<>();
        try (Netns a = Netns.create("cta"); Netns b = Netns.create("ctb")) {
            Tools.run("ip", "link", "add", "vA", "netns", a.name(), "type", "veth", "peer", "name", "vB", "netns", b.name()).checked();
            a.exec("ip", "addr", "add", IPV4.a() + "/24", "dev", "vA").checked();
            b.exec("ip", "addr", "add", IPV4.b() + "/24", "dev", "vB").checked();
            if (f != IPV4) {
                a.exec("ip", "addr", "add", f.a() + "/" + f.prefix(), "dev", "vA", "nodad").checked();
                b.exec("ip", "addr", "add", f.b() + "/" + f.prefix(), "dev", "vB", "nodad").checked();
            }
            a.exec("ip", "link", "set", "vA", "up").checked();
            b.exec("ip", "link", "set", "vB", "up").checked();
            // A rule that uses conntrack makes the kernel track this namespace's traffic.
            for (String tool : new String[] {"iptables", f.rules()}) {
                a.exec(tool, "-A", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW,ESTABLISHED,RELATED,INVALID", "-j", "ACCEPT").checked();
                if (f == IPV4) break;
            }

            boolean events = listings.stream().anyMatch(l -> l.contains("-E"));
            Path monitored = Files.createTempFile("jnat-ct-events", ".txt");
            Process monitor = null;
            if (events) {
                monitor = new ProcessBuilder("ip", "netns", "exec", a.name(), "conntrack", "-E")
                        .redirectOutput(monitored.toFile()).redirectErrorStream(false).start();
                started.add(monitor);
                Thread.sleep(300); // subscribed before the first packet
            }
            Process dump = start(started, a, "tcpdump", "-i", "vA", "-U", "-n", "-s", "200", "-w", pcap.toString());
            waitFor(dump.errorReader(), "listening on");
            Process server = start(started, b, "python3", "-c", SERVER.formatted(f.af(), f.any()));
            waitFor(server.inputReader(), "ready");
            Process client = start(started, a, "python3", "-c", CLIENT.formatted(f.b(), f.af(), f.any()));
            waitFor(client.inputReader(), "established");
            // Forget everything: the kernel must pick the open connection up mid-stream.
            a.exec("conntrack", "-F").checked();
            long flushedAt = System.currentTimeMillis() * 1_000_000L;
            client.outputWriter().write("go\n");
            client.outputWriter().flush();
            waitFor(client.inputReader(), "ready");
            if (listings.stream().anyMatch(l -> l.contains("-S"))) {
                Process refused = start(started, a, "python3", "-c", REFUSED.formatted(IPV4.a(), IPV4.b()));
                waitFor(refused.inputReader(), "sent");
            }
            if (f != IPV4) a.exec("ping", "-6", "-c", "1", "-W", "2", f.b()).checked();
            a.exec("ping", "-c", "1", "-W", "2", IPV4.b()).checked();

            List<Tools.Result> real = new ArrayList<>();
            for (List<String> args : listings) {
                if (args.contains("-E")) {
                    Thread.sleep(300); // the last events reach the monitor
                    monitor.destroy();
                    monitor.waitFor(5, TimeUnit.SECONDS);
                    real.add(new Tools.Result(0, Files.readString(monitored), ""));
                    Files.deleteIfExists(monitored);
                    continue;
                }
                List<String> cmd = new ArrayList<>(List.of("conntrack"));
                cmd.addAll(args);
                real.add(a.exec(cmd.toArray(String[]::new))); // -G exits 1 when it finds nothing
            }
            long listedAt = System.currentTimeMillis() * 1_000_000L;
            awaitEchoReplyCaptured(pcap); // tcpdump may lag behind on a busy machine
            dump.destroy();
            dump.waitFor(5, TimeUnit.SECONDS);

            ConnTable table = new ConnTable(1024);
            Conntrack ct = new Conntrack(table);
            CtPacket p = new CtPacket();
            StringBuilder ourEvents = new StringBuilder();
            long[] clock = {0};
            if (events) {
                ConntrackPrinter printer = new ConntrackPrinter();
                table.setEvents((bits, t, id) -> ourEvents.append(printer.event(bits, t, id, clock[0])).append('\n'));
            }
            boolean flushed = false;
            for (PcapFeeder.Frame fr : PcapFeeder.read(pcap)) {
                if (fr.timeNanos() > listedAt) break;
                clock[0] = fr.timeNanos();
                if (!flushed && fr.timeNanos() > flushedAt) {
                    table.flush();
                    flushed = true;
                }
                if (!PcapFeeder.fill(fr.data(), p)) continue;
                int r = ct.in(p, fr.timeNanos());
                if (r == Conntrack.IP_CT_NEW && !table.confirmed(p.id)) table.confirm(p.id, fr.timeNanos());
                ct.deliver(p);
            }
            String first = null;
            for (int k = 0; k < listings.size(); k++) {
                if (listings.get(k).contains("-E")) {
                    assertSameEvents(real.get(k).stdout(), ourEvents.toString());
                    if (first == null) first = ourEvents.toString();
                    continue;
                }
                ConntrackTool.Result ours = ConntrackTool.run(table, listings.get(k), listedAt);
                if (listings.get(k).contains("-S")) assertSameStatistics(real.get(k).stdout(), ours.stdout());
                else assertSameEntries(real.get(k).stdout(), ours.stdout());
                assertEquals(real.get(k).stderr(), ours.stderr(), String.join(" ", listings.get(k)));
                assertEquals(real.get(k).exitCode(), ours.exitCode(), String.join(" ", listings.get(k)));
                if (first == null) first = ours.stdout();
            }
            return first;
        } finally {
            for (Process pr : started) {
                pr.destroy();
                pr.waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(pcap);
        }
    }

    private static void awaitEchoReplyCaptured(Path pcap) throws Exception {
        CtPacket p = new CtPacket();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (PcapFeeder.Frame f : PcapFeeder.read(pcap)) {
                if (PcapFeeder.fill(f.data(), p) && p.tuple.protocol == Tuple.IPPROTO_ICMP
                        && p.tuple.icmpType() == Tuple.ICMP_ECHOREPLY) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        fail("tcpdump never wrote the ping's echo reply");
    }

    static Process start(List<Process> started, Netns ns, String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        full.addAll(List.of(cmd));
        Process pr = new ProcessBuilder(full).start();
        started.add(pr);
        return pr;
    }

    static void waitFor(BufferedReader r, String word) throws Exception {
        String line;
        while ((line = r.readLine()) != null) {
            if (line.contains(word)) return;
        }
        fail("process ended before printing " + word);
    }

    /** Lines equal once the timeout column is set aside; timeouts within 2 s of each other. */
    private static void assertSameEntries(String kernel, String ours) {
        TreeSet<String> k = new TreeSet<>(), o = new TreeSet<>();
        List<Long> kt = new ArrayList<>(), ot = new ArrayList<>();
        for (String l : kernel.lines().toList()) k.add(maskTimeout(l, kt));
        for (String l : ours.lines().toList()) o.add(maskTimeout(l, ot));
        assertEquals(String.join("\n", k), String.join("\n", o), "kernel:\n" + kernel + "ours:\n" + ours);
        List<Long> ks = kt.stream().sorted().toList(), os = ot.stream().sorted().toList();
        for (int i = 0; i < ks.size(); i++) {
            assertTrue(Math.abs(ks.get(i) - os.get(i)) <= 2, "timeouts " + ks + " vs " + os);
        }
    }

    private static final java.util.regex.Pattern EVENT =
            java.util.regex.Pattern.compile("^( *\\[[A-Z]+\\] \\S+ +\\d+ )(\\d+ )?(.*?)( \\[USERSPACE\\] portid=\\d+( progname=\\S+)?)?$");

    /**
     * conntrack -E: each connection's events in the kernel's order, the same lines (timeouts set
     * aside); the whole as a multiset, since two connections' events interleave as their packets
     * did. The kernel marks the flush's DESTROY events [USERSPACE] with the flushing process's
     * netlink portid, which jnat's replay (flushing its own table) has no counterpart for.
     */
    private static void assertSameEvents(String kernel, String ours) {
        java.util.Map<String, List<String>> k = byConnection(kernel), o = byConnection(ours);
        assertEquals(k.keySet(), o.keySet(), "kernel:\n" + kernel + "ours:\n" + ours);
        for (String c : k.keySet()) assertEquals(k.get(c), o.get(c), c + "\nkernel:\n" + kernel + "ours:\n" + ours);
    }

    private static java.util.Map<String, List<String>> byConnection(String events) {
        java.util.Map<String, List<String>> by = new java.util.TreeMap<>();
        for (String l : events.lines().toList()) {
            var m = EVENT.matcher(l);
            assertTrue(m.matches(), "unexpected event line: [" + l + "]");
            String body = m.group(3);
            // the original tuple names the connection: up to the second src=
            int second = body.indexOf("src=", body.indexOf("src=") + 4);
            String key = (m.group(1).replaceFirst("^ *\\[[A-Z]+\\] ", "") + body.substring(0, second < 0 ? body.length() : second))
                    .replaceAll(" (SYN_SENT|SYN_RECV|ESTABLISHED|FIN_WAIT|CLOSE_WAIT|LAST_ACK|TIME_WAIT|CLOSE|SYN_SENT2) ", " ")
                    .replace("[UNREPLIED] ", "");
            by.computeIfAbsent(key, x -> new ArrayList<>()).add(m.group(1) + "T " + body);
        }
        return by;
    }

    private static final java.util.regex.Pattern STAT_LINE =
            java.util.regex.Pattern.compile("^cpu=(\\d+) *\t((?:[a-z_]+=\\d+ )+)$");

    /**
     * conntrack -S: the kernel prints a line per CPU and the engine one; the lines have the same
     * form and each counter's sum over the CPUs is equal. At least one counter moved, so a table
     * of zeros cannot pass.
     */
    private static void assertSameStatistics(String kernel, String ours) {
        java.util.Map<String, Long> k = sums(kernel), o = sums(ours);
        assertEquals(k, o, "kernel:\n" + kernel + "ours:\n" + ours);
        assertTrue(k.get("invalid") > 0 && k.get("error") > 0, "the refused packets were counted: " + kernel);
    }

    private static java.util.Map<String, Long> sums(String stats) {
        java.util.Map<String, Long> sum = new java.util.LinkedHashMap<>();
        for (String l : stats.lines().toList()) {
            var m = STAT_LINE.matcher(l);
            assertTrue(m.matches(), "unexpected line: [" + l + "]");
            assertEquals(8, l.indexOf('\t'), "cpu=N padded to four columns: " + l);
            for (String kv : m.group(2).trim().split(" ")) {
                String[] p = kv.split("=");
                sum.merge(p[0], Long.parseLong(p[1]), Long::sum);
            }
        }
        return sum;
    }

    private static final java.util.regex.Pattern TIMEOUT =
            java.util.regex.Pattern.compile("^((?:ipv[46] +\\d+ )?\\S+ +\\d+ )(\\d+)( .*)$");

    /** Replaces the timeout (the field after the protocol number) with T, keeping the spacing. */
    private static String maskTimeout(String line, List<Long> timeouts) {
        var m = TIMEOUT.matcher(line);
        assertTrue(m.matches(), "unexpected line: " + line);
        timeouts.add(Long.parseLong(m.group(2)));
        return m.group(1) + "T" + m.group(3);
    }
}

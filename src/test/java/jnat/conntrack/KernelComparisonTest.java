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
 * captured with tcpdump in the client's namespace, listed there with the real {@code conntrack -L};
 * the captured packets are then replayed through our tracker and our listing must equal the
 * kernel's, line for line, up to a second or two of timeout. The table is flushed while one TCP
 * connection is open, so its entry is a mid-stream pickup; another ends with an RST (CLOSE).
 */
class KernelComparisonTest {
    static final String A = "198.51.100.1", B = "198.51.100.2";

    static final String SERVER = """
            import socket, threading
            def tcp(c):
                while True:
                    d = c.recv(100)
                    if not d:
                        c.close(); return
                    c.sendall(d)
            def tcpd():
                l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                l.bind(("0.0.0.0", 8000)); l.listen()
                while True:
                    c, _ = l.accept(); threading.Thread(target=tcp, args=(c,), daemon=True).start()
            def udpd():
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 5353))
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
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 40001))
            u.sendto(b"q", ("%1$s", 5353)); u.recvfrom(100)
            v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.bind(("0.0.0.0", 40002))
            v.sendto(b"q", ("%1$s", 5354))
            r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 253); r.sendto(b"generic", ("%1$s", 0))
            w = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); w.bind(("0.0.0.0", 40003))
            w.sendto(b"q", ("%1$s", 5353)); w.recvfrom(100)
            time.sleep(2.2)
            w.sendto(b"q", ("%1$s", 5353)); w.recvfrom(100)
            time.sleep(0.5)
            print("ready", flush=True)
            time.sleep(20)
            """.formatted(B);

    @Test
    void ourListingOfReplayedTrafficEqualsTheKernels() throws Exception {
        Tools.requireRoot();
        Tools.require("conntrack");
        Tools.require("tcpdump");
        Tools.require("python3");
        Tools.require("ping");
        Path pcap = Files.createTempFile("jnat-ct", ".pcap");
        List<Process> started = new ArrayList<>();
        try (Netns a = Netns.create("cta"); Netns b = Netns.create("ctb")) {
            Tools.run("ip", "link", "add", "vA", "netns", a.name(), "type", "veth", "peer", "name", "vB", "netns", b.name()).checked();
            a.exec("ip", "addr", "add", A + "/24", "dev", "vA").checked();
            b.exec("ip", "addr", "add", B + "/24", "dev", "vB").checked();
            a.exec("ip", "link", "set", "vA", "up").checked();
            b.exec("ip", "link", "set", "vB", "up").checked();
            // A rule that uses conntrack makes the kernel track this namespace's traffic.
            a.exec("iptables", "-A", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW,ESTABLISHED,RELATED,INVALID", "-j", "ACCEPT").checked();

            Process dump = start(started, a, "tcpdump", "-i", "vA", "-U", "-n", "-s", "200", "-w", pcap.toString());
            waitFor(dump.errorReader(), "listening on");
            Process server = start(started, b, "python3", "-c", SERVER);
            waitFor(server.inputReader(), "ready");
            Process client = start(started, a, "python3", "-c", CLIENT);
            waitFor(client.inputReader(), "established");
            // Forget everything: the kernel must pick the open connection up mid-stream.
            a.exec("conntrack", "-F").checked();
            long flushedAt = System.currentTimeMillis() * 1_000_000L;
            client.outputWriter().write("go\n");
            client.outputWriter().flush();
            waitFor(client.inputReader(), "ready");
            a.exec("ping", "-c", "1", "-W", "2", B).checked();

            Tools.Result real = a.exec("conntrack", "-L").checked();
            Tools.Result realExt = a.exec("conntrack", "-L", "-o", "extended").checked();
            long listedAt = System.currentTimeMillis() * 1_000_000L;
            awaitEchoReplyCaptured(pcap); // tcpdump may lag behind on a busy machine
            dump.destroy();
            dump.waitFor(5, TimeUnit.SECONDS);

            ConnTable table = new ConnTable(1024);
            Conntrack ct = new Conntrack(table);
            CtPacket p = new CtPacket();
            boolean flushed = false;
            for (PcapFeeder.Frame f : PcapFeeder.read(pcap)) {
                if (f.timeNanos() > listedAt) break;
                if (!flushed && f.timeNanos() > flushedAt) {
                    table.flush();
                    flushed = true;
                }
                if (!PcapFeeder.fill(f.data(), p)) continue;
                int r = ct.in(p, f.timeNanos());
                if (r == Conntrack.IP_CT_NEW && !table.confirmed(p.id)) table.confirm(p.id, f.timeNanos());
            }
            ConntrackPrinter printer = new ConntrackPrinter();
            String ours = printer.list(table, listedAt);
            assertSameEntries(real.stdout(), ours);
            assertSameEntries(realExt.stdout(), printer.extended(true).list(table, listedAt));
            int n = (int) ours.lines().count();
            assertEquals(real.stderr().strip(), ConntrackPrinter.summary(n));
            assertEquals(8, n, "ping, 3 TCP, 3 UDP, 1 other: " + ours);
            assertTrue(ours.contains(" ESTABLISHED "), ours);
            assertTrue(ours.contains(" CLOSE "), ours);
            assertTrue(ours.contains(" TIME_WAIT "), ours);
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

    private static Process start(List<Process> started, Netns ns, String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        full.addAll(List.of(cmd));
        Process pr = new ProcessBuilder(full).start();
        started.add(pr);
        return pr;
    }

    private static void waitFor(BufferedReader r, String word) throws Exception {
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

    private static final java.util.regex.Pattern TIMEOUT =
            java.util.regex.Pattern.compile("^((?:ipv4     2 )?\\S+ +\\d+ )(\\d+)( .*)$");

    /** Replaces the timeout (the field after the protocol number) with T, keeping the spacing. */
    private static String maskTimeout(String line, List<Long> timeouts) {
        var m = TIMEOUT.matcher(line);
        assertTrue(m.matches(), "unexpected line: " + line);
        timeouts.add(Long.parseLong(m.group(2)));
        return m.group(1) + "T" + m.group(3);
    }
}

package jnat.gateway;

import jnat.cli.CliRun;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, reloads under load: while a numbered UDP stream flows from the container to the
 * internet server through {@code jnat gateway}, {@code iptables-restore --counters --control}
 * replaces the nat table again and again, alternately with the same rules and with rules that add
 * an unrelated chain. The receiver checks every datagram: none lost, none duplicated, each from
 * the gateway's address and the one port the stream was mapped to, payload intact. The counters
 * restored with --counters are the counters listed afterwards; a dump that fails half way
 * changes nothing.
 */
class ReloadUnderLoadTest {
    static final String SERVER = "198.51.100.8", GATEWAY_WAN = "203.0.113.10";
    static final int DATAGRAMS = 4000, PER_SECOND = 1000;

    String prefix;
    final List<Process> processes = new ArrayList<>();

    record Proc(Process process, BlockingQueue<String> lines) {
        String await(String part, int seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            StringBuilder seen = new StringBuilder();
            for (;;) {
                String l = lines.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) throw new AssertionError("never saw '" + part + "'; saw: " + seen);
                seen.append(l).append('\n');
                if (l.contains(part)) return l;
            }
        }
    }

    Proc in(String ns, String... cmd) throws IOException {
        List<String> full = Tools.cmd("ip", "netns", "exec", prefix + ns);
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        processes.add(p);
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) q.add(l);
            } catch (IOException ignored) {
            }
        });
        return new Proc(p, q);
    }

    Tools.Result lab(String cmd) {
        return Tools.run(List.of("bash", "scripts/lab.sh", "--prefix", prefix, cmd), null);
    }

    @AfterEach
    void down() {
        for (Process p : processes) p.destroyForcibly();
        if (prefix != null) lab("down");
    }

    /** The lab's name prefix (a subclass runs its own). */
    String labName() {
        return "jrl";
    }

    /** jnat gateway --workers. */
    int workers() {
        return 1;
    }

    @Test
    void restoringTheNatTableWhileAStreamFlowsLosesAndMistranslatesNothingAndKeepsCounters() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "python3")) Tools.require(t);
        prefix = labName() + ProcessHandle.current().pid() + "-";
        Path dir = Files.createTempDirectory(prefix);
        String socket = Path.of("/tmp", prefix + "control.sock").toString();
        assertEquals(0, lab("up").exitCode());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Proc gateway = in("gw", java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "jnat.cli.Main", "gateway", "--host", "scripts/lab-host.ip", "--rules", "scripts/lab.rules",
                "--attach", "docker0=tun:jnat-docker0", "--attach", "eth0=tun:jnat-eth0", "--control", socket,
                "--workers", Integer.toString(workers()));
        gateway.await("jnat gateway: forwarding", 30);
        assertEquals(0, lab("attach").exitCode());

        Proc receiver = in("wan", "python3", "-u", "-c", String.join("\n",
                "import socket, struct",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)",
                "s.bind(('" + SERVER + "', 7001)); s.settimeout(20); print('ready', flush=True)",
                "seen = set(); peers = set(); bad = 0; dup = 0",
                "try:",
                "    while len(seen) < " + DATAGRAMS + ":",
                "        b, peer = s.recvfrom(2048); peers.add(peer)",
                "        i = struct.unpack('!I', b[:4])[0]",
                "        if b[4:] != bytes([i % 251]) * 60: bad += 1",
                "        if i in seen: dup += 1",
                "        seen.add(i)",
                "        s.settimeout(3)",
                "except socket.timeout: pass",
                "print('got', len(seen), 'bad', bad, 'dup', dup, 'peers', ' '.join(sorted('%s:%d' % p for p in peers)), flush=True)"));
        receiver.await("ready", 20);
        Proc sender = in("ctr", "python3", "-u", "-c", String.join("\n",
                "import socket, struct, time",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(('" + SERVER + "', 7001))",
                "t0 = time.monotonic()",
                "for i in range(" + DATAGRAMS + "):",
                "    s.send(struct.pack('!I', i) + bytes([i % 251]) * 60)",
                "    if i == 100: print('underway', flush=True)",
                "    d = t0 + (i + 1) / " + PER_SECOND + " - time.monotonic()",
                "    if d > 0: time.sleep(d)",
                "print('sent', flush=True)"));
        sender.await("underway", 20);

        var save = CliRun.jnat("iptables-save", "--control", socket, "-c");
        assertEquals(0, save.exit(), save.err());
        String dump = save.out();
        assertTrue(dump.contains("-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE"), dump);
        assertTrue(!dump.contains("[0:0] -A POSTROUTING -s 172.17.0.0/16"), "the stream's first packet was counted: " + dump);
        Path same = dir.resolve("same.rules"), more = dir.resolve("more.rules"), broken = dir.resolve("broken.rules");
        Files.writeString(same, dump);
        Files.writeString(more, dump.replace("COMMIT", ":UNRELATED - [0:0]\n[0:0] -A UNRELATED -s 10.99.0.0/16 -j RETURN\nCOMMIT"));
        Files.writeString(broken, dump.replace(":DOCKER - [0:0]", ":DOCKER - [0:0]\n:OTHER - [0:0]")
                .replace("COMMIT", "-A OTHER -j NO-SUCH-CHAIN\nCOMMIT"));

        int reloads = 0;
        while (!sender.lines().contains("sent") && sender.process().isAlive() || reloads < 20) {
            var r = CliRun.jnat("iptables-restore", "--control", socket, "--counters",
                    (reloads % 2 == 0 ? more : same).toString());
            assertEquals(0, r.exit(), r.err());
            reloads++;
            if (reloads % 10 == 5) {
                var bad = CliRun.jnat("iptables-restore", "--control", socket, "--counters", broken.toString());
                assertNotEquals(0, bad.exit(), "a dump that fails half way is refused");
                String now = CliRun.jnat("iptables-save", "--control", socket, "-c").out();
                assertTrue(!now.contains("OTHER"), "and changes nothing: " + now);
            }
            if (reloads > 10_000) break;
        }
        // the last restore was `same`: the rules and the counters of the dump, unchanged by the stream
        if (reloads % 2 == 1) {
            assertEquals(0, CliRun.jnat("iptables-restore", "--control", socket, "--counters", same.toString()).exit());
        }
        sender.await("sent", 30);
        String got = receiver.await("got", 30);
        assertEquals("got " + DATAGRAMS + " bad 0 dup 0 peers", got.substring(0, got.indexOf(" peers") + 6), got);
        String[] peers = got.substring(got.indexOf(" peers ") + 7).split(" ");
        assertEquals(1, peers.length, "one mapping throughout: " + got);
        assertTrue(peers[0].startsWith(GATEWAY_WAN + ":"), got);
        assertTrue(reloads >= 20, "reloads: " + reloads);

        String after = CliRun.jnat("iptables-save", "--control", socket, "-c").out();
        assertEquals(strip(dump), strip(after), "counters restored with --counters are kept");
        // and without --counters they start from zero, as iptables-restore's do
        assertEquals(0, CliRun.jnat("iptables-restore", "--control", socket, same.toString()).exit());
        String zeroed = CliRun.jnat("iptables-save", "--control", socket, "-c").out();
        assertTrue(zeroed.contains("[0:0] -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE"), zeroed);
        System.out.println("ReloadUnderLoadTest: " + reloads + " restores during " + DATAGRAMS + " datagrams, " + got);
    }

    /** iptables-save's comment lines carry the time; the rest must match. */
    static String strip(String save) {
        return save.lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
    }
}

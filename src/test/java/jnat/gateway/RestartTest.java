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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, restarts lose nothing: a TCP transfer from the container to the internet server runs
 * through {@code jnat gateway --state}; the test stops the gateway with SIGTERM mid-transfer and
 * starts a new one (another random seed) on the same, persistent TUN devices, which stayed in
 * the peers' namespaces. The connection is SNATed to a port picked at random from a range its
 * own port is not in (the kernel keeps a source port already in range), so a
 * gateway that forgot it would map the next segment elsewhere and the server would answer RST:
 * the transfer completes, one connection, every byte checked, only if the table came back. The
 * same runs over IPv6 in the dual-stack lab (scripts/lab.sh --ipv6, --rules6).
 */
class RestartTest {
    static final String SERVER = "198.51.100.8", GATEWAY_WAN = "203.0.113.10";
    static final String SERVER6 = LabGateway.SERVER6, GATEWAY_WAN6 = LabGateway.GATEWAY_WAN6;

    String prefix;
    final List<Process> processes = new ArrayList<>();

    /** A process and the lines of its merged output, read on a thread of their own. */
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

    Proc start(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
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

    Proc in(String ns, String... cmd) throws IOException {
        List<String> full = Tools.cmd("ip", "netns", "exec", prefix + ns);
        full.addAll(List.of(cmd));
        return start(full);
    }

    Tools.Result lab(String... cmd) {
        List<String> full = new ArrayList<>(List.of("bash", "scripts/lab.sh", "--prefix", prefix));
        full.addAll(List.of(cmd));
        return Tools.run(full, null);
    }

    Proc gateway(Path rules, Path rules6, Path state, long seed, String ctrDev, String wanDev) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return in("gw", java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "jnat.cli.Main", "gateway", "--host", "scripts/lab-host.ip", "--rules", rules.toString(),
                "--rules6", rules6.toString(),
                "--attach", "docker0=tun:" + ctrDev, "--attach", "eth0=tun:" + wanDev,
                "--state", state.toString(), "--state-interval", "1", "--seed", Long.toString(seed),
                "--control", Path.of("/tmp", prefix + "control.sock").toString());
    }

    @AfterEach
    void down() {
        for (Process p : processes) p.destroyForcibly();
        if (prefix != null) lab("down");
    }

    @Test
    void aTcpTransferSurvivesARestartOfTheGatewayWithItsBytesIntact() throws Exception {
        transferSurvivesRestart(false);
    }

    /** The same over IPv6 in the dual-stack lab: the state file's IPv6 rows bring the connection and its SNAT back. */
    @Test
    void anIpv6TcpTransferSurvivesARestartOfTheGatewayWithItsBytesIntact() throws Exception {
        transferSurvivesRestart(true);
    }

    private void transferSurvivesRestart(boolean ipv6) throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "python3")) Tools.require(t);
        prefix = (ipv6 ? "jrs6" : "jrs") + ProcessHandle.current().pid() + "-";
        String server6 = ipv6 ? SERVER6 : SERVER, gatewayWan = ipv6 ? GATEWAY_WAN6 : GATEWAY_WAN;
        Path dir = Files.createTempDirectory(prefix);
        Path rules = dir.resolve("nat.rules"), rules6 = dir.resolve("nat6.rules"), state = dir.resolve("conntrack.state");
        Files.copy(Path.of("scripts/lab.rules"), rules);
        Files.copy(Path.of("scripts/lab6.rules"), rules6);
        var ins = ipv6
                ? CliRun.jnat("ip6tables", "--rules", rules6.toString(), "-t", "nat", "-I", "POSTROUTING",
                        "-p", "tcp", "--dport", "7000", "-j", "SNAT", "--to-source", "[" + GATEWAY_WAN6 + "]:20000-29999")
                : CliRun.jnat("iptables", "--rules", rules.toString(), "-t", "nat", "-I", "POSTROUTING",
                        "-p", "tcp", "--dport", "7000", "-j", "SNAT", "--to-source", GATEWAY_WAN + ":20000-29999");
        assertEquals(0, ins.exit(), ins.err());
        assertEquals(0, (ipv6 ? lab("--ipv6", "up") : lab("up")).exitCode());

        Proc first = gateway(rules, rules6, state, 1, "jnat-docker0", "jnat-eth0");
        first.await("jnat gateway: forwarding", 30);
        assertEquals(0, lab("attach").exitCode());

        Proc server = in("wan", "python3", "-u", "-c", String.join("\n",
                "import socket, hashlib",
                "l = socket.socket(socket.AF_INET6 if ':' in '" + server6 + "' else socket.AF_INET)",
                "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "l.bind(('" + server6 + "', 7000)); l.listen(4); print('ready', flush=True)",
                "c, peer = l.accept(); print('peer', peer[0], peer[1], flush=True)",
                "h = hashlib.sha256(); n = 0",
                "while True:",
                "    b = c.recv(65536)",
                "    if not b: break",
                "    h.update(b); n += len(b)",
                "print('got', n, h.hexdigest(), flush=True)",
                "c.sendall(b'done'); c.close()"));
        server.await("ready", 20);
        // 8 MB in 64 KB chunks, paced over about 6 s: the restart falls in the middle
        Proc client = in("ctr", "python3", "-u", "-c", String.join("\n",
                "import socket, hashlib, time",
                "s = socket.create_connection(('" + server6 + "', 7000), timeout=60)",
                "h = hashlib.sha256(); n = 0",
                "for i in range(128):",
                "    chunk = hashlib.sha256(i.to_bytes(4, 'big')).digest() * 2048",
                "    s.sendall(chunk); h.update(chunk); n += len(chunk)",
                "    if i == 16: print('underway', flush=True)",
                "    time.sleep(0.045)",
                "s.shutdown(socket.SHUT_WR)",
                "print('sent', n, h.hexdigest(), flush=True)",
                "print('server said', s.recv(10).decode(), flush=True)"));
        client.await("underway", 20);
        String peer = server.await("peer", 5);

        first.process().destroy(); // SIGTERM
        assertTrue(first.process().waitFor(20, TimeUnit.SECONDS));
        assertEquals(143, first.process().exitValue());
        assertTrue(Files.size(state) > 0, "state saved");
        assertEquals(0, Tools.run("ip", "-n", prefix + "ctr", "link", "show", "jnat-docker0").exitCode(),
                "the persistent device stayed in the container's namespace");

        Proc second = gateway(rules, rules6, state, 2, "jnat-docker0@" + prefix + "ctr", "jnat-eth0@" + prefix + "wan");
        String started = second.await("jnat gateway: forwarding", 30);
        assertTrue(started.matches(".*restored [1-9][0-9]* of [0-9]+ connections.*"), started);
        var ct = CliRun.jnat("conntrack", "--control", "/tmp/" + prefix + "control.sock", "-L", "-f", ipv6 ? "ipv6" : "ipv4",
                "-p", "tcp", "--dport", "7000");
        assertTrue(ct.out().contains("ESTABLISHED") && ct.out().contains("[ASSURED]"), ct.out() + ct.err());

        String sent = client.await("sent", 60);
        String got = server.await("got", 30);
        assertEquals(sent.substring("sent ".length()), got.substring("got ".length()), "every byte arrived, in order");
        assertEquals("server said done", client.await("server said", 30));
        assertTrue(peer.startsWith("peer " + gatewayWan + " "), peer);
        assertTrue(ct.out().contains("dport=" + peer.split(" ")[2] + " "), "the restored mapping is the one the server sees: " + ct.out());
    }
}

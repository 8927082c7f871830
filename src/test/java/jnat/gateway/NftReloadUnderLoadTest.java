package jnat.gateway;

import jnat.cli.CliRun;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, nft reloads under load: {@code jnat gateway --nft FILE} masquerades a numbered UDP stream from
 * the container, while {@code jnat nft --control SOCKET -f FILE} replaces the ruleset again and again
 * ({@code flush ruleset} and the tables again, alternately with an unrelated table more), each one
 * transaction. None of the stream's datagrams is lost or duplicated and all leave from the one port the
 * connection was mapped to (established connections keep their binding, as the kernel's do); a file with
 * a syntax error gets nft's message and changes nothing; {@code list ruleset} from the running gateway
 * shows live counters, which a rule kept by a transaction keeps and a flushed-and-added rule starts again
 * from zero, as nf_tables does.
 */
class NftReloadUnderLoadTest {
    static final String SERVER = ReloadUnderLoadTest.SERVER, GATEWAY_WAN = ReloadUnderLoadTest.GATEWAY_WAN;
    static final int DATAGRAMS = 3000, PER_SECOND = 1000;
    static final String RULESET = """
            table ip nat {
            	chain postrouting {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "eth0" ip saddr 172.17.0.0/16 counter masquerade
            	}
            }
            table ip filter {
            	chain forward {
            		type filter hook forward priority filter; policy drop;
            		ct state established,related counter accept
            		iifname "docker0" counter accept
            	}
            }
            """;

    final ReloadUnderLoadTest lab = new ReloadUnderLoadTest();

    @AfterEach
    void down() {
        lab.down();
    }

    /** The stream's forward counter (its datagrams stay ctinfo NEW: UDP without a reply, as in the kernel). */
    static long forwarded(String listing) {
        Matcher m = Pattern.compile("iifname \"docker0\" counter packets (\\d+)").matcher(listing);
        assertTrue(m.find(), listing);
        return Long.parseLong(m.group(1));
    }

    @Test
    void replacingTheNftRulesetWhileAStreamFlowsLosesAndMistranslatesNothing() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "python3")) Tools.require(t);
        lab.prefix = "jnr" + ProcessHandle.current().pid() + "-";
        Path dir = Files.createTempDirectory(lab.prefix);
        String socket = Path.of("/tmp", lab.prefix + "control.sock").toString();
        Path initial = dir.resolve("initial.nft"), same = dir.resolve("same.nft"), more = dir.resolve("more.nft"),
                broken = dir.resolve("broken.nft"), other = dir.resolve("other.nft");
        Files.writeString(initial, RULESET);
        Files.writeString(same, "flush ruleset\n" + RULESET);
        Files.writeString(more, "flush ruleset\n" + RULESET + "table ip unrelated {\n\tchain c {\n\t\tip saddr 10.99.0.0/16 return\n\t}\n}\n");
        Files.writeString(broken, "flush ruleset\n" + RULESET.replace("counter masquerade", "counter masqurade"));
        Files.writeString(other, "add table ip other\n");
        assertEquals(0, lab.lab("up").exitCode());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var gateway = lab.in("gw", java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "jnat.cli.Main", "gateway", "--host", "scripts/lab-host.ip", "--nft", initial.toString(),
                "--attach", "docker0=tun:jnat-docker0", "--attach", "eth0=tun:jnat-eth0", "--control", socket);
        gateway.await("jnat gateway: forwarding", 30);
        assertEquals(0, lab.lab("attach").exitCode());

        var receiver = lab.in("wan", "python3", "-u", "-c", String.join("\n",
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
        var sender = lab.in("ctr", "python3", "-u", "-c", String.join("\n",
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

        String first = CliRun.jnat("nft", "--control", socket, "list", "ruleset").out();
        assertTrue(first.contains("oifname \"eth0\" ip saddr 172.17.0.0/16 counter packets 1 bytes 92 masquerade"), first);
        long before = forwarded(first);
        assertTrue(before > 0, first);
        // a transaction that leaves the rules in place: their counters go on
        assertEquals(0, CliRun.jnat("nft", "--control", socket, "-f", other.toString()).exit());
        long kept = forwarded(CliRun.jnat("nft", "--control", socket, "list", "ruleset").out());
        assertTrue(kept >= before, before + " then " + kept);

        int reloads = 0;
        while (!sender.lines().contains("sent") && sender.process().isAlive() || reloads < 20) {
            var r = CliRun.jnat("nft", "--control", socket, "-f", (reloads % 2 == 0 ? more : same).toString());
            assertEquals(0, r.exit(), r.err());
            reloads++;
            if (reloads % 10 == 5) {
                String was = CliRun.jnat("nft", "--control", socket, "-s", "list", "ruleset").out();
                var bad = CliRun.jnat("nft", "--control", socket, "-f", broken.toString());
                assertNotEquals(0, bad.exit(), "a file with an error is refused");
                assertTrue(bad.err().contains(broken + ":5:") && bad.err().contains("Error: syntax error"), bad.err());
                assertEquals(was, CliRun.jnat("nft", "--control", socket, "-s", "list", "ruleset").out(), "and changes nothing");
            }
            if (reloads > 10_000) break;
        }
        sender.await("sent", 30);
        String got = receiver.await("got", 30);
        assertEquals("got " + DATAGRAMS + " bad 0 dup 0 peers", got.substring(0, got.indexOf(" peers") + 6), got);
        String[] peers = got.substring(got.indexOf(" peers ") + 7).split(" ");
        assertEquals(1, peers.length, "one mapping throughout: " + got);
        assertTrue(peers[0].startsWith(GATEWAY_WAN + ":"), got);
        // the last reload flushed and added the rules again: their counters started from zero then
        String last = CliRun.jnat("nft", "--control", socket, "list", "ruleset").out();
        assertTrue(last.contains("counter packets 0 bytes 0 masquerade"), "the established stream binds no more: " + last);
        assertTrue(forwarded(last) < DATAGRAMS, last);
        System.out.println("NftReloadUnderLoadTest: " + reloads + " nft -f transactions during " + DATAGRAMS + " datagrams, " + got);
    }
}

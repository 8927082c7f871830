package jnat.fuzz;

import jnat.cli.CliRun;
import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8's bad files, the cases not already covered beside each command (ReplayCommandTest: a
 * corrupt or truncated pcap, a bad rule line, a bad host line; TcpdumpCommandTest: a file of random
 * bytes; IptablesCommandsTest: a bad rule or dump line; GatewayControlTest: malformed control
 * requests): files of binary garbage, and jnat gateway refusing bad files before it opens a device.
 */
class BadFilesTest {
    @TempDir
    Path dir;

    /** 512 random bytes that are not UTF-8 (0xff never is). */
    Path garbage(String name) throws IOException {
        byte[] b = new byte[512];
        new SplittableRandom(8).nextBytes(b);
        b[17] = (byte) 0xff;
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    static void assertOneLine(CliRun r, String expected) {
        assertNotEquals(0, r.exit(), "exit code");
        assertEquals(expected + "\n", r.err());
    }

    @Test
    void binaryRulesFileIsOneLineAndStaysAsItWas() throws IOException {
        Path rules = garbage("nat.rules");
        byte[] before = Files.readAllBytes(rules);
        assertOneLine(jnat("iptables", "--rules", rules.toString(), "-t", "nat", "-A", "POSTROUTING", "-j", "MASQUERADE"),
                "iptables: cannot read rules file " + rules + ": not a text file (invalid UTF-8)");
        assertOneLine(jnat("iptables-save", "--rules", rules.toString()),
                "iptables-save: cannot read rules file " + rules + ": not a text file (invalid UTF-8)");
        assertArrayEquals(before, Files.readAllBytes(rules));
    }

    @Test
    void binaryDumpForRestoreIsOneLineAndTheRulesFileStaysAsItWas() throws IOException {
        Path rules = dir.resolve("nat.rules");
        Files.writeString(rules, "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n");
        byte[] before = Files.readAllBytes(rules);
        Path dump = garbage("dump");
        assertOneLine(jnat("iptables-restore", "--rules", rules.toString(), dump.toString()),
                "iptables-restore: cannot read " + dump + ": not a text file (invalid UTF-8)");
        assertArrayEquals(before, Files.readAllBytes(rules));
    }

    @Test
    void textGarbageRulesFileIsOneLineNamingTheLine() throws IOException {
        Path rules = dir.resolve("nat.rules");
        Files.writeString(rules, "*nat\n:POSTROUTING ACCEPT [0:0]\nlorem ipsum dolor\nCOMMIT\n");
        CliRun r = jnat("iptables", "--rules", rules.toString(), "-t", "nat", "-nvL");
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().split("\n", -1).length - 1, r.err());
        assertTrue(r.err().startsWith("iptables: rules file " + rules + ": line 3"), r.err());
    }

    @Test
    void binaryHostAndRulesFilesAreOneLineForReplay() throws IOException {
        Path host = garbage("host.ip"), pcap = garbage("in.pcap");
        assertOneLine(jnat("replay", "--host", host.toString(), "--in", "eth0=" + pcap),
                "replay: " + host + ": not a text file (invalid UTF-8)");
        assertOneLine(jnat("replay", "--host", "scripts/lab-host.ip", "--rules", garbage("nat.rules").toString(),
                "--in", "eth0=" + pcap), "replay: cannot read rules file " + dir.resolve("nat.rules")
                + ": not a text file (invalid UTF-8)");
    }

    @Test
    void binaryHostFileIsOneLineForIp() throws IOException {
        Path host = garbage("host.ip");
        assertOneLine(jnat("ip", "--host", host.toString(), "route", "show"),
                "ip: cannot read " + host + ": not a text file (invalid UTF-8)");
    }

    /**
     * jnat gateway in a network namespace whose /dev/net/tun is hidden: had it opened a device
     * before reading its files, it would fail on the TUN driver instead of naming the bad file.
     */
    private Tools.Result gatewayWithoutTun(Netns ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), "unshare", "--mount",
                "--propagation", "private", "sh", "-c", "mount -t tmpfs none /dev/net && exec \"$0\" \"$@\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "jnat.cli.Main", "gateway"));
        cmd.addAll(Arrays.asList(args));
        return Tools.run(cmd, null);
    }

    @Test
    void gatewayRefusesABadHostLineOrGarbageRulesBeforeOpeningADevice() throws IOException {
        Tools.requireRoot();
        Tools.require("unshare");
        Path host = dir.resolve("host.ip");
        Files.writeString(host, Files.readString(Path.of("scripts/lab-host.ip")) + "addr add 203.0.113.300/24 dev eth0\n");
        Path rules = garbage("nat.rules");
        try (Netns ns = Netns.create("fzbad")) {
            Tools.Result badHost = gatewayWithoutTun(ns, "--host", host.toString(), "--attach", "eth0=tun:jfz-eth0");
            assertNotEquals(0, badHost.exitCode());
            assertEquals(1, badHost.stderr().split("\n", -1).length - 1, badHost.stderr());
            assertTrue(badHost.stderr().startsWith("gateway: " + host + ":"), badHost.stderr());
            assertTrue(badHost.stderr().contains("203.0.113.300"), badHost.stderr());

            Tools.Result badRules = gatewayWithoutTun(ns, "--host", "scripts/lab-host.ip", "--rules", rules.toString(),
                    "--attach", "eth0=tun:jfz-eth0");
            assertNotEquals(0, badRules.exitCode());
            assertEquals("gateway: cannot read rules file " + rules + ": not a text file (invalid UTF-8)\n", badRules.stderr());
        }
    }
}

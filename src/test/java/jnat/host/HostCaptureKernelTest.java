package jnat.host;

import jnat.cli.CliRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jnat host capture} of a real host: the seed's dual-stack Docker host built in a namespace
 * with ip(8), captured with {@code ip -j} into a host file, and that copy compared with the kernel
 * by every test of {@link Ipv6KernelComparison} (routing tables of both families, route get,
 * addresses, neighbours, address types). The rig's bridge port (which the rig hides from the
 * kernel's listings too) is left out of the copy.
 */
class HostCaptureKernelTest extends Ipv6KernelComparison {
    @Override String file() { return Ipv6SeedHostKernelTest.FILE; }

    @Override List<String> veths() { return List.of("eth0"); }

    @Override List<String> destinations() { return new Ipv6SeedHostKernelTest().destinations(); }

    @Override List<String[]> inputs() { return new Ipv6SeedHostKernelTest().inputs(); }

    @org.junit.jupiter.api.Test
    void ipJsonCapturedElsewhereGivesTheSameHostFile() throws IOException {
        Path src = Files.createTempDirectory("jnat-ipjson"), a = Files.createTempDirectory("jnat-a"), b = Files.createTempDirectory("jnat-b");
        String[][] files = {{"link.json", "-d", "link", "show"}, {"addr.json", "addr", "show"},
            {"route4.json", "-4", "route", "show", "table", "all"}, {"route6.json", "-6", "route", "show", "table", "all"},
            {"neigh.json", "neigh", "show"}, {"rule4.json", "-4", "rule", "show"}, {"rule6.json", "-6", "rule", "show"}};
        for (String[] f : files) {
            String[] cmd = new String[f.length + 1];
            cmd[0] = "ip";
            cmd[1] = "-j";
            System.arraycopy(f, 1, cmd, 2, f.length - 1);
            Files.writeString(src.resolve(f[0]), ns.exec(cmd).checked().stdout());
        }
        assertEquals(0, CliRun.jnat("host", "capture", "--netns", ns.name(), "--out", a.toString()).exit());
        assertEquals(0, CliRun.jnat("host", "capture", "--from", src.toString(), "--out", b.toString()).exit());
        List<String> live = Files.readAllLines(a.resolve("host.ip")), copied = Files.readAllLines(b.resolve("host.ip"));
        assertEquals(live.subList(1, live.size()), copied.subList(1, copied.size()), "all but the header naming the source");
    }

    @Override
    Host hostUnderTest() {
        try {
            Path out = Files.createTempDirectory("jnat-capture");
            CliRun r = CliRun.jnat("host", "capture", "--netns", ns.name(), "--out", out.toString());
            assertEquals(0, r.exit(), r.err());
            String file = Files.readString(out.resolve("host.ip"));
            assertTrue(file.contains("link set dev eth0 address 56:00:04:7c:7c:23 mtu 1500 up"), file);
            assertTrue(Files.exists(out.resolve("rules.v4")), "iptables-save's dump (empty here: no tables) beside it");
            String copy = file.lines().filter(l -> !l.matches(".*dev bp\\d+( .*)?$")).collect(Collectors.joining("\n", "", "\n"));
            return Host.parse(copy, out.resolve("host.ip").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package jnat.demo;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The demo's kernel reference made again: scripts/demo6-kernel.sh sends the demo's frames through
 * the kernel in a network namespace (root, tcpdump, ip6tables, conntrack), and what it makes must be
 * the committed demo/seed6-kernel.txt and pcaps (timestamps and conntrack timeouts aside).
 */
class SeedDemo6KernelTest {
    @Test
    void theKernelMakesTheCommittedReferenceAgain(@TempDir Path dir) throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "tcpdump", "ip6tables-restore", "iptables-restore", "conntrack", "python3")) Tools.require(t);
        Path arrivals = dir.resolve("arrivals"), out = dir.resolve("out");
        SeedDemo6.writeArrivals(arrivals);
        Tools.run("bash", "scripts/demo6-kernel.sh", "--arrivals", arrivals.toString(), "--out", out.toString()).checked();

        Map<String, List<String>> committed = SeedDemo6.kernelReference();
        Map<String, List<String>> made = SeedDemo6.sections(Files.readString(out.resolve("seed6-kernel.txt")));
        for (String section : SeedDemo6.CAPTURES) {
            assertEquals(committed.get(section).stream().map(SeedDemo6::withoutTime).toList(),
                    made.get(section).stream().map(SeedDemo6::withoutTime).toList(), section);
        }
        assertEquals(SeedDemo6.protAsNumbers(committed.get(SeedDemo6.NAT_LISTING)), SeedDemo6.protAsNumbers(made.get(SeedDemo6.NAT_LISTING)));
        assertEquals(SeedDemo6.sortedWithoutTimeouts(committed.get(SeedDemo6.CONNTRACK)),
                SeedDemo6.sortedWithoutTimeouts(made.get(SeedDemo6.CONNTRACK)));
        for (String dev : List.of("eth0", "docker0")) {
            List<byte[]> kernel = SeedDemo6Test.frames("/demo/seed6-kernel-" + dev + ".pcap");
            List<byte[]> again = SeedDemo6Test.frames(Files.newInputStream(out.resolve("seed6-kernel-" + dev + ".pcap")), dev);
            assertEquals(kernel.size(), again.size(), dev);
            for (int i = 0; i < kernel.size(); i++) assertArrayEquals(kernel.get(i), again.get(i), dev + ", frame " + (i + 1));
        }
    }
}

package jnat.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import java.nio.file.Path;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnat demo's command line: IPv4 by default, --ipv6 the IPv6 run only, --write-arrivals the frames for the kernel. */
class DemoCommandTest {
    @Test
    void ipv6RunsOnlyTheIpv6ExperimentsAndComparesThemWithTheKernel() {
        CliRun r = jnat("demo", "--ipv6");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("# ip6tables -t nat -nvL"), r.out());
        assertTrue(r.out().contains("captures: 30 of 30 lines identical but for the timestamp, 0 differ"), r.out());
        assertFalse(r.out().contains("45.77.200.180 > 8.8.8.8"), "no IPv4 run: " + r.out());
    }

    @Test
    void plainDemoIsTheIpv4Run() {
        CliRun r = jnat("demo");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Compared with the article's 30 captured lines"), r.out());
        assertFalse(r.out().contains("ICMP6"), r.out());
    }

    @Test
    void writeArrivalsWritesOnePcapPerInterface(@TempDir Path dir) throws Exception {
        CliRun r = jnat("demo", "--ipv6", "--write-arrivals", dir.toString());
        assertEquals(0, r.exit(), r.err());
        // the container's 2 echo requests and the server's 5 segments; the 2 replies and the client's 6 segments
        assertEquals(7, records(dir.resolve("docker0.pcap")));
        assertEquals(8, records(dir.resolve("eth0.pcap")));
    }

    static int records(Path pcap) throws Exception {
        int n = 0;
        try (PcapReader r = PcapReader.open(pcap)) {
            for (PcapRecord rec = r.next(); rec != null; rec = r.next()) {
                assertEquals(0x86dd, (rec.data()[12] & 0xff) << 8 | (rec.data()[13] & 0xff), "an IPv6 frame");
                n++;
            }
        }
        return n;
    }

    @Test
    void writeArrivalsWithoutIpv6IsAUsageError(@TempDir Path dir) {
        CliRun r = jnat("demo", "--write-arrivals", dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--write-arrivals needs --ipv6"), r.err());
    }
}

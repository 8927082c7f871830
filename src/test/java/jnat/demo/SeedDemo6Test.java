package jnat.demo;

import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo over IPv6 against the kernel's run of the same frames (demo/seed6-kernel.txt and its
 * pcaps, made by scripts/demo6-kernel.sh; SeedDemo6KernelTest keeps them from rotting).
 */
class SeedDemo6Test {
    static final Map<String, List<String>> KERNEL = SeedDemo6.kernelReference();

    @Test
    void everyCapturedLineIsTheKernelsButForTheTimestamp() throws Exception {
        List<List<String>> ours = SeedDemo6.captures(SeedDemo6.run());
        int[] sizes = {4, 4, 11, 11};
        for (int i = 0; i < SeedDemo6.CAPTURES.size(); i++) {
            String section = SeedDemo6.CAPTURES.get(i);
            List<String> kernel = KERNEL.get(section);
            assertEquals(sizes[i], kernel.size(), section);
            assertEquals(kernel.size(), ours.get(i).size(), section);
            for (int j = 0; j < kernel.size(); j++) {
                assertEquals(SeedDemo6.withoutTime(kernel.get(j)), SeedDemo6.withoutTime(ours.get(i).get(j)), section + ", line " + (j + 1));
            }
        }
    }

    @Test
    void everyFrameOnEachInterfaceIsTheKernelsByteForByte() throws Exception {
        SeedDemo.Result r = SeedDemo6.run();
        List<PcapRecord> eth0 = new ArrayList<>(r.pingEth0().frames()), docker0 = new ArrayList<>(r.pingDocker0().frames());
        eth0.addAll(r.tcpEth0().frames());
        docker0.addAll(r.tcpDocker0().frames());
        assertFrames("/demo/seed6-kernel-eth0.pcap", eth0);
        assertFrames("/demo/seed6-kernel-docker0.pcap", docker0);
    }

    static void assertFrames(String kernelPcap, List<PcapRecord> ours) throws Exception {
        List<byte[]> kernel = frames(kernelPcap);
        assertEquals(kernel.size(), ours.size(), kernelPcap);
        for (int i = 0; i < kernel.size(); i++) assertArrayEquals(kernel.get(i), ours.get(i).data(), kernelPcap + ", frame " + (i + 1));
    }

    static List<byte[]> frames(String resource) throws Exception {
        return frames(SeedDemo6Test.class.getResourceAsStream(resource), resource);
    }

    static List<byte[]> frames(InputStream in, String name) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (in; PcapReader r = PcapReader.open(in, name)) {
            for (PcapRecord rec = r.next(); rec != null; rec = r.next()) out.add(rec.data());
        }
        return out;
    }

    @Test
    void natCountersAreTheKernelsOnlyEachConnectionsFirstPacketWalkingTheChains() throws Exception {
        SeedDemo.Result r = SeedDemo6.run();
        assertEquals(SeedDemo6.protAsNumbers(KERNEL.get(SeedDemo6.NAT_LISTING)), SeedDemo6.protAsNumbers(SeedDemo6.natListing(r)));
        var nat = r.engine().ruleset6().existing("nat");
        assertEquals(1, nat.chain("POSTROUTING").rules().getFirst().packets, "MASQUERADE: the first echo request");
        assertEquals(1, nat.chain("DOCKER").rules().getFirst().packets, "DNAT: the SYN");
    }

    @Test
    void conntrackTableIsTheKernelsButForTheTimeouts() throws Exception {
        List<String> ours = SeedDemo6.conntrackLines(SeedDemo6.run());
        assertEquals(2, ours.size(), "the ping and the HTTP connection: " + ours);
        assertEquals(SeedDemo6.sortedWithoutTimeouts(KERNEL.get(SeedDemo6.CONNTRACK)), SeedDemo6.sortedWithoutTimeouts(ours));
    }

    @Test
    void printedDemoReportsNoDifferenceFromTheKernel() throws Exception {
        StringWriter s = new StringWriter();
        assertEquals(0, SeedDemo6.print(new PrintWriter(s)));
        String out = s.toString();
        assertTrue(out.contains("captures: 30 of 30 lines identical but for the timestamp, 0 differ"), out);
        assertTrue(out.contains("made by Linux "), "the reference says which kernel made it: " + out);
    }

    @Test
    void aTimeoutIsTheThirdWordOfAConntrackLine() {
        assertEquals("tcp 6 TIME_WAIT src=a", SeedDemo6.withoutTimeout("tcp      6 119 TIME_WAIT src=a"));
    }
}

package jnat.nat;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel as the oracle for -m connlimit: UDP connections from local addresses (one source
 * port each, so a connection is its source and destination port) counted per source, per /29,
 * per destination and all together, through INPUT rules; a connection's later packets (still
 * NEW without a reply) find their tuple already counted. Every rule's packet count must be the kernel's.
 */
class ConnlimitKernelTest {
    static final List<String> RULES = List.of(
            "-p udp -m connlimit --connlimit-above 2",
            "-p udp -m connlimit --connlimit-upto 3 --connlimit-mask 29",
            "-p udp -m connlimit --connlimit-above 1 --connlimit-daddr",
            "-p udp -m connlimit --connlimit-above 4 --connlimit-mask 0",
            "-p udp -m connlimit ! --connlimit-upto 5 --connlimit-mask 255.255.255.0 --connlimit-saddr");

    /** (source's last byte, destination port) */
    static List<int[]> sequence() {
        List<int[]> s = new ArrayList<>();
        for (int p = 40; p < 44; p++) s.add(new int[] {1, p});
        s.add(new int[] {2, 40});
        s.add(new int[] {2, 41});
        s.add(new int[] {1, 40});
        s.add(new int[] {3, 40});
        for (int p = 40; p < 43; p++) s.add(new int[] {9, p});
        s.add(new int[] {1, 41});
        s.add(new int[] {9, 40});
        s.add(new int[] {4, 44});
        return s;
    }

    @Test
    void connlimitCountsTheConnectionsTheKernelCounts() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        StatefulMatchesKernelTest.Outcome k = StatefulMatchesKernelTest.kernel(RULES, sequence(), ns -> "");
        System.out.println("kernel's rule counts:\n" + k.counts());
        assertEquals(k.counts(), StatefulMatchesKernelTest.counts(StatefulMatchesKernelTest.jnat(RULES, sequence())),
                "each rule's packets");
    }
}

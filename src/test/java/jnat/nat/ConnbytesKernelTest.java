package jnat.nat;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel as the oracle for -m connbytes: UDP flows with replies, from local sockets through lo
 * (as {@link StatefulMatchesKernelTest} sends them), through INPUT rules reading each connection's
 * packets, bytes and average size per direction; the rules themselves turn accounting on
 * (connbytes_mt_check), so every rule's packet count must be the kernel's.
 */
class ConnbytesKernelTest {
    static final List<String> RULES = List.of(
            "-p udp -m connbytes --connbytes 0:2 --connbytes-mode packets --connbytes-dir original",
            "-p udp -m connbytes --connbytes 3: --connbytes-mode packets --connbytes-dir both",
            "-p udp -m connbytes --connbytes 100:300 --connbytes-mode bytes --connbytes-dir original",
            "-p udp -m connbytes ! --connbytes 50:60 --connbytes-mode avgpkt --connbytes-dir both",
            "-p udp -m connbytes --connbytes 1 --connbytes-mode packets --connbytes-dir reply",
            "-p udp --sport 30 -m connbytes --connbytes 0:1 --connbytes-mode packets --connbytes-dir reply",
            "-p udp -m connbytes --connbytes 129 --connbytes-mode bytes --connbytes-dir reply");

    /** (source's last byte, port, payload bytes, reply?) */
    static List<int[]> sequence() {
        List<int[]> s = new ArrayList<>();
        for (int i = 0; i < 4; i++) s.add(new int[] {1, 30, 10, 0});
        s.add(new int[] {1, 30, 100, 1});
        s.add(new int[] {1, 30, 100, 1});
        s.add(new int[] {1, 30, 10, 0});
        for (int i = 0; i < 3; i++) s.add(new int[] {2, 31, 50, 0});
        s.add(new int[] {2, 31, 1, 1});
        for (int i = 0; i < 5; i++) s.add(new int[] {3, 32, 200, 0});
        return s;
    }

    @Test
    void connbytesCountsAsTheKernelsAccounting() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        StatefulMatchesKernelTest.Outcome k = StatefulMatchesKernelTest.kernel(RULES, sequence(), ns -> "");
        System.out.println("kernel's rule counts:\n" + k.counts());
        assertEquals(k.counts(), StatefulMatchesKernelTest.counts(StatefulMatchesKernelTest.jnat(RULES, sequence())),
                "each rule's packets");
    }
}

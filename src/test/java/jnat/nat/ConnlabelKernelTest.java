package jnat.nat;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel as the oracle for -m connlabel: UDP flows through INPUT rules that set labels on
 * some connections (--set) and test them on every packet after, replies included; every rule's
 * packet count must be the kernel's.
 */
class ConnlabelKernelTest {
    static final List<String> RULES = List.of(
            "-p udp --dport 60 -m connlabel --label 5 --set",
            "-p udp -m connlabel --label 5",
            "-p udp -m connlabel ! --label 5",
            "-p udp --dport 61 -m connlabel ! --label 6 --set",
            "-p udp -m connlabel --label 6",
            "-p udp -m connlabel --label 127");

    /** (source's last byte, port, payload bytes, reply?) */
    static List<int[]> sequence() {
        List<int[]> s = new ArrayList<>();
        for (int i = 0; i < 3; i++) s.add(new int[] {1, 60, 1, 0});
        s.add(new int[] {1, 60, 1, 1});
        for (int i = 0; i < 2; i++) s.add(new int[] {2, 61, 1, 0});
        for (int i = 0; i < 2; i++) s.add(new int[] {1, 62, 1, 0});
        s.add(new int[] {2, 61, 1, 1});
        return s;
    }

    @Test
    void connlabelSetsAndTestsLabelsAsTheKernel() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        StatefulMatchesKernelTest.Outcome k = StatefulMatchesKernelTest.kernel(RULES, sequence(), ns -> "");
        System.out.println("kernel's rule counts:\n" + k.counts());
        assertEquals(k.counts(), StatefulMatchesKernelTest.counts(StatefulMatchesKernelTest.jnat(RULES, sequence())),
                "each rule's packets");
    }
}

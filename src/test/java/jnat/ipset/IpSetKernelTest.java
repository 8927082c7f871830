package jnat.ipset;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The same adds and tests through the kernel's ipset (in a namespace) and through jnat's sets: the same answers. */
class IpSetKernelTest {
    @Test
    void testAnswersAndSortedMembersAreTheKernels() {
        Tools.require("ipset");
        String[][] adds = {{"n", "10.0.0.0/8", "nomatch"}, {"n", "10.1.0.0/16", ""}, {"n", "10.1.2.0/24", "nomatch"},
            {"n", "5.0.0.1-5.0.0.6", ""}, {"p", "198.51.100.0/25,udp:53", ""}, {"p", "198.51.100.200,80-81", ""},
            {"i", "203.0.113.0/30", ""}};
        String[][] tests = {{"n", "10.0.0.1"}, {"n", "10.1.0.1"}, {"n", "10.1.2.3"}, {"n", "5.0.0.3"}, {"n", "5.0.0.7"},
            {"n", "10.1.0.0/16"}, {"p", "198.51.100.9,udp:53"}, {"p", "198.51.100.9,53"}, {"p", "198.51.100.200,tcp:81"},
            {"i", "203.0.113.3"}, {"i", "203.0.113.4"}};
        IpSetCore core = new IpSetCore();
        core.create("n", "hash:net", Map.of(), false);
        core.create("p", "hash:net,port", Map.of(), false);
        core.create("i", "hash:ip", Map.of(), false);
        try (Netns ns = Netns.create("ipset")) {
            ns.exec("ipset", "create", "n", "hash:net").checked();
            ns.exec("ipset", "create", "p", "hash:net,port").checked();
            ns.exec("ipset", "create", "i", "hash:ip").checked();
            for (String[] a : adds) {
                IpSetExt e = new IpSetExt();
                e.nomatch = !a[2].isEmpty();
                core.require(a[0]).add(a[1], e, false);
                if (a[2].isEmpty()) ns.exec("ipset", "add", a[0], a[1]).checked();
                else ns.exec("ipset", "add", a[0], a[1], a[2]).checked();
            }
            for (String[] t : tests) {
                boolean kernel = ns.exec("ipset", "test", t[0], t[1]).exitCode() == 0;
                assertEquals(kernel, core.require(t[0]).test(t[1]), "ipset test " + t[0] + " " + t[1]);
            }
            for (String set : List.of("n", "p", "i")) {
                String out = ns.exec("ipset", "list", set, "-sorted").checked().stdout();
                List<String> kernel = out.lines().dropWhile(l -> !l.equals("Members:")).skip(1).filter(l -> !l.isEmpty()).toList();
                assertEquals(kernel, core.require(set).members(true), set);
            }
        }
    }
}

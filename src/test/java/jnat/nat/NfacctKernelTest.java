package jnat.nat;

import jnat.rules.Nfacct;
import jnat.rules.NfnlAcct;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel as the oracle for -m nfacct: the UDP datagrams of {@link ConnbytesKernelTest} through
 * INPUT rules counting into accounting objects, one without a quota (named by two rules), one with
 * a packet quota and one with a byte quota (the rule matches once the object is past it); the
 * objects' `nfacct list` (packets, bytes, overquota) and every rule's packet count must be the kernel's.
 */
class NfacctKernelTest {
    static final List<String> OBJECTS = List.of("add all", "add q-pkts packet 3", "add q-bytes byte 500");

    static final List<String> RULES = List.of(
            "-p udp -m nfacct --nfacct-name all",
            "-p udp --dport 30 -m nfacct --nfacct-name q-pkts",
            "-p udp -m nfacct --nfacct-name q-bytes",
            "-p udp --dport 31 -m nfacct --nfacct-name all");

    @Test
    void objectsCountAndQuotasMatchAsTheKernels() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("nfacct");
        Tools.require("python3");
        StatefulMatchesKernelTest.Outcome k = StatefulMatchesKernelTest.kernel(RULES, ConnbytesKernelTest.sequence(),
                ns -> OBJECTS.forEach(o -> ns.exec(("nfacct " + o).split(" ")).checked()),
                ns -> ns.exec("nfacct", "list").checked().stdout());
        NfnlAcct acct = new NfnlAcct();
        for (String o : OBJECTS) assertEquals(0, Nfacct.run(acct, List.of(o.split(" ")), null).exitCode());
        EngineRig rig = StatefulMatchesKernelTest.jnat(RULES, ConnbytesKernelTest.sequence(), acct);
        System.out.println("kernel's objects:\n" + k.tables() + "kernel's rule counts:\n" + k.counts());
        assertEquals(k.tables() + k.counts(), Nfacct.run(acct, List.of("list"), null).out()
                + StatefulMatchesKernelTest.counts(rig), "the objects and each rule's packets");
    }
}

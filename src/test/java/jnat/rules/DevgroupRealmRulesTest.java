package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * -m devgroup (both families) and -m realm (IPv4) loaded into iptables and ip6tables 1.8.9 and
 * into jnat: listings and saves byte-identical (names from /etc/iproute2/group and rt_realms,
 * numbers with a mask or -n), and bad rules refused with iptables' message and exit code,
 * the kernel's hook checks included.
 */
class DevgroupRealmRulesTest {
    static final List<String> DEVGROUP = List.of(
            "-A INPUT -m devgroup --src-group 0",
            "-A INPUT -m devgroup --src-group default",
            "-A INPUT -m devgroup ! --src-group 0x10",
            "-A INPUT -m devgroup --src-group 7/0xf -j ACCEPT",
            "-A INPUT -m devgroup --src-group 010",
            "-A FORWARD -m devgroup --src-group 1 ! --dst-group 2/0xff",
            "-A FORWARD -m devgroup --dst-group 4294967295",
            "-A OUTPUT -m devgroup --dst-group 3 -j DROP");

    static final List<String> REALM = List.of(
            "-A INPUT -m realm --realm 0x1/0x2a",
            "-A INPUT -m realm --realm 0x2a",
            "-A INPUT -m realm ! --realm 0",
            "-A INPUT -m realm --realm cosmos",
            "-A FORWARD -m realm --realm 6 -j DROP",
            "-A OUTPUT -m realm --realm 0x10000/0xffff0000");

    @Test
    void iptablesListsAndSavesDevgroupAndRealmAsIptables189() {
        List<String> filter = new java.util.ArrayList<>(DEVGROUP);
        filter.addAll(REALM);
        ExtensionModulesTest.compare(false, filter,
                List.of("-A PREROUTING -m devgroup --src-group 5", "-A POSTROUTING -m realm --realm 3 -m devgroup --dst-group 1"),
                List.of("-A PREROUTING -m devgroup ! --src-group 9"));
    }

    @Test
    void ip6tablesListsAndSavesDevgroupAsIp6tables189() {
        ExtensionModulesTest.compare(true, DEVGROUP, List.of("-A PREROUTING -m devgroup --src-group 5"), List.of());
    }

    static final List<String> BAD = List.of(
            "-A INPUT -m devgroup",
            "-A INPUT -m devgroup --src-group foo",
            "-A INPUT -m devgroup --src-group 1/",
            "-A INPUT -m devgroup --src-group 1x",
            "-A INPUT -m devgroup --src-group 4294967296",
            "-A INPUT -m devgroup --dst-group 1",
            "-A OUTPUT -m devgroup --src-group 1",
            "-t mangle -A PREROUTING -m devgroup --dst-group 6",
            "-t nat -A POSTROUTING -m devgroup --src-group 6",
            "-A INPUT -m realm",
            "-A INPUT -m realm --realm nosuch",
            "-A INPUT -m realm --realm 1/2/3",
            "-t nat -A PREROUTING -m realm --realm 6",
            "-t raw -A PREROUTING -m realm --realm 6");

    @Test
    void badDevgroupAndRealmRulesAreRefusedAsIptablesRefusesThem() {
        Tools.require("iptables");
        List<String> wrong;
        try (Netns ns = Netns.create("devgroup-bad")) {
            wrong = RealIptables.refusalDifferences(ns, BAD, Ruleset::new, false);
        }
        assertEquals(List.of(), wrong);
    }
}

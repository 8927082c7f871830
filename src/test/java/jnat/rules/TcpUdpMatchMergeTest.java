package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rule's tcp and udp matches as iptables-nft 1.8.9 lists and saves them: the implicit match of
 * "-p tcp --dport" and a later "-m tcp" are one match once the rule is read back from the kernel
 * (found by the per-module conformance scenarios: TCPMSS rules "-p tcp --dport P -m tcp --tcp-flags
 * SYN,RST SYN"). The expected text is the real iptables' and ip6tables', run in a namespace.
 */
class TcpUdpMatchMergeTest {
    static final List<String> RULES = List.of(
            "-A FORWARD -p tcp --dport 5 -m tcp --tcp-flags SYN,RST SYN -j ACCEPT",
            "-A FORWARD -p tcp -m tcp --sport 7 -m tcp --dport 8",
            "-A FORWARD -p udp --dport 53 -m udp --sport 1000:2000",
            "-A FORWARD -p tcp ! --sport 9 -m mark --mark 1 -m tcp --tcp-flags FIN FIN",
            "-A FORWARD -p tcp -m tcp --tcp-flags SYN SYN -m tcp ! --dport 10");

    private static void compare(boolean ipv6) {
        String tool = ipv6 ? "ip6tables" : "iptables";
        Tools.requireRoot();
        Tools.require(tool);
        Ruleset ours = new Ruleset(ipv6);
        try (Netns ns = Netns.create("mrg")) {
            for (String r : RULES) {
                List<String> a = new ArrayList<>(List.of(r.split(" ")));
                List<String> c = new ArrayList<>(List.of(tool));
                c.addAll(a);
                ns.exec(c.toArray(String[]::new)).checked();
                Iptables.run(ours, a);
            }
            for (String l : List.of("-S", "-nvL")) {
                assertEquals(Dumps.normaliseProt(ns.exec(tool, l, "FORWARD").checked().stdout()),
                        Dumps.normaliseProt(Dumps.run(ours, l, "FORWARD")), tool + " " + l);
            }
        }
    }

    @Test
    void iptablesListsATcpRulesTcpMatchesAsOne() {
        compare(false);
    }

    @Test
    void ip6tablesListsATcpRulesTcpMatchesAsOne() {
        compare(true);
    }
}

package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dumps real tools write that iptables-restore takes (issue 14's two parser bugs), loaded into the
 * real iptables 1.8.9 and into jnat: both must save the same tables.
 */
class RestoreForgivesTest {
    /** ip-masq-agent and others declare built-in chains with policy "-": the policy stays as it was. */
    static final String DASH_POLICY = """
            *nat
            :PREROUTING - [0:0]
            :INPUT - [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING - [0:0]
            :IP-MASQ - [0:0]
            -A POSTROUTING -m comment --comment "ip-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom IP-MASQ chain" -m addrtype ! --dst-type LOCAL -j IP-MASQ
            -A IP-MASQ -d 10.0.0.0/8 -m comment --comment "ip-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN
            -A IP-MASQ -m comment --comment "ip-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)" -j MASQUERADE
            COMMIT
            """;

    /** Calico and Antrea repeat a match module in one rule; each instance keeps its own options. */
    static final String SAME_MODULE_TWICE = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A POSTROUTING -m comment --comment cali:first -m comment --comment "second comment" -j MASQUERADE
            -A POSTROUTING -m addrtype --src-type LOCAL -m addrtype ! --dst-type LOCAL -j ACCEPT
            -A POSTROUTING -p tcp -m conntrack --ctstate NEW -m comment --comment x -m conntrack --ctdir ORIGINAL -m tcp --dport 80 -j ACCEPT
            COMMIT
            """;

    @Test
    void builtInChainWithPolicyDashKeepsItsPolicy() {
        assertSavesAsRealIptables(DASH_POLICY);
    }

    @Test
    void theSameMatchModuleTwiceInOneRuleKeepsBothOptions() {
        assertSavesAsRealIptables(SAME_MODULE_TWICE);
    }

    private static void assertSavesAsRealIptables(String dump) {
        Tools.require("iptables-restore");
        try (Netns ns = Netns.create("forgive")) {
            ns.execIn(dump, "iptables-restore").checked();
            String real = ns.exec("iptables-save", "-t", "nat").checked().stdout();
            Ruleset ours = Ruleset.parse(dump);
            assertEquals(Dumps.withoutComments(real), Dumps.withoutComments(ours.save("nat", false, true)));
            assertEquals(ns.exec("iptables", "-t", "nat", "-S").checked().stdout(), Dumps.run(ours, "-t", "nat", "-S"));
        }
    }
}

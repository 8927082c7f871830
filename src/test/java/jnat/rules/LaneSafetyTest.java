package jnat.rules;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which walks an established connection's packet may make on two lanes at once
 * (Table.establishedConcurrentSafe, LaneSafety): a table with stateful rules still qualifies at a hook
 * where an accepting ctstate rule ends the walk of every established packet before them.
 */
class LaneSafetyTest {
    static Table filter(String rules) {
        return Ruleset.parse("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n" + rules + "COMMIT\n").existing("filter");
    }

    static final String LOG_AND_REJECT = """
            -A FORWARD -m limit --limit 3/min -j LOG --log-prefix "[BLOCK] "
            -A FORWARD -j REJECT
            """;

    @Test
    void anEstablishedAcceptBeforeALimitedLogKeepsForwardSafeForEstablishedPackets() {
        Table t = filter(":before - [0:0]\n-A FORWARD -j before\n-A before -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
                + LOG_AND_REJECT);
        assertFalse(t.concurrentSafe());
        assertTrue(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    @Test
    void aLogBeforeTheAcceptIsReached() {
        Table t = filter("-A FORWARD -j LOG\n-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\n");
        assertFalse(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    @Test
    void anAcceptForOneInterfaceDoesNotEndEveryEstablishedWalk() {
        Table t = filter("-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n" + LOG_AND_REJECT);
        assertFalse(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    @Test
    void aStateMatchWithoutEstablishedDoesNotEndIt() {
        Table t = filter("-A FORWARD -m state --state NEW,RELATED -j ACCEPT\n" + LOG_AND_REJECT);
        assertFalse(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    @Test
    void anInvertedCtstateDoesNotEndIt() {
        Table t = filter("-A FORWARD -m conntrack ! --ctstate NEW -j ACCEPT\n" + LOG_AND_REJECT);
        assertFalse(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    @Test
    void aStateMatchWithEstablishedAndACommentEndsIt() {
        Table t = filter("-A FORWARD -m comment --comment \"fast path\" -m state --state ESTABLISHED,RELATED -j ACCEPT\n" + LOG_AND_REJECT);
        assertTrue(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    @Test
    void aGotoToAChainThatAcceptsEstablishedEndsTheWalk() {
        Table t = filter(":zone - [0:0]\n-A FORWARD -g zone\n-A zone -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A zone -j LOG\n"
                + LOG_AND_REJECT);
        assertTrue(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    @Test
    void aReturnOfEveryEstablishedPacketSkipsTheRestOfItsChainOnly() {
        Table t = filter(":a - [0:0]\n-A FORWARD -j a\n-A FORWARD -j LOG\n-A a -m conntrack --ctstate ESTABLISHED -j RETURN\n-A a -j LOG\n");
        assertFalse(t.establishedConcurrentSafe(Hook.FORWARD), "the LOG after the jump is reached");
    }

    @Test
    void anUnsafeMatchInAJumpedChainIsReached() {
        Table t = filter(":a - [0:0]\n-A FORWARD -j a\n-A a -m recent --name x --set\n-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\n");
        assertFalse(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    @Test
    void anotherHooksStatefulRulesDoNotCount() {
        Table t = filter("-A INPUT -m limit --limit 1/sec -j LOG\n-A INPUT -j REJECT\n-A FORWARD -j ACCEPT\n");
        assertFalse(t.concurrentSafe());
        assertTrue(t.establishedConcurrentSafe(Hook.FORWARD));
        assertFalse(t.establishedConcurrentSafe(Hook.INPUT));
    }

    @Test
    void theAnswerComesFromTheCompiledFormToo() {
        Table t = filter("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n" + LOG_AND_REJECT);
        boolean before = t.establishedConcurrentSafe(Hook.FORWARD);
        t.compile();
        assertEquals(before, t.establishedConcurrentSafe(Hook.FORWARD));
        assertTrue(t.establishedConcurrentSafe(Hook.FORWARD));
    }

    /**
     * The real rulesets of RealRulesetsTest: which filter FORWARD chains an established packet may walk
     * beside another lane's (read off each file: ufw's and firewalld's accept RELATED,ESTABLISHED first;
     * shorewall's does so only per zone pair, after interface dispatch; fail2ban's and libvirt's rules
     * are safe or end established packets first).
     */
    @Test
    void realRulesetsForwardChainsForEstablishedPackets() {
        Map<String, String> seen = new TreeMap<>();
        for (String name : new String[] {"ufw.rules", "firewalld.rules", "shorewall.rules", "fail2ban.cmds", "libvirt.cmds",
                "tailscale.ts", "calico-aks-filter.S"}) {
            Ruleset rs = RealRulesetsTest.loadIntoJnat(RealRulesetsTest.steps(name))[0];
            Table f = rs.existing("filter");
            seen.put(name, f == null ? "none" : f.concurrentSafe() + "/" + f.establishedConcurrentSafe(Hook.FORWARD));
        }
        Map<String, String> expected = new TreeMap<>(Map.of(
                "ufw.rules", "false/true",         // FORWARD -> ufw-before-forward, whose first rule accepts RELATED,ESTABLISHED
                "firewalld.rules", "false/true",   // FORWARD's first rule: --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT
                "fail2ban.cmds", "false/true",     // its REJECTs are in INPUT's f2b- chains; FORWARD has no rule
                "libvirt.cmds", "false/false",     // LIBVIRT_FWI accepts ESTABLISHED only -o virbr0, then -o virbr0 -j REJECT
                "shorewall.rules", "false/false",  // FORWARD dispatches by -i to the zone chains, then a hashlimit LOG
                "tailscale.ts", "true/true",       // marks, connmarks, conntrack: no state of their own
                "calico-aks-filter.S", "true/true"));
        assertEquals(expected, seen, "concurrentSafe/establishedConcurrentSafe(FORWARD) per ruleset");
    }
}

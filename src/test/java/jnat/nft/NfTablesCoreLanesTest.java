package jnat.nft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nf_tables on lanes: each lane walks with an evaluator of its own (its registers and jump stack)
 * over the shared rules, its counters per lane and listed as their sum, and only rulesets whose
 * expressions keep no state of the table's may be walked by two lanes at once.
 */
class NfTablesCoreLanesTest {
    static List<NfTablesCore.BaseChain> chains(String text) {
        NftRuleset rs = new NftRuleset();
        Nft.Result r = Nft.transaction(rs, "test.nft", text, new Printer.Options(false, false, false), false, false);
        assertEquals("", r.err());
        return NfTablesCore.baseChains(rs);
    }

    /** {@link NfTablesCoreTest.Wire} on lane {@code cpu}. */
    static NfTablesCoreTest.Wire onLane(byte[] packet, int cpu) {
        NfTablesCoreTest.Wire w = new NfTablesCoreTest.Wire(packet);
        w.cpu = cpu;
        return w;
    }

    @Test
    void aCounterCountsOnEachLaneAndListsTheSum() {
        Expr.Counter c = new Expr.Counter(3, 300);
        c.setCpus(3);
        c.add(0, 100);
        c.add(1, 40);
        c.add(2, 60);
        c.add(2, 1);
        assertEquals(7, c.packets());
        assertEquals(501, c.bytes());
    }

    @Test
    void aLanesEvaluatorIsItsOwnAndCountsIntoTheSharedRules() {
        List<NfTablesCore.BaseChain> lane0 = chains(NfTablesCoreTest.FILTER), lane1 = NfTablesCore.forLane(lane0);
        NfTablesCore.setCpus(lane0, 2);
        assertNotSame(lane0.get(0).core(), lane1.get(0).core());
        byte[] p = NfTablesCoreTest.tcp("198.51.100.200", 40000, "203.0.113.1", 22, 0x02);
        assertEquals(NfTablesCore.NF_DROP, lane0.get(0).core().doChain("in", onLane(p, 0)));
        assertEquals(NfTablesCore.NF_DROP, lane1.get(0).core().doChain("in", onLane(p, 1)));
        assertEquals(NfTablesCore.NF_DROP, lane1.get(0).core().doChain("in", onLane(p, 1)));
        assertArrayEquals(new long[] {3, 3L * p.length}, lane0.get(0).core().counter("in", 1));
    }

    @Test
    void matchesSetsVerdictMapsCountersAndMarksMayRunOnTwoLanes() {
        assertTrue(NfTablesCore.concurrentSafe(chains(NfTablesCoreTest.FILTER)));
    }

    @Test
    void aLimitKeepsTheTablesStateSoItsRulesetRunsAlone() {
        assertFalse(NfTablesCore.concurrentSafe(chains("""
                table inet f {
                	chain fwd {
                		type filter hook forward priority filter; policy accept;
                		ct state established accept
                		limit rate 10/second accept
                	}
                }
                """)));
    }

    @Test
    void aCtMarkWriteChangesTheConnectionSoItsRulesetRunsAlone() {
        assertFalse(NfTablesCore.concurrentSafe(chains("""
                table ip f {
                	chain fwd {
                		type filter hook forward priority filter; policy accept;
                		ct mark set 0x1
                	}
                }
                """)));
    }

    @Test
    void aChainOnlyJumpedToCountsToo() {
        assertFalse(NfTablesCore.concurrentSafe(chains("""
                table ip f {
                	chain fwd {
                		type filter hook forward priority filter; policy accept;
                		jump q
                	}
                	chain q {
                		quota 1000 bytes accept
                	}
                }
                """)));
    }
}

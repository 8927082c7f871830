package jnat.nft;

import jnat.nft.NfTablesCoreTest.Wire;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.nft.NfTablesCoreTest.load;
import static jnat.nft.NfTablesCoreTest.tcp;
import static jnat.nft.NfTablesCoreTest.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statements and register rules the kernel differential (NftConformanceTest) found wanting: limit, quota,
 * reject, numgen into a verdict map, registers zeroed by the loads that fill them partly, inet NAT of the
 * other family, counters that outlive a transaction.
 */
class NfTablesCoreStatementsTest {
    static final int ACCEPT = NfTablesCore.NF_ACCEPT, DROP = NfTablesCore.NF_DROP;

    @Test
    void aConcatenatedKeyIgnoresWhatAnEarlierRuleLeftInItsRegisters() {
        // rule 1 loads ip saddr into the first word; rule 2's meta l4proto (nft_reg_store8) and th dport must
        // zero the rest of their words, or the stale address bytes break the lookup
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook input priority filter; policy drop;
                		ip saddr 198.51.100.99 counter
                		meta l4proto . th dport { udp . 53 } accept
                	}
                }
                """);
        assertEquals(ACCEPT, core.doChain("in", new Wire(udp("10.1.0.2", 40000, "203.0.113.2", 53))));
    }

    @Test
    void numgenIncPicksEachEntryOfItsVerdictMapInTurn() {
        // the register holds numgen's value in host order, the map's keys as the kernel stores them for it
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook input priority filter; policy accept;
                		numgen inc mod 2 vmap { 0 : accept, 1 : drop }
                	}
                }
                """);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) got.add(core.doChain("in", new Wire(udp("10.1.0.2", 40000 + i, "203.0.113.2", 53))));
        assertEquals(List.of(ACCEPT, DROP, ACCEPT, DROP), got);
    }

    @Test
    void limitLetsTheBurstThroughThenBreaks() {
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook input priority filter; policy drop;
                		limit rate 1/minute burst 2 packets accept
                	}
                }
                """);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) got.add(core.doChain("in", new Wire(udp("10.1.0.2", 40000, "203.0.113.2", 53))));
        assertEquals(List.of(ACCEPT, ACCEPT, DROP), got);
    }

    @Test
    void limitRateOverMatchesOnlyPastTheBurst() {
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook input priority filter; policy accept;
                		limit rate over 1/minute burst 1 packets drop
                	}
                }
                """);
        assertEquals(ACCEPT, core.doChain("in", new Wire(udp("10.1.0.2", 40000, "203.0.113.2", 53))));
        assertEquals(DROP, core.doChain("in", new Wire(udp("10.1.0.2", 40000, "203.0.113.2", 53))));
    }

    @Test
    void quotaMatchesUntilItsBytesAreUsedAndListsWhatItUsedCappedAtTheQuota() {
        NftRuleset rs = Nft.parse("q.nft", """
                table ip t {
                	chain in {
                		type filter hook input priority filter; policy drop;
                		quota 40 bytes accept
                	}
                }
                """);
        NfTablesCore core = NfTablesCore.of(rs, "ip", "t");
        byte[] p = udp("10.1.0.2", 40000, "203.0.113.2", 53); // 28 bytes
        assertEquals(ACCEPT, core.doChain("in", new Wire(p)));
        assertEquals(DROP, core.doChain("in", new Wire(p)), "56 bytes consumed > 40");
        // nft_quota_do_dump caps the use it reports at the quota once depleted
        assertTrue(Nft.run(rs, List.of("list", "ruleset")).out().contains("quota 40 bytes used 40 bytes accept"));
    }

    @Test
    void rejectAsksForTheAnswerOfItsFamilyAndDrops() {
        NfTablesCore core = load("""
                table inet t {
                	chain in {
                		type filter hook input priority filter; policy accept;
                		tcp dport 25 reject with tcp reset
                		udp dport 9 reject
                		reject with icmpx admin-prohibited
                	}
                }
                """);
        List<Integer> codes = new ArrayList<>();
        core.setReject((ctx, code) -> codes.add(code));
        assertEquals(DROP, core.doChain("in", new Wire(tcp("10.1.0.2", 40000, "203.0.113.2", 25, 0x02))));
        assertEquals(DROP, core.doChain("in", new Wire(udp("10.1.0.2", 40000, "203.0.113.2", 9))));
        assertEquals(DROP, core.doChain("in", new Wire(udp("10.1.0.2", 40000, "203.0.113.2", 10))));
        // a RST; inet's default reject with icmpx port-unreachable as ICMP's 3; admin-prohibited as ICMP's 13
        assertEquals(List.of(-1, 3, 13), codes);
    }

    @Test
    void anInetNatStatementOfTheOtherFamilyDoesNothingAndTheChainGoesOn() {
        NfTablesCore core = load("""
                table inet t {
                	chain pre {
                		type nat hook prerouting priority dstnat; policy accept;
                		tcp dport 2222 counter dnat ip6 to [fd49:efd7:54aa::3]:22
                		tcp dport 2222 counter dnat ip to 172.17.0.3:22
                	}
                }
                """);
        List<String> bound = new ArrayList<>();
        core.setNat((ctx, kind, range) -> {
            bound.add(kind + " " + range.ipv6);
            return ACCEPT;
        });
        assertEquals(ACCEPT, core.doChain("pre", new Wire(tcp("198.51.100.7", 40000, "203.0.113.2", 2222, 0x02))));
        assertEquals(List.of("DNAT false"), bound);
        assertEquals(1, core.counter("pre", 0)[0], "the ip6 rule matched and counted, its statement skipped");
    }

    @Test
    void aRuleATransactionLeavesInPlaceKeepsItsCounterAndAFlushedOneStartsAtZero() {
        NftRuleset rs = Nft.parse("c.nft", """
                table ip t {
                	chain in {
                		type filter hook input priority filter; policy accept;
                		counter
                	}
                }
                """);
        NfTablesCore.of(rs, "ip", "t").doChain("in", new Wire(udp("10.1.0.2", 40000, "203.0.113.2", 53)));
        assertEquals(0, Nft.run(rs, List.of("add", "rule", "ip", "t", "in", "udp", "dport", "53", "counter")).exitCode());
        assertArrayEquals(new long[] {1, 28}, NfTablesCore.of(rs, "ip", "t").counter("in", 0));
        assertArrayEquals(new long[] {0, 0}, NfTablesCore.of(rs, "ip", "t").counter("in", 1));
        assertEquals(0, Nft.run(rs, List.of("flush", "chain", "ip", "t", "in")).exitCode());
        assertEquals(0, Nft.run(rs, List.of("add", "rule", "ip", "t", "in", "counter")).exitCode());
        assertArrayEquals(new long[] {0, 0}, NfTablesCore.of(rs, "ip", "t").counter("in", 0));
    }

    @Test
    void aTenThousandServiceVerdictMapFindsEachServiceAndNothingElse() {
        // kube-proxy's service-ips: ip daddr . meta l4proto . th dport vmap, one element per service
        StringBuilder sb = new StringBuilder("table ip t {\n\tmap svc {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\telements = { ");
        for (int i = 0; i < 10_000; i++) {
            if (i > 0) sb.append(", ");
            sb.append("10.96.").append(i / 250).append('.').append(i % 250 + 1).append(i % 2 == 0 ? " . tcp . 80" : " . udp . 53")
                    .append(i % 3 == 0 ? " : drop" : " : accept");
        }
        sb.append(" }\n\t}\n\tchain in {\n\t\ttype filter hook input priority filter; policy accept;\n"
                + "\t\tip daddr . meta l4proto . th dport vmap @svc\n\t\tcounter\n\t}\n}\n");
        NfTablesCore core = load(sb.toString());
        for (int i : new int[] {0, 1, 2, 3, 4999, 9998, 9999}) {
            String dst = "10.96." + i / 250 + "." + (i % 250 + 1);
            byte[] p = i % 2 == 0 ? tcp("10.1.0.2", 40000, dst, 80, 0x02) : udp("10.1.0.2", 40000, dst, 53);
            assertEquals(i % 3 == 0 ? DROP : ACCEPT, core.doChain("in", new Wire(p)), "service " + i);
        }
        long before = core.counter("in", 1)[0];
        // the right address with the other protocol or port, and an address no service has: no element, the rule goes on
        core.doChain("in", new Wire(udp("10.1.0.2", 40000, "10.96.0.1", 80)));
        core.doChain("in", new Wire(tcp("10.1.0.2", 40000, "10.96.0.2", 80, 0x02)));
        core.doChain("in", new Wire(tcp("10.1.0.2", 40000, "10.96.40.1", 80, 0x02)));
        assertEquals(before + 3, core.counter("in", 1)[0]);
    }
}

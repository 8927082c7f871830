package jnat.gateway;

import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.nft.Nft;
import jnat.rules.Ruleset;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GatewayWorkersTest}'s script through the lab's NAT written in nftables (as Docker 29's
 * nftables backend writes a bridge's: masquerade out of the bridge's subnet, DNAT of the published
 * port, a forward chain accepting established traffic and counting): with two workers the frames,
 * the conntrack table and every rule's counter equal one worker's, and established packets ran on
 * both lanes at once; with a limit in the forward chain no packet runs concurrently.
 */
class GatewayWorkersNftTest {
    static final String LAB_NFT = """
            table ip nat {
            	chain prerouting {
            		type nat hook prerouting priority dstnat; policy accept;
            		fib daddr type local counter jump docker
            	}
            	chain docker {
            		iifname "docker0" return
            		iifname != "docker0" tcp dport 10000 counter dnat to 172.17.0.2:8000
            	}
            	chain postrouting {
            		type nat hook postrouting priority srcnat; policy accept;
            		ip saddr 172.17.0.0/16 oifname != "docker0" counter masquerade
            	}
            }
            table ip filter {
            	chain forward {
            		type filter hook forward priority filter; policy drop;
            		ct state established,related counter accept
            		iifname "docker0" oifname "eth0" counter accept
            		oifname "docker0" ip daddr 172.17.0.2 tcp dport 8000 ct state new counter accept
            	}
            }
            """;

    static NatEngine engine(String nft) throws Exception {
        NatEngine e = new NatEngine(Host.fromFile(Path.of("scripts/lab-host.ip")), new Ruleset());
        e.setNftRuleset(Nft.load(nft));
        return e;
    }

    /** Every counter of the engine's nft ruleset, as nft list ruleset shows them. */
    static String counters(NatEngine e) {
        return Nft.save(e.nftRuleset()).lines().filter(l -> l.contains("counter")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void twoWorkersRunAnNftRulesetAsOneDoesAndShareTheEstablishedPackets() throws Exception {
        List<GatewayWorkersTest.Step> script = GatewayWorkersTest.script(40, 30, 7);
        Map<Integer, List<String>> one = new TreeMap<>(), two = new TreeMap<>();
        NatEngine e1 = engine(LAB_NFT), e2 = engine(LAB_NFT);
        String ctOne = GatewayWorkersTest.run(script, 1, one, e1), ctTwo = GatewayWorkersTest.run(script, 2, two, e2);
        assertEquals(one, two);
        assertEquals(GatewayWorkersTest.sorted(ctOne), GatewayWorkersTest.sorted(ctTwo));
        assertEquals(70, ctOne.lines().count(), ctOne);
        assertTrue(one.values().stream().allMatch(l -> l.size() == 1), "every packet forwarded once");
        // established,related: each UDP flow's 5 packets after its first, each TCP connection's 4 after its SYN
        assertTrue(counters(e1).contains("ct state established,related counter packets 320 "), counters(e1));
        assertEquals(counters(e1), counters(e2));
        assertTrue(GatewayWorkersTest.concurrent.get() >= 100, "packets run concurrently: " + GatewayWorkersTest.concurrent.get());
    }

    @Test
    void aLimitInTheForwardChainKeepsEveryPacketExclusive() throws Exception {
        List<GatewayWorkersTest.Step> script = GatewayWorkersTest.script(10, 10, 7);
        String limited = LAB_NFT.replace("ct state established,related counter accept", "ct state established,related limit rate 1000/second accept");
        Map<Integer, List<String>> two = new TreeMap<>();
        GatewayWorkersTest.run(script, 2, two, engine(limited));
        assertEquals(0, GatewayWorkersTest.concurrent.get());
    }
}

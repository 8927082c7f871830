package jnat.gateway;

import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GatewayWorkersTest}'s script on a host with policy routing rules (as Tailscale, Calico
 * and Istio hosts have them): the lanes share established packets, routed through the rules by
 * each lane's own route cache, and give one worker's frames and conntrack table; when a table may
 * mark a packet before it is routed, the route may depend on that mark, and every packet runs
 * with the engine to itself.
 */
class GatewayWorkersPolicyRoutingTest {
    /** The lab host, its uplink moved to table 100 and reached through rules by source. */
    static final String RULES = """
            route add default via 203.0.113.1 dev eth0 table 100
            rule add from 172.17.0.0/16 lookup 100 priority 100
            rule add from 203.0.113.0/24 lookup 100 priority 101
            """;

    static NatEngine engine(String iptables) throws Exception {
        String host = Files.readString(Path.of("scripts/lab-host.ip")).replace("route add default via 203.0.113.1 dev eth0\n", "")
                + RULES;
        return new NatEngine(Host.parse(host, "lab-rules.ip"), Ruleset.parse(iptables));
    }

    static String lab() throws Exception {
        return Files.readString(Path.of("scripts/lab.rules"));
    }

    @Test
    void twoWorkersRouteThroughTheRulesAsOneDoesAndShareTheEstablishedPackets() throws Exception {
        List<GatewayWorkersTest.Step> script = GatewayWorkersTest.script(40, 30, 7);
        Map<Integer, List<String>> one = new TreeMap<>(), two = new TreeMap<>();
        String ctOne = GatewayWorkersTest.run(script, 1, one, engine(lab()));
        String ctTwo = GatewayWorkersTest.run(script, 2, two, engine(lab()));
        assertEquals(one, two);
        assertEquals(GatewayWorkersTest.sorted(ctOne), GatewayWorkersTest.sorted(ctTwo));
        assertEquals(70, ctOne.lines().count(), ctOne);
        assertTrue(one.values().stream().allMatch(l -> l.size() == 1), "every packet forwarded once, through table 100");
        assertTrue(GatewayWorkersTest.concurrent.get() >= 100, "packets run concurrently: " + GatewayWorkersTest.concurrent.get());
    }

    @Test
    void aMarkSetInManglePreroutingKeepsEveryPacketExclusive() throws Exception {
        String marking = lab() + "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-mark 0x1\nCOMMIT\n";
        List<GatewayWorkersTest.Step> script = GatewayWorkersTest.script(10, 10, 7);
        Map<Integer, List<String>> two = new TreeMap<>();
        GatewayWorkersTest.run(script, 2, two, engine(marking));
        assertTrue(two.values().stream().allMatch(l -> l.size() == 1), "every packet forwarded once");
        assertEquals(0, GatewayWorkersTest.concurrent.get());
    }
}

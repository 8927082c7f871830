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
 * {@link GatewayWorkersTest}'s script behind a filter table shaped as ufw's FORWARD (established
 * traffic accepted first, then the allowed new flows, then a rate-limited LOG and REJECT): the
 * LOG, limit and REJECT keep state or send, but no established packet reaches them, so the lanes
 * still share those packets and give one worker's frames, table and counters.
 */
class GatewayWorkersStatefulRulesTest {
    static final String FILTER = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :before-forward - [0:0]
            -A FORWARD -j before-forward
            -A FORWARD -i docker0 -o eth0 -j ACCEPT
            -A FORWARD -o docker0 -d 172.17.0.2/32 -p tcp -m tcp --dport 8000 -j ACCEPT
            -A FORWARD -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[BLOCK] "
            -A FORWARD -j REJECT
            -A before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            COMMIT
            """;

    static NatEngine engine() throws Exception {
        return new NatEngine(Host.fromFile(Path.of("scripts/lab-host.ip")),
                Ruleset.parse(Files.readString(Path.of("scripts/lab.rules")) + FILTER));
    }

    static String forwardCounters(NatEngine e) {
        StringBuilder sb = new StringBuilder();
        for (var c : e.ruleset().existing("filter").chains()) for (var r : c.rules()) sb.append(r.packets).append(' ');
        return sb.toString();
    }

    @Test
    void twoWorkersShareEstablishedPacketsPastALogAndRejectTheyNeverReach() throws Exception {
        List<GatewayWorkersTest.Step> script = GatewayWorkersTest.script(40, 30, 7);
        Map<Integer, List<String>> one = new TreeMap<>(), two = new TreeMap<>();
        NatEngine e1 = engine(), e2 = engine();
        String ctOne = GatewayWorkersTest.run(script, 1, one, e1), ctTwo = GatewayWorkersTest.run(script, 2, two, e2);
        assertEquals(one, two);
        assertEquals(GatewayWorkersTest.sorted(ctOne), GatewayWorkersTest.sorted(ctTwo));
        assertTrue(one.values().stream().allMatch(l -> l.size() == 1), "every packet forwarded once");
        // FORWARD's rules in order, then before-forward's: the jump counts all 390 packets (40 UDP flows of 6,
        // 30 TCP connections of 5), 40 UDP flows out, 30 TCP connections in, nothing logged or rejected, 320 established
        assertEquals("390 40 30 0 0 320 ", forwardCounters(e1));
        assertEquals(forwardCounters(e1), forwardCounters(e2));
        assertTrue(GatewayWorkersTest.concurrent.get() >= 100, "packets run concurrently: " + GatewayWorkersTest.concurrent.get());
    }
}

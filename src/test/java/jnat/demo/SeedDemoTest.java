package jnat.demo;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The demo reproduces the seed article's captures: the expected lines are the article's own. */
class SeedDemoTest {
    private static String withoutTime(String line) {
        return line.substring(line.indexOf(' ') + 1);
    }

    private static List<String> ours() throws Exception {
        SeedDemo.Result r = SeedDemo.run();
        List<String> lines = new ArrayList<>();
        lines.addAll(SeedDemo.print(r.pingDocker0(), 4));
        lines.addAll(SeedDemo.print(r.pingEth0(), 4));
        lines.addAll(SeedDemo.print(r.tcpEth0(), -1));
        lines.addAll(SeedDemo.print(r.tcpDocker0(), -1));
        return lines;
    }

    @Test
    void everyCapturedLineOfTheArticleComesOutOfJnatButForForwardingDelays() throws Exception {
        List<String> seed = SeedDemo.seedLines();
        List<String> ours = ours();
        assertEquals(30, seed.size());
        assertEquals(seed.size(), ours.size());
        for (int i = 0; i < seed.size(); i++) {
            assertEquals(withoutTime(seed.get(i)), withoutTime(ours.get(i)), "line " + (i + 1));
        }
    }

    @Test
    void pingCapturesMatchTheArticleExactlyTimestampsIncluded() throws Exception {
        List<String> seed = SeedDemo.seedLines();
        List<String> ours = ours();
        assertEquals(seed.subList(0, 8), ours.subList(0, 8));
    }

    @Test
    void masqueradeAndDnatRulesCountOnePacketEachAsOnlyNewConnectionsWalkTheChains() throws Exception {
        var nat = SeedDemo.run().engine().ruleset().existing("nat");
        assertEquals(1, nat.chain("POSTROUTING").rules().getFirst().packets, "MASQUERADE: the ping's first request");
        assertEquals(1, nat.chain("DOCKER").rules().get(1).packets, "DNAT: the SYN");
    }
}

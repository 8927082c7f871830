package jnat.nat;

import jnat.rules.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The established-path allocation tests again, with every forwarded packet also counted twice by
 * {@code -m connlimit} (nf_conncount's lists, one key for all three flows under
 * {@code --connlimit-mask 0}): each packet finds its connection in the list after walking the
 * others, which must allocate nothing, as the rest of the path does.
 */
class ConnlimitEstablishedPathAllocationTest extends EstablishedPathAllocationTest {
    static final String CONNLIMIT = "*filter\n:FORWARD ACCEPT [0:0]\n"
            + "-A FORWARD -m connlimit --connlimit-upto 2 --connlimit-mask 0\n"
            + "-A FORWARD -m connlimit --connlimit-upto 3 --connlimit-mask 0\nCOMMIT\n";

    @Override
    EngineRig rig() {
        return EngineRig.seedDockerHost().rules(EngineRig.SEED_RULES + CONNLIMIT);
    }

    /** The FORWARD rules as they stand (Chain.rules brings the counters up to date). */
    private List<Rule> forward() {
        return rig.engine().ruleset().table("filter").chain("FORWARD").rules();
    }

    @Test
    void everyForwardedPacketCountsTheThreeFlows() {
        long upTo2 = forward().get(0).packets, upTo3 = forward().get(1).packets;
        rounds.rounds(10, rounds.counting);
        assertEquals(0, forward().get(0).packets - upTo2, "packets that saw at most 2 connections");
        assertEquals(10L * EstablishedRounds.PACKETS_PER_ROUND, forward().get(1).packets - upTo3, "packets that saw at most 3");
    }
}

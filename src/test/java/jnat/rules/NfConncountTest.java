package jnat.rules;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * nf_conncount's lists in primitive arrays: counts by key as the kernel's lists give them, through
 * the tables' growth (more keys and more connections than their first 16 slots), with the entries of
 * connections that are gone or closed dropped as a list is walked, at most GC_MAX_NODES a walk.
 */
class NfConncountTest {
    /** Which connections conntrack holds, by source port: absent is gone. */
    final Map<Integer, Integer> conntrack = new HashMap<>();
    final FakePacket ctx = new FakePacket() {
        @Override
        public int ctFindTuple(boolean ipv6, int proto, long srcHi, long srcLo, long dstHi, long dstLo, int sport, int dport, int zone) {
            return conntrack.getOrDefault(sport, CONN_GONE);
        }
    };
    final NfConncount lists = new NfConncount();

    int add(int key, int sport) {
        conntrack.putIfAbsent(sport, PacketContext.CONN_OPEN);
        return lists.add(ctx, false, 0, key, 6, 0, 0x0A000000L | key, 0, 0xCB007101L, sport, 80, 0);
    }

    @Test
    void aConnectionCountsOnceHoweverManyOfItsPacketsAreSeen() {
        assertEquals(1, add(1, 1000));
        assertEquals(1, add(1, 1000));
        assertEquals(2, add(1, 1001));
        assertEquals(2, add(1, 1000));
    }

    @Test
    void eachKeyCountsItsOwnThroughTheGrowthOfBothTables() {
        for (int key = 0; key < 100; key++) {
            for (int c = 0; c < 40; c++) assertEquals(c + 1, add(key, key * 100 + c), "key " + key + " connection " + c);
        }
        for (int key = 0; key < 100; key++) assertEquals(40, add(key, key * 100 + 39));
        assertEquals(100, lists.keys());
    }

    @Test
    void goneAndClosedConnectionsLeaveTheListAsItIsWalked() {
        for (int c = 0; c < 5; c++) add(7, c);
        conntrack.remove(1);
        conntrack.put(3, PacketContext.CONN_CLOSED);
        assertEquals(4, add(7, 10), "0, 2, 4 and the new one");
        assertEquals(4, add(7, 10));
    }

    @Test
    void aWalkDropsAtMostItsShareOfTheGone() {
        for (int c = 0; c < 20; c++) add(7, c);
        for (int c = 0; c < 20; c++) conntrack.remove(c);
        // the walk stops after collecting GC_MAX_NODES + 1, then adds the packet's connection
        assertEquals(20 - (NfConncount.GC_MAX_NODES + 1) + 1, add(7, 100));
    }

    @Test
    void aKeyWhoseConnectionsAreAllGoneCountsAfreshAndItsNodesAreReused() {
        for (int c = 0; c < 3; c++) add(7, c);
        for (int c = 0; c < 3; c++) conntrack.remove(c);
        assertEquals(1, add(7, 50));
        assertEquals(1, lists.keys());
        assertEquals(2, add(7, 51));
    }
}

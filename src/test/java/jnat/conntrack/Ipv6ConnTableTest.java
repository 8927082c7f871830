package jnat.conntrack;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static jnat.conntrack.Flow.SEC;
import static jnat.conntrack.Flow.tuple6;
import static org.junit.jupiter.api.Assertions.*;

/** IPv6 rows in the one table: folds in the row, full addresses beside it, the family bit by the protocol. */
class Ipv6ConnTableTest {
    static final long NOW = 1_000 * SEC;
    final ConnTable table = new ConnTable(1024);

    private int confirmed(Tuple orig) {
        Tuple reply = new Tuple();
        assertTrue(orig.invert(reply));
        int id = table.alloc(orig, reply, NOW);
        assertTrue(id >= 0);
        table.refresh(id, 30 * SEC, NOW);
        assertTrue(table.confirm(id, NOW));
        return id;
    }

    private static Tuple inverse(Tuple t) {
        Tuple r = new Tuple();
        assertTrue(t.invert(r));
        return r;
    }

    @Test
    void ipv6EntryIsFoundInBothDirections() {
        Tuple t = tuple6(6, "2001:db8::1", "2001:db8::2", 40000, 443);
        int id = confirmed(t);
        assertEquals(ConnTable.ref(id, ConnTable.ORIGINAL), table.find(t, NOW));
        assertEquals(ConnTable.ref(id, ConnTable.REPLY), table.find(inverse(t), NOW));
        table.checkConsistency();
    }

    @Test
    void ipv4TupleWithTheIpv6FoldsDoesNotFindTheIpv6Entry() {
        Tuple t = tuple6(17, "fd00::1", "fd00::2", 5000, 53);
        confirmed(t);
        assertEquals(ConnTable.NOT_FOUND, table.find(new Tuple(17, t.src, t.dst, 5000, 53), NOW));
    }

    @Test
    void ipv6TupleWhoseFoldsAreAnIpv4EntrysAddressesDoesNotFindIt() {
        Tuple t6 = tuple6(17, "fd00::1", "fd00::2", 5000, 53);
        confirmed(new Tuple(17, t6.src, t6.dst, 5000, 53));
        assertEquals(ConnTable.NOT_FOUND, table.find(t6, NOW));
    }

    @Test
    void addressesWhoseFoldsCollideAreComparedInFull() {
        long[] pair = foldCollision();
        Tuple a = new Tuple().set6(6, 0x20010db800000000L, pair[0], 0x20010db800000000L, 1, 1000, 80);
        Tuple b = new Tuple().set6(6, 0x20010db800000000L, pair[1], 0x20010db800000000L, 1, 1000, 80);
        assertEquals(a.src, b.src, "same fold");
        int id = confirmed(a);
        assertEquals(ConnTable.NOT_FOUND, table.find(b, NOW));
        int other = confirmed(b); // no clash: they differ
        assertEquals(ConnTable.ref(other, 0), table.find(b, NOW));
        assertEquals(ConnTable.ref(id, 0), table.find(a, NOW));
    }

    /** Two low halves under 2001:db8:: whose addresses fold alike (a birthday search). */
    static long[] foldCollision() {
        Map<Integer, Long> seen = new HashMap<>();
        SplittableRandom r = new SplittableRandom(7);
        for (;;) {
            long lo = r.nextLong();
            Long prev = seen.putIfAbsent(Tuple.fold(0x20010db800000000L, lo), lo);
            if (prev != null && prev != lo) return new long[] {prev, lo};
        }
    }

    @Test
    void sideArrayIsAllocatedWithTheFirstIpv6Connection() {
        confirmed(new Tuple(6, 1, 2, 3, 4));
        assertEquals(0, table.addr6Capacity());
        double v4Only = table.bytesPerConnection();
        confirmed(tuple6(6, "2001:db8::1", "2001:db8::2", 1, 2));
        assertEquals(table.capacity(), table.addr6Capacity());
        assertEquals(v4Only + 64, table.bytesPerConnection(), 1e-9);
    }

    @Test
    void sideArrayGrowsWithTheRows() {
        ConnTable small = new ConnTable(1000, 2, ConnTable.DEFAULT_SEED);
        Tuple reply = new Tuple();
        for (int i = 0; i < 100; i++) {
            Tuple t = tuple6(17, "2001:db8::" + Integer.toHexString(i + 1), "2001:db8::ffff", 1000 + i, 53);
            t.invert(reply);
            int id = small.alloc(t, reply, NOW);
            small.refresh(id, 30 * SEC, NOW);
            assertTrue(small.confirm(id, NOW));
        }
        assertEquals(small.capacity(), small.addr6Capacity());
        for (int i = 0; i < 100; i++) {
            Tuple t = tuple6(17, "2001:db8::" + Integer.toHexString(i + 1), "2001:db8::ffff", 1000 + i, 53);
            assertNotEquals(ConnTable.NOT_FOUND, small.find(t, NOW), t.toString());
        }
        small.checkConsistency();
    }

    @Test
    void tupleCopiesOutTheFullIpv6Addresses() {
        Tuple t = tuple6(6, "2001:db8:aaaa::1", "2001:db8:bbbb::2", 40000, 443);
        int id = confirmed(t);
        assertTrue(t.sameAs(table.tuple(id, ConnTable.ORIGINAL, new Tuple())));
        assertTrue(inverse(t).sameAs(table.tuple(id, ConnTable.REPLY, new Tuple())));
        assertEquals(Tuple.NFPROTO_IPV6, table.family(id));
        assertEquals(6, table.protocol(id));
    }

    @Test
    void alteredIpv6ReplyTupleIsWhatRepliesFind() {
        Tuple t = tuple6(6, "fd00:1::2", "2001:db8::80", 40000, 443);
        int id = table.alloc(t, inverse(t), NOW);
        table.refresh(id, 30 * SEC, NOW);
        Tuple nated = tuple6(6, "2001:db8::80", "2001:db8:ffff::1", 443, 61000);
        table.alterReplyTuple(id, nated);
        assertTrue(table.confirm(id, NOW));
        assertEquals(ConnTable.ref(id, ConnTable.REPLY), table.find(nated, NOW));
        assertEquals(ConnTable.NOT_FOUND, table.find(inverse(t), NOW));
    }

    @Test
    void confirmOfADuplicateIpv6TupleClashes() {
        Tuple t = tuple6(17, "fd00::1", "fd00::2", 5000, 53);
        confirmed(t);
        int id = table.alloc(t, inverse(t), NOW);
        assertFalse(table.confirm(id, NOW));
        assertEquals(1, table.count());
    }

    @Test
    void killedIpv6EntryIsGoneInBothDirections() {
        Tuple t = tuple6(17, "fd00::1", "fd00::2", 5000, 53);
        int id = confirmed(t);
        table.kill(id);
        assertEquals(ConnTable.NOT_FOUND, table.find(t, NOW));
        assertEquals(ConnTable.NOT_FOUND, table.find(inverse(t), NOW));
        table.checkConsistency();
    }

    @Test
    void expiredIpv6EntryIsCollectedByGc() {
        Tuple t = tuple6(17, "fd00::1", "fd00::2", 5000, 53);
        int id = table.alloc(t, inverse(t), NOW);
        table.refresh(id, 30 * SEC, NOW);
        table.confirm(id, NOW);
        assertEquals(1, table.gc(NOW + 31 * SEC, 100));
        assertEquals(0, table.count());
        table.checkConsistency();
    }

    @Test
    void conntrackMaxCountsBothFamilies() {
        ConnTable two = new ConnTable(2);
        Tuple v4 = new Tuple(6, 1, 2, 3, 4), v6 = tuple6(6, "fd00::1", "fd00::2", 3, 4);
        for (Tuple t : new Tuple[] {v4, v6}) {
            int id = two.alloc(t, inverse(t), NOW);
            two.refresh(id, 30 * SEC, NOW);
            two.confirm(id, NOW);
            two.setStatus(id, Status.ASSURED); // not early-droppable
        }
        Tuple third = tuple6(6, "fd00::1", "fd00::2", 5, 6);
        assertEquals(-1, two.alloc(third, inverse(third), NOW));
        assertEquals(2, two.count());
    }

    @Test
    void ipv4AndIpv6EntriesCoexist() {
        Tuple v4 = new Tuple(17, Tuple.parseIp("10.0.0.1"), Tuple.parseIp("10.0.0.2"), 5000, 53);
        Tuple v6 = tuple6(17, "fd00::1", "fd00::2", 5000, 53);
        int a = confirmed(v4), b = confirmed(v6);
        assertEquals(ConnTable.ref(a, 0), table.find(v4, NOW));
        assertEquals(ConnTable.ref(b, 0), table.find(v6, NOW));
        assertEquals(Tuple.NFPROTO_IPV4, table.family(a));
        assertEquals(Tuple.NFPROTO_IPV6, table.family(b));
        table.checkConsistency();
    }
}

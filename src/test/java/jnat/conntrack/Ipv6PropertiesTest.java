package jnat.conntrack;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;

import static jnat.conntrack.Flow.SEC;
import static org.junit.jupiter.api.Assertions.*;

class Ipv6PropertiesTest {
    static final long NOW = 100 * SEC;

    @Provide
    Arbitrary<List<Tuple>> tuples6() {
        // Few prefixes and small host parts: neighbours in one /64 are the usual case.
        Arbitrary<Long> hi = Arbitraries.of(0x20010db800000000L, 0xfd00000000000000L, 0xfe80000000000000L);
        Arbitrary<Long> lo = Arbitraries.oneOf(Arbitraries.longs().between(0, 300), Arbitraries.longs());
        return Combinators.combine(Arbitraries.of(6, 17, 58, 132, 253), hi, lo, hi, lo,
                        Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 65535))
                .as((proto, sh, sl, dh, dl, sp, dp) -> {
                    int dport = proto == 58 ? Tuple.ICMPV6_ECHO_REQUEST << 8 : proto == 253 ? 0 : dp;
                    return new Tuple().set6(proto, sh, sl, dh, dl, proto == 253 ? 0 : sp, dport);
                }).list().ofMaxSize(120);
    }

    private static int add(ConnTable t, Tuple orig, long now) {
        Tuple reply = new Tuple();
        assertTrue(orig.invert(reply));
        int id = t.alloc(orig, reply, now);
        if (id < 0) return id;
        t.refresh(id, 30 * SEC, now);
        return t.confirm(id, now) ? id : -1;
    }

    /** The IPv4 tuple an IPv6 tuple's row ints would read as: the folds, ports and protocol. */
    private static Tuple asIpv4(Tuple t6) {
        return new Tuple(t6.protocol, t6.src, t6.dst, t6.srcPort, t6.dstPort);
    }

    @Property(tries = 200)
    void findOfAnInsertedIpv6TupleWorksInBothDirections(@ForAll("tuples6") List<Tuple> tuples) {
        ConnTable table = new ConnTable(4096, 2, 5);
        List<Integer> ids = new ArrayList<>();
        for (Tuple t : tuples) ids.add(add(table, t, NOW));
        Tuple reply = new Tuple();
        for (int k = 0; k < tuples.size(); k++) {
            Tuple t = tuples.get(k);
            int id = ids.get(k);
            if (id < 0) { // a clash: an earlier tuple holds it (or its reply) already
                t.invert(reply);
                assertTrue(table.find(t, NOW) != ConnTable.NOT_FOUND || table.find(reply, NOW) != ConnTable.NOT_FOUND);
                continue;
            }
            t.invert(reply);
            if (t.sameAs(reply)) continue; // its own reply: either ref is right
            assertEquals(ConnTable.ref(id, ConnTable.ORIGINAL), table.find(t, NOW), t.toString());
            assertEquals(ConnTable.ref(id, ConnTable.REPLY), table.find(reply, NOW), reply.toString());
        }
        table.checkConsistency();
    }

    @Property(tries = 200)
    void ipv4AndIpv6ConnectionsNeverFindEachOther(@ForAll("tuples6") List<Tuple> tuples) {
        ConnTable v6 = new ConnTable(4096), v4 = new ConnTable(4096), both = new ConnTable(4096);
        for (Tuple t : tuples) {
            add(v6, t, NOW);
            add(both, t, NOW);
        }
        for (Tuple t : tuples) {
            Tuple four = asIpv4(t);
            assertEquals(ConnTable.NOT_FOUND, v6.find(four, NOW), four.toString());
            add(v4, four, NOW);
            add(both, four, NOW);
        }
        for (Tuple t : tuples) {
            assertEquals(ConnTable.NOT_FOUND, v4.find(t, NOW), t.toString());
            // In one table, each finds its own family's entry.
            int r6 = both.find(t, NOW), r4 = both.find(asIpv4(t), NOW);
            assertNotEquals(ConnTable.NOT_FOUND, r6);
            assertNotEquals(ConnTable.NOT_FOUND, r4);
            assertEquals(Tuple.NFPROTO_IPV6, both.family(ConnTable.id(r6)));
            assertEquals(Tuple.NFPROTO_IPV4, both.family(ConnTable.id(r4)));
        }
        both.checkConsistency();
    }

    @Property(tries = 50)
    void gcAndExpiryFreeSideArraySlotsForReuse(@ForAll("tuples6") List<Tuple> tuples,
                                               @ForAll @IntRange(min = 2, max = 6) int rounds) {
        int n = Math.max(1, tuples.size());
        ConnTable table = new ConnTable(n, n, 3);
        long now = NOW;
        for (int round = 0; round < rounds; round++) {
            List<Tuple> live = new ArrayList<>();
            for (int k = 0; k < tuples.size(); k++) {
                Tuple t = new Tuple().copyFrom(tuples.get(k));
                t.setSrc6(t.srcHi, t.srcLo ^ round); // another connection each round
                if (add(table, t, now) >= 0) live.add(t);
            }
            for (Tuple t : live) assertNotEquals(ConnTable.NOT_FOUND, table.find(t, now));
            assertTrue(table.addr6Capacity() <= n, "the side array never outgrows the ids");
            now += 31 * SEC;
            table.gc(now, 2 * n + 64);
            assertEquals(0, table.count());
            for (Tuple t : live) assertEquals(ConnTable.NOT_FOUND, table.find(t, now));
            table.checkConsistency();
        }
        assertEquals(tuples.isEmpty() ? 0 : n, table.addr6Capacity());
    }
}

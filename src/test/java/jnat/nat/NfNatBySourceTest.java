package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.NfConntrackZones;
import jnat.conntrack.Status;
import jnat.conntrack.Tuple;
import jnat.rules.NatRange;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static jnat.nat.NatCore.MANIP_SRC;
import static org.junit.jupiter.api.Assertions.*;

/** nf_nat_bysource as NfNatBySource keeps it: newest first, zones, full IPv6 sources, growth, deletion. */
class NfNatBySourceTest {
    static final long NOW = 1_000_000_000_000L;
    static final int SRC = Tuple.parseIp("10.0.0.2"), A = Tuple.parseIp("1.1.1.1"), B = Tuple.parseIp("1.1.1.2");

    final ConnTable table = new ConnTable(1 << 16, 16, ConnTable.DEFAULT_SEED);
    final NatCore core = new NatCore(table, new Prandom(1));
    final Conntrack conntrack = new Conntrack(table);

    NfNatBySourceTest() {
        table.setDestroyListener(core::destroyed);
    }

    static Tuple udp(int src, int sport, int dst) {
        return new Tuple(Tuple.IPPROTO_UDP, src, dst, sport, 53);
    }

    static InetNatRange range(int min, int max) {
        return new InetNatRange().set4(NatRange.MAP_IPS, min, max, 0, 0);
    }

    /** A new connection as conntrack makes it, source-NATed by {@code range} and confirmed; its id. */
    int snat(Tuple orig, InetNatRange range) {
        CtPacket p = new CtPacket().reset();
        p.tuple.copyFrom(orig);
        p.ipLength = 60;
        assertEquals(Conntrack.IP_CT_NEW, conntrack.in(p, NOW));
        core.setupInfo(p.id, range, MANIP_SRC, NOW);
        assertTrue(table.confirm(p.id, NOW));
        return p.id;
    }

    int mappedSource(int id) {
        return table.tuple(id, ConnTable.REPLY, new Tuple()).dst;
    }

    /** An unconfirmed connection with this original tuple, not filed. */
    int alloc(ConnTable t, Tuple orig) {
        Tuple reply = new Tuple();
        orig.invert(reply);
        int id = t.alloc(orig, reply, NOW);
        assertTrue(id >= 0);
        return id;
    }

    /** The walk find_appropriate_src makes for {@code t}'s source in {@code zone}: ids, newest first. */
    static List<Integer> walk(NfNatBySource index, Tuple t, int zone) {
        List<Integer> ids = new ArrayList<>();
        for (int id = index.first(t, zone); id >= 0; id = index.next()) ids.add(id);
        return ids;
    }

    @Test
    void theLastSourceManipulationsAddressIsTheTouchsGuess() {
        assertEquals(0, core.lastSource());
        snat(udp(SRC, 5000, B), range(A, A));
        assertEquals(A, core.lastSource());
    }

    @Test
    void anIpv6ManipulationsGuessIsItsAddressFolded() {
        long[] src = {0xfd49efd754aa0000L, 2}, to = {0x20010db800450077L, 0x180};
        Tuple orig = new Tuple().set6(Tuple.IPPROTO_UDP, src[0], src[1], 0x20010db800080000L, 1, 5000, 53);
        snat(orig, new InetNatRange().set6(NatRange.MAP_IPS, to[0], to[1], to[0], to[1], 0, 0));
        assertEquals(Tuple.fold(to[0], to[1]), core.lastSource6());
        assertEquals(0, core.lastSource(), "no IPv4 guess");
    }

    @Test
    void aManipulationThatMovesThePortLeavesNoGuess() {
        snat(udp(SRC, 5000, B), range(A, A));
        snat(udp(Tuple.parseIp("10.0.0.3"), 5000, B), range(A, A)); // A:5000 to B is taken: the port moves
        assertEquals(0, core.lastSource());
    }

    @Test
    void aNullBindingLeavesTheTouchsGuessAlone() {
        snat(udp(SRC, 5000, B), range(A, A));
        snat(udp(SRC, 5001, B), range(SRC, SRC)); // the source kept: no manipulation
        assertEquals(A, core.lastSource());
    }

    @Test
    void theNewestSameSourceMappingWins() {
        snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.1")), range(A, A));
        int newer = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.2")), range(B, B));
        assertEquals(B, mappedSource(newer), "A is out of the second range");
        int third = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.3")), range(A, B));
        assertEquals(B, mappedSource(third));
    }

    @Test
    void theOlderMappingIsFoundAfterTheNewerIsDestroyed() {
        snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.1")), range(A, A));
        int newer = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.2")), range(B, B));
        table.kill(newer);
        int third = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.3")), range(A, B));
        assertEquals(A, mappedSource(third));
    }

    @Test
    void aNewerMappingOutOfTheRangeIsPassedOver() {
        int a = Tuple.parseIp("1.1.0.7"), b = Tuple.parseIp("2.2.2.2");
        int older = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.1")), range(a, a));
        int newer = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.2")), range(b, b));
        assertEquals(List.of(newer, older), walk(core.bySource(), udp(SRC, 5000, 0), 0));
        // b is outside 1.1.0.0/16, a inside (find_best_ips_proto would hash to one of 65536)
        int third = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.3")), range(Tuple.parseIp("1.1.0.0"), Tuple.parseIp("1.1.255.255")));
        assertEquals(a, mappedSource(third));
    }

    @Test
    void aDifferentZoneIsNotMatched() {
        Tuple orig = udp(SRC, 5000, Tuple.parseIp("8.8.8.1"));
        int id = alloc(table, orig);
        int zone1 = NfConntrackZones.pack(1, 3);
        table.setZone(id, zone1);
        NfNatBySource index = core.bySource();
        index.add(id);
        assertEquals(List.of(id), walk(index, orig, zone1));
        assertEquals(List.of(), walk(index, orig, 0));
        assertEquals(List.of(), walk(index, orig, NfConntrackZones.pack(2, 3)));
    }

    @Test
    void anIpv6SourceDifferingOnlyInTheHighBitsIsNotMatched() {
        long lo = 2;
        Tuple orig = new Tuple().set6(Tuple.IPPROTO_UDP, 0xfd00L << 48, lo, 0x20010db8L << 32, 1, 5000, 53);
        int id = alloc(table, orig);
        NfNatBySource index = core.bySource();
        index.add(id);
        assertEquals(List.of(id), walk(index, orig, 0));
        Tuple other = new Tuple().set6(Tuple.IPPROTO_UDP, 0xfd01L << 48, lo, 0x20010db8L << 32, 1, 5000, 53);
        assertEquals(List.of(), walk(index, other, 0));
    }

    @Test
    void anIpv6SourceWithTheSameFoldButOtherHighBitsIsNotMatched() {
        long hi = 0xfd00L << 48, lo = 2;
        Tuple orig = new Tuple().set6(Tuple.IPPROTO_UDP, hi, lo, 0x20010db8L << 32, 1, 5000, 53);
        // fold is (hi * K + lo) * K2: one more in hi and K less in lo fold alike, so hash and tag match
        long hi2 = hi + 1, lo2 = lo - 0x9E3779B97F4A7C15L;
        Tuple other = new Tuple().set6(Tuple.IPPROTO_UDP, hi2, lo2, 0x20010db8L << 32, 1, 5000, 53);
        assertEquals(orig.src, other.src, "the folds collide");
        int id = alloc(table, orig);
        NfNatBySource index = core.bySource();
        index.add(id);
        assertEquals(List.of(), walk(index, other, 0));
        assertEquals(List.of(id), walk(index, orig, 0));
    }

    @Test
    void anIpv4SourceNeverMatchesAnIpv6ConnectionWithTheSameFold() {
        Tuple v6 = new Tuple().set6(Tuple.IPPROTO_UDP, 0xfd00L << 48, 2, 0x20010db8L << 32, 1, 5000, 53);
        int id = alloc(table, v6);
        core.bySource().add(id);
        assertEquals(List.of(), walk(core.bySource(), udp(v6.src, 5000, 0), 0));
    }

    @Test
    void growthKeepsEveryEntryFindable() {
        NfNatBySource index = core.bySource();
        int n = 5000;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = alloc(table, udp(SRC + i % 100, 1024 + i / 100, Tuple.parseIp("8.8.8.8")));
            index.add(ids[i]);
        }
        assertTrue(index.length() >= NfNatBySource.sizeFor(n), "grown with the table: " + index.length());
        assertEquals(n, index.size());
        for (int i = 0; i < n; i++) {
            assertEquals(List.of(ids[i]), walk(index, udp(SRC + i % 100, 1024 + i / 100, 0), 0), "entry " + i);
        }
    }

    @Test
    void growthKeepsTheOrderOfOneSource() {
        NfNatBySource index = core.bySource();
        Deque<Integer> newestFirst = new ArrayDeque<>();
        for (int i = 0; i < 3000; i++) {
            int id = alloc(table, udp(SRC + i % 3, 5000, Tuple.parseIp("8.8.8.8") + i));
            index.add(id);
            if (i % 3 == 0) newestFirst.addFirst(id);
        }
        assertEquals(List.copyOf(newestFirst), walk(index, udp(SRC, 5000, 0), 0));
    }

    @Test
    void destroyingAnUnfiledConnectionLeavesTheIndexAlone() {
        int filed = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.1")), range(A, A));
        int unfiled = alloc(table, udp(SRC, 5000, Tuple.parseIp("8.8.8.2")));
        table.release(unfiled);
        assertEquals(List.of(filed), walk(core.bySource(), udp(SRC, 5000, 0), 0));
    }

    @Test
    void aConnectionIsNeverFiledTwice() {
        int id = snat(udp(SRC, 5000, Tuple.parseIp("8.8.8.1")), range(A, A));
        core.restored(id);
        assertEquals(1, core.bySource().size());
        table.kill(id);
        assertEquals(0, core.bySource().size());
    }

    @Test
    void aRestoredSourceNatedConnectionIsFiled() {
        int id = alloc(table, udp(SRC, 5000, Tuple.parseIp("8.8.8.1")));
        core.restored(id);
        assertEquals(0, core.bySource().size(), "not source-NATed");
        table.setStatus(id, Status.SRC_NAT_DONE);
        core.restored(id);
        assertEquals(List.of(id), walk(core.bySource(), udp(SRC, 5000, 0), 0));
    }

    /**
     * Random inserts and deletes against a model (each source's ids, newest first), in a table
     * that starts at 16 ids and grows, so runs are long, wrap and are rebuilt, and ids are reused.
     * Op {@code k}: {@code k % 3 == 2} deletes the live connection {@code k / 3} (mod their count),
     * else a connection of source {@code k / 3 % SOURCES} is filed.
     */
    @Property(tries = 300)
    void walksMatchANewestFirstModelOverRandomInsertsAndDeletes(
            @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 3000) Integer> ops) {
        ConnTable t = new ConnTable(4096, 16, ConnTable.DEFAULT_SEED);
        NfNatBySource index = new NfNatBySource(t);
        Tuple[] sources = sources();
        Map<Integer, Deque<Integer>> model = new HashMap<>();
        List<Integer> live = new ArrayList<>();
        Map<Integer, Integer> sourceOf = new HashMap<>();
        int dst = 0;
        for (int k : ops) {
            if (k % 3 == 2 && !live.isEmpty()) {
                int id = live.remove(k / 3 % live.size());
                index.remove(id);
                t.release(id);
                model.get(sourceOf.remove(id)).remove(id);
            } else {
                int s = k / 3 % sources.length;
                Tuple orig = new Tuple().copyFrom(sources[s]);
                orig.dstPort = ++dst & 0xffff; // unique tuples
                int id = alloc(t, orig);
                index.add(id);
                live.add(id);
                sourceOf.put(id, s);
                model.computeIfAbsent(s, x -> new ArrayDeque<>()).addFirst(id);
            }
            for (int s = 0; s < sources.length; s++) {
                List<Integer> want = List.copyOf(model.getOrDefault(s, new ArrayDeque<>()));
                assertEquals(want, walk(index, sources[s], 0), "source " + s);
            }
            assertEquals(live.size(), index.size());
        }
    }

    /** Sources that share an address, a port, a protocol, or an IPv6 fold (so a hash and a tag). */
    static Tuple[] sources() {
        long hi = 0xfd00L << 48;
        return new Tuple[] {
            udp(SRC, 5000, 0), udp(SRC, 5001, 0), udp(SRC + 1, 5000, 0),
            new Tuple(Tuple.IPPROTO_TCP, SRC, 0, 5000, 0),
            new Tuple().set6(Tuple.IPPROTO_UDP, hi, 2, 0, 1, 5000, 0),
            new Tuple().set6(Tuple.IPPROTO_UDP, hi + 1, 2 - 0x9E3779B97F4A7C15L, 0, 1, 5000, 0),
            udp(Tuple.parseIp("192.0.2.7"), 40000, 0),
        };
    }
}

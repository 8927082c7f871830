package jnat.conntrack;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConntrackPropertiesTest {
    /** One step: a packet between a few hosts/ports with random flags, seq, ack; or time passing; or gc. */
    record Step(int kind, int proto, int a, int b, int sport, int dport, int flags, int seq, int ack,
                int win, int len, int advanceMs, boolean confirm) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> packet = Combinators.combine(
                Arbitraries.of(0, 0, 0, 1, 2),          // kind: packet, time, gc
                Arbitraries.of(6, 6, 6, 17, 1, 47),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(0, 255),
                Arbitraries.of(0, 1, 2, 1000, 1001, 5000, -1, Integer.MIN_VALUE, 70000))
                .as((kind, proto, a, b, sp, dp, flags, seq) -> new Step(kind, proto, a, b, sp, dp, flags, seq,
                        seq + (flags % 7) * 500, (flags * 37) % 70000, flags % 3 == 0 ? 0 : 100,
                        (flags * 13) % 200_000, flags % 5 != 0));
        return packet.list().ofMinSize(1).ofMaxSize(200);
    }

    @Property(tries = 300)
    void randomPacketsNeverThrowAndKeepBothDirectionsIndexed(@ForAll("steps") List<Step> steps) {
        ConnTable table = new ConnTable(8, 2, 11); // small: growth, early drop, collisions
        Conntrack ct = new Conntrack(table);
        CtPacket p = new CtPacket();
        int[] hosts = {Tuple.parseIp("172.17.0.2"), Tuple.parseIp("198.51.100.8"), Tuple.parseIp("203.0.113.10")};
        long now = 1_000_000_000L;
        for (Step s : steps) {
            switch (s.kind()) {
                case 1 -> now += s.advanceMs() * 1_000_000L;
                case 2 -> table.gc(now, 3);
                default -> {
                    p.reset();
                    if (s.proto() == 1) {
                        int type = s.flags() % 20;
                        p.tuple.setIcmp(hosts[s.a()], hosts[s.b()], s.sport(), type, 0);
                        p.quoted.set(17, hosts[s.b()], hosts[s.a()], s.sport(), s.dport());
                    } else if (s.proto() == 47) {
                        p.tuple.set(47, hosts[s.a()], hosts[s.b()], 0, 0);
                    } else {
                        p.tuple.set(s.proto(), hosts[s.a()], hosts[s.b()], s.sport(), s.dport());
                    }
                    p.tcp(s.flags(), s.seq(), s.ack(), s.win(), s.len());
                    if (s.flags() % 4 == 1) p.tcpOptions(s.flags() % 16, true);
                    p.ipLength = 40 + s.len();
                    int r = ct.in(p, now);
                    if (r >= 0) {
                        assertTrue(table.inUse(p.id));
                        if (r == Conntrack.IP_CT_NEW && !table.confirmed(p.id)) {
                            if (s.confirm()) table.confirm(p.id, now);
                            else table.release(p.id);
                        }
                    } else {
                        assertEquals(-1, p.id);
                    }
                }
            }
            table.checkConsistency();
            assertTrue(table.count() <= table.max());
        }
    }

    @Property(tries = 500)
    void invertingTwiceGivesTheTupleBack(@ForAll int src, @ForAll int dst, @ForAll("ports") int sp,
                                         @ForAll("ports") int dp, @ForAll("protos") int proto) {
        Tuple t = new Tuple(proto, src, dst, sp, dp);
        Tuple inv = new Tuple();
        Tuple back = new Tuple();
        if (proto == 1 && Tuple.invertIcmpType(t.icmpType()) < 0) {
            assertFalse(t.invert(inv));
            return;
        }
        assertTrue(t.invert(inv));
        assertTrue(inv.invert(back));
        assertEquals(t, back);
        assertEquals(t, new Tuple().unpack(t.addrs(), t.l4()));
    }

    @Provide
    Arbitrary<Integer> ports() {
        return Arbitraries.integers().between(0, 65535);
    }

    @Provide
    Arbitrary<Integer> protos() {
        return Arbitraries.of(1, 6, 17, 47, 132);
    }
}

package jnat.conntrack;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.conntrack.ConnTable.*;
import static jnat.conntrack.Flow.CLIENT;
import static jnat.conntrack.Flow.SEC;
import static jnat.conntrack.Flow.SERVER;
import static org.junit.jupiter.api.Assertions.*;

class ConnTableTest {
    static final int PUBLIC = Tuple.parseIp("203.0.113.10");
    long now = 5 * SEC;

    static Tuple udp(int src, int dst, int sport, int dport) {
        return new Tuple(Tuple.IPPROTO_UDP, src, dst, sport, dport);
    }

    int add(ConnTable t, Tuple orig) {
        Tuple reply = new Tuple();
        orig.invert(reply);
        int id = t.alloc(orig, reply, now);
        if (id >= 0) {
            t.refreshAcct(id, ORIGINAL, 60, 30 * SEC, now);
            assertTrue(t.confirm(id, now));
        }
        return id;
    }

    @Test
    void unconfirmedEntryIsInvisibleUntilConfirmed() {
        ConnTable t = new ConnTable(16);
        Tuple o = udp(CLIENT, SERVER, 5000, 53);
        Tuple r = new Tuple();
        o.invert(r);
        int id = t.alloc(o, r, now);
        t.refreshAcct(id, ORIGINAL, 60, 30 * SEC, now);
        assertEquals(NOT_FOUND, t.find(o, now));
        assertTrue(t.confirm(id, now));
        assertEquals(ref(id, ORIGINAL), t.find(o, now));
        assertEquals(ref(id, REPLY), t.find(r, now));
    }

    @Test
    void alterReplyTupleMakesTheTranslatedReplyFindable() {
        // MASQUERADE: 172.17.0.2:5000 -> 198.51.100.8:53 leaves as 203.0.113.10:61000.
        ConnTable t = new ConnTable(16);
        Tuple o = udp(CLIENT, SERVER, 5000, 53);
        Tuple r = new Tuple();
        o.invert(r);
        int id = t.alloc(o, r, now);
        t.refreshAcct(id, ORIGINAL, 60, 30 * SEC, now);
        Tuple natReply = udp(SERVER, PUBLIC, 53, 61000);
        t.alterReplyTuple(id, natReply);
        t.confirm(id, now);
        assertEquals(ref(id, REPLY), t.find(natReply, now));
        assertEquals(NOT_FOUND, t.find(r, now));
        assertEquals(PUBLIC, t.dstAddr(id, REPLY));
        assertEquals(61000, t.dstPort(id, REPLY));
    }

    @Test
    void aDnatReplysMovedSourceIsKeptAndFindsTheReply() {
        // Docker -p 10000:8000: 198.51.100.8:5000 -> 203.0.113.10:10000 goes to 172.17.0.2:8000, and masqueraded too
        ConnTable t = new ConnTable(16);
        Tuple o = udp(SERVER, PUBLIC, 5000, 10000);
        Tuple r = new Tuple();
        o.invert(r);
        int id = t.alloc(o, r, now);
        t.refreshAcct(id, ORIGINAL, 60, 30 * SEC, now);
        double before = t.bytesPerConnection();
        Tuple natReply = udp(CLIENT, Tuple.parseIp("172.17.0.1"), 8000, 5000);
        t.alterReplyTuple(id, natReply);
        t.confirm(id, now);
        assertEquals(ref(id, REPLY), t.find(natReply, now));
        assertEquals(NOT_FOUND, t.find(r, now));
        assertEquals(CLIENT, t.srcAddr(id, REPLY));
        assertEquals(PUBLIC, t.dstAddr(id, ORIGINAL), "the original's destination is the row's own");
        assertEquals(natReply.toString(), t.tuple(id, REPLY, new Tuple()).toString());
        assertEquals(before + 4, t.bytesPerConnection(), 1e-9, "a moved reply source costs 4 bytes a connection, from the first");
    }

    @Test
    void alterReplyTupleAfterConfirmIsRefused() {
        ConnTable t = new ConnTable(16);
        int id = add(t, udp(CLIENT, SERVER, 5000, 53));
        assertThrows(IllegalStateException.class, () -> t.alterReplyTuple(id, udp(SERVER, PUBLIC, 53, 1)));
    }

    @Test
    void tupleTakenSeesOtherConnectionsNotTheIgnoredOne() {
        ConnTable t = new ConnTable(16);
        int id = add(t, udp(CLIENT, SERVER, 5000, 53));
        Tuple reply = udp(SERVER, CLIENT, 53, 5000);
        assertTrue(t.tupleTaken(reply, -1, now));
        assertFalse(t.tupleTaken(reply, id, now));
        assertFalse(t.tupleTaken(udp(SERVER, CLIENT, 53, 5001), -1, now));
    }

    @Test
    void tupleTakenIgnoresExpiredEntries() {
        ConnTable t = new ConnTable(16);
        add(t, udp(CLIENT, SERVER, 5000, 53));
        assertFalse(t.tupleTaken(udp(SERVER, CLIENT, 53, 5000), -1, now + 30 * SEC));
    }

    @Test
    void confirmingAClashingEntryFailsAndFreesIt() {
        ConnTable t = new ConnTable(16);
        add(t, udp(CLIENT, SERVER, 5000, 53));
        Tuple o = udp(CLIENT, SERVER, 5000, 53);
        Tuple r = new Tuple();
        o.invert(r);
        int id = t.alloc(o, r, now);
        assertFalse(t.confirm(id, now));
        assertEquals(1, t.count());
    }

    @Test
    void fullTableEarlyDropsAnUnassuredEntry() {
        ConnTable t = new ConnTable(8, 8, 1);
        for (int i = 0; i < 8; i++) add(t, udp(CLIENT, SERVER, 1000 + i, 53));
        assertEquals(8, t.count());
        assertTrue(add(t, udp(CLIENT, SERVER, 2000, 53)) >= 0);
        assertEquals(8, t.count());
        assertEquals(1, t.earlyDrops());
        t.checkConsistency();
    }

    @Test
    void fullTableOfAssuredEntriesRefusesANewOne() {
        ConnTable t = new ConnTable(8, 8, 1);
        for (int i = 0; i < 8; i++) {
            int id = add(t, udp(CLIENT, SERVER, 1000 + i, 53));
            t.setStatus(id, Status.ASSURED);
        }
        Tuple o = udp(CLIENT, SERVER, 2000, 53);
        assertEquals(-1, t.alloc(o, udp(SERVER, CLIENT, 53, 2000), now));
    }

    @Test
    void fullTableReapsAnExpiredEntryForANewOne() {
        ConnTable t = new ConnTable(8, 8, 1);
        for (int i = 0; i < 8; i++) t.setStatus(add(t, udp(CLIENT, SERVER, 1000 + i, 53)), Status.ASSURED);
        now += 31 * SEC;
        assertTrue(add(t, udp(CLIENT, SERVER, 2000, 53)) >= 0);
        assertEquals(0, t.earlyDrops(), "an expired entry is reaped, not early-dropped");
    }

    @Test
    void newPacketOnAFullTableIsDropped() {
        ConnTable t = new ConnTable(2, 2, 1);
        Conntrack ct = new Conntrack(t);
        for (int i = 0; i < 2; i++) t.setStatus(add(t, udp(CLIENT, SERVER, 1000 + i, 53)), Status.ASSURED);
        CtPacket p = new CtPacket();
        p.tuple.copyFrom(udp(CLIENT, SERVER, 3000, 53));
        assertEquals(Conntrack.DROP, ct.in(p, now));
    }

    @Test
    void tableGrowsAndKeepsEveryEntryFindable() {
        ConnTable t = new ConnTable(100_000, 4, 7);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 5000; i++) ids.add(add(t, udp(CLIENT + i, SERVER, 1000 + i % 50000, 53)));
        assertTrue(t.capacity() >= 5000);
        for (int i = 0; i < 5000; i++) {
            assertEquals(ref(ids.get(i), REPLY), t.find(udp(SERVER, CLIENT + i, 53, 1000 + i % 50000), now));
        }
        t.checkConsistency();
    }

    @Test
    void aTableBuiltWithAHashsizeGrowsItsRowsWithoutRehashingUntilItPassesIt() {
        ConnTable t = new ConnTable(100_000, 16, 7, 8192);
        int slots = t.indexLength();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 8000; i++) ids.add(add(t, udp(CLIENT + i, SERVER, 1000 + i % 50000, 53)));
        assertTrue(t.capacity() >= 8000);
        assertEquals(slots, t.indexLength(), "the hash was built for 8192 connections");
        t.checkConsistency();
        for (int i = 8000; i < 9000; i++) ids.add(add(t, udp(CLIENT + i, SERVER, 1000 + i % 50000, 53)));
        assertTrue(t.indexLength() > slots, "past its hashsize the hash grows with the table");
        for (int i = 0; i < 9000; i++) {
            assertEquals(ref(ids.get(i), REPLY), t.find(udp(SERVER, CLIENT + i, 53, 1000 + i % 50000), now));
        }
        t.checkConsistency();
    }

    @Test
    void gcReclaimsExpiredEntriesAFewAtATime() {
        ConnTable t = new ConnTable(1000);
        for (int i = 0; i < 100; i++) add(t, udp(CLIENT, SERVER, 1000 + i, 53));
        now += 30 * SEC;
        assertEquals(10, t.gc(now, 10));
        assertEquals(90, t.count());
        int total = 10;
        for (int i = 0; i < 20; i++) total += t.gc(now, 10);
        assertEquals(100, total);
        assertEquals(0, t.count());
        t.checkConsistency();
    }

    @Test
    void gcKeepsLiveEntries() {
        ConnTable t = new ConnTable(1000);
        for (int i = 0; i < 10; i++) add(t, udp(CLIENT, SERVER, 1000 + i, 53));
        assertEquals(0, t.gc(now + 29 * SEC, 100));
        assertEquals(10, t.count());
    }

    @Test
    void gcAt95PercentFullDropsUnassuredAndClosingTcpButKeepsAssuredEstablished() {
        ConnTable t = new ConnTable(100, 100, 5);
        Flow established = new Flow(t);
        established.cport = 1;
        int keep = established.handshake();
        Flow closing = new Flow(t);
        closing.cport = 2;
        int closed = closing.handshake();
        closing.orig(CtPacket.FIN | CtPacket.ACK, closing.cseq, closing.sseq, 502, 0);
        assertEquals(TcpTracker.FIN_WAIT, t.tcpState(closed));
        assertTrue(t.hasStatus(closed, Status.ASSURED));
        int assuredUdp = add(t, udp(CLIENT, SERVER, 7, 53));
        t.setStatus(assuredUdp, Status.ASSURED);
        for (int i = 0; i < 97; i++) add(t, udp(CLIENT, SERVER, 1000 + i, 53));
        assertEquals(100, t.count());
        assertEquals(6, t.gc(now, 1000), "drops until the table is under 95% full");
        assertTrue(t.inUse(keep));
        assertTrue(t.inUse(assuredUdp));
        assertFalse(t.inUse(closed));
        assertEquals(94, t.count());
        assertEquals(6, t.earlyDrops());
    }

    @Test
    void gcBelow95PercentFullLeavesLiveEntriesAlone() {
        ConnTable t = new ConnTable(100, 100, 5);
        for (int i = 0; i < 94; i++) add(t, udp(CLIENT, SERVER, 1000 + i, 53));
        assertEquals(0, t.gc(now, 1000));
    }

    @Test
    void destroyListenerHearsEveryDeletion() {
        ConnTable t = new ConnTable(100);
        List<Integer> destroyed = new ArrayList<>();
        t.setDestroyListener(destroyed::add);
        int a = add(t, udp(CLIENT, SERVER, 1, 53));
        int b = add(t, udp(CLIENT, SERVER, 2, 53));
        t.kill(a);
        now += 30 * SEC;
        t.gc(now, 100);
        assertEquals(List.of(a, b), destroyed);
    }

    @Test
    void freedIdsAreReused() {
        ConnTable t = new ConnTable(100);
        int a = add(t, udp(CLIENT, SERVER, 1, 53));
        t.kill(a);
        assertEquals(a, add(t, udp(CLIENT, SERVER, 2, 53)));
    }

    @Test
    void deletingFromAProbeRunKeepsTheRestFindable() {
        ConnTable t = new ConnTable(64, 64, 3); // 256 slots, many collisions in runs
        int[] ids = new int[60];
        for (int i = 0; i < 60; i++) ids[i] = add(t, udp(CLIENT, SERVER, 100 + i, 53));
        for (int i = 0; i < 60; i += 3) t.kill(ids[i]);
        for (int i = 0; i < 60; i++) {
            int expected = i % 3 == 0 ? NOT_FOUND : ref(ids[i], ORIGINAL);
            assertEquals(expected, t.find(udp(CLIENT, SERVER, 100 + i, 53), now));
        }
        t.checkConsistency();
    }

    @Test
    void masqIndexStartsZeroAndHoldsTheEnginesData() {
        ConnTable t = new ConnTable(16);
        int id = add(t, udp(CLIENT, SERVER, 1, 53));
        assertEquals(0, t.masqIndex(id));
        t.setMasqIndex(id, 7);
        assertEquals(7, t.masqIndex(id));
        t.kill(id);
        int again = add(t, udp(CLIENT, SERVER, 2, 53));
        assertEquals(0, t.masqIndex(again));
    }

    @Test
    void masqIndexesOfMoreDevicesThanSlotsReadBackExactly() {
        ConnTable t = new ConnTable(256);
        int[] ids = new int[100];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = add(t, udp(CLIENT, SERVER, 1000 + i, 53));
            t.setMasqIndex(ids[i], 5000 + i % 80); // 80 devices: 62 slots, the rest by id
        }
        for (int i = 0; i < ids.length; i++) assertEquals(5000 + i % 80, t.masqIndex(ids[i]), "connection " + i);
        assertEquals(0, t.status(ids[0]) & ~0xffff, "the slot stays out of ct->status");
    }

    @Test
    void aMarkReadsZeroUntilSetAndIsClearedWhenItsIdComesBack() {
        ConnTable t = new ConnTable(16);
        int id = add(t, udp(CLIENT, SERVER, 1, 53));
        assertEquals(0, t.mark(id));
        t.setMark(id, 0x2a);
        assertEquals(0x2a, t.mark(id));
        t.kill(id);
        int again = add(t, udp(CLIENT, SERVER, 2, 53));
        assertEquals(id, again, "the freed id is reused");
        assertEquals(0, t.mark(again));
    }

    @Test
    void aFullTableTakesAtMost128BytesAConnection() {
        // issue 7's target; a table filled to its max has no growth slack
        ConnTable t = new ConnTable(1 << 20, 1 << 20, 1);
        assertTrue(t.bytesPerConnection() <= 128, "bytes per connection: " + t.bytesPerConnection());
    }

    @Test
    void accountingAddsTheCountersExtension() {
        ConnTable t = new ConnTable(1 << 10, 1 << 10, 1);
        double without = t.bytesPerConnection();
        t.setAccounting(true);
        assertEquals(without + 32, t.bytesPerConnection(), 1e-9);
    }

    @Test
    void growthStopsAtMaxSoAFullTableHasNoSlack() {
        ConnTable t = new ConnTable(1000, 16, 1);
        for (int i = 0; i < 1000; i++) assertTrue(add(t, udp(CLIENT + i, SERVER, 1000, 53)) >= 0);
        assertEquals(1000, t.capacity());
        t.checkConsistency();
    }

    @Test
    void expiryComparesAcrossTheWrapOfTheMillisecondClock() {
        // ct->timeout is a 32-bit tick count: an entry made just before the wrap lives on after it
        ConnTable t = new ConnTable(16);
        now = (Integer.MAX_VALUE - 1000L) * 1_000_000L;
        Tuple o = udp(CLIENT, SERVER, 5000, 53);
        int id = add(t, o);
        assertEquals(ref(id, ORIGINAL), t.find(o, now + 29 * SEC));
        assertEquals(NOT_FOUND, t.find(o, now + 30 * SEC));
    }

    @Test
    void anExportedRowComesBackTheSameOnAnotherClock() {
        // the state file's row (10 longs, 23 ints) is not the table's packed row: nothing may get lost between them
        Flow f = new Flow(new ConnTable(16));
        f.table.setAccounting(true);
        int id = f.handshake();
        f.orig(CtPacket.ACK | CtPacket.PSH, f.cseq, f.sseq, 502, 100);
        f.table.setMark(id, 0xdeadbeef);
        f.table.setMasqIndex(id, 3);
        long[] l = new long[ConnRowExport.LONGS], l2 = new long[ConnRowExport.LONGS];
        int[] i = new int[ConnRowExport.INTS], i2 = new int[ConnRowExport.INTS];
        ConnRowExport.exportRow(f.table, id, f.now, l, i);
        ConnTable other = new ConnTable(16);
        other.setAccounting(true);
        long elsewhere = 77 * SEC;
        int back = ConnRowExport.importRow(other, l, i, elsewhere);
        ConnRowExport.exportRow(other, back, elsewhere, l2, i2);
        assertArrayEquals(l, l2);
        assertArrayEquals(i, i2);
        assertEquals(TcpTracker.ESTABLISHED, other.tcpState(back));
        assertEquals(ref(back, REPLY), other.find(replyTuple(f), elsewhere));
    }

    @Test
    void anEntryThatExpiredLongAgoStaysDeadWhenItsTickWrapsRound() {
        // 2^32 ms (49.7 days) minus a second later, the 30 s UDP timeout's 32-bit tick looks 31 s
        // ahead: the sweep after a long jump of the clock deletes the entry before that can happen.
        ConnTable t = new ConnTable(16);
        Conntrack ct = new Conntrack(t);
        CtPacket p = new CtPacket();
        p.tuple.copyFrom(udp(CLIENT, SERVER, 5000, 53));
        assertEquals(Conntrack.IP_CT_NEW, ct.in(p, now));
        assertTrue(t.confirm(p.id, now));
        long later = now + ((1L << 32) - 1000) * 1_000_000L;
        p.reset();
        p.tuple.copyFrom(udp(SERVER, CLIENT, 53, 5000));
        assertEquals(Conntrack.IP_CT_NEW, ct.in(p, later), "the old entry is gone: the answer starts a new one");
    }

    private static Tuple replyTuple(Flow f) {
        return new Tuple(Tuple.IPPROTO_TCP, SERVER, CLIENT, f.sport, f.cport);
    }
}

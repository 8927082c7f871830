package jnat.conntrack;

import org.junit.jupiter.api.Test;

import static jnat.conntrack.Flow.SEC;
import static org.junit.jupiter.api.Assertions.*;

/** The state file's row with IPv6 connections: the IPv4 row ("JNATCT1") then the four addresses. */
class Ipv6RowExportTest {
    final Flow f = new Flow();

    Ipv6RowExportTest() {
        f.ipv6 = true;
        f.table.setAccounting(true);
        f.handshake();
        f.clientData(100);
    }

    private ConnTable restored(long[] l, int[] i, long at) {
        ConnTable t = new ConnTable(16);
        t.setAccounting(true);
        assertTrue(ConnRowExport.importRow(t, l, i, at) >= 0);
        return t;
    }

    @Test
    void ipv6TcpRowRoundTripsWithItsAddressesStateAndCounters() {
        long[] l = new long[ConnRowExport.LONGS_IPV6];
        int[] i = new int[ConnRowExport.INTS];
        assertTrue(ConnRowExport.exportRow(f.table, f.lastId, f.now, l, i));
        assertTrue(ConnRowExport.ipv6(l));
        long later = f.now + 1_000 * SEC; // another clock
        ConnTable t = restored(l, i, later);
        ConntrackPrinter p = new ConntrackPrinter().extended(true).counters(true);
        assertEquals(p.line(f.table, f.lastId, f.now), p.line(t, 0, later));
        assertEquals(ConnTable.ref(0, ConnTable.ORIGINAL),
                t.find(f.table.tuple(f.lastId, ConnTable.ORIGINAL, new Tuple()), later));
        assertEquals(ConnTable.ref(0, ConnTable.REPLY), t.find(f.table.tuple(f.lastId, ConnTable.REPLY, new Tuple()), later));
        t.checkConsistency();
    }

    @Test
    void restoredIpv6ConnectionKeepsTracking() {
        long[] l = new long[ConnRowExport.LONGS_IPV6];
        int[] i = new int[ConnRowExport.INTS];
        ConnRowExport.exportRow(f.table, f.lastId, f.now, l, i);
        Flow g = new Flow(restored(l, i, f.now));
        g.ipv6 = true;
        g.now = f.now;
        g.cseq = f.cseq;
        g.sseq = f.sseq;
        assertEquals(Conntrack.IP_CT_ESTABLISHED_REPLY, g.serverData(10));
        assertEquals(TcpTracker.ESTABLISHED, g.state());
    }

    @Test
    void ipv4RowKeepsTheOldLayoutAndLeavesTheAddressLongsAlone() {
        Flow v4 = new Flow();
        v4.handshake();
        long[] l = new long[ConnRowExport.LONGS_IPV6];
        java.util.Arrays.fill(l, -7L);
        int[] i = new int[ConnRowExport.INTS];
        ConnRowExport.exportRow(v4.table, v4.lastId, v4.now, l, i);
        assertFalse(ConnRowExport.ipv6(l));
        Tuple o = new Tuple(Tuple.IPPROTO_TCP, Flow.CLIENT, Flow.SERVER, 40000, 80);
        assertEquals(o.addrs(), l[0]);
        assertEquals(o.l4(), l[1]);
        for (int k = ConnRowExport.LONGS; k < ConnRowExport.LONGS_IPV6; k++) assertEquals(-7L, l[k]);
        assertEquals(10, ConnRowExport.LONGS);
        assertEquals(23, ConnRowExport.INTS);
    }

    @Test
    void ipv4RowOfTheOldLengthStillImports() {
        Flow v4 = new Flow();
        v4.handshake();
        long[] l = new long[ConnRowExport.LONGS];
        int[] i = new int[ConnRowExport.INTS];
        ConnRowExport.exportRow(v4.table, v4.lastId, v4.now, l, i);
        ConnTable t = new ConnTable(16);
        assertEquals(0, ConnRowExport.importRow(t, l, i, v4.now));
        assertEquals(0, t.addr6Capacity());
    }

    @Test
    void ipv6ConnectionInAnIpv4LengthRowIsAnEmptyRowThatImportSkips() {
        long[] l = new long[ConnRowExport.LONGS];
        int[] i = new int[ConnRowExport.INTS];
        assertFalse(ConnRowExport.exportRow(f.table, f.lastId, f.now, l, i));
        assertArrayEquals(new long[ConnRowExport.LONGS], l);
        assertEquals(-1, ConnRowExport.importRow(new ConnTable(16), l, i, f.now));
    }

    @Test
    void ipv6RowClashingWithALiveEntryIsRefused() {
        long[] l = new long[ConnRowExport.LONGS_IPV6];
        int[] i = new int[ConnRowExport.INTS];
        ConnRowExport.exportRow(f.table, f.lastId, f.now, l, i);
        assertEquals(-1, ConnRowExport.importRow(f.table, l, i, f.now));
    }
}

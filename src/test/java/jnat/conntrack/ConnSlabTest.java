package jnat.conntrack;

import org.junit.jupiter.api.Test;

import static jnat.conntrack.Flow.CLIENT;
import static jnat.conntrack.Flow.SEC;
import static jnat.conntrack.Flow.SERVER;
import static org.junit.jupiter.api.Assertions.*;

/** The ids' per-CPU slab (ConnSlab) seen through ConnTable: where each CPU's new entries land. */
class ConnSlabTest {
    final long now = 5 * SEC;
    int port = 1000;

    /** A new confirmed UDP entry created by {@code cpu}. */
    int add(ConnTable t, int cpu) {
        t.setCpu(cpu);
        Tuple o = new Tuple(Tuple.IPPROTO_UDP, CLIENT, SERVER, port++, 53), r = new Tuple();
        o.invert(r);
        int id = t.alloc(o, r, now);
        if (id >= 0) {
            t.refreshAcct(id, ConnTable.ORIGINAL, 60, 30 * SEC, now);
            assertTrue(t.confirm(id, now));
        }
        return id;
    }

    @Test
    void oneCpuTakesIdsInOrderAndReusesTheLastFreedFirst() {
        ConnTable t = new ConnTable(64);
        for (int i = 0; i < 20; i++) assertEquals(i, add(t, 0));
        t.kill(3);
        t.kill(7);
        assertEquals(7, add(t, 0));
        assertEquals(3, add(t, 0));
        assertEquals(20, add(t, 0));
        t.checkConsistency();
    }

    @Test
    void twoCpusEntriesNeverShareAChunk() {
        ConnTable t = new ConnTable(256);
        t.setCpus(2);
        int[] owner = new int[256 / ConnSlab.CHUNK];
        java.util.Arrays.fill(owner, -1);
        for (int i = 0; i < 100; i++) {
            int cpu = i % 2, id = add(t, cpu);
            int chunk = id / ConnSlab.CHUNK;
            if (owner[chunk] < 0) owner[chunk] = cpu;
            assertEquals(owner[chunk], cpu, "id " + id + " of CPU " + cpu + " in a chunk of CPU " + owner[chunk]);
        }
        t.checkConsistency();
    }

    @Test
    void aFreedIdGoesBackToTheCpuThatOwnsIt() {
        ConnTable t = new ConnTable(256);
        t.setCpus(2);
        add(t, 0);
        int theirs = add(t, 1);
        add(t, 1);
        t.setCpu(0); // the gc runs on another CPU than the entry's
        t.kill(theirs);
        int mine = add(t, 0);
        assertNotEquals(theirs, mine);
        assertEquals(theirs, add(t, 1));
    }

    @Test
    void aFullTableLendsOneCpuTheIdsAnotherHolds() {
        int max = 2 * ConnSlab.CHUNK;
        ConnTable t = new ConnTable(max, max, ConnTable.DEFAULT_SEED);
        t.setCpus(2);
        add(t, 0);                                                   // CPU 0 holds the first chunk, 15 ids unused
        for (int i = 0; i < ConnSlab.CHUNK; i++) assertTrue(add(t, 1) >= ConnSlab.CHUNK); // CPU 1 fills the second
        int extra = add(t, 1);
        assertTrue(extra >= 0 && extra < ConnSlab.CHUNK, "CPU 1 takes one of CPU 0's unused ids: " + extra);
        assertEquals(ConnSlab.CHUNK + 2, t.count());
        t.checkConsistency();
    }
}

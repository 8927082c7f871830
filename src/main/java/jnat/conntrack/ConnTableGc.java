package jnat.conntrack;

import static jnat.conntrack.NfConn.ALLOCATED;

/**
 * The table's reaping, nf_conntrack_core.c's gc_worker and early_drop, with the sweep a 32-bit
 * clock needs: what deletes entries nobody asked about. {@link ConnTable} keeps the entries, the
 * hash and their life cycle; this class only decides which entries go and asks the table to
 * delete them.
 */
final class ConnTableGc {
    /** How many hash slots early_drop looks at near the new tuple's slot (NF_CT_EVICTION_RANGE buckets). */
    static final int EVICTION_SCAN = 64;
    /** Half the range 32-bit ticks compare right in: a jump further than this triggers a sweep. */
    private static final long SWEEP_MS = 1L << 30;
    private static final long NS_PER_MS = 1_000_000L;

    private final ConnTable t;
    /** Where the last {@link #gc} stopped (gc_worker's bucket cursor). */
    private int gcCursor;
    /** The clock (ms) at the last full sweep; every confirmed entry then expired after it. */
    private long sweptMs;
    private boolean clockStarted;

    ConnTableGc(ConnTable t) {
        this.t = t;
    }

    /**
     * A 32-bit tick compares right only within 24 days, so when the clock has moved on by more
     * than 12 days since the last sweep (a replay across a gap, a host that slept), every
     * confirmed entry that expired meanwhile is deleted now, before its tick could wrap round and
     * look alive again.
     */
    void clock(long now) {
        long ms = Math.floorDiv(now, NS_PER_MS);
        if (!clockStarted) {
            clockStarted = true;
            sweptMs = ms;
        } else if (ms - sweptMs > SWEEP_MS) {
            sweep(ms);
        }
    }

    private void sweep(long ms) {
        t.reapDying();
        int[] ints = t.ints;
        int last = (int) sweptMs;
        for (int id = 0; id < t.highWater; id++) {
            int st = NfConn.status(ints, ConnTable.row(id));
            if ((st & (ALLOCATED | Status.CONFIRMED | Status.DYING)) != (ALLOCATED | Status.CONFIRMED)) continue;
            // Alive at the last sweep and set at most 5 days past a clock within SWEEP_MS of it:
            // the tick is ahead of that sweep by less than 2^31, so this is its true expiry.
            long expiry = sweptMs + (NfConn.timeout(ints, ConnTable.row(id)) - last);
            if (expiry <= ms) t.delete(id);
        }
        sweptMs = ms;
    }

    /**
     * gc_worker, incrementally: looks at up to {@code budget} ids from where the last call
     * stopped, deletes expired entries and, while the table is at least 95% full, entries that
     * may be early-dropped. Returns how many it deleted.
     */
    int gc(long now, int budget) {
        t.reapDying();
        int freed = 0;
        int max95 = t.max() / 100 * 95; // nf_conntrack_max95
        int tick = ConnTable.ticks(now);
        for (int n = 0; n < budget && t.highWater > 0; n++) {
            if (gcCursor >= t.highWater) gcCursor = 0;
            int id = gcCursor++;
            int st = NfConn.status(t.ints, ConnTable.row(id));
            if ((st & ALLOCATED) == 0 || (st & Status.CONFIRMED) == 0) continue;
            boolean expired = NfConn.timeout(t.ints, ConnTable.row(id)) - tick <= 0;
            if (expired || (max95 > 0 && t.count >= max95 && canEarlyDrop(id))) {
                if (!expired) t.stat().gcEarlyDrop++;
                t.delete(id);
                freed++;
            }
        }
        return freed;
    }

    /** gc_worker_can_early_drop: not ASSURED, or TCP in a closing state (tcp_can_early_drop). */
    boolean canEarlyDrop(int id) {
        if ((NfConn.status(t.ints, ConnTable.row(id)) & Status.ASSURED) == 0) return true;
        return t.protocol(id) == Tuple.IPPROTO_TCP && TcpTracker.canEarlyDrop(t.tcpState(id));
    }

    /**
     * early_drop: evicts a confirmed, unassured entry found near the new tuple's hash slot (the
     * kernel looks at the entries of NF_CT_EVICTION_RANGE buckets from the new tuple's hash).
     * Expired entries found there are reaped too.
     */
    boolean earlyDrop(long hash, long now) {
        int tick = ConnTable.ticks(now);
        int[] index = t.index, ints = t.ints;
        int i = ConnTable.home(hash, index.length);
        for (int n = 0; n < EVICTION_SCAN; n++) {
            int v = index[i];
            if (++i == index.length) i = 0;
            if (v == 0) continue;
            int id = ((v & t.refMask) - 1) >>> 1;
            int st = NfConn.status(ints, ConnTable.row(id));
            if ((st & Status.DYING) != 0) continue;
            boolean expired = NfConn.timeout(ints, ConnTable.row(id)) - tick <= 0;
            if (expired || (st & Status.ASSURED) == 0) {
                if (!expired) t.stat().earlyDrop++;
                t.delete(id);
                return true;
            }
        }
        return false;
    }
}

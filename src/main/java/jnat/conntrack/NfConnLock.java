package jnat.conntrack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * ct->lock for engine lanes running concurrently: the spinlock tcp_packet (and jnat's UDP and
 * accounting updates beside it) holds while it reads and writes one connection's row. Striped,
 * each stripe on a cache line of its own, and the stripes split in regions by the CPU (lane) whose
 * slab chunk holds the id ({@link ConnSlab#owner}): a lane's own connections lock stripes of its
 * own region, whose lines stay in its cache, as the kernel's ct->lock sits in the nf_conn the CPU
 * has in hand. With stripes by id alone, two lanes each took a line the other had just written on
 * about every other packet (JFR: 20% of a lane's samples at the lock, two workers at 4.2-4.4 M
 * packets a second each against 6.4 M with an engine each). Two ids on one stripe only wait for
 * each other. Free while lanes run one at a time (the table is then exclusive and nobody takes these).
 */
final class NfConnLock {
    private static final int REGIONS = 8, PER_REGION = 1 << 9, PAD = 16; // 16 ints: 64 bytes
    private static final VarHandle INT = MethodHandles.arrayElementVarHandle(int[].class);
    private final int[] words = new int[REGIONS * PER_REGION * PAD];
    private final ConnSlab slab;

    NfConnLock(ConnSlab slab) {
        this.slab = slab;
    }

    /**
     * Engine lanes run packets concurrently now (set under the lanes' exclusive lock): a lookup
     * then leaves an expired entry to the gc (not found), and whatever would change the table
     * itself (an entry made, confirmed, killed, freed) is a bug that throws.
     */
    boolean concurrent;

    /** The stripe's word: the region of the id's owner (which changes only under the exclusive lock), the id within it. */
    private int word(int id) {
        return ((slab.owner(id) & (REGIONS - 1)) * PER_REGION + (id & (PER_REGION - 1))) * PAD;
    }

    /** Takes connection {@code id}'s stripe; returns it for {@link #unlock}. */
    int lock(int id) {
        int i = word(id);
        while (!INT.compareAndSet(words, i, 0, 1)) {
            while ((int) INT.getOpaque(words, i) != 0) Thread.onSpinWait();
        }
        return i;
    }

    /** Releases the stripe {@link #lock} returned. */
    void unlock(int stripe) {
        INT.setRelease(words, stripe, 0);
    }
}

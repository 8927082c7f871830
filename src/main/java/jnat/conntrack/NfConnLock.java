package jnat.conntrack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * ct->lock for engine lanes running concurrently: the spinlock tcp_packet (and jnat's UDP and
 * accounting updates beside it) holds while it reads and writes one connection's row. Striped by
 * id, each stripe on a cache line of its own, so two lanes working on different connections do not
 * share a line; two ids on one stripe only wait for each other. Free while lanes run one at a time
 * (the table is then exclusive and nobody takes these).
 */
final class NfConnLock {
    private static final int STRIPES = 1 << 12, PAD = 16; // 16 ints: 64 bytes
    private static final VarHandle INT = MethodHandles.arrayElementVarHandle(int[].class);
    private final int[] words = new int[STRIPES * PAD];

    /**
     * Engine lanes run packets concurrently now (set under the lanes' exclusive lock): a lookup
     * then leaves an expired entry to the gc (not found), and whatever would change the table
     * itself (an entry made, confirmed, killed, freed) is a bug that throws.
     */
    boolean concurrent;

    void lock(int id) {
        int i = (id & (STRIPES - 1)) * PAD;
        while (!INT.compareAndSet(words, i, 0, 1)) {
            while ((int) INT.getOpaque(words, i) != 0) Thread.onSpinWait();
        }
    }

    void unlock(int id) {
        INT.setRelease(words, (id & (STRIPES - 1)) * PAD, 0);
    }
}

package jnat.conntrack;

import java.util.Arrays;

/**
 * nf_conntrack_acct.c's extension (struct nf_conn_acct): packets and bytes per direction, four
 * longs per id (packets ORIGINAL, REPLY, then bytes), kept only while net.netfilter.nf_conntrack_acct
 * is on. As in the kernel, connections made while it was off have none (they read 0).
 */
final class NfConntrackAcct {
    private long[] counters;

    void set(boolean on, int capacity) {
        if (on && counters == null) counters = new long[capacity * 4];
        else if (!on) counters = null;
    }

    boolean on() {
        return counters != null;
    }

    /** The counters (null while off), for a batch's touch. */
    long[] array() {
        return counters;
    }

    /** nf_ct_acct_update: one packet of {@code length} bytes in direction {@code dir}. */
    void count(int id, int dir, int length) {
        long[] c = counters;
        if (c == null) return;
        c[id * 4 + dir]++;
        c[id * 4 + 2 + dir] += length;
    }

    long packets(int id, int dir) { return counters == null ? 0 : counters[id * 4 + dir]; }
    long bytes(int id, int dir) { return counters == null ? 0 : counters[id * 4 + 2 + dir]; }

    void put(int id, int dir, long packets, long bytes) {
        if (counters == null) return;
        counters[id * 4 + dir] = packets;
        counters[id * 4 + 2 + dir] = bytes;
    }

    void clear(int id) {
        if (counters != null) Arrays.fill(counters, id * 4, id * 4 + 4, 0L);
    }

    void grow(int capacity) {
        if (counters != null) counters = Arrays.copyOf(counters, capacity * 4);
    }
}

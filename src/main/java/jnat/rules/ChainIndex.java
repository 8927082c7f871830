package jnat.rules;

import java.util.Arrays;
import java.util.List;

/**
 * A hash over a chain's long runs of rules that match on exactly one destination address, a
 * protocol (tcp or udp) and one destination port, and nothing else but comments: the shape of
 * kube-proxy's KUBE-SERVICES. A walk entering such a run looks up the packet's (address,
 * protocol, port) and goes straight to the first rule of the run with that key, or past the run:
 * the same rule the linear walk would find, the same counters, found in one probe instead of
 * thousands. This is where jnat differs from iptables on purpose (speed, not behaviour).
 */
final class ChainIndex {
    /** Tests turn it off to compare with the plain linear walk. */
    static boolean enabled = true;

    /** Shorter runs are walked linearly: the hash costs more than it saves. */
    static final int MIN_RUN = 16;

    /** For rule i: the end (exclusive) of the indexed run holding it, or 0. */
    final int[] runEnd;
    /**
     * Slot s is {@code slots[2s]}, its key (0: empty; a key's protocol is never 0), and
     * {@code slots[2s + 1]}, the key's first rule {@code << 32 |} the index in {@link #more} of its
     * other rules (-1: none): one cache line read per lookup, for the key and where it goes.
     */
    private long[] slots;
    /** The rules after the first of a key that more than one rule has, in order. */
    private int[][] more = new int[0][];
    private int mask;

    private ChainIndex(int n) {
        runEnd = new int[n];
    }

    /** The index of {@code rules}, or null when no run is long enough. */
    static ChainIndex build(List<Rule> rules) {
        int n = rules.size();
        ChainIndex idx = new ChainIndex(n);
        int indexed = 0;
        for (int i = 0; i < n; ) {
            if (key(rules.get(i)) == NOT_INDEXABLE) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && key(rules.get(end)) != NOT_INDEXABLE) end++;
            if (end - i >= MIN_RUN) {
                Arrays.fill(idx.runEnd, i, end, end);
                indexed += end - i;
            }
            i = end;
        }
        if (indexed == 0) return null;
        int cap = Integer.highestOneBit(Math.max(indexed, 8) * 2) * 2;
        idx.slots = new long[2 * cap];
        idx.mask = cap - 1;
        for (int i = 0; i < n; i++) {
            if (idx.runEnd[i] != 0) idx.add(key(rules.get(i)), i);
        }
        return idx;
    }

    static final long NOT_INDEXABLE = -1L;

    /** The rule's key {@code dst << 32 | proto << 16 | dport}, or NOT_INDEXABLE. */
    static long key(Rule r) {
        if (r.ipv6) return NOT_INDEXABLE; // the key holds a 32-bit address
        if (r.dstMask != -1 || r.srcMask != 0 || r.invflags != 0 || r.fragment) return NOT_INDEXABLE;
        if (!r.inIface.isEmpty() || !r.outIface.isEmpty()) return NOT_INDEXABLE;
        if (r.proto != 6 && r.proto != 17) return NOT_INDEXABLE;
        PortMatch port = null;
        for (Match m : r.matches) {
            if (m instanceof CommentMatch) continue;
            if (m instanceof PortMatch p && port == null) {
                port = p;
                continue;
            }
            return NOT_INDEXABLE;
        }
        if (port == null || port.invflags != 0 || port.flagMask != 0 || port.srcMin != 0 || port.srcMax != 65535
                || port.dstMin != port.dstMax) {
            return NOT_INDEXABLE;
        }
        return keyOf(r.dst, r.proto, port.dstMin);
    }

    static long keyOf(int dst, int proto, int dport) {
        return (long) dst << 32 | (long) (proto & 0xff) << 16 | (dport & 0xffff);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    private void add(long key, int position) {
        int s = slot(key);
        while (slots[2 * s] != 0 && slots[2 * s] != key) s = (s + 1) & mask;
        if (slots[2 * s] == 0) {
            slots[2 * s] = key;
            slots[2 * s + 1] = (long) position << 32 | 0xffffffffL;
            return;
        }
        int m = (int) slots[2 * s + 1];
        if (m < 0) {
            m = more.length;
            more = Arrays.copyOf(more, m + 1);
            more[m] = new int[0];
            slots[2 * s + 1] = slots[2 * s + 1] & ~0xffffffffL | m;
        }
        int[] p = Arrays.copyOf(more[m], more[m].length + 1);
        p[p.length - 1] = position;
        more[m] = p;
    }

    /**
     * Where the walk at rule {@code i} (inside an indexed run) goes for a packet with this key: the
     * first rule at or after {@code i} in the run with the key, else the end of the run.
     */
    int next(int i, long key) {
        int end = runEnd[i];
        long[] t = slots;
        for (int s = slot(key); ; s = (s + 1) & mask) {
            long k = t[2 * s];
            if (k == 0) return end;
            if (k != key) continue;
            long v = t[2 * s + 1];
            int q = (int) (v >>> 32), m = (int) v;
            if (q >= i) return q < end ? q : end;
            if (m >= 0) for (int r : more[m]) {
                if (r >= i) return r < end ? r : end;
            }
            return end;
        }
    }
}

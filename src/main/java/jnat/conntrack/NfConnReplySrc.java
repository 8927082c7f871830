package jnat.conntrack;

import java.util.Arrays;

/**
 * The reply tuple's source address, out of the row: a row keeps the reply's destination and ports
 * only, its source being the original's destination until DNAT (or conntrack -I) makes it another.
 * What differs is kept here as {@code reply.src ^ original.dst} by id (0: the same), in a side array
 * made with the first connection whose reply source moved, so a table of masqueraded connections
 * spends nothing on it. For IPv6 the values are the addresses' folds, as in the row.
 */
final class NfConnReplySrc {
    private int[] xor;

    /** reply.src ^ original.dst of connection {@code id}. */
    int get(int id) {
        int[] x = xor;
        return x == null ? 0 : x[id];
    }

    void set(int id, int diff, int capacity) {
        if (xor == null) {
            if (diff == 0) return;
            xor = new int[capacity];
        }
        xor[id] = diff;
    }

    void clear(int id) {
        if (xor != null) xor[id] = 0;
    }

    void grow(int capacity) {
        if (xor != null) xor = Arrays.copyOf(xor, capacity);
    }

    boolean allocated() {
        return xor != null;
    }
}

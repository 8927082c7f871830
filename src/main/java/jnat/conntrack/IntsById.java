package jnat.conntrack;

import java.util.Arrays;

/**
 * One int per connection id kept beside the rows, in an array made with the first id given a value
 * other than 0 (nf_ct_ext_add's on-demand allocation): until then every id reads 0, and a table
 * that never needs the value spends nothing on it. ct->mark and the reply's moved source are two
 * ({@link NfConntrackExtend}).
 */
final class IntsById {
    private int[] values;

    int get(int id) {
        int[] v = values;
        return v == null ? 0 : v[id];
    }

    void set(int id, int value, int capacity) {
        if (values == null) {
            if (value == 0) return;
            values = new int[capacity];
        }
        values[id] = value;
    }

    void clear(int id) {
        if (values != null) values[id] = 0;
    }

    void grow(int capacity) {
        if (values != null) values = Arrays.copyOf(values, capacity);
    }

    boolean allocated() {
        return values != null;
    }

    /** The array itself (null until made), for a batch's touch. */
    int[] array() {
        return values;
    }
}

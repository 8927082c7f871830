package jnat.conntrack;

import java.util.Arrays;

/**
 * nf_conntrack_labels.c: each connection's 128 label bits (2 longs by id), allocated with the
 * first rule that uses labels (nf_connlabels_get); until then no connection has any.
 */
final class NfConntrackLabels {
    private long[] labels;

    /** nf_connlabels_get: from now on connections carry labels. */
    void use(int capacity) {
        if (labels == null) labels = new long[capacity * 2];
    }

    boolean used() {
        return labels != null;
    }

    /** test_bit(bit, labels->bits); false while no rule uses labels. */
    boolean test(int id, int bit) {
        return labels != null && (labels[id * 2 + (bit >>> 6)] & 1L << (bit & 63)) != 0;
    }

    /** set_bit(bit, labels->bits); nothing while no rule uses labels. */
    void set(int id, int bit) {
        if (labels != null) labels[id * 2 + (bit >>> 6)] |= 1L << (bit & 63);
    }

    void clear(int id) {
        if (labels != null) Arrays.fill(labels, id * 2, id * 2 + 2, 0L);
    }

    void grow(int capacity) {
        if (labels != null) labels = Arrays.copyOf(labels, capacity * 2);
    }
}

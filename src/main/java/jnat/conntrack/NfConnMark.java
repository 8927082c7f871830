package jnat.conntrack;

import java.util.Arrays;

/**
 * ct->mark (CONFIG_NF_CONNTRACK_MARK), out of the row: a side array by id made with the first
 * connection given a mark other than 0, so a table whose rulesets never set one (CONNMARK,
 * conntrack -U --mark, nft's ct mark set) spends nothing on it; until then every mark reads 0.
 */
final class NfConnMark {
    private int[] marks;

    int get(int id) {
        int[] m = marks;
        return m == null ? 0 : m[id];
    }

    void set(int id, int mark, int capacity) {
        if (marks == null) {
            if (mark == 0) return;
            marks = new int[capacity];
        }
        marks[id] = mark;
    }

    void clear(int id) {
        if (marks != null) marks[id] = 0;
    }

    void grow(int capacity) {
        if (marks != null) marks = Arrays.copyOf(marks, capacity);
    }

    boolean allocated() {
        return marks != null;
    }
}

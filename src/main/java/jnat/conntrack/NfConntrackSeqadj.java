package jnat.conntrack;

import java.util.Arrays;

/**
 * nf_conntrack_seqadj.c's state: struct nf_conn_seqadj, per direction the sequence number where
 * the offset changed (correction_pos) and the offsets before and after it, for the connections
 * whose sequence numbers a middlebox shifts (SYNPROXY's cookie ISN against the server's). Kept by
 * id in a side array made with the first such connection, as the extension is added only to them.
 * The packet's half (nf_ct_seq_adjust, at the confirm hook) is the engine's; conntrack reads
 * {@link #offset} in tcp_in_window.
 */
public final class NfConntrackSeqadj {
    private static final int CORRECTION_POS = 0, OFFSET_BEFORE = 1, OFFSET_AFTER = 2, WAY = 3, PER_ID = 2 * WAY;

    private int[] seq;

    private int at(int id, int dir) {
        return id * PER_ID + dir * WAY;
    }

    /** nf_ct_seqadj_init's stores (the caller sets IPS_SEQ_ADJUST): both offsets of direction {@code dir} are {@code off}. */
    void init(int id, int dir, int off, int capacity) {
        if (seq == null) seq = new int[capacity * PER_ID];
        int w = at(id, dir);
        seq[w + OFFSET_BEFORE] = off;
        seq[w + OFFSET_AFTER] = off;
    }

    /** nf_ct_seq_offset: the offset for sequence number {@code s} in direction {@code dir} (0 without the extension). */
    public int offset(int id, int dir, int s) {
        if (seq == null) return 0;
        int w = at(id, dir);
        return s - seq[w + CORRECTION_POS] > 0 ? seq[w + OFFSET_AFTER] : seq[w + OFFSET_BEFORE];
    }

    public int correctionPos(int id, int dir) { return seq == null ? 0 : seq[at(id, dir) + CORRECTION_POS]; }
    public int offsetBefore(int id, int dir) { return seq == null ? 0 : seq[at(id, dir) + OFFSET_BEFORE]; }
    public int offsetAfter(int id, int dir) { return seq == null ? 0 : seq[at(id, dir) + OFFSET_AFTER]; }

    void clear(int id) {
        if (seq != null) Arrays.fill(seq, id * PER_ID, (id + 1) * PER_ID, 0);
    }

    void grow(int capacity) {
        if (seq != null) seq = Arrays.copyOf(seq, capacity * PER_ID);
    }
}

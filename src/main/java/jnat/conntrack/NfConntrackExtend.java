package jnat.conntrack;

/**
 * nf_conntrack_extend.c's side of {@link ConnTable}: what a connection carries only when something
 * uses it, each kept by id beside the rows and made with its first use, so rows do not grow for
 * what few rulesets need. A new id's extensions are cleared ({@link #clear}) before its row is
 * filled, and all of them grow with the table.
 */
final class NfConntrackExtend {
    /** nf_conn_acct: packets and bytes per direction, while nf_conntrack_acct is on. */
    final NfConntrackAcct acct = new NfConntrackAcct();
    /** nf_conn_labels, once a rule uses labels. */
    final NfConntrackLabels labels = new NfConntrackLabels();
    /** The zone (nf_ct_zone), from the first connection outside zone 0. */
    final NfConntrackZones zones = new NfConntrackZones();
    /** nf_conn_seqadj and nf_conn_synproxy, for SYNPROXY's connections. */
    final NfConntrackSeqadj seqadj = new NfConntrackSeqadj();
    final NfConntrackSynproxy synproxy = new NfConntrackSynproxy();
    /** ct->mark, from the first connection given one (the row has no room for it). */
    final IntsById marks = new IntsById();
    /**
     * The reply tuple's source where DNAT (or conntrack -I) moved it, as reply.src ^ original.dst
     * (0: the same): the row keeps only the reply's destination and ports.
     */
    final IntsById replySrc = new IntsById();
    /** nf_conn_nat's masq_index: the devices of the rows' 6-bit slots, and past them by id. */
    final NfConnNatMasq masq = new NfConnNatMasq();

    /** A new id: nothing left of its earlier holder (the reply source is set with the tuples). */
    void clear(int id) {
        acct.clear(id);
        labels.clear(id);
        zones.clear(id);
        seqadj.clear(id);
        synproxy.clear(id);
        marks.clear(id);
        replySrc.clear(id);
    }

    void grow(int capacity) {
        acct.grow(capacity);
        labels.grow(capacity);
        zones.grow(capacity);
        seqadj.grow(capacity);
        synproxy.grow(capacity);
        marks.grow(capacity);
        replySrc.grow(capacity);
        masq.grow(capacity);
    }

    /**
     * A batch's touch of what a found connection's packet reads beside its row, in loops of loads
     * alone over {@code ids[0, n)} (-1: none): where DNAT moved its reply source (nf_nat_packet's
     * destination manip reads it), its ct->mark (CONNMARK --restore-mark, -m connmark) and its
     * counters (nf_ct_acct_update), each only once its array exists.
     */
    long touch(int[] ids, int n) {
        long t = 0;
        int[] moved = replySrc.array(), mark = marks.array();
        long[] counters = acct.array();
        if (moved != null) for (int k = 0; k < n; k++) if (ids[k] >= 0) t += moved[ids[k]];
        if (mark != null) for (int k = 0; k < n; k++) if (ids[k] >= 0) t += mark[ids[k]];
        if (counters != null) for (int k = 0; k < n; k++) if (ids[k] >= 0) t += counters[ids[k] * 4];
        return t;
    }

    /** Bytes the int-per-id extensions hold per connection id (the counters' 32 when accounting is on). */
    double bytesPerConnection() {
        return (acct.on() ? 32 : 0) + (marks.allocated() ? 4 : 0) + (masq.overflowAllocated() ? 4 : 0)
                + (replySrc.allocated() ? 4 : 0);
    }
}

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

    /** Bytes the int-per-id extensions hold per connection id (the counters' 32 when accounting is on). */
    double bytesPerConnection() {
        return (acct.on() ? 32 : 0) + (marks.allocated() ? 4 : 0) + (masq.overflowAllocated() ? 4 : 0)
                + (replySrc.allocated() ? 4 : 0);
    }
}

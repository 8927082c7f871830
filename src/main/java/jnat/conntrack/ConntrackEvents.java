package jnat.conntrack;

/**
 * nf_conntrack_ecache: what ctnetlink tells {@code conntrack -E}. The kernel caches a connection's
 * event bits while a packet changes it and delivers them when the packet passes the confirm hook
 * (nf_ct_deliver_cached_events); a new connection's NEW when it is confirmed; DESTROY when the entry
 * leaves the table (timeout, conntrack -D/-F, a kill from the packet path, early drop). Each call
 * comes while the entry is still whole, so a listener can print it.
 */
@FunctionalInterface
public interface ConntrackEvents {
    /** enum ip_conntrack_events, as bit numbers. */
    int IPCT_NEW = 0, IPCT_RELATED = 1, IPCT_DESTROY = 2, IPCT_REPLY = 3, IPCT_ASSURED = 4, IPCT_PROTOINFO = 5,
            IPCT_HELPER = 6, IPCT_MARK = 7, IPCT_SEQADJ = 8, IPCT_SECMARK = 9, IPCT_LABEL = 10, IPCT_SYNPROXY = 11;

    /** The {@code events} bits (1 << IPCT_*) of entry {@code id} of {@code table} (the listener knows the time). */
    void event(int events, ConnTable table, int id);

    /** ctnetlink's message kind for a set of bits: DESTROY, NEW (NEW or RELATED) or UPDATE (anything else). */
    static String kind(int events) {
        if ((events & 1 << IPCT_DESTROY) != 0) return "DESTROY";
        if ((events & (1 << IPCT_NEW | 1 << IPCT_RELATED)) != 0) return "NEW";
        return "UPDATE";
    }
}

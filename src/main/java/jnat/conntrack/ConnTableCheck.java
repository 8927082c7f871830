package jnat.conntrack;

/** The hash's invariants, checked by tests after a table has been through its paces ({@link ConnTable#checkConsistency}). */
final class ConnTableCheck {
    private ConnTableCheck() {}

    /** Every live entry's two refs are in the hash exactly once and nothing else is; throws when not. */
    static void check(ConnTable t) {
        int inIndex = 0;
        for (int i = 0; i < t.index.length; i++) {
            int v = t.index[i];
            if (v == 0) continue;
            inIndex++;
            int ref = (v & t.refMask) - 1, id = ref >>> 1;
            if (!t.inUse(id) || (NfConn.status(t.ints, ConnTable.row(id)) & (Status.CONFIRMED | Status.DYING)) != Status.CONFIRMED) {
                throw new IllegalStateException("hash slot " + i + " holds ref " + ref + " of a dead or unconfirmed entry");
            }
            if ((v & t.tagMask) != ((int) t.hashOf(ref) & t.tagMask)) throw new IllegalStateException("slot " + i + ": wrong tag");
            if (!reachable(t, ref)) throw new IllegalStateException("ref " + ref + " unreachable from its home slot");
        }
        int live = 0, allocated = 0;
        for (int id = 0; id < t.highWater; id++) {
            if ((NfConn.status(t.ints, ConnTable.row(id)) & NfConn.ALLOCATED) == 0) continue;
            allocated++;
            if ((NfConn.status(t.ints, ConnTable.row(id)) & (Status.CONFIRMED | Status.DYING)) == Status.CONFIRMED) live++;
        }
        if (inIndex != 2 * live) throw new IllegalStateException("hash holds " + inIndex + " refs for " + live + " entries");
        if (allocated != t.count) throw new IllegalStateException("count " + t.count + " but " + allocated + " allocated");
    }

    /** Whether probing from the ref's home slot meets the ref before an empty slot. */
    private static boolean reachable(ConnTable t, int ref) {
        int i = ConnTable.home(t.hashOf(ref), t.index.length);
        int v;
        while ((v = t.index[i]) != 0) {
            if ((v & t.refMask) == ref + 1) return true;
            if (++i == t.index.length) i = 0;
        }
        return false;
    }
}

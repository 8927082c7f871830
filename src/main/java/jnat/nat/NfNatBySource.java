package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.NfConntrackZones;
import jnat.conntrack.Tuple;

/**
 * nf_nat_bysource (net/netfilter/nf_nat_core.c): the source-NATed connections by original source,
 * so that {@code find_appropriate_src} can give a source the mapping it already has. The kernel
 * chains each nf_conn into hlist buckets; here it is one open-addressed int array (linear probing,
 * backward-shift deletion) sized to the table's {@link ConnTable#hashCapacity()} at a load of at
 * most 4/5, about 5 bytes per connection and nothing in the rows. A slot holds the id + 1 in its
 * low bits and, above them, bits of the source's hash the slot number does not use (0: empty), so
 * a lookup that finds nothing reads only this array, never a row.
 *
 * <p>Order: the kernel adds at the chain's head (hlist_add_head_rcu) and takes the first fitting
 * entry, the newest. A new entry goes to the end of its probe run, and backward-shift deletion
 * moves entries of one source only towards their home, never past each other, so along a run the
 * entries of one source stay oldest first; a walk ({@link #first}, {@link #next}) finds the run's
 * last candidate and goes back from there to the home slot, newest first.
 *
 * <p>Single-threaded, as the engine that owns it; the walk's cursor is state of this object.
 */
final class NfNatBySource {
    private final ConnTable table;
    /** Bits of a slot holding id + 1 (enough for the table's max), and the tag bits above them. */
    private final int idMask, tagMask;
    private int[] slots = new int[0];

    // the walk in progress
    private Tuple key;
    private int keyZone, keyTag, home, at;

    NfNatBySource(ConnTable table) {
        this.table = table;
        int idBits = 32 - Integer.numberOfLeadingZeros(table.max()); // holds id + 1 <= max
        this.idMask = idBits >= 32 ? -1 : (1 << idBits) - 1;
        this.tagMask = ~idMask;
    }

    /**
     * hash_by_src: a source's hash (address, port or ICMP id, protocol and family: l3num is in the
     * kernel's hashed nf_conntrack_man); an IPv6 source hashes by its fold. The slot is the high
     * half scaled to the size, the tag the low half's top bits.
     */
    static long hash(int protoFamily, int src, int srcPort) {
        long h = ((long) src << 32 | (long) (protoFamily & 0x1ff) << 16 | (srcPort & 0xffff)) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ h >>> 32;
    }

    private static int home(long h, int size) {
        return (int) (((h >>> 32) * size) >>> 32);
    }

    /** The hash of a filed connection, from its row. */
    private long hashOf(int id) {
        int o = ConnTable.ORIGINAL;
        return hash((int) (table.tupleL4(ConnTable.ref(id, o)) >>> 32), table.srcAddr(id, o), table.srcPort(id, o));
    }

    /**
     * A batch's touch (ConntrackHook.touch): the home slot of each of {@code hashes[0, n)} (0: none)
     * read, so the lookups of the batch's new connections find them in cache; returns what it read.
     */
    long touch(long[] hashes, int n) {
        int[] s = slots;
        int size = s.length;
        if (size == 0) return 0;
        long t = 0;
        for (int k = 0; k < n; k++) if (hashes[k] != 0) t += s[home(hashes[k], size)];
        return t;
    }

    /** Slots for {@code cap} connections at a load of at most 4/5. */
    static int sizeFor(int cap) {
        return (int) Math.max(16, (5L * cap + 3) / 4);
    }

    /** Files connection {@code id} by its original source, as the newest of that source. */
    void add(int id) {
        int size = sizeFor(table.hashCapacity());
        if (slots.length < size) rebuild(size);
        put(slots, hashOf(id), id);
    }

    private void put(int[] s, long h, int id) {
        int size = s.length, i = home(h, size);
        while (s[i] != 0) if (++i == size) i = 0;
        s[i] = (int) h & tagMask | id + 1;
    }

    /**
     * Refiles every entry into {@code size} slots. Each run is walked from its start (just after
     * an empty slot: there is always one), so the entries of one source are put back oldest first.
     */
    private void rebuild(int size) {
        int[] old = slots, s = new int[size];
        int n = old.length, start = 0;
        while (start < n && old[start] != 0) start++;
        for (int k = 0; k < n; k++) {
            int i = start + k < n ? start + k : start + k - n;
            int w = old[i];
            if (w != 0) {
                int id = (w & idMask) - 1;
                put(s, hashOf(id), id);
            }
        }
        slots = s;
    }

    /** Whether {@code id} is filed (its slot is looked for in its run). */
    boolean contains(int id) {
        return slotOf(id) >= 0;
    }

    private int slotOf(int id) {
        int size = slots.length;
        if (size == 0) return -1;
        long h = hashOf(id);
        int v = (int) h & tagMask | id + 1;
        for (int i = home(h, size); slots[i] != 0; i = i + 1 == size ? 0 : i + 1) {
            if (slots[i] == v) return i;
        }
        return -1;
    }

    /** Unfiles {@code id}; nothing if it is not filed. Backward-shift deletion keeps every run whole. */
    void remove(int id) {
        int i = slotOf(id);
        if (i < 0) return;
        int size = slots.length;
        for (int j = i; ; ) {
            if (++j == size) j = 0;
            int w = slots[j];
            if (w == 0) break;
            int k = home(hashOf((w & idMask) - 1), size);
            boolean movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
            if (movable) {
                slots[i] = w;
                i = j;
            }
        }
        slots[i] = 0;
    }

    /**
     * Starts find_appropriate_src's walk: the first (newest) filed connection with {@code t}'s
     * original source in zone {@code zone} (its ORIGINAL direction's id), or -1. {@code t} must not
     * change until the walk ends.
     */
    int first(Tuple t, int zone) {
        int size = slots.length;
        if (size == 0) return -1;
        long h = hash((int) (t.l4() >>> 32), t.src, t.srcPort);
        int tag = (int) h & tagMask, start = home(h, size), last = -1;
        // forward to the run's end, only the slots read: the run's last candidate
        for (int i = start, w; (w = slots[i]) != 0; i = i + 1 == size ? 0 : i + 1) {
            if ((w & tagMask) == tag) last = i;
        }
        if (last < 0) return -1;
        key = t;
        keyZone = NfConntrackZones.id(zone, ConnTable.ORIGINAL);
        keyTag = tag;
        home = start;
        at = last;
        return match(slots[last]) ? (slots[last] & idMask) - 1 : next();
    }

    /** The next older connection of the walk's source and zone, or -1. */
    int next() {
        int size = slots.length;
        while (at != home) {
            at = at == 0 ? size - 1 : at - 1;
            int w = slots[at];
            if ((w & tagMask) == keyTag && match(w)) return (w & idMask) - 1;
        }
        return -1;
    }

    /** A candidate's row: same_src, then nf_ct_zone_equal(ct, zone, IP_CT_DIR_ORIGINAL). */
    private boolean match(int w) {
        int id = (w & idMask) - 1;
        return sameSource(id, key) && NfConntrackZones.id(table.zone(id), ConnTable.ORIGINAL) == keyZone;
    }

    /** same_src: does connection {@code id} have this original source (all 128 bits for IPv6)? */
    private boolean sameSource(int id, Tuple t) {
        int o = ConnTable.ORIGINAL;
        if (table.srcAddr(id, o) != t.src || table.srcPort(id, o) != t.srcPort || table.protocol(id) != t.protocol
                || table.family(id) != t.family) {
            return false;
        }
        return !t.ipv6() || table.srcHi(id, o) == t.srcHi && table.srcLo(id, o) == t.srcLo;
    }

    /** Slots in the index (tests). */
    int length() {
        return slots.length;
    }

    /** Filed connections (tests; walks the array). */
    int size() {
        int n = 0;
        for (int w : slots) if (w != 0) n++;
        return n;
    }
}

package jnat.rules;

/**
 * nf_conncount.c: lists of connection tuples by key (a masked address), one per -m connlimit
 * rule, in primitive arrays so that counting a packet allocates nothing once the tables have
 * grown to the rule's keys and connections (the kernel allocates a tree node per new key and a
 * list entry per new connection; here the arrays double instead, rarely). A key is an open
 * addressed slot holding the head, tail and length of its list; a list entry (a connection's tuple
 * and the zone it is looked up in) is a node in a pool
 * with a free list. Entries of connections that are gone or closed are dropped as a list is
 * walked, at most {@link #GC_MAX_NODES} a walk (CONNCOUNT_GC_MAX_NODES); an empty key stays in
 * its slot until the table grows (the kernel's tree_gc_worker frees it later too).
 */
final class NfConncount {
    static final int GC_MAX_NODES = 8;
    private static final int NONE = -1;

    // keys: open addressing, linear probing; a slot is used when keyUsed[i]
    private long[] keyHi = new long[16], keyLo = new long[16];
    private boolean[] keyUsed = new boolean[16];
    private int[] head = new int[16], tail = new int[16], length = new int[16];
    private int keys;

    // list entries: a connection's original tuple and the next entry of its list
    private int[] proto = new int[16], ports = new int[16], next = new int[16], zones = new int[16];
    private long[] srcHi = new long[16], srcLo = new long[16], dstHi = new long[16], dstLo = new long[16];
    private int nodes, free = NONE;

    /**
     * count_tree for one key: walks the key's list (nf_conncount's __nf_conncount_add), dropping
     * the gone and closed, adds the tuple unless it is there, and returns how many the list holds.
     */
    int add(PacketContext ctx, boolean ipv6, long kHi, long kLo,
            int p, long sHi, long sLo, long dHi, long dLo, int sport, int dport, int zone) {
        int k = slot(kHi, kLo);
        if (!keyUsed[k]) {
            if (2 * (keys + 1) > keyUsed.length) {
                growKeys();
                k = slot(kHi, kLo);
            }
            keyUsed[k] = true;
            keyHi[k] = kHi;
            keyLo[k] = kLo;
            head[k] = tail[k] = NONE;
            length[k] = 0;
            keys++;
        }
        int packedPorts = sport << 16 | dport & 0xFFFF;
        int collect = 0, prev = NONE;
        for (int n = head[k]; n != NONE; ) {
            if (collect > GC_MAX_NODES) break;
            int after = next[n];
            int found = ctx.ctFindTuple(ipv6, proto[n], srcHi[n], srcLo[n], dstHi[n], dstLo[n], ports[n] >>> 16, ports[n] & 0xFFFF, zones[n]);
            if (found == PacketContext.CONN_GONE) {
                unlink(k, prev, n); // find_or_evict: jnat's one engine is always the cpu that added it
                collect++;
                n = after;
                continue;
            }
            // the tuple alone: the kernel's zone test here, nf_ct_zone_id(zone, zone->dir), is always 0
            if (proto[n] == p && ports[n] == packedPorts && srcHi[n] == sHi && srcLo[n] == sLo
                    && dstHi[n] == dHi && dstLo[n] == dLo) {
                return length[k];
            }
            if (found == PacketContext.CONN_CLOSED) {
                unlink(k, prev, n);
                collect++;
                n = after;
                continue;
            }
            prev = n;
            n = after;
        }
        int n = newNode();
        proto[n] = p;
        ports[n] = packedPorts;
        srcHi[n] = sHi;
        srcLo[n] = sLo;
        dstHi[n] = dHi;
        dstLo[n] = dLo;
        zones[n] = zone;
        next[n] = NONE;
        if (tail[k] == NONE) head[k] = n;
        else next[tail[k]] = n;
        tail[k] = n;
        return ++length[k];
    }

    /** How many keys hold a list (for tests). */
    int keys() {
        int live = 0;
        for (int i = 0; i < keyUsed.length; i++) if (keyUsed[i] && length[i] > 0) live++;
        return live;
    }

    private void unlink(int k, int prev, int n) {
        int after = next[n];
        if (prev == NONE) head[k] = after;
        else next[prev] = after;
        if (tail[k] == n) tail[k] = prev;
        length[k]--;
        next[n] = free;
        free = n;
    }

    private int slot(long hi, long lo) {
        int m = keyUsed.length - 1;
        for (int i = mix(hi, lo) & m; ; i = (i + 1) & m) {
            if (!keyUsed[i] || keyHi[i] == hi && keyLo[i] == lo) return i;
        }
    }

    private static int mix(long hi, long lo) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }

    /** Doubles the key table, leaving the empty keys behind. */
    private void growKeys() {
        long[] oldHi = keyHi, oldLo = keyLo;
        boolean[] oldUsed = keyUsed;
        int[] oldHead = head, oldTail = tail, oldLength = length;
        int size = oldUsed.length * 2;
        keyHi = new long[size];
        keyLo = new long[size];
        keyUsed = new boolean[size];
        head = new int[size];
        tail = new int[size];
        length = new int[size];
        keys = 0;
        for (int i = 0; i < oldUsed.length; i++) {
            if (!oldUsed[i] || oldLength[i] == 0) continue;
            int k = slot(oldHi[i], oldLo[i]);
            keyUsed[k] = true;
            keyHi[k] = oldHi[i];
            keyLo[k] = oldLo[i];
            head[k] = oldHead[i];
            tail[k] = oldTail[i];
            length[k] = oldLength[i];
            keys++;
        }
    }

    private int newNode() {
        if (free != NONE) {
            int n = free;
            free = next[n];
            return n;
        }
        if (nodes == proto.length) {
            int size = nodes * 2;
            proto = java.util.Arrays.copyOf(proto, size);
            ports = java.util.Arrays.copyOf(ports, size);
            next = java.util.Arrays.copyOf(next, size);
            zones = java.util.Arrays.copyOf(zones, size);
            srcHi = java.util.Arrays.copyOf(srcHi, size);
            srcLo = java.util.Arrays.copyOf(srcLo, size);
            dstHi = java.util.Arrays.copyOf(dstHi, size);
            dstLo = java.util.Arrays.copyOf(dstLo, size);
        }
        return nodes++;
    }
}

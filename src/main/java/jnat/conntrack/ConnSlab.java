package jnat.conntrack;

import java.util.Arrays;

/**
 * The conntrack ids' allocator, as nf_conntrack_cachep's per-CPU slab caches are: each CPU (a
 * gateway lane) takes new ids in chunks of its own and gets back the ids it handed out, so the
 * rows two lanes write for their connections do not share cache lines. With one CPU it is the
 * plain free list and high-water mark it replaced: ids in order, freed ones reused last-in first.
 *
 * <p>A free id is linked through its row's free link ({@link NfConn#freeLink}), so the lists cost
 * no memory; with more than one CPU a byte per chunk records which CPU owns it.
 */
final class ConnSlab {

    /** Ids a CPU takes at a time: 16 rows of 84 B are 21 cache lines, so only a chunk's edges are shared. */
    static final int CHUNK = 16;

    private int cpu;
    /** Per CPU: the head of its free list (-1: empty), and the rest of its chunk, [next, end). */
    private int[] freeHead = {-1}, next = {0}, end = {0};
    /** The CPU owning each chunk, with more than one CPU; null with one. */
    private byte[] owner;

    void setCpus(int n) {
        if (n <= freeHead.length) return;
        if (n > 128) throw new IllegalArgumentException("at most 128 CPUs");
        int old = freeHead.length;
        freeHead = Arrays.copyOf(freeHead, n);
        Arrays.fill(freeHead, old, n, -1);
        next = Arrays.copyOf(next, n);
        end = Arrays.copyOf(end, n);
        if (owner == null) owner = new byte[0];
    }

    /** The CPU whose cache the next {@link #alloc} takes from. */
    void setCpu(int cpu) {
        this.cpu = cpu < freeHead.length ? cpu : 0;
    }

    /** An id from this CPU's free list or its chunk, or -1 if both are empty. */
    int alloc(int[] ints) {
        int c = cpu;
        int id = freeHead[c];
        if (id >= 0) {
            freeHead[c] = NfConn.freeLink(ints, ConnTable.row(id));
            return id;
        }
        return next[c] < end[c] ? next[c]++ : -1;
    }

    /** Gives this CPU the fresh ids [from, to) as its chunk (cache_alloc_refill). */
    void refill(int from, int to) {
        int c = cpu;
        next[c] = from;
        end[c] = to;
        if (owner == null) return;
        int last = (to - 1) / CHUNK;
        if (last >= owner.length) owner = Arrays.copyOf(owner, Math.max(last + 1, owner.length * 2));
        for (int k = from / CHUNK; k <= last; k++) owner[k] = (byte) c;
    }

    /** With no fresh ids left anywhere: an id another CPU holds, free or unused, or -1. */
    int steal(int[] ints) {
        int self = cpu;
        for (int c = 0; c < freeHead.length; c++) {
            cpu = c;
            int id = alloc(ints);
            if (id >= 0) {
                cpu = self;
                return id;
            }
        }
        cpu = self;
        return -1;
    }

    /** The CPU owning the chunk of {@code id}: chunks taken before there were CPUs are CPU 0's. */
    int owner(int id) {
        byte[] o = owner;
        int k = id / CHUNK;
        return o == null || k >= o.length ? 0 : o[k];
    }

    /** Returns an id to the cache of the CPU that owns it (its row is no longer in use). */
    void free(int[] ints, int id) {
        int c = owner(id);
        NfConn.setFreeLink(ints, ConnTable.row(id), freeHead[c]);
        freeHead[c] = id;
    }

    /** Bytes a connection costs here: the owner byte of its chunk. */
    double bytesPerConnection() {
        return owner == null ? 0 : 1.0 / CHUNK;
    }
}

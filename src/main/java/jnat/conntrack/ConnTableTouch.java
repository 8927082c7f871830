package jnat.conntrack;

/**
 * A batch's lookups started together, over {@link ConnTable}'s hash and rows: not in the kernel,
 * which looks up one skb at a time, but VPP's prefetch of a vector's buckets. A batch first reads
 * every packet's home slot ({@link #slots}: the loads are independent and the loop does nothing
 * else, so the CPU has many in flight at once), then, with the slots in cache, the rows they point
 * to ({@link #rows}); the real lookups that follow find both in cache. Nothing is changed; each
 * pass returns the sum of what it read, which the table keeps so the JIT cannot drop the loads.
 */
public final class ConnTableTouch {
    private final ConnTable table;
    /** What the touches read, kept so that the JIT cannot drop their loads. */
    private long touched;

    ConnTableTouch(ConnTable table) {
        this.table = table;
    }

    /**
     * The hash of the tuple packed as {@link Tuple#addrs()} and {@link Tuple#l4()} (an IPv6
     * tuple's addresses are its folds, as {@link ConnTable#find(Tuple, long)} hashes them), for
     * {@link #slots(long[], int)} and {@link #rows(long[], int, boolean[])}.
     */
    public long hash(long addrs, long l4) {
        return Tuple.mix(addrs, l4, table.seed);
    }

    /** The home slot of the tuple packed as {@link Tuple#addrs()} and {@link Tuple#l4()} read (an IPv4 tuple's). */
    public void slot(long addrs, long l4) {
        int[] index = table.index;
        touched += index[ConnTable.home(hash(addrs, l4), index.length)];
    }

    /** The first pass of a batch's touch: the home slot of each of {@code hashes[0, n)} (0: none) read. */
    public void slots(long[] hashes, int n) {
        touched += slots(table.index, hashes, n);
    }

    /**
     * The second pass, the slots in cache: the row each hash's slot points to read;
     * {@code found[k]} says whether hash k's probe met a slot of its tag (a skipped frame's, hash 0, counts
     * as found). {@code rowAt} is the caller's scratch, at least {@code n} long. Returns how many did.
     */
    public int rows(long[] hashes, int n, boolean[] found, int[] rowAt) {
        touched += rows(table.index, table.ints, table.tagMask, table.refMask, table.addr6, hashes, n, found, rowAt)
                + table.touchExtensions(rowAt, n);
        int f = 0;
        for (int k = 0; k < n; k++) if (found[k]) f++;
        return f;
    }

    /**
     * Slots {@link #rows} looks at along a probe: a line of the index. At a full table's load of 4/5,
     * 14% of the entries lie 4 slots or more past their home (2.7% 16 or more: linear probing
     * simulated with 2M entries in 2.5M slots), and with 4 their rows were left for the lookup to miss.
     */
    static final int PROBE = 16;
    /** A row spans up to three 64-byte lines: its first, 16th and last ints reach each. */
    static final int MID = Math.min(16, NfConn.ROW - 1);

    /** The home slot of each of {@code hashes[0, n)} (0: none). */
    static long slots(int[] index, long[] hashes, int n) {
        final int size = index.length;
        long t = 0;
        for (int i = 0; i < n; i++) {
            long h = hashes[i];
            if (h != 0) t += index[ConnTable.home(h, size)];
        }
        return t;
    }

    /**
     * For each of {@code hashes[0, n)} (0: none), along its probe from the home slot, the row of
     * the first slot with the hash's tag (a slot holds tag bits | ref + 1): the lines of its first,
     * 16th and last ints, and an IPv6 row's addresses ({@link NfConntrackExtend#touch} reads the
     * side arrays after it). {@code found[k]}: whether there was one (true
     * for a hash of 0, and for a probe longer than {@link #PROBE}, which is not followed further).
     * The probes (slots in cache) first write each row's offset to {@code rowAt}; a loop of loads
     * alone then reads the rows, so that many more of their misses are in flight at once than
     * when each waited behind a probe's instructions.
     */
    static long rows(int[] index, int[] rows, int tagMask, int refMask, NfConnAddr6 addr6, long[] hashes, int n,
                     boolean[] found, int[] rowAt) {
        final int size = index.length;
        for (int k = 0; k < n; k++) {
            long h = hashes[k];
            found[k] = true;
            rowAt[k] = -1;
            if (h == 0) continue;
            int want = (int) h & tagMask, i = ConnTable.home(h, size);
            for (int probe = 0; probe < PROBE; probe++) {
                int v = index[i];
                if (v == 0) {
                    found[k] = false;
                    break;
                }
                if ((v & tagMask) == want) {
                    rowAt[k] = ((v & refMask) - 1) >>> 1;
                    break;
                }
                if (++i == size) i = 0;
            }
        }
        long t = 0;
        for (int k = 0; k < n; k++) {
            int id = rowAt[k];
            if (id < 0) continue;
            int r = id * NfConn.ROW;
            t += rows[r] ^ rows[r + MID] ^ rows[r + NfConn.ROW - 1];
        }
        if (addr6.allocated()) for (int k = 0; k < n; k++) {
            int id = rowAt[k];
            if (id >= 0 && NfConn.ipv6(rows, id * NfConn.ROW)) t += addr6.touch(id);
        }
        return t;
    }
}

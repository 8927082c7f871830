package jnat.nat;

import java.util.Arrays;

/**
 * The reassembly queues both families share, as net/ipv4/inet_fragment.c is shared by ip_fragment.c
 * ({@link IpDefrag}) and nf_conntrack_reasm.c ({@link NfCtFrag6}): one instance is one fqdir (its
 * own memory, high_thresh and timeout). It holds what struct inet_frag_queue holds, keyed by the
 * family's compare key (five longs here), and the family decides what a fragment means.
 *
 * <ul>
 * <li>inet_frag_find: no queue at all (-1) while ipfrag_high_thresh is 0 or the memory held is above
 *     it, for new queues and existing ones alike; a queue whose time is up is expired first (its
 *     timer would have fired);</li>
 * <li>inet_frag_queue_insert: fragments as a sorted list of runs (adjacent fragments received in
 *     order); one wholly inside a run is {@link #INSERT_DUP}, any other overlap
 *     {@link #INSERT_OVERLAP} (the family then kills the queue: RFC 5722);</li>
 * <li>a queue lives the timeout from its first fragment, however many follow ({@link #expire});
 *     nothing is evicted (since 4.17 the kernel has no evictor; low_thresh is unused).</li>
 * </ul>
 *
 * <p>Storage: fragment data is copied once, into 1 KB cells at its place in the datagram (a
 * queue's cell table covers 64 KB); cells, queue slots and fragment records come from pools that
 * grow while the memory limit allows and are reused: nothing is allocated per packet once warm.
 * The first fragment's header (the part before the data) is kept per queue, up to the family's
 * maximum. Memory is counted as the kernel counts skb truesize, roughly: {@value #QUEUE_BYTES}
 * bytes per queue, {@value #FRAGMENT_BYTES} per fragment and 1 KB per cell of data held.
 * {@link #reasm} gathers a complete queue's data (inet_frag_reasm_prepare/finish without coalescing,
 * as conntrack's users do) and keeps where each fragment ended, for refragmentation on output.
 */
final class InetFrag {
    /** INET_FRAG_FIRST_IN, INET_FRAG_LAST_IN. */
    static final int FIRST_IN = 1, LAST_IN = 2;
    /** What {@link #insert} answers (IPFRAG_OK, IPFRAG_DUP, IPFRAG_OVERLAP). */
    static final int INSERT_OK = 0, INSERT_DUP = 1, INSERT_OVERLAP = 2;

    static final int CELL_SHIFT = 10, CELL = 1 << CELL_SHIFT, CELLS_PER_QUEUE = 64;
    static final int CELLS_PER_CHUNK = 64;
    static final int QUEUE_BYTES = 256, FRAGMENT_BYTES = 256;
    private static final int KEY = 5;

    /** ip_frag_ecn_table: index is the OR of 1 << ecn of each fragment; 0xff drops. */
    private static final int[] ECN_TABLE = new int[16];

    static {
        int notEct = 0x01, ect1 = 0x02, ect0 = 0x04, ce = 0x08;
        ECN_TABLE[ce | ect0] = ECN_TABLE[ce | ect1] = ECN_TABLE[ce | ect0 | ect1] = 3;
        for (int i = 0; i < 16; i++) if ((i & notEct) != 0 && (i & ~notEct) != 0) ECN_TABLE[i] = 0xff;
    }

    /** ip_frag_ecn_table[bits]: the ECN codepoint to set on the whole (0 or CE), or 0xff: the mix is refused. */
    static int ecnTable(int bits) {
        return ECN_TABLE[bits];
    }

    /** The family's frag_expire, told of a queue whose time is up before it is killed. */
    @FunctionalInterface
    interface Expirer {
        void expired(int q);
    }

    private final long highThresh;
    private final long timeout;
    private final int maxHeader;
    private final Expirer expirer;

    // ---- queues, by slot ----
    private int capacity;
    private long[] keys;      // KEY longs per slot
    private int[] hashNext;
    private int[] buckets;    // slot + 1, 0 = empty
    private long[] created;
    private int[] ageNext, agePrev;
    private int ageHead = -1, ageTail = -1;
    private int[] flags, len, meat, maxSize, aux, ecn, iif, hdrLen, mem;
    private int[] nodeHead, nodeTail, lastRunHead, finger;
    private byte[] headers;
    private int[] cellOf;     // slot * CELLS_PER_QUEUE + k -> cell, or -1
    private int freeSlot = -1;
    private int used;         // slots ever handed out (the rest are fresh)
    private int queues;

    // ---- fragment records (nodes), sorted per queue ----
    private int[] nStart = new int[0], nEnd = new int[0], nNext = new int[0], nRun = new int[0], nRunEnd = new int[0];
    private int freeNode = -1, nodesUsed;

    // ---- data cells ----
    private byte[][] chunks = new byte[0][];
    private int[] freeCells = new int[0];
    private int freeCellCount;

    private long memory;

    // ---- the last reassembled datagram's geometry ----
    private int fragCount;
    private int[] fragEnds = new int[64];

    /**
     * @param highThresh the fqdir's high_thresh (bytes; 0 refuses every fragment)
     * @param timeout    its timeout, in nanoseconds
     * @param maxHeader  the longest first-fragment header a queue keeps
     */
    InetFrag(long highThresh, long timeout, int maxHeader, Expirer expirer) {
        this.highThresh = highThresh;
        this.timeout = timeout;
        this.maxHeader = maxHeader;
        this.expirer = expirer;
        grow(16);
    }

    int queues() { return queues; }
    long memory() { return memory; }

    /** How many fragments the last {@link #reasm}ed datagram was received in. */
    int fragmentCount() { return fragCount; }
    /** The end of fragment {@code i}'s data in that datagram (fragments in offset order). */
    int fragmentEnd(int i) { return fragEnds[i]; }

    // ---- inet_frag_find ------------------------------------------------------------------------

    /**
     * inet_frag_find: the queue of this key (created when there is none), or -1 when the memory
     * held is above high_thresh (or it is 0). A queue whose time is up is expired first.
     */
    int find(long k0, long k1, long k2, long k3, long k4, long now) {
        if (highThresh == 0 || memory > highThresh) return -1;
        int b = bucket(k0, k1, k2, k3, k4);
        int q = -1;
        for (int s = buckets[b] - 1; s >= 0; s = hashNext[s]) {
            int k = s * KEY;
            if (keys[k] == k0 && keys[k + 1] == k1 && keys[k + 2] == k2 && keys[k + 3] == k3 && keys[k + 4] == k4) {
                q = s;
                break;
            }
        }
        if (q >= 0 && now - created[q] >= timeout) { // its timer would have fired by now
            expireQueue(q);
            q = -1;
        }
        return q >= 0 ? q : create(k0, k1, k2, k3, k4, b, now);
    }

    /** The family's frag_expire for every queue whose time is up; returns how many expired. */
    int expire(long now) {
        int n = 0;
        while (ageHead >= 0 && now - created[ageHead] >= timeout) {
            expireQueue(ageHead);
            n++;
        }
        return n;
    }

    private void expireQueue(int q) {
        expirer.expired(q);
        kill(q);
    }

    // ---- a queue's fields (struct inet_frag_queue, and what both families add) -----------------

    int flags(int q) { return flags[q]; }
    void addFlags(int q, int f) { flags[q] |= f; }
    /** q.len: the datagram's data length as known so far (exact once LAST_IN). */
    int len(int q) { return len[q]; }
    void setLen(int q, int v) { len[q] = v; }
    /** q.meat: data bytes received. */
    int meat(int q) { return meat[q]; }
    /** q.max_size, as the family measures a fragment. */
    int maxSize(int q) { return maxSize[q]; }
    void raiseMaxSize(int q, int v) { if (v > maxSize[q]) maxSize[q] = v; }
    /** The family's own int: ipq.max_df_size (IPv4), frag_queue.nhoffset (IPv6). */
    int aux(int q) { return aux[q]; }
    void setAux(int q, int v) { aux[q] = v; }
    /** The OR of 1 << ECN codepoint of every fragment (the ecn of ipq and frag_queue). */
    int ecn(int q) { return ecn[q]; }
    void addEcn(int q, int bits) { ecn[q] |= bits; }
    /** The interface the last fragment came in on. */
    int iif(int q) { return iif[q]; }
    void setIif(int q, int v) { iif[q] = v; }
    /** Long {@code i} of the queue's key, as the family packed it. */
    long key(int q, int i) { return keys[q * KEY + i]; }

    /** Keeps the first fragment's header, {@code buf[off, off+n)}; false when it is longer than this instance keeps. */
    boolean setHead(int q, byte[] buf, int off, int n) {
        if (n > maxHeader) return false;
        System.arraycopy(buf, off, headers, q * maxHeader, n);
        hdrLen[q] = n;
        flags[q] |= FIRST_IN;
        return true;
    }

    int headerLength(int q) { return hdrLen[q]; }

    /** Copies the kept first-fragment header to {@code dst[at...]}. */
    void copyHeader(int q, byte[] dst, int at) {
        System.arraycopy(headers, q * maxHeader, dst, at, hdrLen[q]);
    }

    /** The datagram's first {@code n} data bytes (held: the first fragment's) to {@code dst[at...]}. */
    void copyFirstData(int q, int n, byte[] dst, int at) {
        int base = q * CELLS_PER_QUEUE;
        for (int i = 0; i < n; ) {
            int c = cellOf[base + (i >>> CELL_SHIFT)];
            int in = i & (CELL - 1);
            int k = Math.min(CELL - in, n - i);
            System.arraycopy(chunks[c / CELLS_PER_CHUNK], ((c % CELLS_PER_CHUNK) << CELL_SHIFT) + in, dst, at + i, k);
            i += k;
        }
    }

    /** The end of the first fragment's data (the queue's lowest fragment). */
    int firstFragmentEnd(int q) { return nEnd[nodeHead[q]]; }

    // ---- inet_frag_queue_insert -----------------------------------------------------------------

    /** inet_frag_queue_insert of data [offset, end): {@link #INSERT_OK}, {@link #INSERT_DUP} or {@link #INSERT_OVERLAP}. */
    int insert(int q, int offset, int end) {
        int last = nodeTail[q];
        if (last < 0) {
            int n = newNode(offset, end);
            nRun[n] = n;
            nRunEnd[n] = end;
            nodeHead[q] = nodeTail[q] = lastRunHead[q] = n;
            return INSERT_OK;
        }
        int lastEnd = nEnd[last];
        if (lastEnd < end) {
            // The common case: the fragment goes to the end.
            if (offset < lastEnd) return INSERT_OVERLAP;
            int n = newNode(offset, end);
            if (offset == lastEnd) { // appended to the last run
                int h = lastRunHead[q];
                nRun[n] = h;
                nRunEnd[h] = end;
            } else {
                nRun[n] = n;
                nRunEnd[n] = end;
                lastRunHead[q] = n;
            }
            nNext[last] = n;
            nodeTail[q] = n;
            return INSERT_OK;
        }
        // Somewhere before the end: the first fragment that ends after offset decides.
        int prev = -1, n = nodeHead[q];
        int f = finger[q];
        if (f >= 0 && nEnd[f] <= offset) {
            prev = f;
            n = nNext[f];
        }
        while (n >= 0 && nEnd[n] <= offset) {
            prev = n;
            n = nNext[n];
        }
        if (n >= 0 && nStart[n] < end) {
            int h = nRun[n];
            return offset >= nStart[h] && end <= nRunEnd[h] ? INSERT_DUP : INSERT_OVERLAP;
        }
        int m = newNode(offset, end);
        nRun[m] = m;
        nRunEnd[m] = end;
        nNext[m] = n;
        if (prev < 0) nodeHead[q] = m;
        else nNext[prev] = m;
        finger[q] = m;
        return INSERT_OK;
    }

    private int newNode(int start, int end) {
        int n = freeNode;
        if (n >= 0) {
            freeNode = nNext[n];
        } else {
            if (nodesUsed == nStart.length) {
                int size = Math.max(64, nStart.length * 2);
                nStart = Arrays.copyOf(nStart, size);
                nEnd = Arrays.copyOf(nEnd, size);
                nNext = Arrays.copyOf(nNext, size);
                nRun = Arrays.copyOf(nRun, size);
                nRunEnd = Arrays.copyOf(nRunEnd, size);
            }
            n = nodesUsed++;
        }
        nStart[n] = start;
        nEnd[n] = end;
        nNext[n] = -1;
        return n;
    }

    // ---- data ----------------------------------------------------------------------------------

    /**
     * An inserted fragment's data [offset, end) of the datagram, from {@code buf[from...]}, into the
     * queue's cells; its memory counted (add_frag_mem_limit) and q.meat grown.
     */
    void add(int q, byte[] buf, int from, int offset, int end) {
        int limit = Math.min(end, CELLS_PER_QUEUE * CELL); // beyond 64 KB the datagram fails anyway (oversize)
        int base = q * CELLS_PER_QUEUE;
        int added = 0;
        for (int at = offset; at < limit; ) {
            int k = at >>> CELL_SHIFT;
            int c = cellOf[base + k];
            if (c < 0) {
                c = takeCell();
                cellOf[base + k] = c;
                added++;
            }
            int in = at & (CELL - 1);
            int n = Math.min(CELL - in, limit - at);
            System.arraycopy(buf, from + (at - offset), chunks[c / CELLS_PER_CHUNK], ((c % CELLS_PER_CHUNK) << CELL_SHIFT) + in, n);
            at += n;
        }
        meat[q] += end - offset;
        int bytes = FRAGMENT_BYTES + added * CELL;
        mem[q] += bytes;
        memory += bytes;
    }

    /**
     * inet_frag_reasm_prepare and _finish: the complete queue's data [0, len) into {@code out[at...]},
     * the fragments' ends kept ({@link #fragmentEnd}). The queue stays until the family kills it.
     */
    void reasm(int q, byte[] out, int at) {
        copyFirstData(q, len[q], out, at);
        int count = 0;
        for (int n = nodeHead[q]; n >= 0; n = nNext[n]) {
            if (count == fragEnds.length) fragEnds = Arrays.copyOf(fragEnds, count * 2);
            fragEnds[count++] = nEnd[n];
        }
        fragCount = count;
    }

    private int takeCell() {
        if (freeCellCount == 0) {
            int chunk = chunks.length;
            chunks = Arrays.copyOf(chunks, chunk + 1);
            chunks[chunk] = new byte[CELLS_PER_CHUNK * CELL];
            if (freeCells.length < CELLS_PER_CHUNK) freeCells = Arrays.copyOf(freeCells, (chunk + 1) * CELLS_PER_CHUNK);
            for (int i = CELLS_PER_CHUNK - 1; i >= 0; i--) freeCells[freeCellCount++] = chunk * CELLS_PER_CHUNK + i;
        }
        return freeCells[--freeCellCount];
    }

    private void putCell(int c) {
        if (freeCellCount == freeCells.length) freeCells = Arrays.copyOf(freeCells, Math.max(64, freeCells.length * 2));
        freeCells[freeCellCount++] = c;
    }

    // ---- queue slots ----------------------------------------------------------------------------

    private int bucket(long k0, long k1, long k2, long k3, long k4) {
        long h = k0 * 0x9E3779B97F4A7C15L;
        h = (h ^ (h >>> 29) ^ k1) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 29) ^ k2) * 0x9E3779B97F4A7C15L;
        h = (h ^ (h >>> 29) ^ k3) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 29) ^ k4) * 0x94D049BB133111EBL;
        return (int) (h >>> 40) & (buckets.length - 1);
    }

    private int bucketOf(int q) {
        int k = q * KEY;
        return bucket(keys[k], keys[k + 1], keys[k + 2], keys[k + 3], keys[k + 4]);
    }

    private int create(long k0, long k1, long k2, long k3, long k4, int b, long now) {
        int q = freeSlot;
        if (q >= 0) {
            freeSlot = hashNext[q];
        } else {
            if (used == capacity) {
                grow(capacity * 2);
                b = bucket(k0, k1, k2, k3, k4);
            }
            q = used++;
        }
        int k = q * KEY;
        keys[k] = k0;
        keys[k + 1] = k1;
        keys[k + 2] = k2;
        keys[k + 3] = k3;
        keys[k + 4] = k4;
        hashNext[q] = buckets[b] - 1;
        buckets[b] = q + 1;
        created[q] = now;
        agePrev[q] = ageTail;
        ageNext[q] = -1;
        if (ageTail >= 0) ageNext[ageTail] = q;
        else ageHead = q;
        ageTail = q;
        flags[q] = len[q] = meat[q] = maxSize[q] = aux[q] = ecn[q] = iif[q] = hdrLen[q] = 0;
        nodeHead[q] = nodeTail[q] = lastRunHead[q] = finger[q] = -1;
        mem[q] = QUEUE_BYTES;
        memory += QUEUE_BYTES;
        queues++;
        return q;
    }

    /** inet_frag_kill + destroy: the queue, its fragments and cells back to the pools. */
    void kill(int q) {
        int b = bucketOf(q);
        int prev = -1;
        for (int s = buckets[b] - 1; s >= 0; prev = s, s = hashNext[s]) {
            if (s == q) {
                if (prev < 0) buckets[b] = hashNext[s] + 1;
                else hashNext[prev] = hashNext[s];
                break;
            }
        }
        if (agePrev[q] >= 0) ageNext[agePrev[q]] = ageNext[q];
        else ageHead = ageNext[q];
        if (ageNext[q] >= 0) agePrev[ageNext[q]] = agePrev[q];
        else ageTail = agePrev[q];
        for (int n = nodeHead[q]; n >= 0; ) {
            int next = nNext[n];
            nNext[n] = freeNode;
            freeNode = n;
            n = next;
        }
        int base = q * CELLS_PER_QUEUE;
        for (int k = 0; k < CELLS_PER_QUEUE; k++) {
            if (cellOf[base + k] >= 0) {
                putCell(cellOf[base + k]);
                cellOf[base + k] = -1;
            }
        }
        memory -= mem[q];
        mem[q] = 0;
        hashNext[q] = freeSlot;
        freeSlot = q;
        queues--;
    }

    private void grow(int size) {
        int old = capacity;
        capacity = size;
        keys = Arrays.copyOf(keys == null ? new long[0] : keys, size * KEY);
        hashNext = copy(hashNext, size);
        created = Arrays.copyOf(created == null ? new long[0] : created, size);
        ageNext = copy(ageNext, size);
        agePrev = copy(agePrev, size);
        flags = copy(flags, size);
        len = copy(len, size);
        meat = copy(meat, size);
        maxSize = copy(maxSize, size);
        aux = copy(aux, size);
        ecn = copy(ecn, size);
        iif = copy(iif, size);
        hdrLen = copy(hdrLen, size);
        mem = copy(mem, size);
        nodeHead = copy(nodeHead, size);
        nodeTail = copy(nodeTail, size);
        lastRunHead = copy(lastRunHead, size);
        finger = copy(finger, size);
        headers = Arrays.copyOf(headers == null ? new byte[0] : headers, size * maxHeader);
        cellOf = copy(cellOf, size * CELLS_PER_QUEUE);
        Arrays.fill(cellOf, old * CELLS_PER_QUEUE, size * CELLS_PER_QUEUE, -1);
        // Rehash the live queues into twice the buckets.
        buckets = new int[Integer.highestOneBit(size) * 2];
        for (int s = 0; s < used; s++) {
            if (mem[s] == 0) continue; // free slot: its hashNext links the free list
            int b = bucketOf(s);
            hashNext[s] = buckets[b] - 1;
            buckets[b] = s + 1;
        }
    }

    private static int[] copy(int[] a, int size) {
        return Arrays.copyOf(a == null ? new int[0] : a, size);
    }
}

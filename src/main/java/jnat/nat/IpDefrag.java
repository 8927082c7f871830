package jnat.nat;

import jnat.wire.Bytes;
import jnat.wire.Ipv4Packet;

import java.util.Arrays;

/**
 * IPv4 reassembly as nf_defrag_ipv4 runs it before conntrack: ip_defrag (net/ipv4/ip_fragment.c)
 * on the inet_frag queues of net/ipv4/inet_fragment.c. Fragments are queued by (source,
 * destination, id, protocol, user); the fragment that completes a datagram gets it back whole, in
 * {@link #buffer()}, to go on through conntrack and NAT as one packet.
 *
 * <p>The kernel's rules, as of the 2018 rework (the rb-tree of "runs"):
 * <ul>
 * <li>a fragment wholly inside what a run of adjacent fragments already holds is a duplicate: it is
 *     dropped and the queue kept (IPFRAG_DUP); any other overlap discards the whole queue
 *     (IPFRAG_OVERLAP, RFC 5722's rule applied to IPv4 too);</li>
 * <li>a last fragment that ends before data already received, or elsewhere than an earlier last
 *     fragment, a fragment beyond a known end, and an empty fragment discard the queue; a non-last
 *     fragment's length is cut to a multiple of 8;</li>
 * <li>a queue lives net.ipv4.ipfrag_time (30 s) from its first fragment, however many follow;</li>
 * <li>while the memory held exceeds ipfrag_high_thresh (4 MB) every fragment is refused, for new
 *     queues and existing ones alike (inet_frag_find); nothing is evicted: since 4.17 the kernel has
 *     no evictor and ipfrag_low_thresh is only a bound of the sysctl;</li>
 * <li>a datagram whose header and data exceed 65535 bytes fails when complete; so does one whose
 *     fragments mix ECN-capable and not-ECT codepoints (ip_frag_ecn_table), and CE in any ECT mix
 *     sets CE on the whole;</li>
 * <li>the reassembled header is the first fragment's, with the total length, DF only when the
 *     largest fragment carried it, and frag_max_size (the largest fragment, header included) kept
 *     for refragmentation on output ({@link IpFragmenter}).</li>
 * </ul>
 * Not mirrored: ipfrag_max_dist (inet_peer's count of a source's fragments between two of one
 * queue, which restarts a queue after more than 64 others).
 *
 * <p>Storage: fragment data is copied once, into 1 KB cells at its place in the datagram (a
 * queue's cell table covers 64 KB); cells, queue slots and fragment records come from pools that
 * grow while the memory limit allows and are reused: nothing is allocated per packet once warm.
 * The reassembled datagram is gathered into one buffer, {@link #HEADROOM} bytes in.
 * Memory is counted as the kernel counts skb truesize, roughly: {@value #QUEUE_BYTES} bytes per
 * queue, {@value #FRAGMENT_BYTES} per fragment and 1 KB per cell of data held.
 *
 * <p>One thread at a time, as the engine.
 */
public final class IpDefrag {
    /** ip_defrag_users: IP_DEFRAG_CONNTRACK_IN (PREROUTING) and IP_DEFRAG_CONNTRACK_OUT (LOCAL_OUT), zone 0. */
    public static final int USER_CONNTRACK_IN = 1, USER_CONNTRACK_OUT = 2;

    /** What {@link #queue} did with a fragment. */
    public static final int QUEUED = 0, REASSEMBLED = 1, DROPPED = 2;

    /** Free bytes before the reassembled packet in {@link #buffer()}: an Ethernet header fits. */
    public static final int HEADROOM = 16;
    public static final int MAX_DATAGRAM = 65535;

    static final int CELL_SHIFT = 10, CELL = 1 << CELL_SHIFT, CELLS_PER_QUEUE = 64;
    static final int CELLS_PER_CHUNK = 64;
    static final int QUEUE_BYTES = 256, FRAGMENT_BYTES = 256;
    private static final int MAX_HEADER = 60;

    private static final int FIRST_IN = 1, LAST_IN = 2;
    /** ip_frag_ecn_table: index is the OR of 1 << ecn of each fragment; 0xff drops. */
    private static final int[] ECN_TABLE = new int[16];

    static {
        int notEct = 0x01, ect1 = 0x02, ect0 = 0x04, ce = 0x08;
        ECN_TABLE[ce | ect0] = ECN_TABLE[ce | ect1] = ECN_TABLE[ce | ect0 | ect1] = 3;
        for (int i = 0; i < 16; i++) if ((i & notEct) != 0 && (i & ~notEct) != 0) ECN_TABLE[i] = 0xff;
    }

    /**
     * The sysctls.
     *
     * @param highThresh   net.ipv4.ipfrag_high_thresh, bytes
     * @param timeoutNanos net.ipv4.ipfrag_time, in nanoseconds
     */
    public record Config(long highThresh, long timeoutNanos) {
        public static final long DEFAULT_HIGH_THRESH = 4L * 1024 * 1024;
        public static final long DEFAULT_TIMEOUT_NANOS = 30_000_000_000L;

        public static Config defaults() {
            return new Config(DEFAULT_HIGH_THRESH, DEFAULT_TIMEOUT_NANOS);
        }

        /** Whether {@code name} is one of these sysctls (as sysctl -w takes it, dots or slashes). */
        public static boolean names(String name) {
            String key = name.strip().replace('/', '.').toLowerCase(java.util.Locale.ROOT);
            return key.equals("net.ipv4.ipfrag_time") || key.equals("net.ipv4.ipfrag_high_thresh");
        }

        /** This config with sysctl {@code name} set: ipfrag_time in seconds, ipfrag_high_thresh in bytes. */
        public Config with(String name, String value) {
            String key = name.strip().replace('/', '.').toLowerCase(java.util.Locale.ROOT);
            long v;
            try {
                v = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sysctl " + name + ": not a number: " + value);
            }
            if (v < 0) throw new IllegalArgumentException("sysctl " + name + ": must not be negative: " + value);
            return switch (key) {
                case "net.ipv4.ipfrag_time" -> {
                    if (v > Integer.MAX_VALUE / 1000) throw new IllegalArgumentException("sysctl " + name + ": too large: " + value);
                    yield new Config(highThresh, v * 1_000_000_000L);
                }
                case "net.ipv4.ipfrag_high_thresh" -> new Config(v, timeoutNanos);
                default -> throw new IllegalArgumentException("sysctl " + name + ": not a reassembly sysctl");
            };
        }
    }

    /**
     * Told of a queue that timed out (ip_expire). The kernel sends ICMP time exceeded, "fragment
     * reassembly time exceeded" (type 11 code 1), quoting the first fragment, only when that
     * fragment was received, and for conntrack's users only when the datagram was for the host
     * itself (frag_expire_skip_icmp: a router does not send it). {@code buf[off, off+len)} holds
     * the first fragment's header and up to 8 bytes of its data (valid until return), or
     * {@code len} is 0 when the first fragment never came.
     */
    @FunctionalInterface
    public interface ExpireListener {
        void expired(int user, int iif, byte[] buf, int off, int len);
    }

    private final long highThresh;
    private final long timeout;
    private ExpireListener expireListener;

    // ---- queues, by slot ----
    private int capacity;
    private long[] key1;      // src << 32 | dst
    private int[] key2;       // id << 16 | protocol << 8 | user
    private int[] hashNext;
    private int[] buckets;    // slot + 1, 0 = empty
    private long[] created;
    private int[] ageNext, agePrev;
    private int ageHead = -1, ageTail = -1;
    private int[] flags, len, meat, maxSize, maxDfSize, ecn, iif, hdrLen, mem;
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

    // ---- the last reassembled datagram ----
    /** Allocated with the first datagram (an engine that never sees a fragment keeps 64 KB less), then reused. */
    private byte[] out = new byte[0];
    private int outLen, outFragMax, fragCount;
    private int[] fragEnds = new int[64];
    private DropReason dropReason;

    // ---- counters (the kernel's Ip: Reasm* SNMP counters) ----
    private long reasmReqds, reasmOks, reasmFails, reasmTimeouts, reasmOverlaps, queued;

    public IpDefrag() {
        this(Config.defaults());
    }

    public IpDefrag(Config config) {
        this.highThresh = config.highThresh();
        this.timeout = config.timeoutNanos();
        grow(16);
    }

    /** The ICMP "fragment reassembly time exceeded" hook (null: none). */
    public void setExpireListener(ExpireListener l) {
        this.expireListener = l;
    }

    // ---- results -------------------------------------------------------------------------------

    /** The buffer the last {@link #REASSEMBLED} datagram is in, at {@link #HEADROOM}; valid until the next call. */
    public byte[] buffer() { return out; }
    public int offset() { return HEADROOM; }
    public int length() { return outLen; }
    /** IPCB(skb)->frag_max_size of the last reassembled datagram: its largest fragment, header included. */
    public int fragMaxSize() { return outFragMax; }
    /** How many fragments the last reassembled datagram was received in. */
    public int fragmentCount() { return fragCount; }
    /** The end of fragment {@code i}'s data in the datagram (fragments in offset order). */
    public int fragmentEnd(int i) { return fragEnds[i]; }
    /** Why the last {@link #DROPPED} fragment was dropped. */
    public DropReason dropReason() { return dropReason; }

    public int queues() { return queues; }
    public long memory() { return memory; }
    public long reasmReqds() { return reasmReqds; }
    public long reasmOks() { return reasmOks; }
    public long reasmFails() { return reasmFails; }
    public long reasmTimeouts() { return reasmTimeouts; }
    public long reasmOverlaps() { return reasmOverlaps; }
    /** Fragments {@link #queue} answered {@link #QUEUED}: held for a datagram not yet whole. */
    public long queued() { return queued; }

    // ---- ip_defrag ----------------------------------------------------------------------------

    /**
     * ip_defrag: queues the fragment {@code ip} (wrapped, header checksum verified) for
     * {@code user}, arrived on interface index {@code iif}. Returns {@link #QUEUED},
     * {@link #REASSEMBLED} (the datagram is in {@link #buffer()}) or {@link #DROPPED}
     * ({@link #dropReason()}).
     */
    public int queue(Ipv4Packet ip, int user, int iif, long now) {
        reasmReqds++;
        // inet_frag_find: NULL when ipfrag_high_thresh is 0 or the queues hold more than it
        if (highThresh == 0 || memory > highThresh) return fail(DropReason.FRAG_MEMORY_FULL);
        long k1 = (long) ip.src() << 32 | (ip.dst() & 0xffffffffL);
        int k2 = ip.identification() << 16 | ip.protocol() << 8 | user;
        int q = find(k1, k2);
        if (q >= 0 && now - created[q] >= timeout) { // its timer would have fired by now
            expireQueue(q);
            q = -1;
        }
        if (q < 0) q = create(k1, k2, now);
        return fragQueue(q, ip, iif);
    }

    /** ip_expire for every queue whose time is up; returns how many expired. */
    public int expire(long now) {
        int n = 0;
        while (ageHead >= 0 && now - created[ageHead] >= timeout) {
            expireQueue(ageHead);
            n++;
        }
        return n;
    }

    private void expireQueue(int q) {
        reasmFails++;
        reasmTimeouts++;
        if (expireListener != null) {
            if (out.length == 0) out = new byte[HEADROOM + MAX_DATAGRAM];
            int hl = (flags[q] & FIRST_IN) != 0 ? hdrLen[q] : 0;
            int n = 0;
            if (hl > 0) {
                System.arraycopy(headers, q * MAX_HEADER, out, HEADROOM, hl);
                int c = cellOf[q * CELLS_PER_QUEUE];
                n = Math.min(8, nEnd[nodeHead[q]]);
                System.arraycopy(chunks[c / CELLS_PER_CHUNK], (c % CELLS_PER_CHUNK) << CELL_SHIFT, out, HEADROOM + hl, n);
            }
            int user = key2[q] & 0xff, dev = iif[q];
            kill(q);
            expireListener.expired(user, dev, out, HEADROOM, hl == 0 ? 0 : hl + n);
            return;
        }
        kill(q);
    }

    private int fail(DropReason reason) {
        reasmFails++;
        dropReason = reason;
        return DROPPED;
    }

    private int discard(int q, DropReason reason) {
        kill(q);
        return fail(reason);
    }

    /** ip_frag_queue. */
    private int fragQueue(int q, Ipv4Packet ip, int dev) {
        int ihl = ip.headerLength();
        int offset = ip.fragmentOffset() << 3;
        boolean more = ip.moreFragments();
        int fragEcn = 1 << (ip.tos() & 3);
        int end = offset + ip.totalLength() - ihl;
        if (!more) {
            // If we already have some bits beyond end or have a different end, the segment is corrupted.
            if (end < len[q] || (flags[q] & LAST_IN) != 0 && end != len[q]) return discard(q, DropReason.FRAG_INVALID);
            flags[q] |= LAST_IN;
            len[q] = end;
        } else {
            end &= ~7;
            if (end > len[q]) {
                if ((flags[q] & LAST_IN) != 0) return discard(q, DropReason.FRAG_INVALID);
                len[q] = end;
            }
        }
        if (end == offset) return discard(q, DropReason.FRAG_INVALID);

        int r = insert(q, offset, end);
        if (r == INSERT_DUP) return fail(DropReason.FRAG_DUPLICATE); // the queue keeps what it has
        if (r == INSERT_OVERLAP) {
            reasmOverlaps++;
            return discard(q, DropReason.FRAG_OVERLAP);
        }
        int added = store(q, ip.buffer(), ip.payloadOffset(), offset, end);
        if (offset == 0) {
            System.arraycopy(ip.buffer(), ip.offset(), headers, q * MAX_HEADER, ihl);
            hdrLen[q] = ihl;
            flags[q] |= FIRST_IN;
        }
        iif[q] = dev;
        meat[q] += end - offset;
        ecn[q] |= fragEcn;
        int bytes = FRAGMENT_BYTES + added * CELL;
        mem[q] += bytes;
        memory += bytes;
        int fragsize = end - offset + ihl;
        if (fragsize > maxSize[q]) maxSize[q] = fragsize;
        if (ip.dontFragment() && fragsize > maxDfSize[q]) maxDfSize[q] = fragsize;
        if (flags[q] == (FIRST_IN | LAST_IN) && meat[q] == len[q]) return reassemble(q);
        queued++;
        return QUEUED;
    }

    /** ip_frag_reasm: the datagram into {@link #out}, the queue gone. */
    private int reassemble(int q) {
        int e = ECN_TABLE[ecn[q]];
        if (e == 0xff) return discard(q, DropReason.FRAG_INVALID);
        int hl = hdrLen[q];
        int total = hl + len[q];
        if (total > MAX_DATAGRAM) return discard(q, DropReason.FRAG_OVERSIZE);
        if (out.length == 0) out = new byte[HEADROOM + MAX_DATAGRAM];
        System.arraycopy(headers, q * MAX_HEADER, out, HEADROOM, hl);
        int base = q * CELLS_PER_QUEUE;
        for (int at = 0; at < len[q]; ) {
            int c = cellOf[base + (at >>> CELL_SHIFT)];
            int in = at & (CELL - 1);
            int n = Math.min(CELL - in, len[q] - at);
            System.arraycopy(chunks[c / CELLS_PER_CHUNK], ((c % CELLS_PER_CHUNK) << CELL_SHIFT) + in, out, HEADROOM + hl + at, n);
            at += n;
        }
        int count = 0;
        for (int n = nodeHead[q]; n >= 0; n = nNext[n]) {
            if (count == fragEnds.length) fragEnds = Arrays.copyOf(fragEnds, count * 2);
            fragEnds[count++] = nEnd[n];
        }
        fragCount = count;
        outLen = total;
        outFragMax = Math.max(maxDfSize[q], maxSize[q]);
        int h = HEADROOM;
        Bytes.put16(out, h + Ipv4Packet.OFF_TOTAL_LENGTH, total);
        out[h + Ipv4Packet.OFF_TOS] |= (byte) e;
        // DF only when the largest fragment had it: refragmentation must not send DF fragments
        // larger than the sender did (IPSKB_FRAG_PMTU).
        Bytes.put16(out, h + Ipv4Packet.OFF_FRAG, maxDfSize[q] == maxSize[q] ? Ipv4Packet.FLAG_DF : 0);
        Ipv4Packet.fillChecksum(out, h);
        kill(q);
        reasmOks++;
        return REASSEMBLED;
    }

    // ---- inet_frag_queue_insert -----------------------------------------------------------------

    private static final int INSERT_OK = 0, INSERT_DUP = 1, INSERT_OVERLAP = 2;

    private int insert(int q, int offset, int end) {
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

    /** Copies data [offset, end) of the datagram into the queue's cells; returns how many cells it added. */
    private int store(int q, byte[] buf, int from, int offset, int end) {
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
        return added;
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

    private int find(long k1, int k2) {
        for (int s = buckets[bucket(k1, k2)] - 1; s >= 0; s = hashNext[s]) {
            if (key1[s] == k1 && key2[s] == k2) return s;
        }
        return -1;
    }

    private int bucket(long k1, int k2) {
        long h = (k1 ^ (k1 >>> 29) ^ (long) k2 * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        return (int) (h >>> 40) & (buckets.length - 1);
    }

    private int create(long k1, int k2, long now) {
        int q = freeSlot;
        if (q >= 0) {
            freeSlot = hashNext[q];
        } else {
            if (used == capacity) grow(capacity * 2);
            q = used++;
        }
        key1[q] = k1;
        key2[q] = k2;
        int b = bucket(k1, k2);
        hashNext[q] = buckets[b] - 1;
        buckets[b] = q + 1;
        created[q] = now;
        agePrev[q] = ageTail;
        ageNext[q] = -1;
        if (ageTail >= 0) ageNext[ageTail] = q;
        else ageHead = q;
        ageTail = q;
        flags[q] = len[q] = meat[q] = maxSize[q] = maxDfSize[q] = ecn[q] = iif[q] = hdrLen[q] = 0;
        nodeHead[q] = nodeTail[q] = lastRunHead[q] = finger[q] = -1;
        mem[q] = QUEUE_BYTES;
        memory += QUEUE_BYTES;
        queues++;
        return q;
    }

    /** inet_frag_kill + destroy: the queue, its fragments and cells back to the pools. */
    private void kill(int q) {
        int b = bucket(key1[q], key2[q]);
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
        key1 = Arrays.copyOf(key1 == null ? new long[0] : key1, size);
        key2 = copy(key2, size);
        hashNext = copy(hashNext, size);
        created = Arrays.copyOf(created == null ? new long[0] : created, size);
        ageNext = copy(ageNext, size);
        agePrev = copy(agePrev, size);
        flags = copy(flags, size);
        len = copy(len, size);
        meat = copy(meat, size);
        maxSize = copy(maxSize, size);
        maxDfSize = copy(maxDfSize, size);
        ecn = copy(ecn, size);
        iif = copy(iif, size);
        hdrLen = copy(hdrLen, size);
        mem = copy(mem, size);
        nodeHead = copy(nodeHead, size);
        nodeTail = copy(nodeTail, size);
        lastRunHead = copy(lastRunHead, size);
        finger = copy(finger, size);
        headers = Arrays.copyOf(headers == null ? new byte[0] : headers, size * MAX_HEADER);
        cellOf = copy(cellOf, size * CELLS_PER_QUEUE);
        Arrays.fill(cellOf, old * CELLS_PER_QUEUE, size * CELLS_PER_QUEUE, -1);
        // Rehash the live queues into twice the buckets.
        buckets = new int[Integer.highestOneBit(size) * 2];
        for (int s = 0; s < used; s++) {
            if (mem[s] == 0) continue; // free slot: its hashNext links the free list
            int b = bucket(key1[s], key2[s]);
            hashNext[s] = buckets[b] - 1;
            buckets[b] = s + 1;
        }
    }

    private static int[] copy(int[] a, int size) {
        return Arrays.copyOf(a == null ? new int[0] : a, size);
    }
}

package jnat.conntrack;

import java.util.Arrays;

/**
 * The connection table: nf_conn entries indexed by an int connection id, and one open-addressing
 * hash (linear probing, backward-shift deletion) holding both directions' tuples, as the kernel's
 * hash holds tuplehash[IP_CT_DIR_ORIGINAL] and tuplehash[IP_CT_DIR_REPLY].
 *
 * <p>Layout: each entry is one row of {@link #ROW} ints (both tuples, status and protocol, the
 * timeout in milliseconds, mark, NAT data, struct ip_ct_tcp with its u8/u16 fields packed), so the
 * packet of an established connection touches the hash slot and two or three cache lines. The hash
 * slots are ints holding the ref and a few more bits of the tuple's hash, so a probe rarely reads a
 * row that is not the one it looks for, and the hash can be kept at a load of 3/4 (about 11 bytes
 * per connection). Per-direction packet and byte counters are an extension, as nf_conn_acct is in
 * the kernel: allocated only once accounting is on (net.netfilter.nf_conntrack_acct, default 0).
 * 111 bytes per entry with the hash: a 100-byte row and 10.7 bytes of hash (see
 * {@link #bytesPerConnection()}); NAT's by-source buckets add 4.
 *
 * <p>A lookup returns a <em>ref</em>, {@code id << 1 | dir}, so finding a packet's connection and
 * its direction allocates nothing.
 *
 * <p>Life of an entry, as in nf_conntrack_core.c: {@link #alloc} makes an unconfirmed entry that
 * no lookup can see (init_conntrack); NAT may {@link #alterReplyTuple} it; {@link #confirm}
 * (__nf_conntrack_confirm) puts both tuples into the hash and starts the timeout; the entry dies
 * when its timeout passes (seen by lookups, by {@link #gc} and by early drop), or when killed.
 *
 * <p>Time is whatever clock the caller passes in, in nanoseconds (pcap time for replay, the
 * monotonic clock for the gateway). Expiry is kept as the kernel keeps ct->timeout, a 32-bit tick
 * count compared with wrap-around (here milliseconds: anything within 24 days either way compares
 * right, and {@link #clock} sweeps the table when time jumps further than half that).
 * Nothing here allocates except growth, which doubles the arrays (never past {@link #max()}, so a
 * full table has no slack) and rehashes; give a large initial capacity where that pause matters.
 * Single-threaded, like one engine.
 */
public final class ConnTable {
    public static final int ORIGINAL = 0, REPLY = 1;
    public static final int NOT_FOUND = -1;
    /** The hash seed of {@link #ConnTable(int)} (nf_conntrack_hash_rnd, fixed so replays repeat). */
    public static final long DEFAULT_SEED = 0x6a6e6174L;
    /** How many hash slots early_drop looks at near the new tuple's slot (NF_CT_EVICTION_RANGE buckets). */
    static final int EVICTION_SCAN = 64;

    /** Called when an entry is destroyed, before its id is reused (the NAT engine drops its bysource data). */
    public interface DestroyListener {
        void destroyed(int id);
    }

    private final int max;
    private final long seed;
    private DestroyListener listener = id -> { };

    private int capacity;
    private int highWater;
    private int freeHead = -1;
    private int count;
    private int gcCursor;

    /*
     * Rows, not columns: a packet of an established connection reads and writes most of its
     * entry, and with one array per field that was one cache miss per field (about 20 at a
     * million entries). An entry is one row of ROW ints.
     */
    static final int ROW = 25;
    /** The tuple of direction d at d * TUPLE: source address, destination address, ports (src << 16 | dst). */
    static final int T_SRC = 0, T_DST = 1, T_PORTS = 2, TUPLE = 3;
    /** IPS_* bits in bits 0-15, the protocol in bits 16-23, {@link #ALLOCATED} in bit 31. */
    static final int I_STATUS = 6;
    static final int PROTO_SHIFT = 16, STATUS_MASK = 0xffff;
    /** Expiry in ms ticks once confirmed; the relative timeout (ms) while unconfirmed (as ct->timeout). */
    static final int I_TIMEOUT = 7;
    /** ct->mark; the free-list link while the id is free. */
    static final int I_MARK = 8;
    static final int I_NAT = 9, I_NAT_LINK = 10;
    /** ct->proto.tcp.seen[dir] at I_SEEN + dir * SEEN_INTS: the u32 fields of ip_ct_tcp_state. */
    static final int I_SEEN = 11, SEEN_INTS = 4;
    static final int TD_END = 0, TD_MAXEND = 1, TD_MAXWIN = 2, TD_MAXACK = 3;
    /** seen[dir].flags (bits 0-7) and td_scale (bits 8-15) of both directions: dir 0 low, dir 1 high half. */
    static final int I_TD_FLAGS = 19;
    /** The rest of struct ip_ct_tcp: state, last_dir, last_index, retrans as the four bytes of one int. */
    static final int I_TCP = 20;
    static final int I_LAST_SEQ = 21, I_LAST_ACK = 22, I_LAST_END = 23;
    /** last_win (u16) in bits 0-15, last_wscale in bits 16-23, last_flags in bits 24-31. */
    static final int I_LAST_WIN = 24;
    /** ct->proto is a union: UDP's stream_ts (a long, ns) lives where TCP keeps seen[ORIGINAL].td_end/td_maxend. */
    static final int I_UDP_STREAM_TS = I_SEEN;

    /** Not an IPS_* bit: marks allocated ids. */
    private static final int ALLOCATED = 1 << 31;
    /** Ids a row array can index (id * ROW is an int). */
    static final int MAX_IDS = Integer.MAX_VALUE / ROW;

    private static final long NS_PER_MS = 1_000_000L;

    int[] ints;
    /** nf_conn_acct: packets then bytes, per direction (4 longs per id); null while accounting is off. */
    private long[] counters;

    /** The hash: 0 empty, else tag bits (the tuple's hash) | ref + 1. */
    private int[] index;
    private final int refMask, tagMask;
    /** Connections the hash is sized for at least (the constructor's hashsize). */
    private final int hashsize;

    /** Entries killed while their packet is still in flight (nf_ct_kill with the skb's reference). */
    private int[] dying = new int[4];
    private int dyingCount;

    /** A table that holds at most {@code max} entries (nf_conntrack_max) and starts small. */
    public ConnTable(int max) {
        this(max, Math.min(max, 1024), DEFAULT_SEED);
    }

    /**
     * @param max the most entries at once, unconfirmed included (nf_conntrack_max)
     * @param initialCapacity ids allocated up front (the table doubles up to max)
     * @param seed the hash seed (nf_conntrack_hash_rnd); fixed by default so replays are repeatable
     */
    public ConnTable(int max, int initialCapacity, long seed) {
        this(max, initialCapacity, seed, 0);
    }

    /**
     * @param hashsize connections the hash is built for up front, as nf_conntrack's hashsize
     *                 (nf_conntrack_buckets) is allocated once: while the table grows below it,
     *                 growing copies the rows but never rehashes (0: the hash grows with the table)
     */
    public ConnTable(int max, int initialCapacity, long seed, int hashsize) {
        if (max < 1) throw new IllegalArgumentException("max must be positive");
        if (hashsize < 0) throw new IllegalArgumentException("hashsize must not be negative");
        this.max = max;
        this.seed = seed;
        this.hashsize = Math.min(Math.min(max, MAX_IDS), hashsize);
        int refBits = 32 - Integer.numberOfLeadingZeros(2 * Math.min(max, MAX_IDS)); // holds ref + 1
        this.refMask = (1 << refBits) - 1;
        this.tagMask = ~refMask;
        allocate(Math.max(1, Math.min(Math.min(max, MAX_IDS), initialCapacity)));
    }

    /** net.netfilter.nf_conntrack_tcp_loose (default 1): pick up connections mid-stream. */
    boolean tcpLoose = true;
    /** net.netfilter.nf_conntrack_tcp_be_liberal (default 0): only out-of-window RSTs are INVALID. */
    boolean tcpBeLiberal = false;

    public void setTcpLoose(boolean on) { tcpLoose = on; }
    public void setTcpBeLiberal(boolean on) { tcpBeLiberal = on; }

    /**
     * net.netfilter.nf_conntrack_acct: count packets and bytes per direction. As in the kernel,
     * connections made while it was off have no counters (they read 0); turning it off drops them.
     */
    public void setAccounting(boolean on) {
        if (on && counters == null) counters = new long[capacity * 4];
        else if (!on) counters = null;
    }

    public boolean accounting() { return counters != null; }

    public void setDestroyListener(DestroyListener l) {
        this.listener = l == null ? id -> { } : l;
    }

    public int max() { return max; }

    /** Entries evicted to make room (the early_drop statistic of conntrack -S): by early_drop and by gc above 95%. */
    private long earlyDrops;

    public long earlyDrops() { return earlyDrops; }
    /** Entries allocated: confirmed, unconfirmed and dying (the kernel's nf_conntrack_count). */
    public int count() { return count; }
    public int capacity() { return capacity; }
    /** Connections the hash holds without being rebuilt: the capacity or the hashsize, whichever is larger. */
    public int hashCapacity() { return Math.max(capacity, hashsize); }

    public static int id(int ref) { return ref >>> 1; }
    public static int dir(int ref) { return ref & 1; }
    public static int ref(int id, int dir) { return id << 1 | dir; }

    /** A time in ns as the table's 32-bit millisecond ticks (nfct_time_stamp). */
    static int ticks(long now) {
        return (int) Math.floorDiv(now, NS_PER_MS);
    }

    // ---- the clock -----------------------------------------------------------------------------

    /** The clock (ms) at the last full sweep; every confirmed entry then expired after it. */
    private long sweptMs;
    private boolean clockStarted;
    /** Half the range 32-bit ticks compare right in: a jump further than this triggers a sweep. */
    private static final long SWEEP_MS = 1L << 30;

    /**
     * Tells the table the time, once per packet ({@link Conntrack#in}) and at each {@link #gc}. A
     * 32-bit tick compares right only within 24 days, so when the clock has moved on by more than
     * 12 days since the last sweep (a replay across a gap, a host that slept), every confirmed entry
     * that expired meanwhile is deleted now, before its tick could wrap round and look alive again.
     */
    public void clock(long now) {
        long ms = Math.floorDiv(now, NS_PER_MS);
        if (!clockStarted) {
            clockStarted = true;
            sweptMs = ms;
        } else if (ms - sweptMs > SWEEP_MS) {
            sweep(ms);
        }
    }

    private void sweep(long ms) {
        reapDying();
        int last = (int) sweptMs;
        for (int id = 0; id < highWater; id++) {
            int st = ints[row(id) + I_STATUS];
            if ((st & (ALLOCATED | Status.CONFIRMED | Status.DYING)) != (ALLOCATED | Status.CONFIRMED)) continue;
            // Alive at the last sweep and set at most 5 days past a clock within SWEEP_MS of it:
            // the tick is ahead of that sweep by less than 2^31, so this is its true expiry.
            long expiry = sweptMs + (ints[row(id) + I_TIMEOUT] - last);
            if (expiry <= ms) delete(id);
        }
        sweptMs = ms;
    }

    // ---- lookup ----------------------------------------------------------------------------

    /** __nf_conntrack_find_get: the ref of the confirmed, unexpired entry holding this tuple, or NOT_FOUND. */
    public int find(Tuple t, long now) {
        return find(t.addrs(), t.l4(), now);
    }

    public int find(long addrs, long l4, long now) {
        final int src = (int) (addrs >>> 32), dst = (int) addrs, ports = (int) l4, proto = (int) (l4 >>> 32);
        final long h = Tuple.mix(addrs, l4, seed);
        final int want = (int) h & tagMask;
        for (;;) {
            final int[] index = this.index, rows = this.ints;
            final int size = index.length;
            int i = home(h, size);
            int v;
            while ((v = index[i]) != 0) {
                if ((v & tagMask) == want) {
                    int ref = (v & refMask) - 1;
                    int b = (ref >>> 1) * ROW, t = b + (ref & 1) * TUPLE;
                    if (rows[t + T_SRC] == src && rows[t + T_DST] == dst && rows[t + T_PORTS] == ports
                            && (rows[b + I_STATUS] >>> PROTO_SHIFT & 0xff) == proto) {
                        // Only confirmed, live entries are in the hash: this is nf_ct_is_expired.
                        if (rows[b + I_TIMEOUT] - ticks(now) > 0) return ref;
                        delete(ref >>> 1); // nf_ct_gc_expired; the probe sequence changed, look again
                        break;
                    }
                }
                if (++i == size) i = 0;
            }
            if (v == 0) return NOT_FOUND;
        }
    }

    /**
     * nf_conntrack_tuple_taken: whether a live entry other than {@code ignoredId} has this tuple in
     * either direction. get_unique_tuple asks it with the reply tuple a candidate would give.
     */
    public boolean tupleTaken(Tuple t, int ignoredId, long now) {
        int ref = find(t.addrs(), t.l4(), now);
        return ref != NOT_FOUND && (ref >>> 1) != ignoredId;
    }

    // ---- life cycle --------------------------------------------------------------------------

    /**
     * init_conntrack / __nf_conntrack_alloc: a new unconfirmed entry with these tuples, or -1 when
     * the table is full and early_drop found nothing to evict (the kernel drops the packet:
     * "nf_conntrack: table full, dropping packet").
     */
    public int alloc(Tuple original, Tuple reply, long now) {
        reapDying();
        if (count >= max && !earlyDrop(original.addrs(), original.l4(), now)) return -1;
        int id = newId();
        if (id < 0) return -1;
        int b = row(id);
        Arrays.fill(ints, b, b + ROW, 0);
        ints[b + I_STATUS] = ALLOCATED | (original.protocol & 0xff) << PROTO_SHIFT;
        setTuple(b, ORIGINAL, original);
        setTuple(b, REPLY, reply);
        if (counters != null) Arrays.fill(counters, id * 4, id * 4 + 4, 0L);
        return id;
    }

    /** An id off the free list or past the high-water mark (growing the arrays), counted; -1 if none. */
    private int newId() {
        int id;
        if (freeHead >= 0) {
            id = freeHead;
            freeHead = ints[row(id) + I_MARK];
        } else {
            if (highWater == capacity && !grow()) return -1;
            id = highWater++;
        }
        count++;
        return id;
    }

    private void setTuple(int b, int dir, Tuple t) {
        int o = b + dir * TUPLE;
        ints[o + T_SRC] = t.src;
        ints[o + T_DST] = t.dst;
        ints[o + T_PORTS] = t.srcPort << 16 | t.dstPort;
    }

    /** Zeroes struct ip_ct_tcp (tcp_new's memset). */
    void clearTcp(int id) {
        int b = row(id);
        Arrays.fill(ints, b + I_SEEN, b + ROW, 0);
    }

    /** Offset in {@link #ints} of seen[dir] of a connection. */
    static int seen(int id, int dir) {
        return id * ROW + I_SEEN + dir * SEEN_INTS;
    }

    /** Offset in {@link #ints} of the tuple of a ref. */
    static int tupleAt(int ref) {
        return (ref >>> 1) * ROW + (ref & 1) * TUPLE;
    }

    /** Offset in {@link #ints} of a connection's row. */
    static int row(int id) {
        return id * ROW;
    }

    long udpStreamTs(int id) {
        int ib = row(id) + I_UDP_STREAM_TS;
        return (long) ints[ib] << 32 | (ints[ib + 1] & 0xffffffffL);
    }

    void setUdpStreamTs(int id, long ts) {
        int ib = row(id) + I_UDP_STREAM_TS;
        ints[ib] = (int) (ts >>> 32);
        ints[ib + 1] = (int) ts;
    }

    /**
     * nf_conntrack_alter_reply: NAT sets the reply tuple it chose, before the entry is confirmed.
     */
    public void alterReplyTuple(int id, Tuple reply) {
        checkInUse(id);
        if ((ints[row(id) + I_STATUS] & Status.CONFIRMED) != 0) {
            throw new IllegalStateException("alterReplyTuple on confirmed connection " + id);
        }
        setTuple(row(id), REPLY, reply);
    }

    /**
     * __nf_conntrack_confirm: puts both tuples in the hash, sets CONFIRMED and turns the relative
     * timeout into an absolute expiry. Returns false, freeing the entry, when a live entry already
     * holds either tuple (a clash: the kernel drops the packet).
     */
    public boolean confirm(int id, long now) {
        checkInUse(id);
        int b = row(id);
        if ((ints[b + I_STATUS] & Status.CONFIRMED) != 0) return true;
        int o = id << 1, r = o | 1;
        if (find(addrs(o), l4(o), now) != NOT_FOUND || find(addrs(r), l4(r), now) != NOT_FOUND) {
            release(id);
            return false;
        }
        ints[b + I_TIMEOUT] += ticks(now);
        ints[b + I_STATUS] |= Status.CONFIRMED;
        insert(o);
        insert(r);
        return true;
    }

    /** Frees an unconfirmed entry whose packet was dropped or found INVALID (nf_ct_put of an unconfirmed ct). */
    public void release(int id) {
        checkInUse(id);
        if ((ints[row(id) + I_STATUS] & Status.CONFIRMED) != 0) {
            throw new IllegalStateException("release of confirmed connection " + id + "; use kill");
        }
        free(id);
    }

    /** nf_ct_delete: removes the entry now (conntrack -D, flush). Unconfirmed entries are released. */
    public void kill(int id) {
        checkInUse(id);
        if ((ints[row(id) + I_STATUS] & Status.CONFIRMED) == 0) {
            free(id);
        } else if ((ints[row(id) + I_STATUS] & Status.DYING) == 0) {
            delete(id);
        }
    }

    /** Removes all entries (conntrack -F). */
    public void flush() {
        reapDying();
        for (int id = 0; id < highWater; id++) {
            if ((ints[row(id) + I_STATUS] & ALLOCATED) != 0) kill(id);
        }
    }

    /**
     * nf_ct_kill from the packet path: out of the hash now, freed when the next packet starts
     * ({@link #reapDying}), because the packet in flight still uses the entry.
     */
    void killDeferred(int id) {
        if ((ints[row(id) + I_STATUS] & (Status.DYING | Status.CONFIRMED)) != Status.CONFIRMED) return;
        ints[row(id) + I_STATUS] |= Status.DYING;
        indexRemove(id << 1);
        indexRemove(id << 1 | 1);
        if (dyingCount == dying.length) dying = Arrays.copyOf(dying, dyingCount * 2);
        dying[dyingCount++] = id;
    }

    /** Frees the entries killed while their packet was in flight. */
    public void reapDying() {
        while (dyingCount > 0) {
            free(dying[--dyingCount]);
        }
    }

    private void delete(int id) {
        if ((ints[row(id) + I_STATUS] & Status.DYING) != 0) return;
        ints[row(id) + I_STATUS] |= Status.DYING;
        indexRemove(id << 1);
        indexRemove(id << 1 | 1);
        free(id);
    }

    private void free(int id) {
        listener.destroyed(id);
        ints[row(id) + I_STATUS] = 0;
        ints[row(id) + I_MARK] = freeHead;
        freeHead = id;
        count--;
    }

    private void checkInUse(int id) {
        if (id < 0 || id >= highWater || (ints[row(id) + I_STATUS] & ALLOCATED) == 0) {
            throw new IllegalArgumentException("no connection " + id);
        }
    }

    /** Whether {@code id} names an allocated entry (confirmed, unconfirmed or dying). */
    public boolean inUse(int id) {
        return id >= 0 && id < highWater && (ints[row(id) + I_STATUS] & ALLOCATED) != 0;
    }

    /** nf_ct_is_expired, for a confirmed entry. */
    public boolean expired(int id, long now) {
        return (ints[row(id) + I_STATUS] & Status.CONFIRMED) != 0 && ints[row(id) + I_TIMEOUT] - ticks(now) <= 0;
    }

    /**
     * gc_worker, incrementally: looks at up to {@code budget} ids from where the last call stopped,
     * deletes expired entries and, while the table is at least 95% full, entries that may be
     * early-dropped. Returns how
     * many it deleted. Call it often with a small budget; it never stalls.
     */
    public int gc(long now, int budget) {
        clock(now);
        reapDying();
        int freed = 0;
        int max95 = max / 100 * 95; // nf_conntrack_max95
        int t = ticks(now);
        for (int n = 0; n < budget && highWater > 0; n++) {
            if (gcCursor >= highWater) gcCursor = 0;
            int id = gcCursor++;
            int st = ints[row(id) + I_STATUS];
            if ((st & ALLOCATED) == 0 || (st & Status.CONFIRMED) == 0) continue;
            boolean expired = ints[row(id) + I_TIMEOUT] - t <= 0;
            if (expired || (max95 > 0 && count >= max95 && canEarlyDrop(id))) {
                if (!expired) earlyDrops++;
                delete(id);
                freed++;
            }
        }
        return freed;
    }

    /** gc_worker_can_early_drop: not ASSURED, or TCP in a closing state (tcp_can_early_drop). */
    boolean canEarlyDrop(int id) {
        if ((ints[row(id) + I_STATUS] & Status.ASSURED) == 0) return true;
        return protocol(id) == Tuple.IPPROTO_TCP && TcpTracker.canEarlyDrop(tcpState(id));
    }

    /**
     * early_drop: evicts a confirmed, unassured entry found near the new tuple's hash slot (the
     * kernel looks at the entries of NF_CT_EVICTION_RANGE buckets from the new tuple's hash).
     * Expired entries found there are reaped too.
     */
    private boolean earlyDrop(long addrs, long l4, long now) {
        int t = ticks(now);
        int i = home(Tuple.mix(addrs, l4, seed), index.length);
        for (int n = 0; n < EVICTION_SCAN; n++) {
            int v = index[i];
            if (++i == index.length) i = 0;
            if (v == 0) continue;
            int id = ((v & refMask) - 1) >>> 1;
            int st = ints[row(id) + I_STATUS];
            if ((st & Status.DYING) != 0) continue;
            boolean expired = ints[row(id) + I_TIMEOUT] - t <= 0;
            if (expired || (st & Status.ASSURED) == 0) {
                if (!expired) earlyDrops++;
                delete(id);
                return true;
            }
        }
        return false;
    }

    // ---- the hash ----------------------------------------------------------------------------
    // Linear probing over an int array of any size (the slot is the hash's high half scaled to
    // the size, so the size need not be a power of two and can follow the capacity closely).
    // A slot holds ref + 1 in its low bits and, above them, bits of the tuple's hash that the
    // slot number does not use: a probe compares those before it reads a row.

    private static int home(long h, int size) {
        return (int) (((h >>> 32) * size) >>> 32);
    }

    private long hashOf(int ref) {
        return Tuple.mix(addrs(ref), l4(ref), seed);
    }

    /** The packed tuple of a ref, as {@link Tuple#addrs()} and {@link Tuple#l4()} pack it. */
    private long addrs(int ref) {
        int t = tupleAt(ref);
        return (long) ints[t + T_SRC] << 32 | (ints[t + T_DST] & 0xffffffffL);
    }

    private long l4(int ref) {
        return (long) (ints[row(ref >>> 1) + I_STATUS] >>> PROTO_SHIFT & 0xff) << 32 | (ints[tupleAt(ref) + T_PORTS] & 0xffffffffL);
    }

    private void insert(int ref) {
        long h = hashOf(ref);
        int size = index.length;
        int i = home(h, size);
        while (index[i] != 0) if (++i == size) i = 0;
        index[i] = ((int) h & tagMask) | (ref + 1);
    }

    private void indexRemove(int ref) {
        long h = hashOf(ref);
        int size = index.length;
        int i = home(h, size);
        int v = ((int) h & tagMask) | (ref + 1);
        while (index[i] != v) {
            if (index[i] == 0) throw new IllegalStateException("ref " + ref + " not in the hash");
            if (++i == size) i = 0;
        }
        // Backward-shift deletion: pull later members of the probe run into the hole.
        int j = i;
        for (;;) {
            if (++j == size) j = 0;
            int w = index[j];
            if (w == 0) break;
            int k = home(hashOf((w & refMask) - 1), size);
            boolean movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
            if (movable) {
                index[i] = w;
                i = j;
            }
        }
        index[i] = 0;
    }

    private void allocate(int cap) {
        capacity = cap;
        ints = new int[cap * ROW];
        index = new int[indexSize(Math.max(cap, hashsize))];
    }

    /** Two tuples per entry at a load of at most 3/4. */
    private static int indexSize(int cap) {
        return (int) Math.max(16, (8L * cap + 2) / 3);
    }

    private boolean grow() {
        int cap = (int) Math.min(Math.min(max, MAX_IDS), (long) capacity * 2);
        if (cap <= capacity) return false;
        capacity = cap;
        ints = Arrays.copyOf(ints, cap * ROW);
        if (counters != null) counters = Arrays.copyOf(counters, cap * 4);
        if (indexSize(Math.max(cap, hashsize)) <= index.length) return true; // the hash was built for this size
        index = new int[indexSize(Math.max(cap, hashsize))];
        for (int id = 0; id < highWater; id++) {
            if ((ints[row(id) + I_STATUS] & (ALLOCATED | Status.CONFIRMED | Status.DYING)) == (ALLOCATED | Status.CONFIRMED)) {
                insert(id << 1);
                insert(id << 1 | 1);
            }
        }
        return true;
    }

    /** Slots in the hash (tests). */
    int indexLength() {
        return index.length;
    }

    /** Bytes the arrays hold per connection id at the current capacity (the hash and counters included). */
    public double bytesPerConnection() {
        return ROW * 4 + 4.0 * index.length / capacity + (counters != null ? 32 : 0);
    }

    // ---- accessors ---------------------------------------------------------------------------

    /** Copies the tuple of direction {@code dir} into {@code out}. */
    public Tuple tuple(int id, int dir, Tuple out) {
        int t = tupleAt(id << 1 | dir);
        int ports = ints[t + T_PORTS];
        return out.set(protocol(id), ints[t + T_SRC], ints[t + T_DST], ports >>> 16, ports);
    }

    public long tupleAddrs(int ref) { return addrs(ref); }
    public long tupleL4(int ref) { return l4(ref); }
    /** tuplehash[dir].tuple.src.u3.ip */
    public int srcAddr(int id, int dir) { return ints[tupleAt(id << 1 | dir) + T_SRC]; }
    /** tuplehash[dir].tuple.dst.u3.ip */
    public int dstAddr(int id, int dir) { return ints[tupleAt(id << 1 | dir) + T_DST]; }
    /** tuplehash[dir].tuple.src.u.all (port or icmp id). */
    public int srcPort(int id, int dir) { return ints[tupleAt(id << 1 | dir) + T_PORTS] >>> 16; }
    /** tuplehash[dir].tuple.dst.u.all (port or icmp type << 8 | code). */
    public int dstPort(int id, int dir) { return ints[tupleAt(id << 1 | dir) + T_PORTS] & 0xffff; }
    public int protocol(int id) { return ints[row(id) + I_STATUS] >>> PROTO_SHIFT & 0xff; }

    public int status(int id) { return ints[row(id) + I_STATUS] & STATUS_MASK; }
    public void setStatus(int id, int bits) { ints[row(id) + I_STATUS] |= bits & STATUS_MASK; }
    public void clearStatus(int id, int bits) { ints[row(id) + I_STATUS] &= ~(bits & STATUS_MASK); }
    public boolean hasStatus(int id, int bits) { return (ints[row(id) + I_STATUS] & bits) == bits; }
    public boolean confirmed(int id) { return (ints[row(id) + I_STATUS] & Status.CONFIRMED) != 0; }

    public int mark(int id) { return ints[row(id) + I_MARK]; }
    public void setMark(int id, int m) { ints[row(id) + I_MARK] = m; }

    /** ct->timeout: the expiry tick (ms) of a confirmed entry, the pending relative timeout (ms) while unconfirmed. */
    public int timeout(int id) { return ints[row(id) + I_TIMEOUT]; }
    /** nf_ct_expires: nanoseconds left, never negative (whole milliseconds, the table's tick). */
    public long expiresIn(int id, long now) {
        int b = row(id);
        if ((ints[b + I_STATUS] & Status.CONFIRMED) == 0) return Math.max(0, ints[b + I_TIMEOUT]) * NS_PER_MS;
        return Math.max(0, ints[b + I_TIMEOUT] - ticks(now)) * NS_PER_MS;
    }

    /** An int for the NAT engine's per-connection data (MASQUERADE's interface index). */
    public int natInt(int id) { return ints[row(id) + I_NAT]; }
    public void setNatInt(int id, int v) { ints[row(id) + I_NAT] = v; }
    /** An int for the NAT engine's by-source chain (the nat extension's hlist node); 0 in a new entry. */
    public int natLink(int id) { return ints[row(id) + I_NAT_LINK]; }
    public void setNatLink(int id, int v) { ints[row(id) + I_NAT_LINK] = v; }

    /** Packets seen in direction {@code dir}; 0 while accounting is off ({@link #setAccounting}). */
    public long packets(int id, int dir) { return counters == null ? 0 : counters[id * 4 + dir]; }
    public long bytes(int id, int dir) { return counters == null ? 0 : counters[id * 4 + 2 + dir]; }

    /** The TCP state (TcpTracker.NONE..SYN_SENT2) of a TCP connection. */
    public int tcpState(int id) { return ints[row(id) + I_TCP] & 0xff; }

    /** The next allocated, confirmed and live id at or after {@code from}, or -1: iteration without allocation. */
    public int nextConfirmed(int from) {
        for (int id = Math.max(0, from); id < highWater; id++) {
            if ((ints[row(id) + I_STATUS] & (ALLOCATED | Status.CONFIRMED | Status.DYING)) == (ALLOCATED | Status.CONFIRMED)) return id;
        }
        return -1;
    }

    /**
     * nf_ct_refresh_acct: counts the packet in direction {@code dir} and sets the timeout to
     * {@code extra} (ns) from now (kept relative until confirm, as the kernel does).
     */
    void refreshAcct(int id, int dir, int length, long extra, long now) {
        acct(id, dir, length);
        refresh(id, extra, now);
    }

    /** __nf_ct_refresh: the timeout becomes {@code extra} (ns) from now, unless it is fixed. */
    void refresh(int id, long extra, long now) {
        int b = row(id);
        int st = ints[b + I_STATUS];
        if ((st & Status.FIXED_TIMEOUT) != 0) return;
        int e = (int) (extra / NS_PER_MS);
        ints[b + I_TIMEOUT] = (st & Status.CONFIRMED) != 0 ? ticks(now) + e : e;
    }

    /** Sets the timeout to {@code extra} (ns) from now even when it is fixed (nf_tcp_handle_invalid's direct write). */
    void setTimeout(int id, long extra, long now) {
        int b = row(id);
        int e = (int) (extra / NS_PER_MS);
        ints[b + I_TIMEOUT] = (ints[b + I_STATUS] & Status.CONFIRMED) != 0 ? ticks(now) + e : e;
    }

    void acct(int id, int dir, int length) {
        long[] c = counters;
        if (c == null) return;
        c[id * 4 + dir]++;
        c[id * 4 + 2 + dir] += length;
    }

    // ---- export and import (a state file across restarts) ---------------------------------------
    // The exported row keeps the layout of the state files jnat wrote before the rows were packed
    // (10 longs, 23 ints), so those files stay readable: ROW_* below are offsets in it.

    /** Longs and ints of one exported row ({@link #exportRow}). */
    public static final int ROW_LONGS = 10, ROW_INTS = 23;
    /** Exported longs: both packed tuples, the time left (ns), a former NAT long (0), packets and bytes per direction. */
    static final int X_TUPLE = 0, X_TIMEOUT = 4, X_NAT_LONG = 5, X_PACKETS = 6, X_BYTES = 8;
    /** Exported ints: status, mark, NAT int, seen[2] (td_end, td_maxend, td_maxwin, td_maxack, flags | td_scale << 8), then struct ip_ct_tcp one field an int. */
    static final int X_STATUS = 0, X_MARK = 1, X_NAT = 2, X_SEEN = 3, X_SEEN_INTS = 5, X_STATE = 13, X_LAST_DIR = 14,
            X_LAST_INDEX = 15, X_RETRANS = 16, X_LAST_WSCALE = 17, X_LAST_FLAGS = 18, X_LAST_SEQ = 19,
            X_LAST_ACK = 20, X_LAST_END = 21, X_LAST_WIN = 22;

    /**
     * Copies confirmed entry {@code id} into {@code l} ({@link #ROW_LONGS}) and {@code i}
     * ({@link #ROW_INTS}): both tuples, status, mark, NAT data, counters, struct ip_ct_tcp, with
     * every clock value (the expiry, UDP's stream_ts) made relative to {@code now}, so the row
     * means the same on another clock.
     */
    public void exportRow(int id, long now, long[] l, int[] i) {
        checkInUse(id);
        int b = row(id);
        Arrays.fill(l, 0, ROW_LONGS, 0L);
        Arrays.fill(i, 0, ROW_INTS, 0);
        for (int d = 0; d < 2; d++) {
            l[X_TUPLE + 2 * d] = addrs(id << 1 | d);
            l[X_TUPLE + 2 * d + 1] = l4(id << 1 | d);
            l[X_PACKETS + d] = packets(id, d);
            l[X_BYTES + d] = bytes(id, d);
        }
        l[X_TIMEOUT] = expiresIn(id, now);
        i[X_STATUS] = status(id);
        i[X_MARK] = ints[b + I_MARK];
        i[X_NAT] = ints[b + I_NAT];
        for (int d = 0; d < 2; d++) {
            System.arraycopy(ints, b + I_SEEN + d * SEEN_INTS, i, X_SEEN + d * X_SEEN_INTS, SEEN_INTS);
            i[X_SEEN + d * X_SEEN_INTS + SEEN_INTS] = ints[b + I_TD_FLAGS] >>> (d << 4) & 0xffff;
        }
        int tcp = ints[b + I_TCP], last = ints[b + I_LAST_WIN];
        i[X_STATE] = tcp & 0xff;
        i[X_LAST_DIR] = tcp >>> 8 & 0xff;
        i[X_LAST_INDEX] = tcp >>> 16 & 0xff;
        i[X_RETRANS] = tcp >>> 24;
        i[X_LAST_SEQ] = ints[b + I_LAST_SEQ];
        i[X_LAST_ACK] = ints[b + I_LAST_ACK];
        i[X_LAST_END] = ints[b + I_LAST_END];
        i[X_LAST_WIN] = last & 0xffff;
        i[X_LAST_WSCALE] = last >>> 16 & 0xff;
        i[X_LAST_FLAGS] = last >>> 24;
        if (protocol(id) == Tuple.IPPROTO_UDP) {
            long rel = udpStreamTs(id) - now;
            i[X_SEEN] = (int) (rel >>> 32);
            i[X_SEEN + 1] = (int) rel;
        }
    }

    /**
     * Puts back a row {@link #exportRow} made, as a confirmed entry expiring {@code l[timeout]}
     * after {@code now}. Returns its id, or -1 when the row's time ran out, the table is full
     * (no early drop: live traffic comes first) or a live entry holds either tuple already.
     * Listeners are not told; NAT re-files what it keeps per connection itself.
     */
    public int importRow(long[] l, int[] i, long now) {
        reapDying();
        long left = l[X_TIMEOUT];
        if (left <= 0 || count >= max) return -1;
        if (find(l[X_TUPLE], l[X_TUPLE + 1], now) != NOT_FOUND || find(l[X_TUPLE + 2], l[X_TUPLE + 3], now) != NOT_FOUND) {
            return -1;
        }
        int id = newId();
        if (id < 0) return -1;
        int b = row(id);
        Arrays.fill(ints, b, b + ROW, 0);
        Tuple t = new Tuple();
        setTuple(b, ORIGINAL, t.unpack(l[X_TUPLE], l[X_TUPLE + 1]));
        setTuple(b, REPLY, t.unpack(l[X_TUPLE + 2], l[X_TUPLE + 3]));
        int proto = (int) (l[X_TUPLE + 1] >>> 32) & 0xff;
        ints[b + I_STATUS] = (i[X_STATUS] & STATUS_MASK & ~Status.DYING) | Status.CONFIRMED | ALLOCATED | proto << PROTO_SHIFT;
        ints[b + I_MARK] = i[X_MARK];
        ints[b + I_NAT] = i[X_NAT];
        for (int d = 0; d < 2; d++) {
            System.arraycopy(i, X_SEEN + d * X_SEEN_INTS, ints, b + I_SEEN + d * SEEN_INTS, SEEN_INTS);
            ints[b + I_TD_FLAGS] |= (i[X_SEEN + d * X_SEEN_INTS + SEEN_INTS] & 0xffff) << (d << 4);
        }
        ints[b + I_TCP] = (i[X_STATE] & 0xff) | (i[X_LAST_DIR] & 0xff) << 8 | (i[X_LAST_INDEX] & 0xff) << 16
                | (i[X_RETRANS] & 0xff) << 24;
        ints[b + I_LAST_SEQ] = i[X_LAST_SEQ];
        ints[b + I_LAST_ACK] = i[X_LAST_ACK];
        ints[b + I_LAST_END] = i[X_LAST_END];
        ints[b + I_LAST_WIN] = (i[X_LAST_WIN] & 0xffff) | (i[X_LAST_WSCALE] & 0xff) << 16 | (i[X_LAST_FLAGS] & 0xff) << 24;
        // the time left, rounded up to the table's millisecond tick
        ints[b + I_TIMEOUT] = ticks(now) + (int) Math.min(Integer.MAX_VALUE / 2, (left + NS_PER_MS - 1) / NS_PER_MS);
        if (counters != null) {
            for (int d = 0; d < 2; d++) {
                counters[id * 4 + d] = l[X_PACKETS + d];
                counters[id * 4 + 2 + d] = l[X_BYTES + d];
            }
        }
        if (proto == Tuple.IPPROTO_UDP) {
            setUdpStreamTs(id, now + ((long) i[X_SEEN] << 32 | (i[X_SEEN + 1] & 0xffffffffL)));
        }
        insert(id << 1);
        insert(id << 1 | 1);
        return id;
    }

    /** Checks that every live entry's two refs are in the hash exactly once and nothing else is (tests). */
    public void checkConsistency() {
        int inIndex = 0;
        for (int i = 0; i < index.length; i++) {
            int v = index[i];
            if (v == 0) continue;
            inIndex++;
            int ref = (v & refMask) - 1, id = ref >>> 1;
            if (!inUse(id) || (ints[row(id) + I_STATUS] & (Status.CONFIRMED | Status.DYING)) != Status.CONFIRMED) {
                throw new IllegalStateException("hash slot " + i + " holds ref " + ref + " of a dead or unconfirmed entry");
            }
            if ((v & tagMask) != ((int) hashOf(ref) & tagMask)) throw new IllegalStateException("slot " + i + ": wrong tag");
            if (!reachable(ref)) throw new IllegalStateException("ref " + ref + " unreachable from its home slot");
        }
        int live = 0, allocated = 0;
        for (int id = 0; id < highWater; id++) {
            if ((ints[row(id) + I_STATUS] & ALLOCATED) == 0) continue;
            allocated++;
            if ((ints[row(id) + I_STATUS] & (Status.CONFIRMED | Status.DYING)) == Status.CONFIRMED) live++;
        }
        if (inIndex != 2 * live) throw new IllegalStateException("hash holds " + inIndex + " refs for " + live + " entries");
        if (allocated != count) throw new IllegalStateException("count " + count + " but " + allocated + " allocated");
    }

    /** Whether probing from the ref's home slot meets the ref before an empty slot. */
    private boolean reachable(int ref) {
        int i = home(hashOf(ref), index.length);
        int v;
        while ((v = index[i]) != 0) {
            if ((v & refMask) == ref + 1) return true;
            if (++i == index.length) i = 0;
        }
        return false;
    }
}

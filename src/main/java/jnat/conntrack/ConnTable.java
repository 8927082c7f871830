package jnat.conntrack;

import java.util.Arrays;

/**
 * The connection table: nf_conn entries indexed by an int connection id, and one open-addressing
 * hash (linear probing, backward-shift deletion) holding both directions' tuples, as the kernel's
 * hash holds tuplehash[IP_CT_DIR_ORIGINAL] and tuplehash[IP_CT_DIR_REPLY].
 *
 * <p>Layout: each entry is one row of {@link #LONGS} longs (tuples, timeout, NAT long, counters)
 * and one row of {@link #INTS} ints (status, mark, NAT int, struct ip_ct_tcp), so the packet of
 * an established connection touches the hash slot and about four cache lines, where one array
 * per field (struct-of-arrays, the first version) touched about twenty. 188 bytes per entry with
 * the hash (see {@link #bytesPerConnection()}).
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
 * monotonic clock for the gateway). Nothing here allocates except growth, which doubles the
 * arrays and rehashes once per doubling up to {@link #max()}; give a large initial capacity
 * where that pause matters. Single-threaded, like one engine.
 */
public final class ConnTable {
    public static final int ORIGINAL = 0, REPLY = 1;
    public static final int NOT_FOUND = -1;
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
     * million entries). An entry is one row of LONGS longs and one row of INTS ints.
     */
    static final int LONGS = 10;
    /** Tuples: addrs then l4 for ORIGINAL, then for REPLY ({@link Tuple#addrs()}, {@link Tuple#l4()}). */
    static final int L_TUPLE = 0;
    /** Absolute expiry (ns) once confirmed; the relative timeout while unconfirmed (as ct->timeout). */
    static final int L_TIMEOUT = 4;
    static final int L_NAT = 5;
    /** Packet and byte counters, + dir. */
    static final int L_PACKETS = 6, L_BYTES = 8;

    static final int INTS = 23;
    static final int I_STATUS = 0;
    /** ct->mark; the free-list link while the id is free. */
    static final int I_MARK = 1;
    static final int I_NAT = 2;
    /** ct->proto.tcp.seen[dir] at I_SEEN + dir * SEEN_INTS: the ip_ct_tcp_state fields below. */
    static final int I_SEEN = 3, SEEN_INTS = 5;
    static final int TD_END = 0, TD_MAXEND = 1, TD_MAXWIN = 2, TD_MAXACK = 3;
    /** ip_ct_tcp_state.flags in bits 0-7, td_scale in bits 8-15. */
    static final int TD_FLAGS = 4;
    /** The rest of struct ip_ct_tcp. */
    static final int I_STATE = 13, I_LAST_DIR = 14, I_LAST_INDEX = 15, I_RETRANS = 16, I_LAST_WSCALE = 17,
            I_LAST_FLAGS = 18, I_LAST_SEQ = 19, I_LAST_ACK = 20, I_LAST_END = 21, I_LAST_WIN = 22;
    /** ct->proto is a union: UDP's stream_ts lives where TCP keeps seen[ORIGINAL].td_end/td_maxend. */
    static final int I_UDP_STREAM_TS = I_SEEN;

    /** Not an IPS_* bit: marks allocated ids. */
    private static final int ALLOCATED = 1 << 31;

    long[] longs;
    int[] ints;

    /** The hash: 0 empty, else ref + 1. */
    private int[] index;
    private int mask;

    /** Entries killed while their packet is still in flight (nf_ct_kill with the skb's reference). */
    private int[] dying = new int[4];
    private int dyingCount;

    /** A table that holds at most {@code max} entries (nf_conntrack_max) and starts small. */
    public ConnTable(int max) {
        this(max, Math.min(max, 1024), 0x6a6e6174L);
    }

    /**
     * @param max the most entries at once, unconfirmed included (nf_conntrack_max)
     * @param initialCapacity ids allocated up front (the table doubles up to max)
     * @param seed the hash seed (nf_conntrack_hash_rnd); fixed by default so replays are repeatable
     */
    public ConnTable(int max, int initialCapacity, long seed) {
        if (max < 1) throw new IllegalArgumentException("max must be positive");
        this.max = max;
        this.seed = seed;
        allocate(Math.max(1, Math.min(max, initialCapacity)));
    }

    /** net.netfilter.nf_conntrack_tcp_loose (default 1): pick up connections mid-stream. */
    boolean tcpLoose = true;
    /** net.netfilter.nf_conntrack_tcp_be_liberal (default 0): only out-of-window RSTs are INVALID. */
    boolean tcpBeLiberal = false;

    public void setTcpLoose(boolean on) { tcpLoose = on; }
    public void setTcpBeLiberal(boolean on) { tcpBeLiberal = on; }

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

    public static int id(int ref) { return ref >>> 1; }
    public static int dir(int ref) { return ref & 1; }
    public static int ref(int id, int dir) { return id << 1 | dir; }

    // ---- lookup ----------------------------------------------------------------------------

    /** __nf_conntrack_find_get: the ref of the confirmed, unexpired entry holding this tuple, or NOT_FOUND. */
    public int find(Tuple t, long now) {
        return find(t.addrs(), t.l4(), now);
    }

    public int find(long addrs, long l4, long now) {
        for (;;) {
            int i = slot(addrs, l4);
            int v;
            while ((v = index[i]) != 0) {
                int ref = v - 1;
                if (longs[tupleAt(ref)] == addrs && longs[tupleAt(ref) + 1] == l4) {
                    int id = ref >>> 1;
                    if (!expired(id, now)) return ref;
                    delete(id); // nf_ct_gc_expired; the probe sequence changed, look again
                    break;
                }
                i = (i + 1) & mask;
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
        int id;
        if (freeHead >= 0) {
            id = freeHead;
            freeHead = ints[id * INTS + I_MARK];
        } else {
            if (highWater == capacity) grow();
            id = highWater++;
        }
        count++;
        int lb = id * LONGS, ib = id * INTS;
        java.util.Arrays.fill(longs, lb, lb + LONGS, 0L);
        java.util.Arrays.fill(ints, ib, ib + INTS, 0);
        ints[ib + I_STATUS] = ALLOCATED;
        longs[lb + L_TUPLE] = original.addrs();
        longs[lb + L_TUPLE + 1] = original.l4();
        longs[lb + L_TUPLE + 2] = reply.addrs();
        longs[lb + L_TUPLE + 3] = reply.l4();
        return id;
    }

    /** Zeroes struct ip_ct_tcp (tcp_new's memset). */
    void clearTcp(int id) {
        int ib = id * INTS;
        java.util.Arrays.fill(ints, ib + I_SEEN, ib + INTS, 0);
    }

    /** Offset in {@link #ints} of seen[dir] of a connection. */
    static int seen(int id, int dir) {
        return id * INTS + I_SEEN + dir * SEEN_INTS;
    }

    /** Offset in {@link #longs} of the tuple of a ref. */
    static int tupleAt(int ref) {
        return (ref >>> 1) * LONGS + L_TUPLE + ((ref & 1) << 1);
    }

    /** Offset in {@link #longs} of a ref's row plus its direction (for the counters). */
    static int counter(int ref) {
        return (ref >>> 1) * LONGS + (ref & 1);
    }

    /** Offset in {@link #ints} of a connection's row. */
    static int row(int id) {
        return id * INTS;
    }

    long udpStreamTs(int id) {
        int ib = id * INTS + I_UDP_STREAM_TS;
        return (long) ints[ib] << 32 | (ints[ib + 1] & 0xffffffffL);
    }

    void setUdpStreamTs(int id, long ts) {
        int ib = id * INTS + I_UDP_STREAM_TS;
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
        longs[tupleAt(id << 1 | 1)] = reply.addrs();
        longs[tupleAt(id << 1 | 1) + 1] = reply.l4();
    }

    /**
     * __nf_conntrack_confirm: puts both tuples in the hash, sets CONFIRMED and turns the relative
     * timeout into an absolute expiry. Returns false, freeing the entry, when a live entry already
     * holds either tuple (a clash: the kernel drops the packet).
     */
    public boolean confirm(int id, long now) {
        checkInUse(id);
        if ((ints[row(id) + I_STATUS] & Status.CONFIRMED) != 0) return true;
        int o = id << 1, r = o | 1;
        if (find(longs[tupleAt(o)], longs[tupleAt(o) + 1], now) != NOT_FOUND || find(longs[tupleAt(r)], longs[tupleAt(r) + 1], now) != NOT_FOUND) {
            release(id);
            return false;
        }
        longs[(id) * LONGS + L_TIMEOUT] += now;
        ints[row(id) + I_STATUS] |= Status.CONFIRMED;
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
        return (ints[row(id) + I_STATUS] & Status.CONFIRMED) != 0 && longs[(id) * LONGS + L_TIMEOUT] - now <= 0;
    }

    /**
     * gc_worker, incrementally: looks at up to {@code budget} ids from where the last call stopped,
     * deletes expired entries and, while the table is at least 95% full, entries that may be
     * early-dropped. Returns how
     * many it deleted. Call it often with a small budget; it never stalls.
     */
    public int gc(long now, int budget) {
        reapDying();
        int freed = 0;
        int max95 = max / 100 * 95; // nf_conntrack_max95
        for (int n = 0; n < budget && highWater > 0; n++) {
            if (gcCursor >= highWater) gcCursor = 0;
            int id = gcCursor++;
            int st = ints[row(id) + I_STATUS];
            if ((st & ALLOCATED) == 0 || (st & Status.CONFIRMED) == 0) continue;
            if (longs[id * LONGS + L_TIMEOUT] - now <= 0
                    || (max95 > 0 && count >= max95 && canEarlyDrop(id))) {
                if (longs[id * LONGS + L_TIMEOUT] - now > 0) earlyDrops++;
                delete(id);
                freed++;
            }
        }
        return freed;
    }

    /** gc_worker_can_early_drop: not ASSURED, or TCP in a closing state (tcp_can_early_drop). */
    boolean canEarlyDrop(int id) {
        if ((ints[row(id) + I_STATUS] & Status.ASSURED) == 0) return true;
        return protocol(id) == Tuple.IPPROTO_TCP && TcpTracker.canEarlyDrop(ints[row(id) + I_STATE]);
    }

    /**
     * early_drop: evicts a confirmed, unassured entry found near the new tuple's hash slot (the
     * kernel looks at the entries of NF_CT_EVICTION_RANGE buckets from the new tuple's hash).
     * Expired entries found there are reaped too.
     */
    private boolean earlyDrop(long addrs, long l4, long now) {
        int i = slot(addrs, l4);
        for (int n = 0; n < EVICTION_SCAN; n++, i = (i + 1) & mask) {
            int v = index[i];
            if (v == 0) continue;
            int id = (v - 1) >>> 1;
            int st = ints[row(id) + I_STATUS];
            if ((st & Status.DYING) != 0) continue;
            if (longs[(id) * LONGS + L_TIMEOUT] - now <= 0 || (st & Status.ASSURED) == 0) {
                if (longs[(id) * LONGS + L_TIMEOUT] - now > 0) earlyDrops++;
                delete(id);
                return true;
            }
        }
        return false;
    }

    // ---- the hash ----------------------------------------------------------------------------

    private int slot(long addrs, long l4) {
        return (int) Tuple.mix(addrs, l4, seed) & mask;
    }

    private void insert(int ref) {
        int i = slot(longs[tupleAt(ref)], longs[tupleAt(ref) + 1]);
        while (index[i] != 0) i = (i + 1) & mask;
        index[i] = ref + 1;
    }

    private void indexRemove(int ref) {
        int i = slot(longs[tupleAt(ref)], longs[tupleAt(ref) + 1]);
        while (index[i] != ref + 1) {
            if (index[i] == 0) throw new IllegalStateException("ref " + ref + " not in the hash");
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: pull later members of the probe run into the hole.
        int j = i;
        for (;;) {
            j = (j + 1) & mask;
            int v = index[j];
            if (v == 0) break;
            int home = slot(longs[tupleAt(v - 1)], longs[tupleAt(v - 1) + 1]);
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                index[i] = v;
                i = j;
            }
        }
        index[i] = 0;
    }

    private void allocate(int cap) {
        capacity = cap;
        longs = new long[cap * LONGS];
        ints = new int[cap * INTS];
        index = new int[indexSize(cap)];
        mask = index.length - 1;
    }

    /** Two tuples per entry at a load of at most 1/2. */
    private static int indexSize(int cap) {
        return Integer.highestOneBit(Math.max(8, cap * 4 - 1)) << 1;
    }

    private void grow() {
        int cap = (int) Math.min(max, (long) capacity * 2);
        if (cap <= capacity) throw new IllegalStateException("table full");
        capacity = cap;
        longs = Arrays.copyOf(longs, cap * LONGS);
        ints = Arrays.copyOf(ints, cap * INTS);
        index = new int[indexSize(cap)];
        mask = index.length - 1;
        for (int id = 0; id < highWater; id++) {
            if ((ints[row(id) + I_STATUS] & (ALLOCATED | Status.CONFIRMED | Status.DYING)) == (ALLOCATED | Status.CONFIRMED)) {
                insert(id << 1);
                insert(id << 1 | 1);
            }
        }
    }

    /** Bytes the arrays hold per connection id at the current capacity (the hash included). */
    public double bytesPerConnection() {
        return LONGS * 8 + INTS * 4 + 4.0 * index.length / capacity;
    }

    // ---- accessors ---------------------------------------------------------------------------

    /** Copies the tuple of direction {@code dir} into {@code out}. */
    public Tuple tuple(int id, int dir, Tuple out) {
        int ref = id << 1 | dir;
        return out.unpack(longs[tupleAt(ref)], longs[tupleAt(ref) + 1]);
    }

    public long tupleAddrs(int ref) { return longs[tupleAt(ref)]; }
    public long tupleL4(int ref) { return longs[tupleAt(ref) + 1]; }
    /** tuplehash[dir].tuple.src.u3.ip */
    public int srcAddr(int id, int dir) { return (int) (longs[tupleAt(id << 1 | dir)] >>> 32); }
    /** tuplehash[dir].tuple.dst.u3.ip */
    public int dstAddr(int id, int dir) { return (int) longs[tupleAt(id << 1 | dir)]; }
    /** tuplehash[dir].tuple.src.u.all (port or icmp id). */
    public int srcPort(int id, int dir) { return (int) (longs[tupleAt(id << 1 | dir) + 1] >>> 16) & 0xffff; }
    /** tuplehash[dir].tuple.dst.u.all (port or icmp type << 8 | code). */
    public int dstPort(int id, int dir) { return (int) longs[tupleAt(id << 1 | dir) + 1] & 0xffff; }
    public int protocol(int id) { return (int) (longs[tupleAt(id << 1) + 1] >>> 32); }

    public int status(int id) { return ints[row(id) + I_STATUS] & ~ALLOCATED; }
    public void setStatus(int id, int bits) { ints[row(id) + I_STATUS] |= bits; }
    public void clearStatus(int id, int bits) { ints[row(id) + I_STATUS] &= ~(bits & ~ALLOCATED); }
    public boolean hasStatus(int id, int bits) { return (ints[row(id) + I_STATUS] & bits) == bits; }
    public boolean confirmed(int id) { return (ints[row(id) + I_STATUS] & Status.CONFIRMED) != 0; }

    public int mark(int id) { return ints[row(id) + I_MARK]; }
    public void setMark(int id, int m) { ints[row(id) + I_MARK] = m; }

    /** Absolute expiry time (ns) of a confirmed entry; the pending relative timeout while unconfirmed. */
    public long timeout(int id) { return longs[(id) * LONGS + L_TIMEOUT]; }
    /** nf_ct_expires: nanoseconds left, never negative. */
    public long expiresIn(int id, long now) {
        if ((ints[row(id) + I_STATUS] & Status.CONFIRMED) == 0) return Math.max(0, longs[(id) * LONGS + L_TIMEOUT]);
        return Math.max(0, longs[(id) * LONGS + L_TIMEOUT] - now);
    }

    /** A long for the NAT engine's per-connection data (e.g. a bysource link). */
    public long natLong(int id) { return longs[(id) * LONGS + L_NAT]; }
    public void setNatLong(int id, long v) { longs[(id) * LONGS + L_NAT] = v; }
    /** An int for the NAT engine's per-connection data. */
    public int natInt(int id) { return ints[row(id) + I_NAT]; }
    public void setNatInt(int id, int v) { ints[row(id) + I_NAT] = v; }

    public long packets(int id, int dir) { return longs[counter(id << 1 | dir) + L_PACKETS]; }
    public long bytes(int id, int dir) { return longs[counter(id << 1 | dir) + L_BYTES]; }

    /** The TCP state (TcpTracker.NONE..SYN_SENT2) of a TCP connection. */
    public int tcpState(int id) { return ints[row(id) + I_STATE]; }

    /** The next allocated, confirmed and live id at or after {@code from}, or -1: iteration without allocation. */
    public int nextConfirmed(int from) {
        for (int id = Math.max(0, from); id < highWater; id++) {
            if ((ints[row(id) + I_STATUS] & ALLOCATED) != 0 && (ints[row(id) + I_STATUS] & (Status.CONFIRMED | Status.DYING)) == Status.CONFIRMED) return id;
        }
        return -1;
    }

    /**
     * nf_ct_refresh_acct: counts the packet in direction {@code dir} and sets the timeout to
     * {@code extra} from now (kept relative until confirm, as the kernel does).
     */
    void refreshAcct(int id, int dir, int length, long extra, long now) {
        acct(id, dir, length);
        if ((ints[row(id) + I_STATUS] & Status.FIXED_TIMEOUT) != 0) return;
        longs[(id) * LONGS + L_TIMEOUT] = (ints[row(id) + I_STATUS] & Status.CONFIRMED) != 0 ? now + extra : extra;
    }

    void acct(int id, int dir, int length) {
        longs[counter(id << 1 | dir) + L_PACKETS]++;
        longs[counter(id << 1 | dir) + L_BYTES] += length;
    }

    // ---- export and import (a state file across restarts) ---------------------------------------

    /** Longs and ints of one exported row ({@link #exportRow}). */
    public static final int ROW_LONGS = LONGS, ROW_INTS = INTS;

    /**
     * Copies confirmed entry {@code id} into {@code l} ({@link #ROW_LONGS}) and {@code i}
     * ({@link #ROW_INTS}): both tuples, status, mark, NAT data, counters, struct ip_ct_tcp, with
     * every clock value (the expiry, UDP's stream_ts) made relative to {@code now}, so the row
     * means the same on another clock.
     */
    public void exportRow(int id, long now, long[] l, int[] i) {
        checkInUse(id);
        System.arraycopy(longs, id * LONGS, l, 0, LONGS);
        System.arraycopy(ints, row(id), i, 0, INTS);
        i[I_STATUS] &= ~ALLOCATED;
        l[L_TIMEOUT] = expiresIn(id, now);
        if (protocol(id) == Tuple.IPPROTO_UDP) {
            long rel = udpStreamTs(id) - now;
            i[I_UDP_STREAM_TS] = (int) (rel >>> 32);
            i[I_UDP_STREAM_TS + 1] = (int) rel;
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
        long left = l[L_TIMEOUT];
        if (left <= 0 || count >= max) return -1;
        if (find(l[L_TUPLE], l[L_TUPLE + 1], now) != NOT_FOUND || find(l[L_TUPLE + 2], l[L_TUPLE + 3], now) != NOT_FOUND) {
            return -1;
        }
        int id;
        if (freeHead >= 0) {
            id = freeHead;
            freeHead = ints[id * INTS + I_MARK];
        } else {
            if (highWater == capacity) grow();
            id = highWater++;
        }
        count++;
        System.arraycopy(l, 0, longs, id * LONGS, LONGS);
        System.arraycopy(i, 0, ints, row(id), INTS);
        longs[id * LONGS + L_TIMEOUT] = now + left;
        ints[row(id) + I_STATUS] = (i[I_STATUS] & ~Status.DYING) | Status.CONFIRMED | ALLOCATED;
        if (protocol(id) == Tuple.IPPROTO_UDP) {
            setUdpStreamTs(id, now + ((long) i[I_UDP_STREAM_TS] << 32 | (i[I_UDP_STREAM_TS + 1] & 0xffffffffL)));
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
            int ref = v - 1, id = ref >>> 1;
            if (!inUse(id) || (ints[row(id) + I_STATUS] & (Status.CONFIRMED | Status.DYING)) != Status.CONFIRMED) {
                throw new IllegalStateException("hash slot " + i + " holds ref " + ref + " of a dead or unconfirmed entry");
            }
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
        int i = slot(longs[tupleAt(ref)], longs[tupleAt(ref) + 1]);
        int v;
        while ((v = index[i]) != 0) {
            if (v == ref + 1) return true;
            i = (i + 1) & mask;
        }
        return false;
    }
}

package jnat.conntrack;

import java.util.Arrays;

/**
 * The connection table: nf_conn as struct-of-arrays indexed by an int connection id, and one
 * open-addressing hash (linear probing, backward-shift deletion) holding both directions' tuples,
 * as the kernel's hash holds tuplehash[IP_CT_DIR_ORIGINAL] and tuplehash[IP_CT_DIR_REPLY].
 *
 * <p>A lookup returns a <em>ref</em>, {@code id << 1 | dir}, so finding a packet's connection and
 * its direction allocates nothing. Per-direction arrays (tuples, counters, TCP window state) are
 * indexed by that ref.
 *
 * <p>Life of an entry, as in nf_conntrack_core.c: {@link #alloc} makes an unconfirmed entry that
 * no lookup can see (init_conntrack); NAT may {@link #alterReplyTuple} it; {@link #confirm}
 * (__nf_conntrack_confirm) puts both tuples into the hash and starts the timeout; the entry dies
 * when its timeout passes (seen by lookups, by {@link #gc} and by early drop), or when killed.
 *
 * <p>Time is whatever clock the caller passes in, in nanoseconds (pcap time for replay, the
 * monotonic clock for the gateway). Nothing here allocates except growth, which doubles the
 * arrays and rehashes once per doubling up to {@link #max()}.
 */
public final class ConnTable {
    public static final int ORIGINAL = 0, REPLY = 1;
    public static final int NOT_FOUND = -1;
    /** How many hash slots early_drop looks at near the new tuple's slot (NF_CT_EVICTION_RANGE buckets). */
    static final int EVICTION_SCAN = 64;
    private static final int IN_USE = -2, NEVER = -3;

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

    // Per ref (id << 1 | dir).
    long[] tupAddrs;
    long[] tupL4;
    long[] packets;
    long[] bytes;
    // Per id.
    int[] status;
    int[] mark;
    /** Absolute expiry (ns) once confirmed; the relative timeout while unconfirmed (as ct->timeout). */
    long[] timeout;
    long[] natLong;
    int[] natInt;
    /** Free-list link for free ids; IN_USE for allocated ones. */
    private int[] next;
    /** ct->proto.udp.stream_ts. */
    long[] udpStreamTs;

    // ct->proto.tcp (struct ip_ct_tcp). Per ref: seen[dir].
    int[] tdEnd, tdMaxend, tdMaxwin, tdMaxack;
    byte[] tdScale, tdFlags;
    // Per id.
    byte[] tcpState, lastDir, lastIndex, retrans, lastWscale, lastFlags;
    int[] lastSeq, lastAck, lastEnd;
    char[] lastWin;

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

    public void setDestroyListener(DestroyListener l) {
        this.listener = l == null ? id -> { } : l;
    }

    public int max() { return max; }
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
                if (tupAddrs[ref] == addrs && tupL4[ref] == l4) {
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
            freeHead = next[id];
        } else {
            if (highWater == capacity) grow();
            id = highWater++;
        }
        next[id] = IN_USE;
        count++;
        int o = id << 1, r = o | 1;
        tupAddrs[o] = original.addrs();
        tupL4[o] = original.l4();
        tupAddrs[r] = reply.addrs();
        tupL4[r] = reply.l4();
        packets[o] = packets[r] = bytes[o] = bytes[r] = 0;
        status[id] = 0;
        mark[id] = 0;
        timeout[id] = 0;
        natLong[id] = 0;
        natInt[id] = 0;
        udpStreamTs[id] = 0;
        clearTcp(id);
        return id;
    }

    void clearTcp(int id) {
        int o = id << 1, r = o | 1;
        tdEnd[o] = tdEnd[r] = tdMaxend[o] = tdMaxend[r] = tdMaxwin[o] = tdMaxwin[r] = tdMaxack[o] = tdMaxack[r] = 0;
        tdScale[o] = tdScale[r] = tdFlags[o] = tdFlags[r] = 0;
        tcpState[id] = lastDir[id] = lastIndex[id] = retrans[id] = lastWscale[id] = lastFlags[id] = 0;
        lastSeq[id] = lastAck[id] = lastEnd[id] = 0;
        lastWin[id] = 0;
    }

    /**
     * nf_conntrack_alter_reply: NAT sets the reply tuple it chose, before the entry is confirmed.
     */
    public void alterReplyTuple(int id, Tuple reply) {
        checkInUse(id);
        if ((status[id] & Status.CONFIRMED) != 0) {
            throw new IllegalStateException("alterReplyTuple on confirmed connection " + id);
        }
        tupAddrs[id << 1 | 1] = reply.addrs();
        tupL4[id << 1 | 1] = reply.l4();
    }

    /**
     * __nf_conntrack_confirm: puts both tuples in the hash, sets CONFIRMED and turns the relative
     * timeout into an absolute expiry. Returns false, freeing the entry, when a live entry already
     * holds either tuple (a clash: the kernel drops the packet).
     */
    public boolean confirm(int id, long now) {
        checkInUse(id);
        if ((status[id] & Status.CONFIRMED) != 0) return true;
        int o = id << 1, r = o | 1;
        if (find(tupAddrs[o], tupL4[o], now) != NOT_FOUND || find(tupAddrs[r], tupL4[r], now) != NOT_FOUND) {
            release(id);
            return false;
        }
        timeout[id] += now;
        status[id] |= Status.CONFIRMED;
        insert(o);
        insert(r);
        return true;
    }

    /** Frees an unconfirmed entry whose packet was dropped or found INVALID (nf_ct_put of an unconfirmed ct). */
    public void release(int id) {
        checkInUse(id);
        if ((status[id] & Status.CONFIRMED) != 0) {
            throw new IllegalStateException("release of confirmed connection " + id + "; use kill");
        }
        free(id);
    }

    /** nf_ct_delete: removes the entry now (conntrack -D, flush). Unconfirmed entries are released. */
    public void kill(int id) {
        checkInUse(id);
        if ((status[id] & Status.CONFIRMED) == 0) {
            free(id);
        } else if ((status[id] & Status.DYING) == 0) {
            delete(id);
        }
    }

    /** Removes all entries (conntrack -F). */
    public void flush() {
        reapDying();
        for (int id = 0; id < highWater; id++) {
            if (next[id] == IN_USE) kill(id);
        }
    }

    /**
     * nf_ct_kill from the packet path: out of the hash now, freed when the next packet starts
     * ({@link #reapDying}), because the packet in flight still uses the entry.
     */
    void killDeferred(int id) {
        if ((status[id] & (Status.DYING | Status.CONFIRMED)) != Status.CONFIRMED) return;
        status[id] |= Status.DYING;
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
        if ((status[id] & Status.DYING) != 0) return;
        status[id] |= Status.DYING;
        indexRemove(id << 1);
        indexRemove(id << 1 | 1);
        free(id);
    }

    private void free(int id) {
        listener.destroyed(id);
        status[id] = 0;
        next[id] = freeHead;
        freeHead = id;
        count--;
    }

    private void checkInUse(int id) {
        if (id < 0 || id >= highWater || next[id] != IN_USE) {
            throw new IllegalArgumentException("no connection " + id);
        }
    }

    /** Whether {@code id} names an allocated entry (confirmed, unconfirmed or dying). */
    public boolean inUse(int id) {
        return id >= 0 && id < highWater && next[id] == IN_USE;
    }

    /** nf_ct_is_expired, for a confirmed entry. */
    public boolean expired(int id, long now) {
        return (status[id] & Status.CONFIRMED) != 0 && timeout[id] - now <= 0;
    }

    /**
     * gc_worker, incrementally: looks at up to {@code budget} ids from where the last call stopped,
     * deletes expired entries and, above 95% of max, entries that may be early-dropped. Returns how
     * many it deleted. Call it often with a small budget; it never stalls.
     */
    public int gc(long now, int budget) {
        reapDying();
        int freed = 0;
        int max95 = max / 100 * 95; // nf_conntrack_max95
        boolean pressure = max95 > 0 && count > max95;
        for (int n = 0; n < budget && highWater > 0; n++) {
            if (gcCursor >= highWater) gcCursor = 0;
            int id = gcCursor++;
            if (next[id] != IN_USE || (status[id] & Status.CONFIRMED) == 0) continue;
            if (timeout[id] - now <= 0 || (pressure && canEarlyDrop(id))) {
                delete(id);
                freed++;
            }
        }
        return freed;
    }

    /** gc_worker_can_early_drop: not ASSURED, or TCP in a closing state (tcp_can_early_drop). */
    boolean canEarlyDrop(int id) {
        if ((status[id] & Status.ASSURED) == 0) return true;
        return protocol(id) == Tuple.IPPROTO_TCP && TcpTracker.canEarlyDrop(tcpState[id]);
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
            int st = status[id];
            if ((st & Status.DYING) != 0) continue;
            if (timeout[id] - now <= 0 || (st & Status.ASSURED) == 0) {
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
        int i = slot(tupAddrs[ref], tupL4[ref]);
        while (index[i] != 0) i = (i + 1) & mask;
        index[i] = ref + 1;
    }

    private void indexRemove(int ref) {
        int i = slot(tupAddrs[ref], tupL4[ref]);
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
            int home = slot(tupAddrs[v - 1], tupL4[v - 1]);
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
        tupAddrs = new long[cap * 2];
        tupL4 = new long[cap * 2];
        packets = new long[cap * 2];
        bytes = new long[cap * 2];
        status = new int[cap];
        mark = new int[cap];
        timeout = new long[cap];
        natLong = new long[cap];
        natInt = new int[cap];
        next = new int[cap];
        Arrays.fill(next, NEVER);
        udpStreamTs = new long[cap];
        tdEnd = new int[cap * 2];
        tdMaxend = new int[cap * 2];
        tdMaxwin = new int[cap * 2];
        tdMaxack = new int[cap * 2];
        tdScale = new byte[cap * 2];
        tdFlags = new byte[cap * 2];
        tcpState = new byte[cap];
        lastDir = new byte[cap];
        lastIndex = new byte[cap];
        retrans = new byte[cap];
        lastWscale = new byte[cap];
        lastFlags = new byte[cap];
        lastSeq = new int[cap];
        lastAck = new int[cap];
        lastEnd = new int[cap];
        lastWin = new char[cap];
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
        tupAddrs = Arrays.copyOf(tupAddrs, cap * 2);
        tupL4 = Arrays.copyOf(tupL4, cap * 2);
        packets = Arrays.copyOf(packets, cap * 2);
        bytes = Arrays.copyOf(bytes, cap * 2);
        status = Arrays.copyOf(status, cap);
        mark = Arrays.copyOf(mark, cap);
        timeout = Arrays.copyOf(timeout, cap);
        natLong = Arrays.copyOf(natLong, cap);
        natInt = Arrays.copyOf(natInt, cap);
        int old = next.length;
        next = Arrays.copyOf(next, cap);
        Arrays.fill(next, old, cap, NEVER);
        udpStreamTs = Arrays.copyOf(udpStreamTs, cap);
        tdEnd = Arrays.copyOf(tdEnd, cap * 2);
        tdMaxend = Arrays.copyOf(tdMaxend, cap * 2);
        tdMaxwin = Arrays.copyOf(tdMaxwin, cap * 2);
        tdMaxack = Arrays.copyOf(tdMaxack, cap * 2);
        tdScale = Arrays.copyOf(tdScale, cap * 2);
        tdFlags = Arrays.copyOf(tdFlags, cap * 2);
        tcpState = Arrays.copyOf(tcpState, cap);
        lastDir = Arrays.copyOf(lastDir, cap);
        lastIndex = Arrays.copyOf(lastIndex, cap);
        retrans = Arrays.copyOf(retrans, cap);
        lastWscale = Arrays.copyOf(lastWscale, cap);
        lastFlags = Arrays.copyOf(lastFlags, cap);
        lastSeq = Arrays.copyOf(lastSeq, cap);
        lastAck = Arrays.copyOf(lastAck, cap);
        lastEnd = Arrays.copyOf(lastEnd, cap);
        lastWin = Arrays.copyOf(lastWin, cap);
        index = new int[indexSize(cap)];
        mask = index.length - 1;
        for (int id = 0; id < highWater; id++) {
            if (next[id] == IN_USE && (status[id] & (Status.CONFIRMED | Status.DYING)) == Status.CONFIRMED) {
                insert(id << 1);
                insert(id << 1 | 1);
            }
        }
    }

    /** Bytes the arrays hold per connection id at the current capacity (the hash included). */
    public double bytesPerConnection() {
        long perId = 2L * (8 + 8 + 8 + 8)          // tuples and counters, per direction
                + 4 + 4 + 8 + 8 + 4 + 4 + 8         // status, mark, timeout, nat long/int, next, stream_ts
                + 2L * (4 * 4 + 2)                  // tcp seen[2]
                + 6 + 3 * 4 + 2;                    // tcp last_*, state, retrans
        return perId + 4.0 * index.length / capacity;
    }

    // ---- accessors ---------------------------------------------------------------------------

    /** Copies the tuple of direction {@code dir} into {@code out}. */
    public Tuple tuple(int id, int dir, Tuple out) {
        int ref = id << 1 | dir;
        return out.unpack(tupAddrs[ref], tupL4[ref]);
    }

    public long tupleAddrs(int ref) { return tupAddrs[ref]; }
    public long tupleL4(int ref) { return tupL4[ref]; }
    /** tuplehash[dir].tuple.src.u3.ip */
    public int srcAddr(int id, int dir) { return (int) (tupAddrs[id << 1 | dir] >>> 32); }
    /** tuplehash[dir].tuple.dst.u3.ip */
    public int dstAddr(int id, int dir) { return (int) tupAddrs[id << 1 | dir]; }
    /** tuplehash[dir].tuple.src.u.all (port or icmp id). */
    public int srcPort(int id, int dir) { return (int) (tupL4[id << 1 | dir] >>> 16) & 0xffff; }
    /** tuplehash[dir].tuple.dst.u.all (port or icmp type << 8 | code). */
    public int dstPort(int id, int dir) { return (int) tupL4[id << 1 | dir] & 0xffff; }
    public int protocol(int id) { return (int) (tupL4[id << 1] >>> 32); }

    public int status(int id) { return status[id]; }
    public void setStatus(int id, int bits) { status[id] |= bits; }
    public void clearStatus(int id, int bits) { status[id] &= ~bits; }
    public boolean hasStatus(int id, int bits) { return (status[id] & bits) == bits; }
    public boolean confirmed(int id) { return (status[id] & Status.CONFIRMED) != 0; }

    public int mark(int id) { return mark[id]; }
    public void setMark(int id, int m) { mark[id] = m; }

    /** Absolute expiry time (ns) of a confirmed entry; the pending relative timeout while unconfirmed. */
    public long timeout(int id) { return timeout[id]; }
    /** nf_ct_expires: nanoseconds left, never negative. */
    public long expiresIn(int id, long now) {
        if ((status[id] & Status.CONFIRMED) == 0) return Math.max(0, timeout[id]);
        return Math.max(0, timeout[id] - now);
    }

    /** A long for the NAT engine's per-connection data (e.g. a bysource link). */
    public long natLong(int id) { return natLong[id]; }
    public void setNatLong(int id, long v) { natLong[id] = v; }
    /** An int for the NAT engine's per-connection data. */
    public int natInt(int id) { return natInt[id]; }
    public void setNatInt(int id, int v) { natInt[id] = v; }

    public long packets(int id, int dir) { return packets[id << 1 | dir]; }
    public long bytes(int id, int dir) { return bytes[id << 1 | dir]; }

    /** The TCP state (TcpTracker.NONE..SYN_SENT2) of a TCP connection. */
    public int tcpState(int id) { return tcpState[id]; }

    /** The next allocated, confirmed and live id at or after {@code from}, or -1: iteration without allocation. */
    public int nextConfirmed(int from) {
        for (int id = Math.max(0, from); id < highWater; id++) {
            if (next[id] == IN_USE && (status[id] & (Status.CONFIRMED | Status.DYING)) == Status.CONFIRMED) return id;
        }
        return -1;
    }

    /**
     * nf_ct_refresh_acct: counts the packet in direction {@code dir} and sets the timeout to
     * {@code extra} from now (kept relative until confirm, as the kernel does).
     */
    void refreshAcct(int id, int dir, int length, long extra, long now) {
        acct(id, dir, length);
        if ((status[id] & Status.FIXED_TIMEOUT) != 0) return;
        timeout[id] = (status[id] & Status.CONFIRMED) != 0 ? now + extra : extra;
    }

    void acct(int id, int dir, int length) {
        packets[id << 1 | dir]++;
        bytes[id << 1 | dir] += length;
    }

    /** Checks that every live entry's two refs are in the hash exactly once and nothing else is (tests). */
    public void checkConsistency() {
        int inIndex = 0;
        for (int i = 0; i < index.length; i++) {
            int v = index[i];
            if (v == 0) continue;
            inIndex++;
            int ref = v - 1, id = ref >>> 1;
            if (!inUse(id) || (status[id] & (Status.CONFIRMED | Status.DYING)) != Status.CONFIRMED) {
                throw new IllegalStateException("hash slot " + i + " holds ref " + ref + " of a dead or unconfirmed entry");
            }
            if (!reachable(ref)) throw new IllegalStateException("ref " + ref + " unreachable from its home slot");
        }
        int live = 0, allocated = 0;
        for (int id = 0; id < highWater; id++) {
            if (next[id] != IN_USE) continue;
            allocated++;
            if ((status[id] & (Status.CONFIRMED | Status.DYING)) == Status.CONFIRMED) live++;
        }
        if (inIndex != 2 * live) throw new IllegalStateException("hash holds " + inIndex + " refs for " + live + " entries");
        if (allocated != count) throw new IllegalStateException("count " + count + " but " + allocated + " allocated");
    }

    /** Whether probing from the ref's home slot meets the ref before an empty slot. */
    private boolean reachable(int ref) {
        int i = slot(tupAddrs[ref], tupL4[ref]);
        int v;
        while ((v = index[i]) != 0) {
            if (v == ref + 1) return true;
            i = (i + 1) & mask;
        }
        return false;
    }
}

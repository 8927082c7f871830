package jnat.conntrack;

import static jnat.conntrack.NfConn.*;

import java.util.Arrays;

/**
 * The connection table: nf_conn entries indexed by an int connection id, and one open-addressing
 * hash (linear probing, backward-shift deletion) holding both directions' tuples, as the kernel's
 * hash holds tuplehash[IP_CT_DIR_ORIGINAL] and tuplehash[IP_CT_DIR_REPLY].
 *
 * <p>Layout: each entry is one row of {@link NfConn#ROW} ints (both tuples, status and protocol, the
 * timeout in milliseconds, masq_index's slot, struct ip_ct_tcp with its u8/u16 fields packed; the
 * layout and its accessors are {@link NfConn}'s, nothing here knows an offset), so the
 * packet of an established connection touches the hash slot and two or three cache lines. The hash
 * slots are ints holding the ref and a few more bits of the tuple's hash, so a probe rarely reads a
 * row that is not the one it looks for, and the hash can be kept at a load of 4/5 (10 bytes per
 * connection). Per-direction packet and byte counters are an extension, as nf_conn_acct is in
 * the kernel: allocated only once accounting is on (net.netfilter.nf_conntrack_acct, default 0).
 * 94 bytes per entry with the hash: an 84-byte row and 10 bytes of hash (see
 * {@link #bytesPerConnection()}); NAT's by-source index (jnat.nat.NfNatBySource) adds 5.
 *
 * <p>IPv4 and IPv6 connections share the table, the ids and the hash (conntrack-max counts both).
 * An IPv6 row has the family bit by its protocol, folds of its addresses in the address ints and
 * its full addresses in {@link NfConnAddr6} (64 bytes per id, from the first IPv6 connection on);
 * the family is hashed with the tuple (hash_conntrack_raw hashes src.l3num).
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

    /** Called when an entry is destroyed, before its id is reused (the NAT engine drops its bysource data). */
    public interface DestroyListener {
        void destroyed(int id);
    }

    private final int max;
    final long seed;
    private DestroyListener listener = id -> { };

    private int capacity;
    int highWater;
    /** Free ids and fresh chunks, per CPU. */
    private final ConnSlab slab = new ConnSlab();
    int count;
    /** gc_worker and early_drop. */
    private final ConnTableGc reaper = new ConnTableGc(this);

    // Rows, not columns: a packet of an established connection reads and writes most of its
    // entry, and with one array per field that was one cache miss per field (about 20 at a
    // million entries).
    /** Ids a row array can index (id * ROW is an int). */
    static final int MAX_IDS = Integer.MAX_VALUE / ROW;

    private static final long NS_PER_MS = 1_000_000L;

    /** The rows (struct nf_conn), read and written only through NfConn; handed to TcpTracker and ConnRowExport. */
    int[] ints;
    /** The extensions by id (acct, labels, zones, seqadj, synproxy, mark, the moved reply source, masq_index). */
    private final NfConntrackExtend ext = new NfConntrackExtend();
    /** IPv6 connections' addresses, by id; empty until the first IPv6 connection. */
    final NfConnAddr6 addr6 = new NfConnAddr6();

    /** The hash: 0 empty, else tag bits (the tuple's hash) | ref + 1. */
    int[] index;
    final int refMask, tagMask;
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
    public void setAccounting(boolean on) { ext.acct.set(on, capacity); }

    public boolean accounting() { return ext.acct.on(); }

    /** nf_conn_labels ({@link NfConntrackLabels}): none until a rule uses ext.labels. */

    /** nf_connlabels_get: from now on connections carry labels (a -m connlabel rule was loaded). */
    public void useLabels() { ext.labels.use(capacity); }
    public boolean labelsUsed() { return ext.labels.used(); }
    /** test_bit(bit, labels->bits); false while no rule uses ext.labels. */
    public boolean label(int id, int bit) { return ext.labels.test(id, bit); }
    /** set_bit(bit, labels->bits); nothing while no rule uses ext.labels. */
    public void setLabel(int id, int bit) { ext.labels.set(id, bit); }

    private ConntrackEvents events;

    /** The lanes' side of the table: whether they run concurrently now, and each connection's lock. */
    final NfConnLock lanes = new NfConnLock(slab);

    /** {@link NfConnLock#concurrent}: engine lanes run packets concurrently, the table is not exclusive. */
    public boolean concurrent() { return lanes.concurrent; }

    /** Set by the lanes' lock: true while shared holders may run, false while one holder has the table. */
    public void setConcurrent(boolean on) { lanes.concurrent = on; }

    private void checkExclusive() {
        if (lanes.concurrent) throw new IllegalStateException("the conntrack table changed while engine lanes run concurrently");
    }
    private long lastClock;

    /** The time the table was last told ({@link #clock}): what an event listener prints timeouts against. */
    public long lastClock() { return lastClock; }

    /** Who hears conntrack's events (null: nobody, and nothing is computed for them). */
    public void setEvents(ConntrackEvents e) { this.events = e; }
    public ConntrackEvents events() { return events; }

    /**
     * Whether a listener takes events: the packet path's test (a boolean, which the JIT inlines
     * even while no ConntrackEvents class is loaded; {@link #events()} it would call).
     */
    public boolean hasEvents() { return events != null; }

    private int eventPortid;

    /**
     * The netlink portid of the request being served (conntrack -D, -F, -U through the control
     * socket), 0 on the packet path: ctnetlink's events carry it, and conntrack -E prints
     * [USERSPACE] for them.
     */
    public void setEventPortid(int portid) { this.eventPortid = portid; }
    public int eventPortid() { return eventPortid; }

    /** nf_conntrack_eventmask_report from ctnetlink: the listener hears {@code bits} for entry {@code id}. */
    public void report(int bits, int id) {
        if (events != null) events.event(bits, this, id);
    }

    /** ctnetlink_change_timeout (conntrack -U -t): {@code seconds} from now, fixed or not. */
    public void changeTimeout(int id, long seconds, long now) {
        setTimeout(id, seconds * 1_000_000_000L, now);
    }

    public void setDestroyListener(DestroyListener l) {
        this.listener = l == null ? id -> { } : l;
    }

    public int max() { return max; }

    /** The kernel's per-cpu ip_conntrack_stat: a set of counters per gateway worker, and which one counts now. */
    private final ConntrackStat.PerCpu cpuStats = new ConntrackStat.PerCpu();

    /** The counters of conntrack -S, of the CPU counting now ({@link #setCpu}). */
    public ConntrackStat stat() { return cpuStats.counting; }
    /** {@link ConntrackStat.PerCpu#setCpus}: a set of counters per CPU (the gateway's workers), each printed by -S. */
    public void setCpus(int n) {
        cpuStats.setCpus(n);
        slab.setCpus(n);
    }
    /** The CPU whose counters the next events go to (this_cpu's stat) and whose slab the next new entry's id comes from. */
    public void setCpu(int cpu) {
        cpuStats.counting = cpuStats.cpu(cpu);
        slab.setCpu(cpu);
    }
    public int cpus() { return cpuStats.cpus(); }
    /** CPU {@code cpu}'s counters. */
    public ConntrackStat stat(int cpu) { return cpuStats.cpu(cpu); }
    /** Entries evicted to make room: by early_drop and by the gc above 95%, over all CPUs. */
    public long earlyDrops() { return cpuStats.earlyDrops(); }

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

    /**
     * Tells the table the time, once per packet ({@link Conntrack#in}) and at each {@link #gc}
     * (a long jump sweeps the table: {@link ConnTableGc#clock}).
     */
    public void clock(long now) {
        lastClock = now;
        reaper.clock(now);
    }

    /**
     * gc_worker, incrementally ({@link ConnTableGc#gc}): looks at up to {@code budget} ids from
     * where the last call stopped, deletes expired entries and, while the table is at least 95%
     * full, entries that may be early-dropped. Returns how many it deleted. Call it often with a
     * small budget; it never stalls.
     */
    public int gc(long now, int budget) {
        clock(now);
        return reaper.gc(now, budget);
    }

    // ---- lookup ----------------------------------------------------------------------------

    /** __nf_conntrack_find_get: the ref of the confirmed, unexpired entry holding this tuple, or NOT_FOUND. */
    public int find(Tuple t, long now) {
        return find(t.addrs(), t.l4(), t.srcHi, t.srcLo, t.dstHi, t.dstLo, 0, now);
    }

    /** {@link #find(Tuple, long)} in {@code zone} ({@link NfConntrackZones#pack}): its original id, then its reply id (resolve_normal_ct). */
    public int find(Tuple t, int zone, long now) {
        return find(t.addrs(), t.l4(), t.srcHi, t.srcLo, t.dstHi, t.dstLo, zone, now);
    }

    /** Connection {@code id}'s packed zone, 0 for the default zone. */
    public int zone(int id) { return ext.zones.get(id); }

    public NfConntrackSeqadj seqadj() { return ext.seqadj; }
    public NfConntrackSynproxy synproxy() { return ext.synproxy; }

    /** nfct_seqadj_ext_add and nfct_synproxy_ext_add on a connection made from the synproxy template. */
    void addSynproxy(int id) { ext.synproxy.add(id, capacity); }

    /** nf_ct_seqadj_init: IPS_SEQ_ADJUST and direction {@code dir}'s offsets (nothing for 0). */
    public void seqadjInit(int id, int dir, int off) {
        if (off == 0) return;
        setStatus(id, Status.SEQ_ADJUST);
        ext.seqadj.init(id, dir, off, capacity);
    }

    /** Puts an unconfirmed entry in {@code zone} (the template's, nf_ct_zone_add), before it is confirmed. */
    public void setZone(int id, int zone) {
        checkInUse(id);
        if ((NfConn.status(ints, row(id)) & Status.CONFIRMED) != 0) throw new IllegalStateException("setZone on confirmed " + id);
        ext.zones.set(id, zone, capacity);
    }

    /** {@link #find(Tuple, long)} for an IPv4 tuple packed as {@link Tuple#addrs()} and {@link Tuple#l4()}. */
    public int find(long addrs, long l4, long now) {
        return find(addrs, l4, 0, 0, 0, 0, 0, now);
    }

    private int find(long addrs, long l4, long srcHi, long srcLo, long dstHi, long dstLo, int zone, long now) {
        int zo = NfConntrackZones.id(zone, ORIGINAL);
        int ref = probe(addrs, l4, srcHi, srcLo, dstHi, dstLo, zone, zo, now);
        int zr = NfConntrackZones.id(zone, REPLY);
        return ref != NOT_FOUND || zr == zo ? ref : probe(addrs, l4, srcHi, srcLo, dstHi, dstLo, zone, zr, now);
    }

    /** The tuple's hash key with a zone id (hash_conntrack_raw mixes it in): the default zone's is the tuple's. */
    private static long zoneKey(long l4, int zoneId) {
        return l4 ^ (long) zoneId << 48;
    }

    /** A probe with zone id {@code zoneId}: an IPv6 tuple (L4_IPV6) also compares its addresses, a match its zone (nf_ct_key_equal). */
    private int probe(long addrs, long l4, long srcHi, long srcLo, long dstHi, long dstLo, int zone, int zoneId, long now) {
        final int src = (int) (addrs >>> 32), dst = (int) addrs, ports = (int) l4, proto = (int) (l4 >>> 32);
        final long h = Tuple.mix(addrs, zoneKey(l4, zoneId), seed);
        final int want = (int) h & tagMask;
        for (;;) {
            final int[] index = this.index, rows = this.ints;
            final int size = index.length;
            int i = home(h, size);
            int v;
            while ((v = index[i]) != 0) {
                if ((v & tagMask) == want) {
                    int ref = (v & refMask) - 1;
                    int b = (ref >>> 1) * ROW, d = ref & 1;
                    if ((tupleSrc(rows, b, d) ^ (d == ORIGINAL ? 0 : ext.replySrc.get(ref >>> 1))) == src
                            && tupleDst(rows, b, d) == dst && tuplePorts(rows, b, d) == ports
                            && protoFamily(rows, b) == proto
                            && ((proto & Tuple.L4_IPV6) == 0 || addr6.matches(ref >>> 1, d, srcHi, srcLo, dstHi, dstLo))
                            && ext.zones.matches(ref >>> 1, d, zone)) {
                        // Only confirmed, live entries are in the hash: this is nf_ct_is_expired.
                        if (NfConn.timeout(rows, b) - ticks(now) > 0) return ref;
                        if (lanes.concurrent) return NOT_FOUND; // left to the gc: the hash is not ours to change
                        delete(ref >>> 1); // nf_ct_gc_expired; the probe sequence changed, look again
                        break;
                    }
                }
                if (++i == size) i = 0;
            }
            if (v == 0) return NOT_FOUND;
        }
    }

    // ---- touching ahead: a batch's lookups, their misses overlapped ------------------------------

    private final ConnTableTouch touch = new ConnTableTouch(this);

    /** {@link ConnTableTouch}'s touch of the side arrays beside the rows ({@link NfConntrackExtend#touch}). */
    long touchExtensions(int[] ids, int n) { return ext.touch(ids, n); }

    /** The batch path's touches of this table's slots and rows ({@link ConnTableTouch}). */
    public ConnTableTouch touch() { return touch; }

    /**
     * nf_conntrack_tuple_taken: whether a live entry other than {@code ignoredId} has this tuple in
     * either direction. get_unique_tuple asks it with the reply tuple a candidate would give.
     */
    public boolean tupleTaken(Tuple t, int ignoredId, long now) {
        int ref = find(t, ignoredId >= 0 ? ext.zones.get(ignoredId) : 0, now); // nf_ct_zone(ignored_conntrack)
        boolean taken = ref != NOT_FOUND && (ref >>> 1) != ignoredId;
        if (taken) stat().found++;
        return taken;
    }

    // ---- life cycle --------------------------------------------------------------------------

    /**
     * init_conntrack / __nf_conntrack_alloc: a new unconfirmed entry with these tuples, or -1 when
     * the table is full and early_drop found nothing to evict (the kernel drops the packet:
     * "nf_conntrack: table full, dropping packet").
     */
    public int alloc(Tuple original, Tuple reply, long now) {
        reapDying();
        if (count >= max && !reaper.earlyDrop(Tuple.mix(original.addrs(), original.l4(), seed), now)) return -1;
        return allocRow(original, reply);
    }

    /** A new unconfirmed entry's id with these tuples, whoever checked that the table has room; -1 if no id is left. */
    int allocRow(Tuple original, Tuple reply) {
        int id = newId();
        if (id >= 0) initRow(id, original, reply);
        return id;
    }

    /** A new id's row: cleared, its tuples set, and nothing left of an earlier holder of the id in the extensions. */
    private void initRow(int id, Tuple original, Tuple reply) {
        ext.clear(id);
        int b = row(id);
        NfConn.clear(ints, b);
        boolean v6 = original.family == Tuple.NFPROTO_IPV6;
        NfConn.setStatus(ints, b, ALLOCATED | (original.protocol & 0xff) << PROTO_SHIFT | (v6 ? FAMILY_IPV6 : 0));
        setTuple(b, ORIGINAL, original);
        setTuple(b, REPLY, reply);
        if (v6) {
            addr6.ensure(capacity);
            addr6.set(id, ORIGINAL, original);
            addr6.set(id, REPLY, reply);
        }
    }

    /**
     * An id from this CPU's slab: off its free list, from its chunk, or from a new chunk past the
     * high-water mark (growing the arrays), else one another CPU holds; counted; -1 if none.
     */
    private int newId() {
        checkExclusive();
        int id = slab.alloc(ints);
        if (id < 0) {
            if (highWater < capacity || grow()) {
                int to = Math.min(highWater + ConnSlab.CHUNK, capacity);
                slab.refill(highWater, to);
                highWater = to;
                id = slab.alloc(ints);
            } else {
                id = slab.steal(ints);
                if (id < 0) return -1;
            }
        }
        count++;
        return id;
    }

    private void setTuple(int b, int dir, Tuple t) {
        if (dir == ORIGINAL) setOrigSrc(ints, b, t.src);
        else ext.replySrc.set(b / ROW, t.src ^ tupleDst(ints, b, ORIGINAL), capacity);
        setTupleDst(ints, b, dir, t.dst);
        setTuplePorts(ints, b, dir, t.srcPort << 16 | t.dstPort);
    }

    /** The first int of a connection's row in {@link #ints}: the {@code row} NfConn's accessors take. */
    static int row(int id) {
        return id * ROW;
    }

    long udpStreamTs(int id) {
        return streamTs(ints, row(id));
    }

    void setUdpStreamTs(int id, long ts) {
        setStreamTs(ints, row(id), ts);
    }

    /**
     * nf_conntrack_alter_reply: NAT sets the reply tuple it chose, before the entry is confirmed.
     */
    public void alterReplyTuple(int id, Tuple reply) {
        checkInUse(id);
        if ((NfConn.status(ints, row(id)) & Status.CONFIRMED) != 0) {
            throw new IllegalStateException("alterReplyTuple on confirmed connection " + id);
        }
        setTuple(row(id), REPLY, reply);
        if (NfConn.ipv6(ints, row(id))) addr6.set(id, REPLY, reply);
    }

    /**
     * __nf_conntrack_confirm: puts both tuples in the hash, sets CONFIRMED and turns the relative
     * timeout into an absolute expiry. Returns false, freeing the entry, when a live entry already
     * holds either tuple (a clash: the kernel drops the packet).
     */
    public boolean confirm(int id, long now) {
        checkInUse(id);
        int b = row(id);
        if ((NfConn.status(ints, b) & Status.CONFIRMED) != 0) return true;
        int o = id << 1, r = o | 1;
        if (findOwn(o, now) != NOT_FOUND || findOwn(r, now) != NOT_FOUND) {
            stat().insertFailed++; // nf_ct_resolve_clash: no clash resolution here, the packet is dropped
            stat().drop++;
            release(id);
            return false;
        }
        NfConn.setTimeout(ints, b, NfConn.timeout(ints, b) + ticks(now));
        NfConn.setStatus(ints, b, NfConn.status(ints, b) | Status.CONFIRMED);
        insert(o);
        insert(r);
        return true;
    }

    /** Frees an unconfirmed entry whose packet was dropped or found INVALID (nf_ct_put of an unconfirmed ct). */
    public void release(int id) {
        checkInUse(id);
        if ((NfConn.status(ints, row(id)) & Status.CONFIRMED) != 0) {
            throw new IllegalStateException("release of confirmed connection " + id + "; use kill");
        }
        free(id);
    }

    /** nf_ct_delete: removes the entry now (conntrack -D, flush). Unconfirmed entries are released. */
    public void kill(int id) {
        checkInUse(id);
        if ((NfConn.status(ints, row(id)) & Status.CONFIRMED) == 0) {
            free(id);
        } else if ((NfConn.status(ints, row(id)) & Status.DYING) == 0) {
            delete(id);
        }
    }

    /** Removes all entries (conntrack -F). */
    public void flush() {
        reapDying();
        for (int id = 0; id < highWater; id++) {
            if ((NfConn.status(ints, row(id)) & ALLOCATED) != 0) kill(id);
        }
    }

    /**
     * nf_ct_kill from the packet path: out of the hash now, freed when the next packet starts
     * ({@link #reapDying}), because the packet in flight still uses the entry.
     */
    void killDeferred(int id) {
        if ((NfConn.status(ints, row(id)) & (Status.DYING | Status.CONFIRMED)) != Status.CONFIRMED) return;
        if (events != null) events.event(1 << ConntrackEvents.IPCT_DESTROY, this, id);
        NfConn.setStatus(ints, row(id), NfConn.status(ints, row(id)) | Status.DYING);
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

    void delete(int id) {
        if ((NfConn.status(ints, row(id)) & Status.DYING) != 0) return;
        if (events != null) events.event(1 << ConntrackEvents.IPCT_DESTROY, this, id);
        NfConn.setStatus(ints, row(id), NfConn.status(ints, row(id)) | Status.DYING);
        indexRemove(id << 1);
        indexRemove(id << 1 | 1);
        free(id);
    }

    private void free(int id) {
        checkExclusive();
        listener.destroyed(id);
        NfConn.setStatus(ints, row(id), 0);
        slab.free(ints, id);
        count--;
    }

    void checkInUse(int id) {
        if (id < 0 || id >= highWater || (NfConn.status(ints, row(id)) & ALLOCATED) == 0) {
            throw new IllegalArgumentException("no connection " + id);
        }
    }

    /** Whether {@code id} names an allocated entry (confirmed, unconfirmed or dying). */
    public boolean inUse(int id) {
        return id >= 0 && id < highWater && (NfConn.status(ints, row(id)) & ALLOCATED) != 0;
    }

    /** nf_ct_is_expired, for a confirmed entry. */
    public boolean expired(int id, long now) {
        return (NfConn.status(ints, row(id)) & Status.CONFIRMED) != 0 && NfConn.timeout(ints, row(id)) - ticks(now) <= 0;
    }

    // ---- the hash ----------------------------------------------------------------------------
    // Linear probing over an int array of any size (the slot is the hash's high half scaled to
    // the size, so the size need not be a power of two and can follow the capacity closely).
    // A slot holds ref + 1 in its low bits and, above them, bits of the tuple's hash that the
    // slot number does not use: a probe compares those before it reads a row.

    static int home(long h, int size) {
        return (int) (((h >>> 32) * size) >>> 32);
    }

    long hashOf(int ref) {
        return Tuple.mix(addrs(ref), zoneKey(l4(ref), NfConntrackZones.id(ext.zones.get(ref >>> 1), ref & 1)), seed);
    }

    /** The packed tuple of a ref, as {@link Tuple#addrs()} and {@link Tuple#l4()} pack it. */
    private long addrs(int ref) {
        int b = row(ref >>> 1), d = ref & 1;
        return (long) src(b, d) << 32 | (tupleDst(ints, b, d) & 0xffffffffL);
    }

    private long l4(int ref) {
        int b = row(ref >>> 1);
        return (long) protoFamily(ints, b) << 32 | (tuplePorts(ints, b, ref & 1) & 0xffffffffL);
    }

    /** The live entry holding the tuple of {@code ref} (another entry's, or its own once confirmed). */
    private int findOwn(int ref, long now) {
        int id = ref >>> 1, d = ref & 1;
        int z = ext.zones.get(id);
        if (!NfConn.ipv6(ints, row(id))) return find(addrs(ref), l4(ref), 0, 0, 0, 0, z, now);
        return find(addrs(ref), l4(ref), addr6.srcHi(id, d), addr6.srcLo(id, d), addr6.dstHi(id, d), addr6.dstLo(id, d), z, now);
    }

    private void insert(int ref) {
        checkExclusive();
        long h = hashOf(ref);
        int size = index.length;
        int i = home(h, size);
        while (index[i] != 0) if (++i == size) i = 0;
        index[i] = ((int) h & tagMask) | (ref + 1);
    }

    private void indexRemove(int ref) {
        checkExclusive();
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

    /** Two tuples per entry at a load of at most 4/5 (the tags keep a probe's misses off the rows). */
    private static int indexSize(int cap) {
        return (int) Math.max(16, (5L * cap + 1) / 2);
    }

    private boolean grow() {
        int cap = (int) Math.min(Math.min(max, MAX_IDS), (long) capacity * 2);
        if (cap <= capacity) return false;
        capacity = cap;
        ints = Arrays.copyOf(ints, cap * ROW);
        addr6.grow(cap);
        ext.grow(cap);
        if (indexSize(Math.max(cap, hashsize)) <= index.length) return true; // the hash was built for this size
        index = new int[indexSize(Math.max(cap, hashsize))];
        for (int id = 0; id < highWater; id++) {
            if ((NfConn.status(ints, row(id)) & (ALLOCATED | Status.CONFIRMED | Status.DYING)) == (ALLOCATED | Status.CONFIRMED)) {
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
        return ROW * 4 + 4.0 * index.length / capacity + ext.bytesPerConnection() + slab.bytesPerConnection()
                + (addr6.allocated() ? NfConnAddr6.LONGS * 8 : 0);
    }

    // ---- accessors ---------------------------------------------------------------------------

    /** Copies the tuple of direction {@code dir} into {@code out}. */
    public Tuple tuple(int id, int dir, Tuple out) {
        int b = row(id), ports = tuplePorts(ints, b, dir);
        if (NfConn.ipv6(ints, b)) {
            return out.set6(protonum(ints, b), addr6.srcHi(id, dir), addr6.srcLo(id, dir), addr6.dstHi(id, dir),
                    addr6.dstLo(id, dir), ports >>> 16, ports);
        }
        return out.set(protonum(ints, b), src(b, dir), tupleDst(ints, b, dir), ports >>> 16, ports);
    }

    public long tupleAddrs(int ref) { return addrs(ref); }
    public long tupleL4(int ref) { return l4(ref); }
    /** tuplehash[dir].tuple.src.u3.ip (an IPv6 connection's: the fold of src.u3.ip6) */
    public int srcAddr(int id, int dir) { return src(row(id), dir); }

    /** tuplehash[dir].tuple.src.u3 of row {@code b}: the reply's is the original's destination with the extension's difference (NfConntrackExtend.replySrc). */
    private int src(int b, int dir) {
        return dir == ORIGINAL ? tupleSrc(ints, b, ORIGINAL) : tupleSrc(ints, b, REPLY) ^ ext.replySrc.get(b / ROW);
    }
    /** tuplehash[dir].tuple.dst.u3.ip (an IPv6 connection's: the fold of dst.u3.ip6) */
    public int dstAddr(int id, int dir) { return tupleDst(ints, row(id), dir); }
    /** src.l3num: Tuple.NFPROTO_IPV4 or NFPROTO_IPV6. */
    public int family(int id) { return NfConn.ipv6(ints, row(id)) ? Tuple.NFPROTO_IPV6 : Tuple.NFPROTO_IPV4; }
    public boolean ipv6(int id) { return NfConn.ipv6(ints, row(id)); }
    /** An IPv6 connection's tuplehash[dir].tuple.src.u3.ip6 and dst.u3.ip6 as hi/lo longs. */
    public long srcHi(int id, int dir) { return addr6.srcHi(id, dir); }
    public long srcLo(int id, int dir) { return addr6.srcLo(id, dir); }
    public long dstHi(int id, int dir) { return addr6.dstHi(id, dir); }
    public long dstLo(int id, int dir) { return addr6.dstLo(id, dir); }
    /** Ids the IPv6 address array holds (0 before the first IPv6 connection; tests). */
    int addr6Capacity() { return addr6.capacity(); }
    /** tuplehash[dir].tuple.src.u.all (port or icmp id). */
    public int srcPort(int id, int dir) { return tuplePorts(ints, row(id), dir) >>> 16; }
    /** tuplehash[dir].tuple.dst.u.all (port or icmp type << 8 | code). */
    public int dstPort(int id, int dir) { return tuplePorts(ints, row(id), dir) & 0xffff; }
    public int protocol(int id) { return protonum(ints, row(id)); }

    public int status(int id) { return NfConn.status(ints, row(id)) & STATUS_MASK; }
    public void setStatus(int id, int bits) { NfConn.setStatus(ints, row(id), NfConn.status(ints, row(id)) | bits & STATUS_MASK); }
    public void clearStatus(int id, int bits) { NfConn.setStatus(ints, row(id), NfConn.status(ints, row(id)) & ~(bits & STATUS_MASK)); }
    public boolean hasStatus(int id, int bits) { return (NfConn.status(ints, row(id)) & bits) == bits; }
    public boolean confirmed(int id) { return (NfConn.status(ints, row(id)) & Status.CONFIRMED) != 0; }

    public int mark(int id) { return ext.marks.get(id); }
    public void setMark(int id, int m) { ext.marks.set(id, m, capacity); }

    /** nf_conn_nat's masq_index: the ifindex of the device the connection was masqueraded to, 0 for none. */
    public int masqIndex(int id) { return ext.masq.ifindex(id, NfConn.masqSlot(ints, row(id))); }
    /** Sets masq_index ({@link NfConnNatMasq}: a slot in the row for the first 62 devices). */
    public void setMasqIndex(int id, int ifindex) { NfConn.setMasqSlot(ints, row(id), ext.masq.slotFor(id, ifindex, capacity)); }

    /** ct->timeout: the expiry tick (ms) of a confirmed entry, the pending relative timeout (ms) while unconfirmed. */
    public int timeout(int id) { return NfConn.timeout(ints, row(id)); }
    /** nf_ct_expires: nanoseconds left, never negative (whole milliseconds, the table's tick). */
    public long expiresIn(int id, long now) {
        int b = row(id);
        if ((NfConn.status(ints, b) & Status.CONFIRMED) == 0) return Math.max(0, NfConn.timeout(ints, b)) * NS_PER_MS;
        return Math.max(0, NfConn.timeout(ints, b) - ticks(now)) * NS_PER_MS;
    }

    /** Packets seen in direction {@code dir}; 0 while accounting is off ({@link #setAccounting}). */
    public long packets(int id, int dir) { return ext.acct.packets(id, dir); }
    public long bytes(int id, int dir) { return ext.acct.bytes(id, dir); }

    /** The TCP state (TcpTracker.NONE..SYN_SENT2) of a TCP connection. */
    public int tcpState(int id) { return state(ints, row(id)); }
    /** ct->proto.tcp.seen[dir].td_maxwin. */
    public int tcpMaxWin(int id, int dir) { return tdMaxWin(ints, row(id), dir); }

    /** The next allocated, confirmed and live id at or after {@code from}, or -1: iteration without allocation. */
    public int nextConfirmed(int from) {
        for (int id = Math.max(0, from); id < highWater; id++) {
            if ((NfConn.status(ints, row(id)) & (ALLOCATED | Status.CONFIRMED | Status.DYING)) == (ALLOCATED | Status.CONFIRMED)) return id;
        }
        return -1;
    }

    /** The TCP tracker on entry {@code id} (nf_conntrack_tcp_packet; the row goes to TcpTracker as the kernel's ct). */
    int tcpPacket(int id, int dir, CtPacket p, long now) {
        return TcpTracker.packet(this, ints, id, dir, p, now);
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
        int st = NfConn.status(ints, b);
        if ((st & Status.FIXED_TIMEOUT) != 0) return;
        int e = (int) (extra / NS_PER_MS), t = (st & Status.CONFIRMED) != 0 ? ticks(now) + e : e;
        if (NfConn.timeout(ints, b) != t) NfConn.setTimeout(ints, b, t); // as the kernel: the row's line left clean when equal
    }

    /** Sets the timeout to {@code extra} (ns) from now even when it is fixed (nf_tcp_handle_invalid's direct write). */
    void setTimeout(int id, long extra, long now) {
        int b = row(id);
        int e = (int) (extra / NS_PER_MS);
        NfConn.setTimeout(ints, b, (NfConn.status(ints, b) & Status.CONFIRMED) != 0 ? ticks(now) + e : e);
    }

    void acct(int id, int dir, int length) {
        ext.acct.count(id, dir, length);
    }

    /** Puts an imported entry's two tuples into the hash. */
    void insertImported(int id) {
        insert(id << 1);
        insert(id << 1 | 1);
    }

    /** Sets the nf_conn_acct counters of direction {@code dir}; nothing while accounting is off. */
    void setCounters(int id, int dir, long packets, long bytes) {
        ext.acct.put(id, dir, packets, bytes);
    }

    /** Checks that every live entry's two refs are in the hash exactly once and nothing else is (tests). */
    public void checkConsistency() {
        ConnTableCheck.check(this);
    }
}

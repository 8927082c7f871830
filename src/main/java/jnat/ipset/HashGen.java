package jnat.ipset;

import jnat.wire.Jhash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * ip_set_hash_gen.h: the hash types' common part, laid out as the kernel lays it out so that a
 * listing's order and "Size in memory" are the kernel's: a table of 2^htable_bits buckets, an
 * element's bucket jhash2(element words, initval) (HKEY), each bucket an array of AHASH_INIT_SIZE
 * slots grown by AHASH_INIT_SIZE up to bucketsize, deleted slots reused first, a full bucket
 * doubling the table (mtype_resize). The memory is mtype_head's: the set's and table's structs
 * (measured on x86_64 Linux 6.18 for each type: {@link #emptySize}), one ip_set_region per 1024
 * buckets, each bucket's sizeof(struct hbucket) + size * dsize, and the comments' allocations.
 * maxelem refuses with "Hash is full"; timeouts are in jiffies (HZ 250) of the namespace's clock
 * and an expired element counts as absent (SET_ELEM_EXPIRED); the net types keep the prefixes in
 * use (struct net_prefixes) and look a host up prefix by prefix, the longest first
 * (mtype_test_cidrs), where a nomatch element answers "not in the set".
 *
 * Not the kernel's: the periodic gc (expired elements stay in their slots until an add needs the
 * room or reuses the slot, so the memory of a set with expired elements can differ).
 */
abstract class HashGen extends IpSet {
    static final int HZ = 250;
    /** IPSET_MIMINAL_HASHSIZE, IPSET_DEFAULT_HASHSIZE and IPSET_DEFAULT_MAXELEM. */
    static final int MIN_HASHSIZE = 64, DEFAULT_HASHSIZE = 1024, DEFAULT_MAXELEM = 65536;
    static final int AHASH_INIT_SIZE = 2, AHASH_MAX_SIZE = 6 * AHASH_INIT_SIZE, HTABLE_REGION_BITS = 10;
    /** sizeof(struct hbucket), sizeof(struct ip_set_region), sizeof(struct ip_set_comment_rcu) on x86_64. */
    static final int HBUCKET = 32, REGION = 24, COMMENT_RCU = 16;
    /** IPSET_MAX_COMMENT_SIZE. */
    static final int MAX_COMMENT = 255;

    /** One element's key: IPv4 in lo's low 32 bits; cidr the prefix (the host mask for host types); hi2/lo2 a second address (hash:ip,port,ip). */
    record Key(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, String iface) {
        Key(long hi, long lo, int cidr, int proto, int port) {
            this(hi, lo, cidr, proto, port, 0, 0, "");
        }

        Key(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2) {
            this(hi, lo, cidr, proto, port, hi2, lo2, "");
        }
    }

    /** One slot of a bucket: the element and its extensions. */
    static final class Slot {
        Key key;
        /** In jiffies; 0 is IPSET_ELEM_PERMANENT; unused without timeout support. */
        long expires;
        long packets, bytes;
        String comment;
        boolean nomatch;
        long skbmark = -1, skbmarkmask, skbprio = -1, skbqueue = -1;
    }

    static final class Bucket {
        /** Which positions are in use (the kernel's used bitmap). */
        long used;
        int size, pos;
        Slot[] slots;

        Bucket(int size) {
            this.size = size;
            slots = new Slot[size];
        }

        boolean used(int i) {
            return (used & 1L << i) != 0;
        }
    }

    final int maxelem, initval;
    /** AHASH_MAX(h): tuned up by TUNE_AHASH_MAX for the types with IP_SET_HASH_WITH_MULTI. */
    int bucketsize;
    final boolean withNets;
    final int hostMask;
    /** set->dsize: the element with its extensions, as ip_set_elem_len aligns them. */
    final int dsize;
    private final int emptySize;
    int htableBits;
    Bucket[] table;
    private int[] regionElements;
    private long[] regionExt;
    /** set->ext_size: the comments' allocations. */
    private long commentSize;
    /** nets[cidr]: how many elements have that prefix (struct net_prefixes, indexed by cidr). */
    private final int[] nets;
    /** HKEY's words, reused: the lookups allocate nothing. */
    private final int[] words = new int[12];

    HashGen(String name, String type, int revision, Create o, boolean withNets, int elemSize, int emptyIpv4, int emptyIpv6) {
        super(name, type, revision, o);
        int hashsize = Math.max(o.hashsize, MIN_HASHSIZE);
        // hash_setname_create: hbits = fls(hashsize - 1)
        this.htableBits = 32 - Integer.numberOfLeadingZeros(hashsize - 1);
        this.maxelem = o.maxelem;
        int b = o.bucketsize < 0 ? AHASH_MAX_SIZE : Math.max(AHASH_INIT_SIZE, Math.min(AHASH_MAX_SIZE, o.bucketsize));
        this.bucketsize = b + 1 & ~1; // rounded up to an even number
        this.initval = o.initval != null ? o.initval : new java.util.Random().nextInt();
        this.withNets = withNets;
        this.hostMask = family == INET6 ? 128 : 32;
        this.nets = new int[hostMask + 1];
        this.emptySize = family == INET6 ? emptyIpv6 : emptyIpv4;
        this.dsize = elemLen(elemSize);
        allocTable(htableBits);
    }

    /** ip_set_elem_len: the extensions after the element (counter, timeout, skbinfo, comment), each at its alignment. */
    private int elemLen(int len) {
        int align = 4;
        if (counters) {
            len = align(len, 8) + 16;
            align = 8;
        }
        if (timeout >= 0) {
            len = align(len, 8) + 8;
            align = 8;
        }
        if (skbinfo) len = align(len, 4) + 16;
        if (comment) {
            len = align(len, 8) + 8;
            align = 8;
        }
        return align(len, align);
    }

    private static int align(int v, int a) {
        return v + a - 1 & -a;
    }

    private void allocTable(int bits) {
        table = new Bucket[1 << bits];
        regionElements = new int[locks(bits)];
        regionExt = new long[locks(bits)];
    }

    /** ahash_numof_locks. */
    static int locks(int bits) {
        return bits < HTABLE_REGION_BITS ? 1 : 1 << (bits - HTABLE_REGION_BITS);
    }

    private static int region(int key) {
        return key >>> HTABLE_REGION_BITS;
    }

    private long extSize(int n) {
        return HBUCKET + (long) n * dsize;
    }

    public int hashsize() {
        return 1 << htableBits;
    }

    /** The element's words as the kernel's struct lays them out and x86 loads them (HKEY_DATALEN / 4 of them). */
    abstract int words(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, int[] w);

    /** The IPv4 address or the four IPv6 words at w[0..]; the count written. */
    final int addrWords(long hi, long lo, int[] w) {
        return addrWords(hi, lo, w, 0);
    }

    /** As {@link #addrWords(long, long, int[])}, from w[at]. */
    final int addrWords(long hi, long lo, int[] w, int at) {
        if (family != INET6) {
            w[at] = Jhash.wordOf((int) lo);
            return 1;
        }
        w[at] = Jhash.wordOf((int) (hi >>> 32));
        w[at + 1] = Jhash.wordOf((int) hi);
        w[at + 2] = Jhash.wordOf((int) (lo >>> 32));
        w[at + 3] = Jhash.wordOf((int) lo);
        return 4;
    }

    /** HKEY. */
    private int hkey(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, int bits) {
        int n = words(hi, lo, cidr, proto, port, hi2, lo2, words);
        return Jhash.jhash2(words, n, initval) & (1 << bits) - 1;
    }

    private int hkey(Key k, int bits) {
        return hkey(k.hi(), k.lo(), k.cidr(), k.proto(), k.port(), k.hi2(), k.lo2(), bits);
    }

    long jiffies() {
        return now() / (1_000_000_000L / HZ);
    }

    boolean expired(Slot s) {
        return timeout >= 0 && s.expires != 0 && jiffies() > s.expires;
    }

    @Override
    public int entries() {
        int n = 0;
        for (Bucket b : table) {
            if (b == null) continue;
            for (int i = 0; i < b.pos; i++) if (b.used(i) && !expired(b.slots[i])) n++;
        }
        return n;
    }

    /** mtype_head's memsize. */
    @Override
    public long memsize() {
        long ext = 0;
        for (long e : regionExt) ext += e;
        return emptySize + (long) (locks(htableBits) - 1) * REGION + ext + commentSize;
    }

    private static final int OK = 0, EAGAIN = 1;

    /** mtype_add for one key, resizing the table (mtype_resize) when its bucket is full, as call_ad retries. */
    void addKey(Key k, IpSetExt ext, boolean exist) {
        while (add(k, ext, exist, true) == EAGAIN) resize();
    }

    /**
     * mtype_add. {@code user} false is the kernel side (-j SET): a full bucket cannot resize there,
     * and errors are answers, not exceptions (the caller ignores them as xt_set does).
     */
    private int add(Key d, IpSetExt ext, boolean exist, boolean user) {
        int key = hkey(d, htableBits);
        int r = region(key);
        int elements = regionElements[r];
        int maxel = maxelem / locks(htableBits);
        boolean force = false;
        if (elements >= maxel) {
            if (timeout >= 0) gc(r);
            maxel = maxelem;
            elements = 0;
            for (int e : regionElements) elements += e;
            if (elements >= maxel && forceadd) force = true;
        }
        Bucket n = table[key];
        int j;
        if (n == null) {
            if (force || elements >= maxel) return full(user);
            n = new Bucket(AHASH_INIT_SIZE);
            regionExt[r] += extSize(AHASH_INIT_SIZE);
            table[key] = n;
            j = n.pos++;
            n.slots[j] = new Slot();
        } else {
            j = -1;
            int multi = 0;
            boolean deleted = false, reuse = false;
            for (int i = 0; i < n.pos; i++) {
                if (n.used(i) && multi()) {
                    Key o = n.slots[i].key;
                    if (o.hi() == d.hi() && o.lo() == d.lo() && o.cidr() == d.cidr()) multi++;
                }
                if (!n.used(i)) {
                    if (j == -1) { // reuse the first deleted entry
                        deleted = reuse = true;
                        j = i;
                    }
                    continue;
                }
                Slot s = n.slots[i];
                if (s.key.equals(d)) {
                    if (exist || expired(s)) { // just the extensions are overwritten
                        setExtensions(s, ext);
                        return OK;
                    }
                    if (!user) return OK;
                    throw new IpSetError("Element cannot be added to the set: it's already added");
                }
                if (expired(s) && j == -1) { // reuse the first timed out entry
                    j = i;
                    reuse = true;
                }
            }
            if (reuse || force) {
                if (j == -1) j = 0;
                Slot s = n.slots[j];
                if (!deleted) {
                    if (withNets) nets[s.key.cidr()]--;
                    destroyComment(s);
                    regionElements[r]--;
                }
            } else {
                if (elements >= maxel) return full(user);
                if (n.pos >= n.size) {
                    // TUNE_AHASH_MAX: as many of the same net as the bucket holds grow the limit, up to 64
                    if (multi() && multi >= bucketsize && bucketsize + AHASH_INIT_SIZE <= 64) bucketsize += AHASH_INIT_SIZE;
                    if (n.size >= bucketsize) return EAGAIN; // triggers rehashing
                    Bucket g = new Bucket(n.size + AHASH_INIT_SIZE);
                    System.arraycopy(n.slots, 0, g.slots, 0, n.size);
                    g.used = n.used;
                    g.pos = n.pos;
                    regionExt[r] += extSize(AHASH_INIT_SIZE);
                    table[key] = n = g;
                }
                j = n.pos++;
                n.slots[j] = new Slot();
            }
        }
        regionElements[r]++;
        Slot s = n.slots[j];
        if (withNets) nets[d.cidr()]++;
        s.key = d;
        setExtensions(s, ext);
        n.used |= 1L << j;
        return OK;
    }

    private int full(boolean user) {
        if (user) throw new IpSetError("Hash is full, cannot add more elements");
        return OK;
    }

    /** The overwrite_extensions part of mtype_add: nomatch, counters, comment, skbinfo, then the timeout. */
    private void setExtensions(Slot s, IpSetExt ext) {
        if (withNets) s.nomatch = ext.nomatch;
        if (counters) { // ip_set_init_counter: only what was given
            if (ext.bytes >= 0) s.bytes = ext.bytes;
            if (ext.packets >= 0) s.packets = ext.packets;
        }
        if (comment) { // ip_set_init_comment: the old one goes, an empty one is none
            destroyComment(s);
            String c = ext.comment;
            if (c != null && !c.isEmpty()) {
                if (c.length() > MAX_COMMENT) c = c.substring(0, MAX_COMMENT);
                s.comment = c;
                commentSize += COMMENT_RCU + c.length() + 1;
            }
        }
        if (skbinfo) {
            s.skbmark = ext.skbmark;
            s.skbmarkmask = ext.skbmarkmask;
            s.skbprio = ext.skbprio;
            s.skbqueue = ext.skbqueue;
        }
        if (timeout >= 0) {
            long t = ext.timeout >= 0 ? ext.timeout : timeout;
            // ip_set_timeout_set: 0 is permanent
            s.expires = t == 0 ? 0 : jiffies() + t * HZ;
            if (t != 0 && s.expires == 0) s.expires--;
            if (t != 0 && ext.expires > 0) s.expires = ext.expires;
        }
    }

    private void destroyComment(Slot s) {
        if (s.comment != null) {
            commentSize -= COMMENT_RCU + s.comment.length() + 1;
            s.comment = null;
        }
    }

    /** mtype_del for one key: an expired element is not there; an emptied bucket is freed or shrunk. */
    void delKey(Key d, boolean exist) {
        if (!del(d) && !exist) throw new IpSetError("Element cannot be deleted from the set: it's not added");
    }

    private boolean del(Key d) {
        int key = hkey(d, htableBits);
        int r = region(key);
        Bucket n = table[key];
        if (n == null) return false;
        int k = 0;
        for (int i = 0; i < n.pos; i++) {
            if (!n.used(i)) {
                k++;
                continue;
            }
            Slot s = n.slots[i];
            if (!s.key.equals(d)) continue;
            if (expired(s)) return false;
            n.used &= ~(1L << i);
            if (i + 1 == n.pos) n.pos--;
            regionElements[r]--;
            if (withNets) nets[d.cidr()]--;
            destroyComment(s);
            for (; i < n.pos; i++) if (!n.used(i)) k++;
            if (n.pos == 0 && k == 0) {
                regionExt[r] -= extSize(n.size);
                table[key] = null;
            } else if (k >= AHASH_INIT_SIZE) {
                table[key] = shrunk(n);
                regionExt[r] -= extSize(AHASH_INIT_SIZE);
            }
            return true;
        }
        return false;
    }

    /** A bucket AHASH_INIT_SIZE smaller holding the used slots in order. */
    private static Bucket shrunk(Bucket n) {
        Bucket t = new Bucket(n.size - AHASH_INIT_SIZE);
        int k = 0;
        for (int j = 0; j < n.pos; j++) {
            if (!n.used(j)) continue;
            t.slots[k] = n.slots[j];
            t.used |= 1L << k;
            k++;
        }
        t.pos = k;
        return t;
    }

    /** mtype_gc_do for one region: expired elements leave, and buckets with room to spare shrink. */
    private void gc(int r) {
        int start = htableBits < HTABLE_REGION_BITS ? 0 : r << HTABLE_REGION_BITS;
        int end = htableBits < HTABLE_REGION_BITS ? table.length : (r + 1) << HTABLE_REGION_BITS;
        for (int i = start; i < end; i++) {
            Bucket n = table[i];
            if (n == null) continue;
            int d = 0;
            for (int j = 0; j < n.pos; j++) {
                if (!n.used(j)) {
                    d++;
                    continue;
                }
                Slot s = n.slots[j];
                if (!expired(s)) continue;
                n.used &= ~(1L << j);
                if (withNets) nets[s.key.cidr()]--;
                regionElements[r]--;
                destroyComment(s);
                d++;
            }
            if (d >= AHASH_INIT_SIZE) {
                if (d >= n.size) {
                    regionExt[r] -= extSize(n.size);
                    table[i] = null;
                    continue;
                }
                table[i] = shrunk(n);
                regionExt[r] -= extSize(AHASH_INIT_SIZE);
            }
        }
    }

    /** mtype_resize: a table twice the size (again while some bucket would overflow), the live elements rehashed in bucket order. */
    private void resize() {
        int bits = htableBits;
        retry:
        while (true) {
            bits++;
            if (bits > 31) throw new IpSetError("Hash is full, cannot add more elements");
            Bucket[] t = new Bucket[1 << bits];
            int[] elems = new int[locks(bits)];
            long[] ext = new long[locks(bits)];
            for (Bucket n : table) {
                if (n == null) continue;
                for (int j = 0; j < n.pos; j++) {
                    if (!n.used(j) || expired(n.slots[j])) continue;
                    int key = hkey(n.slots[j].key, bits);
                    int nr = region(key);
                    Bucket m = t[key];
                    if (m == null) {
                        m = t[key] = new Bucket(AHASH_INIT_SIZE);
                        ext[nr] += extSize(AHASH_INIT_SIZE);
                    } else if (m.pos >= m.size) {
                        if (m.size >= bucketsize) continue retry;
                        Bucket g = new Bucket(m.size + AHASH_INIT_SIZE);
                        System.arraycopy(m.slots, 0, g.slots, 0, m.size);
                        g.used = m.used;
                        g.pos = m.pos;
                        ext[nr] += extSize(AHASH_INIT_SIZE);
                        t[key] = m = g;
                    }
                    m.slots[m.pos] = n.slots[j];
                    m.used |= 1L << m.pos++;
                    elems[nr]++;
                }
            }
            table = t;
            regionElements = elems;
            regionExt = ext;
            htableBits = bits;
            return;
        }
    }

    /** mtype_test of an exact key (uadt, no counters): a nomatch element is not in the set. */
    boolean testKey(Key k) {
        Slot s = find(k.hi(), k.lo(), k.cidr(), k.proto(), k.port(), k.hi2(), k.lo2(), k.iface(), false);
        return s != null && !s.nomatch;
    }

    /** The exact key's answer: {@link #NONE}, {@link #MATCH} or {@link #NOMATCH}. */
    int exact(Key k) {
        Slot s = find(k.hi(), k.lo(), k.cidr(), k.proto(), k.port(), k.hi2(), k.lo2(), k.iface(), false);
        return s == null ? NONE : s.nomatch ? NOMATCH : MATCH;
    }

    /**
     * IP_SET_HASH_WITH_MULTI's multi: a find saw an element of the same net (hash:net,iface), so
     * mtype_test_cidrs tries no shorter prefix. The engine is single-threaded: a field, not an allocation.
     */
    private boolean multiSeen;

    /** mtype_test_cidrs from userspace (no counters): the longest prefix holding the net decides. */
    int testCidrs(long hi, long lo, int proto, String iface) {
        for (int c = hostMask; c >= 0; c--) {
            if (nets[c] == 0) continue;
            multiSeen = false;
            Slot s = find(hi & maskHi(c), lo & maskLo(c), c, proto, 0, 0, 0, iface, false);
            if (s != null) return s.nomatch ? NOMATCH : MATCH;
            if (multi() && multiSeen) return NONE;
        }
        return NONE;
    }

    /** The live slot holding the key, or null. */
    private Slot find(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, String iface, boolean packet) {
        Bucket n = table[hkey(hi, lo, cidr, proto, port, hi2, lo2, htableBits)];
        if (n == null) return null;
        for (int i = 0; i < n.pos; i++) {
            if (!n.used(i)) continue;
            Slot s = n.slots[i];
            Key k = s.key;
            if (k.lo() == lo && k.hi() == hi && k.cidr() == cidr && k.proto() == proto && k.port() == port && k.lo2() == lo2
                    && k.hi2() == hi2) {
                multiSeen = true; // data_equal's ++*multi: the net matched, whatever the rest does
                if (ifaceEquals(k, iface, packet) && !expired(s)) return s;
            }
        }
        return null;
    }

    /**
     * The buckets as they are (index, size, first free position, used slots) and the regions'
     * ext_size: what re-adding the members does not rebuild (the holes deletes leave, buckets grown
     * past what their elements need, the kernel's accounting of freed buckets). A sets file keeps it.
     */
    String layout() {
        StringBuilder b = new StringBuilder("ext=");
        for (int r = 0; r < regionExt.length; r++) b.append(r == 0 ? "" : ",").append(regionExt[r]);
        for (int i = 0; i < table.length; i++) {
            Bucket n = table[i];
            if (n != null) b.append(' ').append(i).append(':').append(n.size).append(':').append(n.pos).append(':').append(Long.toHexString(n.used));
        }
        return b.toString();
    }

    /** Puts the members re-added in listing order back into the slots {@link #layout} recorded. */
    void applyLayout(String layout) {
        String[] parts = layout.trim().split(" ");
        String[] ext = parts[0].substring(4).split(",");
        if (ext.length != regionExt.length) throw new IpSetError("jnat: the sets file's layout does not fit set " + name);
        Bucket[] t = new Bucket[table.length];
        for (int i = 1; i < parts.length; i++) {
            String[] f = parts[i].split(":");
            int idx = Integer.parseInt(f[0]);
            Bucket compact = table[idx];
            Bucket n = new Bucket(Integer.parseInt(f[1]));
            n.pos = Integer.parseInt(f[2]);
            n.used = Long.parseUnsignedLong(f[3], 16);
            int k = 0;
            for (int j = 0; j < n.pos; j++) {
                if (!n.used(j)) continue;
                if (compact == null || k >= compact.pos) throw new IpSetError("jnat: the sets file's layout does not fit set " + name);
                n.slots[j] = compact.slots[k++];
            }
            t[idx] = n;
        }
        for (int i = 0; i < t.length; i++) if ((table[i] == null) != (t[i] == null)) throw new IpSetError("jnat: the sets file's layout does not fit set " + name);
        table = t;
        for (int r = 0; r < ext.length; r++) regionExt[r] = Long.parseLong(ext[r]);
    }

    /** The element's interface against the one looked up (hash:net,iface); "" for the others. */
    private static boolean ifaceEquals(Key stored, String iface, boolean packet) {
        return stored.iface().equals(iface);
    }

    /** IP_SET_HASH_WITH_MULTI: the type tunes its bucket size up (hash:net,iface). */
    boolean multi() {
        return false;
    }

    /** Lookup results: no element, an element, a nomatch element (-ENOTEMPTY). */
    static final int NONE = 0, MATCH = 1, NOMATCH = -1;

    /**
     * mtype_test_cidrs (or mtype_test for a host type) from a packet: the element its address (with
     * {@code proto} and {@code port} where the type has them) falls in, the longest prefix first,
     * through ip_set_match_extensions (the counters count the packet of {@code opt.len} bytes unless
     * told not to, and --packets-/--bytes- compare after that). Allocates nothing.
     */
    int lookup(long hi, long lo, int proto, int port, IpSetAdt opt) {
        return lookup(hi, lo, proto, port, 0, 0, opt);
    }

    int lookup(long hi, long lo, int proto, int port, long hi2, long lo2, IpSetAdt opt) {
        return lookup(hi, lo, proto, port, hi2, lo2, "", opt);
    }

    int lookup(long hi, long lo, int proto, int port, long hi2, long lo2, String iface, IpSetAdt opt) {
        for (int c = hostMask; c >= 0; c--) {
            if (withNets ? nets[c] == 0 : c != hostMask) continue;
            multiSeen = false;
            Slot s = find(hi & maskHi(c), lo & maskLo(c), c, proto, port, hi2, lo2, iface, opt != null);
            if (s != null && matchExtensions(s, opt)) return s.nomatch ? NOMATCH : MATCH;
            // no match: the kernel resets multi after an element that failed its extensions
            if (s == null && multi() && multiSeen) return NONE;
        }
        return NONE;
    }

    /** ip_set_match_extensions: counters updated, then compared. */
    private boolean matchExtensions(Slot s, IpSetAdt opt) {
        if (opt == null) return true;
        if (counters) {
            if ((opt.cmdflags & IpSetAdt.SKIP_COUNTER_UPDATE) == 0) {
                s.bytes += opt.len;
                s.packets++;
            }
            if ((opt.cmdflags & IpSetAdt.MATCH_COUNTERS) != 0
                    && !(IpSetAdt.counterMatch(s.packets, opt.packetsOp, opt.packets)
                            && IpSetAdt.counterMatch(s.bytes, opt.bytesOp, opt.bytes))) {
                return false;
            }
        }
        return true;
    }

    boolean netsInUse(int cidr) {
        return nets[cidr] > 0;
    }

    boolean anyNets() {
        for (int n : nets) if (n > 0) return true;
        return false;
    }

    /** The largest prefix in use (h->nets[0].cidr), the host mask when none: what a kernel-side add of a net type stores. */
    int widestCidrInUse() {
        for (int c = hostMask; c >= 0; c--) if (nets[c] > 0) return c;
        return hostMask;
    }

    /** The extensions of a packet's add ({@link #kernelAdd}): its packet and bytes, the rule's timeout; the rest as a new IpSetExt has them. */
    private final IpSetExt kernelExt = new IpSetExt();

    /** The kernel side's add (IP_SET_INIT_KEXT: one packet of opt.len bytes, the rule's timeout or the set's). */
    void kernelAdd(Key k, IpSetAdt opt) {
        IpSetExt e = kernelExt; // add reads it and keeps nothing of it: one per set, reused (an existing element's add allocates nothing)
        e.packets = 1;
        e.bytes = opt.len;
        e.timeout = opt.timeout >= 0 ? opt.timeout : -1;
        add(k, e, (opt.cmdflags & IpSetAdt.EXIST) != 0, false);
    }

    /** A list:set's add through this member: whether it took the element (added, or there already with --exist). */
    boolean kadtAdded(IpSetAdt opt) {
        int before = entries();
        kadt(opt, ADT_ADD);
        return entries() != before || (opt.cmdflags & IpSetAdt.EXIST) != 0 && kadtPresent(opt);
    }

    private boolean kadtPresent(IpSetAdt opt) {
        int flags = opt.cmdflags;
        opt.cmdflags = flags | IpSetAdt.SKIP_COUNTER_UPDATE;
        opt.cmdflags &= ~IpSetAdt.MATCH_COUNTERS;
        try {
            return kadt(opt, ADT_TEST) != 0;
        } finally {
            opt.cmdflags = flags;
        }
    }

    void kernelDel(Key k) {
        del(k);
    }

    long maskHi(int cidr) {
        if (family != INET6) return 0;
        return cidr >= 64 ? -1L : cidr == 0 ? 0 : -1L << (64 - cidr);
    }

    long maskLo(int cidr) {
        if (family != INET6) return cidr == 0 ? 0 : 0xFFFFFFFFL << (32 - cidr) & 0xFFFFFFFFL;
        return cidr <= 64 ? 0 : cidr == 128 ? -1L : -1L << (128 - cidr);
    }

    @Override
    public void flush() {
        allocTable(htableBits);
        java.util.Arrays.fill(nets, 0);
        commentSize = 0;
    }

    @Override
    boolean sameSet(IpSet o) {
        return o instanceof HashGen h && h.type.equals(type) && h.family == family && h.maxelem == maxelem
                && h.timeout == timeout && h.extensions() == extensions();
    }

    /** The element as ipset prints it (the type's print functions in libipset). */
    abstract String format(Key k);

    @Override
    public List<String> members(boolean sorted) {
        return members(sorted, null);
    }

    @Override
    public List<String> members(boolean sorted, List<Long> expires) {
        List<Slot> live = new ArrayList<>();
        for (Bucket n : table) {
            if (n == null) continue;
            for (int i = 0; i < n.pos; i++) if (n.used(i) && !expired(n.slots[i])) live.add(n.slots[i]);
        }
        if (sorted) live.sort(Comparator.comparing((Slot s) -> s.key, this::compareKeys));
        List<String> out = new ArrayList<>();
        long now = jiffies();
        for (Slot e : live) {
            StringBuilder b = new StringBuilder(format(e.key));
            // ip_set_timeout_get: whole seconds left, never 0 for one that has not expired
            if (timeout >= 0) b.append(" timeout ").append(e.expires == 0 ? 0 : Math.max(1, (e.expires - now) / HZ));
            if (e.nomatch) b.append(" nomatch");
            if (counters) b.append(" packets ").append(Long.toUnsignedString(e.packets)).append(" bytes ").append(Long.toUnsignedString(e.bytes));
            if (comment && e.comment != null) b.append(" comment \"").append(e.comment).append('"');
            if (skbinfo) appendSkbinfo(b, e);
            out.add(b.toString());
            if (expires != null) expires.add(timeout >= 0 ? e.expires : 0);
        }
        return out;
    }

    private static void appendSkbinfo(StringBuilder b, Slot e) {
        if (e.skbmark >= 0) {
            b.append(" skbmark 0x").append(Long.toHexString(e.skbmark)); // libipset's 0x%x
            if (e.skbmarkmask != 0xFFFFFFFFL) b.append("/0x").append(Long.toHexString(e.skbmarkmask));
        }
        if (e.skbprio >= 0) b.append(" skbprio ").append(e.skbprio >>> 16 & 0xFFFF).append(':').append(e.skbprio & 0xFFFF);
        if (e.skbqueue >= 0) b.append(" skbqueue ").append(e.skbqueue);
    }

    /** libipset's sorted order: by address, then prefix, protocol and port. */
    int compareKeys(Key a, Key b) {
        int c = Long.compareUnsigned(a.hi(), b.hi());
        if (c == 0) c = Long.compareUnsigned(a.lo(), b.lo());
        if (c == 0) c = Integer.compare(a.cidr(), b.cidr());
        if (c == 0) c = Integer.compare(a.proto(), b.proto());
        if (c == 0) c = Integer.compare(a.port(), b.port());
        if (c == 0) c = Long.compareUnsigned(a.hi2(), b.hi2());
        if (c == 0) c = Long.compareUnsigned(a.lo2(), b.lo2());
        return c;
    }

    /** "family inet hashsize 1024 maxelem 65536" and the rest of ipset list's Header line. */
    @Override
    public String header() {
        StringBuilder b = new StringBuilder("family ").append(family == INET6 ? "inet6" : "inet")
                .append(" hashsize ").append(hashsize()).append(" maxelem ").append(maxelem);
        headerExtra(b);
        appendExtensions(b);
        b.append(" bucketsize ").append(bucketsize).append(" initval 0x").append(String.format("%08x", initval));
        return b.toString();
    }

    /** The type's own header options after maxelem (hash:ip's netmask). */
    void headerExtra(StringBuilder b) {}

    // The element parsers libipset's parse.c has for these types.

    /** An address of the set's family, as two longs (IPv4 in lo). */
    long[] address(String s) {
        try {
            if (family == INET6) {
                byte[] b = jnat.wire.Ipv6Address.parse(s);
                return new long[] {word64(b, 0), word64(b, 8)};
            }
            return new long[] {0, jnat.wire.Ipv4Address.parse(s) & 0xFFFFFFFFL};
        } catch (IllegalArgumentException e) {
            throw new IpSetError("Syntax error: cannot parse " + s + ": resolving to IPv" + (family == INET6 ? 6 : 4)
                    + " address failed");
        }
    }

    private static long word64(byte[] b, int off) {
        return (long) jnat.wire.Bytes.i32(b, off) << 32 | jnat.wire.Bytes.i32(b, off + 4) & 0xFFFFFFFFL;
    }

    String formatAddress(long hi, long lo) {
        return family == INET6 ? jnat.wire.Ipv6Address.format(hi, lo) : jnat.wire.Ipv4Address.format((int) lo);
    }

    /** "IP[/cidr]": {hi, lo, cidr}; no prefix is the host mask; /0 (and beyond the host mask) refused as the kernel does. */
    long[] net(String s) {
        int slash = s.indexOf('/');
        long[] a = address(slash < 0 ? s : s.substring(0, slash));
        int cidr = hostMask;
        if (slash >= 0) {
            try {
                cidr = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IpSetError("Syntax error: cannot parse " + s + ": CIDR is not a number");
            }
            if (cidr < 0 || cidr > hostMask) throw new IpSetError("Syntax error: '" + s.substring(slash + 1) + "' is out of range 0-" + hostMask);
            if (cidr == 0) throw new IpSetError("The value of the CIDR parameter of the IP address is invalid");
        }
        return new long[] {a[0] & maskHi(cidr), a[1] & maskLo(cidr), cidr};
    }
}

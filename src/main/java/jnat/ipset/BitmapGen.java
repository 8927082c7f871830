package jnat.ipset;

import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_bitmap_gen.h: what the bitmap types share. One bit per element id of the range
 * (map->members), each id's extensions in arrays beside it (map->extensions: a deleted id's
 * counters stay there, as the kernel's do, for the next add), mtype_add/del/test/list and
 * mtype_memsize: sizeof(struct bitmap_TYPE) + BITS_TO_LONGS(elements) longs + elements * dsize
 * + the comments' ext_size, where dsize is ip_set_elem_len's: the type's element (0 for
 * bitmap:ip and bitmap:port, 8 for bitmap:ip,mac's MAC slot) then, each aligned, timeout (8),
 * counters (16), skbinfo (16, aligned 4), comment (8), rounded to the largest alignment.
 */
abstract class BitmapGen extends IpSet {
    /** mtype_do_add's answers (IPSET_ADD_*). */
    static final int ADD_OK = 0, ADD_FAILED = 1, ADD_STORE_PLAIN_TIMEOUT = 2, ADD_START_STORED_TIMEOUT = 3;

    /** The number of ids (map->elements). */
    final int elements;
    private final int mapSize;
    final long[] members;
    final long[] expires;
    private final long[] packets, bytes;
    private final String[] comments;
    private final long[] skbmark, skbmarkmask, skbprio, skbqueue;
    private final int dsize;
    private long commentSize;

    /** {@code mapSize}: sizeof(struct bitmap_TYPE) on x86_64 Linux 6.18 (measured); {@code elemLen}: the type's own slot bytes. */
    BitmapGen(String name, String type, int revision, Create o, int elements, int mapSize, int elemLen) {
        super(name, type, revision, o);
        this.elements = elements;
        this.mapSize = mapSize;
        members = new long[(elements + 63) / 64];
        expires = new long[elements];
        packets = new long[elements];
        bytes = new long[elements];
        comments = new String[elements];
        skbmark = new long[elements];
        skbmarkmask = new long[elements];
        skbprio = new long[elements];
        skbqueue = new long[elements];
        int len = elemLen, align = elemLen > 0 ? 8 : 1;
        if (timeout >= 0) {
            len = (len + 7 & -8) + 8;
            align = 8;
        }
        if (counters) {
            len = (len + 7 & -8) + 16;
            align = 8;
        }
        if (skbinfo) {
            len = (len + 3 & -4) + 16;
            align = Math.max(align, 4);
        }
        if (comment) {
            len = (len + 7 & -8) + 8;
            align = 8;
        }
        dsize = len + align - 1 & -align;
    }

    final boolean member(int id) {
        return (members[id >> 6] & 1L << id) != 0;
    }

    final long jiffies() {
        return now() / (1_000_000_000L / HashGen.HZ);
    }

    /** ip_set_timeout_expired on the id's timeout slot. */
    boolean expired(int id) {
        return timeout >= 0 && expires[id] != 0 && jiffies() > expires[id];
    }

    /** mtype_gc_test: whether the id's timer runs (bitmap:ip,mac's incomplete elements have none). */
    boolean timerRuns(int id) {
        return true;
    }

    /** Listed and counted: a member whose running timer has not expired (what gc leaves). */
    final boolean live(int id) {
        return member(id) && !(timerRuns(id) && expired(id));
    }

    @Override
    public int entries() {
        int n = 0;
        for (int id = 0; id < elements; id++) if (live(id)) n++;
        return n;
    }

    @Override
    public long memsize() {
        return mapSize + members.length * 8L + (long) elements * dsize + commentSize;
    }

    /** mtype_do_add: ADD_OK for a new element, ADD_FAILED for one there, or a stored-timeout mode. */
    int doAdd(int id, long mac, boolean exist) {
        return member(id) ? ADD_FAILED : ADD_OK;
    }

    /** The timeout slot of an add (ip_set_timeout_set, or bitmap:ip,mac's mtype_add_timeout). */
    void addTimeout(int id, long mac, IpSetExt ext, long t, int mode) {
        expires[id] = t == 0 ? 0 : ext.expires > 0 ? ext.expires : jiffies() + t * HashGen.HZ;
    }

    /** mtype_add; {@code user} false (a packet's add) ignores an element already there. */
    final void add(int id, long mac, IpSetExt ext, boolean exist, boolean user) {
        int ret = doAdd(id, mac, exist);
        if (ret == ADD_FAILED) {
            if (timeout >= 0 && expired(id)) {
                ret = ADD_OK;
            } else if (!exist) {
                if (user) throw new IpSetError("Element cannot be added to the set: it's already added");
                return;
            }
            destroyComment(id);
        }
        if (timeout >= 0) addTimeout(id, mac, ext, ext.timeout >= 0 ? ext.timeout : timeout, ret);
        if (counters) {
            if (ext.bytes >= 0) bytes[id] = ext.bytes;
            if (ext.packets >= 0) packets[id] = ext.packets;
        }
        if (comment) {
            destroyComment(id);
            if (ext.comment != null && !ext.comment.isEmpty()) {
                String c = ext.comment.length() > HashGen.MAX_COMMENT ? ext.comment.substring(0, HashGen.MAX_COMMENT) : ext.comment;
                comments[id] = c;
                commentSize += HashGen.COMMENT_RCU + c.length() + 1;
            }
        }
        if (skbinfo) {
            skbmark[id] = ext.skbmark;
            skbmarkmask[id] = ext.skbmarkmask;
            skbprio[id] = ext.skbprio;
            skbqueue[id] = ext.skbqueue;
        }
        members[id >> 6] |= 1L << id;
    }

    private void destroyComment(int id) {
        if (comments[id] != null) {
            commentSize -= HashGen.COMMENT_RCU + comments[id].length() + 1;
            comments[id] = null;
        }
    }

    /**
     * mtype_del: a member is deleted; "not added" for none, and for one whose timeout slot has
     * expired (deleted all the same). {@code user} false (a packet's del) ignores both.
     */
    final void del(int id, boolean exist, boolean user) {
        boolean was = member(id);
        if (was) {
            members[id >> 6] &= ~(1L << id);
            destroyComment(id);
        }
        if ((!was || timeout >= 0 && expired(id)) && !exist && user) {
            throw new IpSetError("Element cannot be deleted from the set: it's not added");
        }
    }

    @Override
    public void flush() {
        java.util.Arrays.fill(members, 0);
    }

    /** mtype_test's extensions after a hit (ip_set_match_extensions): expiry, the counters' update and comparison. */
    final int matchExtensions(int id, IpSetAdt opt) {
        if (timeout >= 0 && expired(id)) return 0;
        if (counters) {
            if ((opt.cmdflags & IpSetAdt.SKIP_COUNTER_UPDATE) == 0) {
                bytes[id] += opt.len;
                packets[id]++;
            }
            if ((opt.cmdflags & IpSetAdt.MATCH_COUNTERS) != 0 && !(IpSetAdt.counterMatch(packets[id], opt.packetsOp, opt.packets)
                    && IpSetAdt.counterMatch(bytes[id], opt.bytesOp, opt.bytes))) {
                return 0;
            }
        }
        return 1;
    }

    /** The adtfn a kadt calls for element {@code id} (mtype_test, mtype_add, mtype_del): a test matches the rule's extension checks too. */
    final int kadtElement(int id, IpSetAdt opt, int adt) {
        if (adt == ADT_TEST) return member(id) ? matchExtensions(id, opt) : 0;
        if (adt == ADT_ADD) kernelAdd(id, -1, opt);
        else del(id, false, false);
        return 0;
    }

    /** The extensions of a packet's add ({@link #kernelAdd}): its packet and bytes, the rule's timeout; the rest as a new IpSetExt has them. */
    private final IpSetExt kernelExt = new IpSetExt();

    /** A packet's add (IP_SET_INIT_KEXT: one packet of its length, the rule's timeout or the set's). */
    final void kernelAdd(int id, long mac, IpSetAdt opt) {
        IpSetExt e = kernelExt; // add reads it and keeps nothing of it: one per set, reused (the packet path allocates nothing)
        e.packets = 1;
        e.bytes = opt.len;
        e.timeout = opt.timeout;
        add(id, mac, e, (opt.cmdflags & IpSetAdt.EXIST) != 0, false);
    }

    /** The element of an id as libipset prints it. */
    abstract String format(int id);

    /** The timeout the kernel lists for a live id (ip_set_timeout_get: whole seconds left, never 0 before expiry). */
    long listedTimeout(int id, long now) {
        return expires[id] == 0 ? 0 : Math.max(1, (expires[id] - now) / HashGen.HZ);
    }

    /** The id's exact expiry for a sets file, 0 for none. */
    long exactExpiry(int id) {
        return expires[id];
    }

    @Override
    public List<String> members(boolean sorted, List<Long> exp) {
        List<String> out = new ArrayList<>();
        long now = jiffies();
        for (int id = 0; id < elements; id++) {
            if (!live(id)) continue;
            StringBuilder b = new StringBuilder(format(id));
            if (timeout >= 0) b.append(" timeout ").append(listedTimeout(id, now));
            if (counters) b.append(" packets ").append(Long.toUnsignedString(packets[id])).append(" bytes ").append(Long.toUnsignedString(bytes[id]));
            if (comment && comments[id] != null) b.append(" comment \"").append(comments[id]).append('"');
            if (skbinfo) {
                if (skbmark[id] >= 0) {
                    b.append(" skbmark 0x").append(Long.toHexString(skbmark[id]));
                    if (skbmarkmask[id] != 0xFFFFFFFFL) b.append("/0x").append(Long.toHexString(skbmarkmask[id]));
                }
                if (skbprio[id] >= 0) b.append(" skbprio ").append(skbprio[id] >>> 16 & 0xFFFF).append(':').append(skbprio[id] & 0xFFFF);
                if (skbqueue[id] >= 0) b.append(" skbqueue ").append(skbqueue[id]);
            }
            out.add(b.toString());
            if (exp != null) exp.add(timeout >= 0 ? exactExpiry(id) : 0);
        }
        return out;
    }

    @Override
    public List<String> members(boolean sorted) {
        return members(sorted, null);
    }

    /** What re-adding the members does not rebuild: the counters deleted ids leave in their slots (a sets file keeps them). */
    String layout() {
        StringBuilder b = new StringBuilder("counters=");
        for (int id = 0; id < elements; id++) {
            if (!live(id) && (packets[id] != 0 || bytes[id] != 0)) b.append(id).append(':').append(packets[id]).append(':').append(bytes[id]).append(',');
        }
        return b.toString();
    }

    void applyLayout(String layout) {
        String l = layout.trim();
        if (!l.startsWith("counters=")) throw new IpSetError("jnat: the sets file's layout does not fit set " + name);
        for (String e : l.substring(9).split(",")) {
            if (e.isEmpty()) continue;
            String[] f = e.split(":");
            int id = Integer.parseInt(f[0]);
            if (id < 0 || id >= elements) throw new IpSetError("jnat: the sets file's layout does not fit set " + name);
            packets[id] = Long.parseLong(f[1]);
            bytes[id] = Long.parseLong(f[2]);
        }
    }

    /** An IPv4 address as libipset parses one. */
    static long ipv4(String s) {
        try {
            return jnat.wire.Ipv4Address.parse(s) & 0xFFFFFFFFL;
        } catch (IllegalArgumentException e) {
            throw new IpSetError("Syntax error: cannot parse " + s + ": resolving to IPv4 address failed");
        }
    }

    static String formatIpv4(long ip) {
        return jnat.wire.Ipv4Address.format((int) ip);
    }

    /** ip_set_hostmask. */
    static long hostmask(int cidr) {
        return cidr == 0 ? 0 : 0xFFFFFFFFL << (32 - cidr) & 0xFFFFFFFFL;
    }

    /** The create's range (ipset_parse_netrange): "FROM-TO" or "IP/CIDR" (CIDR under 32), {first, last}. */
    static long[] createRange(String range) {
        if (range == null) throw new IpSetError("Mandatory option `range' is missing");
        int dash = range.indexOf('-'), slash = range.indexOf('/');
        if (dash >= 0) {
            long a = ipv4(range.substring(0, dash)), b = ipv4(range.substring(dash + 1));
            return new long[] {Math.min(a, b), Math.max(a, b)};
        }
        if (slash < 0) throw new IpSetError("Syntax error: IP/cidr or IP-IP range must be specified: " + range);
        long ip = ipv4(range.substring(0, slash));
        int cidr = cidr(range.substring(slash + 1), range);
        if (cidr >= 32) throw new IpSetError("The value of the CIDR parameter of the IP address is invalid");
        ip &= hostmask(cidr);
        return new long[] {ip, ip | ~hostmask(cidr) & 0xFFFFFFFFL};
    }

    /** A prefix length as libipset's ipset_parse_ip reads it (0-32). */
    static int cidr(String s, String whole) {
        try {
            long c = Long.parseLong(s);
            if (c >= 0 && c <= 32 && !s.startsWith("+")) return (int) c;
        } catch (NumberFormatException e) {
            throw new IpSetError("Syntax error: cannot parse " + whole + ": CIDR is not a number");
        }
        throw new IpSetError("Syntax error: '" + s + "' is out of range 0-32");
    }

    /** IPSET_ERR_BITMAP_RANGE_SIZE: more than IPSET_BITMAP_MAX_RANGE + 1 elements. */
    static void checkSize(long elements) {
        if (elements > 65536) throw new IpSetError("The range you specified exceeds the size limit of the set type");
    }
}

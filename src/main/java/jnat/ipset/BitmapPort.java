package jnat.ipset;

import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_bitmap_port.c over ip_set_bitmap_gen.h: one bit per port of the range, the extensions in
 * an array beside it (a deleted port's counters stay there, as the kernel's do, for the next add),
 * family unspec (both families' rules use it), TCP and UDP packets only. Memory is mtype_memsize's:
 * struct bitmap_port (72 bytes on x86_64), the members' longs and the range's extension slots.
 */
final class BitmapPort extends IpSet {
    /** sizeof(struct bitmap_port) on x86_64 Linux 6.18, measured. */
    private static final int MAP_SIZE = 72;

    final int first, last;
    private final long[] members;
    private final long[] expires, packets, bytes;
    private final String[] comments;
    private final long[] skbmark, skbmarkmask, skbprio, skbqueue;
    private final int dsize;
    private long commentSize;

    BitmapPort(String name, Create o) {
        super(name, "bitmap:port", 3, unspec(o));
        if (o.from < 0) throw new IpSetError("Mandatory option `range' is missing");
        first = Math.min(o.from, o.to);
        last = Math.max(o.from, o.to);
        int n = last - first + 1;
        members = new long[(n + 63) / 64];
        expires = new long[n];
        packets = new long[n];
        bytes = new long[n];
        comments = new String[n];
        skbmark = new long[n];
        skbmarkmask = new long[n];
        skbprio = new long[n];
        skbqueue = new long[n];
        int len = 0, align = 1;
        if (counters) {
            len = len + 7 & -8;
            len += 16;
            align = 8;
        }
        if (timeout >= 0) {
            len = (len + 7 & -8) + 8;
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

    private static Create unspec(Create o) {
        o.family = 0;
        return o;
    }

    @Override
    public int dimension() {
        return 1;
    }

    private boolean member(int id) {
        return (members[id >> 6] & 1L << id) != 0;
    }

    private long jiffies() {
        return now() / (1_000_000_000L / HashGen.HZ);
    }

    private boolean expired(int id) {
        return timeout >= 0 && expires[id] != 0 && jiffies() > expires[id];
    }

    private boolean live(int id) {
        return member(id) && !expired(id);
    }

    @Override
    public int entries() {
        int n = 0;
        for (int id = 0; id <= last - first; id++) if (live(id)) n++;
        return n;
    }

    @Override
    public long memsize() {
        return MAP_SIZE + members.length * 8L + (long) (last - first + 1) * dsize + commentSize;
    }

    @Override
    public String header() {
        StringBuilder b = new StringBuilder("range ").append(first).append('-').append(last);
        appendExtensions(b);
        return b.toString();
    }

    /** "[proto:]port[-port]", the protocol ignored. */
    private int[] range(String element) {
        if (element.startsWith("icmp:")) throw new IpSetError("jnat: ICMP in a bitmap:port element is not supported (ports of tcp, udp, sctp and udplite are)");
        int[] pp = Parse.protoPort(element);
        if (pp[1] < first || pp[2] > last) throw new IpSetError("Element is out of the range of the set");
        return new int[] {pp[1] - first, pp[2] - first};
    }

    @Override
    public void add(String element, IpSetExt ext, boolean exist) {
        checkExt(ext);
        int[] r = range(element);
        for (int id = r[0]; id <= r[1]; id++) add(id, ext, exist, true);
    }

    /** mtype_add. */
    private void add(int id, IpSetExt ext, boolean exist, boolean user) {
        if (member(id) && !expired(id)) {
            if (!exist) {
                if (user) throw new IpSetError("Element cannot be added to the set: it's already added");
                return;
            }
        }
        destroyComment(id);
        if (timeout >= 0) {
            long t = ext.timeout >= 0 ? ext.timeout : timeout;
            expires[id] = t == 0 ? 0 : ext.expires > 0 ? ext.expires : jiffies() + t * HashGen.HZ;
        }
        if (counters) {
            if (ext.bytes >= 0) bytes[id] = ext.bytes;
            if (ext.packets >= 0) packets[id] = ext.packets;
        }
        if (comment && ext.comment != null && !ext.comment.isEmpty()) {
            String c = ext.comment.length() > HashGen.MAX_COMMENT ? ext.comment.substring(0, HashGen.MAX_COMMENT) : ext.comment;
            comments[id] = c;
            commentSize += HashGen.COMMENT_RCU + c.length() + 1;
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

    @Override
    public void del(String element, boolean exist) {
        int[] r = range(element);
        for (int id = r[0]; id <= r[1]; id++) {
            if (!live(id)) {
                if (exist) continue;
                throw new IpSetError("Element cannot be deleted from the set: it's not added");
            }
            members[id >> 6] &= ~(1L << id);
            destroyComment(id);
        }
    }

    @Override
    public boolean test(String element) {
        if (element.indexOf('-') >= 0) {
            throw new IpSetError("FROM-TO port range is not allowed in command test with set type bitmap:port and family unspec");
        }
        int[] r = range(element);
        return live(r[0]);
    }

    @Override
    public void flush() {
        java.util.Arrays.fill(members, 0);
        java.util.Arrays.fill(comments, null);
        commentSize = 0;
    }

    /** bitmap_port_kadt: the packet's TCP or UDP port of the dimension's side, in the range. */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (!opt.portsValid || opt.proto != 6 && opt.proto != 17) return 0;
        int port = opt.port(1);
        if (port < first || port > last) return 0;
        int id = port - first;
        if (adt == ADT_TEST) {
            if (!live(id)) return 0;
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
        if (adt == ADT_ADD) {
            IpSetExt e = new IpSetExt();
            e.packets = 1;
            e.bytes = opt.len;
            e.timeout = opt.timeout;
            add(id, e, (opt.cmdflags & IpSetAdt.EXIST) != 0, false);
        } else if (live(id)) {
            members[id >> 6] &= ~(1L << id);
            destroyComment(id);
        }
        return 0;
    }

    /** What re-adding the members does not rebuild: the counters deleted ports leave in their slots (a sets file keeps them). */
    String layout() {
        StringBuilder b = new StringBuilder("counters=");
        for (int id = 0; id <= last - first; id++) {
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
            packets[id] = Long.parseLong(f[1]);
            bytes[id] = Long.parseLong(f[2]);
        }
    }

    @Override
    boolean sameSet(IpSet o) {
        return o instanceof BitmapPort b && b.first == first && b.last == last && b.timeout == timeout && b.extensions() == extensions();
    }

    @Override
    public List<String> members(boolean sorted, List<Long> exp) {
        List<String> out = new ArrayList<>();
        long now = jiffies();
        for (int id = 0; id <= last - first; id++) {
            if (!live(id)) continue;
            StringBuilder b = new StringBuilder().append(first + id);
            if (timeout >= 0) b.append(" timeout ").append(expires[id] == 0 ? 0 : Math.max(1, (expires[id] - now) / HashGen.HZ));
            if (counters) b.append(" packets ").append(packets[id]).append(" bytes ").append(bytes[id]);
            if (comment && comments[id] != null) b.append(" comment \"").append(comments[id]).append('"');
            out.add(b.toString());
            if (exp != null) exp.add(timeout >= 0 ? expires[id] : 0);
        }
        return out;
    }

    @Override
    public List<String> members(boolean sorted) {
        return members(sorted, null);
    }
}

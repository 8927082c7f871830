package jnat.ipset;

import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_list_set.c: an ordered list of other sets (by index, each holding a reference on its
 * member), "NAME [before|after NAME]" elements; a packet is in it when it is in a member (the
 * first that answers, each member's own dimension and family checked by ip_set_test), -j SET adds
 * to the first member that takes the packet. Since Linux 5.x size no longer limits the list (it is
 * printed, at least IP_SET_LIST_MIN_SIZE). Memory is list_set_head's: struct list_set (80 bytes on
 * x86_64) and a set_elem (48) with its extensions per member, and the comments.
 */
final class ListSet extends IpSet {
    private static final int LIST_SIZE = 80, SET_ELEM = 48, MIN_SIZE = 4;

    private static final class Elem {
        int id;
        long expires, packets, bytes;
        String comment;
    }

    final int size;
    private final int dsize;
    private final List<Elem> members = new ArrayList<>();
    private long commentSize;

    ListSet(String name, Create o) {
        super(name, "list:set", 3, unspec(o));
        this.size = Math.max(o.size, MIN_SIZE);
        int len = SET_ELEM;
        if (counters) len = (len + 7 & -8) + 16;
        if (timeout >= 0) len = (len + 7 & -8) + 8;
        if (skbinfo) len = (len + 3 & -4) + 16;
        if (comment) len = (len + 7 & -8) + 8;
        dsize = len + 7 & -8;
    }

    private static Create unspec(Create o) {
        o.family = 0;
        return o;
    }

    @Override
    public int dimension() {
        return 1;
    }

    private long jiffies() {
        return now() / (1_000_000_000L / HashGen.HZ);
    }

    private boolean expired(Elem e) {
        return timeout >= 0 && e.expires != 0 && jiffies() > e.expires;
    }

    @Override
    public int entries() {
        int n = 0;
        for (Elem e : members) if (!expired(e)) n++;
        return n;
    }

    @Override
    public long memsize() {
        return LIST_SIZE + (long) members.size() * dsize + commentSize;
    }

    @Override
    public String header() {
        StringBuilder b = new StringBuilder("size ").append(size);
        appendExtensions(b);
        return b.toString();
    }

    /** "NAME [before|after NAME]": {id, before (1), after (-1) or 0, the reference's id}. */
    private int[] parse(String element) {
        String[] w = element.trim().split(" +");
        int id = core.find(w[0]);
        if (id < 0) throw new IpSetError("Set to be added/deleted/tested as element does not exist.");
        if (w.length == 1) return new int[] {id, 0, -1};
        int ref = core.find(w[2]);
        if (ref < 0) throw new IpSetError("The set to which you referred with 'before' or 'after' does not exist.");
        return new int[] {id, w[1].equals("before") ? 1 : -1, ref};
    }

    private int indexOf(int id) {
        for (int i = 0; i < members.size(); i++) if (members.get(i).id == id && !expired(members.get(i))) return i;
        return -1;
    }

    /** list_set_uadd. */
    @Override
    public void add(String element, IpSetExt ext, boolean exist) {
        checkExt(ext);
        int[] d = parse(element);
        if (core.get(d[0]) instanceof ListSet) throw new IpSetError("Sets with list:set type cannot be added to the set.");
        int at = indexOf(d[0]);
        if (at >= 0) {
            if (!exist) throw new IpSetError("Element cannot be added to the set: it's already added");
            setExtensions(members.get(at), ext);
            return;
        }
        int pos;
        if (d[1] == 0) {
            pos = members.size();
        } else {
            int r = indexOf(d[2]);
            if (r < 0) throw new IpSetError("The set to which you referred with 'before' or 'after' is not added to the set.");
            pos = d[1] > 0 ? r : r + 1;
        }
        Elem e = new Elem();
        e.id = d[0];
        setExtensions(e, ext);
        members.add(pos, e);
        core.get(e.id).ref++;
    }

    private void setExtensions(Elem e, IpSetExt ext) {
        if (timeout >= 0) {
            long t = ext.timeout >= 0 ? ext.timeout : timeout;
            e.expires = t == 0 ? 0 : ext.expires > 0 ? ext.expires : jiffies() + t * HashGen.HZ;
        }
        if (counters) {
            if (ext.bytes >= 0) e.bytes = ext.bytes;
            if (ext.packets >= 0) e.packets = ext.packets;
        }
        if (comment) {
            if (e.comment != null) commentSize -= HashGen.COMMENT_RCU + e.comment.length() + 1;
            e.comment = ext.comment == null || ext.comment.isEmpty() ? null : ext.comment;
            if (e.comment != null) commentSize += HashGen.COMMENT_RCU + e.comment.length() + 1;
        }
    }

    private void remove(int i) {
        Elem e = members.remove(i);
        if (e.comment != null) commentSize -= HashGen.COMMENT_RCU + e.comment.length() + 1;
        core.get(e.id).ref--;
    }

    /** list_set_udel: with before/after the reference must be the member's neighbour. */
    @Override
    public void del(String element, boolean exist) {
        int[] d = parse(element);
        int at = indexOf(d[0]);
        if (at < 0) {
            if (exist) return;
            throw new IpSetError("Element cannot be deleted from the set: it's not added");
        }
        if (d[1] != 0 && !neighbour(at, d[1], d[2])) {
            throw new IpSetError("The set to which you referred with 'before' or 'after' is not added to the set.");
        }
        remove(at);
    }

    private boolean neighbour(int at, int before, int ref) {
        int n = before > 0 ? at + 1 : at - 1;
        return n >= 0 && n < members.size() && members.get(n).id == ref;
    }

    @Override
    public boolean test(String element) {
        int[] d = parse(element);
        int at = indexOf(d[0]);
        return at >= 0 && (d[1] == 0 || neighbour(at, d[1], d[2]));
    }

    @Override
    public void flush() {
        while (!members.isEmpty()) remove(members.size() - 1);
    }

    /** list_set_kadt: the members in order; sub-counters are not compared, and not updated with ! --update-subcounters. */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        int flags = opt.cmdflags;
        try {
            for (int i = 0; i < members.size(); i++) {
                Elem e = members.get(i);
                if (expired(e)) continue;
                if (adt == ADT_TEST) {
                    opt.cmdflags = flags & ~IpSetAdt.MATCH_COUNTERS;
                    if ((flags & IpSetAdt.SKIP_SUBCOUNTER_UPDATE) != 0) opt.cmdflags |= IpSetAdt.SKIP_COUNTER_UPDATE;
                    if (!core.test(e.id, opt)) continue;
                    opt.cmdflags = flags;
                    if (matchExtensions(e, opt)) return 1;
                } else if (core.kernelAdtAccepted(e.id, opt, adt)) {
                    return 0;
                }
            }
            return 0;
        } finally {
            opt.cmdflags = flags;
        }
    }

    private boolean matchExtensions(Elem e, IpSetAdt opt) {
        if (!counters) return true;
        if ((opt.cmdflags & IpSetAdt.SKIP_COUNTER_UPDATE) == 0) {
            e.bytes += opt.len;
            e.packets++;
        }
        return (opt.cmdflags & IpSetAdt.MATCH_COUNTERS) == 0 || IpSetAdt.counterMatch(e.packets, opt.packetsOp, opt.packets)
                && IpSetAdt.counterMatch(e.bytes, opt.bytesOp, opt.bytes);
    }

    /** A destroyed list lets go of its members. */
    void release() {
        flush();
    }

    @Override
    boolean sameSet(IpSet o) {
        return o instanceof ListSet l && l.size == size && l.timeout == timeout && l.extensions() == extensions();
    }

    @Override
    public List<String> members(boolean sorted, List<Long> exp) {
        List<String> out = new ArrayList<>();
        long now = jiffies();
        for (Elem e : members) {
            if (expired(e)) continue;
            StringBuilder b = new StringBuilder(core.get(e.id).name());
            if (timeout >= 0) b.append(" timeout ").append(e.expires == 0 ? 0 : Math.max(1, (e.expires - now) / HashGen.HZ));
            if (counters) b.append(" packets ").append(e.packets).append(" bytes ").append(e.bytes);
            if (comment && e.comment != null) b.append(" comment \"").append(e.comment).append('"');
            out.add(b.toString());
            if (exp != null) exp.add(timeout >= 0 ? e.expires : 0);
        }
        return out;
    }

    @Override
    public List<String> members(boolean sorted) {
        return members(sorted, null);
    }
}

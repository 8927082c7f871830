package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * nfnetlink_acct.c: a namespace's extended accounting objects (struct nf_acct), which -m nfacct
 * rules count into and nfacct(8) creates, lists and deletes. The objects outlive any one ruleset:
 * the engine's {@link XtNet} holds the namespace's, and a ruleset parsed against its own (jnat
 * replay/gateway --acct FILE) brings them, as it does its sets.
 */
public final class NfnlAcct {
    /** NFACCT_NAME_MAX: a name is at most 31 bytes and its NUL. */
    public static final int NAME_MAX = 32;
    /** enum nfnl_acct_flags. */
    public static final int F_QUOTA_PKTS = 1, F_QUOTA_BYTES = 2, F_OVERQUOTA = 4;
    static final int F_QUOTA = F_QUOTA_PKTS | F_QUOTA_BYTES;
    /** nfnl_acct_overquota's answers (enum nfnl_acct_quota... NFACCT_NO_QUOTA is -1). */
    static final int NO_QUOTA = -1, UNDERQUOTA = 0;

    public static final int ENOENT = 2, EBUSY = 16, EEXIST = 17, EINVAL = 22;

    /** struct nf_acct: the counters, the quota flags and value, and who holds it. */
    public static final class Obj {
        public final String name;
        long pkts, bytes;
        int flags;
        long quota;
        /** The -m nfacct rules naming it, per family (the kernel's refcnt beyond the list's own). */
        int refs4, refs6;

        Obj(String name, long pkts, long bytes, int flags, long quota) {
            this.name = name;
            this.pkts = pkts;
            this.bytes = bytes;
            this.flags = flags;
            this.quota = quota;
        }

        public long pkts() {
            return pkts;
        }

        public long bytes() {
            return bytes;
        }

        public int flags() {
            return flags;
        }

        public long quota() {
            return quota;
        }

        boolean referenced() {
            return refs4 + refs6 > 0;
        }
    }

    /** nfnl_acct_list, in the order objects were added (list_add_tail). */
    private final List<Obj> list = new ArrayList<>();

    /** The objects, in the kernel's dump order. */
    public List<Obj> objects() {
        return java.util.Collections.unmodifiableList(list);
    }

    /** nfnl_acct_find_get's lookup: strncmp over NFACCT_NAME_MAX, so a name is its first 31 bytes. */
    public Obj find(String name) {
        String n = truncate(name);
        for (Obj o : list) if (o.name.equals(n)) return o;
        return null;
    }

    /** The name as a 32-byte field holds it: its first 31 bytes (libnetfilter_acct's strncpy and NUL). */
    static String truncate(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length < NAME_MAX) return name;
        return new String(b, 0, NAME_MAX - 1, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * nfnl_acct_new without NLM_F_EXCL or NLM_F_REPLACE (what nfacct(8) sends): 0, or -EINVAL for an
     * empty name or bad flags, -EBUSY when the name exists.
     */
    public int add(String name, long pkts, long bytes, int flags, long quota) {
        String n = truncate(name);
        if (n.isEmpty()) return -EINVAL;
        if (find(n) != null) return -EBUSY;
        if ((flags & F_QUOTA) == F_QUOTA || (flags & F_OVERQUOTA) != 0) return -EINVAL;
        list.add(new Obj(n, pkts, bytes, flags & F_QUOTA, (flags & F_QUOTA) != 0 ? quota : 0));
        return 0;
    }

    /** As a restore of a saved object: its flags kept whole (the overquota bit too). */
    void put(String name, long pkts, long bytes, int flags, long quota) {
        Obj o = find(name);
        if (o != null) list.remove(o);
        list.add(new Obj(truncate(name), pkts, bytes, flags, quota));
    }

    /** nfnl_acct_del with a name: 0, -ENOENT, or -EBUSY while a rule holds it (nfnl_acct_try_del). */
    public int del(String name) {
        Obj o = find(name);
        if (o == null) return -ENOENT;
        if (o.referenced()) return -EBUSY;
        list.remove(o);
        return 0;
    }

    /** nfnl_acct_del without a name: every object no rule holds goes. */
    public void flush() {
        list.removeIf(o -> !o.referenced());
    }

    /** nfnl_acct_fill_info under NFNL_MSG_ACCT_GET_CTRZERO: what it reports is taken before the reset. */
    static void reset(Obj o) {
        o.pkts = 0;
        o.bytes = 0;
        if ((o.flags & F_QUOTA) != 0) o.flags &= ~F_OVERQUOTA;
    }

    /** nfnl_acct_update: a packet and its length (skb->len). */
    static void update(Obj o, int len) {
        o.pkts++;
        o.bytes += len;
    }

    /** nfnl_acct_overquota: -1 without a quota, else whether the count is past it (the overquota bit set once it reaches it). */
    static int overquota(Obj o) {
        if ((o.flags & F_QUOTA) == 0) return NO_QUOTA;
        long now = (o.flags & F_QUOTA_PKTS) != 0 ? o.pkts : o.bytes;
        int ret = Long.compareUnsigned(now, o.quota) > 0 ? 1 : 0;
        if (Long.compareUnsigned(now, o.quota) >= 0) o.flags |= F_OVERQUOTA; // nfnl_overquota_report: no listener in jnat
        return ret;
    }

    /**
     * Counts each object's references from one family's rules (the whole ruleset of that family), as
     * xt_nfacct's checkentry takes one per rule: a held object cannot be deleted or flushed.
     */
    public void holdFor(Ruleset rules) {
        java.util.Map<Obj, Integer> refs = new java.util.HashMap<>();
        for (Table t : rules.tables()) {
            for (Chain c : t.chains()) {
                for (Rule r : c.rules()) {
                    for (Match m : r.matches) if (m instanceof NfacctMatch n) refs.merge(n.acct, 1, Integer::sum);
                }
            }
        }
        for (Obj o : list) {
            int n = refs.getOrDefault(o, 0);
            if (rules.ipv6) o.refs6 = n;
            else o.refs4 = n;
        }
    }
}

package jnat.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * -m recent revision 1 (xt_recent.c, libxt_recent.c): per-name lists of recently seen addresses
 * (source or destination, masked), each entry with the last packets' times in jiffies of the
 * engine's clock (HZ 250, as {@link LimitMatch}). The lists are the network namespace's
 * (recent_net): {@link Net#bind} gives each rule its list when a ruleset is set, as
 * recent_mt_check does, so lists outlive a ruleset change that keeps their names, and both
 * families share them by name as the kernel's one list of tables does.
 */
public final class RecentMatch implements Match {
    // XT_RECENT_* check_set bits (xt_recent.h)
    static final int CHECK = 1, SET = 2, UPDATE = 4, REMOVE = 8, TTL = 16, REAP = 32;
    static final int SOURCE = 0, DEST = 1;
    /** XT_RECENT_MAX_NSTAMPS since Linux 5.17 (was 256): --hitcount must stay below it. */
    static final int MAX_NSTAMPS = 65536;
    /** The module parameter ip_list_tot's default: addresses per list. */
    public static final int IP_LIST_TOT = 100;

    final int checkSet, side;
    final boolean invert;
    final long seconds, hitCount;
    final String name;
    /** --mask: IPv4's in maskLo's low 32 bits. */
    final long maskHi, maskLo;
    final boolean ipv6;
    /** The list, bound by {@link Net#bind}. */
    RecentTable table;

    private RecentMatch(Parser p, boolean ipv6) {
        this.checkSet = p.checkSet;
        this.side = p.side;
        this.invert = p.invert;
        this.seconds = p.seconds;
        this.hitCount = p.hitCount;
        this.name = p.name;
        this.maskHi = p.maskHi;
        this.maskLo = p.maskLo;
        this.ipv6 = ipv6;
    }

    @Override
    public String name() {
        return "recent";
    }

    /** recent_mt_check's nstamp_mask (ip_pkt_list_tot is 0): the hit count rounded up to a power of two, else 32. */
    int nstampMask() {
        if (hitCount == 0) return 32 - 1;
        int h = (int) hitCount;
        return (h == 1 ? 1 : Integer.highestOneBit(h - 1) << 1) - 1; // roundup_pow_of_two(hit_count) - 1
    }

    /** recent_mt. */
    @Override
    public boolean matches(PacketContext ctx) {
        RecentTable t = table;
        if (t == null) throw new IllegalStateException("recent list " + name + " is not bound: RecentMatch.Net.bind the ruleset first");
        long hi, lo;
        if (ipv6) {
            hi = side == DEST ? ctx.dstAddressHi() : ctx.srcAddressHi();
            lo = side == DEST ? ctx.dstAddressLo() : ctx.srcAddressLo();
        } else {
            hi = 0;
            lo = (side == DEST ? ctx.dstAddress() : ctx.srcAddress()) & 0xFFFFFFFFL;
        }
        int ttl = ctx.ttl();
        // use TTL as seen before forwarding (xt_out(par) && !skb->sk)
        if (!ctx.outInterface().isEmpty() && !ctx.fromLocalSocket()) ttl = ttl + 1 & 0xFF;
        hi &= t.maskHi;
        lo &= t.maskLo;
        long now = ctx.now() / (1_000_000_000L / LimitMatch.HZ);
        boolean ret = invert;
        int e = t.lookup(hi, lo, ipv6, (checkSet & TTL) != 0 ? ttl : 0);
        if (e < 0) {
            if ((checkSet & SET) == 0) return ret;
            t.init(hi, lo, ipv6, ttl, now);
            return !ret;
        }
        if ((checkSet & SET) != 0) {
            ret = !ret;
        } else if ((checkSet & REMOVE) != 0) {
            t.remove(e);
            return !ret;
        } else {
            long time = now - seconds * LimitMatch.HZ;
            int hits = 0;
            for (int i = 0; i < t.nstamps[e]; i++) {
                if (seconds != 0 && time > t.stamp(e, i)) continue;
                if (hitCount == 0 || ++hits >= hitCount) {
                    ret = !ret;
                    break;
                }
            }
            // seconds is non-zero with --reap; the entry about to be updated is not reaped
            if ((checkSet & REAP) != 0) t.reap(time, e, (checkSet & UPDATE) != 0 && ret);
        }
        if ((checkSet & SET) != 0 || (checkSet & UPDATE) != 0 && ret) {
            t.update(e, now);
            t.ttl[e] = ttl;
        }
        return ret;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if (invert) out.append(" !");
        out.append(" recent:");
        if ((checkSet & SET) != 0) out.append(" SET");
        if ((checkSet & CHECK) != 0) out.append(" CHECK");
        if ((checkSet & UPDATE) != 0) out.append(" UPDATE");
        if ((checkSet & REMOVE) != 0) out.append(" REMOVE");
        if (seconds != 0) out.append(" seconds: ").append((int) seconds); // printf's %d of a u32
        if ((checkSet & REAP) != 0) out.append(" reap");
        if (hitCount != 0) out.append(" hit_count: ").append((int) hitCount);
        if ((checkSet & TTL) != 0) out.append(" TTL-Match");
        out.append(" name: ").append(name);
        out.append(side == SOURCE ? " side: source" : " side: dest");
        out.append(" mask: ").append(mask());
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        if ((checkSet & SET) != 0) out.append(" --set");
        if ((checkSet & CHECK) != 0) out.append(" --rcheck");
        if ((checkSet & UPDATE) != 0) out.append(" --update");
        if ((checkSet & REMOVE) != 0) out.append(" --remove");
        if (seconds != 0) out.append(" --seconds ").append((int) seconds);
        if ((checkSet & REAP) != 0) out.append(" --reap");
        if (hitCount != 0) out.append(" --hitcount ").append((int) hitCount);
        if ((checkSet & TTL) != 0) out.append(" --rttl");
        out.append(" --name ").append(name);
        out.append(" --mask ").append(mask());
        out.append(side == SOURCE ? " --rsource" : " --rdest");
    }

    private String mask() {
        return ipv6 ? Inet6.format(maskHi, maskLo) : Inet.format((int) maskLo);
    }

    /**
     * struct recent_table: up to {@link #IP_LIST_TOT} entries in fixed arrays, an LRU list through
     * them (the head the oldest), each entry's ring of nstamps_max_mask + 1 times in jiffies.
     * Lookups scan the entries in use, which gives the kernel's answer (one entry per address:
     * --set looks up with TTL 0, so an address is never entered twice).
     */
    static final class RecentTable {
        final String name;
        final long maskHi, maskLo;
        int nstampsMaxMask;
        final long[] addrHi = new long[IP_LIST_TOT], addrLo = new long[IP_LIST_TOT];
        final boolean[] family6 = new boolean[IP_LIST_TOT], used = new boolean[IP_LIST_TOT];
        final int[] ttl = new int[IP_LIST_TOT], index = new int[IP_LIST_TOT], nstamps = new int[IP_LIST_TOT];
        /** The LRU list (lru_list): prev and next entry, -1 at the ends. */
        private final int[] prev = new int[IP_LIST_TOT], next = new int[IP_LIST_TOT];
        private int head = -1, tail = -1;
        int entries;
        /** Each entry's ring, allocated with the entry as recent_entry_init's kmalloc (kept for the slot's next entry). */
        private final long[][] stamps = new long[IP_LIST_TOT][];
        /** How many rules of each family use the list (refcnt). */
        final int[] refs = new int[2];

        RecentTable(String name, long maskHi, long maskLo, int nstampMask) {
            this.name = name;
            this.maskHi = maskHi;
            this.maskLo = maskLo;
            this.nstampsMaxMask = nstampMask;
        }

        long stamp(int e, int i) {
            return stamps[e][i];
        }

        /** recent_entry_lookup: the address of the family, and the TTL unless either is 0. */
        int lookup(long hi, long lo, boolean v6, int wantTtl) {
            for (int e = 0; e < IP_LIST_TOT; e++) {
                if (used[e] && family6[e] == v6 && addrHi[e] == hi && addrLo[e] == lo
                        && (wantTtl == ttl[e] || wantTtl == 0 || ttl[e] == 0)) {
                    return e;
                }
            }
            return -1;
        }

        /** recent_entry_init: a full list forgets its least recently updated entry first. */
        int init(long hi, long lo, boolean v6, int t, long now) {
            if (entries >= IP_LIST_TOT) remove(head);
            int e = 0;
            while (used[e]) e++;
            used[e] = true;
            addrHi[e] = hi;
            addrLo[e] = lo;
            family6[e] = v6;
            ttl[e] = t;
            if (stamps[e] == null || stamps[e].length != nstampsMaxMask + 1) stamps[e] = new long[nstampsMaxMask + 1];
            stamps[e][0] = now;
            nstamps[e] = 1;
            index[e] = 1;
            linkTail(e);
            entries++;
            return e;
        }

        /** recent_entry_update: the next slot of the ring, and to the LRU list's tail. */
        void update(int e, long now) {
            int i = index[e] & nstampsMaxMask;
            stamps[e][i] = now;
            index[e] = i + 1;
            if (index[e] > nstamps[e]) nstamps[e] = index[e];
            unlink(e);
            linkTail(e);
        }

        /** recent_entry_reap: the oldest entry goes when its newest time is before {@code time}. */
        void reap(long time, int working, boolean update) {
            int e = head;
            if (e < 0 || e == working && update) return;
            if (time > stamp(e, index[e] - 1)) remove(e);
        }

        void remove(int e) {
            unlink(e);
            used[e] = false;
            entries--;
        }

        /** recent_table_flush. */
        void flush() {
            for (int e = 0; e < IP_LIST_TOT; e++) if (used[e]) remove(e);
        }

        private void linkTail(int e) {
            prev[e] = tail;
            next[e] = -1;
            if (tail >= 0) next[tail] = e;
            else head = e;
            tail = e;
        }

        private void unlink(int e) {
            if (prev[e] >= 0) next[prev[e]] = next[e];
            else head = next[e];
            if (next[e] >= 0) prev[next[e]] = prev[e];
            else tail = prev[e];
        }

        /**
         * What /proc/net/xt_recent/NAME shows (recent_seq_show), one line per entry, oldest first
         * (the kernel walks its hash buckets, whose order depends on a random seed).
         */
        String show() {
            StringBuilder out = new StringBuilder();
            for (int e = head; e >= 0; e = next[e]) {
                int i = index[e] - 1 & nstampsMaxMask;
                out.append("src=").append(family6[e] ? Inet6.format(addrHi[e], addrLo[e]) : Inet.format((int) addrLo[e]))
                        .append(" ttl: ").append(ttl[e]).append(" last_seen: ").append(stamp(e, i))
                        .append(" oldest_pkt: ").append(index[e]);
                for (int k = 0; k < nstamps[e]; k++) out.append(k > 0 ? "," : "").append(' ').append(stamp(e, k));
                out.append('\n');
            }
            return out.toString();
        }
    }

    /**
     * The namespace's lists (struct recent_net), shared by its iptables and ip6tables rulesets.
     * {@link #bind} is recent_mt_check for every rule of a ruleset being set (a list is created by
     * the first rule naming it, with that rule's --mask; a rule needing a longer ring of times
     * flushes it) and recent_mt_destroy for the rules it replaces (a list no rule names any more
     * is gone).
     */
    public static final class Net {
        private final Map<String, RecentTable> tables = new HashMap<>();

        /** Binds every -m recent of {@code rules} to its list; the family's previous rules let go of theirs. */
        public void bind(Ruleset rules) {
            int fam = rules.ipv6 ? 1 : 0;
            List<RecentMatch> matches = new ArrayList<>();
            for (Table t : rules.tables()) {
                for (Chain c : t.chains()) {
                    for (Rule r : c.rules()) {
                        for (Match m : r.matches) if (m instanceof RecentMatch rm) matches.add(rm);
                    }
                }
            }
            Map<String, Integer> refs = new HashMap<>();
            for (RecentMatch m : matches) {
                RecentTable t = tables.get(m.name);
                int mask = m.nstampMask();
                if (t == null) {
                    t = new RecentTable(m.name, m.maskHi, m.maskLo, mask);
                    tables.put(m.name, t);
                } else if (mask > t.nstampsMaxMask) {
                    t.flush();
                    t.nstampsMaxMask = mask;
                }
                m.table = t;
                refs.merge(m.name, 1, Integer::sum);
            }
            tables.values().removeIf(t -> {
                t.refs[fam] = refs.getOrDefault(t.name, 0);
                return t.refs[0] + t.refs[1] == 0;
            });
        }

        /** The list's /proc/net/xt_recent/NAME text, or null when no rule names it. */
        public String show(String name) {
            RecentTable t = tables.get(name);
            return t == null ? null : t.show();
        }

        /** The names of the lists, as ls /proc/net/xt_recent lists them. */
        public java.util.Set<String> names() {
            return new java.util.TreeSet<>(tables.keySet());
        }
    }

    static final class Parser extends ModuleParser {
        private static final int O_SET = 0, O_RCHECK = 1, O_UPDATE = 2, O_REMOVE = 3, O_SECONDS = 4, O_REAP = 5,
                O_HITCOUNT = 6, O_RTTL = 7, O_NAME = 8, O_RSOURCE = 9, O_RDEST = 10, O_MASK = 11;
        private static final int F_ANY_OP = 1 << O_SET | 1 << O_RCHECK | 1 << O_UPDATE | 1 << O_REMOVE;
        private final XtOptions opts = new XtOptions("recent",
                new XtOptions.Entry("set", O_SET, true, F_ANY_OP, 0, false),
                new XtOptions.Entry("rcheck", O_RCHECK, true, F_ANY_OP, 0, false),
                new XtOptions.Entry("update", O_UPDATE, true, F_ANY_OP, 0, false),
                new XtOptions.Entry("remove", O_REMOVE, true, F_ANY_OP, 0, false),
                XtOptions.entry("seconds", O_SECONDS),
                new XtOptions.Entry("reap", O_REAP, false, 0, 1 << O_SECONDS, false),
                XtOptions.entry("hitcount", O_HITCOUNT),
                new XtOptions.Entry("rttl", O_RTTL, false, 1 << O_SET | 1 << O_REMOVE, 0, false),
                XtOptions.entry("name", O_NAME),
                XtOptions.entry("rsource", O_RSOURCE),
                XtOptions.entry("rdest", O_RDEST),
                XtOptions.entry("mask", O_MASK));
        int checkSet, side = SOURCE;
        boolean invert;
        long seconds, hitCount;
        String name = "DEFAULT";
        long maskHi = -1, maskLo = -1;

        @Override
        boolean option(String opt, boolean inv, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = e.id() == O_SECONDS || e.id() == O_HITCOUNT || e.id() == O_NAME || e.id() == O_MASK ? args.value(opt) : null;
            opts.parse(e, inv);
            switch (e.id()) {
                case O_SET, O_RCHECK, O_UPDATE, O_REMOVE -> {
                    checkSet |= new int[] {SET, CHECK, UPDATE, REMOVE}[e.id()];
                    if (inv) invert = true;
                }
                case O_SECONDS -> {
                    seconds = strtoul(v, 0xFFFFFFFFL);
                    if (seconds < 1) {
                        throw new RuleError("recent: bad value for option \"--seconds\", or out of range (1-4294967295).");
                    }
                }
                case O_REAP -> checkSet |= REAP;
                case O_HITCOUNT -> hitCount = number("recent", "--hitcount", v, 0xFFFFFFFFL);
                case O_RTTL -> checkSet |= TTL;
                case O_NAME -> name = v.length() > 199 ? v.substring(0, 199) : v; // XT_RECENT_NAME_LEN less the NUL
                case O_RSOURCE -> side = SOURCE;
                case O_RDEST -> side = DEST;
                case O_MASK -> {
                    if (spec.ipv6) {
                        long[] a = Inet6.tryParse(v);
                        if (a == null) throw new RuleError("getaddrinfo: " + (v.matches("[0-9.]+") ? "Address family for hostname not supported" : "Name or service not known"));
                        maskHi = a[0];
                        maskLo = a[1];
                    } else {
                        if (v.contains(":")) throw new RuleError("getaddrinfo: Address family for hostname not supported");
                        maskHi = -1;
                        try {
                            maskLo = Inet.parseAddress(v) & 0xFFFFFFFFL;
                        } catch (RuleError x) {
                            throw new RuleError("getaddrinfo: Name or service not known");
                        }
                    }
                }
                default -> throw new IllegalStateException();
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if ((opts.xflags & F_ANY_OP) == 0) {
                throw new RuleError("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
            }
            opts.fcheck();
            // recent_mt_check's refusals (EINVAL)
            if ((checkSet & (SET | REMOVE)) != 0 && (seconds != 0 || hitCount != 0 || (checkSet & (TTL | REAP)) != 0)) {
                throw kernelRefuses();
            }
            if (hitCount >= MAX_NSTAMPS || name.isEmpty()) throw kernelRefuses();
            if (!spec.ipv6) maskHi = -1;
            return new RecentMatch(this, spec.ipv6);
        }
    }
}

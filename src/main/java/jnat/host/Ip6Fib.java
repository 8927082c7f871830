package jnat.host;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The IPv6 FIB (ip6_fib.c): the routes of every table, their insertion rules (fib6_add_rt2node),
 * the lookup of one table (fib6_table_lookup with rt6_select and backtracking) and the dump order.
 * The kernel's radix tree is replaced by arrays sorted in the tree's orders, which give its answers.
 */
final class Ip6Fib {
    /** Lookup order: table, longest prefix first; one node's routes by metric, then the order they were added. */
    private static final Comparator<Route6> LOOKUP_ORDER = Comparator
            .comparingInt(Route6::table)
            .thenComparingInt(r -> -r.prefixLength())
            .thenComparing(Ip6Fib::compareDst)
            .thenComparingLong(r -> Integer.toUnsignedLong(r.metric()))
            .thenComparingLong(r -> r.seq);

    /**
     * Dump order (fib6_walk is post-order: left child, right child, node): two prefixes that differ in
     * their common bits go in address order, a prefix after the longer ones inside it.
     */
    static final Comparator<Route6> DUMP_ORDER = Comparator
            .comparingInt((Route6 r) -> r.table() & 0xff) // fib_table_hash's buckets
            .thenComparingInt(Route6::table)
            .thenComparing(Ip6Fib::compareTreeOrder)
            .thenComparingLong(r -> Integer.toUnsignedLong(r.metric()))
            .thenComparingLong(r -> r.seq);

    private final List<Route6> routes = new ArrayList<>();
    private final FibRules rules;

    Ip6Fib(FibRules rules) {
        this.rules = rules;
    }

    boolean rulesCustom() {
        return rules.custom();
    }

    private Route6[] lookupOrder = new Route6[0];
    private long seq;

    private static int compareDst(Route6 a, Route6 b) {
        int c = Long.compareUnsigned(a.dstHi(), b.dstHi());
        return c != 0 ? c : Long.compareUnsigned(a.dstLo(), b.dstLo());
    }

    private static int compareTreeOrder(Route6 a, Route6 b) {
        int common = Math.min(a.prefixLength(), b.prefixLength());
        if (Inet6.commonPrefix(a.dstHi(), a.dstLo(), b.dstHi(), b.dstLo()) < common) return compareDst(a, b);
        return Integer.compare(b.prefixLength(), a.prefixLength());
    }

    List<Route6> dump() {
        List<Route6> all = new ArrayList<>(routes);
        all.sort(DUMP_ORDER);
        return all;
    }

    /** The first route of the same node and metric, or null. */
    Route6 sameKey(Route6 r) {
        for (Route6 e : lookupOrder) if (e.sameNode(r) && e.metric() == r.metric()) return e;
        return null;
    }

    boolean hasDuplicate(Route6 r) {
        for (Route6 e : lookupOrder) if (e.sameAs(r)) return true;
        return false;
    }

    /** Appends after the routes of the same node and no greater metric. */
    void insert(Route6 r) {
        r.seq = seq++;
        routes.add(r);
        rebuild();
    }

    /** NLM_F_REPLACE: {@code r} takes the place of {@code old}. */
    void replace(Route6 old, Route6 r) {
        routes.remove(old);
        r.seq = old.seq;
        routes.add(r);
        rebuild();
    }

    /** A route the kernel adds itself (no NLM_F_EXCL): an exact duplicate is silently not added. */
    void addKernel(Route6 r) {
        if (!hasDuplicate(r)) insert(r);
    }

    void removeIf(Predicate<Route6> p) {
        if (routes.removeIf(p)) rebuild();
    }

    private void rebuild() {
        Route6[] a = routes.toArray(new Route6[0]);
        Arrays.sort(a, LOOKUP_ORDER);
        lookupOrder = a;
    }

    /**
     * fib6_table_lookup: the longest prefix of {@code table} covering hi:lo whose node has a usable
     * route, else the next shorter one (fib6_backtrack). In a node rt6_select takes the lowest metric
     * group first and in it prefers a route through {@code oif}; with {@code strict}
     * (RT6_LOOKUP_F_IFACE) a route through another device is no match at all.
     */
    Route6 tableLookup(int table, long hi, long lo, Interface oif, boolean strict) {
        Route6[] a = lookupOrder;
        int n = a.length;
        int i = 0;
        while (i < n) {
            Route6 r = a[i];
            if (r.table() != table || !r.covers(hi, lo)) {
                i++;
                continue;
            }
            int end = i + 1;
            while (end < n && a[end].sameNode(r)) end++;
            for (int k = i; k < end; ) {
                int groupEnd = k + 1;
                while (groupEnd < end && a[groupEnd].metric() == a[k].metric()) groupEnd++;
                Route6 pick = null;
                for (int x = k; x < groupEnd; x++) {
                    if (oif == null || a[x].device() == oif) return a[x];
                    if (!strict && pick == null) pick = a[x];
                }
                if (pick != null) return pick;
                k = groupEnd;
            }
            i = end;
        }
        return null;
    }

    /**
     * fib6_lookup through the default rules (local, then main): a table without a match, or whose
     * match is a throw route, passes the lookup on (fib6_rule_action's -EAGAIN).
     */
    Route6 lookup(long hi, long lo, Interface oif, boolean strict) {
        if (rules.custom()) return lookup(hi, lo, 0, 0, 0, null, oif, strict);
        Route6 r = tableLookup(Route.TABLE_LOCAL, hi, lo, oif, strict);
        if (r != null && r.type() != RouteType.THROW) return r;
        r = tableLookup(Route.TABLE_MAIN, hi, lo, oif, strict);
        return r == null || r.type() == RouteType.THROW ? null : r;
    }

    /** What a blackhole or prohibit rule answers (fib6_rule_action's blk_hole_entry and prohibit_entry). */
    private static final Route6 RULE_BLACKHOLE = new Route6(0, RouteType.BLACKHOLE, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, false);
    private static final Route6 RULE_PROHIBIT = new Route6(0, RouteType.PROHIBIT, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, false);

    /**
     * fib6_lookup through the rules (fib_rules_lookup with fib6_rule_match and fib6_rule_action):
     * the flow's destination, source, mark and iif (lo for the host's own packets) pick the rule;
     * a table without a route, or with a throw route, passes on; {@code oif} and {@code strict} are
     * the table lookups' (rt6_select).
     */
    Route6 lookup(long hi, long lo, long srcHi, long srcLo, int mark, Interface iif, Interface oif, boolean strict) {
        int i = 0, n = rules.size();
        while (i < n) {
            FibRule r = rules.at(i);
            if (!r.matches6(hi, lo, srcHi, srcLo, mark, iif, null)) {
                i++;
                continue;
            }
            switch (r.action) {
                case FibRule.GOTO -> {
                    int j = rules.gotoIndex(i);
                    i = j < 0 ? i + 1 : j;
                }
                case FibRule.TO_TBL -> {
                    Route6 route = tableLookup(r.table, hi, lo, oif, strict);
                    if (route != null && route.type() != RouteType.THROW) return route;
                    i++;
                }
                case FibRule.UNREACHABLE -> {
                    return null; // ip6_null_entry, as no route
                }
                case FibRule.PROHIBIT -> {
                    return RULE_PROHIBIT;
                }
                case FibRule.BLACKHOLE -> {
                    return RULE_BLACKHOLE;
                }
                default -> i++;
            }
        }
        return null;
    }
}

package jnat.host;

import java.util.ArrayList;
import java.util.List;

/**
 * One family's policy routing rules (net/core/fib_rules.c with net/ipv4/fib_rules.c and
 * net/ipv6/fib6_rules.c): the list in priority order, rules of equal priority in the order added;
 * IPv4 starts with 0 local, 32766 main, 32767 default, IPv6 with 0 local and 32766 main
 * (fib4_rules_init, fib6_rules_net_init). They are walked in fib_rules_lookup's order ({@link
 * #lookup4} for IPv4's, Ip6Fib with {@link #at}, {@link #gotoIndex} for IPv6's); while only the
 * defaults are there {@link Host} keeps its direct
 * local-main-default walk (the kernel's fib_has_custom_rules).
 */
public final class FibRules {
    private final int family;
    private final List<FibRule> list = new ArrayList<>();
    private FibRule[] rules;
    /** For each rule, the index a GOTO jumps to (the first rule of its target priority), else -1. */
    private int[] gotoIdx;
    private boolean custom;

    FibRules(int family) {
        this.family = family;
        list.add(FibRule.lookup(family, 0, Route.TABLE_LOCAL));
        list.add(FibRule.lookup(family, 32766, Route.TABLE_MAIN));
        if (family == 4) list.add(FibRule.lookup(family, 32767, Route.TABLE_DEFAULT));
        rebuild();
        custom = false;
    }

    public List<FibRule> rules() {
        return List.copyOf(list);
    }

    /** Whether any rule was added (fib_has_custom_rules): lookups then walk the rules. */
    public boolean custom() {
        return custom;
    }

    int size() {
        return rules.length;
    }

    FibRule at(int i) {
        return rules[i];
    }

    /** The index rule {@code i}'s GOTO jumps to, -1 when unresolved (the rule is then skipped). */
    int gotoIndex(int i) {
        return gotoIdx[i];
    }

    int gotoIndex(FibRule r) {
        for (int i = 0; i < rules.length; i++) if (rules[i] == r) return gotoIdx[i];
        return -1;
    }

    /**
     * fib_nl_newrule: without a priority the rule takes the second rule's less one
     * (fib_default_rule_pref); a duplicate at that priority is "File exists" (ip rule add sends
     * NLM_F_EXCL, rule_exists); a goto
     * must jump forward; the rule goes after every rule of no greater priority.
     */
    void add(FibRule r, boolean priorityGiven) {
        if (!priorityGiven) {
            int p = 0;
            if (list.size() > 1 && list.get(1).priority != 0) p = list.get(1).priority - 1;
            r = r.withPriority(p);
        }
        for (FibRule e : list) {
            if (e.sameAs(r, true)) throw new HostException("RTNETLINK answers: File exists");
        }
        if (r.action == FibRule.GOTO && Integer.compareUnsigned(r.target, r.priority) <= 0) {
            throw new HostException("Error: Backward goto not supported.");
        }
        int at = list.size();
        for (int i = 0; i < list.size(); i++) {
            if (Integer.compareUnsigned(list.get(i).priority, r.priority) > 0) { at = i; break; }
        }
        list.add(at, r);
        custom = true;
        rebuild();
    }

    /** fib_nl_delrule: the first rule with these selectors (and priority, when given). */
    void delete(FibRule r, boolean priorityGiven, boolean selectorsGiven) {
        for (int i = 0; i < list.size(); i++) {
            FibRule e = list.get(i);
            boolean hit = selectorsGiven ? r.deletes(e, priorityGiven) : e.priority == r.priority;
            if (hit) {
                list.remove(i);
                custom = true;
                rebuild();
                return;
            }
        }
        throw new HostException("RTNETLINK answers: No such file or directory");
    }

    private void rebuild() {
        rules = list.toArray(new FibRule[0]);
        gotoIdx = new int[rules.length];
        for (int i = 0; i < rules.length; i++) {
            gotoIdx[i] = -1;
            if (rules[i].action != FibRule.GOTO) continue;
            for (int j = 0; j < rules.length; j++) {
                if (rules[j].priority == rules[i].target) { gotoIdx[i] = j; break; }
            }
        }
    }

    /** ip rule show (ip -6 rule show). */
    public String format(Host host) {
        StringBuilder sb = new StringBuilder();
        for (FibRule r : rules) sb.append(r.format(this, host));
        return sb.toString();
    }

    int family() {
        return family;
    }

    /** A table's longest-prefix lookup (Host's fib_table_lookup), for the rules' TO_TBL action. */
    @FunctionalInterface
    interface Tables4 {
        Route lookup(int table, int dst, int flowScope, Interface oif);
    }

    /** What a blackhole or prohibit rule answers (fib4_rule_action's -EINVAL and -EACCES). */
    private static final Route RULE_BLACKHOLE = new Route(0, RouteType.BLACKHOLE, 0, 0, 0, null, 0, 0, 0, Scope.UNIVERSE, false);
    private static final Route RULE_PROHIBIT = new Route(0, RouteType.PROHIBIT, 0, 0, 0, null, 0, 0, 0, Scope.UNIVERSE, false);

    /**
     * fib_lookup through the rules (fib_rules_lookup): each rule whose selectors match the flow
     * (destination, source, mark, iif; oif for a socket bound to a device) acts: a table's route
     * ends the walk unless none matched or it is a throw route (-EAGAIN), goto jumps forward, nop
     * goes on, blackhole/unreachable/prohibit fail. No rule left: no route (-ESRCH, ENETUNREACH).
     */
    Route lookup4(Tables4 tables, int dst, int src, int mark, Interface iif, Interface oif, int flowScope) {
        FibRules rules = this;
        int i = 0, n = rules.size();
        while (i < n) {
            FibRule r = rules.at(i);
            if (!r.matches4(dst, src, mark, iif, oif)) {
                i++;
                continue;
            }
            switch (r.action) {
                case FibRule.GOTO -> {
                    int j = rules.gotoIndex(i);
                    i = j < 0 ? i + 1 : j;
                }
                case FibRule.TO_TBL -> {
                    Route route = tables.lookup(r.table, dst, flowScope, oif);
                    if (route != null && route.type() != RouteType.THROW) return route;
                    i++;
                }
                case FibRule.UNREACHABLE -> {
                    return null; // -ENETUNREACH, as no route
                }
                case FibRule.PROHIBIT -> {
                    return RULE_PROHIBIT;
                }
                case FibRule.BLACKHOLE -> {
                    return RULE_BLACKHOLE;
                }
                default -> i++; // NOP
            }
        }
        return null;
    }
}

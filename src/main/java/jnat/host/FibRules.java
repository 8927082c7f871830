package jnat.host;

import java.util.ArrayList;
import java.util.List;

/**
 * One family's policy routing rules (net/core/fib_rules.c with net/ipv4/fib_rules.c and
 * net/ipv6/fib6_rules.c): the list in priority order, rules of equal priority in the order added;
 * IPv4 starts with 0 local, 32766 main, 32767 default, IPv6 with 0 local and 32766 main
 * (fib4_rules_init, fib6_rules_net_init). {@link Host} walks them in fib_rules_lookup's order
 * ({@link #at}, {@link #gotoIndex}); while only the defaults are there it keeps its direct
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
}

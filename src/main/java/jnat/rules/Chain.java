package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/** A chain: built-in (a hook, a policy and its counters) or user-defined. */
public final class Chain {
    /** The table holding it: told of every change to the rules, which drops its compiled form. */
    private final Table table;
    String name;
    public final Hook hook;
    String policy;
    public long policyPackets;
    public long policyBytes;
    final RuleList rules = new RuleList();
    private ChainIndex index;
    private long indexVersion = -1;

    /**
     * The rules; every change moves its version, so the chain knows when its index is stale, and
     * tells the table, whose compiled form ({@link XtTableInfo}) it makes stale.
     */
    final class RuleList extends ArrayList<Rule> {
        private long sets;

        @Override
        public Rule set(int i, Rule r) {
            table.changed();
            sets++;
            return super.set(i, r);
        }

        @Override
        public boolean add(Rule r) {
            table.changed();
            return super.add(r);
        }

        @Override
        public void add(int i, Rule r) {
            table.changed();
            super.add(i, r);
        }

        @Override
        public boolean addAll(java.util.Collection<? extends Rule> c) {
            table.changed();
            return super.addAll(c);
        }

        @Override
        public boolean addAll(int i, java.util.Collection<? extends Rule> c) {
            table.changed();
            return super.addAll(i, c);
        }

        @Override
        public Rule remove(int i) {
            table.changed();
            return super.remove(i);
        }

        @Override
        public boolean remove(Object o) {
            table.changed();
            return super.remove(o);
        }

        @Override
        public void clear() {
            table.changed();
            super.clear();
        }

        @Override
        public boolean removeAll(java.util.Collection<?> c) {
            table.changed();
            return super.removeAll(c);
        }

        @Override
        public boolean retainAll(java.util.Collection<?> c) {
            table.changed();
            return super.retainAll(c);
        }

        @Override
        public boolean removeIf(java.util.function.Predicate<? super Rule> p) {
            table.changed();
            return super.removeIf(p);
        }

        @Override
        public void replaceAll(java.util.function.UnaryOperator<Rule> op) {
            table.changed();
            super.replaceAll(op);
        }

        @Override
        public void sort(java.util.Comparator<? super Rule> c) {
            table.changed();
            super.sort(c);
        }

        @Override
        protected void removeRange(int from, int to) {
            table.changed();
            super.removeRange(from, to);
        }

        long version() {
            return (long) modCount << 32 ^ sets;
        }
    }

    /** The lookup index over long runs of port-and-address rules, rebuilt after changes; null if none. */
    ChainIndex index() {
        if (!ChainIndex.enabled || rules.size() < ChainIndex.MIN_RUN) return null;
        long v = rules.version();
        if (v != indexVersion) {
            index = ChainIndex.build(rules);
            indexVersion = v;
        }
        return index;
    }

    Chain(Table table, String name, Hook hook) {
        this.table = table;
        this.name = name;
        this.hook = hook;
        this.policy = hook != null ? "ACCEPT" : null;
    }

    public String name() {
        return name;
    }

    public boolean builtin() {
        return hook != null;
    }

    /** "ACCEPT" or "DROP" for a built-in chain, null for a user chain. */
    public String policy() {
        return policy;
    }

    public int size() {
        return rules.size();
    }

    /** Rule i, its counters up to date. */
    public Rule rule(int i) {
        table.syncCounters();
        return rules.get(i);
    }

    /** The rules, their counters up to date. */
    public List<Rule> rules() {
        table.syncCounters();
        return java.util.Collections.unmodifiableList(rules);
    }
}

package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/** A chain: built-in (a hook, a policy and its counters) or user-defined. */
public final class Chain {
    String name;
    public final Hook hook;
    String policy;
    public long policyPackets;
    public long policyBytes;
    final RuleList rules = new RuleList();
    private ChainIndex index;
    private long indexVersion = -1;

    /** The rules; every change moves its version, so the chain knows when its index is stale. */
    static final class RuleList extends ArrayList<Rule> {
        private long sets;

        @Override
        public Rule set(int i, Rule r) {
            sets++;
            return super.set(i, r);
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

    Chain(String name, Hook hook) {
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

    public Rule rule(int i) {
        return rules.get(i);
    }

    public List<Rule> rules() {
        return java.util.Collections.unmodifiableList(rules);
    }
}

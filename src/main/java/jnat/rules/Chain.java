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
    final List<Rule> rules = new ArrayList<>();

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

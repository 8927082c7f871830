package jnat.nft;

import java.util.ArrayList;
import java.util.List;

/** struct nft_chain, with nft_base_chain's hook, priority, type, policy and devices when it is a base chain. */
final class NftChain {
    final String name;
    long handle;
    String type; // filter, nat, route; null: not a base chain
    String hook;
    int priority;
    int policy = 1; // NF_ACCEPT
    List<String> devices = List.of();
    String comment;
    final List<NftRule> rules = new ArrayList<>();

    NftChain(String name) {
        this.name = name;
    }

    boolean isBase() {
        return type != null;
    }

    NftRule rule(long h) {
        for (NftRule r : rules) if (r.handle == h) return r;
        return null;
    }

    NftChain copy() {
        NftChain c = new NftChain(name);
        c.handle = handle;
        c.type = type;
        c.hook = hook;
        c.priority = priority;
        c.policy = policy;
        c.devices = devices;
        c.comment = comment;
        for (NftRule r : rules) c.rules.add(r.copy());
        return c;
    }
}

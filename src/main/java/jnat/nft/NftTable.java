package jnat.nft;

import java.util.ArrayList;
import java.util.List;

/** struct nft_table: its chains and sets in creation order, and the handle generator they share (hgenerator). */
final class NftTable {
    final int family;
    final String name;
    long handle;
    long hgenerator;
    int flags; // NFT_TABLE_F_DORMANT 1
    String comment;
    final List<NftChain> chains = new ArrayList<>();
    final List<NftSet> sets = new ArrayList<>();
    int anonSets; // the next __set%d / __map%d number

    NftTable(int family, String name) {
        this.family = family;
        this.name = name;
    }

    long nextHandle() {
        return ++hgenerator;
    }

    /** The chains by name (nf_tables' chain hash table), built at the first lookup after a change ({@link #chainsChanged}). */
    private java.util.HashMap<String, NftChain> chainIndex;

    NftChain chain(String n) {
        java.util.HashMap<String, NftChain> idx = chainIndex;
        if (idx == null) {
            idx = new java.util.HashMap<>();
            for (NftChain c : chains) idx.putIfAbsent(c.name, c);
            chainIndex = idx;
        }
        return idx.get(n);
    }

    /** A chain was appended to {@link #chains}: the index takes it (a chain of a name already there does not shadow it). */
    void chainAdded(NftChain c) {
        if (chainIndex != null) chainIndex.putIfAbsent(c.name, c);
    }

    /** A chain left {@link #chains}: the next lookup rebuilds the index. */
    void chainsChanged() {
        chainIndex = null;
    }

    NftSet set(String n) {
        for (NftSet s : sets) if (s.name.equals(n)) return s;
        return null;
    }

    NftTable copy() {
        NftTable t = new NftTable(family, name);
        t.handle = handle;
        t.hgenerator = hgenerator;
        t.flags = flags;
        t.comment = comment;
        t.anonSets = anonSets;
        for (NftChain c : chains) t.chains.add(c.copy());
        for (NftSet s : sets) t.sets.add(s.copy());
        return t;
    }
}

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

    /**
     * The numbers of the table's __map%d and __set%d sets (nf_tables_set_alloc_name's bitmap), kept
     * as sets are appended and rebuilt when one left: loading thousands of rules with anonymous maps
     * then costs a pass over the new sets, not over all of them per map.
     */
    private java.util.BitSet anonMapNumbers, anonSetNumbers;
    private int anonScanned;
    private NftSet anonLast;

    java.util.BitSet anonymousNumbers(boolean maps) {
        int n = sets.size();
        if (anonMapNumbers == null || n < anonScanned || anonScanned > 0 && sets.get(anonScanned - 1) != anonLast) {
            anonMapNumbers = new java.util.BitSet();
            anonSetNumbers = new java.util.BitSet();
            anonScanned = 0;
        }
        for (int i = anonScanned; i < n; i++) {
            String name = sets.get(i).name;
            markAnonymous(anonMapNumbers, "__map", name);
            markAnonymous(anonSetNumbers, "__set", name);
        }
        anonScanned = n;
        anonLast = n > 0 ? sets.get(n - 1) : null;
        return maps ? anonMapNumbers : anonSetNumbers;
    }

    /** Marks the number of a set named prefix + a decimal number (no leading zero). */
    static void markAnonymous(java.util.BitSet used, String prefix, String name) {
        int len = name.length(), p = prefix.length();
        if (len <= p || len > p + 9 || !name.startsWith(prefix) || (name.charAt(p) == '0' && len > p + 1)) return;
        int n = 0;
        for (int i = p; i < len; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return;
            n = n * 10 + (c - '0');
        }
        used.set(n);
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

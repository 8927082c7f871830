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

    NftChain chain(String n) {
        for (NftChain c : chains) if (c.name.equals(n)) return c;
        return null;
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

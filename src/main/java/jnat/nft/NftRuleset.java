package jnat.nft;

import java.util.ArrayList;
import java.util.List;

/**
 * One network namespace's nf_tables state (struct nftables_pernet): its tables in the order they were
 * added and the table handle counter, which moves on and is never reset (not even by flush ruleset), as
 * nf_tables_newtable's is.
 */
public final class NftRuleset {
    final List<NftTable> tables = new ArrayList<>();
    long tableHandle;

    NftTable table(int family, String name) {
        for (NftTable t : tables) if (t.family == family && t.name.equals(name)) return t;
        return null;
    }

    /**
     * A deep copy of the tables, chains, sets and rules, sharing the rules' expressions (their counters,
     * limits and quotas count on): a transaction works on one and replaces the original only when every
     * command passed, and a running gateway swaps one in whole.
     */
    public NftRuleset copy() {
        NftRuleset r = new NftRuleset();
        r.tableHandle = tableHandle;
        for (NftTable t : tables) r.tables.add(t.copy());
        return r;
    }

    void replaceWith(NftRuleset o) {
        tables.clear();
        tables.addAll(o.tables);
        tableHandle = o.tableHandle;
    }

    public boolean isEmpty() {
        return tables.isEmpty();
    }

    /** NFPROTO_* of a family name, or -1. */
    static int family(String name) {
        return switch (name) {
            case "ip" -> 2;
            case "ip6" -> 10;
            case "inet" -> 1;
            case "arp" -> 3;
            case "bridge" -> 7;
            case "netdev" -> 5;
            default -> -1;
        };
    }

    static String familyName(int f) {
        return switch (f) {
            case 2 -> "ip";
            case 10 -> "ip6";
            case 1 -> "inet";
            case 3 -> "arp";
            case 7 -> "bridge";
            case 5 -> "netdev";
            default -> "unknown";
        };
    }
}

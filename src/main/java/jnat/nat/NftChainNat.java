package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.nft.NfTablesCore;
import jnat.nft.NfTablesCore.BaseChain;
import jnat.rules.Hook;
import jnat.rules.NatRange;
import jnat.rules.NatTarget;
import jnat.rules.PacketContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * nft_chain_nat.c: nf_tables chains of type nat are not hook entries of their own but entries of the
 * NAT hook's lookup list (nf_nat_register_fn), beside iptables' nat table (at NF_IP_PRI_NAT_DST -100
 * and NF_IP_PRI_NAT_SRC 100), ordered by priority. nf_nat_inet_fn walks them for a connection's first
 * packet until one binds it; a NAT statement (nft_nat.c, nft_masq.c, nft_redir.c) binds it through
 * {@link NatHook}'s targets, as xt_nat does.
 */
final class NftChainNat implements NfTablesCore.NatStatement {
    /** A lookup entry: an nft nat chain, or (chain null) iptables' nat table. */
    private record Entry(int priority, BaseChain chain) {
    }

    private final NatHook nat;
    private final ConnTable table;
    private final NetStats stats;
    private final Entry[][] ipv4 = new Entry[Hook.values().length][], ipv6 = new Entry[Hook.values().length][];
    /** The hook whose chain is running (nf_nat_redirect_ipv4 asks it) and whether a statement dropped. */
    private Hook hook;
    private boolean statementDropped;

    NftChainNat(List<BaseChain> chains, NatHook nat, ConnTable table, NetStats stats) {
        this.nat = nat;
        this.table = table;
        this.stats = stats;
        for (Hook h : Hook.values()) {
            if (h == Hook.FORWARD) continue;
            int iptables = h == Hook.PREROUTING || h == Hook.OUTPUT ? -100 : 100;
            for (boolean v6 : new boolean[] {false, true}) {
                List<Entry> entries = new ArrayList<>(List.of(new Entry(iptables, null)));
                for (BaseChain c : chains)
                    if (c.type().equals("nat") && c.hook().equals(h.name().toLowerCase(Locale.ROOT)) && (v6 ? c.ipv6() : c.ipv4()))
                        entries.add(new Entry(c.priority(), c));
                entries.sort(Comparator.comparingInt(Entry::priority));
                (v6 ? ipv6 : ipv4)[h.ordinal()] = entries.toArray(Entry[]::new);
            }
        }
        for (BaseChain c : chains) if (c.type().equals("nat")) c.core().setNat(this);
    }

    /** True when the ruleset has nat chains. */
    static boolean any(List<BaseChain> chains) {
        return chains.stream().anyMatch(c -> c.type().equals("nat"));
    }

    /**
     * nf_nat_inet_fn's loop over the lookup entries for a new connection: false when the packet was
     * dropped; stops at the first entry after which the manipulation is done.
     */
    boolean lookup(PacketState p, Hook hook, int manip) {
        for (Entry e : (p.ipv6 ? ipv6 : ipv4)[hook.ordinal()]) {
            if (e.chain == null) {
                if (!nat.iptablesNat(p, hook)) return false;
            } else {
                this.hook = hook;
                statementDropped = false;
                if (e.chain.core().doChain(e.chain.chain(), p) != NfTablesCore.NF_ACCEPT) {
                    if (!statementDropped) stats.drop(p, DropReason.NAT_DROP); // a statement's drop is counted by it
                    return false;
                }
            }
            if (NatCore.initialized(table.status(p.ct.id), manip)) break;
        }
        return true;
    }

    /** A NAT statement's range to the target of the same kind (nf_nat_setup_info and its helpers). */
    @Override
    public int nat(PacketContext ctx, NatTarget.Kind kind, NatRange range) {
        if (nat.statement((PacketState) ctx, kind, range, hook)) return NfTablesCore.NF_ACCEPT;
        statementDropped = true;
        return NfTablesCore.NF_DROP;
    }
}

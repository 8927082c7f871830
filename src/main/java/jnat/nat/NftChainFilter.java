package jnat.nat;

import jnat.nft.NfTablesCore;
import jnat.nft.NfTablesCore.BaseChain;
import jnat.rules.Hook;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * nft_chain_filter.c's nft_do_chain_ipv4/_ipv6/_inet at the engine's hooks: an nf_tables base chain of
 * type filter is one more entry of its hook, placed by its numeric priority among the functions the
 * iptables tables, conntrack and NAT register (nf_hook_entries_grow: a new entry goes after the entries
 * of equal priority, so at a tie the iptables table, registered first, runs first). Built only when the
 * nft ruleset has filter chains: a hook without them keeps {@link NfHooks}' written-out sequence.
 */
final class NftChainFilter {
    /** A hook's function (struct nf_hook_entry): false when it dropped (or stole) the packet. */
    @FunctionalInterface
    interface Entry {
        boolean run(PacketState p);
    }

    /** An entry and the priority it was registered with. */
    record Slot(int priority, Entry fn) {
    }

    /** Per family, per hook (Hook's ordinal): the entries in the order nf_hook_slow runs them. */
    private final Entry[][] ipv4 = new Entry[Hook.values().length][], ipv6 = new Entry[Hook.values().length][];
    /** Per family, per hook: whether some nft filter chain is registered there. */
    private final boolean[] has4 = new boolean[Hook.values().length], has6 = new boolean[Hook.values().length];

    /**
     * @param fixed the engine's own entries of a hook for a family (iptables tables, conntrack, NAT,
     *              confirm) with their NF_IP_PRI_* priorities
     */
    NftChainFilter(List<BaseChain> chains, java.util.function.BiFunction<Boolean, Hook, List<Slot>> fixed, NetStats stats) {
        for (Hook hook : Hook.values()) {
            for (boolean v6 : new boolean[] {false, true}) {
                List<Slot> slots = new ArrayList<>(fixed.apply(v6, hook));
                for (BaseChain c : chains) {
                    if (!c.type().equals("filter") || !c.hook().equals(hook.name().toLowerCase(Locale.ROOT))) continue;
                    if (!(v6 ? c.ipv6() : c.ipv4())) continue;
                    (v6 ? has6 : has4)[hook.ordinal()] = true;
                    slots.add(new Slot(c.priority(), p -> {
                        if (c.core().doChain(c.chain(), p) == NfTablesCore.NF_ACCEPT) return true;
                        stats.drop(p, DropReason.NFT_DROP);
                        return false;
                    }));
                }
                slots.sort(Comparator.comparingInt(Slot::priority)); // stable: ties keep registration order
                (v6 ? ipv6 : ipv4)[hook.ordinal()] = slots.stream().map(Slot::fn).toArray(Entry[]::new);
            }
        }
    }

    /** True when some filter chain of the ruleset is registered (else the hooks need no walk of ours). */
    static boolean any(List<BaseChain> chains) {
        return chains.stream().anyMatch(c -> c.type().equals("filter"));
    }

    /**
     * Whether a filter chain of the family is registered at the hook; where none is, the hook's
     * entries are the engine's own, and {@link NfHooks} runs its written-out sequence of them.
     */
    boolean registered(boolean v6, Hook hook) {
        return (v6 ? has6 : has4)[hook.ordinal()];
    }

    /** nf_hook_slow over one hook's entries: the first that does not accept ends the walk. */
    boolean run(PacketState p, Hook hook) {
        for (Entry e : (p.ipv6 ? ipv6 : ipv4)[hook.ordinal()]) if (!e.run(p)) return false;
        return true;
    }
}

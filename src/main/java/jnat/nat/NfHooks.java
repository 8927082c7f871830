package jnat.nat;

import jnat.rules.Hook;
import jnat.rules.NptTarget;
import jnat.rules.RejectTarget;
import jnat.rules.Ruleset;
import jnat.rules.Table;
import jnat.rules.Target;

import java.util.random.RandomGenerator;

/**
 * The functions registered at each hook, in the kernel's priority order (NF_IP_PRI_*, NF_IP6_PRI_*:
 * raw -300, conntrack -200, mangle -150, nat DST -100, filter 0, security 50, nat SRC 100,
 * confirm last), each sequence written once, as nf_hook_slow runs a hook's entries. A table the
 * ruleset does not have is skipped, as with its module not loaded; each table is bound to its
 * drop reason once. The sequences know nothing of the address family: a packet walks its
 * family's tables (iptables' or ip6tables', bound side by side), and conntrack and NAT look at the
 * family themselves.
 */
final class NfHooks {
    /**
     * What a target that is its own verdict sends before the packet is dropped: reject_tg's ICMP
     * error or RST, ip6t_NPT's parameter problem.
     */
    interface Reject {
        void reject(PacketState p, Target target);

        /** nft's reject (nft_reject_*_eval): a destination unreachable code of the packet's family, or -1 for a TCP RST. */
        void reject(PacketState p, int icmpCode);
    }

    /** A table at its hooks (iptable_*_hook), with the reason its drops count under. */
    private record BoundTable(Table table, DropReason reason) {
    }

    private final ConntrackHook conntrack;
    private final NatHook nat;
    private final NetStats stats;
    private final Reject reject;
    private final Trace trace;
    /** The nf_tables filter chains and this class's entries, by priority (null: no nft filter chains). */
    private NftChainFilter nft;
    /** One family's tables at the hooks (a table the ruleset lacks is null). */
    private static final class Tables {
        BoundTable raw, mangle, filter, security;
        /** Walked by {@link NatHook} for a connection's first packet only. */
        BoundTable nat;
        /**
         * Conntrack's hooks are registered for the family (nf_ct_netns_get: some rule takes conntrack, of these
         * tables or of an nft ruleset's); without, no packet of the family is tracked and NAT's hooks do nothing.
         */
        boolean conntrack;
        /** A rule's target is SYNPROXY: its hook runs at LOCAL_IN and POST_ROUTING (nf_synproxy_ipv4_init, _ipv6_init). */
        boolean synproxy;

        void bind(Ruleset rules, RandomGenerator random, Trace trace) {
            raw = NfHooks.bind(rules.existing("raw"), DropReason.RAW_DROP, random, trace);
            mangle = NfHooks.bind(rules.existing("mangle"), DropReason.MANGLE_DROP, random, trace);
            filter = NfHooks.bind(rules.existing("filter"), DropReason.FILTER_DROP, random, trace);
            security = NfHooks.bind(rules.existing("security"), DropReason.SECURITY_DROP, random, trace);
            nat = NfHooks.bind(rules.existing("nat"), DropReason.NAT_DROP, random, trace);
            conntrack = rules.usesConntrack();
            synproxy = rules.hasSynproxy();
        }

        Table natTable() {
            return nat == null ? null : nat.table;
        }

        void setTracer(Trace trace) {
            for (BoundTable b : new BoundTable[] {raw, mangle, nat, filter, security}) {
                if (b != null) b.table.setTracer(trace.tableTracer());
            }
        }
    }

    /** The xt modules' state of the namespace (recent's lists), shared by both families' rulesets. */
    final jnat.rules.XtNet xtNet;

    /** iptables' tables and ip6tables' (empty until an IPv6 ruleset is set: every hook accepts); a lane shares its engine's. */
    private final Tables ipv4, ipv6;

    /** The engine's SYNPROXY (bound late: it sends through the output path). */
    private NfSynproxy synproxy;

    void setSynproxy(NfSynproxy synproxy) {
        this.synproxy = synproxy;
    }

    /**
     * ipv4_synproxy_hook, ipv6_synproxy_hook at NF_IP_PRI_CONNTRACK_CONFIRM - 1, while the family's ruleset has the
     * target; {@code dev} is the skb's device (the input device at LOCAL_IN, the output one after).
     * A packet it takes (NF_STOLEN) is not counted as dropped.
     */
    private boolean synproxyHook(PacketState p, jnat.host.Interface dev) {
        if (!tables(p).synproxy) return true;
        int v = synproxy.hook(p, dev);
        if (v == NfSynproxy.NF_DROP) stats.drop(p, DropReason.SYNPROXY_DROP);
        return v == NfSynproxy.NF_ACCEPT;
    }

    /** The hooks of an engine ({@code shared} null) or of a lane, which walks the tables and xt state of {@code shared}. */
    NfHooks(ConntrackHook conntrack, NatHook nat, NetStats stats, Reject reject, Trace trace, NfHooks shared) {
        this.xtNet = shared == null ? new jnat.rules.XtNet() : shared.xtNet;
        this.ipv4 = shared == null ? new Tables() : shared.ipv4;
        this.ipv6 = shared == null ? new Tables() : shared.ipv6;
        this.trace = trace;
        this.conntrack = conntrack;
        this.nat = nat;
        this.stats = stats;
        this.reject = reject;
    }

    /** Registers the ruleset's tables for its family (the next packet sees the new ones whole). */
    void setRuleset(Ruleset rules, RandomGenerator random, Trace trace) {
        xtNet.bind(rules);
        Tables t = rules.ipv6 ? ipv6 : ipv4;
        t.bind(rules, random, trace);
        tablesChanged();
    }

    /** NAT looks up the nat tables bound now (a lane's after its engine bound them). */
    void tablesChanged() {
        nat.setTables(ipv4.natTable(), ipv6.natTable());
        if (nftChains != null) buildNftFilter(); // its entry lists hold the tables bound now
    }

    /** The nft ruleset's base chains (null: none), kept to rebuild the entry lists when the tables change. */
    private java.util.List<jnat.nft.NfTablesCore.BaseChain> nftChains;

    private void buildNftFilter() {
        nft = nftChains != null && NftChainFilter.any(nftChains) ? new NftChainFilter(nftChains, this::entries, stats) : null;
    }

    /**
     * Registers an nf_tables ruleset's base chains (already checked: NfTablesCore.refused is empty):
     * filter chains among this class's entries by priority, nat chains in NAT's lookup list; null or
     * none: the iptables sequences alone.
     */
    void setNftRuleset(java.util.List<jnat.nft.NfTablesCore.BaseChain> chains, jnat.conntrack.ConnTable table,
                       boolean conntrack4, boolean conntrack6) {
        nftConntrack4 = conntrack4;
        nftConntrack6 = conntrack6;
        nftChains = chains;
        buildNftFilter();
        if (chains != null) for (jnat.nft.NfTablesCore.BaseChain c : chains) c.core().setReject((ctx, code) -> reject.reject((PacketState) ctx, code));
        nat.setNft(chains != null && NftChainNat.any(chains) ? new NftChainNat(chains, nat, table, stats) : null);
    }

    /** An nft ruleset's expressions take conntrack for IPv4, for IPv6 ({@link jnat.nft.NfTablesCore#usesConntrack}). */
    private boolean nftConntrack4, nftConntrack6;

    /** Whether the packet's family has conntrack's hooks registered (see {@link Tables#conntrack}). */
    private boolean tracking(PacketState p) {
        return (p.ipv6 ? nftConntrack6 : nftConntrack4) || tables(p).conntrack;
    }

    /** nf_conntrack_in at {@code hook}, when the family's conntrack hooks are registered. */
    private boolean conntrackIn(PacketState p, Hook hook) {
        return !tracking(p) || conntrack.in(p, hook);
    }

    /**
     * The entries this class registers at a hook for a family, with their NF_IP_PRI_* priorities: a
     * table's only while the ruleset has it (as its module registers its hooks when loaded), so an
     * absent table costs the walk nothing; rebuilt when the tables change.
     */
    private java.util.List<NftChainFilter.Slot> entries(boolean v6, Hook hook) {
        Tables t = v6 ? ipv6 : ipv4;
        java.util.List<NftChainFilter.Slot> out = new java.util.ArrayList<>();
        BoundTable raw = t.raw, mangle = t.mangle, filter = t.filter, security = t.security;
        boolean output = hook == Hook.OUTPUT, input = hook == Hook.INPUT;
        if (raw != null && (hook == Hook.PREROUTING || output)) out.add(new NftChainFilter.Slot(-300, p -> walk(raw, hook, p)));
        if (hook == Hook.PREROUTING || output) out.add(new NftChainFilter.Slot(-200, p -> conntrackIn(p, hook)));
        if (mangle != null) {
            out.add(new NftChainFilter.Slot(-150, output ? p -> { // ipt_mangle_out: a new route when the mark or addresses moved
                int mark = p.mark;
                return walk(mangle, hook, p) && nat.mangleOutReroute(p, mark);
            } : p -> walk(mangle, hook, p)));
        }
        if (hook == Hook.PREROUTING) out.add(new NftChainFilter.Slot(-100, p -> nat.fn(p, hook, NatCore.MANIP_DST)));
        if (output) out.add(new NftChainFilter.Slot(-100, nat::localFn));
        if (hook != Hook.PREROUTING && hook != Hook.POSTROUTING) {
            if (filter != null) out.add(new NftChainFilter.Slot(0, p -> walk(filter, hook, p)));
            if (security != null) out.add(new NftChainFilter.Slot(50, p -> walk(security, hook, p)));
        }
        if (input || hook == Hook.POSTROUTING) {
            out.add(new NftChainFilter.Slot(100, p -> nat.fn(p, hook, NatCore.MANIP_SRC)));
            if (t.synproxy) out.add(new NftChainFilter.Slot(Integer.MAX_VALUE - 1, input ? p -> synproxyHook(p, p.in) : p -> synproxyHook(p, p.out())));
            out.add(new NftChainFilter.Slot(Integer.MAX_VALUE, input ? p -> conntrack.confirm(p, p.in) : p -> conntrack.confirm(p, p.out())));
        }
        return out;
    }

    /** Tells every table where its walk is reported (null: tracing off). */
    void setTracer(Trace trace) {
        ipv4.setTracer(trace);
        ipv6.setTracer(trace);
    }

    private Tables tables(PacketState p) {
        return p.ipv6 ? ipv6 : ipv4;
    }

    private static BoundTable bind(Table t, DropReason reason, RandomGenerator random, Trace trace) {
        if (t == null) return null;
        t.setRandom(random);
        t.setTracer(trace.tableTracer());
        t.compile();
        return new BoundTable(t, reason);
    }

    /** NF_INET_PRE_ROUTING (after nf_defrag_ipv4): raw, conntrack, mangle, nat DST. */
    boolean preRouting(PacketState p) {
        if (trace.on()) trace.hook(Hook.PREROUTING);
        if (nft != null && nft.registered(p.ipv6, Hook.PREROUTING)) return nft.run(p, Hook.PREROUTING);
        Tables t = tables(p);
        return walk(t.raw, Hook.PREROUTING, p)
                && conntrackIn(p, Hook.PREROUTING)
                && walk(t.mangle, Hook.PREROUTING, p)
                && nat.fn(p, Hook.PREROUTING, NatCore.MANIP_DST);
    }

    /** NF_INET_LOCAL_IN: mangle, filter, security, nat SRC, confirm. */
    boolean localIn(PacketState p) {
        if (trace.on()) trace.hook(Hook.INPUT);
        if (nft != null && nft.registered(p.ipv6, Hook.INPUT)) return nft.run(p, Hook.INPUT);
        Tables t = tables(p);
        return walk(t.mangle, Hook.INPUT, p)
                && walk(t.filter, Hook.INPUT, p)
                && walk(t.security, Hook.INPUT, p)
                && nat.fn(p, Hook.INPUT, NatCore.MANIP_SRC)
                && synproxyHook(p, p.in)
                && conntrack.confirm(p, p.in);
    }

    /** NF_INET_FORWARD: mangle, filter, security, walked by every forwarded packet. */
    boolean forward(PacketState p) {
        if (trace.on()) trace.hook(Hook.FORWARD);
        if (nft != null && nft.registered(p.ipv6, Hook.FORWARD)) return nft.run(p, Hook.FORWARD);
        Tables t = tables(p);
        return walk(t.mangle, Hook.FORWARD, p)
                && walk(t.filter, Hook.FORWARD, p)
                && walk(t.security, Hook.FORWARD, p);
    }

    /** NF_INET_LOCAL_OUT: raw, conntrack, mangle, nat DST (and a new route), filter, security. */
    boolean localOut(PacketState p) {
        if (trace.on()) trace.hook(Hook.OUTPUT);
        if (nft != null && nft.registered(p.ipv6, Hook.OUTPUT)) return nft.run(p, Hook.OUTPUT);
        Tables t = tables(p);
        if (!walk(t.raw, Hook.OUTPUT, p) || !conntrackIn(p, Hook.OUTPUT)) return false;
        int mark = p.mark;
        return walk(t.mangle, Hook.OUTPUT, p)
                && nat.mangleOutReroute(p, mark)
                && nat.localFn(p)
                && walk(t.filter, Hook.OUTPUT, p)
                && walk(t.security, Hook.OUTPUT, p);
    }

    /** NF_INET_POST_ROUTING: mangle, nat SRC, confirm. */
    boolean postRouting(PacketState p) {
        if (trace.on()) trace.hook(Hook.POSTROUTING);
        if (nft != null && nft.registered(p.ipv6, Hook.POSTROUTING)) return nft.run(p, Hook.POSTROUTING);
        return walk(tables(p).mangle, Hook.POSTROUTING, p)
                && nat.fn(p, Hook.POSTROUTING, NatCore.MANIP_SRC)
                && synproxyHook(p, p.out())
                && conntrack.confirm(p, p.out());
    }

    /**
     * ipt_do_table for one table at one hook: an ACCEPT verdict goes on; DROP, a DROP policy, or
     * any other verdict drops the packet with the table's reason (REJECT and a failed SNPT/DNPT answer first).
     */
    private boolean walk(BoundTable t, Hook hook, PacketState p) {
        if (t == null) return true;
        p.hook = hook.ordinal();
        Target verdict = t.table.traverse(hook, p);
        // NF_QUEUE: no listener in jnat, so nf_queue drops it or, with --queue-bypass, lets the hook go on
        if (verdict instanceof jnat.rules.NfqueueTarget q) verdict = q.withoutListener();
        if (verdict instanceof jnat.rules.TproxyTarget tp) verdict = tp.assign(p) ? Target.ACCEPT : Target.DROP;
        if (trace.on()) trace.verdict(hook, t.table, verdict);
        if (verdict == Target.ACCEPT) return true;
        if (verdict instanceof jnat.rules.SynproxyTarget && p.stolen) return false; // NF_STOLEN: taken, not dropped
        if (verdict instanceof RejectTarget || verdict instanceof NptTarget) reject.reject(p, verdict);
        stats.drop(p, t.reason);
        return false;
    }
}

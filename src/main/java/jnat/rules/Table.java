package jnat.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One table (raw, mangle, nat, filter, security): its built-in chains in hook order and its user chains in
 * name order (the order iptables lists them). {@link #traverse} walks it for a packet as
 * ipt_do_table does.
 *
 * <p>Commands change a table that no packet walks; a running engine swaps whole tables. The
 * traversal is allocation-free. As ipt_do_table on one xt_table_info from several CPUs, up to
 * {@link #setCpus} threads walk a table at once, each on its own lane ({@link PacketContext#cpu}):
 * the compiled form has per-lane counters and jump stacks, so a walk writes nothing shared (the
 * matches' and targets' own state aside: {@link #concurrentSafe}). One lane walks one packet at a
 * time, except for the copy -j TEE sends from inside a walk, which walks on the lane's second stack
 * (ipt_do_table's nf_skb_duplicated case). Reading the counters sums the lanes' (get_counters).
 *
 * <p>The compiled form is built eagerly by whoever changes the table: a change (or -Z, or counters
 * given) drops it and the command that made it rebuilds it before it returns ({@link Iptables#run}
 * on a table that was compiled, iptables-restore's COMMIT, {@link #setCpus}), as the kernel's
 * do_replace translates the new table before any CPU walks it. A walk that still finds none (a table changed through no command) builds
 * it under the table's monitor and publishes it through the volatile field, so concurrent walkers
 * build it once and all count into the one built; the counts so far are in the Rule objects then.
 */
public final class Table {
    public final String name;
    /** An ip6tables table (its rules are IPv6 rules). */
    public final boolean ipv6;
    private final List<Chain> builtins = new ArrayList<>();
    private final Map<String, Chain> userChains = new TreeMap<>();
    private RandomGenerator random = new SplittableRandom();
    private Tracer tracer;
    /** The namespace's nf_tables trace ({@link XtNet#trace}), bound by {@link XtNet#bind}; null: none. */
    NfTablesTrace nfTrace;
    private Chain[] stackChain = new Chain[8];
    private int[] stackIndex = new int[8];

    /** Built-in chains by Hook.ordinal(), for the traversal (no iterator on the packet path). */
    private final Chain[] byHook = new Chain[Hook.values().length];

    /** The rules compiled for the walk (the kernel's blob), null until the next walk after a change. */
    private volatile XtTableInfo compiled;
    /** The lanes that may walk the table at once ({@link #setCpus}). */
    private int cpus = 1;

    private Table(String name, boolean ipv6, Hook... hooks) {
        this.name = name;
        this.ipv6 = ipv6;
        for (Hook h : hooks) {
            Chain c = new Chain(this, h.name(), h);
            builtins.add(c);
            byHook[h.ordinal()] = c;
        }
    }

    /** An empty table with its built-in chains, policies ACCEPT; null if the name is unknown. */
    public static Table create(String name) {
        return create(name, false);
    }

    /** As {@link #create(String)}, for iptables ({@code ipv6} false) or ip6tables: the same five tables. */
    public static Table create(String name, boolean ipv6) {
        return switch (name) {
            case "nat" -> new Table(name, ipv6, Hook.PREROUTING, Hook.INPUT, Hook.OUTPUT, Hook.POSTROUTING);
            case "filter" -> new Table(name, ipv6, Hook.INPUT, Hook.FORWARD, Hook.OUTPUT);
            case "mangle" -> new Table(name, ipv6, Hook.PREROUTING, Hook.INPUT, Hook.FORWARD, Hook.OUTPUT, Hook.POSTROUTING);
            case "raw" -> new Table(name, ipv6, Hook.PREROUTING, Hook.OUTPUT);
            case "security" -> new Table(name, ipv6, Hook.INPUT, Hook.FORWARD, Hook.OUTPUT);
            default -> null;
        };
    }

    /**
     * Whether lanes may walk the table at once ({@link #setCpus}): every rule's matches and target
     * are {@link Match#concurrentSafe} (jumps, gotos and RETURN are). The tracer set by
     * {@link #setTracer} is the caller's to judge.
     */
    public boolean concurrentSafe() {
        XtTableInfo x = compiled; // the engine asks per packet: the compiled form's answer, found once when it was built
        return x != null ? x.concurrentSafe : rulesConcurrentSafe();
    }

    /**
     * Whether a packet of an established connection (ctstate ESTABLISHED) may walk the table from
     * {@code hook} on two lanes at once: the whole table is {@link #concurrentSafe}, or no rule whose
     * matches or target are not is reachable for such a packet from there ({@link LaneSafety}).
     */
    public boolean establishedConcurrentSafe(Hook hook) {
        XtTableInfo x = compiled;
        return x != null ? (x.establishedSafe & 1 << hook.ordinal()) != 0 : rulesConcurrentSafe() || LaneSafety.safe(this, hook, true);
    }

    /** The key a batch's touch of the indexed runs takes for a packet ({@link #touchIndexedRuns}). */
    public static long indexKey(int dst, int proto, int dport) {
        return ChainIndex.keyOf(dst, proto, dport);
    }

    /**
     * Starts the walks of a batch's new connections together: their slots in the chain indexes,
     * the rules they lead to and the chains those jump to read ahead (keys from {@link #indexKey},
     * 0: none; {@code at} scratch of {@code n}). Nothing changes; without the compiled form, nothing is read.
     */
    public void touchIndexedRuns(long[] keys, int n, int[] at, int cpu) {
        XtTableInfo x = compiled;
        if (x != null) x.touchIndexedRuns(keys, n, at, cpu);
    }

    /** {@link #concurrentSafe} from the rules themselves. */
    boolean rulesConcurrentSafe() {
        for (Chain c : chainList()) {
            for (Rule r : c.rules) {
                if (r.target != null && !r.target.concurrentSafe()) return false;
                for (Match m : r.matches) if (!m.concurrentSafe()) return false;
            }
        }
        return true;
    }

    /** Built-in chains first (hook order), then user chains by name; their rules' counters up to date. */
    public List<Chain> chains() {
        syncCounters();
        return chainList();
    }

    List<Chain> chainList() {
        List<Chain> all = new ArrayList<>(builtins);
        all.addAll(userChains.values());
        return all;
    }

    /** The chain named so, or null; its rules' counters up to date. */
    public Chain chain(String chainName) {
        syncCounters();
        for (Chain c : builtins) if (c.name.equals(chainName)) return c;
        return userChains.get(chainName);
    }

    /** Copies what the compiled walk counted into the rules, for whoever reads them next. */
    void syncCounters() {
        XtTableInfo x = compiled;
        if (x != null && x.countersMoved()) x.copyCountersOut();
    }

    /** The rules or chains are about to change: the compiled form is dropped, its counts kept in the rules. */
    void changed() {
        if (compiled != null) {
            syncCounters();
            compiled = null;
        }
    }

    /** Rule counters were written (-Z, counters given): the rules hold the truth, the compiled form is dropped. */
    void countersWritten() {
        compiled = null;
    }

    /** translate_table at commit or load: the walk's compiled form built now rather than at the first packet. */
    public synchronized void compile() {
        if (XtTableInfo.enabled && compiled == null) compiled = XtTableInfo.translate(this, cpus);
    }

    /** Whether the compiled form is built (a table loaded, committed or walked, and not changed since). */
    boolean compiled() {
        return compiled != null;
    }

    /**
     * How many lanes ({@link PacketContext#cpu}, 0 to {@code n} - 1) may walk the table at once, each
     * with its own counters and jump stack (xt_table_info's per-CPU counters and jumpstack); 1 unless
     * set. The compiled form is rebuilt for them, the counts so far kept.
     */
    public void setCpus(int n) {
        if (n < 1) throw new IllegalArgumentException("cpus " + n);
        if (n == cpus) return;
        boolean built = compiled != null;
        changed();
        cpus = n;
        if (built) compile();
    }

    /** The lanes that may walk the table at once ({@link #setCpus}). */
    public int cpus() {
        return cpus;
    }

    public Chain builtin(Hook hook) {
        return byHook[hook.ordinal()];
    }

    /** The number of rules that jump or go to {@code c} ("N references"). */
    public int references(Chain c) {
        int n = 0;
        for (Chain k : chains()) for (Rule r : k.rules) if (r.jump == c) n++;
        return n;
    }

    Chain newChain(String chainName) {
        changed();
        Chain c = new Chain(this, chainName, null);
        userChains.put(chainName, c);
        growStack();
        return c;
    }

    void removeChain(Chain c) {
        changed();
        userChains.remove(c.name);
    }

    void renameChain(Chain c, String to) {
        changed();
        userChains.remove(c.name);
        c.name = to;
        userChains.put(to, c);
    }

    private void growStack() {
        int need = userChains.size() + 1;
        if (stackChain.length < 2 * need) { // room for a TEE copy's walk above the original's
            stackChain = new Chain[need * 2];
            stackIndex = new int[need * 2];
        }
    }

    /** The generator -m statistic --mode random draws from; the engine may seed its own. */
    public void setRandom(RandomGenerator random) {
        this.random = random;
        for (Chain c : chains()) for (Rule r : c.rules) wire(r);
    }

    /** Reports every step of every walk to {@code tracer} (null: none), as the TRACE target does. */
    public void setTracer(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Hooks a new rule's matches up to the table (the random source). */
    void wire(Rule r) {
        for (Match m : r.matches) if (m instanceof StatisticMatch s) s.random = random;
    }

    /**
     * Walks the built-in chain of {@code hook} for one packet, as ipt_do_table: each matching
     * rule's counters count the packet (jumps included); jumps push a return point, gotos do not;
     * RETURN or a user chain's end pops; the built-in chain's end (or RETURN in it) applies the
     * policy and counts it. Returns the verdict: {@link Target#ACCEPT}, {@link Target#DROP} or
     * the terminal target hit (a {@link NatTarget}). Non-terminal targets (MARK, LOG) act and
     * the walk goes on. It walks the compiled form ({@link XtTableInfo}), built here (once, under
     * the table's monitor) when a change dropped it and no command rebuilt it.
     */
    public Target traverse(Hook hook, PacketContext ctx) {
        if (XtTableInfo.enabled) {
            XtTableInfo x = compiled;
            if (x == null) x = compiledNow();
            return x.doTable(this, hook, ctx, tracer);
        }
        changed();
        return walkRules(hook, ctx);
    }

    /** A walk finding no compiled form: the first of the concurrent walkers builds it, the others wait for it. */
    private synchronized XtTableInfo compiledNow() {
        compile();
        return compiled;
    }

    /** The same walk over the Rule objects (the compiled form's reference, for the tests comparing them). */
    private Target walkRules(Hook hook, PacketContext ctx) {
        Chain base = builtin(hook);
        if (base == null) return Target.ACCEPT;
        Chain chain = base;
        ChainIndex idx = chain.index();
        int i = 0;
        // a TEE copy sent from inside a walk of this table walks on the stack's upper half
        int bottom = ctx.duplicated() ? stackChain.length / 2 : 0;
        int sp = bottom;
        NfTablesTrace nft = nfTrace;
        boolean dumped = false;
        for (;;) {
            if (i >= chain.rules.size()) {
                if (tracer != null) tracer.leave(this, chain, i + 1, sp == bottom);
                if (sp == bottom) return policy(this, base, ctx, dumped);
                sp--;
                chain = stackChain[sp];
                idx = chain.index();
                i = stackIndex[sp];
                continue;
            }
            if (idx != null && idx.runEnd[i] != 0) {
                // an indexed run: go to the first rule in it that can match (ChainIndex), else past it
                int proto = ctx.protocol();
                int next = ctx.nonFirstFragment() || (proto != 6 && proto != 17) ? idx.runEnd[i]
                        : idx.next(i, ChainIndex.keyOf(ctx.dstAddress(), proto, ctx.dstPort()));
                if (next != i) {
                    i = next;
                    continue;
                }
            }
            Rule r = chain.rules.get(i);
            if (!r.matches(ctx)) {
                if (ctx.hotdropped()) {
                    if (nft != null && ctx.nfTrace()) nft.rule(this, chain, i, r, NfTablesTrace.NF_DROP, null, ctx, dumped);
                    return Target.DROP; // acpar.hotdrop: NF_DROP
                }
                i++;
                continue;
            }
            r.packets++;
            r.bytes += ctx.length();
            if (tracer != null) tracer.rule(this, chain, i + 1, r);
            if (r.jump != null) {
                if (nft != null && ctx.nfTrace()) {
                    dumped = nft.rule(this, chain, i, r, r.isGoto ? NfTablesTrace.NFT_GOTO : NfTablesTrace.NFT_JUMP, r.jump, ctx, dumped);
                }
                if (!r.isGoto) {
                    stackChain[sp] = chain;
                    stackIndex[sp] = i + 1;
                    sp++;
                }
                chain = r.jump;
                idx = chain.index();
                i = 0;
                continue;
            }
            Target t = r.target;
            if (t == Target.RETURN) {
                if (nft != null && ctx.nfTrace()) dumped = nft.rule(this, chain, i, r, NfTablesTrace.NFT_RETURN, null, ctx, dumped);
                if (sp == bottom) return policy(this, base, ctx, dumped);
                sp--;
                chain = stackChain[sp];
                idx = chain.index();
                i = stackIndex[sp];
                continue;
            }
            if (t == null || t.apply(ctx)) {
                if (nft != null && ctx.nfTrace()) dumped = nft.rule(this, chain, i, r, NfTablesTrace.NFT_CONTINUE, null, ctx, dumped);
                i++;
                continue;
            }
            if (nft != null && ctx.nfTrace()) nft.rule(this, chain, i, r, t.nfVerdict(), null, ctx, dumped);
            return t;
        }
    }

    /** The policy, counted in the chain (the Rule walk's counters) and reported as {@link #policyVerdict}. */
    static Target policy(Table table, Chain base, PacketContext ctx, boolean dumped) {
        base.policyPackets++;
        base.policyBytes += ctx.length();
        return policyVerdict(table, base, ctx, dumped);
    }

    /** The policy's verdict, reported to the nf_tables trace when the packet is traced ({@code dumped}: its headers sent in this walk). */
    static Target policyVerdict(Table table, Chain base, PacketContext ctx, boolean dumped) {
        Target t = "DROP".equals(base.policy) ? Target.DROP : Target.ACCEPT;
        if (table.nfTrace != null && ctx.nfTrace()) table.nfTrace.policy(table, base, t == Target.ACCEPT, ctx, dumped);
        return t;
    }

    /**
     * The checks the kernel makes when a table is committed (mark_source_chains and each
     * target's and match's hook mask): no loops, NAT targets and addrtype --limit-iface-* only
     * where their hooks allow.
     */
    void validate() {
        for (Chain b : builtins) walk(b, b.hook, new ArrayList<>(), new java.util.HashSet<>());
    }

    private void walk(Chain c, Hook hook, List<Chain> path, java.util.Set<Chain> done) {
        if (done.contains(c)) return;
        if (path.contains(c)) throw new RuleError("Too many levels of symbolic links (a loop through chain " + c.name + ")", 1);
        path.add(c);
        for (Rule r : c.rules) {
            if (r.target != null && r.target.table() != null && !r.target.table().equals(name)) {
                // xt_check_target: "only valid in %s table, not %s"; iptables-nft reports EINVAL
                throw new RuleError("RULE_APPEND failed (Invalid argument): rule in chain " + c.name + ": "
                        + r.target.name() + " target is only valid in the " + r.target.table() + " table, not " + name, 4);
            }
            if (r.target != null && (r.target.hooks() & hook.bit()) == 0 && r.target.hooksCheckedByKernel()) {
                throw new RuleError("RULE_APPEND failed (Invalid argument): rule in chain " + c.name, 4);
            }
            if (r.target != null && (r.target.hooks() & hook.bit()) == 0) {
                throw new RuleError(r.target.name() + " target is not valid in chain " + hook + (c.hook == null
                        ? " (reached through chain " + c.name + ")" : ""), 1);
            }
            for (Match m : r.matches) {
                if ((m.hooks() & hook.bit()) == 0) {
                    // xt_check_match refuses it (EINVAL), as iptables-nft reports it
                    throw new RuleError("RULE_APPEND failed (Invalid argument): rule in chain " + c.name, 4);
                }
                if (m instanceof RpfilterMatch && !name.equals("raw") && !name.equals("mangle")) {
                    // rpfilter_check: "only valid in 'raw' or 'mangle' table"
                    throw new RuleError("RULE_APPEND failed (Invalid argument): rule in chain " + c.name, 4);
                }
                if (m instanceof AddrtypeMatch a) {
                    int in = Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit();
                    int out = Hook.POSTROUTING.bit() | Hook.OUTPUT.bit() | Hook.FORWARD.bit();
                    if ((a.flags & AddrtypeMatch.LIMIT_IFACE_IN) != 0 && (in & hook.bit()) == 0) {
                        throw new RuleError("addrtype: --limit-iface-in is not valid in chain " + hook, 1);
                    }
                    if ((a.flags & AddrtypeMatch.LIMIT_IFACE_OUT) != 0 && (out & hook.bit()) == 0) {
                        throw new RuleError("addrtype: --limit-iface-out is not valid in chain " + hook, 1);
                    }
                }
            }
            if (r.jump != null) walk(r.jump, hook, path, done);
        }
        path.remove(path.size() - 1);
        done.add(c);
    }
}

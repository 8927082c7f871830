package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A table's rules compiled into one flat block, as the kernel's struct xt_table_info holds a table
 * as one blob of ipt_entry records (laid out by translate_table, walked by ipt_do_table). Each rule
 * is a header of {@link #E} ints in {@link #blob}: its ipt_ip (addresses and masks, protocol,
 * inversion flags, whether it names interfaces), next_offset, its verdict (a target, a jump or
 * goto to a chain's offset, RETURN), its number, chain and place, and where its packet and byte
 * counters are (as ipt_entry's xt_counters, per CPU since xt_percpu_counter_alloc); an IPv6 rule's four 128-bit address words follow
 * (16 ints), then its matches, {@link #OP} ints each, in the rule's order: tcp/udp ports, mark and
 * conntrack state are decided from the ints, comments are left out (they always match), and every
 * other module is its {@link Match} object, called. A chain is its rules in order and then an end
 * entry (the kernel's policy or RETURN entry at each chain's end), the chains in the order a walk
 * meets them ({@link #layoutOrder}), so
 * a packet reads its rule's header, matches and verdict from one or two cache lines and
 * a jump lands where the chain's rules start. {@link Table} copies the counters back to the
 * {@link Rule}s before anyone reads those.
 *
 * <p>Per CPU, as the kernel's: each lane ({@link PacketContext#cpu}, 0 to {@link #cpus} - 1) has its
 * own counters ({@link #counters}: a packet and a byte count for every rule and every chain's end,
 * the built-in chains' ends being their policies; xt_percpu_counter_alloc's per-CPU xt_counters)
 * and its own jump stack ({@link #stacks}, xt_jumpstack_alloc's jumpstack[cpu], with TEE's second
 * half), so lanes walk one table at once and a walk writes nothing another lane writes or reads.
 * Reading the counters sums the lanes' (get_counters); the translated counts start in lane 0's.
 *
 * <p>Built when a table is loaded, committed or changed by a command (see {@link Table} for who
 * builds it), and never changed but for its counters: a change to the table drops it and builds the
 * next one, so a packet sees either the old table or the new one, never a mix. The walk touches no Rule, Chain or
 * comment object.
 */
final class XtTableInfo {
    /** Tests set it false to walk the Rule objects instead, to compare the two walks. */
    static boolean enabled = true;

    // a rule's header in blob; an IPv6 rule's addresses, then its ops, follow it up to E_NEXT
    static final int E_SRC = 0, E_SMSK = 1, E_DST = 2, E_DMSK = 3, E_FLAGS = 4, E_NEXT = 5, E_VERDICT = 6,
            E_RULE = 7, E_CHAIN = 8, E_POS = 9, E_CTR = 10;
    static final int E = 11;
    /** A chain's end entry holds no more than the fields up to E_CTR (its counters are the policy's). */
    static final int E_END = E_CTR + 1;
    /** The IPv6 rule's source hi, lo, mask hi, mask lo, then the destination's, as int pairs (low half first). */
    static final int A6 = 16;
    // E_FLAGS: proto in bits 0-7, the ipt_ip invflags in 8-15, then
    static final int F_IN = 1 << 16, F_OUT = 1 << 17, F_FRAG = 1 << 18, F_IPV6 = 1 << 19, F_INDEXED = 1 << 20,
            F_END = 1 << 21;
    // E_VERDICT: the kind in bits 0-2, its argument (a chain's offset, a target's number) above
    static final int V_NONE = 0, V_TARGET = 1, V_JUMP = 2, V_GOTO = 3, V_RETURN = 4;
    // ops: four ints each, the kind first
    static final int OP = 4;
    static final int OP_PORT = 1, OP_MARK = 2, OP_CTSTATE = 3, OP_MATCH = 4;

    final int[] blob;
    /** Every rule's matches and target may run on two lanes at once ({@link Table#concurrentSafe}), as of this build. */
    boolean concurrentSafe;
    /** Per hook (bit Hook.ordinal()): an established connection's packet may walk it on two lanes at once ({@link LaneSafety}). */
    int establishedSafe;
    /** Where rule g starts in blob (rule numbers run through the chains in order, g - E_POS is a chain's first). */
    private final int[] ruleOffset;
    /** Interface patterns of the rules that name one (F_IN, F_OUT); null elsewhere. */
    private final String[] inIface, outIface;
    private final Match[] matches;
    private final Target[] targets;
    /** The rules and chains compiled, for the tracer and to copy the counters back. */
    final Rule[] rules;
    private final Chain[] chains;
    private final int[] chainEnd;
    /** The index of an indexed chain (its rules have F_INDEXED), by chain number. */
    private final ChainIndex[] chainIndex;
    /** Where each indexed run (ChainIndex) starts in blob. */
    private int[] runStarts = new int[0];
    /** What {@link #touchIndexedRuns} read, kept so that the JIT cannot drop its loads. */
    private long touched;

    /**
     * A batch's new connections' walks started together (jnat's, as VPP prefetches; ipt_do_table
     * reads one packet's rules at a time): for each {@code keys[k]} ({@link ChainIndex#keyOf}; 0:
     * none), the slot of each indexed run's key, then the rule it leads to with its counters, then
     * the first lines of the chain that rule jumps to, and theirs: a kube-proxy service's
     * KUBE-SERVICES rule and its KUBE-SVC chain, with the KUBE-SEP chains that follow it in the
     * layout. Three passes of independent loads, so the batch's misses overlap. Nothing changes.
     * {@code at} is the caller's scratch, {@code n} long.
     */
    void touchIndexedRuns(long[] keys, int n, int[] at, int cpu) {
        int[] b = blob;
        long[] ctr = counters[cpu < cpus ? cpu : 0];
        long t = 0;
        for (int start : runStarts) {
            ChainIndex idx = chainIndex[b[start + E_CHAIN]];
            int i = b[start + E_POS], base = b[start + E_RULE] + b[start + E_CHAIN] - i;
            for (int k = 0; k < n; k++) at[k] = keys[k] == 0 ? -1 : ruleOffset[base + idx.next(i, keys[k])];
            for (int k = 0; k < n; k++) {
                int o = at[k];
                if (o < 0) continue;
                t += ctr[PAD + 2 * b[o + E_CTR]];
                int v = b[o + E_VERDICT];
                at[k] = (v & 7) == V_JUMP || (v & 7) == V_GOTO ? v >>> 3 : -1;
            }
            for (int k = 0; k < n; k++) {
                int o = at[k];
                if (o < 0) continue;
                int c = PAD + 2 * b[o + E_CTR];
                t += ctr[c] + ctr[Math.min(c + 8, ctr.length - 1)];
                for (int line = 0; line < 64 && o + line < b.length; line += 16) t += b[o + line];
            }
        }
        touched += t;
    }

    /** Where each hook's built-in chain starts, -1 where the table has none; and its chain number. */
    private final int[] builtinOffset = new int[Hook.values().length], builtinChain = new int[Hook.values().length];
    /** The lanes that may walk it at once ({@link Table#setCpus}). */
    final int cpus;
    /**
     * Each lane's counters: the packets of counter slot n (E_CTR: a rule's, or a chain end's) at
     * {@link #PAD} + 2n, its bytes after them, then a word set when the lane counted something the
     * Rule objects do not show yet; {@link #PAD} longs of padding at each end keep a lane's writes off
     * the cache lines of its neighbours' arrays.
     */
    private final long[][] counters;
    /** Where the moved word is in each lane's {@link #counters}. */
    private final int moved;
    /**
     * The jump stacks (the kernel's per-CPU jumpstack), one a lane, from {@link #PAD} on: with a -j
     * TEE rule in the table twice as deep, its second half for the copy TEE sends from inside a walk
     * (ipt_do_table's jumpstack += stacksize * nf_skb_duplicated), so the original's return points
     * survive.
     */
    private final int[][] stacks;
    /** Where the copy's stack starts, past {@link #PAD}; 0 without a TEE rule (one stack). */
    private final int dupStack;
    /** The counter slot of each hook's built-in chain's end (its policy's counters). */
    private final int[] policySlot = new int[Hook.values().length];
    /** Padding (in array elements) before and after each lane's counters and stack: 128 bytes or more. */
    private static final int PAD = 32;

    private XtTableInfo(int size, int nRules, int nChains, int nMatches, int nTargets, boolean tee, int cpus) {
        blob = new int[size];
        ruleOffset = new int[nRules + nChains];
        inIface = new String[nRules];
        outIface = new String[nRules];
        matches = new Match[nMatches];
        targets = new Target[nTargets];
        rules = new Rule[nRules];
        chains = new Chain[nChains];
        chainEnd = new int[nChains];
        chainIndex = new ChainIndex[nChains];
        dupStack = tee ? nChains + 1 : 0;
        this.cpus = cpus;
        int slots = nRules + nChains;
        moved = PAD + 2 * slots;
        counters = new long[cpus][];
        stacks = new int[cpus][];
        for (int c = 0; c < cpus; c++) {
            counters[c] = new long[moved + 1 + PAD];
            stacks[c] = new int[PAD + (tee ? 2 * (nChains + 1) : nChains + 1) + PAD];
        }
    }

    /** translate_table: lays out {@code table}'s chains for {@code cpus} lanes, their rules' and policies' counters copied into lane 0's. */
    static XtTableInfo translate(Table table, int cpus) {
        List<Chain> cs = layoutOrder(table.chainList());
        int nRules = 0, size = 0, nMatches = 0;
        java.util.IdentityHashMap<Target, Integer> targets = new java.util.IdentityHashMap<>();
        int[] chainStart = new int[cs.size()];
        for (int k = 0; k < cs.size(); k++) {
            chainStart[k] = size;
            for (Rule r : cs.get(k).rules) {
                nRules++;
                size += E + (r.ipv6 ? A6 : 0);
                for (Match m : r.matches) {
                    if (m instanceof CommentMatch) continue;
                    size += OP;
                    if (opKind(m) == OP_MATCH) nMatches++;
                }
                if (r.jump == null && r.target != null && r.target != Target.RETURN) {
                    targets.putIfAbsent(r.target, targets.size());
                }
            }
            size += E_END; // the chain's end
        }
        boolean tee = false;
        for (Target t : targets.keySet()) tee |= t instanceof TeeTarget;
        XtTableInfo x = new XtTableInfo(size, nRules, cs.size(), nMatches, targets.size(), tee, cpus);
        long[] c0 = x.counters[0];
        targets.forEach((t, n) -> x.targets[n] = t);
        java.util.Arrays.fill(x.builtinOffset, -1);
        java.util.IdentityHashMap<Chain, Integer> number = new java.util.IdentityHashMap<>();
        for (int k = 0; k < cs.size(); k++) {
            number.put(cs.get(k), k);
            Hook h = cs.get(k).hook;
            if (h != null) {
                x.builtinOffset[h.ordinal()] = chainStart[k];
                x.builtinChain[h.ordinal()] = k;
            }
        }
        int[] b = x.blob;
        List<Integer> runStarts = new ArrayList<>();
        int g = 0, o = 0, mi = 0;
        for (int k = 0; k < cs.size(); k++) {
            Chain c = cs.get(k);
            x.chains[k] = c;
            ChainIndex idx = c.index();
            x.chainIndex[k] = idx;
            int pos = 0;
            for (Rule r : c.rules) {
                x.ruleOffset[g + k] = o;
                x.rules[g] = r;
                int flags = (r.proto & 0xff) | (r.invflags & 0xff) << 8;
                if (!r.inIface.isEmpty() || (r.invflags & Rule.INV_VIA_IN) != 0) {
                    flags |= F_IN;
                    x.inIface[g] = r.inIface;
                }
                if (!r.outIface.isEmpty() || (r.invflags & Rule.INV_VIA_OUT) != 0) {
                    flags |= F_OUT;
                    x.outIface[g] = r.outIface;
                }
                if (r.fragment) flags |= F_FRAG;
                if (idx != null && idx.runEnd[pos] != 0) {
                    flags |= F_INDEXED;
                    if (pos == 0 || idx.runEnd[pos - 1] != idx.runEnd[pos]) runStarts.add(o);
                }
                int p = o + E;
                if (r.ipv6) {
                    flags |= F_IPV6;
                    long[] a = {r.src6Hi, r.src6Lo, r.srcMask6Hi, r.srcMask6Lo, r.dst6Hi, r.dst6Lo, r.dstMask6Hi, r.dstMask6Lo};
                    for (long w : a) {
                        putLong(b, p, w);
                        p += 2;
                    }
                } else {
                    b[o + E_SRC] = r.src;
                    b[o + E_SMSK] = r.srcMask;
                    b[o + E_DST] = r.dst;
                    b[o + E_DMSK] = r.dstMask;
                }
                b[o + E_FLAGS] = flags;
                b[o + E_RULE] = g;
                b[o + E_CHAIN] = k;
                b[o + E_POS] = pos;
                b[o + E_CTR] = g + k;
                c0[PAD + 2 * (g + k)] = r.packets;
                c0[PAD + 2 * (g + k) + 1] = r.bytes;
                for (Match m : r.matches) {
                    if (m instanceof CommentMatch) continue;
                    int kind = opKind(m);
                    b[p] = kind;
                    switch (m) {
                        case PortMatch pm when kind == OP_PORT -> {
                            b[p + 1] = pm.srcMin | pm.srcMax << 16;
                            b[p + 2] = pm.dstMin | pm.dstMax << 16;
                            b[p + 3] = pm.flagMask | pm.flagCmp << 8 | pm.invflags << 16 | (pm.tcp() ? 1 << 24 : 0);
                        }
                        case MarkMatch mm when kind == OP_MARK -> {
                            b[p + 1] = mm.mark;
                            b[p + 2] = mm.mask;
                            b[p + 3] = mm.invert ? 1 : 0;
                        }
                        case ConntrackMatch cm when kind == OP_CTSTATE -> {
                            b[p + 1] = cm.stateMask;
                            b[p + 3] = (cm.invertFlags & ConntrackMatch.STATE) != 0 ? 1 : 0;
                        }
                        default -> {
                            x.matches[mi] = m;
                            b[p + 1] = mi++;
                        }
                    }
                    p += OP;
                }
                b[o + E_NEXT] = p;
                int verdict;
                if (r.jump != null) verdict = (r.isGoto ? V_GOTO : V_JUMP) | chainStart[number.get(r.jump)] << 3;
                else if (r.target == Target.RETURN) verdict = V_RETURN;
                else if (r.target != null) verdict = V_TARGET | targets.get(r.target) << 3;
                else verdict = V_NONE;
                b[o + E_VERDICT] = verdict;
                o = p;
                g++;
                pos++;
            }
            // the chain's end entry: where an indexed run that ends the chain goes too
            x.ruleOffset[g + k] = o;
            x.chainEnd[k] = o;
            b[o + E_FLAGS] = F_END;
            b[o + E_CHAIN] = k;
            b[o + E_POS] = pos;
            b[o + E_RULE] = -1;
            b[o + E_CTR] = g + k;
            if (c.hook != null) {
                x.policySlot[c.hook.ordinal()] = g + k;
                c0[PAD + 2 * (g + k)] = c.policyPackets;
                c0[PAD + 2 * (g + k) + 1] = c.policyBytes;
            }
            b[o + E_NEXT] = o + E_END;
            o += E_END;
        }
        x.runStarts = runStarts.stream().mapToInt(Integer::intValue).toArray();
        x.concurrentSafe = table.rulesConcurrentSafe();
        for (Hook h : Hook.values()) if (x.concurrentSafe || LaneSafety.safe(table, h, true)) x.establishedSafe |= 1 << h.ordinal();
        return x;
    }

    /**
     * The chains in the order a walk meets them: each built-in chain, then depth first the chains
     * its rules jump or go to, in rule order (the rest after), so a service's KUBE-SVC and KUBE-SEP
     * chains lie next to each other and a new connection's walk reads neighbouring lines.
     */
    private static List<Chain> layoutOrder(List<Chain> listed) {
        java.util.Set<Chain> placed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<Chain> order = new ArrayList<>(listed.size());
        java.util.ArrayDeque<Chain> todo = new java.util.ArrayDeque<>();
        for (Chain start : listed) {
            if (start.hook == null) continue;
            todo.push(start);
            while (!todo.isEmpty()) {
                Chain c = todo.pop();
                if (!placed.add(c)) continue;
                order.add(c);
                for (int i = c.rules.size() - 1; i >= 0; i--) { // pushed last first: the first jump is placed next
                    Chain j = c.rules.get(i).jump;
                    if (j != null && !placed.contains(j)) todo.push(j);
                }
            }
        }
        for (Chain c : listed) if (placed.add(c)) order.add(c);
        return order;
    }

    private static int opKind(Match m) {
        if (m instanceof PortMatch) return OP_PORT;
        if (m instanceof MarkMatch) return OP_MARK;
        if (m instanceof ConntrackMatch c && c.matchFlags == ConntrackMatch.STATE) return OP_CTSTATE;
        return OP_MATCH;
    }

    private static void putLong(int[] b, int at, long v) {
        b[at] = (int) v;
        b[at + 1] = (int) (v >>> 32);
    }

    private static long getLong(int[] b, int at) {
        return b[at] & 0xffffffffL | (long) b[at + 1] << 32;
    }

    /** Whether a lane counted a packet since the last {@link #copyCountersOut}. */
    boolean countersMoved() {
        for (long[] c : counters) if (c[moved] != 0) return true;
        return false;
    }

    /**
     * Copies the counters into the rules and the built-in chains' policies (what the listings, -S
     * and save print), each the sum of every lane's (get_counters), and clears the lanes' moved words.
     * Commands call it while no packet walks the table (as they change it).
     */
    void copyCountersOut() {
        for (int k = 0, g = 0; k < chains.length; k++) {
            for (int o = ruleOffset[g + k]; o < chainEnd[k]; o = blob[o + E_NEXT], g++) {
                int at = PAD + 2 * blob[o + E_CTR];
                rules[g].packets = sum(at);
                rules[g].bytes = sum(at + 1);
            }
            if (chains[k].hook != null) {
                int at = PAD + 2 * blob[chainEnd[k] + E_CTR];
                chains[k].policyPackets = sum(at);
                chains[k].policyBytes = sum(at + 1);
            }
        }
        for (long[] c : counters) c[moved] = 0;
    }

    private long sum(int at) {
        long n = 0;
        for (long[] c : counters) n += c[at];
        return n;
    }

    /** The policy of {@code hook}'s built-in chain, counted in the lane's counters {@code ctr}. */
    private Target policy(Table table, Hook hook, long[] ctr, PacketContext ctx, boolean dumped) {
        int at = PAD + 2 * policySlot[hook.ordinal()];
        ctr[at]++;
        ctr[at + 1] += ctx.length();
        ctr[moved] = 1;
        return Table.policyVerdict(table, chains[builtinChain[hook.ordinal()]], ctx, dumped);
    }

    /**
     * ipt_do_table over the blob: {@link Table#traverse}'s walk (the same verdicts, counters,
     * trace events and chain-index jumps as the walk of the Rule objects).
     */
    Target doTable(Table table, Hook hook, PacketContext ctx, Tracer tracer) {
        int o = builtinOffset[hook.ordinal()];
        if (o < 0) return Target.ACCEPT;
        int[] b = blob;
        int cpu = ctx.cpu();
        long[] ctr = counters[cpu];
        int[] stackOffset = stacks[cpu];
        // the stack's bottom: a TEE copy walking a table whose TEE rule sent it starts above the original's
        int bottom = PAD + (dupStack != 0 && ctx.duplicated() ? dupStack : 0);
        int sp = bottom;
        NfTablesTrace nft = table.nfTrace;
        boolean dumped = false; // this walk has sent the traced packet's headers (nft_traceinfo.packet_dumped)
        for (;;) {
            int flags = b[o + E_FLAGS];
            if ((flags & F_END) != 0) {
                if (tracer != null) tracer.leave(table, chains[b[o + E_CHAIN]], b[o + E_POS] + 1, sp == bottom);
                if (sp == bottom) return policy(table, hook, ctr, ctx, dumped);
                o = stackOffset[--sp];
                continue;
            }
            if ((flags & F_INDEXED) != 0) {
                // an indexed run: go to the first rule in it that can match (ChainIndex), else past it
                int i = b[o + E_POS];
                ChainIndex idx = chainIndex[b[o + E_CHAIN]];
                int proto = ctx.protocol();
                int next = ctx.nonFirstFragment() || (proto != 6 && proto != 17) ? idx.runEnd[i]
                        : idx.next(i, ChainIndex.keyOf(ctx.dstAddress(), proto, ctx.dstPort()));
                if (next != i) {
                    o = ruleOffset[b[o + E_RULE] + b[o + E_CHAIN] + next - i]; // the chain's end when next is its size
                    continue;
                }
            }
            if (!matches(o, flags, ctx)) {
                if (ctx.hotdropped()) {
                    // acpar.hotdrop: NF_DROP, the rule's verdict in nft's xt match
                    if (nft != null && ctx.nfTrace()) nft.rule(table, chains[b[o + E_CHAIN]], b[o + E_POS], rules[b[o + E_RULE]],
                            NfTablesTrace.NF_DROP, null, ctx, dumped);
                    return Target.DROP;
                }
                o = b[o + E_NEXT];
                continue;
            }
            int at = PAD + 2 * b[o + E_CTR];
            ctr[at]++;
            ctr[at + 1] += ctx.length();
            ctr[moved] = 1;
            if (tracer != null) tracer.rule(table, chains[b[o + E_CHAIN]], b[o + E_POS] + 1, rules[b[o + E_RULE]]);
            int v = b[o + E_VERDICT];
            int hit = o;
            int traced = NfTablesTrace.NFT_CONTINUE;
            switch (v & 7) {
                case V_NONE -> o = b[o + E_NEXT];
                case V_JUMP -> {
                    traced = NfTablesTrace.NFT_JUMP;
                    stackOffset[sp++] = b[o + E_NEXT];
                    o = v >>> 3;
                }
                case V_GOTO -> {
                    traced = NfTablesTrace.NFT_GOTO;
                    o = v >>> 3;
                }
                case V_RETURN -> {
                    if (nft != null && ctx.nfTrace()) dumped = nft.rule(table, chains[b[o + E_CHAIN]], b[o + E_POS], rules[b[o + E_RULE]],
                            NfTablesTrace.NFT_RETURN, null, ctx, dumped);
                    if (sp == bottom) return policy(table, hook, ctr, ctx, dumped);
                    o = stackOffset[--sp];
                    continue;
                }
                default -> {
                    Target t = targets[v >>> 3];
                    if (!t.apply(ctx)) {
                        if (nft != null && ctx.nfTrace()) nft.rule(table, chains[b[o + E_CHAIN]], b[o + E_POS], rules[b[o + E_RULE]],
                                t.nfVerdict(), null, ctx, dumped);
                        return t;
                    }
                    o = b[o + E_NEXT];
                }
            }
            if (nft != null && ctx.nfTrace()) {
                Rule r = rules[b[hit + E_RULE]];
                dumped = nft.rule(table, chains[b[hit + E_CHAIN]], b[hit + E_POS], r, traced, r.jump, ctx, dumped);
            }
        }
    }

    /** The rule at o: ip_packet_match and then its matches in order, as {@link Rule#matches}. */
    private boolean matches(int o, int flags, PacketContext ctx) {
        int[] b = blob;
        int inv = flags >>> 8;
        int p = o + E;
        if ((flags & F_IPV6) == 0) {
            if (((ctx.srcAddress() & b[o + E_SMSK]) != b[o + E_SRC]) != ((inv & Rule.INV_SRCIP) != 0)) return false;
            if (((ctx.dstAddress() & b[o + E_DMSK]) != b[o + E_DST]) != ((inv & Rule.INV_DSTIP) != 0)) return false;
        } else {
            if (!ip6AddressesMatch(p, ctx, inv)) return false;
            p += A6;
        }
        if ((flags & F_IN) != 0
                && !Rule.ifaceMatches(inIface[b[o + E_RULE]], ctx.inInterface()) != ((inv & Rule.INV_VIA_IN) != 0)) return false;
        if ((flags & F_OUT) != 0
                && !Rule.ifaceMatches(outIface[b[o + E_RULE]], ctx.outInterface()) != ((inv & Rule.INV_VIA_OUT) != 0)) return false;
        int proto = flags & 0xff;
        if (proto != 0 && (ctx.protocol() != proto) != ((inv & Rule.INV_PROTO) != 0)) return false;
        if ((flags & F_FRAG) != 0 && !ctx.nonFirstFragment() != ((inv & Rule.INV_FRAG) != 0)) return false;
        for (int end = b[o + E_NEXT]; p < end; p += OP) {
            if (!opMatches(p, ctx)) return false;
        }
        return true;
    }

    private boolean opMatches(int p, PacketContext ctx) {
        int[] x = blob;
        switch (x[p]) {
            case OP_PORT -> {
                // tcp_mt / udp_mt, as PortMatch.matches
                if (ctx.nonFirstFragment()) return false;
                int a = x[p + 1], b = x[p + 2], c = x[p + 3];
                int inv = c >>> 16 & 0xff;
                int sp = ctx.srcPort(), dp = ctx.dstPort();
                if ((sp >= (a & 0xffff) && sp <= a >>> 16) == ((inv & PortMatch.INV_SRCPT) != 0)) return false;
                if ((dp >= (b & 0xffff) && dp <= b >>> 16) == ((inv & PortMatch.INV_DSTPT) != 0)) return false;
                return (c & 1 << 24) == 0
                        || ((ctx.tcpFlags() & (c & 0xff)) == (c >>> 8 & 0xff)) != ((inv & PortMatch.INV_FLAGS) != 0);
            }
            case OP_MARK -> {
                return ((ctx.mark() & x[p + 2]) == x[p + 1]) != (x[p + 3] != 0);
            }
            case OP_CTSTATE -> {
                // conntrack_mt with --ctstate alone: the state decides, INVALID and UNTRACKED included
                return ((x[p + 1] & ctx.ctState()) != 0) != (x[p + 3] != 0);
            }
            default -> {
                return matches[x[p + 1]].matches(ctx);
            }
        }
    }

    /** ip6_packet_match's address half, the words at a: each masked address compared, as ipv6_masked_addr_cmp. */
    private boolean ip6AddressesMatch(int a, PacketContext ctx, int inv) {
        int[] b = blob;
        boolean s = (ctx.srcAddressHi() & getLong(b, a + 4)) == getLong(b, a) && (ctx.srcAddressLo() & getLong(b, a + 6)) == getLong(b, a + 2);
        if (s == ((inv & Rule.INV_SRCIP) != 0)) return false;
        boolean d = (ctx.dstAddressHi() & getLong(b, a + 12)) == getLong(b, a + 8)
                && (ctx.dstAddressLo() & getLong(b, a + 14)) == getLong(b, a + 10);
        return d != ((inv & Rule.INV_DSTIP) != 0);
    }
}

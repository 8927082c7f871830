package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A table's rules compiled into one flat block, as the kernel's struct xt_table_info holds a table
 * as one blob of ipt_entry records (laid out by translate_table, walked by ipt_do_table). Each rule
 * is {@link #E} ints in {@link #entries} (its ipt_ip header: addresses and masks, protocol,
 * inversion flags, whether it names interfaces; where its matches start in {@link #ops}; its
 * verdict: a target, a jump or goto to a chain by number, RETURN), and its matches are ops in
 * {@link #ops}, in the rule's order: tcp/udp ports, mark and conntrack state are decided from the
 * ints, comments are left out (they always match), and every other module is its {@link Match}
 * object, called. Counters live in {@link #counters} (packets and bytes per rule), as the kernel's
 * per-CPU counters live beside the blob; {@link Table} copies them back to the {@link Rule}s
 * before anyone reads those.
 *
 * <p>Built when a table is committed or first walked after a change, and never changed: a change
 * to the table drops it (the walk then builds the next one), so a packet sees either the old
 * table or the new one, never a mix. The walk touches no Rule, Chain or comment object.
 */
final class XtTableInfo {
    /** Tests set it false to walk the Rule objects instead, to compare the two walks. */
    static boolean enabled = true;

    // one rule's ints in entries
    static final int E_SRC = 0, E_SMSK = 1, E_DST = 2, E_DMSK = 3, E_FLAGS = 4, E_OPS = 5, E_OPS_END = 6, E_VERDICT = 7;
    static final int E = 8;
    // E_FLAGS: proto in bits 0-7, the ipt_ip invflags in 8-15, then
    static final int F_IN = 1 << 16, F_OUT = 1 << 17, F_FRAG = 1 << 18, F_IPV6 = 1 << 19;
    // E_VERDICT: the kind in bits 0-2, its argument (a chain's number, a target's) above
    static final int V_NONE = 0, V_TARGET = 1, V_JUMP = 2, V_GOTO = 3, V_RETURN = 4;
    // ops: four ints each, the kind first
    static final int OP = 4;
    static final int OP_PORT = 1, OP_MARK = 2, OP_CTSTATE = 3, OP_MATCH = 4;

    final int[] entries;
    final int[] ops;
    /** Per rule, packets at 2g and bytes at 2g + 1. */
    final long[] counters;
    /** Per IPv6 rule: source hi, lo, mask hi, mask lo, then the destination's (Rule's 128-bit fields). */
    private final long[] addr6;
    /** Interface patterns of the rules that name one (F_IN, F_OUT); null elsewhere. */
    private final String[] inIface, outIface;
    private final Match[] matches;
    private final Target[] targets;
    /** The rules and chains compiled, for the tracer and to copy the counters back. */
    final Rule[] rules;
    private final Chain[] chains;
    private final int[] chainFirst, chainEnd;
    private final ChainIndex[] chainIndex;
    /** The chain number of each hook's built-in chain, -1 where the table has none. */
    private final int[] builtin = new int[Hook.values().length];
    private final int[] stackChain, stackRule;

    private XtTableInfo(int nRules, int nOps, int nChains, boolean ipv6, int nMatches, int nTargets) {
        entries = new int[nRules * E];
        ops = new int[nOps * OP];
        counters = new long[nRules * 2];
        addr6 = ipv6 ? new long[nRules * 8] : null;
        inIface = new String[nRules];
        outIface = new String[nRules];
        matches = new Match[nMatches];
        targets = new Target[nTargets];
        rules = new Rule[nRules];
        chains = new Chain[nChains];
        chainFirst = new int[nChains];
        chainEnd = new int[nChains];
        chainIndex = new ChainIndex[nChains];
        stackChain = new int[nChains + 1];
        stackRule = new int[nChains + 1];
    }

    /** translate_table: lays out {@code table}'s chains in listing order, their rules' counters copied in. */
    static XtTableInfo translate(Table table) {
        List<Chain> cs = table.chainList();
        int nRules = 0, nOps = 0, nMatches = 0;
        List<Target> targets = new ArrayList<>();
        for (Chain c : cs) {
            for (Rule r : c.rules) {
                nRules++;
                for (Match m : r.matches) {
                    if (m instanceof CommentMatch) continue;
                    nOps++;
                    if (opKind(m) == OP_MATCH) nMatches++;
                }
                if (r.jump == null && r.target != null && r.target != Target.RETURN && !targets.contains(r.target)) {
                    targets.add(r.target);
                }
            }
        }
        XtTableInfo x = new XtTableInfo(nRules, nOps, cs.size(), table.ipv6, nMatches, targets.size());
        targets.toArray(x.targets);
        java.util.Arrays.fill(x.builtin, -1);
        java.util.IdentityHashMap<Chain, Integer> number = new java.util.IdentityHashMap<>();
        for (int k = 0; k < cs.size(); k++) {
            number.put(cs.get(k), k);
            if (cs.get(k).hook != null) x.builtin[cs.get(k).hook.ordinal()] = k;
        }
        int g = 0, op = 0, mi = 0;
        for (int k = 0; k < cs.size(); k++) {
            Chain c = cs.get(k);
            x.chains[k] = c;
            x.chainFirst[k] = g;
            x.chainIndex[k] = c.index();
            for (Rule r : c.rules) {
                int o = g * E;
                x.rules[g] = r;
                x.counters[2 * g] = r.packets;
                x.counters[2 * g + 1] = r.bytes;
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
                if (r.ipv6) {
                    flags |= F_IPV6;
                    long[] a = x.addr6;
                    int b = g * 8;
                    a[b] = r.src6Hi;
                    a[b + 1] = r.src6Lo;
                    a[b + 2] = r.srcMask6Hi;
                    a[b + 3] = r.srcMask6Lo;
                    a[b + 4] = r.dst6Hi;
                    a[b + 5] = r.dst6Lo;
                    a[b + 6] = r.dstMask6Hi;
                    a[b + 7] = r.dstMask6Lo;
                } else {
                    x.entries[o + E_SRC] = r.src;
                    x.entries[o + E_SMSK] = r.srcMask;
                    x.entries[o + E_DST] = r.dst;
                    x.entries[o + E_DMSK] = r.dstMask;
                }
                x.entries[o + E_FLAGS] = flags;
                x.entries[o + E_OPS] = op;
                for (Match m : r.matches) {
                    if (m instanceof CommentMatch) continue;
                    int p = op * OP;
                    int kind = opKind(m);
                    x.ops[p] = kind;
                    switch (m) {
                        case PortMatch pm when kind == OP_PORT -> {
                            x.ops[p + 1] = pm.srcMin | pm.srcMax << 16;
                            x.ops[p + 2] = pm.dstMin | pm.dstMax << 16;
                            x.ops[p + 3] = pm.flagMask | pm.flagCmp << 8 | pm.invflags << 16 | (pm.tcp() ? 1 << 24 : 0);
                        }
                        case MarkMatch mm when kind == OP_MARK -> {
                            x.ops[p + 1] = mm.mark;
                            x.ops[p + 2] = mm.mask;
                            x.ops[p + 3] = mm.invert ? 1 : 0;
                        }
                        case ConntrackMatch cm when kind == OP_CTSTATE -> {
                            x.ops[p + 1] = cm.stateMask;
                            x.ops[p + 3] = (cm.invertFlags & ConntrackMatch.STATE) != 0 ? 1 : 0;
                        }
                        default -> {
                            x.matches[mi] = m;
                            x.ops[p + 1] = mi++;
                        }
                    }
                    op++;
                }
                x.entries[o + E_OPS_END] = op;
                int verdict;
                if (r.jump != null) verdict = (r.isGoto ? V_GOTO : V_JUMP) | number.get(r.jump) << 3;
                else if (r.target == Target.RETURN) verdict = V_RETURN;
                else if (r.target != null) verdict = V_TARGET | targets.indexOf(r.target) << 3;
                else verdict = V_NONE;
                x.entries[o + E_VERDICT] = verdict;
                g++;
            }
            x.chainEnd[k] = g;
        }
        return x;
    }

    private static int opKind(Match m) {
        if (m instanceof PortMatch) return OP_PORT;
        if (m instanceof MarkMatch) return OP_MARK;
        if (m instanceof ConntrackMatch c && c.matchFlags == ConntrackMatch.STATE) return OP_CTSTATE;
        return OP_MATCH;
    }

    /** Copies the counters into the rules (what the listings, -S and save print). */
    void copyCountersOut() {
        for (int g = 0; g < rules.length; g++) {
            rules[g].packets = counters[2 * g];
            rules[g].bytes = counters[2 * g + 1];
        }
    }

    /**
     * ipt_do_table over the block: {@link Table#traverse}'s walk (the same verdicts, counters,
     * trace events and chain-index jumps as the walk of the Rule objects).
     */
    Target doTable(Table table, Hook hook, PacketContext ctx, Tracer tracer) {
        int base = builtin[hook.ordinal()];
        if (base < 0) return Target.ACCEPT;
        int chain = base;
        int first = chainFirst[chain], end = chainEnd[chain];
        ChainIndex idx = chainIndex[chain];
        int g = first;
        int sp = 0;
        for (;;) {
            if (g >= end) {
                if (tracer != null) tracer.leave(table, chains[chain], g - first + 1, sp == 0);
                if (sp == 0) return Table.policy(chains[base], ctx);
                sp--;
                chain = stackChain[sp];
                g = stackRule[sp];
                first = chainFirst[chain];
                end = chainEnd[chain];
                idx = chainIndex[chain];
                continue;
            }
            int i = g - first;
            if (idx != null && idx.runEnd[i] != 0) {
                int proto = ctx.protocol();
                int next = ctx.nonFirstFragment() || (proto != 6 && proto != 17) ? idx.runEnd[i]
                        : idx.next(i, ChainIndex.keyOf(ctx.dstAddress(), proto, ctx.dstPort()));
                if (next != i) {
                    g = first + next;
                    continue;
                }
            }
            if (!matches(g, ctx)) {
                if (ctx.hotdropped()) return Target.DROP; // acpar.hotdrop: NF_DROP
                g++;
                continue;
            }
            counters[2 * g]++;
            counters[2 * g + 1] += ctx.length();
            table.countersMoved = true;
            if (tracer != null) tracer.rule(table, chains[chain], i + 1, rules[g]);
            int v = entries[g * E + E_VERDICT];
            switch (v & 7) {
                case V_NONE -> g++;
                case V_JUMP, V_GOTO -> {
                    if ((v & 7) == V_JUMP) {
                        stackChain[sp] = chain;
                        stackRule[sp] = g + 1;
                        sp++;
                    }
                    chain = v >>> 3;
                    first = chainFirst[chain];
                    end = chainEnd[chain];
                    idx = chainIndex[chain];
                    g = first;
                }
                case V_RETURN -> {
                    if (sp == 0) return Table.policy(chains[base], ctx);
                    sp--;
                    chain = stackChain[sp];
                    g = stackRule[sp];
                    first = chainFirst[chain];
                    end = chainEnd[chain];
                    idx = chainIndex[chain];
                }
                default -> {
                    Target t = targets[v >>> 3];
                    if (!t.apply(ctx)) return t;
                    g++;
                }
            }
        }
    }

    /** Rule g's ip_packet_match and then its matches in order, as {@link Rule#matches}. */
    private boolean matches(int g, PacketContext ctx) {
        int o = g * E;
        int[] e = entries;
        int flags = e[o + E_FLAGS];
        int inv = flags >>> 8;
        if ((flags & F_IPV6) == 0) {
            if (((ctx.srcAddress() & e[o + E_SMSK]) != e[o + E_SRC]) != ((inv & Rule.INV_SRCIP) != 0)) return false;
            if (((ctx.dstAddress() & e[o + E_DMSK]) != e[o + E_DST]) != ((inv & Rule.INV_DSTIP) != 0)) return false;
        } else if (!ip6AddressesMatch(g, ctx, inv)) {
            return false;
        }
        if ((flags & F_IN) != 0
                && !Rule.ifaceMatches(inIface[g], ctx.inInterface()) != ((inv & Rule.INV_VIA_IN) != 0)) return false;
        if ((flags & F_OUT) != 0
                && !Rule.ifaceMatches(outIface[g], ctx.outInterface()) != ((inv & Rule.INV_VIA_OUT) != 0)) return false;
        int proto = flags & 0xff;
        if (proto != 0 && (ctx.protocol() != proto) != ((inv & Rule.INV_PROTO) != 0)) return false;
        if ((flags & F_FRAG) != 0 && !ctx.nonFirstFragment() != ((inv & Rule.INV_FRAG) != 0)) return false;
        for (int op = e[o + E_OPS], opEnd = e[o + E_OPS_END]; op < opEnd; op++) {
            if (!opMatches(op * OP, ctx)) return false;
        }
        return true;
    }

    private boolean opMatches(int p, PacketContext ctx) {
        int[] x = ops;
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

    private boolean ip6AddressesMatch(int g, PacketContext ctx, int inv) {
        long[] a = addr6;
        int b = g * 8;
        boolean s = (ctx.srcAddressHi() & a[b + 2]) == a[b] && (ctx.srcAddressLo() & a[b + 3]) == a[b + 1];
        if (s == ((inv & Rule.INV_SRCIP) != 0)) return false;
        boolean d = (ctx.dstAddressHi() & a[b + 6]) == a[b + 4] && (ctx.dstAddressLo() & a[b + 7]) == a[b + 5];
        return d != ((inv & Rule.INV_DSTIP) != 0);
    }
}

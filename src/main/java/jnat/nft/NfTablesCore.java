package jnat.nft;

import jnat.rules.NatRange;
import jnat.rules.NatTarget;
import jnat.rules.PacketContext;

import java.util.ArrayList;
import java.util.List;

/**
 * nft_do_chain (net/netfilter/nf_tables_core.c): a base chain's rules run over a packet, expression after
 * expression on the registers (struct nft_regs: 20 words, the verdict in words 0-3, NFT_REG_1..4 and
 * NFT_REG32_00..15 over words 4-19, kept in host byte order as the kernel's memory), a comparison that
 * fails breaking to the next rule (NFT_BREAK), jump and goto on a stack of return points
 * (NFT_JUMP_STACK_SIZE), the chain's policy when the base chain runs out.
 *
 * <p>The engine runs it at its hooks ({@code jnat.nat.NftChainFilter}, {@link #baseChains}). It reads the
 * packet through {@link PacketContext}: the network header through its accessors and {@code networkByte},
 * the transport header only where PacketContext has an accessor (ports, TCP flags, ICMP type and code).
 * The NAT statements (nft_nat.c, nft_masq.c, nft_redir.c) fill an nf_nat_range2 from the registers and
 * hand it to the caller's {@link NatStatement}, which is nf_nat_setup_info. What it cannot run yet
 * (reject, log, limit, quota, dynamic sets, queue, netmap, loads PacketContext cannot answer) is named by
 * {@link #unsupported}, so a caller refuses such a ruleset rather than run it partly.
 */
public final class NfTablesCore {
    static final int NFT_JUMP_STACK_SIZE = 16;
    public static final int NF_DROP = 0, NF_ACCEPT = 1;

    private final NftTable table;
    private final byte[] regs = new byte[80];
    private final java.util.Random random = new java.util.Random(1);
    private final java.util.Map<Expr, int[]> numgenInc = new java.util.IdentityHashMap<>();
    /** The jump stack (struct nft_jumpstack), kept: one evaluator runs one packet at a time. */
    private final NftChain[] stackChain = new NftChain[NFT_JUMP_STACK_SIZE];
    private final int[] stackRule = new int[NFT_JUMP_STACK_SIZE];
    private NatStatement nat;
    private RejectStatement reject;

    /**
     * What a NAT statement does with the range it read from the registers (the kernel's
     * nf_nat_setup_info, nf_nat_masquerade_ipv4/_ipv6, nf_nat_redirect_ipv4/_ipv6): NF_ACCEPT, or NF_DROP
     * when it could not bind. The verdict ends the rule's chain walk, as regs->verdict.code does.
     */
    @FunctionalInterface
    public interface NatStatement {
        int nat(PacketContext ctx, NatTarget.Kind kind, NatRange range);
    }

    /**
     * What reject sends before the packet is dropped (nf_send_unreach, nf_send_unreach6, nf_send_reset,
     * nf_send_reset6): {@code icmpCode} is the destination unreachable code in the packet's family's ICMP,
     * -1 for a TCP RST.
     */
    @FunctionalInterface
    public interface RejectStatement {
        void reject(PacketContext ctx, int icmpCode);
    }

    /** Where this evaluator's reject statements send their answer (null: none may run). */
    public void setReject(RejectStatement reject) {
        this.reject = reject;
    }

    NfTablesCore(NftTable table) {
        this.table = table;
    }

    /**
     * The table's chains and sets by name, as nf_tables keeps them in hash tables (a jump names its
     * chain; kube-proxy's verdict maps name one of thousands): built at the first lookup, and looked up
     * in the table again when a name is not found or names another object now.
     */
    private java.util.HashMap<String, NftChain> chains;
    private java.util.HashMap<String, NftSet> sets;

    private NftChain chain(String name) {
        if (chains == null) {
            chains = new java.util.HashMap<>();
            for (NftChain c : table.chains) chains.put(c.name, c);
        }
        NftChain c = chains.get(name);
        if (c == null || !c.name.equals(name)) {
            c = table.chain(name);
            if (c != null) chains.put(name, c);
        }
        return c;
    }

    /** Each jump's or goto's chain, by the verdict object (a rule's or a verdict map element's), resolved once. */
    private final java.util.IdentityHashMap<Expr.Verdict, NftChain> targets = new java.util.IdentityHashMap<>();

    private NftChain target(Expr.Verdict v) {
        NftChain c = targets.get(v);
        if (c == null) {
            c = chain(v.chain());
            if (c != null) targets.put(v, c);
        }
        return c;
    }

    private NftSet set(String name) {
        if (sets == null) {
            sets = new java.util.HashMap<>();
            for (NftSet t : table.sets) sets.put(t.name, t);
        }
        NftSet t = sets.get(name);
        if (t == null || !t.name.equals(name)) {
            t = table.set(name);
            if (t != null) sets.put(name, t);
        }
        return t;
    }

    /** Where this evaluator's NAT statements go (null: none may run; a caller refuses such rulesets). */
    public void setNat(NatStatement nat) {
        this.nat = nat;
    }

    /** A base chain and the evaluator of its table: what the engine registers at the chain's hook. */
    public record BaseChain(NfTablesCore core, String family, String table, String chain, String type, String hook,
            int priority) {
        public boolean ipv4() {
            return family.equals("ip") || family.equals("inet");
        }

        public boolean ipv6() {
            return family.equals("ip6") || family.equals("inet");
        }
    }

    /**
     * The base chains of a ruleset's tables (dormant ones are not registered), one evaluator per table,
     * in table and chain order (the order nf_tables registers their hooks in, so equal priorities keep it).
     */
    public static List<BaseChain> baseChains(NftRuleset rs) {
        List<BaseChain> out = new ArrayList<>();
        for (NftTable t : rs.tables) {
            if ((t.flags & 1) != 0) continue; // NFT_TABLE_F_DORMANT: its hooks unregistered
            NfTablesCore core = new NfTablesCore(t);
            for (NftChain c : t.chains)
                if (c.isBase())
                    out.add(new BaseChain(core, NftRuleset.familyName(t.family), t.name, c.name, c.type, c.hook, c.priority));
        }
        return out;
    }

    /**
     * The same base chains with an evaluator of their own per table, for another lane: its registers,
     * jump stack and set indexes its own (as each CPU has its nft_regs and jumpstack on its stack), the
     * tables, rules and expressions (counters included, which count per lane) shared.
     */
    public static List<BaseChain> forLane(List<BaseChain> chains) {
        java.util.Map<NfTablesCore, NfTablesCore> cores = new java.util.IdentityHashMap<>();
        List<BaseChain> out = new ArrayList<>();
        for (BaseChain c : chains) {
            NfTablesCore core = cores.computeIfAbsent(c.core(), k -> new NfTablesCore(k.table));
            out.add(new BaseChain(core, c.family(), c.table(), c.chain(), c.type(), c.hook(), c.priority()));
        }
        return out;
    }

    /** Room in every counter of the chains' tables for {@code n} lanes' counts. */
    public static void setCpus(List<BaseChain> chains, int n) {
        for (NftTable t : tables(chains))
            for (NftChain c : t.chains) for (NftRule r : c.rules) for (Expr e : r.exprs) if (e instanceof Expr.Counter k) k.setCpus(n);
    }

    private static java.util.Set<NftTable> tables(List<BaseChain> chains) {
        java.util.Set<NftTable> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (BaseChain c : chains) out.add(c.core().table);
        return out;
    }

    /**
     * Whether lanes may walk the chains' tables at once: every expression reads the packet, its
     * connection, the host's addresses (fib) or the sets, or writes only the packet's mark or its own
     * lane's counter. Limits, quotas, numgen's state, dynamic set updates, ct mark writes, logging, queueing
     * and reject (which sends) need the engine to themselves, as their state is the table's. NAT
     * statements run only for a connection's first packet (nat chains), which lanes never share.
     */
    public static boolean concurrentSafe(List<BaseChain> chains) {
        for (NftTable t : tables(chains))
            for (NftChain c : t.chains)
                for (NftRule r : c.rules)
                    for (Expr e : r.exprs) if (!concurrentSafe(e)) return false;
        return true;
    }

    /** Whether a rule of the chains' tables sets the packet's mark (meta mark set). */
    public static boolean setsMark(List<BaseChain> chains) {
        for (NftTable t : tables(chains))
            for (NftChain c : t.chains)
                for (NftRule r : c.rules)
                    for (Expr e : r.exprs) if (e instanceof Expr.MetaSet m && m.key() == 3 /* NFT_META_MARK */) return true;
        return false;
    }

    private static boolean concurrentSafe(Expr e) {
        return switch (e) {
            case Expr.Payload p -> true;
            case Expr.Meta m -> true;
            case Expr.MetaSet m -> true;
            case Expr.Ct c -> true;
            case Expr.Cmp c -> true;
            case Expr.Range r -> true;
            case Expr.Bitwise b -> true;
            case Expr.Byteorder b -> true;
            case Expr.Lookup l -> true;
            case Expr.Immediate i -> true;
            case Expr.Counter c -> true;
            case Expr.Fib f -> true;
            case Expr.Nat n -> true;
            case Expr.Masq m -> true;
            case Expr.Redir r -> true;
            default -> false;
        };
    }

    /**
     * What of the ruleset the engine cannot run: {@link #unsupported}, base chains it has no hook for
     * (route chains, netdev and other families, ingress), and NAT statements reachable from a chain that is
     * not a nat chain (the kernel refuses those in nft_chain_validate; jnat's load does not follow jumps yet).
     */
    public static List<String> refused(NftRuleset rs) {
        List<String> out = unsupported(rs);
        for (NftTable t : rs.tables) {
            if ((t.flags & 1) != 0) continue;
            String fam = NftRuleset.familyName(t.family);
            for (NftChain c : t.chains) {
                if (!c.isBase()) continue;
                String where = "table " + fam + " " + t.name + " chain " + c.name + ": ";
                if (t.family != 2 && t.family != 10 && t.family != 1) out.add(where + "base chains of family " + fam);
                else if (c.type.equals("route")) out.add(where + "route chains (the rerouting of a changed mark)");
                else if (!List.of("prerouting", "input", "forward", "output", "postrouting").contains(c.hook))
                    out.add(where + "hook " + c.hook);
                else if (!c.type.equals("nat")) {
                    NftChain n = natReachable(t, c, new java.util.HashSet<>());
                    if (n != null) out.add(where + "reaches a NAT statement in chain " + n.name + " (not a nat chain)");
                }
            }
        }
        return out;
    }

    /**
     * Whether a rule of a table of the family (an inet table's for both) takes conntrack: nft_ct's get and set,
     * nft_nat, nft_masq and nft_redir call nf_ct_netns_get when the rule is added (a dormant table's too).
     */
    public static boolean usesConntrack(NftRuleset rs, boolean ipv6) {
        for (NftTable t : rs.tables) {
            if (t.family != 1 && t.family != (ipv6 ? 10 : 2)) continue;
            for (NftChain c : t.chains) for (NftRule r : c.rules) if (usesConntrack(r.exprs)) return true;
        }
        return false;
    }

    private static boolean usesConntrack(List<Expr> exprs) {
        for (Expr e : exprs) {
            if (e instanceof Expr.Ct || e instanceof Expr.CtSet || e instanceof Expr.Nat || e instanceof Expr.Masq
                    || e instanceof Expr.Redir) {
                return true;
            }
            if (e instanceof Expr.Dynset d && d.exprs() != null && usesConntrack(d.exprs())) return true;
        }
        return false;
    }

    /** A chain reachable from {@code c} by jump or goto (immediates and verdict maps) that holds a NAT statement. */
    private static NftChain natReachable(NftTable t, NftChain c, java.util.Set<NftChain> seen) {
        if (c == null || !seen.add(c)) return null;
        for (NftRule r : c.rules)
            for (Expr e : r.exprs) {
                if (e instanceof Expr.Nat || e instanceof Expr.Masq || e instanceof Expr.Redir) return c;
                List<Expr.Verdict> targets = new ArrayList<>();
                if (e instanceof Expr.Immediate i && i.verdict() != null) targets.add(i.verdict());
                if (e instanceof Expr.Lookup l && l.dreg() == Expr.NFT_REG_VERDICT && t.set(l.set()) != null)
                    for (NftSetElem el : t.set(l.set()).elements) if (el.verdict != null) targets.add(el.verdict);
                for (Expr.Verdict v : targets) {
                    if (v.chain() == null) continue;
                    NftChain n = natReachable(t, t.chain(v.chain()), seen);
                    if (n != null) return n;
                }
            }
        return null;
    }

    /** For a caller outside the package: the table of that family and name, or null. */
    public static NfTablesCore of(NftRuleset rs, String family, String table) {
        NftTable t = rs.table(NftRuleset.family(family), table);
        return t == null ? null : new NfTablesCore(t);
    }

    /** The packets and bytes of the counter of a chain's rule (by position), as nft lists them. */
    public long[] counter(String chain, int index) {
        for (Expr e : chain(chain).rules.get(index).exprs)
            if (e instanceof Expr.Counter c) return new long[] {c.packets(), c.bytes()};
        return null;
    }

    /** What of the ruleset this evaluator cannot run yet, one line each (empty: all of it). */
    public static List<String> unsupported(NftRuleset rs) {
        List<String> out = new ArrayList<>();
        for (NftTable t : rs.tables)
            for (NftChain c : t.chains)
                for (NftRule r : c.rules)
                    for (Expr e : r.exprs) {
                        String why = unsupported(e, t.family);
                        if (why != null)
                            out.add("table " + NftRuleset.familyName(t.family) + " " + t.name + " chain " + c.name
                                    + " handle " + r.handle + ": " + why);
                    }
        return out;
    }

    private static String unsupported(Expr e, int family) {
        return switch (e) {
            case Expr.Payload p -> p.base() == Proto.TRANSPORT && !transportOk(p) ? "transport header bytes "
                    + p.offset() + "-" + (p.offset() + p.len() - 1) + " (PacketContext has no accessor)"
                    : p.base() == Proto.LL ? "link-layer header loads" : null;
            case Expr.Meta m -> switch (m.key()) {
                case 0, 3, 6, 7, 8, 13, 15, 16, 19, 21, 22 -> null;
                default -> "meta " + MetaKeys.meta(m.key()).name();
            };
            case Expr.Ct c -> switch (c.key()) {
                case 0, 1, 2, 3, 7, 10, 17, 19, 20, 11, 12 -> null;
                default -> "ct " + MetaKeys.ct(c.key()).name();
            };
            case Expr.CtSet c -> c.key() == 3 ? null : "ct set " + MetaKeys.ct(c.key()).name();
            case Expr.MetaSet m -> m.key() == 3 ? null : "meta set " + MetaKeys.meta(m.key()).name();
            case Expr.Cmp c -> null;
            case Expr.Bitwise b -> b.op() == 0 ? null : "bitwise shifts";
            case Expr.Range r -> null;
            case Expr.Lookup l -> null;
            case Expr.Immediate i -> null;
            case Expr.Counter c -> null;
            case Expr.Byteorder b -> null;
            case Expr.Notrack n -> null;
            case Expr.Numgen n -> null;
            case Expr.Fib f -> f.result() == 3 && (f.flags() & 3) != 0 ? null : "fib " + f;
            case Expr.Nat n -> (n.flags() & ~(NatRange.MAP_IPS | NatRange.PROTO_SPECIFIED | NatRange.PROTO_RANDOM
                    | NatRange.PERSISTENT | NatRange.PROTO_RANDOM_FULLY)) == 0 ? null
                    : "nat flags " + n.flags() + " (netmap, port offset)";
            case Expr.Masq m -> null;
            case Expr.Redir r -> null;
            case Expr.Limit l -> null;
            case Expr.Quota q -> null;
            case Expr.Reject r -> null;
            default -> e.getClass().getSimpleName().toLowerCase() + " (the engine's statements are not wired yet)";
        };
    }

    private static boolean transportOk(Expr.Payload p) {
        return p.offset() + p.len() <= 4 || p.offset() == 13 && p.len() == 1 || p.offset() == 0 && p.len() <= 2;
    }

    /** nft_do_chain from a base chain: NF_ACCEPT or NF_DROP. */
    public int doChain(String chainName, PacketContext ctx) {
        NftChain base = chain(chainName);
        if (base == null) throw new IllegalArgumentException("no chain " + chainName);
        beforeRouting = "prerouting".equals(base.hook);
        int sp = 0;
        NftChain chain = base;
        int ruleIndex = 0;
        while (true) {
            if (ruleIndex >= chain.rules.size()) {
                // the end of a chain, or return: back where the jump came from, else the base chain's policy
                if (sp == 0) return base.policy == 1 ? NF_ACCEPT : NF_DROP;
                sp--;
                chain = stackChain[sp];
                ruleIndex = stackRule[sp];
                continue;
            }
            Expr.Verdict v = evalRule(chain.rules.get(ruleIndex++), ctx);
            if (v == null) continue; // the rule ran out (NFT_CONTINUE) or a match failed (NFT_BREAK)
            switch (v.code()) {
                case Expr.Verdict.ACCEPT -> {
                    return NF_ACCEPT;
                }
                case Expr.Verdict.DROP -> {
                    return NF_DROP;
                }
                case Expr.Verdict.CONTINUE -> { }
                case Expr.Verdict.JUMP -> {
                    if (sp == NFT_JUMP_STACK_SIZE) return NF_DROP; // the kernel warns once and drops
                    stackChain[sp] = chain;
                    stackRule[sp++] = ruleIndex;
                    chain = target(v);
                    ruleIndex = 0;
                }
                case Expr.Verdict.GOTO -> {
                    chain = target(v);
                    ruleIndex = 0;
                }
                case Expr.Verdict.RETURN -> ruleIndex = chain.rules.size();
                default -> throw new UnsupportedOperationException("verdict " + v.code());
            }
        }
    }

    /** One rule: its expressions in order; the verdict register when a verdict was set, null to go on. */
    private Expr.Verdict evalRule(NftRule rule, PacketContext ctx) {
        List<Expr> exprs = rule.exprs;
        for (int at = 0, size = exprs.size(); at < size; at++) {
            Expr e = exprs.get(at);
            switch (e) {
                case Expr.Payload p -> {
                    if (!payload(p, ctx)) return null;
                }
                case Expr.Meta m -> {
                    if (!meta(m, ctx)) return null;
                }
                case Expr.Ct c -> {
                    if (!ct(c, ctx)) return null;
                }
                case Expr.Byteorder b -> byteorder(b);
                case Expr.Cmp c -> {
                    if (!cmp(c)) return null;
                }
                case Expr.Bitwise b -> {
                    int s = off(b.sreg()), d = off(b.dreg());
                    for (int i = 0; i < b.len(); i++) regs[d + i] = (byte) ((regs[s + i] & b.mask()[i]) ^ b.xor()[i]);
                }
                case Expr.Range r -> {
                    int o = off(r.sreg());
                    boolean in = compare(o, r.from()) >= 0 && compare(o, r.to()) <= 0;
                    if (in == (r.op() == 1)) return null;
                }
                case Expr.Lookup l -> {
                    Expr.Verdict v = lookup(l);
                    if (v == BREAK) return null;
                    if (v != null) return v;
                }
                case Expr.Immediate i -> {
                    if (i.verdict() != null) return i.verdict();
                    System.arraycopy(i.data(), 0, regs, off(i.dreg()), i.data().length);
                }
                case Expr.Counter c -> c.add(ctx.cpu(), ctx.length()); // nft_counter_do_eval
                case Expr.Notrack n -> ctx.notrack();
                case Expr.Limit l -> {
                    if (overLimit(l, ctx)) return null;
                }
                case Expr.Quota q -> { // nft_quota_do_eval: consumed > quota, xor over
                    q.consumed += ctx.length();
                    if (q.consumed > q.bytes ^ (q.flags & 1) != 0) return null;
                }
                case Expr.Reject r -> {
                    if (reject == null) throw new UnsupportedOperationException("reject outside the engine (setReject)");
                    reject.reject(ctx, rejectCode(r, ctx.ipv6()));
                    return DROP;
                }
                case Expr.Nat n -> {
                    // nft_nat_inet_eval: a statement of the other family does nothing, and the rule goes on
                    if (n.family() != 1 && (n.family() == 10) != ctx.ipv6()) continue;
                    return verdict(nat(n, ctx));
                }
                case Expr.Masq m -> {
                    return verdict(natStatement().nat(ctx, NatTarget.Kind.MASQUERADE, portRange(m.flags(), m.regProtoMin(), m.regProtoMax())));
                }
                case Expr.Redir r -> {
                    return verdict(natStatement().nat(ctx, NatTarget.Kind.REDIRECT, portRange(r.flags(), r.regProtoMin(), r.regProtoMax())));
                }
                case Expr.MetaSet ms -> ctx.setMark(u32(off(ms.sreg())));
                case Expr.CtSet cs -> ctx.setCtMark(u32(off(cs.sreg())));
                case Expr.Numgen n -> {
                    int v;
                    if (n.type() == 1) {
                        v = (int) (((random.nextInt() & 0xffffffffL) * n.modulus()) >>> 32);
                    } else {
                        int[] c = numgenInc.computeIfAbsent(n, k -> new int[1]);
                        v = c[0]++ % n.modulus();
                    }
                    putU32(off(n.dreg()), v + n.offset());
                }
                case Expr.Fib f -> {
                    // nft_fib4_eval_type / nft_fib6_eval_type: the address's route type, on the in device with iif
                    boolean saddr = (f.flags() & 1) != 0;
                    String limit = (f.flags() & 8) != 0 ? ctx.inInterface() : null;
                    int types = ctx.ipv6()
                            ? ctx.addressType6(saddr ? ctx.srcAddressHi() : ctx.dstAddressHi(), saddr ? ctx.srcAddressLo() : ctx.dstAddressLo(), limit)
                            : ctx.addressType(saddr ? ctx.srcAddress() : ctx.dstAddress(), limit);
                    putU32(off(f.dreg()), ctx.ipv6() ? rtnType6(types) : Integer.numberOfTrailingZeros(types)); // RTN_* from its bit
                }
                default -> throw new UnsupportedOperationException(unsupported(e, table.family));
            }
        }
        return null;
    }

    /**
     * nft_limit_eval: the tokens the time since the last packet adds, up to the bucket (tokens_max, the
     * bucket nft_limit_init fills); the packet's cost taken when there are enough. True when the rule
     * breaks: over the rate, or (limit rate over) under it.
     */
    private static boolean overLimit(Expr.Limit l, PacketContext ctx) {
        long nsecs = l.unit * 1_000_000_000L, now = ctx.now();
        long burst = l.type == 0 && l.burst == 0 ? 5 : l.burst; // NFT_LIMIT_PKT_BURST_DEFAULT
        long max = l.type == 0 ? nsecs / l.rate * burst : nsecs * (l.rate + burst) / l.rate;
        long cost = l.type == 0 ? nsecs / l.rate : nsecs * ctx.length() / l.rate;
        if (l.last < 0) { // filled at load
            l.tokens = max;
            l.last = now;
        }
        long tokens = Math.min(max, l.tokens + now - l.last);
        l.last = now;
        boolean invert = (l.flags & 1) != 0;
        if (tokens - cost >= 0) {
            l.tokens = tokens - cost;
            return invert;
        }
        l.tokens = tokens;
        return !invert;
    }

    /**
     * nft_reject_ipv4/ipv6/inet_eval's code: icmp and icmpv6 codes as given, icmpx's mapped to the
     * packet's family (nft_reject_icmp_code, nft_reject_icmpv6_code); a TCP RST as -1.
     */
    static int rejectCode(Expr.Reject r, boolean ipv6) {
        if (r.type() == 1) return -1; // NFT_REJECT_TCP_RST
        if (r.type() == 0) return r.code(); // NFT_REJECT_ICMP_UNREACH
        int[] icmp = {0, 3, 1, 13}, icmpv6 = {0, 4, 3, 1}; // no-route, port, host, admin-prohibited
        return (ipv6 ? icmpv6 : icmp)[r.code()];
    }

    /** One RTN_* of IPv6's type bits, as Host.addressType6 picks it: multicast, unspec, local, anycast, else unicast. */
    private static final int[] RTN6_ORDER = {5, 0, 2, 4};

    private static int rtnType6(int bits) {
        for (int rtn : RTN6_ORDER) if ((bits & 1 << rtn) != 0) return rtn;
        return 1;
    }

    private static final Expr.Verdict BREAK = new Expr.Verdict(Expr.Verdict.BREAK, null);
    private static final Expr.Verdict ACCEPT = new Expr.Verdict(Expr.Verdict.ACCEPT, null);
    private static final Expr.Verdict DROP = new Expr.Verdict(Expr.Verdict.DROP, null);

    private static Expr.Verdict verdict(int nf) {
        return nf == NF_ACCEPT ? ACCEPT : DROP;
    }

    /**
     * nft_nat_eval: the addresses from sreg_addr_min/max (max defaults to min, as nft_nat_init sets it),
     * the ports as nft_reg_load16 reads them (network order), MAP_IPS and PROTO_SPECIFIED as nft_nat_init
     * adds them to the flags.
     */
    private int nat(Expr.Nat n, PacketContext ctx) {
        int flags = n.flags();
        int minPort = 0, maxPort = 0;
        if (n.regProtoMin() != 0) {
            flags |= NatRange.PROTO_SPECIFIED;
            minPort = u16be(off(n.regProtoMin()));
            maxPort = u16be(off(n.regProtoMax() != 0 ? n.regProtoMax() : n.regProtoMin()));
        }
        int amin = n.regAddrMin(), amax = n.regAddrMax() != 0 ? n.regAddrMax() : n.regAddrMin();
        NatRange range;
        if (amin == 0) {
            range = ctx.ipv6() ? new NatRange(flags, new long[4], minPort, maxPort) : new NatRange(flags, 0, 0, minPort, maxPort);
        } else if (n.family() == 10) {
            range = new NatRange(flags | NatRange.MAP_IPS,
                    new long[] {u64be(off(amin)), u64be(off(amin) + 8), u64be(off(amax)), u64be(off(amax) + 8)}, minPort, maxPort);
        } else {
            range = new NatRange(flags | NatRange.MAP_IPS, (int) u32be(off(amin)), (int) u32be(off(amax)), minPort, maxPort);
        }
        return natStatement().nat(ctx, n.type() == 0 ? NatTarget.Kind.SNAT : NatTarget.Kind.DNAT, range);
    }

    private NatStatement natStatement() {
        if (nat == null) throw new UnsupportedOperationException("a NAT statement outside the engine (no nf_nat: setNat)");
        return nat;
    }

    /** nft_masq_eval / nft_redir_eval: only ports (PROTO_SPECIFIED with them). */
    private NatRange portRange(int flags, int regMin, int regMax) {
        int minPort = 0, maxPort = 0;
        if (regMin != 0) {
            flags |= NatRange.PROTO_SPECIFIED;
            minPort = u16be(off(regMin));
            maxPort = u16be(off(regMax != 0 ? regMax : regMin));
        }
        return new NatRange(flags, 0, 0, minPort, maxPort);
    }

    private int u16be(int o) {
        return (regs[o] & 0xff) << 8 | regs[o + 1] & 0xff;
    }

    private long u32be(int o) {
        return (long) u16be(o) << 16 | u16be(o + 2);
    }

    private long u64be(int o) {
        return u32be(o) << 32 | u32be(o + 4);
    }

    /** Register r's first byte in {@link #regs}: 16-byte registers 1-4 and 4-byte 8-23 share words 4-19. */
    static int off(int reg) {
        return reg < 8 ? reg * 16 : (reg - 8 + 4) * 4;
    }

    private void putU32(int o, int v) { // host order (little-endian), as the kernel's u32 in a register
        regs[o] = (byte) v;
        regs[o + 1] = (byte) (v >>> 8);
        regs[o + 2] = (byte) (v >>> 16);
        regs[o + 3] = (byte) (v >>> 24);
    }

    private int u32(int o) {
        return regs[o] & 0xff | (regs[o + 1] & 0xff) << 8 | (regs[o + 2] & 0xff) << 16 | (regs[o + 3] & 0xff) << 24;
    }

    private void putBe(int o, long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            regs[o + i] = (byte) v;
            v >>>= 8;
        }
    }

    /** nft_payload_eval: the header's bytes into the register, or NFT_BREAK when they are not there. */
    private boolean payload(Expr.Payload p, PacketContext ctx) {
        int o = off(p.dreg());
        // the last, partly filled register word is zeroed first, so a concatenated key compares whole words
        if (p.len() % 4 != 0) java.util.Arrays.fill(regs, o + p.len() / 4 * 4, o + p.len() / 4 * 4 + 4, (byte) 0);
        if (p.base() == Proto.NETWORK) {
            for (int i = 0; i < p.len(); i++) {
                int b = networkByte(ctx, p.offset() + i);
                if (b < 0) return false;
                regs[o + i] = (byte) b;
            }
            return true;
        }
        if (p.base() != Proto.TRANSPORT || ctx.nonFirstFragment()) return false;
        for (int i = 0; i < p.len(); i++) {
            int b = transportByte(ctx, p.offset() + i);
            if (b < 0) return false;
            regs[o + i] = (byte) b;
        }
        return true;
    }

    /** The transport header's bytes PacketContext has accessors for: ports, ICMP type and code, TCP flags. */
    private static int transportByte(PacketContext ctx, int offset) {
        int proto = ctx.protocol();
        if (proto == 1 || proto == 58) return offset == 0 ? ctx.icmpType() : offset == 1 ? ctx.icmpCode() : -1;
        return switch (offset) {
            case 0 -> ctx.srcPort() >>> 8;
            case 1 -> ctx.srcPort() & 0xff;
            case 2 -> ctx.dstPort() >>> 8;
            case 3 -> ctx.dstPort() & 0xff;
            case 13 -> proto == 6 ? ctx.tcpFlags() : -1;
            default -> -1;
        };
    }

    /** The IPv4 header's fields from the accessors, other bytes from networkByte. */
    private static int networkByte(PacketContext ctx, int offset) {
        if (ctx.ipv6()) {
            if (offset >= 8 && offset < 24) return (int) ((offset < 16 ? ctx.srcAddressHi() : ctx.srcAddressLo()) >>> (56 - 8 * (offset % 8))) & 0xff;
            if (offset >= 24 && offset < 40) return (int) ((offset < 32 ? ctx.dstAddressHi() : ctx.dstAddressLo()) >>> (56 - 8 * (offset % 8))) & 0xff;
            if (offset == 7) return ctx.hopLimit();
            return ctx.networkByte(offset);
        }
        if (offset >= 12 && offset < 16) return ctx.srcAddress() >>> (8 * (15 - offset)) & 0xff;
        if (offset >= 16 && offset < 20) return ctx.dstAddress() >>> (8 * (19 - offset)) & 0xff;
        if (offset == 9) return ctx.protocol();
        return ctx.networkByte(offset);
    }

    /** nft_byteorder_eval: each {@code size}-byte word of the register reversed (host order is little-endian here). */
    private void byteorder(Expr.Byteorder b) {
        int s = off(b.sreg()), d = off(b.dreg());
        for (int w = 0; w + b.size() <= b.len(); w += b.size()) {
            for (int i = 0; i < b.size(); i++) tmp[i] = regs[s + w + b.size() - 1 - i];
            System.arraycopy(tmp, 0, regs, d + w, b.size());
        }
    }

    private final byte[] tmp = new byte[16];
    /** The walk under way is at prerouting, where the packet has no route (skb_dst) yet. */
    private boolean beforeRouting;

    /** nft_meta_get_eval: false where the kernel breaks (no such device, no route yet). */
    private boolean meta(Expr.Meta m, PacketContext ctx) {
        int o = off(m.dreg());
        switch (m.key()) {
            case 0 -> putU32(o, ctx.length()); // skb->len: the network header on (ip_rcv trimmed it to tot_len)
            case 8 -> { // nft_reg_store16(dest, in->type)
                if (ctx.inIfindex() == 0) return false;
                putU32(o, ctx.inDeviceType() & 0xffff);
            }
            case 13 -> { // dst->tclassid: the input route is taken after prerouting
                if (beforeRouting) return false;
                putU32(o, ctx.routeClassid());
            }
            case 21 -> { // no device: in is NULL for the host's own packets, out before routing
                if (ctx.inIfindex() == 0) return false;
                putU32(o, ctx.inDeviceGroup());
            }
            case 22 -> {
                if (ctx.outIfindex() == 0) return false;
                putU32(o, ctx.outDeviceGroup());
            }
            case 3 -> putU32(o, ctx.mark());
            case 6, 7 -> {
                byte[] name = (m.key() == 6 ? ctx.inInterface() : ctx.outInterface()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                java.util.Arrays.fill(regs, o, o + 16, (byte) 0);
                System.arraycopy(name, 0, regs, o, Math.min(16, name.length));
            }
            // nft_reg_store8: the byte in a zeroed word
            case 15 -> putU32(o, ctx.ipv6() ? 10 : 2);
            case 16 -> putU32(o, ctx.protocol());
            case 19 -> putU32(o, ctx.pktType());
            default -> throw new UnsupportedOperationException("meta " + m.key());
        }
        return true;
    }

    /** nft_ct_get_eval: the conntrack state bits as nf_tables has them (NF_CT_STATE_BIT, untracked 64). */
    private boolean ct(Expr.Ct c, PacketContext ctx) {
        int o = off(c.dreg());
        int st = ctx.ctState();
        // every key but the state needs the connection (untracked packets have none)
        if (c.key() != 0 && !ctx.hasConnection()) return false;
        switch (c.key()) {
            case 7 -> putU32(o, ctx.ipv6() ? 10 : 2); // nf_ct_l3num, nft_reg_store8
            case 10 -> putU32(o, ctx.ctProtocol());
            case 17 -> { // the zone's id, or in a direction nf_ct_zone_id's (the default zone's where it does not apply)
                int zone = ctx.ctZone();
                putU32(o, c.dir() < 0 ? zone & 0xffff : jnat.conntrack.NfConntrackZones.id(zone, c.dir()));
            }
            case 0 -> {
                int bits = 0;
                if ((st & PacketContext.CT_INVALID) != 0) bits |= 1;
                if ((st & PacketContext.CT_ESTABLISHED) != 0) bits |= 2;
                if ((st & PacketContext.CT_RELATED) != 0) bits |= 4;
                if ((st & PacketContext.CT_NEW) != 0) bits |= 8;
                if ((st & PacketContext.CT_UNTRACKED) != 0) bits |= 64;
                putU32(o, bits);
            }
            case 1 -> putU32(o, ctx.ctDirection()); // nft_reg_store8
            case 2 -> putU32(o, ctx.ctStatus()); // IPS_* bits, as nft's ct_status values are
            case 3 -> putU32(o, ctx.ctMark());
            case 19 -> putBe(o, (c.dir() == 1 ? ctx.ctReplySrc() : ctx.ctOrigSrc()) & 0xffffffffL, 4);
            case 20 -> putBe(o, (c.dir() == 1 ? ctx.ctReplyDst() : ctx.ctOrigDst()) & 0xffffffffL, 4);
            case 11 -> { // nft_reg_store16 of the network-order port
                putU32(o, 0);
                putBe(o, c.dir() == 1 ? ctx.ctReplySrcPort() : ctx.ctOrigSrcPort(), 2);
            }
            case 12 -> {
                putU32(o, 0);
                putBe(o, c.dir() == 1 ? ctx.ctReplyDstPort() : ctx.ctOrigDstPort(), 2);
            }
            default -> throw new UnsupportedOperationException("ct " + c.key());
        }
        return true;
    }

    /** nft_cmp_eval: memcmp of the register with the data. */
    private boolean cmp(Expr.Cmp c) {
        int d = compare(off(c.sreg()), c.data());
        return switch (c.op()) {
            case 0 -> d == 0;
            case 1 -> d != 0;
            case 2 -> d < 0;
            case 3 -> d <= 0;
            case 4 -> d > 0;
            default -> d >= 0;
        };
    }

    private int compare(int o, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            int a = regs[o + i] & 0xff, b = data[i] & 0xff;
            if (a != b) return a - b;
        }
        return 0;
    }

    /** nft_lookup_eval: the key in the set's register layout; a verdict map's verdict; BREAK when absent (or present, inverted). */
    private Expr.Verdict lookup(Expr.Lookup l) {
        NftSet s = set(l.set());
        NftSetHash ix = setIndex.get(s);
        if (ix == null || !ix.describes(s)) {
            ix = new NftSetHash(s);
            setIndex.put(s, ix);
        }
        int i = ix.find(regs, off(l.sreg()));
        boolean inv = (l.flags() & 1) != 0;
        if ((i >= 0) == inv) return BREAK;
        if (l.dreg() == Expr.NFT_REG_VERDICT) return ix.element(i).verdict;
        if (l.dreg() > 0) {
            byte[] d = ix.data(i);
            System.arraycopy(d, 0, regs, off(l.dreg()), d.length);
        }
        return null;
    }

    /** Each looked-up set's index (built at its first lookup; a new ruleset brings new evaluators). */
    private final java.util.IdentityHashMap<NftSet, NftSetHash> setIndex = new java.util.IdentityHashMap<>();
}

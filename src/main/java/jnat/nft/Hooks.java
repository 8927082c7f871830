package jnat.nft;

import jnat.nft.Parser.ChainDecl;

/**
 * Base chain types, hooks and priorities: the chain types the kernel registers per family
 * (nft_chain_filter.c, nft_chain_nat.c, nft_chain_route.c), and nft's standard priority names
 * (src/rule.c std_prios) with the hooks nft 1.0.6 allows each at: raw -300, mangle -150, dstnat -100
 * (prerouting), filter 0, security 50, srcnat 100 (postrouting).
 */
final class Hooks {
    private Hooks() {}

    static final String[] NAMES = {"raw", "mangle", "dstnat", "filter", "security", "srcnat"};
    static final int[] VALUES = {-300, -150, -100, 0, 50, 100};

    static void check(int family, ChainDecl d) {
        if (!d.typeName.equals("filter") && !d.typeName.equals("nat") && !d.typeName.equals("route"))
            throw NftError.at(d.type, "unknown chain type");
        boolean ipLike = family == 2 || family == 10 || family == 1;
        boolean known = switch (d.hookName) {
            case "prerouting", "input", "forward", "output", "postrouting" -> ipLike || family == 7;
            case "ingress" -> family == 5 || family == 1;
            default -> false;
        };
        if (!known) throw NftError.at(d.hook, "unknown chain hook");
        if (!ipLike) throw NftError.at(d.hook, "jnat: base chains of family " + NftRuleset.familyName(family)
                + " are not supported yet");
        boolean ok = switch (d.typeName) {
            case "nat" -> !d.hookName.equals("forward") && !d.hookName.equals("ingress");
            case "route" -> d.hookName.equals("output") && family != 1 || d.hookName.equals("output");
            default -> true;
        };
        if (!ok) throw NftError.kernel(Commands.loc(d.name), "Could not process rule: Operation not supported");
        priority(family, d);
    }

    /**
     * The kernel's validation of a rule's expressions in a base chain (the ops' validate: nft_nat_validate,
     * nft_masq_validate, nft_redir_validate, nft_reject_validate, nft_fib_validate): EOPNOTSUPP for the
     * whole rule. Rules of other chains are validated by the kernel when a base chain reaches them;
     * jnat does not follow jumps for this yet.
     */
    static void validate(NftChain c, NftRule r, Scanner.Token first, Scanner.Token last) {
        if (!c.isBase()) return;
        for (Expr e : r.exprs) {
            boolean ok = switch (e) {
                case Expr.Nat n -> c.type.equals("nat") && (n.type() == 0
                        ? c.hook.equals("postrouting") || c.hook.equals("input")
                        : c.hook.equals("prerouting") || c.hook.equals("output"));
                case Expr.Masq m -> c.type.equals("nat") && c.hook.equals("postrouting");
                case Expr.Redir rd -> c.type.equals("nat") && (c.hook.equals("prerouting") || c.hook.equals("output"));
                case Expr.Reject rj -> !c.hook.equals("postrouting");
                case Expr.Fib f -> fibHookOk(f, c.hook);
                default -> true;
            };
            if (!ok) throw NftError.kernel(new NftError.Location(first.line(), first.col(),
                    last.line() == first.line() ? last.end() : first.end()), "Could not process rule: Operation not supported");
        }
    }

    private static boolean fibHookOk(Expr.Fib f, String hook) {
        boolean in = hook.equals("prerouting") || hook.equals("input") || hook.equals("forward");
        boolean out = hook.equals("output") || hook.equals("postrouting") || hook.equals("forward");
        if (f.result() == 3) {
            if ((f.flags() & 8) != 0) return in;
            if ((f.flags() & 16) != 0) return out;
            return true;
        }
        return in; // the output interface of a route looked up on the way in
    }

    /** The number a priority stands for, or nft's error when its name is unknown or not for this hook. */
    static int priority(int family, ChainDecl d) {
        if (d.priority != null) return d.priority;
        for (int i = 0; i < NAMES.length; i++) {
            if (!NAMES[i].equals(d.prioName)) continue;
            if (allowed(NAMES[i], d.hookName)) return VALUES[i] + d.prioOffset;
        }
        throw NftError.span(d.prioStart, d.prioEnd, "invalid priority expression value in this context.");
    }

    static boolean allowed(String name, String hook) {
        return switch (name) {
            case "dstnat" -> hook.equals("prerouting");
            case "srcnat" -> hook.equals("postrouting");
            default -> true;
        };
    }

    /** prio2str: a standard name with an offset within 10 of it when one fits the hook, else the number. */
    static String print(int family, String hook, int prio, boolean numeric) {
        if (!numeric) {
            for (int i = 0; i < NAMES.length; i++) {
                if (!allowed(NAMES[i], hook)) continue;
                int off = prio - VALUES[i];
                if (off == 0) return NAMES[i];
                if (Math.abs(off) <= 10) return NAMES[i] + (off > 0 ? " + " : " - ") + Math.abs(off);
            }
        }
        return Integer.toString(prio);
    }
}

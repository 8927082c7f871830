package jnat.rules;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Which of a table's walks may run on two lanes at once, found from its rules once per compiled
 * form (not the kernel's: ipt_do_table runs on every CPU, with the matches' own locks). A table
 * whose every match and target is {@link Match#concurrentSafe} may be walked by any packet on any
 * lane; one with others (limit, LOG, recent, REJECT ...) still may be walked by a packet of an
 * established connection from a hook where no such rule is reachable for it: rulesets put
 * {@code -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT} first (ufw's before-forward chain,
 * firewalld's, libvirt's), so an established packet is accepted before it meets them.
 *
 * <p>The search is conservative: a rule ends the walk only when its target is ACCEPT or DROP (or it
 * goes or jumps to a chain that always ends it) and the rule matches every established packet (no
 * address, interface, protocol or fragment condition, and only comments and ctstate/state matches
 * that include ESTABLISHED); RETURN of such a rule ends its chain. Every other rule may or may not
 * match, so both ways are followed.
 */
final class LaneSafety {
    private LaneSafety() {}

    /** What a walk of a chain can do: reach an unsafe rule, always end the table's walk, or come back. */
    private enum Result { UNSAFE, ENDS, RETURNS }

    /**
     * Whether a packet can walk {@code table} from {@code hook} on two lanes at once: any packet
     * when the table is all safe; with {@code established}, one whose connection is established
     * (ctstate ESTABLISHED) when no unsafe rule is reachable for it.
     */
    static boolean safe(Table table, Hook hook, boolean established) {
        Chain start = table.builtin(hook);
        if (start == null) return true;
        return walk(start, established, new IdentityHashMap<>()) != Result.UNSAFE;
    }

    private static Result walk(Chain c, boolean established, Map<Chain, Result> seen) {
        Result known = seen.get(c);
        if (known != null) return known;
        seen.put(c, Result.RETURNS); // iptables refuses loops; a second visit on this path finds nothing new
        Result r = rules(c, established, seen);
        seen.put(c, r);
        return r;
    }

    private static Result rules(Chain c, boolean established, Map<Chain, Result> seen) {
        for (Rule rule : c.rules) {
            for (Match m : rule.matches) if (!m.concurrentSafe()) return Result.UNSAFE;
            boolean always = established && matchesEveryEstablished(rule);
            if (rule.jump != null) {
                Result sub = walk(rule.jump, established, seen);
                if (sub == Result.UNSAFE) return Result.UNSAFE;
                if (always && (rule.isGoto || sub == Result.ENDS)) return sub; // nothing after it is reached
                continue;
            }
            Target t = rule.target;
            if (t == null) continue;
            if (!t.concurrentSafe()) return Result.UNSAFE;
            if (!always) continue;
            if (t == Target.ACCEPT || t == Target.DROP) return Result.ENDS;
            if (t == Target.RETURN) return Result.RETURNS;
        }
        return Result.RETURNS;
    }

    /** A rule every packet of an established connection matches. */
    private static boolean matchesEveryEstablished(Rule r) {
        if (r.srcMask != 0 || r.dstMask != 0 || r.srcMask6Hi != 0 || r.srcMask6Lo != 0 || r.dstMask6Hi != 0
                || r.dstMask6Lo != 0 || !r.inIface.isEmpty() || !r.outIface.isEmpty() || r.proto != 0 || r.fragment
                || r.invflags != 0) {
            return false;
        }
        for (Match m : r.matches) {
            switch (m) {
                case CommentMatch c -> { }
                case StateMatch s -> {
                    if (s.invert || (s.stateMask & PacketContext.CT_ESTABLISHED) == 0) return false;
                }
                case ConntrackMatch c -> {
                    if (c.matchFlags != ConntrackMatch.STATE || c.invertFlags != 0
                            || (c.stateMask & PacketContext.CT_ESTABLISHED) == 0) return false;
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }
}

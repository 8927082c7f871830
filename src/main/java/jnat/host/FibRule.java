package jnat.host;

/**
 * One policy routing rule (struct fib_rule with fib4_rule's or fib6_rule's prefixes): its
 * priority, selectors (from, to, fwmark/mask, iif, oif, not) and action (lookup a table, goto,
 * nop, blackhole, unreachable, prohibit). Addresses are an IPv4 int or an IPv6 hi/lo pair.
 */
public final class FibRule {
    /** FR_ACT_* (fib_rules.h). */
    public static final int TO_TBL = 1, GOTO = 2, NOP = 3, BLACKHOLE = 6, UNREACHABLE = 7, PROHIBIT = 8;

    final int family;
    final int priority;
    final boolean invert;
    final int src, dst;
    final long srcHi, srcLo, dstHi, dstLo;
    final int srcLen, dstLen;
    final int mark, markMask;
    /** Device names as given (the kernel keeps the name and matches the ifindex once it exists). */
    final String iif, oif;
    final int table;
    final int action;
    /** GOTO's target priority. */
    final int target;

    FibRule(int family, int priority, boolean invert, int src, long srcHi, long srcLo, int srcLen,
            int dst, long dstHi, long dstLo, int dstLen, int mark, int markMask, String iif, String oif,
            int table, int action, int target) {
        this.family = family;
        this.priority = priority;
        this.invert = invert;
        this.src = src;
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.srcLen = srcLen;
        this.dst = dst;
        this.dstHi = dstHi;
        this.dstLo = dstLo;
        this.dstLen = dstLen;
        this.mark = mark;
        this.markMask = markMask;
        this.iif = iif;
        this.oif = oif;
        this.table = table;
        this.action = action;
        this.target = target;
    }

    /** A rule looking up {@code table} from all, at {@code priority}: the kernel's defaults. */
    static FibRule lookup(int family, int priority, int table) {
        return new FibRule(family, priority, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, table, TO_TBL, 0);
    }

    public int priority() { return priority; }
    public int table() { return table; }
    public int action() { return action; }

    /** The same rule at another priority (fib_default_rule_pref chose it). */
    FibRule withPriority(int p) {
        return new FibRule(family, p, invert, src, srcHi, srcLo, srcLen, dst, dstHi, dstLo, dstLen, mark, markMask,
                iif, oif, table, action, target);
    }

    /** fib_rule_match's device and mark tests: the iif/oif by name (a missing device never matches). */
    private boolean matchCommon(int flowMark, Interface in, Interface out) {
        if (iif != null && (in == null || !in.name().equals(iif))) return false;
        if (oif != null && (out == null || !out.name().equals(oif))) return false;
        return ((mark ^ flowMark) & markMask) == 0;
    }

    /** fib_rule_match with fib4_rule_match's prefixes, inverted by {@code not}. */
    boolean matches4(int d, int s, int flowMark, Interface in, Interface out) {
        boolean ret = matchCommon(flowMark, in, out)
                && ((s ^ src) & Inet4.mask(srcLen)) == 0 && ((d ^ dst) & Inet4.mask(dstLen)) == 0;
        return invert != ret;
    }

    /** fib_rule_match with fib6_rule_match's prefixes (ipv6_prefix_equal), inverted by {@code not}. */
    boolean matches6(long dh, long dl, long sh, long sl, int flowMark, Interface in, Interface out) {
        boolean ret = matchCommon(flowMark, in, out)
                && (srcLen == 0 || Inet6.commonPrefix(sh, sl, srcHi, srcLo) >= srcLen)
                && (dstLen == 0 || Inet6.commonPrefix(dh, dl, dstHi, dstLo) >= dstLen);
        return invert != ret;
    }

    /**
     * What fib_nl_delrule's rule_find asks of a rule: each attribute the request gave (a table of 0,
     * as rule del without one sends, matches any).
     */
    boolean deletes(FibRule o, boolean comparePriority) {
        return (!comparePriority || priority == o.priority) && invert == o.invert
                && src == o.src && srcHi == o.srcHi && srcLo == o.srcLo && srcLen == o.srcLen
                && dst == o.dst && dstHi == o.dstHi && dstLo == o.dstLo && dstLen == o.dstLen
                && mark == o.mark && markMask == o.markMask && java.util.Objects.equals(iif, o.iif)
                && java.util.Objects.equals(oif, o.oif) && (table == 0 || table == o.table)
                && (action == TO_TBL || action == o.action) && target == o.target;
    }

    /** rule_exists: the same selectors and action (the priority only when one was given). */
    boolean sameAs(FibRule o, boolean comparePriority) {
        return (!comparePriority || priority == o.priority) && invert == o.invert && family == o.family
                && src == o.src && srcHi == o.srcHi && srcLo == o.srcLo && srcLen == o.srcLen
                && dst == o.dst && dstHi == o.dstHi && dstLo == o.dstLo && dstLen == o.dstLen
                && mark == o.mark && markMask == o.markMask && java.util.Objects.equals(iif, o.iif)
                && java.util.Objects.equals(oif, o.oif) && table == o.table && action == o.action && target == o.target;
    }

    private static String hex(int v) {
        return v == 0 ? "0" : "0x" + Integer.toHexString(v);
    }

    /** One line of ip rule show (iprule.c print_rule, iproute2 6.1). */
    String format(FibRules rules, Host host) {
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toUnsignedString(priority)).append(":\t");
        if (invert) sb.append("not ");
        sb.append("from ");
        int full = family == 4 ? 32 : 128;
        if (srcLen == 0) sb.append("all");
        else sb.append(family == 4 ? Inet4.format(src) : IpFormat6.formatAddress(srcHi, srcLo))
                .append(srcLen != full ? "/" + srcLen : "");
        if (dstLen != 0) {
            sb.append(" to ").append(family == 4 ? Inet4.format(dst) : IpFormat6.formatAddress(dstHi, dstLo))
                    .append(dstLen != full ? "/" + dstLen : "");
        }
        if (mark != 0 || markMask != 0) {
            sb.append(" fwmark ").append(hex(mark)); // printf's %#x: 0 has no 0x
            if (markMask != -1) sb.append('/').append(hex(markMask));
        }
        if (iif != null) sb.append(" iif ").append(iif).append(host.device(iif) == null ? " [detached]" : "");
        if (oif != null) sb.append(" oif ").append(oif).append(host.device(oif) == null ? " [detached]" : "");
        if (table != 0) sb.append(" lookup ").append(Route.tableName(table));
        switch (action) {
            case GOTO -> sb.append(" goto ").append(Integer.toUnsignedString(target))
                    .append(rules.gotoIndex(this) < 0 ? " [unresolved]" : "");
            case NOP -> sb.append(" nop");
            case BLACKHOLE -> sb.append(" blackhole");
            case UNREACHABLE -> sb.append(" unreachable");
            case PROHIBIT -> sb.append(" prohibit");
            default -> { }
        }
        return sb.append('\n').toString();
    }
}

package jnat.rules;

/**
 * One rule (an ipt_entry): the ipt_ip header fields, its matches, and either a target or a
 * jump/goto to a user chain. Structure is fixed once built; the counters are mutable fields that
 * the traversal bumps.
 */
public final class Rule {
    // ipt_ip invflags (IPT_INV_*, XT_INV_PROTO)
    public static final int INV_VIA_IN = 0x01, INV_VIA_OUT = 0x02, INV_SRCIP = 0x08, INV_DSTIP = 0x10,
            INV_FRAG = 0x20, INV_PROTO = 0x40;

    public final int src, srcMask, dst, dstMask;
    /** An ip6t_ip6 rule: its addresses are the 128-bit ones below, src/dst above are 0. */
    public final boolean ipv6;
    public final long src6Hi, src6Lo, srcMask6Hi, srcMask6Lo, dst6Hi, dst6Lo, dstMask6Hi, dstMask6Lo;
    /** Interface names as given ("" for any; a trailing '+' is a prefix wildcard). */
    public final String inIface, outIface;
    public final int proto;
    public final boolean fragment;
    public final int invflags;
    final Match[] matches;
    /** The target, or null for a jump/goto (see {@link #jump}) or a rule without -j. */
    public final Target target;
    /** The user chain jumped to (or gone to, with -g), or null. */
    Chain jump;
    public final boolean isGoto;

    public long packets;
    public long bytes;

    Rule(int src, int srcMask, int dst, int dstMask, String inIface, String outIface, int proto, boolean fragment,
            int invflags, Match[] matches, Target target, Chain jump, boolean isGoto) {
        this(false, new long[4], new long[4], src, srcMask, dst, dstMask, inIface, outIface, proto, fragment, invflags,
                matches, target, jump, isGoto);
    }

    /** An IPv6 rule: {@code s6} and {@code d6} are {hi, lo, maskHi, maskLo} (Inet6.parseNetwork). */
    Rule(long[] s6, long[] d6, String inIface, String outIface, int proto, int invflags, Match[] matches,
            Target target, Chain jump, boolean isGoto) {
        this(true, s6, d6, 0, 0, 0, 0, inIface, outIface, proto, false, invflags, matches, target, jump, isGoto);
    }

    private Rule(boolean ipv6, long[] s6, long[] d6, int src, int srcMask, int dst, int dstMask, String inIface,
            String outIface, int proto, boolean fragment, int invflags, Match[] matches, Target target, Chain jump,
            boolean isGoto) {
        this.ipv6 = ipv6;
        this.src6Hi = s6[0];
        this.src6Lo = s6[1];
        this.srcMask6Hi = s6[2];
        this.srcMask6Lo = s6[3];
        this.dst6Hi = d6[0];
        this.dst6Lo = d6[1];
        this.dstMask6Hi = d6[2];
        this.dstMask6Lo = d6[3];
        this.src = src;
        this.srcMask = srcMask;
        this.dst = dst;
        this.dstMask = dstMask;
        this.inIface = inIface;
        this.outIface = outIface;
        this.proto = proto;
        this.fragment = fragment;
        this.invflags = invflags;
        this.matches = matches;
        this.target = target;
        this.jump = jump;
        this.isGoto = isGoto;
    }

    public Chain jump() {
        return jump;
    }

    public int matchCount() {
        return matches.length;
    }

    public Match match(int i) {
        return matches[i];
    }

    /** The target column of -L: the target's or the chain's name, "" for none. */
    public String targetName() {
        return jump != null ? jump.name() : target != null ? target.name() : "";
    }

    private boolean inv(int f) {
        return (invflags & f) != 0;
    }

    /** ip_packet_match() and then every match, as ipt_do_table checks a rule. */
    public boolean matches(PacketContext ctx) {
        if (ipv6) {
            if (!ip6AddressesMatch(ctx)) return false;
        } else {
            if (((ctx.srcAddress() & srcMask) != src) != inv(INV_SRCIP)) return false;
            if (((ctx.dstAddress() & dstMask) != dst) != inv(INV_DSTIP)) return false;
        }
        if (!ifaceMatches(inIface, ctx.inInterface()) != inv(INV_VIA_IN)) return false;
        if (!ifaceMatches(outIface, ctx.outInterface()) != inv(INV_VIA_OUT)) return false;
        if (proto != 0 && (ctx.protocol() != proto) != inv(INV_PROTO)) return false;
        if (fragment && !ctx.nonFirstFragment() != inv(INV_FRAG)) return false;
        for (Match m : matches) {
            if (!m.matches(ctx)) return false;
        }
        return true;
    }

    /** ip6_packet_match's address half: each masked address compared, as ipv6_masked_addr_cmp. */
    private boolean ip6AddressesMatch(PacketContext ctx) {
        boolean s = (ctx.srcAddressHi() & srcMask6Hi) == src6Hi && (ctx.srcAddressLo() & srcMask6Lo) == src6Lo;
        if (s == inv(INV_SRCIP)) return false;
        boolean d = (ctx.dstAddressHi() & dstMask6Hi) == dst6Hi && (ctx.dstAddressLo() & dstMask6Lo) == dst6Lo;
        return d != inv(INV_DSTIP);
    }

    /** ifname_compare with iptables' mask: "eth+" matches by prefix, else the whole name. */
    static boolean ifaceMatches(String pattern, String name) {
        if (pattern.isEmpty()) return true;
        if (name == null) name = "";
        int n = pattern.length();
        if (pattern.charAt(n - 1) == '+') return name.regionMatches(0, pattern, 0, n - 1);
        return name.equals(pattern);
    }

    /** The rule as iptables -S / iptables-save prints it after "-A CHAIN"; counters at "-c" when asked. */
    void save(StringBuilder out, boolean counters) {
        if (ipv6) {
            saveAddr6(out, 's', src6Hi, src6Lo, srcMask6Hi, srcMask6Lo, inv(INV_SRCIP));
            saveAddr6(out, 'd', dst6Hi, dst6Lo, dstMask6Hi, dstMask6Lo, inv(INV_DSTIP));
        } else {
            saveAddr(out, 's', src, srcMask, inv(INV_SRCIP));
            saveAddr(out, 'd', dst, dstMask, inv(INV_DSTIP));
        }
        saveIface(out, 'i', inIface, inv(INV_VIA_IN));
        saveIface(out, 'o', outIface, inv(INV_VIA_OUT));
        if (proto != 0) {
            if (inv(INV_PROTO)) out.append(" !");
            out.append(" -p ").append(Protocols.saveName(proto));
        }
        if (fragment) {
            if (inv(INV_FRAG)) out.append(" !");
            out.append(" -f");
        }
        for (Match m : matches) {
            out.append(" -m ").append(m.name());
            m.save(out);
        }
        if (counters) out.append(" -c ").append(Long.toUnsignedString(packets)).append(' ').append(Long.toUnsignedString(bytes));
        if (jump != null) {
            out.append(isGoto ? " -g " : " -j ").append(jump.name());
        } else if (target != null) {
            out.append(" -j ").append(target.saveName());
            target.save(out);
        }
    }

    private static void saveAddr(StringBuilder out, char letter, int addr, int mask, boolean inv) {
        if (mask == 0 && addr == 0 && !inv) return;
        if (inv) out.append(" !");
        out.append(" -").append(letter).append(' ').append(Inet.format(addr)).append(Inet.saveMask(mask));
    }

    private static void saveAddr6(StringBuilder out, char letter, long hi, long lo, long mHi, long mLo, boolean inv) {
        if (mHi == 0 && mLo == 0 && hi == 0 && lo == 0 && !inv) return;
        if (inv) out.append(" !");
        out.append(" -").append(letter).append(' ').append(Inet6.format(hi, lo)).append(Inet6.saveMask(mHi, mLo));
    }

    private static void saveIface(StringBuilder out, char letter, String iface, boolean inv) {
        if (iface.isEmpty()) return;
        if (inv) out.append(" !");
        out.append(" -").append(letter).append(' ').append(iface);
    }

    /** The rule's specification (no counters), as -D and -C compare rules. */
    String spec() {
        StringBuilder sb = new StringBuilder();
        save(sb, false);
        return sb.toString();
    }

    @Override
    public String toString() {
        return spec().trim();
    }
}

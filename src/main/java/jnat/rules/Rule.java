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
        if (((ctx.srcAddress() & srcMask) != src) != inv(INV_SRCIP)) return false;
        if (((ctx.dstAddress() & dstMask) != dst) != inv(INV_DSTIP)) return false;
        if (!ifaceMatches(inIface, ctx.inInterface()) != inv(INV_VIA_IN)) return false;
        if (!ifaceMatches(outIface, ctx.outInterface()) != inv(INV_VIA_OUT)) return false;
        if (proto != 0 && (ctx.protocol() != proto) != inv(INV_PROTO)) return false;
        if (fragment && !ctx.nonFirstFragment() != inv(INV_FRAG)) return false;
        for (Match m : matches) {
            if (!m.matches(ctx)) return false;
        }
        return true;
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
        saveAddr(out, 's', src, srcMask, inv(INV_SRCIP));
        saveAddr(out, 'd', dst, dstMask, inv(INV_DSTIP));
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

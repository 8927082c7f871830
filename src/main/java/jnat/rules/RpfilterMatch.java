package jnat.rules;

/**
 * -m rpfilter (ipt_rpfilter.c, ip6t_rpfilter.c, libxt_rpfilter.c): the reverse path filter, a FIB
 * lookup of the packet's source as if it were the destination, from the loopback device: it
 * passes when the route is unicast and leaves by the interface the packet came in on (--loose:
 * by any), or is local with --accept-local. jnat's host has the default routing rules only, so
 * --validmark (the mark as the lookup's fwmark) cannot change the answer. Only in PREROUTING of
 * the raw and mangle tables, as the kernel allows it.
 */
public final class RpfilterMatch implements Match {
    // XT_RPFILTER_* flags
    static final int LOOSE = 1, VALID_MARK = 2, ACCEPT_LOCAL = 4, INVERT = 8;
    private static final String[] NAMES = {"loose", "validmark", "accept-local", "invert"};
    final int flags;

    RpfilterMatch(int flags) {
        this.flags = flags;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "rpfilter";
    }

    @Override
    public int hooks() {
        return Hook.PREROUTING.bit();
    }

    /** rpfilter_mt: loopback and the zero source to a broadcast or link-local multicast pass; else the lookup. */
    @Override
    public boolean matches(PacketContext ctx) {
        boolean invert = (flags & INVERT) != 0;
        if (ctx.inLoopback()) return !invert;
        if (!ctx.ipv6()) {
            int s = ctx.srcAddress(), d = ctx.dstAddress();
            if ((s >>> 24) == 0 && (d == -1 || (d & 0xFFFFFF00) == 0xE0000000)) return !invert;
        } else if (ctx.srcAddressHi() == 0 && ctx.srcAddressLo() == 0) {
            return !invert; // IPV6_ADDR_ANY: not routable, the forward path drops it
        }
        int rp = ctx.reversePath();
        boolean ok = switch (rp) {
            case PacketContext.RPF_UNICAST_IN -> true;
            case PacketContext.RPF_UNICAST_OTHER -> (flags & LOOSE) != 0;
            case PacketContext.RPF_LOCAL -> (flags & ACCEPT_LOCAL) != 0;
            case PacketContext.RPF_LOCAL_OTHER -> (flags & ACCEPT_LOCAL) != 0 && (flags & LOOSE) != 0;
            default -> false;
        };
        return ok != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" rpfilter");
        dump(out, "");
    }

    @Override
    public void save(StringBuilder out) {
        dump(out, "--");
    }

    private void dump(StringBuilder out, String prefix) {
        for (int i = 0; i < NAMES.length; i++) if ((flags & 1 << i) != 0) out.append(' ').append(prefix).append(NAMES[i]);
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("rpfilter", XtOptions.entry("loose", 0), XtOptions.entry("validmark", 1),
                XtOptions.entry("accept-local", 2), XtOptions.entry("invert", 3));
        int flags;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            opts.parse(e, invert);
            flags |= 1 << e.id();
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            return new RpfilterMatch(flags);
        }
    }
}

package jnat.rules;

/** -m addrtype revision 1 (xt_addrtype.c, libxt_addrtype.c). */
public final class AddrtypeMatch implements Match {
    static final String[] TYPES = {"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
        "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"};
    public static final int INVERT_SOURCE = 1, INVERT_DEST = 2, LIMIT_IFACE_IN = 4, LIMIT_IFACE_OUT = 8;

    /** Bit masks of RTN_* types (1 << RTN_x), as PacketContext.addressType answers. */
    public final int source, dest, flags;
    /** An ip6tables rule: addresses are looked up with addressType6. */
    public final boolean ipv6;

    AddrtypeMatch(int source, int dest, int flags) {
        this(source, dest, flags, false);
    }

    AddrtypeMatch(int source, int dest, int flags, boolean ipv6) {
        this.source = source;
        this.dest = dest;
        this.flags = flags;
        this.ipv6 = ipv6;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "addrtype";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        String dev = (flags & LIMIT_IFACE_IN) != 0 ? ctx.inInterface()
                : (flags & LIMIT_IFACE_OUT) != 0 ? ctx.outInterface() : null;
        if (source != 0) {
            int t = ipv6 ? ctx.addressType6(ctx.srcAddressHi(), ctx.srcAddressLo(), dev) : ctx.addressType(ctx.srcAddress(), dev);
            if (((t & source) != 0) == ((flags & INVERT_SOURCE) != 0)) return false;
        }
        if (dest != 0) {
            int t = ipv6 ? ctx.addressType6(ctx.dstAddressHi(), ctx.dstAddressLo(), dev) : ctx.addressType(ctx.dstAddress(), dev);
            if (((t & dest) != 0) == ((flags & INVERT_DEST) != 0)) return false;
        }
        return true;
    }

    static void types(StringBuilder out, int mask) {
        boolean first = true;
        for (int i = 0; i < TYPES.length; i++) {
            if ((mask & (1 << i)) == 0) continue;
            if (!first) out.append(',');
            out.append(TYPES[i]);
            first = false;
        }
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" ADDRTYPE match");
        if (source != 0) {
            out.append(" src-type ").append((flags & INVERT_SOURCE) != 0 ? "!" : "");
            types(out, source);
        }
        if (dest != 0) {
            out.append(" dst-type ").append((flags & INVERT_DEST) != 0 ? "!" : "");
            types(out, dest);
        }
        if ((flags & LIMIT_IFACE_IN) != 0) out.append(" limit-in");
        if ((flags & LIMIT_IFACE_OUT) != 0) out.append(" limit-out");
    }

    @Override
    public void save(StringBuilder out) {
        if (source != 0) {
            if ((flags & INVERT_SOURCE) != 0) out.append(" !");
            out.append(" --src-type ");
            types(out, source);
        }
        if (dest != 0) {
            if ((flags & INVERT_DEST) != 0) out.append(" !");
            out.append(" --dst-type ");
            types(out, dest);
        }
        if ((flags & LIMIT_IFACE_IN) != 0) out.append(" --limit-iface-in");
        if ((flags & LIMIT_IFACE_OUT) != 0) out.append(" --limit-iface-out");
    }

    static int parseTypes(String s) {
        int mask = 0;
        for (String t : s.split(",")) {
            int i = java.util.Arrays.asList(TYPES).indexOf(t.toUpperCase());
            if (i < 0) throw new RuleError("addrtype: bad type \"" + t + "\"");
            mask |= 1 << i;
        }
        return mask;
    }

    static final class Parser extends ModuleParser {
        int source, dest, flags;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--src-type" -> {
                    source = parseTypes(args.value(opt));
                    if (invert) flags |= INVERT_SOURCE;
                }
                case "--dst-type" -> {
                    dest = parseTypes(args.value(opt));
                    if (invert) flags |= INVERT_DEST;
                }
                case "--limit-iface-in" -> {
                    noInvert("addrtype", opt, invert);
                    flags |= LIMIT_IFACE_IN;
                }
                case "--limit-iface-out" -> {
                    noInvert("addrtype", opt, invert);
                    flags |= LIMIT_IFACE_OUT;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (source == 0 && dest == 0) throw new RuleError("addrtype: you must specify --src-type or --dst-type");
            if ((flags & LIMIT_IFACE_IN) != 0 && (flags & LIMIT_IFACE_OUT) != 0) {
                throw new RuleError("addrtype: you can't specify both --limit-iface-in and --limit-iface-out");
            }
            if (spec.ipv6) {
                // addrtype_mt_checkentry_v1: IPv6 has no BLACKHOLE, BROADCAST, nor PROHIBIT and above
                int all = source | dest;
                if ((all & (PacketContext.RTN_BLACKHOLE | PacketContext.RTN_BROADCAST)) != 0
                        || Integer.compareUnsigned(all, PacketContext.RTN_PROHIBIT) >= 0) {
                    throw kernelRefuses();
                }
            }
            return new AddrtypeMatch(source, dest, flags, spec.ipv6);
        }
    }
}

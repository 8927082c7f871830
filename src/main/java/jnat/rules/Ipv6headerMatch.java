package jnat.rules;

/** -m ipv6header (libip6t_ipv6header.c; the kernel's ip6t_ipv6header.c): which extension headers the packet has. */
public final class Ipv6headerMatch implements Match {
    // MASK_* of ip6t_ipv6header.h, in chain_flags order with their header numbers (255: the upper layer)
    private static final int[] PROTOS = {0, 60, 43, 44, 51, 50, 59, 255};
    private static final int[] MASKS = {128, 64, 32, 16, 8, 4, 2, 1};
    /** chain_protos: names ip6tables takes after getprotobyname fails. */
    private static final String[][] NAMES = {{"hop-by-hop", "0"}, {"protocol", "255"}, {"hop", "0"}, {"dst", "60"},
        {"route", "43"}, {"frag", "44"}, {"auth", "51"}, {"esp", "50"}, {"none", "59"}, {"prot", "255"}, {"0", "0"},
        {"60", "60"}, {"43", "43"}, {"44", "44"}, {"51", "51"}, {"50", "50"}, {"59", "59"}, {"255", "255"}};

    public final int matchflags;
    public final boolean invert, soft;

    Ipv6headerMatch(int matchflags, boolean invert, boolean soft) {
        this.matchflags = matchflags;
        this.invert = invert;
        this.soft = soft;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "ipv6header";
    }

    /** ipv6header_mt: walk the chain from the IPv6 header's next header, noting each kind met. */
    @Override
    public boolean matches(PacketContext ctx) {
        int next = ctx.networkByte(6);
        int ptr = 40, seen = 0;
        while (next == 0 || next == 43 || next == 44 || next == 50 || next == 51 || next == 59 || next == 60) {
            if (next == 59) {
                seen |= 2;
                break;
            }
            if (next == 50) {
                seen |= 4;
                break;
            }
            int nh = ctx.networkByte(ptr), l = ctx.networkByte(ptr + 1);
            if (nh < 0 || l < 0) return false;
            int hdrlen = next == 44 ? 8 : next == 51 ? (l + 2) << 2 : (l + 1) << 3;
            for (int i = 0; i < PROTOS.length; i++) if (PROTOS[i] == next) seen |= MASKS[i];
            next = nh;
            ptr += hdrlen;
            if (ctx.networkByte(ptr - 1) < 0) break;
        }
        if (next != 59 && next != 50) seen |= 1;
        if (soft) return ((seen ^ matchflags ^ (invert ? 0xFF : 0)) & matchflags) == 0;
        return invert ? seen != matchflags : seen == matchflags;
    }

    /** print_header: the names of the flags set, as proto_to_name gives them (/etc/protocols first, but not for 0). */
    private void headers(StringBuilder out) {
        boolean any = false;
        for (int i = 0; i < MASKS.length; i++) {
            if ((matchflags & MASKS[i]) == 0) continue;
            if (any) out.append(',');
            String n = PROTOS[i] != 0 ? Services.protocolName(PROTOS[i]) : null; // proto_to_name skips 0
            if (n == null) for (String[] k : NAMES) if (Integer.parseInt(k[1]) == PROTOS[i]) {
                n = k[0];
                break;
            }
            out.append(n);
            any = true;
        }
        if (!any) out.append("NONE");
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" ipv6header");
        if (matchflags != 0 || invert) {
            out.append(" flags:").append(invert ? "!" : "");
            if (numeric) out.append(String.format("0x%02X", matchflags));
            else headers(out);
        }
        if (soft) out.append(" soft");
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " !" : "").append(" --header ");
        headers(out);
        if (soft) out.append(" --soft");
    }

    static final class Parser extends ModuleParser {
        int flags;
        boolean inv, soft, given;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--header" -> {
                    if (given) throw new RuleError("ipv6header: \"--header\" option may only be specified once");
                    given = true;
                    for (String h : args.value(opt).split(",")) {
                        if (h.isEmpty()) continue; // strtok skips empty fields
                        flags |= mask(proto(h));
                    }
                    if (flags == 0) throw new RuleError("ip6t_ipv6header: cannot parse header names");
                    inv = invert;
                }
                case "--soft" -> {
                    noInvert("ipv6header", opt, invert);
                    soft = true;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** name_to_proto: getprotobyname, then chain_protos. */
        private static int proto(String s) {
            int p = Services.protocol(s);
            if (p >= 0) return p;
            for (String[] k : NAMES) if (k[0].equals(s)) return Integer.parseInt(k[1]);
            throw new RuleError("unknown header `" + s + "' specified");
        }

        private static int mask(int proto) {
            for (int i = 0; i < PROTOS.length; i++) if (PROTOS[i] == proto) return MASKS[i];
            throw new RuleError("unknown header `" + proto + "' specified");
        }

        @Override
        Object finish(RuleSpec spec) {
            if (!given) throw new RuleError("ipv6header: option \"--header\" must be specified");
            return new Ipv6headerMatch(flags, inv, soft);
        }
    }
}

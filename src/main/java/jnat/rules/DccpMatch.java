package jnat.rules;

/**
 * -m dccp (libxt_dccp.c, xt_dccp.c): source and destination port ranges, the packet's type and an
 * option present; only with -p dccp (xt_match.proto).
 */
public final class DccpMatch implements Match {
    static final int SRC_PORTS = 1, DEST_PORTS = 2, TYPE = 4, OPTION = 8;
    static final String[] TYPES = {"REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET",
        "SYNC", "SYNCACK", "INVALID"};
    static final int DCCP_PKT_INVALID = 10;
    /** Types 11-15, which INVALID stands for too. */
    static final int INVALID_OTHER_TYPE_MASK = 0xf800;

    public final int srcMin, srcMax, dstMin, dstMax, typemask, option, flags, invflags;

    DccpMatch(int srcMin, int srcMax, int dstMin, int dstMax, int typemask, int option, int flags, int invflags) {
        this.srcMin = srcMin;
        this.srcMax = srcMax;
        this.dstMin = dstMin;
        this.dstMax = dstMax;
        this.typemask = typemask;
        this.option = option;
        this.flags = flags;
        this.invflags = invflags;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "dccp";
    }

    private boolean check(boolean cond, int opt) {
        return (flags & opt) == 0 || (((invflags & opt) != 0) ^ cond);
    }

    /** dccp_mt: no later fragment; a header shorter than struct dccp_hdr (12 bytes) drops the packet. */
    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        if (ctx.transportByte(11) < 0) {
            ctx.hotdrop();
            return false;
        }
        int sp = ctx.transportU16(0), dp = ctx.transportU16(2);
        int type = ctx.transportByte(8) >> 1 & 0xf;
        if (!check(sp >= srcMin && sp <= srcMax, SRC_PORTS) || !check(dp >= dstMin && dp <= dstMax, DEST_PORTS)
                || !check((typemask & 1 << type) != 0, TYPE)) {
            return false;
        }
        if ((flags & OPTION) == 0) return true;
        boolean found = findOption(ctx, type);
        return !ctx.hotdropped() && check(found, OPTION);
    }

    /** dccp_packet_hdr_len: what follows the generic header for each type. */
    private static int packetHeaderLength(int type) {
        return switch (type) {
            case 2 -> 0; // DATA
            case 3, 4, 5, 6, 8, 9 -> 8; // ACK, DATAACK, CLOSEREQ, CLOSE, SYNC, SYNCACK: dccp_hdr_ack_bits
            case 0 -> 4; // REQUEST: the service code
            case 1 -> 12; // RESPONSE
            default -> 12; // RESET and the rest: dccp_hdr_reset
        };
    }

    /** dccp_find_option: the options between __dccp_hdr_len and doff * 4; one cut short drops the packet. */
    private boolean findOption(PacketContext ctx, int type) {
        int hdrLen = 12 + ((ctx.transportByte(8) & 1) != 0 ? 4 : 0) + packetHeaderLength(type);
        int doff = ctx.transportByte(4) * 4;
        if (doff < hdrLen) {
            ctx.hotdrop();
            return false;
        }
        int optlen = doff - hdrLen;
        if (optlen == 0) return false;
        if (ctx.transportByte(hdrLen + optlen - 1) < 0) {
            ctx.hotdrop();
            return false;
        }
        for (int i = 0; i < optlen; ) {
            int op = ctx.transportByte(hdrLen + i);
            if (op == option) return true;
            if (op < 2 || i == optlen - 1) i++;
            else {
                int l = ctx.transportByte(hdrLen + i + 1);
                i += l == 0 ? 1 : l;
            }
        }
        return false;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" dccp");
        if ((flags & SRC_PORTS) != 0) printPorts(out, "spt", srcMin, srcMax, (invflags & SRC_PORTS) != 0, numeric);
        if ((flags & DEST_PORTS) != 0) printPorts(out, "dpt", dstMin, dstMax, (invflags & DEST_PORTS) != 0, numeric);
        if ((flags & TYPE) != 0) printTypes(out, (invflags & TYPE) != 0, numeric);
        if ((flags & OPTION) != 0 && (option != 0 || (invflags & OPTION) != 0)) {
            out.append(" option=").append((invflags & OPTION) != 0 ? "!" : "").append(option);
        }
    }

    private static void printPorts(StringBuilder out, String label, int min, int max, boolean inv, boolean numeric) {
        if (min == 0 && max == 0xFFFF && !inv) return;
        out.append(' ').append(label);
        if (min == max) out.append(':').append(inv ? "!" : "").append(PortMatch.port(min, "dccp", numeric));
        else out.append("s:").append(inv ? "!" : "").append(PortMatch.port(min, "dccp", numeric)).append(':')
                .append(PortMatch.port(max, "dccp", numeric));
    }

    /** print_types: names (numbers with -n) in bit order, INVALID ending the list. */
    private void printTypes(StringBuilder out, boolean inv, boolean numeric) {
        if (inv) out.append(" !");
        out.append(' ');
        int types = typemask;
        boolean any = false;
        while (types != 0) {
            int i = Integer.numberOfTrailingZeros(types);
            if (any) out.append(',');
            any = true;
            if (numeric) out.append(i);
            else {
                out.append(i < TYPES.length ? TYPES[i] : "(null)");
                if (i == DCCP_PKT_INVALID) break;
            }
            types &= ~(1 << i);
        }
    }

    @Override
    public void save(StringBuilder out) {
        if ((flags & SRC_PORTS) != 0) SctpMatch.savePorts(out, "--sport", srcMin, srcMax, (invflags & SRC_PORTS) != 0);
        if ((flags & DEST_PORTS) != 0) SctpMatch.savePorts(out, "--dport", dstMin, dstMax, (invflags & DEST_PORTS) != 0);
        if ((flags & TYPE) != 0) {
            out.append((invflags & TYPE) != 0 ? " !" : "").append(" --dccp-types");
            printTypes(out, false, false);
        }
        if ((flags & OPTION) != 0) {
            out.append((invflags & OPTION) != 0 ? " !" : "").append(" --dccp-option ").append(option);
        }
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("dccp",
                new XtOptions.Entry("source-port", 0, true, 0, 0, false), new XtOptions.Entry("sport", 0, true, 0, 0, false),
                new XtOptions.Entry("destination-port", 1, true, 0, 0, false), new XtOptions.Entry("dport", 1, true, 0, 0, false),
                new XtOptions.Entry("dccp-types", 2, true, 0, 0, false), new XtOptions.Entry("dccp-option", 3, true, 0, 0, false));
        int srcMin, srcMax = 0xFFFF, dstMin, dstMax = 0xFFFF, typemask, option, flags, inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            int bit = 1 << e.id();
            switch (e.id()) {
                case 0 -> {
                    int[] r = Inet.parsePortRange(v, "dccp", false);
                    srcMin = r[0];
                    srcMax = r[1];
                }
                case 1 -> {
                    int[] r = Inet.parsePortRange(v, "dccp", false);
                    dstMin = r[0];
                    dstMax = r[1];
                }
                case 2 -> typemask = types(v);
                default -> {
                    long n = strtoul(v, 255);
                    if (n < 1) throw new RuleError("dccp: bad value for option \"--dccp-option\", or out of range (1-255).");
                    option = (int) n;
                }
            }
            flags |= bit;
            if (invert) inv |= bit;
            return true;
        }

        /** parse_dccp_types: names separated by commas; INVALID also stands for types 11 to 15. */
        private static int types(String s) {
            int mask = 0;
            for (String t : s.split(",")) {
                if (t.isEmpty()) continue;
                int i = 0;
                while (i < TYPES.length && !TYPES[i].equalsIgnoreCase(t)) i++;
                if (i == TYPES.length) throw new RuleError("Unknown DCCP type `" + t + "'");
                mask |= 1 << i;
            }
            if ((mask & 1 << DCCP_PKT_INVALID) != 0) mask |= INVALID_OTHER_TYPE_MASK;
            return mask;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (spec.proto != 33 || spec.protoInverted()) throw kernelRefuses(); // xt_match.proto = IPPROTO_DCCP
            return new DccpMatch(srcMin, srcMax, dstMin, dstMax, typemask, option, flags, inv);
        }
    }
}

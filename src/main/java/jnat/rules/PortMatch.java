package jnat.rules;

/** -m tcp and -m udp (xt_tcpudp.c, libxt_tcp.c, libxt_udp.c): ports, and TCP flags. */
public final class PortMatch implements Match {
    static final int INV_SRCPT = 1, INV_DSTPT = 2, INV_FLAGS = 4;
    static final String[] FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};

    private final boolean tcp;
    public final int srcMin, srcMax, dstMin, dstMax;
    public final int flagMask, flagCmp;
    public final int invflags;

    PortMatch(boolean tcp, int srcMin, int srcMax, int dstMin, int dstMax, int flagMask, int flagCmp, int invflags) {
        this.tcp = tcp;
        this.srcMin = srcMin;
        this.srcMax = srcMax;
        this.dstMin = dstMin;
        this.dstMax = dstMax;
        this.flagMask = flagMask;
        this.flagCmp = flagCmp;
        this.invflags = invflags;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return tcp ? "tcp" : "udp";
    }

    private boolean anySrc() {
        return srcMin != 0 || srcMax != 0xFFFF || (invflags & INV_SRCPT) != 0;
    }

    private boolean anyDst() {
        return dstMin != 0 || dstMax != 0xFFFF || (invflags & INV_DSTPT) != 0;
    }

    /**
     * The rule's tcp (udp) matches as iptables-nft keeps them: it writes each one it can as payload
     * expressions (add_nft_tcp: ports and uninverted flags) and reads them back into the rule's first match of
     * the name (nft_create_match reusing it), so "-p tcp --dport 5 -m tcp --tcp-flags SYN,RST SYN" lists and saves
     * as one match. Matches that set the same field twice, or invert the flags (a compat match), stay apart.
     */
    static Match[] merged(Match[] ms) {
        java.util.List<Match> out = new java.util.ArrayList<>(ms.length);
        for (Match m : ms) {
            if (m instanceof PortMatch b && (b.invflags & INV_FLAGS) == 0) {
                boolean done = false;
                for (int i = 0; i < out.size() && !done; i++) {
                    if (out.get(i) instanceof PortMatch a && a.tcp == b.tcp && (a.invflags & INV_FLAGS) == 0) {
                        if (a.anySrc() && b.anySrc() || a.anyDst() && b.anyDst() || a.flagMask != 0 && b.flagMask != 0) break;
                        out.set(i, new PortMatch(a.tcp, a.anySrc() ? a.srcMin : b.srcMin, a.anySrc() ? a.srcMax : b.srcMax,
                                a.anyDst() ? a.dstMin : b.dstMin, a.anyDst() ? a.dstMax : b.dstMax,
                                a.flagMask | b.flagMask, a.flagCmp | b.flagCmp, a.invflags | b.invflags));
                        done = true;
                    }
                }
                if (done) continue;
            }
            out.add(m);
        }
        return out.size() == ms.length ? ms : out.toArray(new Match[0]);
    }

    /** -m tcp (its flags are checked), not -m udp. */
    boolean tcp() {
        return tcp;
    }

    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        int sp = ctx.srcPort(), dp = ctx.dstPort();
        if ((sp >= srcMin && sp <= srcMax) == ((invflags & INV_SRCPT) != 0)) return false;
        if ((dp >= dstMin && dp <= dstMax) == ((invflags & INV_DSTPT) != 0)) return false;
        if (tcp && (((ctx.tcpFlags() & flagMask) == flagCmp) == ((invflags & INV_FLAGS) != 0))) return false;
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(' ').append(name());
        printPorts(out, "spt", srcMin, srcMax, (invflags & INV_SRCPT) != 0, numeric);
        printPorts(out, "dpt", dstMin, dstMax, (invflags & INV_DSTPT) != 0, numeric);
        if (tcp && (flagMask != 0 || (invflags & INV_FLAGS) != 0)) {
            out.append(" flags:").append((invflags & INV_FLAGS) != 0 ? "!" : "");
            if (numeric) {
                out.append(String.format("0x%02X/0x%02X", flagMask, flagCmp));
            } else {
                tcpFlags(out, flagMask);
                out.append('/');
                tcpFlags(out, flagCmp);
            }
        }
    }

    private void printPorts(StringBuilder out, String label, int min, int max, boolean inv, boolean numeric) {
        if (min == 0 && max == 0xFFFF && !inv) return;
        out.append(' ').append(label);
        if (min == max) {
            out.append(':').append(inv ? "!" : "").append(port(min, name(), numeric));
        } else {
            out.append("s:").append(inv ? "!" : "").append(port(min, name(), numeric))
                    .append(':').append(port(max, name(), numeric));
        }
    }

    static String port(int p, String proto, boolean numeric) {
        if (!numeric) {
            String s = Services.serviceName(p, proto);
            if (s != null) return s;
        }
        return Integer.toString(p);
    }

    /** print_tcpf: flag names joined by commas, NONE for none. */
    static void tcpFlags(StringBuilder out, int flags) {
        boolean any = false;
        for (int i = 0; i < 6; i++) {
            if ((flags & (1 << i)) == 0) continue;
            if (any) out.append(',');
            out.append(FLAG_NAMES[i]);
            any = true;
        }
        if (!any) out.append("NONE");
    }

    @Override
    public void save(StringBuilder out) {
        savePorts(out, "--sport", srcMin, srcMax, (invflags & INV_SRCPT) != 0);
        savePorts(out, "--dport", dstMin, dstMax, (invflags & INV_DSTPT) != 0);
        if (tcp && (flagMask != 0 || (invflags & INV_FLAGS) != 0)) {
            if ((invflags & INV_FLAGS) != 0) out.append(" !");
            out.append(" --tcp-flags ");
            tcpFlags(out, flagMask);
            out.append(' ');
            tcpFlags(out, flagCmp);
        }
    }

    private static void savePorts(StringBuilder out, String opt, int min, int max, boolean inv) {
        if (min == 0 && max == 0xFFFF && !inv) return;
        if (inv) out.append(" !");
        out.append(' ').append(opt).append(' ').append(min);
        if (min != max) out.append(':').append(max);
    }

    static int parseFlags(String s) {
        int v = 0;
        for (String f : s.split(",")) {
            switch (f.toUpperCase()) {
                case "ALL" -> v |= 0x3F;
                case "NONE" -> { }
                default -> {
                    int i = java.util.Arrays.asList(FLAG_NAMES).indexOf(f.toUpperCase());
                    if (i < 0) throw new RuleError("Unknown TCP flag `" + f + "'");
                    v |= 1 << i;
                }
            }
        }
        return v;
    }

    static final class Parser extends ModuleParser {
        private final boolean tcp;
        int srcMin = 0, srcMax = 0xFFFF, dstMin = 0, dstMax = 0xFFFF, mask, cmp, inv;

        Parser(boolean tcp) {
            this.tcp = tcp;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            String proto = tcp ? "tcp" : "udp";
            switch (opt) {
                case "--sport", "--source-port" -> {
                    int[] r = Inet.parsePortRange(args.value(opt), proto, tcp);
                    srcMin = r[0];
                    srcMax = r[1];
                    if (invert) inv |= INV_SRCPT;
                }
                case "--dport", "--destination-port" -> {
                    int[] r = Inet.parsePortRange(args.value(opt), proto, tcp);
                    dstMin = r[0];
                    dstMax = r[1];
                    if (invert) inv |= INV_DSTPT;
                }
                case "--tcp-flags" -> {
                    if (!tcp) return false;
                    String m = args.value(opt);
                    if (!args.hasNext()) throw new RuleError("--tcp-flags requires two args.");
                    mask = parseFlags(m);
                    cmp = parseFlags(args.next());
                    if (invert) inv |= INV_FLAGS;
                }
                case "--syn" -> {
                    if (!tcp) return false;
                    mask = 0x17;
                    cmp = 0x02;
                    if (invert) inv |= INV_FLAGS;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (spec.proto != (tcp ? 6 : 17)) {
                throw new RuleError(tcp ? "TCP match requires '-p tcp'" : "UDP match requires '-p udp'");
            }
            return new PortMatch(tcp, srcMin, srcMax, dstMin, dstMax, mask, cmp, inv);
        }
    }
}

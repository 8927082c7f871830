package jnat.rules;

/**
 * -m conntrack revision 3 (xt_conntrack.c, libxt_conntrack.c): --ctstate, --ctproto, both
 * directions' addresses and ports, --ctstatus, --ctexpire, --ctdir.
 */
public final class ConntrackMatch implements Match {
    // XT_CONNTRACK_* match_flags, in the order libxt_conntrack prints them
    public static final int STATE = 1, PROTO = 1 << 1, ORIGSRC = 1 << 2, ORIGDST = 1 << 3, REPLSRC = 1 << 4, REPLDST = 1 << 5,
            STATUS = 1 << 6, EXPIRES = 1 << 7, DIRECTION = 1 << 10, ORIGSRC_PORT = 1 << 11, ORIGDST_PORT = 1 << 12, REPLSRC_PORT = 1 << 13,
            REPLDST_PORT = 1 << 14;
    static final String[] STATE_NAMES = {"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"};
    static final int[] STATE_BITS = {PacketContext.CT_INVALID, PacketContext.CT_NEW, PacketContext.CT_RELATED,
        PacketContext.CT_ESTABLISHED, PacketContext.CT_UNTRACKED, PacketContext.CT_SNAT, PacketContext.CT_DNAT};

    public final int matchFlags, invertFlags, stateMask;
    /** --ctproto's l4proto, --ctstatus's IPS_* mask, --ctexpire's range in seconds (u32). */
    int l4proto, statusMask;
    long expiresMin, expiresMax;
    // addresses (masked) and masks: origsrc, origdst, replsrc, repldst
    final int[] addr = new int[4];
    final int[] mask = new int[4];
    /** An ip6tables rule: addresses are addr6[i] = {hi, lo, maskHi, maskLo}. */
    boolean ipv6;
    final long[][] addr6 = new long[4][];
    // port ranges low/high: origsrc, origdst, replsrc, repldst
    final int[] portLo = new int[4];
    final int[] portHi = new int[4];

    private ConntrackMatch(int matchFlags, int invertFlags, int stateMask) {
        this.matchFlags = matchFlags;
        this.invertFlags = invertFlags;
        this.stateMask = stateMask;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "conntrack";
    }

    private boolean has(int f) {
        return (matchFlags & f) != 0;
    }

    private boolean inv(int f) {
        return (invertFlags & f) != 0;
    }

    @Override
    public boolean matches(PacketContext ctx) {
        int state = ctx.ctState();
        if (has(STATE) && ((stateMask & state) != 0) == inv(STATE)) return false;
        if ((state & (PacketContext.CT_INVALID | PacketContext.CT_UNTRACKED)) != 0) return has(STATE);
        if (has(DIRECTION) && ((ctx.ctDirection() == PacketContext.DIR_ORIGINAL) == inv(DIRECTION))) return false;
        if (ipv6) {
            for (int i = 0; i < 4; i++) if (!addrOk6(ctx, ADDR_FLAGS[i], i)) return false;
        } else if (!addrOk(ORIGSRC, 0, ctx.ctOrigSrc()) || !addrOk(ORIGDST, 1, ctx.ctOrigDst())
                || !addrOk(REPLSRC, 2, ctx.ctReplySrc()) || !addrOk(REPLDST, 3, ctx.ctReplyDst())) {
            return false;
        }
        // ct_proto_port_check
        if (has(PROTO) && ((ctx.ctProtocol() == l4proto) == inv(PROTO))) return false;
        if (!portOk(ORIGSRC_PORT, 0, ctx.ctOrigSrcPort()) || !portOk(ORIGDST_PORT, 1, ctx.ctOrigDstPort())
                || !portOk(REPLSRC_PORT, 2, ctx.ctReplySrcPort()) || !portOk(REPLDST_PORT, 3, ctx.ctReplyDstPort())) {
            return false;
        }
        // a mask of NONE (0) never matches uninverted: !!(status_mask & ct->status)
        if (has(STATUS) && (((statusMask & ctx.ctStatus()) != 0) == inv(STATUS))) return false;
        if (has(EXPIRES)) {
            // nf_ct_expires(ct) / HZ, and 0 for a connection not yet confirmed
            long expires = (ctx.ctStatus() & IPS_CONFIRMED) != 0 ? ctx.ctExpiresSeconds() : 0;
            if ((expires >= expiresMin && expires <= expiresMax) == inv(EXPIRES)) return false;
        }
        return true;
    }

    // the IPS_* bits --ctstatus names (nf_conntrack_common.h), in print_status's order
    static final int IPS_EXPECTED = 1, IPS_SEEN_REPLY = 1 << 1, IPS_ASSURED = 1 << 2, IPS_CONFIRMED = 1 << 3;
    private static final String[] STATUS_NAMES = {"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"};
    private static final int[] STATUS_BITS = {IPS_EXPECTED, IPS_SEEN_REPLY, IPS_ASSURED, IPS_CONFIRMED};

    private boolean addrOk(int flag, int i, int a) {
        return !has(flag) || (((a & mask[i]) == addr[i]) != inv(flag));
    }

    private boolean addrOk6(PacketContext ctx, int flag, int i) {
        if (!has(flag)) return true;
        long[] n = addr6[i];
        boolean in = (ctx.ctAddressHi(i) & n[2]) == n[0] && (ctx.ctAddressLo(i) & n[3]) == n[1];
        return in != inv(flag);
    }

    private boolean portOk(int flag, int i, int p) {
        return !has(flag) || ((p >= portLo[i] && p <= portHi[i]) != inv(flag));
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        dump(out, "", numeric);
    }

    @Override
    public void save(StringBuilder out) {
        dump(out, "--", true);
    }

    private static final String[] ADDR_OPTS = {"ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst"};
    private static final int[] ADDR_FLAGS = {ORIGSRC, ORIGDST, REPLSRC, REPLDST};
    private static final String[] PORT_OPTS = {"ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport"};
    private static final int[] PORT_FLAGS = {ORIGSRC_PORT, ORIGDST_PORT, REPLSRC_PORT, REPLDST_PORT};

    /** conntrack_dump: the same text for print ("") and save ("--"). */
    private void dump(StringBuilder out, String prefix, boolean numeric) {
        if (has(STATE)) {
            if (inv(STATE)) out.append(" !");
            out.append(' ').append(prefix).append("ctstate ");
            boolean first = true;
            for (int i = 0; i < STATE_NAMES.length; i++) {
                if ((stateMask & STATE_BITS[i]) == 0) continue;
                if (!first) out.append(',');
                out.append(STATE_NAMES[i]);
                first = false;
            }
        }
        if (has(PROTO)) {
            if (inv(PROTO)) out.append(" !");
            out.append(' ').append(prefix).append("ctproto ").append(l4proto);
        }
        for (int i = 0; i < 4; i++) {
            if (!has(ADDR_FLAGS[i])) continue;
            if (inv(ADDR_FLAGS[i])) out.append(" !");
            out.append(' ').append(prefix).append(ADDR_OPTS[i]).append(' ');
            if (ipv6) {
                long[] n = addr6[i];
                out.append(numeric ? Inet6.format(n[0], n[1]) : Services.anyName6(n[0], n[1])).append(Inet6.maskSuffix(n[2], n[3]));
            } else {
                out.append(numeric ? Inet.format(addr[i]) : Services.anyName(addr[i])).append(Inet.maskSuffix(mask[i]));
            }
        }
        for (int i = 0; i < 4; i++) {
            if (!has(PORT_FLAGS[i])) continue;
            if (inv(PORT_FLAGS[i])) out.append(" !");
            out.append(' ').append(prefix).append(PORT_OPTS[i]).append(' ').append(portLo[i]);
            if (portHi[i] != portLo[i]) out.append(':').append(portHi[i]);
        }
        if (has(STATUS)) {
            if (inv(STATUS)) out.append(" !");
            out.append(' ').append(prefix).append("ctstatus");
            char sep = ' ';
            for (int i = 0; i < STATUS_BITS.length; i++) {
                if ((statusMask & STATUS_BITS[i]) == 0) continue;
                out.append(sep).append(STATUS_NAMES[i]);
                sep = ',';
            }
            if (statusMask == 0) out.append(sep).append("NONE");
        }
        if (has(EXPIRES)) {
            if (inv(EXPIRES)) out.append(" !");
            out.append(' ').append(prefix).append("ctexpire ").append(expiresMin);
            if (expiresMax != expiresMin) out.append(':').append(expiresMax);
        }
        if (has(DIRECTION)) {
            out.append(' ').append(prefix).append("ctdir ").append(inv(DIRECTION) ? "REPLY" : "ORIGINAL");
        }
    }

    static final class Parser extends ModuleParser {
        int flags, invs, states, l4proto, statusMask;
        long expiresMin, expiresMax;
        final int[] addr = new int[4], mask = new int[4], lo = new int[4], hi = new int[4];
        final long[][] addr6 = new long[4][];

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            String o = opt.startsWith("--") ? opt.substring(2) : opt;
            if (o.equals("ctstate")) {
                for (String s : args.value(opt).split(",")) {
                    int i = java.util.Arrays.asList(STATE_NAMES).indexOf(s.toUpperCase());
                    if (i < 0) throw new RuleError("Bad ctstate \"" + s + "\"");
                    states |= STATE_BITS[i];
                }
                set(STATE, invert);
                return true;
            }
            if (o.equals("ctproto")) {
                l4proto = Protocols.parse(args.value(opt));
                // libxt_conntrack tests XT_INV_PROTO (0x40, which is XT_CONNTRACK_STATUS's bit) here
                if (l4proto == 0 && (invs & STATUS) != 0) {
                    throw new RuleError("conntrack: rule would never match protocol");
                }
                set(PROTO, invert);
                return true;
            }
            if (o.equals("ctstatus")) {
                String arg = args.value(opt);
                // conntrack_ps_statuses: each comma-separated word a prefix-insensitive name (strncasecmp)
                String rest = arg;
                while (true) {
                    int comma = rest.indexOf(',');
                    String w = comma < 0 ? rest : rest.substring(0, comma);
                    if (w.isEmpty() || !status(w)) throw new RuleError("Bad ctstatus \"" + rest + "\"");
                    if (comma < 0) break;
                    rest = rest.substring(comma + 1);
                }
                set(STATUS, invert);
                return true;
            }
            if (o.equals("ctexpire")) {
                long[] r = mint("conntrack", opt, args.value(opt), 0xFFFFFFFFL);
                expiresMin = r[0];
                expiresMax = r[1];
                set(EXPIRES, invert);
                return true;
            }
            if (o.equals("ctdir")) {
                noInvert("conntrack", opt, invert);
                String v = args.value(opt);
                flags |= DIRECTION;
                if (v.equalsIgnoreCase("ORIGINAL")) invs &= ~DIRECTION;
                else if (v.equalsIgnoreCase("REPLY")) invs |= DIRECTION;
                else throw new RuleError("conntrack: bad --ctdir value \"" + v + "\"");
                return true;
            }
            for (int i = 0; i < 4; i++) {
                if (o.equals(ADDR_OPTS[i])) {
                    if (spec.ipv6) {
                        String v = args.value(opt);
                        String host = v.indexOf('/') < 0 ? v : v.substring(0, v.indexOf('/'));
                        // xtables_ip6parse_any resolves a dotted quad with getaddrinfo(AF_INET6)
                        if (!host.contains(":") && host.matches("[0-9.]+")) {
                            throw new RuleError("getaddrinfo: Address family for hostname not supported");
                        }
                        addr6[i] = Inet6.parseNetwork(v);
                    } else {
                        int[] n = Inet.parseNetwork(args.value(opt));
                        addr[i] = n[0];
                        mask[i] = n[1];
                    }
                    set(ADDR_FLAGS[i], invert);
                    return true;
                }
                if (o.equals(PORT_OPTS[i])) {
                    String v = args.value(opt);
                    int colon = v.indexOf(':');
                    // xtables_parse_port ranges: an empty end is 0 or 65535 (":4", "4:", ":")
                    lo[i] = colon == 0 ? 0 : Inet.parsePort(colon < 0 ? v : v.substring(0, colon), null);
                    hi[i] = colon < 0 ? lo[i] : colon == v.length() - 1 ? 65535 : Inet.parsePort(v.substring(colon + 1), null);
                    set(PORT_FLAGS[i], invert);
                    return true;
                }
            }
            return false;
        }

        /** conntrack_ps_status: strncasecmp over the word's length, so a prefix names its status. */
        private boolean status(String w) {
            String u = w.toUpperCase();
            if ("NONE".startsWith(u)) return true;
            for (int i = 0; i < STATUS_NAMES.length; i++) {
                if (STATUS_NAMES[i].startsWith(u)) {
                    statusMask |= STATUS_BITS[i];
                    return true;
                }
            }
            return false;
        }

        private void set(int flag, boolean invert) {
            flags |= flag;
            if (invert) invs |= flag;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (flags == 0) throw new RuleError("conntrack: At least one option is required");
            ConntrackMatch m = new ConntrackMatch(flags, invs, states);
            m.l4proto = l4proto;
            m.statusMask = statusMask;
            m.expiresMin = expiresMin;
            m.expiresMax = expiresMax;
            System.arraycopy(addr, 0, m.addr, 0, 4);
            System.arraycopy(addr6, 0, m.addr6, 0, 4);
            m.ipv6 = spec.ipv6;
            System.arraycopy(mask, 0, m.mask, 0, 4);
            System.arraycopy(lo, 0, m.portLo, 0, 4);
            System.arraycopy(hi, 0, m.portHi, 0, 4);
            return m;
        }
    }

    @Override
    public boolean usesConntrack() {
        return true;
    }
}

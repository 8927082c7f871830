package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.hex;

/** print-mobility.c: the Mobile IPv6 mobility header (RFC 6275), its messages and, with -v, its options. */
final class PrintMobility {
    private PrintMobility() {}

    private static final String[] TYPES = {"BRR", "HoTI", "CoTI", "HoT", "CoT", "BU", "BA", "BE"};
    /** ip6m_hdrlen[]: the shortest header each message type fits in. */
    private static final int[] HDRLEN = {8, 16, 16, 24, 24, 12, 12, 24};

    /** mobility_print(): after it ip6_print() stops, whatever the next header says. */
    static void print(Netdissect nd, int bp) {
        nd.protocol = "mobility";
        if (!nd.ttest(bp + 1, 1)) {
            nd.ndPrintTrunc();
            return;
        }
        int mhlen = (nd.u8(bp + 1) + 1) << 3;
        int type = nd.u8(bp + 2);
        if (type < TYPES.length && mhlen < HDRLEN[type]) {
            nd.out.append("(header length ").append(mhlen).append(" is too small for type ").append(type).append(')');
            nd.ndPrintTrunc();
            return;
        }
        nd.out.append("mobility: ").append(type < TYPES.length ? TYPES[type] : "type-#" + type);
        int hlen = 8;
        switch (type) {
            case 0 -> { }
            case 1, 2 -> {
                if (nd.vflag > 0) cookie(nd, bp + hlen, type == 1 ? "Home" : "Care-of", "Init Cookie");
                hlen += 8;
            }
            case 3, 4 -> {
                int nonce = nd.u16(bp + 6);
                nd.out.append(" nonce id=0x").append(Integer.toHexString(nonce));
                String who = type == 3 ? "Home" : "Care-of";
                if (nd.vflag > 0) cookie(nd, bp + hlen, who, "Init Cookie");
                hlen += 8;
                if (nd.vflag > 0) cookie(nd, bp + hlen, who, "Keygen Token");
                hlen += 8;
            }
            case 5 -> {
                int seq = nd.u16(bp + 6);
                nd.out.append(" seq#=").append(seq);
                nd.tcheck(bp + hlen, 2);
                int bits = (nd.u8(bp + hlen) & 0xf0) >> 4;
                if (bits != 0) {
                    nd.out.append(' ');
                    if ((bits & 8) != 0) nd.out.append('A');
                    if ((bits & 4) != 0) nd.out.append('H');
                    if ((bits & 2) != 0) nd.out.append('L');
                    if ((bits & 1) != 0) nd.out.append('K');
                }
                hlen += 4;
                lifetime(nd, bp + 10);
            }
            case 6 -> {
                int status = nd.u8(bp + 6);
                nd.out.append(" status=").append(status);
                if ((nd.u8(bp + 7) & 0x80) != 0) nd.out.append(" K");
                int seq = nd.u16(bp + 8);
                nd.out.append(" seq#=").append(seq);
                hlen += 4;
                lifetime(nd, bp + 10);
            }
            case 7 -> {
                int status = nd.u8(bp + 6);
                nd.out.append(" status=").append(status);
                String home = nd.ip6addr(bp + hlen);
                nd.out.append(" homeaddr ").append(home);
                hlen += 16;
            }
            default -> {
                nd.out.append(" len=").append(nd.u8(bp + 1));
                return;
            }
        }
        if (nd.vflag > 0 && !optPrint(nd, bp + hlen, mhlen - hlen)) nd.ndPrintTrunc();
    }

    /** " lifetime=%u", in units of 4 seconds. */
    private static void lifetime(Netdissect nd, int p) {
        int lifetime = nd.u16(p) << 2;
        nd.out.append(" lifetime=").append(lifetime);
    }

    /** " Home Init Cookie=%08x:%08x": both words read before either is printed. */
    private static void cookie(Netdissect nd, int p, String who, String what) {
        long a = nd.u32(p), b = nd.u32(p + 4);
        nd.out.append(' ').append(who).append(' ').append(what).append('=').append(hex((int) a, 8)).append(':')
                .append(hex((int) b, 8));
    }

    /** mobility_opt_print(); false for "trunc". */
    private static boolean optPrint(Netdissect nd, int bp, int len) {
        for (int i = 0, optlen; i < len; i += optlen) {
            int type = nd.u8(bp + i);
            if ((optlen = PrintIp6Opts.optionLength(nd, bp, i, len)) < 0) return false;
            if (!nd.ttest(bp + i + optlen, 1)) return false; // tcpdump checks the byte after the option
            switch (type) {
                case 0 -> nd.out.append("(pad1)");
                case 1 -> {
                    if (len - i < 2) return trunc(nd, "(padn: trunc)");
                    nd.out.append("(padn)");
                }
                case 2 -> {
                    if (len - i < 4) return trunc(nd, "(refresh: trunc)");
                    int refresh = nd.u16(bp + i + 2) << 2;
                    nd.out.append("(refresh: ").append(refresh).append(')');
                }
                case 3 -> {
                    if (len - i < 18) return trunc(nd, "(altcoa: trunc)");
                    String coa = nd.ip6addr(bp + i + 2);
                    nd.out.append("(alt-CoA: ").append(coa).append(')');
                }
                case 4 -> {
                    if (len - i < 6) return trunc(nd, "(ni: trunc)");
                    int ho = nd.u16(bp + i + 2), co = nd.u16(bp + i + 4);
                    nd.out.append("(ni: ho=0x").append(hex(ho, 4)).append(" co=0x").append(hex(co, 4)).append(')');
                }
                case 5 -> {
                    if (len - i < 12) return trunc(nd, "(auth: trunc)");
                    nd.out.append("(auth)");
                }
                default -> {
                    if (len - i < 2) return trunc(nd, "(sopt_type " + type + ": trunc)");
                    int olen = nd.u8(bp + i + 1);
                    nd.out.append("(type-0x").append(hex(type, 2)).append(": len=").append(olen).append(')');
                }
            }
        }
        return true;
    }

    private static boolean trunc(Netdissect nd, String text) {
        nd.out.append(text);
        return false;
    }
}

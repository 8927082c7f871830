package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.hex;

/** print-arp.c: ARP and RARP. */
final class PrintArp {
    private PrintArp() {}

    private static String arpOp(int op) {
        return switch (op) {
            case 1 -> "Request";
            case 2 -> "Reply";
            case 3 -> "Reverse Request";
            case 4 -> "Reverse Reply";
            case 8 -> "Inverse Request";
            case 9 -> "Inverse Reply";
            case 10 -> "NACK Reply";
            default -> "Unknown (" + op + ")";
        };
    }

    private static String arpHrd(int hrd) {
        return switch (hrd) {
            case 1 -> "Ethernet";
            case 6 -> "TokenRing";
            case 7 -> "ArcNet";
            case 15 -> "FrameRelay";
            case 23 -> "Strip";
            case 24 -> "IEEE 1394";
            case 19 -> "ATM";
            case 32 -> "InfiniBand";
            default -> "Unknown Hardware (" + hrd + ")";
        };
    }

    /** arp_print() for the Ethernet-like hardware types (ATM ARP is not decoded). */
    static void print(Netdissect nd, int ap, int length, int caplen) {
        nd.protocol = "arp";
        try {
            nd.tcheck(ap, 8);
            int hrd = nd.u16(ap);
            int pro = nd.u16(ap + 2);
            int hln = nd.u8(ap + 4);
            int pln = nd.u8(ap + 5);
            int op = nd.u16(ap + 6);
            int sha = ap + 8;
            int spa = sha + hln;
            int tha = spa + pln;
            int tpa = tha + hln;
            nd.tcheck(tpa, pln);
            if (!nd.eflag) nd.out.append("ARP, ");
            boolean ipLike = pro == 0x0800 || pro == 0x1000;
            if (!ipLike || pln != 4 || hln == 0 || nd.vflag > 0) {
                String proName = PrintEther.ethertypeName(pro);
                nd.out.append(arpHrd(hrd)).append(" (len ").append(hln).append("), ")
                        .append(proName.equals("Unknown") ? "Unknown Protocol (0x" + hex(pro, 4) + ")" : proName)
                        .append(" (len ").append(pln).append(')');
                if (nd.vflag == 0) {
                    nd.out.append(", length ").append(length);
                    return;
                }
            }
            nd.out.append(nd.vflag > 0 ? ", " : "").append(arpOp(op)).append(' ');
            switch (op) {
                case 1 -> {
                    nd.out.append("who-has ");
                    arpPaddr(nd, tpa, pro, pln);
                    if (isNonZero(nd, tha, hln)) nd.out.append(" (").append(nd.linkaddr(tha, hln)).append(')');
                    nd.out.append(" tell ");
                    arpPaddr(nd, spa, pro, pln);
                }
                case 2 -> {
                    arpPaddr(nd, spa, pro, pln);
                    nd.out.append(" is-at ").append(nd.linkaddr(sha, hln));
                }
                case 3, 8 -> {
                    nd.out.append("who-is ").append(nd.linkaddr(tha, hln));
                    nd.out.append(" tell ").append(nd.linkaddr(sha, hln));
                }
                case 4 -> {
                    nd.out.append(nd.linkaddr(tha, hln)).append(" at ");
                    arpPaddr(nd, tpa, pro, pln);
                }
                case 9 -> {
                    nd.out.append(nd.linkaddr(sha, hln)).append(" at ");
                    arpPaddr(nd, spa, pro, pln);
                }
                default -> {
                    nd.hexAndAsciiPrint(ap, caplen);
                    return;
                }
            }
            nd.out.append(", length ").append(length);
        } catch (Netdissect.Truncated t) {
            nd.ndPrintTrunc();
        }
    }

    private static void arpPaddr(Netdissect nd, int off, int pro, int pln) {
        if (pro != 0x0800 && pro != 0x1000) nd.out.append("<wrong proto type>");
        else if (pln != 4) nd.out.append("<wrong len>");
        else nd.out.append(nd.ipaddr(off));
    }

    private static boolean isNonZero(Netdissect nd, int off, int len) {
        for (int i = 0; i < len; i++) if (nd.u8(off + i) != 0) return true;
        return false;
    }
}

package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.cksumShouldBe;
import static jnat.tcpdump.Netdissect.hex;
import static jnat.tcpdump.Netdissect.hex2;

/**
 * print-icmp6.c: the common ICMPv6 types, MLD, and the link-address and MTU options of neighbour
 * discovery.
 */
final class PrintIcmp6 {
    private PrintIcmp6() {}

    private static String icmp6TypeName(int t) {
        return switch (t) {
            case 1 -> "destination unreachable";
            case 2 -> "packet too big";
            case 3 -> "time exceeded in-transit";
            case 4 -> "parameter problem";
            case 128 -> "echo request";
            case 129 -> "echo reply";
            case 130 -> "multicast listener query";
            case 131 -> "multicast listener report";
            case 132 -> "multicast listener done";
            case 133 -> "router solicitation";
            case 134 -> "router advertisement";
            case 135 -> "neighbor solicitation";
            case 136 -> "neighbor advertisement";
            case 137 -> "redirect";
            case 138 -> "router renumbering";
            case 141 -> "inverse neighbor solicitation";
            case 142 -> "inverse neighbor advertisement";
            case 143 -> "multicast listener report v2";
            case 144 -> "ha discovery request";
            case 145 -> "ha discovery reply";
            case 146 -> "mobile router solicitation";
            case 147 -> "mobile router advertisement";
            case 139 -> "node information query";
            case 140 -> "node information reply";
            case 200 -> "mtrace message";
            case 201 -> "mtrace response";
            case 155 -> "RPL";
            default -> "unknown icmp6 type (" + t + ")";
        };
    }

    /**
     * icmp6_print() for unreachable, too big, time exceeded, parameter problem and echo; the neighbour
     * discovery and MLD bodies are not decoded (their one-line summaries end at the type name).
     */
    static void print(Netdissect nd, int dp, int length, int iph, boolean fragmented) {
        nd.protocol = "icmp6";
        int oip = dp + 8;
        if (length == 0) {
            nd.out.append("ICMP6, length 0");
            nd.ndPrintInvalid();
            return;
        }
        if (nd.vflag > 0 && !fragmented && nd.ttest(dp, length)) {
            int sum = nd.inCksum(PrintIp6.pseudo6(nd, iph, length, 58), dp, length);
            int icmpSum = nd.u16(dp + 2);
            if (sum != 0) nd.out.append("[bad icmp6 cksum 0x").append(hex(icmpSum, 4)).append(" -> 0x")
                    .append(hex(cksumShouldBe(icmpSum, sum), 4)).append("!] ");
            else nd.out.append("[icmp6 sum ok] ");
        }
        int type = nd.u8(dp);
        nd.out.append("ICMP6, ").append(icmp6TypeName(type));
        if (nd.vflag > 0 && (type == 133 || type == 134 || type == 135 || type == 136 || type == 137
                || type == 145 || type == 147)) {
            nd.out.append(", length ").append(length);
        }
        int code = nd.u8(dp + 1);
        try {
            switch (type) {
                case 1 -> {
                    nd.out.append(", ").append(switch (code) {
                        case 0 -> "unreachable route";
                        case 1 -> " unreachable prohibited";
                        case 2 -> "beyond scope";
                        case 3 -> "unreachable address";
                        case 4 -> "unreachable port";
                        default -> "unknown unreach code (" + code + ")";
                    });
                    switch (code) {
                        case 0, 1, 3 -> {
                            String dst = nd.ip6addr(oip + 24);
                            nd.out.append(' ').append(dst);
                        }
                        case 2 -> {
                            String dst = nd.ip6addr(oip + 24);
                            String src = nd.ip6addr(oip + 8);
                            nd.out.append(' ').append(dst).append(", source address ").append(src);
                        }
                        case 4 -> {
                            if (!nd.ttest(oip + 6, 1)) throw Netdissect.TRUNCATED;
                            int nh = nd.u8(oip + 6);
                            if (nh != 6 && nh != 17) throw Netdissect.TRUNCATED;
                            int dport = nd.u16(oip + 40 + 2);
                            nd.out.append(", ").append(nd.ip6addr(oip + 24))
                                    .append(nh == 6 ? " tcp port " : " udp port ")
                                    .append(dport);
                        }
                        default -> {
                            if (nd.vflag <= 1) {
                                nd.printUnknownData(dp, "\n\t", length);
                                return;
                            }
                        }
                    }
                }
                case 2 -> {
                    long mtu = nd.u32(dp + 4);
                    nd.out.append(", mtu ").append(mtu);
                }
                case 3 -> {
                    switch (code) {
                        case 0 -> {
                            String dst = nd.ip6addr(oip + 24);
                            nd.out.append(" for ").append(dst);
                        }
                        case 1 -> nd.out.append(" (reassembly)");
                        default -> nd.out.append(", unknown code (").append(code).append(')');
                    }
                }
                case 4 -> {
                    nd.tcheck(oip + 24, 16);
                    switch (code) {
                        case 0 -> nd.out.append(", erroneous - octet ").append(nd.u32(dp + 4));
                        case 1 -> nd.out.append(", next header - octet ").append(nd.u32(dp + 4));
                        case 2 -> nd.out.append(", option - octet ").append(nd.u32(dp + 4));
                        case 3 -> nd.out.append(", incomplete header chain - octet ").append(nd.u32(dp + 4));
                        default -> nd.out.append(", code-#").append(code);
                    }
                }
                case 128, 129 -> {
                    int id = nd.u16(dp + 4);
                    int seq = nd.u16(dp + 6);
                    nd.out.append(", id ").append(id).append(", seq ").append(seq);
                }
                case 130 -> {
                    if (length == 24) {
                        mld6Print(nd, dp);
                    } else if (length >= 28) {
                        nd.out.append(" v2");
                        mldv2QueryPrint(nd, dp, length);
                    } else {
                        nd.out.append(" unknown-version (len ").append(length).append(") ");
                    }
                }
                case 131, 132 -> mld6Print(nd, dp);
                case 143 -> mldv2ReportPrint(nd, dp, length);
                case 133 -> {
                    if (nd.vflag > 0 && !icmp6OptPrint(nd, dp + 8, length - 8)) throw Netdissect.TRUNCATED;
                }
                case 135 -> {
                    String target = nd.ip6addr(dp + 8);
                    nd.out.append(", who has ").append(target);
                    if (nd.vflag > 0 && !icmp6OptPrint(nd, dp + 24, length - 24)) throw Netdissect.TRUNCATED;
                }
                case 136 -> {
                    String target = nd.ip6addr(dp + 8);
                    nd.out.append(", tgt is ").append(target);
                    if (nd.vflag > 0) {
                        long flags = nd.u32(dp + 4);
                        StringBuilder f = new StringBuilder();
                        if ((flags & 0x80000000L) != 0) f.append("router");
                        if ((flags & 0x40000000L) != 0) f.append(f.isEmpty() ? "" : ", ").append("solicited");
                        if ((flags & 0x20000000L) != 0) f.append(f.isEmpty() ? "" : ", ").append("override");
                        nd.out.append(", Flags [").append(f.isEmpty() ? "none" : f).append(']');
                        if (!icmp6OptPrint(nd, dp + 24, length - 24)) throw Netdissect.TRUNCATED;
                    }
                }
                default -> {
                    if (type < 128 || (type > 147 && type != 155)) {
                        // Types tcpdump's switch does not know: the length and a hex dump.
                        nd.out.append(", length ").append(length);
                        if (nd.vflag <= 1) nd.printUnknownData(dp, "\n\t", length);
                        return;
                    }
                }
            }
            if (nd.vflag == 0) nd.out.append(", length ").append(length);
        } catch (Netdissect.Truncated t) {
            nd.ndPrintTrunc();
        }
    }

    /** mld6_print(). */
    private static void mld6Print(Netdissect nd, int bp) {
        if (bp + 24 > nd.snapend) return;
        nd.out.append("max resp delay: ").append(nd.u16(bp + 4)).append(' ');
        String addr = nd.ip6addr(bp + 8);
        nd.out.append("addr: ").append(addr);
    }

    /** mldv2_report_print(). */
    private static void mldv2ReportPrint(Netdissect nd, int bp, int len) {
        if (len < 8) {
            nd.out.append(" [invalid len ").append(len).append(']');
            return;
        }
        PrintIgmp.groupRecords(nd, bp, len, 16,
                t -> t >= 1 && t <= 6 ? PrintIgmp.igmpV3RecordType(t) : " [v2-report-#" + t + "]");
    }

    /** mldv2_query_print(). */
    private static void mldv2QueryPrint(Netdissect nd, int bp, int len) {
        if (len < 28) {
            nd.out.append(" [invalid len ").append(len).append(']');
            return;
        }
        int mrc = nd.u16(bp + 4);
        long mrt = mrc < 32768 ? mrc : (long) ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
        if (nd.vflag > 0) nd.out.append(" [max resp delay=").append(mrt).append(']');
        String g = nd.ip6addr(bp + 8);
        nd.out.append(" [gaddr ").append(g);
        if (nd.vflag > 0) {
            int f = nd.u8(bp + 24);
            if ((f & 0x08) != 0) nd.out.append(" sflag");
            if ((f & 0x07) != 0) nd.out.append(" robustness=").append(f & 7);
            int q = nd.u8(bp + 25);
            int qqi = q < 128 ? q : ((q & 0x0f) | 0x10) << (((q & 0x70) >> 4) + 3);
            nd.out.append(" qqi=").append(qqi);
        }
        PrintIgmp.querySources(nd, bp, len, 26, 16);
        nd.out.append(']');
    }

    /**
     * icmp6_opt_print() for the link-address and MTU options (other options are not decoded by jnat);
     * false where tcpdump's returns -1 (truncated).
     */
    private static boolean icmp6OptPrint(Netdissect nd, int cp, int resid) {
        while (cp < nd.snapend) {
            if (!nd.ttest(cp + 1, 1)) return false;
            if (resid <= 0) return true;
            int type = nd.u8(cp);
            int len = nd.u8(cp + 1);
            if (len == 0 || cp + (len << 3) > nd.snapend) return false;
            String name = switch (type) {
                case 1 -> "source link-address";
                case 2 -> "destination link-address";
                case 3 -> "prefix info";
                case 4 -> "redirected header";
                case 5 -> "mtu";
                case 25 -> "rdnss";
                case 31 -> "dnssl";
                case 7 -> "advertisement interval";
                case 8 -> "homeagent information";
                case 24 -> "route info";
                default -> "unknown";
            };
            nd.out.append("\n\t  ").append(name).append(" option (").append(type).append("), length ").append(len << 3)
                    .append(" (").append(len).append("): ");
            switch (type) {
                case 1, 2 -> {
                    for (int i = 0; i < (len << 3) - 2; i++) {
                        if (i > 0) nd.out.append(':');
                        hex2(nd.out, nd.u8(cp + 2 + i));
                    }
                }
                case 5 -> nd.out.append(' ').append(nd.u32(cp + 4)).append(len != 1 ? "bad option length" : "");
                default -> {
                    nd.out.append("[jnat: option not decoded]");
                    return true;
                }
            }
            if (nd.vflag > 1) nd.printUnknownData(cp + 2, "\n\t    ", (len << 3) - 2);
            cp += len << 3;
            resid -= len << 3;
        }
        return true;
    }
}

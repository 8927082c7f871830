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
            case 139 -> "who-are-you request"; // ICMP6_WRUREQUEST precedes ICMP6_NI_QUERY in tcpdump's table
            case 140 -> "who-are-you reply";
            case 201 -> "mtrace message";
            case 200 -> "mtrace response";
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
            nd.out.append(", length ").append(Integer.toUnsignedString(length));
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
                            int[] prot = new int[1];
                            int ouh = upperLayer(nd, oip, prot);
                            if (ouh < 0) throw Netdissect.TRUNCATED;
                            int dport = nd.u16(ouh + 2);
                            nd.out.append(", ").append(nd.ip6addr(oip + 24))
                                    .append(prot[0] == 6 ? " tcp port " : " udp port ")
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
                    } else if (Integer.compareUnsigned(length, 28) >= 0) {
                        nd.out.append(" v2");
                        mldv2QueryPrint(nd, dp, length);
                    } else {
                        nd.out.append(" unknown-version (len ").append(Integer.toUnsignedString(length)).append(") ");
                    }
                }
                case 131, 132 -> mld6Print(nd, dp);
                case 143 -> mldv2ReportPrint(nd, dp, length);
                case 133 -> {
                    if (nd.vflag > 0 && !icmp6OptPrint(nd, dp + 8, length - 8)) throw Netdissect.TRUNCATED;
                }
                case 134 -> {
                    if (nd.vflag > 0) {
                        // One ND_PRINT: every field is read before any is printed.
                        int hopLimit = nd.u8(dp + 4);
                        int flags = nd.u8(dp + 5);
                        int lifetime = nd.u16(dp + 6);
                        long reachable = nd.u32(dp + 8);
                        long retrans = nd.u32(dp + 12);
                        nd.out.append("\n\thop limit ").append(hopLimit).append(", Flags [")
                                .append(raFlags(flags)).append("], pref ").append(rtpref(flags))
                                .append(", router lifetime ").append(lifetime).append("s, reachable time ")
                                .append(reachable).append("ms, retrans timer ").append(retrans).append("ms");
                        if (!icmp6OptPrint(nd, dp + 16, length - 16)) throw Netdissect.TRUNCATED;
                    }
                }
                case 137 -> {
                    String dst = nd.ip6addr(dp + 24);
                    nd.out.append(", ").append(dst);
                    String target = nd.ip6addr(dp + 8);
                    nd.out.append(" to ").append(target);
                    if (nd.vflag > 0 && !icmp6OptPrint(nd, dp + 40, length - 40)) throw Netdissect.TRUNCATED;
                }
                case 144, 146 -> nd.out.append(id(nd, dp));
                case 145 -> {
                    if (nd.vflag > 0) {
                        nd.out.append(id(nd, dp));
                        for (int p = dp + 8; p < dp + length; p += 16) {
                            String addr = nd.ip6addr(p);
                            nd.out.append(", ").append(addr);
                        }
                    }
                }
                case 147 -> {
                    if (nd.vflag > 0) {
                        nd.out.append(id(nd, dp));
                        int flags = nd.u16(dp + 6);
                        if ((flags & 0xc000) != 0) nd.out.append(' ');
                        if ((flags & 0x8000) != 0) nd.out.append('M');
                        if ((flags & 0x4000) != 0) nd.out.append('O');
                        if (!icmp6OptPrint(nd, dp + 8, length - 8)) throw Netdissect.TRUNCATED;
                    }
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
                        nd.out.append(", Flags [").append(bits(flags, NA_FLAGS, NA_FLAG_NAMES)).append(']');
                        if (!icmp6OptPrint(nd, dp + 24, length - 24)) throw Netdissect.TRUNCATED;
                    }
                }
                default -> {
                    if (type < 128 || (type > 147 && type != 155)) {
                        // Types tcpdump's switch does not know: the length and a hex dump.
                        nd.out.append(", length ").append(Integer.toUnsignedString(length));
                        if (nd.vflag <= 1) nd.printUnknownData(dp, "\n\t", length);
                        return;
                    }
                }
            }
            if (nd.vflag == 0) nd.out.append(", length ").append(Integer.toUnsignedString(length));
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
        if (Integer.compareUnsigned(len, 8) < 0) {
            nd.out.append(" [invalid len ").append(len).append(']');
            return;
        }
        PrintIgmp.groupRecords(nd, bp, len, 16,
                t -> t >= 1 && t <= 6 ? PrintIgmp.igmpV3RecordType(t) : " [v2-report-#" + t + "]");
    }

    /** mldv2_query_print(). */
    private static void mldv2QueryPrint(Netdissect nd, int bp, int len) {
        if (Integer.compareUnsigned(len, 28) < 0) {
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

    static final long[] NA_FLAGS = {0x80000000L, 0x40000000L, 0x20000000L};
    static final String[] NA_FLAG_NAMES = {"router", "solicited", "override"};
    static final long[] RA_FLAGS = {0x80, 0x40, 0x20, 0x02};
    static final String[] RA_FLAG_NAMES = {"managed", "other stateful", "home agent", "ipv6 only"};
    static final long[] PI_FLAGS = {0x80, 0x40, 0x20};
    static final String[] PI_FLAG_NAMES = {"onlink", "auto", "router"};

    /** bittok2str() with "none" for no bit set. */
    static String bits(long v, long[] mask, String[] names) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < mask.length; i++) {
            if ((v & mask[i]) != 0) s.append(s.isEmpty() ? "" : ", ").append(names[i]);
        }
        return s.isEmpty() ? "none" : s.toString();
    }

    private static String raFlags(int flags) {
        return bits(flags, RA_FLAGS, RA_FLAG_NAMES);
    }

    /** ", id 0x%04x" of the first 16-bit data word, read before anything is printed. */
    private static String id(Netdissect nd, int dp) {
        return ", id 0x" + hex(nd.u16(dp + 4), 4);
    }

    /** get_rtpref(). */
    private static String rtpref(int v) {
        return new String[] {"medium", "high", "rsv", "low"}[(v & 0x18) >> 3];
    }

    /** get_lifetime(). */
    private static String lifetime(long v) {
        return v == 0xffffffffL ? "infinity" : v + "s";
    }

    /**
     * get_upperlayer(): the TCP or UDP header of a quoted datagram behind its extension headers, its
     * protocol in {@code prot[0]}; -1 when there is none or it was not captured.
     */
    private static int upperLayer(Netdissect nd, int bp, int[] prot) {
        if (!nd.ttest(bp + 6, 1)) return -1;
        int nh = nd.u8(bp + 6);
        int hlen = 40;
        while (bp < nd.snapend) {
            bp += hlen;
            switch (nh) {
                case 6, 17 -> {
                    if (!nd.ttest(bp + 2, 2)) return -1;
                    prot[0] = nh;
                    return bp;
                }
                case 0, 60, 43 -> {
                    if (!nd.ttest(bp + 1, 1)) return -1;
                    nh = nd.u8(bp);
                    hlen = (nd.u8(bp + 1) + 1) << 3;
                }
                case 44 -> {
                    if (!nd.ttest(bp + 2, 2)) return -1;
                    if ((nd.u16(bp + 2) & 0xfff8) != 0) return -1;
                    nh = nd.u8(bp);
                    hlen = 8;
                }
                case 51 -> {
                    if (!nd.ttest(bp + 1, 1)) return -1;
                    nh = nd.u8(bp);
                    hlen = (nd.u8(bp + 1) + 2) << 2;
                }
                default -> {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** icmp6_opt_print(): neighbour-discovery options; false where tcpdump's returns -1 (truncated). */
    private static boolean icmp6OptPrint(Netdissect nd, int bp, int resid) {
        int cp = bp;
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
                case 3 -> {
                    String prefix = nd.ip6addr(cp + 16);
                    int plen = nd.u8(cp + 2);
                    String flags = bits(nd.u8(cp + 3), PI_FLAGS, PI_FLAG_NAMES);
                    String valid = lifetime(nd.u32(cp + 4));
                    nd.out.append(prefix).append('/').append(plen).append(len != 4 ? "badlen" : "").append(", Flags [")
                            .append(flags).append("], valid time ").append(valid);
                    String preferred = lifetime(nd.u32(cp + 8));
                    nd.out.append(", pref. time ").append(preferred);
                }
                case 4 -> nd.printUnknownData(bp, "\n\t    ", len << 3);
                case 5 -> {
                    long mtu = nd.u32(cp + 4);
                    nd.out.append(' ').append(mtu).append(len != 1 ? "bad option length" : "");
                }
                case 25 -> {
                    nd.out.append(" lifetime ").append(nd.u32(cp + 4)).append("s,");
                    for (int i = 0; i < (len - 1) / 2; i++) nd.out.append(" addr: ").append(nd.ip6addr(cp + 8 + 16 * i));
                }
                case 31 -> {
                    nd.out.append(" lifetime ").append(nd.u32(cp + 4)).append("s, domain(s):");
                    int domp = cp + 8;
                    while (domp < cp + (len << 3) && nd.u8(domp) != 0) {
                        nd.out.append(' ');
                        if ((domp = PrintDomain.fqdn(nd, domp, bp)) < 0) return false;
                    }
                }
                case 7 -> nd.out.append(' ').append(nd.u32(cp + 4)).append("ms");
                case 8 -> {
                    int pref = nd.u16(cp + 4);
                    int life = nd.u16(cp + 6);
                    nd.out.append(" preference ").append(pref).append(", lifetime ").append(life);
                }
                case 24 -> {
                    nd.tcheck(cp + 4, 4);
                    byte[] in6 = new byte[16];
                    switch (len) {
                        case 1 -> { }
                        case 2, 3 -> {
                            int n = len == 2 ? 8 : 16;
                            nd.tcheck(cp + 8, n);
                            System.arraycopy(nd.buf, cp + 8, in6, 0, n);
                        }
                        default -> {
                            return false;
                        }
                    }
                    nd.out.append(' ').append(Netdissect.ip6addr(in6, 0)).append('/').append(nd.u8(cp + 2));
                    nd.out.append(", pref=").append(rtpref(nd.u8(cp + 3)));
                    nd.out.append(", lifetime=").append(lifetime(nd.u32(cp + 4)));
                }
                default -> {
                    if (nd.vflag <= 1) {
                        nd.printUnknownData(cp + 2, "\n\t  ", (len << 3) - 2);
                        return true;
                    }
                }
            }
            if (nd.vflag > 1) nd.printUnknownData(cp + 2, "\n\t    ", (len << 3) - 2);
            cp += len << 3;
            resid -= len << 3;
        }
        return true;
    }
}

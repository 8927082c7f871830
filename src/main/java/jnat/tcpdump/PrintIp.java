package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.cksumShouldBe;

/**
 * print-ip.c: the IPv4 header with -v and its options, fragments, and the pseudo-header sum of the
 * upper-layer checksums.
 */
final class PrintIp {
    private PrintIp() {}

    /** ipN_print(). */
    static void ipNPrint(Netdissect nd, int off, int length) {
        nd.protocol = "ipn";
        if (length < 1) {
            nd.out.append("truncated-ip ").append(length);
            return;
        }
        switch (nd.u8(off) & 0xf0) {
            case 0x40 -> print(nd, off, length);
            case 0x60 -> PrintIp6.print(nd, off, length);
            default -> nd.out.append("unknown ip ").append((nd.u8(off) & 0xf0) >> 4);
        }
    }

    static String ipprotoName(int p) {
        return switch (p) {
            case 0 -> "Options";
            case 1 -> "ICMP";
            case 2 -> "IGMP";
            case 4 -> "IPIP";
            case 6 -> "TCP";
            case 8 -> "EGP";
            case 9 -> "IGRP";
            case 17 -> "UDP";
            case 33 -> "DCCP";
            case 41 -> "IPv6";
            case 43 -> "Routing";
            case 44 -> "Fragment";
            case 46 -> "RSVP";
            case 47 -> "GRE";
            case 50 -> "ESP";
            case 51 -> "AH";
            case 55 -> "Mobile IP";
            case 58 -> "ICMPv6";
            case 62 -> "Mobile IP (old)";
            case 88 -> "EIGRP";
            case 89 -> "OSPF";
            case 103 -> "PIM";
            case 108 -> "Compressed IP";
            case 112 -> "VRRP";
            case 113 -> "PGM";
            case 132 -> "SCTP";
            case 135 -> "Mobility";
            case 143 -> "Ethernet";
            default -> "unknown";
        };
    }

    /**
     * ip_print(). Its own "trunc:" label and a failed read both end in nd_print_trunc() with ndo_protocol,
     * so both are {@link Netdissect#TRUNCATED} unwinding to TcpdumpPrinter (pretty_print_packet).
     */
    static void print(Netdissect nd, int ip, int length) {
        nd.protocol = "ip";
        int v = nd.u8(ip) >> 4;
        if (v != 4) {
            if (v == 6) nd.out.append("IP6, wrong link-layer encapsulation");
            else nd.out.append("IP").append(v);
            nd.ndPrintInvalid();
            return;
        }
        if (!nd.eflag) nd.out.append("IP ");
        nd.tcheck(ip, 20);
        if (length < 20) {
            nd.out.append("truncated-ip ").append(length);
            return;
        }
        int hlen = (nd.u8(ip) & 0x0f) * 4;
        if (hlen < 20) {
            nd.out.append("bad-hlen ").append(hlen);
            return;
        }
        int len = nd.u16(ip + 2);
        if (length < len) nd.out.append("truncated-ip - ").append(len - length).append(" bytes missing! ");
        if (len < hlen) {
            nd.out.append("bad-len ").append(len);
            return;
        }
        nd.pushSnaplen(ip, len);
        len -= hlen;
        int off = nd.u16(ip + 6);
        int proto = nd.u8(ip + 9);
        if (nd.vflag > 0) {
            int tos = nd.u8(ip + 1);
            nd.out.append("(tos 0x").append(Integer.toHexString(tos));
            switch (tos & 3) {
                case 1 -> nd.out.append(",ECT(1)");
                case 2 -> nd.out.append(",ECT(0)");
                case 3 -> nd.out.append(",CE");
                default -> { }
            }
            int ttl = nd.u8(ip + 8);
            if (ttl >= 1) nd.out.append(", ttl ").append(ttl);
            nd.out.append(", id ").append(nd.u16(ip + 4)).append(", offset ").append((off & 0x1fff) * 8)
                    .append(", flags [");
            String flags = (off & 0x2000) != 0 ? "+" : "";
            if ((off & 0x4000) != 0) flags += flags.isEmpty() ? "DF" : ", DF";
            if ((off & 0x8000) != 0) flags += flags.isEmpty() ? "rsvd" : ", rsvd";
            nd.out.append(flags.isEmpty() ? "none" : flags).append("], proto ").append(ipprotoName(proto))
                    .append(" (").append(proto).append(')');
            nd.out.append(", length ").append(nd.u16(ip + 2));
            boolean truncated = false;
            if (hlen > 20) {
                nd.out.append(", options (");
                if (!ipOptPrint(nd, ip + 20, hlen - 20)) {
                    nd.out.append(" [truncated-option]");
                    truncated = true;
                }
                nd.out.append(')');
            }
            if (ip + hlen <= nd.snapend) {
                int sum = nd.inCksum(0, ip, hlen);
                if (sum != 0) {
                    int ipSum = nd.u16(ip + 10);
                    nd.out.append(", bad cksum ").append(Integer.toHexString(ipSum)).append(" (->")
                            .append(Integer.toHexString(cksumShouldBe(ipSum, sum))).append(")!");
                }
            }
            nd.out.append(")\n    ");
            if (truncated) {
                nd.out.append(nd.ipaddr(ip + 12)).append(" > ").append(nd.ipaddr(ip + 16)).append(": ");
                nd.ndPrintTrunc();
                nd.popSnaplen();
                return;
            }
        }
        if ((off & 0x1fff) == 0) {
            int nh = nd.u8(ip + 9);
            if (nh != 6 && nh != 17 && nh != 132 && nh != 33) {
                nd.out.append(nd.ipaddr(ip + 12)).append(" > ").append(nd.ipaddr(ip + 16)).append(": ");
            }
            if (!nd.ttest(ip, hlen)) {
                nd.out.append(" [remaining caplen(").append(Math.max(0, nd.snapend - ip)).append(") < header length(")
                        .append(hlen).append(")]");
                throw Netdissect.TRUNCATED;
            }
            PrintIpDemux.print(nd, ip + hlen, len, 4, (off & 0x2000) != 0, nh, ip);
        } else {
            nd.out.append(nd.ipaddr(ip + 12)).append(" > ").append(nd.ipaddr(ip + 16)).append(':');
            nd.out.append(" ip-proto-").append(proto);
        }
        nd.popSnaplen();
    }

    private static String ipOptName(int code) {
        return switch (code) {
            case 0 -> "EOL";
            case 1 -> "NOP";
            case 68 -> "timestamp";
            case 130 -> "security";
            case 7 -> "RR";
            case 137 -> "SSRR";
            case 131 -> "LSRR";
            case 148 -> "RA";
            case 82 -> "traceroute";
            default -> "unknown " + code;
        };
    }

    /** ip_optprint(): false when the options were cut by the capture. */
    private static boolean ipOptPrint(Netdissect nd, int cp, int length) {
        String sep = "";
        int optionLen;
        for (; length > 0; cp += optionLen, length -= optionLen) {
            nd.out.append(sep);
            sep = ",";
            int code = nd.u8(cp);
            nd.out.append(ipOptName(code));
            if (code == 1 || code == 0) {
                optionLen = 1;
            } else {
                optionLen = nd.u8(cp + 1);
                if (optionLen < 2) {
                    nd.out.append(" [bad length ").append(optionLen).append(']');
                    return true;
                }
            }
            if (optionLen > length) {
                nd.out.append(" [bad length ").append(optionLen).append(']');
                return true;
            }
            if (!nd.ttest(cp, optionLen)) return false;
            switch (code) {
                case 0 -> {
                    return true;
                }
                case 68 -> {
                    if (!ipPrintTs(nd, cp, optionLen)) return false;
                }
                case 7, 137, 131 -> {
                    if (!ipPrintRoute(nd, cp, optionLen)) return false;
                }
                case 148 -> {
                    if (optionLen < 4) {
                        nd.out.append(" [bad length ").append(optionLen).append(']');
                    } else if (nd.u16(cp + 2) != 0) {
                        nd.out.append(" value ").append(nd.u16(cp + 2));
                    }
                }
                default -> { }
            }
        }
        return true;
    }

    /** ip_printroute(). */
    private static boolean ipPrintRoute(Netdissect nd, int cp, int length) {
        if (length < 3) {
            nd.out.append(" [bad length ").append(length).append(']');
            return true;
        }
        if (((length + 1) & 3) != 0) nd.out.append(" [bad length ").append(length).append(']');
        int ptr = nd.u8(cp + 2) - 1;
        if (ptr < 3 || ((ptr + 1) & 3) != 0 || ptr > length + 1) {
            nd.out.append(" [bad ptr ").append(nd.u8(cp + 2)).append(']');
        }
        for (int len = 3; len < length; len += 4) {
            if (!nd.ttest(cp + len, 4)) return false;
            nd.out.append(' ').append(nd.ipaddr(cp + len));
            if (ptr > len) nd.out.append(',');
        }
        return true;
    }

    /** ip_printts(). */
    private static boolean ipPrintTs(Netdissect nd, int cp, int length) {
        if (length < 4) {
            nd.out.append("[bad length ").append(length).append(']');
            return true;
        }
        nd.out.append(" TS{");
        int flags = nd.u8(cp + 3);
        int hoplen = (flags & 0xf) != 0 ? 8 : 4;
        if (((length - 4) & (hoplen - 1)) != 0) nd.out.append("[bad length ").append(length).append(']');
        int ptr = nd.u8(cp + 2) - 1;
        int len = 0;
        if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) != 0 || ptr > length + 1) {
            nd.out.append("[bad ptr ").append(nd.u8(cp + 2)).append(']');
        }
        boolean known = true;
        switch (flags & 0xf) {
            case 0 -> nd.out.append("TSONLY");
            case 1 -> nd.out.append("TS+ADDR");
            case 3 -> nd.out.append("PRESPEC");
            default -> {
                nd.out.append("[bad ts type ").append(flags & 0xf).append(']');
                known = false;
            }
        }
        if (known) {
            String type = " ";
            for (len = 4; len < length; len += hoplen) {
                if (ptr == len) type = " ^ ";
                if (!nd.ttest(cp + len, hoplen)) return false;
                nd.out.append(type).append(nd.u32(cp + len + hoplen - 4)).append('@')
                        .append(hoplen != 8 ? "" : nd.ipaddr(cp + len));
                type = " ";
            }
        }
        nd.out.append(ptr == len ? " ^ " : "");
        if ((flags >> 4) != 0) nd.out.append(" [").append(flags >> 4).append(" hops not recorded]} ");
        else nd.out.append('}');
        return true;
    }

    /** The pseudo-header sum of nextproto4_cksum(), to the final destination of a source route. */
    static long pseudo4(Netdissect nd, int ip, int len, int proto) {
        int dst = ipFinalDst(nd, ip);
        long sum = 0;
        sum += nd.u16(ip + 12) + nd.u16(ip + 14);
        sum += dst >>> 16 & 0xffff;
        sum += dst & 0xffff;
        sum += proto + len;
        return sum;
    }

    /** ip_finddst(): the final destination of a source-routed datagram, else ip_dst. */
    private static int ipFinalDst(Netdissect nd, int ip) {
        int length = (nd.u8(ip) & 0x0f) * 4 - 20;
        int cp = ip + 20;
        int len;
        for (; length > 0; cp += len, length -= len) {
            if (!nd.ttest(cp, 1)) break;
            int tt = nd.u8(cp);
            if (tt == 0) break;
            if (tt == 1) {
                len = 1;
            } else {
                if (!nd.ttest(cp + 1, 1)) break;
                len = nd.u8(cp + 1);
                if (len < 2) break;
            }
            if (length < len || !nd.ttest(cp, len)) break;
            if ((tt == 137 || tt == 131) && len >= 7) return (int) nd.u32(cp + len - 4);
        }
        return (int) nd.u32(ip + 16);
    }
}

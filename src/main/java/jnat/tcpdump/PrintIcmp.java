package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.cksumShouldBe;
import static jnat.tcpdump.Netdissect.hex;

/** print-icmp.c: every type tcpdump names, and with -v the datagram an error quotes. */
final class PrintIcmp {
    private PrintIcmp() {}

    private static String icmpTstamp(long t) {
        long msec = t % 1000;
        long sec = t / 1000;
        long min = sec / 60;
        sec -= min * 60;
        long hrs = min / 60;
        min -= hrs * 60;
        return String.format("%02d:%02d:%02d.%03d", hrs, min, sec, msec);
    }

    /** icmp_print() (without RFC 4884 multi-part extensions, which only -v prints). */
    static void print(Netdissect nd, int dp, int plen, int iph, boolean fragmented) {
        nd.protocol = "icmp";
        int type = nd.u8(dp);
        int code = nd.u8(dp + 1);
        int oipDst = dp + 8 + 16;
        String str;
        switch (type) {
            case 0, 8 -> str = "echo " + (type == 8 ? "request" : "reply") + ", id " + nd.u16(dp + 4) + ", seq "
                    + nd.u16(dp + 6);
            case 3 -> str = switch (code) {
                case 0 -> "net " + nd.ipaddr(oipDst) + " unreachable";
                case 1 -> "host " + nd.ipaddr(oipDst) + " unreachable";
                case 2 -> nd.ipaddr(oipDst) + " protocol " + nd.u8(dp + 8 + 9) + " unreachable";
                case 3 -> {
                    nd.tcheck(dp + 8 + 9, 1);
                    int oip = dp + 8;
                    int hlen = (nd.u8(oip) & 0x0f) * 4;
                    int dport = nd.u16(oip + hlen + 2);
                    int p = nd.u8(oip + 9);
                    yield switch (p) {
                        case 6 -> nd.ipaddr(oip + 16) + " tcp port " + dport + " unreachable";
                        case 17 -> nd.ipaddr(oip + 16) + " udp port " + dport + " unreachable";
                        default -> nd.ipaddr(oip + 16) + " protocol " + p + " port " + dport + " unreachable";
                    };
                }
                case 4 -> {
                    int mtu = nd.u16(dp + 6);
                    yield mtu != 0 ? nd.ipaddr(oipDst) + " unreachable - need to frag (mtu " + mtu + ")"
                            : nd.ipaddr(oipDst) + " unreachable - need to frag";
                }
                case 5 -> nd.ipaddr(oipDst) + " unreachable - source route failed";
                case 6 -> "net " + nd.ipaddr(oipDst) + " unreachable - unknown";
                case 7 -> "host " + nd.ipaddr(oipDst) + " unreachable - unknown";
                case 8 -> nd.ipaddr(oipDst) + " unreachable - source host isolated";
                case 9 -> "net " + nd.ipaddr(oipDst) + " unreachable - admin prohibited";
                case 10 -> "host " + nd.ipaddr(oipDst) + " unreachable - admin prohibited";
                case 11 -> "net " + nd.ipaddr(oipDst) + " unreachable - tos prohibited";
                case 12 -> "host " + nd.ipaddr(oipDst) + " unreachable - tos prohibited";
                case 13 -> "host " + nd.ipaddr(oipDst) + " unreachable - admin prohibited filter";
                case 14 -> "host " + nd.ipaddr(oipDst) + " unreachable - host precedence violation";
                case 15 -> "host " + nd.ipaddr(oipDst) + " unreachable - precedence cutoff";
                default -> nd.ipaddr(oipDst) + " unreachable - #" + code;
            };
            case 5 -> str = switch (code) {
                case 0 -> "redirect " + nd.ipaddr(oipDst) + " to net " + nd.ipaddr(dp + 4);
                case 1 -> "redirect " + nd.ipaddr(oipDst) + " to host " + nd.ipaddr(dp + 4);
                case 2 -> "redirect-tos " + nd.ipaddr(oipDst) + " to net " + nd.ipaddr(dp + 4);
                case 3 -> "redirect-tos " + nd.ipaddr(oipDst) + " to host " + nd.ipaddr(dp + 4);
                default -> "redirect-#" + code + " " + nd.ipaddr(oipDst) + " to " + nd.ipaddr(dp + 4);
            };
            case 9 -> str = routerAdvertisement(nd, dp);
            case 11 -> {
                nd.tcheck(oipDst, 4);
                str = switch (code) {
                    case 0 -> "time exceeded in-transit";
                    case 1 -> "ip reassembly time exceeded";
                    default -> "time exceeded-#" + code;
                };
            }
            case 12 -> str = code != 0 ? "parameter problem - code " + code
                    : "parameter problem - octet " + nd.u8(dp + 4);
            case 18 -> str = "address mask is 0x" + hex((int) nd.u32(dp + 8), 8);
            case 13 -> str = "time stamp query id " + nd.u16(dp + 4) + " seq " + nd.u16(dp + 6);
            case 14 -> {
                nd.tcheck(dp + 16, 4);
                str = "time stamp reply id " + nd.u16(dp + 4) + " seq " + nd.u16(dp + 6) + ": org "
                        + icmpTstamp(nd.u32(dp + 8)) + ", recv " + icmpTstamp(nd.u32(dp + 12)) + ", xmit "
                        + icmpTstamp(nd.u32(dp + 16));
            }
            case 4 -> str = "source quench";
            case 10 -> str = "router solicitation";
            case 15 -> str = "information request";
            case 16 -> str = "information reply";
            case 17 -> str = "address mask request";
            default -> str = "type-#" + type;
        }
        nd.out.append("ICMP ").append(str).append(", length ").append(plen);
        if (nd.vflag > 0 && !fragmented && nd.ttest(dp, plen)) {
            int sum = nd.inCksum(0, dp, plen);
            if (sum != 0) {
                int icmpSum = nd.u16(dp + 2);
                nd.out.append(" (wrong icmp cksum ").append(Integer.toHexString(icmpSum)).append(" (->")
                        .append(Integer.toHexString(cksumShouldBe(icmpSum, sum))).append(")!)");
            }
        }
        if (nd.vflag >= 1 && (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)) {
            int ip = dp + 8;
            nd.out.append("\n\t");
            int saved = nd.snapend;
            int ipLen = nd.u16(ip + 2);
            nd.snapend = Math.min(ip + ipLen, nd.snapend);
            PrintIp.print(nd, ip, ipLen);
            nd.snapend = saved;
        }
        nd.protocol = "icmp";
    }

    private static String routerAdvertisement(Netdissect nd, int dp) {
        StringBuilder s = new StringBuilder("router advertisement");
        nd.tcheck(dp + 4, 4);
        s.append(" lifetime ");
        int lifetime = nd.u16(dp + 6);
        if (lifetime < 60) s.append(lifetime);
        else if (lifetime < 3600) s.append(String.format("%d:%02d", lifetime / 60, lifetime % 60));
        else s.append(String.format("%d:%02d:%02d", lifetime / 3600, (lifetime % 3600) / 60, lifetime % 60));
        int num = nd.u8(dp + 4);
        s.append(' ').append(num).append(':');
        int size = nd.u8(dp + 5);
        if (size != 2) {
            s.append(" [size ").append(size).append(']');
            return s.toString();
        }
        int idp = dp + 8;
        while (num-- > 0) {
            nd.tcheck(idp, 8);
            s.append(" {").append(nd.ipaddr(idp)).append(' ').append(nd.u32(idp + 4)).append('}');
            idp += 8;
        }
        return s.toString();
    }
}

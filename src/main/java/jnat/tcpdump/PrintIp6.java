package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.hex;

/**
 * print-ip6.c: the IPv6 header, through the extension headers to the upper-layer protocol, and the
 * pseudo-header sum of the upper-layer checksums.
 */
final class PrintIp6 {
    private PrintIp6() {}

    /**
     * ip6_print(): the header, the hop-by-hop, destination-options, routing and fragment headers, then
     * the upper-layer protocol; a mobility header ends the walk.
     */
    static void print(Netdissect nd, int ip6, int length) {
        nd.protocol = "ip6";
        nd.tcheck(ip6, 40);
        if (length < 40) {
            nd.out.append("truncated-ip6 ").append(length);
            return;
        }
        if (!nd.eflag) nd.out.append("IP6 ");
        int version = nd.u8(ip6) >> 4;
        if (version != 6) {
            nd.out.append("version error: ").append(version).append(" != 6");
            return;
        }
        int payloadLen = nd.u16(ip6 + 4);
        long len;
        if (payloadLen != 0) {
            len = payloadLen + 40L;
            if (length < len) nd.out.append("truncated-ip6 - ").append(len - length).append(" bytes missing!");
        } else {
            len = length + 40L;
        }
        int nh = nd.u8(ip6 + 6);
        if (nd.vflag > 0) {
            long flow = nd.u32(ip6);
            nd.out.append('(');
            if ((flow & 0x0ff00000L) != 0) {
                nd.out.append("class 0x").append(hex((int) ((flow & 0x0ff00000L) >> 20), 2)).append(", ");
            }
            if ((flow & 0x000fffffL) != 0) {
                nd.out.append("flowlabel 0x").append(hex((int) (flow & 0xfffff), 5)).append(", ");
            }
            nd.out.append("hlim ").append(nd.u8(ip6 + 7)).append(", next-header ").append(PrintIp.ipprotoName(nh))
                    .append(" (").append(nh).append(") payload length: ").append(payloadLen).append(") ");
        }
        nd.pushSnaplen(ip6, len);
        int cp = ip6;
        int advance = 40;
        long totalAdvance = 0;
        boolean fragmented = false, foundExtension = false, foundHbh = false;
        long[] jumbo = {-1}; // the Jumbo Payload option's length once found (found_jumbo, jumbolen)
        int ph = 255;
        while (cp < nd.snapend && advance > 0) {
            if (len < advance) {
                nd.ndPrintTrunc();
                return;
            }
            cp += advance;
            len -= advance;
            totalAdvance += advance;
            if (cp == ip6 + 40 && nh != 6 && nh != 17 && nh != 33 && nh != 132) {
                nd.out.append(nd.ip6addr(ip6 + 8)).append(" > ").append(nd.ip6addr(ip6 + 24)).append(": ");
            }
            switch (nh) {
                case 0 -> {
                    if (foundHbh) {
                        nd.out.append("[The Hop-by-Hop Options header was already found]");
                        nd.ndPrintInvalid();
                        return;
                    }
                    if (ph != 255) {
                        nd.out.append("[The Hop-by-Hop Options header don't follow the IPv6 header]");
                        nd.ndPrintInvalid();
                        return;
                    }
                    advance = PrintIp6Opts.hbhoptProcess(nd, cp, payloadLen, jumbo);
                    if (payloadLen == 0 && jumbo[0] < 0) {
                        nd.out.append("[No valid Jumbo Payload Hop-by-Hop option found]");
                        nd.ndPrintInvalid();
                        return;
                    }
                    if (advance < 0) {
                        nd.popSnaplen();
                        return;
                    }
                    foundExtension = true;
                    foundHbh = true;
                    nh = nd.u8(cp);
                }
                case 60, 43 -> {
                    if (nh == 43) nd.tcheck(cp, 1);
                    advance = nh == 60 ? PrintIp6Opts.dstoptProcess(nd, cp) : PrintRt6.print(nd, cp);
                    if (advance < 0) {
                        nd.popSnaplen();
                        return;
                    }
                    foundExtension = true;
                    nh = nd.u8(cp);
                }
                case 44 -> {
                    advance = PrintFrag6.print(nd, cp, ip6);
                    if (advance < 0 || nd.snapend <= cp + advance) {
                        nd.popSnaplen();
                        return;
                    }
                    foundExtension = true;
                    nh = nd.u8(cp);
                    fragmented = true;
                }
                case 62, 135 -> {
                    PrintMobility.print(nd, cp);
                    nd.popSnaplen();
                    return;
                }
                default -> {
                    if (jumbo[0] >= 0) {
                        len = jumbo[0] + 40L;
                        if (len < totalAdvance) {
                            nd.ndPrintTrunc();
                            return;
                        }
                        if (length < len) {
                            nd.out.append("truncated-ip6 - ").append(len - length).append(" bytes missing!");
                        }
                        nd.changeSnaplen(ip6, len);
                        len -= totalAdvance;
                    } else if (payloadLen == 0) {
                        if (foundExtension) {
                            nd.ndPrintTrunc();
                            return;
                        }
                        len = 40;
                        nd.changeSnaplen(ip6, len);
                        len -= totalAdvance;
                    }
                    PrintIpDemux.print(nd, cp, (int) len, 6, fragmented, nh, ip6);
                    nd.popSnaplen();
                    return;
                }
            }
            ph = nh;
            nd.protocol = "ip6";
        }
        nd.popSnaplen();
    }

    /** The pseudo-header sum of nextproto6_cksum(): to a routing header's final destination if there is one. */
    static long pseudo6(Netdissect nd, int ip6, int len, int proto) {
        long sum = 0;
        for (int i = 0; i < 16; i += 2) sum += nd.u16(ip6 + 8 + i);
        int nh = nd.u8(ip6 + 6);
        boolean scan = nh == 0 || nh == 60 || nh == 62 || nh == 135 || nh == 44 || nh == 43;
        int dst = scan ? PrintRt6.finalDestination(nd, ip6) : ip6 + 24;
        for (int i = 0; i < 16; i += 2) sum += nd.u16(dst + i);
        sum += (len >>> 16) + (len & 0xffff) + proto;
        return sum;
    }
}

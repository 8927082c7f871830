package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.hex;

/** print-ip6opts.c: the hop-by-hop and destination options headers. */
final class PrintIp6Opts {
    private PrintIp6Opts() {}

    /** hbhopt_process(): the length of the header, or -1 after printing the truncation marker. */
    static int hbhoptProcess(Netdissect nd, int dp, int payloadLen, long[] jumbo) {
        nd.protocol = "hbhopt";
        int hbhlen = (nd.u8(dp + 1) + 1) << 3;
        if (!nd.ttest(dp, hbhlen)) {
            nd.ndPrintTrunc();
            return -1;
        }
        nd.out.append("HBH ");
        if (!ip6OptProcess(nd, dp + 2, hbhlen - 2, true, payloadLen, jumbo)) {
            nd.ndPrintTrunc();
            return -1;
        }
        return hbhlen;
    }

    /** dstopt_process(). */
    static int dstoptProcess(Netdissect nd, int dp) {
        nd.protocol = "dstopt";
        int dstoptlen = (nd.u8(dp + 1) + 1) << 3;
        if (!nd.ttest(dp, dstoptlen)) {
            nd.ndPrintTrunc();
            return -1;
        }
        nd.out.append("DSTOPT ");
        if (nd.vflag > 0 && !ip6OptProcess(nd, dp + 2, dstoptlen - 2, false, 0, null)) {
            nd.ndPrintTrunc();
            return -1;
        }
        return dstoptlen;
    }

    /**
     * The length of the type-length-value option at {@code bp + i} of {@code len} bytes (1 for Pad1),
     * or -1 where its length byte is missing or it runs past the end ("goto trunc"), as the option loops
     * of print-ip6opts.c and print-mobility.c find it.
     */
    static int optionLength(Netdissect nd, int bp, int i, int len) {
        int optlen;
        if (nd.u8(bp + i) == 0) {
            optlen = 1;
        } else if (i + 1 < len) {
            optlen = nd.u8(bp + i + 1) + 2;
        } else {
            return -1;
        }
        return i + optlen > len ? -1 : optlen;
    }

    /** ip6_sopt_print(): the home-address option's sub-options; false for "trunc". */
    private static boolean subOptions(Netdissect nd, int bp, int len) {
        for (int i = 0, optlen; i < len; i += optlen) {
            int type = nd.u8(bp + i);
            if ((optlen = optionLength(nd, bp, i, len)) < 0) return false;
            switch (type) {
                case 0 -> nd.out.append(", pad1");
                case 1 -> {
                    if (len - i < 2) {
                        nd.out.append(", padn: trunc");
                        return false;
                    }
                    nd.out.append(", padn");
                }
                default -> {
                    if (len - i < 2) {
                        nd.out.append(", sopt_type ").append(type).append(": trunc)");
                        return false;
                    }
                    nd.out.append(", sopt_type 0x").append(hex(type, 2)).append(": len=").append(nd.u8(bp + i + 1));
                }
            }
        }
        return true;
    }

    /** ip6_opt_process(); false for "trunc". */
    private static boolean ip6OptProcess(Netdissect nd, int bp, int len, boolean hopByHop, int payloadLen,
            long[] jumbo) {
        if (len == 0) return true;
        boolean v = nd.vflag > 0;
        boolean seenJumbo = false;
        for (int i = 0, optlen; i < len; i += optlen) {
            int type = nd.u8(bp + i);
            if ((optlen = optionLength(nd, bp, i, len)) < 0) return false;
            switch (type) {
                case 0 -> {
                    if (v) nd.out.append("(pad1)");
                }
                case 1 -> {
                    if (len - i < 2) {
                        nd.out.append("(padn: trunc)");
                        return false;
                    }
                    if (v) nd.out.append("(padn)");
                }
                case 5 -> {
                    if (len - i < 4) {
                        nd.out.append("(rtalert: trunc)");
                        return false;
                    }
                    if (nd.u8(bp + i + 1) != 2) {
                        nd.out.append("(rtalert: invalid len ").append(nd.u8(bp + i + 1)).append(')');
                        return false;
                    }
                    if (v) nd.out.append("(rtalert: 0x").append(hex(nd.u16(bp + i + 2), 4)).append(") ");
                }
                case 0xc2 -> {
                    if (len - i < 6) {
                        nd.out.append("(jumbo: trunc)");
                        return false;
                    }
                    if (nd.u8(bp + i + 1) != 4) {
                        nd.out.append("(jumbo: invalid len ").append(nd.u8(bp + i + 1)).append(')');
                        return false;
                    }
                    long jumbolen = nd.u32(bp + i + 2);
                    if (seenJumbo) {
                        if (v) nd.out.append("(jumbo: ").append(jumbolen).append(" - already seen) ");
                    } else {
                        seenJumbo = true;
                        if (!hopByHop) {
                            if (v) nd.out.append("(jumbo: ").append(jumbolen).append(" - not a hop-by-hop option) ");
                        } else if (payloadLen != 0) {
                            if (v) nd.out.append("(jumbo: ").append(jumbolen).append(" - payload len != 0) ");
                        } else if (jumbolen < 65536) {
                            if (v) nd.out.append("(jumbo: ").append(jumbolen).append(" - < 65536) ");
                        } else {
                            jumbo[0] = jumbolen;
                            if (v) nd.out.append("(jumbo: ").append(jumbolen).append(") ");
                        }
                    }
                }
                case 0xc9 -> {
                    if (len - i < 18) {
                        nd.out.append("(homeaddr: trunc)");
                        return false;
                    }
                    if (nd.u8(bp + i + 1) < 16) {
                        nd.out.append("(homeaddr: invalid len ").append(nd.u8(bp + i + 1)).append(')');
                        return false;
                    }
                    if (v) {
                        nd.out.append("(homeaddr: ").append(nd.ip6addr(bp + i + 2));
                        if (nd.u8(bp + i + 1) > 16 && !subOptions(nd, bp + i + 18, optlen - 18)) return false;
                        nd.out.append(')');
                    }
                }
                default -> {
                    if (len - i < 2) {
                        nd.out.append("(type ").append(type).append(": trunc)");
                        return false;
                    }
                    if (v) nd.out.append("(opt_type 0x").append(hex(type, 2)).append(": len=").append(nd.u8(bp + i + 1))
                            .append(')');
                }
            }
        }
        if (v) nd.out.append(' ');
        return true;
    }

}

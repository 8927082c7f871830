package jnat.tcpdump;

/** print-rt6.c: the IPv6 routing header, types 0 and 2 (addresses) and 4 (segment routing). */
final class PrintRt6 {
    private PrintRt6() {}

    /** rt6_print(): the header's length, or -1 after "(invalid)". */
    static int print(Netdissect nd, int dp) {
        nd.protocol = "rt6";
        nd.out.append("RT6");
        int len = nd.u8(dp + 1);
        nd.out.append(" (len=").append(len);
        int type = nd.u8(dp + 2);
        nd.out.append(", type=").append(type);
        if (type == 0) nd.out.append(" [Deprecated]");
        int segleft = nd.u8(dp + 3); // each ND_PRINT reads its fields before printing any of them
        nd.out.append(", segleft=").append(segleft);
        switch (type) {
            case 0, 2 -> {
                long reserved = nd.u32(dp + 4);
                if (reserved != 0 || nd.vflag > 0) nd.out.append(", rsv=0x").append(Long.toHexString(reserved));
                return addresses(nd, dp, len, dp + 8);
            }
            case 4 -> {
                int lastEntry = nd.u8(dp + 4);
                nd.out.append(", last-entry=").append(lastEntry);
                int flags = nd.u8(dp + 5);
                if (flags != 0 || nd.vflag > 0) nd.out.append(", flags=0x").append(Integer.toHexString(flags));
                int tag = nd.u16(dp + 6);
                nd.out.append(", tag=").append(Integer.toHexString(tag));
                return addresses(nd, dp, len, dp + 8);
            }
            default -> {
                nd.out.append(" (unknown type)");
                nd.ndPrintInvalid();
                return -1;
            }
        }
    }

    private static int addresses(Netdissect nd, int dp, int len, int p) {
        if (len % 2 == 1) {
            nd.out.append(" (invalid length ").append(len).append(')');
            nd.ndPrintInvalid();
            return -1;
        }
        for (int i = 0; i < len >> 1; i++) {
            String addr = nd.ip6addr(p);
            nd.out.append(", [").append(i).append(']').append(addr);
            p += 16;
        }
        nd.out.append(") ");
        return (nd.u8(dp + 1) + 1) << 3;
    }

    /**
     * ip6_finddst(): the destination of the upper-layer pseudo-header, the last address of a type 0 or
     * 2 routing header or the first segment of a type 4 one, else the IPv6 destination.
     */
    static int finalDestination(Netdissect nd, int ip6) {
        int cp = ip6;
        int advance = 40;
        int nh = nd.u8(ip6 + 6);
        int dst = ip6 + 24;
        try {
            while (cp < nd.snapend) {
                cp += advance;
                switch (nh) {
                    case 0, 60, 62, 135 -> {
                        advance = (nd.u8(cp + 1) + 1) << 3;
                        nh = nd.u8(cp);
                    }
                    case 44 -> {
                        advance = 8;
                        nh = nd.u8(cp);
                    }
                    case 43 -> {
                        nd.tcheck(cp, 4);
                        int len = nd.u8(cp + 1);
                        int type = nd.u8(cp + 2);
                        if (type == 0 || type == 2) {
                            if (len % 2 == 1) return dst;
                            int p = cp + 8;
                            for (int i = 0; i < len >> 1; i++) {
                                nd.tcheck(p, 16);
                                dst = p;
                                p += 16;
                            }
                        } else if (type == 4) {
                            if (len % 2 == 1) return dst;
                            nd.tcheck(cp + 8, 16);
                            dst = cp + 8;
                        }
                        return dst;
                    }
                    default -> {
                        return dst;
                    }
                }
            }
        } catch (Netdissect.Truncated t) {
            return dst; // ND_TCHECK's "goto trunc" lands on the copy of what was found so far
        }
        return dst;
    }
}

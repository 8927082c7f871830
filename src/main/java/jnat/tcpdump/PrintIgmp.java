package jnat.tcpdump;

import java.util.function.IntFunction;

/** print-igmp.c: IGMP queries, reports and leaves, v1 to v3 (DVMRP, PIMv1 and mtrace are not decoded). */
final class PrintIgmp {
    private PrintIgmp() {}

    /** igmp_print() for queries, reports and leaves (DVMRP, PIMv1 and mtrace bodies are not decoded). */
    static void print(Netdissect nd, int bp, int len) {
        nd.protocol = "igmp";
        int type = nd.u8(bp);
        switch (type) {
            case 0x11 -> {
                nd.out.append("igmp query");
                if (len >= 12) {
                    igmpV3Query(nd, bp, len);
                } else {
                    int mrt = nd.u8(bp + 1);
                    if (mrt != 0) {
                        nd.out.append(" v2");
                        if (mrt != 100) nd.out.append(" [max resp time ").append(mrt).append(']');
                    } else {
                        nd.out.append(" v1");
                    }
                    if (nd.u32(bp + 4) != 0) {
                        String g = nd.ipaddr(bp + 4);
                        nd.out.append(" [gaddr ").append(g).append(']');
                    }
                    if (len != 8) nd.out.append(" [len ").append(len).append(']');
                }
            }
            case 0x12 -> {
                String g = nd.ipaddr(bp + 4);
                nd.out.append("igmp v1 report ").append(g);
                if (len != 8) nd.out.append(" [len ").append(len).append(']');
            }
            case 0x16 -> {
                String g = nd.ipaddr(bp + 4);
                nd.out.append("igmp v2 report ").append(g);
            }
            case 0x22 -> {
                nd.out.append("igmp v3 report");
                igmpV3Report(nd, bp, len);
            }
            case 0x17 -> {
                String g = nd.ipaddr(bp + 4);
                nd.out.append("igmp leave ").append(g);
            }
            default -> nd.out.append("igmp-").append(type);
        }
        if (nd.vflag > 0 && len >= 4 && nd.ttest(bp, len) && nd.inCksum(0, bp, len) != 0) {
            nd.out.append(" bad igmp cksum ").append(Integer.toHexString(nd.u16(bp + 2))).append('!');
        }
    }

    static String igmpV3RecordType(int t) {
        return switch (t) {
            case 1 -> "is_in";
            case 2 -> "is_ex";
            case 3 -> "to_in";
            case 4 -> "to_ex";
            case 5 -> "allow";
            case 6 -> "block";
            default -> " [v3-report-#" + t + "]";
        };
    }

    /** print_igmpv3_report(). */
    private static void igmpV3Report(Netdissect nd, int bp, int len) {
        if (len < 16 || (len & 3) != 0) {
            nd.out.append(" [invalid len ").append(len).append(']');
            return;
        }
        groupRecords(nd, bp, len, 4, PrintIgmp::igmpV3RecordType);
    }

    /**
     * The group records of an IGMPv3 report, or of an MLDv2 report ({@code alen} 16), which has the same
     * layout with IPv6 addresses: the count, and with -v each group, its record type and its sources.
     */
    static void groupRecords(Netdissect nd, int bp, int len, int alen, IntFunction<String> recordType) {
        int ngroups = nd.u16(bp + 6);
        nd.out.append(", ").append(ngroups).append(" group record(s)");
        if (nd.vflag == 0) return;
        int header = 4 + alen;
        int group = 8;
        for (int i = 0; i < ngroups; i++) {
            if (len < group + header) {
                nd.out.append(" [invalid number of groups]");
                return;
            }
            String g = addr(nd, bp + group + 4, alen);
            nd.out.append(" [gaddr ").append(g);
            nd.out.append(' ').append(recordType.apply(nd.u8(bp + group)));
            int nsrcs = nd.u16(bp + group + 2);
            if (len < group + header + nsrcs * alen) {
                nd.out.append(" [invalid number of sources ").append(nsrcs).append(']');
                return;
            }
            if (nd.vflag == 1) {
                nd.out.append(", ").append(nsrcs).append(" source(s)");
            } else {
                sources(nd, bp + group + header, nsrcs, alen);
            }
            group += header + nsrcs * alen;
            nd.out.append(']');
        }
    }

    /** print_igmpv3_query(). */
    private static void igmpV3Query(Netdissect nd, int bp, int len) {
        nd.out.append(" v3");
        if (len < 12 || (len & 3) != 0) {
            nd.out.append(" [invalid len ").append(len).append(']');
            return;
        }
        int mrc = nd.u8(bp + 1);
        int mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
        if (mrc != 100) {
            nd.out.append(" [max resp time ");
            if (mrt < 600) nd.out.append(String.format("%.1fs", mrt * 0.1));
            else nd.unsignedRelts(mrt / 10);
            nd.out.append(']');
        }
        if (nd.u32(bp + 4) == 0) return;
        String g = nd.ipaddr(bp + 4);
        nd.out.append(" [gaddr ").append(g);
        querySources(nd, bp, len, 10, 4);
        nd.out.append(']');
    }

    /**
     * The sources of an IGMPv3 or MLDv2 query, their count at {@code countOff} and the addresses after it:
     * listed with -vv, else counted.
     */
    static void querySources(Netdissect nd, int bp, int len, int countOff, int alen) {
        int nsrcs = nd.u16(bp + countOff);
        if (nsrcs == 0) return;
        if (len < countOff + 2 + nsrcs * alen) {
            nd.out.append(" [invalid number of sources]");
        } else if (nd.vflag > 1) {
            sources(nd, bp + countOff + 2, nsrcs, alen);
        } else {
            nd.out.append(", ").append(nsrcs).append(" source(s)");
        }
    }

    private static void sources(Netdissect nd, int cp, int nsrcs, int alen) {
        nd.out.append(" {");
        for (int i = 0; i < nsrcs; i++) {
            String src = addr(nd, cp + i * alen, alen);
            nd.out.append(' ').append(src);
        }
        nd.out.append(" }");
    }

    private static String addr(Netdissect nd, int off, int alen) {
        return alen == 4 ? nd.ipaddr(off) : nd.ip6addr(off);
    }
}

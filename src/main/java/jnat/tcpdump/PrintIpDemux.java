package jnat.tcpdump;

/** print-ip-demux.c: the protocol after an IPv4 or IPv6 header. */
final class PrintIpDemux {
    private PrintIpDemux() {}

    /** ip_demux_print(): the protocols jnat decodes; the rest as tcpdump prints protocols it does not know. */
    static void print(Netdissect nd, int bp, int length, int ver, boolean fragmented, int nh, int iph) {
        while (nh == 51) {
            // AH: its header, then what it authenticates ("goto again").
            if (!nd.ttest(bp, 1)) {
                nd.protocol = "ah";
                nd.ndPrintTrunc();
                return;
            }
            nh = nd.u8(bp);
            int advance = PrintAh.ahPrint(nd, bp);
            if (advance <= 0) return;
            bp += advance;
            length -= advance;
        }
        switch (nh) {
            case 50 -> PrintAh.espPrint(nd, bp, length);
            case 6 -> PrintTcp.print(nd, bp, length, iph, fragmented);
            case 17 -> PrintUdp.print(nd, bp, length, iph, fragmented);
            case 1 -> {
                if (ver == 4) {
                    PrintIcmp.print(nd, bp, length, iph, fragmented);
                } else {
                    nd.out.append("[ICMP requires IPv4]");
                    nd.ndPrintInvalid();
                }
            }
            case 58 -> {
                if (ver == 6) {
                    PrintIcmp6.print(nd, bp, length, iph, fragmented);
                } else {
                    nd.out.append("[ICMPv6 requires IPv6]");
                    nd.ndPrintInvalid();
                }
            }
            case 2 -> {
                if (ver == 4) {
                    PrintIgmp.print(nd, bp, length);
                } else {
                    nd.out.append("[IGMP requires IPv4]");
                    nd.ndPrintInvalid();
                }
            }
            case 4 -> PrintIp.print(nd, bp, length);
            case 41 -> PrintIp6.print(nd, bp, length);
            case 59 -> nd.out.append("no next header");
            case 77 -> nd.out.append(" nd ").append(length);
            default -> nd.out.append(" ip-proto-").append(nh).append(' ').append(Integer.toUnsignedString(length));
        }
    }
}

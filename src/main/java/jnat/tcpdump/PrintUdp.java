package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.cksumShouldBe;
import static jnat.tcpdump.Netdissect.hex;

/** print-udp.c: DNS and mDNS are the only payloads decoded. */
final class PrintUdp {
    private PrintUdp() {}

    private static void udpIpAddrPrint(Netdissect nd, int iph, int sport, int dport) {
        boolean v6 = (nd.u8(iph) >> 4) == 6;
        int nxt = v6 ? nd.u8(iph + 6) : nd.u8(iph + 9);
        if (nxt == 17) {
            String src = v6 ? nd.ip6addr(iph + 8) : nd.ipaddr(iph + 12);
            String dst = v6 ? nd.ip6addr(iph + 24) : nd.ipaddr(iph + 16);
            if (sport == -1) nd.out.append(src).append(" > ").append(dst).append(": ");
            else nd.out.append(src).append('.').append(sport).append(" > ").append(dst).append('.').append(dport)
                    .append(": ");
        } else if (sport != -1) {
            nd.out.append(sport).append(" > ").append(dport).append(": ");
        }
    }

    /** udp_print(). */
    static void print(Netdissect nd, int up, int length, int iph, boolean fragmented) {
        nd.protocol = "udp";
        if (!nd.ttest(up + 2, 2)) {
            udpIpAddrPrint(nd, iph, -1, -1);
            nd.ndPrintTrunc();
            return;
        }
        int sport = nd.u16(up);
        int dport = nd.u16(up + 2);
        // Lengths are u_int in tcpdump: a jumbogram's can pass 2^31.
        if (Integer.compareUnsigned(length, 8) < 0) {
            udpIpAddrPrint(nd, iph, sport, dport);
            nd.out.append("truncated-udp ").append(length);
            return;
        }
        if (!nd.ttest(up + 4, 2)) {
            udpIpAddrPrint(nd, iph, sport, dport);
            nd.ndPrintTrunc();
            return;
        }
        int ulen = nd.u16(up + 4);
        if (ulen == 0 && Integer.compareUnsigned(length, 65535) > 0) ulen = length;
        if (Integer.compareUnsigned(ulen, 8) < 0) {
            udpIpAddrPrint(nd, iph, sport, dport);
            nd.out.append("truncated-udplength ").append(ulen);
            return;
        }
        ulen -= 8;
        length -= 8;
        if (Integer.compareUnsigned(ulen, length) < 0) length = ulen;
        int cp = up + 8;
        if (cp > nd.snapend) {
            udpIpAddrPrint(nd, iph, sport, dport);
            nd.ndPrintTrunc();
            return;
        }
        udpIpAddrPrint(nd, iph, sport, dport);
        boolean v6 = (nd.u8(iph) >> 4) == 6;
        if (nd.vflag > 0 && !fragmented) {
            if (!v6 && nd.vflag > 1) {
                int udpSum = nd.u16(up + 6);
                if (udpSum == 0) {
                    nd.out.append("[no cksum] ");
                } else if (nd.ttest(cp, length)) {
                    int sum = nd.inCksum(PrintIp.pseudo4(nd, iph, length + 8, 17), up, length + 8);
                    if (sum != 0) nd.out.append("[bad udp cksum 0x").append(hex(udpSum, 4)).append(" -> 0x")
                            .append(hex(cksumShouldBe(udpSum, sum), 4)).append("!] ");
                    else nd.out.append("[udp sum ok] ");
                }
            } else if (v6 && nd.ttest(cp, length)) {
                int sum = nd.inCksum(PrintIp6.pseudo6(nd, iph, length + 8, 17), up, length + 8);
                int udpSum = nd.u16(up + 6);
                if (sum != 0) nd.out.append("[bad udp cksum 0x").append(hex(udpSum, 4)).append(" -> 0x")
                        .append(hex(cksumShouldBe(udpSum, sum), 4)).append("!] ");
                else nd.out.append("[udp sum ok] ");
            }
        }
        if (sport == 53 || dport == 53) {
            PrintDomain.print(nd, cp, length, false, false);
            return;
        }
        if (sport == 5353 || dport == 5353) {
            PrintDomain.print(nd, cp, length, false, true);
            return;
        }
        if (Integer.compareUnsigned(ulen, length) > 0 && !fragmented) {
            nd.out.append("UDP, bad length ").append(Integer.toUnsignedString(ulen)).append(" > ")
                    .append(Integer.toUnsignedString(length));
        } else {
            nd.out.append("UDP, length ").append(Integer.toUnsignedString(ulen));
        }
    }
}

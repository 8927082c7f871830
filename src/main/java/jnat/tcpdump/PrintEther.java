package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.hex;

/** print-ether.c: Ethernet with 802.1Q/QinQ tags, and the ethertypes jnat decodes. */
final class PrintEther {
    private PrintEther() {}

    static String ethertypeName(int type) {
        return switch (type) {
            case 0x0800 -> "IPv4";
            case 0x8847 -> "MPLS unicast";
            case 0x8848 -> "MPLS multicast";
            case 0x86dd -> "IPv6";
            case 0x8100 -> "802.1Q";
            case 0x9100 -> "802.1Q-9100";
            case 0x88a8 -> "802.1Q-QinQ";
            case 0x9200 -> "802.1Q-9200";
            case 0x88e5 -> "802.1AE MACsec";
            case 0x0200 -> "PUP";
            case 0x0806 -> "ARP";
            case 0x8035 -> "Reverse ARP";
            case 0x0600 -> "NS";
            case 0x0500 -> "Sprite";
            case 0x1000 -> "Trail";
            case 0x6001 -> "MOP DL";
            case 0x6002 -> "MOP RC";
            case 0x6003 -> "DN";
            case 0x6004 -> "LAT";
            case 0x6007 -> "SCA";
            case 0x6558 -> "TEB";
            case 0x8038 -> "Lanbridge";
            case 0x803c -> "DEC DNS";
            case 0x803e -> "DEC DTS";
            case 0x805b -> "VEXP";
            case 0x805c -> "VPROD";
            case 0x809b -> "Appletalk";
            case 0x80f3 -> "Appletalk ARP";
            case 0x8137 -> "IPX";
            case 0x880b -> "PPP";
            case 0x8808 -> "MPCP";
            case 0x8809 -> "Slow Protocols";
            case 0x8863 -> "PPPoE D";
            case 0x8864 -> "PPPoE S";
            case 0x888e -> "EAPOL";
            case 0x8899 -> "Realtek protocols";
            case 0x886f -> "MS NLB heartbeat";
            case 0x8870 -> "Jumbo";
            case 0x894f -> "NSH";
            case 0x9000 -> "Loopback";
            case 0xfefe -> "OSI";
            case 0x00fe -> "GRE-OSI";
            case 0xabcd -> "CFM (old)";
            case 0x8902 -> "CFM";
            case 0x893a -> "IEEE1905.1";
            case 0x88cc -> "LLDP";
            case 0x88ca -> "TIPC";
            case 0x0707 -> "GeoNet (old)";
            case 0x8947 -> "GeoNet";
            case 0x1111 -> "CALM FAST";
            case 0x88a2 -> "AoE";
            case 0x88f7 -> "PTP";
            case 0xd28b -> "Arista Vendor Specific Protocol";
            default -> "Unknown";
        };
    }

    private static void etherTypePrint(Netdissect nd, int type) {
        nd.out.append("ethertype ").append(ethertypeName(type)).append(" (0x").append(hex(type, 4)).append(')');
    }

    private static void etherAddressesPrint(Netdissect nd, int src, int dst) {
        nd.out.append(nd.etheraddr(src)).append(" > ").append(nd.etheraddr(dst)).append(", ");
    }

    /** ether_print() / ether_common_print(). */
    static void print(Netdissect nd, int p, int length, int caplen) {
        nd.protocol = "ether";
        if (length < caplen) {
            nd.out.append("[length ").append(length).append(" < caplen ").append(caplen).append(']');
            nd.ndPrintInvalid();
            return;
        }
        if (caplen < 14) {
            nd.ndPrintTrunc();
            return;
        }
        int origLength = length;
        int src = p + 6;
        int dst = p;
        length -= 12;
        caplen -= 12;
        p += 12;
        if (nd.eflag) etherAddressesPrint(nd, src, dst);
        int lengthType = nd.u16(p);
        length -= 2;
        caplen -= 2;
        p += 2;
        boolean printedLength = false;
        while (lengthType == 0x8100 || lengthType == 0x9100 || lengthType == 0x9200 || lengthType == 0x88a8) {
            if (caplen < 4 || length < 4) {
                nd.protocol = "vlan";
                nd.ndPrintTrunc();
                return;
            }
            if (nd.eflag) {
                int tag = nd.u16(p);
                etherTypePrint(nd, lengthType);
                if (!printedLength) {
                    nd.out.append(", length ").append(origLength).append(": ");
                    printedLength = true;
                } else {
                    nd.out.append(", ");
                }
                nd.out.append("vlan ").append(tag & 0xfff).append(", p ").append(tag >> 13)
                        .append((tag & 0x1000) != 0 ? ", DEI" : "").append(", ");
            }
            lengthType = nd.u16(p + 2);
            p += 4;
            length -= 4;
            caplen -= 4;
        }
        if (lengthType <= 1500) {
            // 802.3 with an LLC header: out of jnat's scope; print the frame as raw data like an unknown LLC.
            if (lengthType < length) {
                length = lengthType;
                if (caplen > length) caplen = length;
            }
            nd.pushSnaplen(p, length);
            if (nd.eflag) {
                nd.out.append("802.3");
                if (!printedLength) nd.out.append(", length ").append(length).append(": ");
            }
            nd.out.append("LLC (not decoded by jnat)");
            nd.popSnaplen();
            return;
        }
        if (nd.eflag) {
            etherTypePrint(nd, lengthType);
            if (!printedLength) nd.out.append(", length ").append(origLength).append(": ");
            else nd.out.append(", ");
        }
        if (!ethertypePrint(nd, lengthType, p, length, caplen)) {
            if (!nd.eflag) {
                etherAddressesPrint(nd, src, dst);
                etherTypePrint(nd, lengthType);
                nd.out.append(", length ").append(origLength).append(": ");
            }
            nd.hexAndAsciiPrint(p, caplen);
        }
    }

    /** ethertype_print(): false when the type is not one jnat decodes. */
    private static boolean ethertypePrint(Netdissect nd, int type, int p, int length, int caplen) {
        switch (type) {
            case 0x0800 -> PrintIp.print(nd, p, length);
            case 0x86dd -> PrintIp6.print(nd, p, length);
            case 0x0806, 0x8035 -> PrintArp.print(nd, p, length, caplen);
            case 0x8847, 0x8848 -> PrintMpls.print(nd, p, length);
            default -> {
                return false;
            }
        }
        return true;
    }
}

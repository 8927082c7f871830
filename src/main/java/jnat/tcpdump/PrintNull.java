package jnat.tcpdump;

/** print-null.c: BSD loopback (DLT_NULL). */
final class PrintNull {
    private PrintNull() {}

    /** null_if_print(): BSD loopback, a 4-byte address family in the capturing host's byte order. */
    static void print(Netdissect nd, int length, int caplen) {
        nd.protocol = "null";
        nd.tcheck(0, 4);
        long family = Integer.toUnsignedLong((nd.buf[0] & 0xff) | ((nd.buf[1] & 0xff) << 8) | ((nd.buf[2] & 0xff) << 16)
                | ((nd.buf[3] & 0xff) << 24));
        if ((family & 0xffff0000L) != 0) family = Integer.toUnsignedLong(Integer.reverseBytes((int) family));
        if (nd.eflag) nullHdrPrint(nd, family, length);
        length -= 4;
        switch ((int) family) {
            case 2 -> PrintIp.print(nd, 4, length);
            case 24, 28, 30 -> PrintIp6.print(nd, 4, length);
            default -> {
                if (!nd.eflag) nullHdrPrint(nd, family, length + 4);
                nd.hexAndAsciiPrint(4, caplen - 4);
            }
        }
    }

    private static void nullHdrPrint(Netdissect nd, long family, int length) {
        String name = switch ((int) family) {
            case 2 -> "IPv4";
            case 6 -> "NS";
            case 7 -> "ISO";
            case 16 -> "Appletalk";
            case 23 -> "IPX";
            case 24, 28, 30 -> "IPv6";
            default -> "Unknown";
        };
        nd.out.append("AF ").append(name).append(" (").append(family).append("), length ").append(length).append(": ");
    }
}

package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.hex;
import static jnat.tcpdump.Netdissect.hex2;

/** print-ah.c and print-esp.c without keys: the authentication header and the ESP header. */
final class PrintAh {
    private PrintAh() {}

    /** ah_print(): the header's length. */
    static int ahPrint(Netdissect nd, int bp) {
        nd.protocol = "ah";
        nd.out.append("AH");
        int ahLen = nd.u8(bp + 1);
        int hdrLen = (ahLen + 2) * 4;
        nd.out.append('(');
        if (nd.vflag > 0) nd.out.append("length=").append(ahLen).append('(').append(hdrLen).append("-bytes),");
        int reserved = nd.u16(bp + 2);
        if (reserved != 0) nd.out.append("reserved=0x").append(Integer.toHexString(reserved)).append("[MustBeZero],");
        long spi = nd.u32(bp + 4); // each ND_PRINT reads its field before printing
        nd.out.append("spi=0x").append(hex((int) spi, 8)).append(',');
        long seq = nd.u32(bp + 8);
        nd.out.append("seq=0x").append(Long.toHexString(seq)).append(',');
        nd.out.append("icv=0x");
        for (int p = bp + 12; p < bp + hdrLen; p++) hex2(nd.out, nd.u8(p));
        nd.out.append("): ");
        return hdrLen;
    }

    /** esp_print() with no -E secret: the SPI, the sequence number and the length. */
    static void espPrint(Netdissect nd, int bp, int length) {
        nd.protocol = "esp";
        if (bp + 8 >= nd.snapend) {
            nd.ndPrintTrunc();
            return;
        }
        long spi = nd.u32(bp);
        long seq = nd.u32(bp + 4);
        nd.out.append("ESP(spi=0x").append(hex((int) spi, 8)).append(",seq=0x").append(Long.toHexString(seq))
                .append("), length ").append(Integer.toUnsignedString(length));
    }
}

package jnat.tcpdump;

/** print-mpls.c: the label stack and the packet after it. */
final class PrintMpls {
    private PrintMpls() {}

    private static final String[] MPLS_LABEL_NAMES = {"IPv4 explicit NULL", "router alert", "IPv6 explicit NULL",
            "implicit NULL", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd",
            "rsvd"};

    /** mpls_print(): the label stack, then the payload guessed from the label or its first nibble. */
    static void print(Netdissect nd, int p, int length) {
        nd.protocol = "mpls";
        nd.out.append("MPLS");
        long entry;
        int depth = 0;
        do {
            if (length < 4) {
                nd.ndPrintInvalid();
                nd.tcheck(p, length);
                return;
            }
            entry = nd.u32(p);
            int label = (int) (entry >>> 12);
            nd.out.append(depth > 0 && nd.vflag > 0 ? "\n\t" : " ").append("(label ").append(label);
            depth++;
            if (nd.vflag > 0 && label < MPLS_LABEL_NAMES.length) {
                nd.out.append(" (").append(MPLS_LABEL_NAMES[label]).append(')');
            }
            nd.out.append(", tc ").append((entry >> 9) & 7);
            if ((entry & 0x100) != 0) nd.out.append(", [S]");
            nd.out.append(", ttl ").append(entry & 0xff).append(')');
            p += 4;
            length -= 4;
        } while ((entry & 0x100) == 0);
        int label = (int) (entry >>> 12);
        int pt; // 4, 6, or 0 for unknown (OSI is not decoded by jnat: printed as unknown)
        switch (label) {
            case 0, 3 -> pt = 4;
            case 2 -> pt = 6;
            default -> {
                if (length < 1) return;
                int first = nd.u8(p);
                pt = first >= 0x45 && first <= 0x4f ? 4 : first >= 0x60 && first <= 0x6f ? 6 : 0;
            }
        }
        switch (pt) {
            case 4 -> {
                nd.out.append(nd.vflag > 0 ? "\n\t" : " ");
                PrintIp.print(nd, p, length);
            }
            case 6 -> {
                nd.out.append(nd.vflag > 0 ? "\n\t" : " ");
                PrintIp6.print(nd, p, length);
            }
            default -> nd.hexAndAsciiPrint(p, length);
        }
    }
}

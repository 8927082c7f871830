package jnat.tcpdump;

import static jnat.tcpdump.Netdissect.hex;

/** print-frag6.c: the IPv6 fragment header. */
final class PrintFrag6 {
    private PrintFrag6() {}

    /** frag6_print(): the header's length, or -1 for a fragment that is not the first. */
    static int print(Netdissect nd, int dp, int ip6) {
        nd.protocol = "frag6";
        long rest = 40L + nd.u16(ip6 + 4) - (dp - ip6) - 8;
        String restText = Long.toUnsignedString(rest);
        int offset = nd.u16(dp + 2) & 0xfff8;
        if (nd.vflag > 0) {
            long ident = nd.u32(dp + 4);
            nd.out.append("frag (0x").append(hex((int) ident, 8)).append(':').append(offset).append('|')
                    .append(restText).append(')');
        } else {
            nd.out.append("frag (").append(offset).append('|').append(restText).append(')');
        }
        if (offset != 0) return -1;
        nd.out.append(' ');
        return 8;
    }
}

package jnat.tcpdump;

import jnat.pcap.LinkType;
import jnat.pcap.PcapRecord;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;

/**
 * Prints packets the way tcpdump 4.99 (netdissect) prints them, one call per packet.
 *
 * <p>Like netdissect, the dissectors read the raw bytes directly and print as they go; a read past the
 * captured bytes (the "snapend") abandons the packet and appends {@code " [|proto]"}, as
 * {@code nd_trunc_longjmp()} does. Each dissector method names the netdissect function it mirrors.
 * The printer keeps per-connection TCP sequence state (print-tcp.c's tcp_seq_hash), so one instance
 * must see the packets of a file in order.
 */
public final class TcpdumpPrinter {

    /**
     * What to print.
     *
     * @param eflag link-level header ({@code -e})
     * @param vflag verbosity ({@code -v} = 1, {@code -vv} = 2)
     * @param tflag timestamp style: 0 default, 1 none ({@code -t}), 2 unix ({@code -tt}), 3 delta to previous
     *              ({@code -ttt}), 4 with date ({@code -tttt}), 5 delta to first ({@code -ttttt})
     * @param zone  time zone for local times (tcpdump honours TZ)
     */
    public record Options(boolean eflag, int vflag, int tflag, ZoneId zone) {
        public static Options defaults() {
            return new Options(false, 0, 0, ZoneId.systemDefault());
        }
    }

    /** Thrown (without a stack trace) when a dissector reads beyond the captured bytes. */
    private static final class Truncated extends RuntimeException {
        Truncated() {
            super(null, null, false, false);
        }
    }

    private static final Truncated TRUNCATED = new Truncated();
    static final int MAXIMUM_SNAPLEN = 262144;

    private final Options opt;
    private final StringBuilder out = new StringBuilder(256);
    private byte[] b;
    /** Index one past the last byte a dissector may read (ndo_snapend). */
    private int snapend;
    private final int[] snapStack = new int[16];
    private int snapDepth;
    /** Name used in the truncation marker (ndo_protocol). */
    private String protocol;
    private long refSec = Long.MIN_VALUE;
    private long refUsec;

    private final DnsPrinter dns = new DnsPrinter(this);
    private final Map<SeqKey, long[]> tcpSeq4 = new HashMap<>();
    private final Map<SeqKey, long[]> tcpSeq6 = new HashMap<>();

    public TcpdumpPrinter(Options options) {
        this.opt = options;
    }

    /** The line(s) tcpdump prints for this packet, without the final newline. */
    public String format(PcapRecord r) {
        return format(r.timestampNanos(), r.linkType(), r.data(), r.capturedLength(), r.originalLength());
    }

    public String format(long timestampNanos, int linkType, byte[] data, int caplen, int len) {
        out.setLength(0);
        prettyPrintPacket(timestampNanos, linkType, data, caplen, len);
        return out.toString();
    }

    // ---------------------------------------------------------------- print.c

    /** pretty_print_packet(): sanity checks, the timestamp, the link-layer printer, the truncation marker. */
    private void prettyPrintPacket(long tsNanos, int linkType, byte[] data, int caplen, int len) {
        boolean invalid = false;
        if (caplen == 0) {
            invalid = true;
            out.append("[Invalid header: caplen==0");
        }
        if (len == 0) {
            out.append(invalid ? "," : "[Invalid header:").append(" len==0");
            invalid = true;
        } else if (Integer.compareUnsigned(len, caplen) < 0) {
            out.append(invalid ? "," : "[Invalid header:").append(" len(").append(Integer.toUnsignedString(len))
                    .append(") < caplen(").append(caplen).append(')');
            invalid = true;
        }
        if (caplen > MAXIMUM_SNAPLEN) {
            out.append(invalid ? "," : "[Invalid header:").append(" caplen(").append(caplen).append(") > ")
                    .append(MAXIMUM_SNAPLEN);
            invalid = true;
        }
        if (Integer.compareUnsigned(len, MAXIMUM_SNAPLEN) > 0) {
            out.append(invalid ? "," : "[Invalid header:").append(" len(").append(Integer.toUnsignedString(len))
                    .append(") > ").append(MAXIMUM_SNAPLEN);
            invalid = true;
        }
        if (invalid) {
            out.append(']');
            return;
        }
        long sec = Math.floorDiv(tsNanos, 1_000_000_000L);
        long usec = Math.floorMod(tsNanos, 1_000_000_000L) / 1000;
        tsPrint(sec, usec);

        b = data;
        snapend = caplen;
        snapDepth = 0;
        protocol = "";
        try {
            switch (linkType) {
                case LinkType.ETHERNET -> etherPrint(0, len, caplen);
                case LinkType.NULL -> nullIfPrint(len, caplen);
                case LinkType.RAW, LinkType.IPV4, LinkType.IPV6 -> rawIfPrint(len);
                default -> out.append("unsupported link-type ").append(linkType);
            }
        } catch (Truncated t) {
            ndPrintTrunc();
        }
        b = null;
    }

    // ---------------------------------------------------------------- util-print.c

    /** ts_print(). */
    private void tsPrint(long sec, long usec) {
        switch (opt.tflag()) {
            case 0 -> {
                hmsFrac(sec, usec, false, true);
                out.append(' ');
            }
            case 1 -> { }
            case 2 -> {
                if ((sec & 0x80000000L) != 0) {
                    out.append("[Error converting time]");
                } else {
                    out.append(sec);
                    frac(usec);
                }
                out.append(' ');
            }
            case 3, 5 -> {
                if (refSec == Long.MIN_VALUE) {
                    refSec = sec;
                    refUsec = usec;
                }
                long d = (sec * 1_000_000L + usec) - (refSec * 1_000_000L + refUsec);
                out.append(d < 0 ? '-' : ' ');
                d = Math.abs(d);
                hmsFrac(d / 1_000_000L, d % 1_000_000L, false, false);
                out.append(' ');
                if (opt.tflag() == 3) {
                    refSec = sec;
                    refUsec = usec;
                }
            }
            default -> {
                hmsFrac(sec, usec, true, true);
                out.append(' ');
            }
        }
    }

    /** ts_date_hmsfrac_print(). */
    private void hmsFrac(long sec, long usec, boolean withDate, boolean localTime) {
        if ((sec & 0x80000000L) != 0) {
            out.append("[Error converting time]");
            return;
        }
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(sec),
                localTime ? opt.zone() : java.time.ZoneOffset.UTC);
        if (withDate) {
            out.append(String.format("%04d-%02d-%02d ", t.getYear(), t.getMonthValue(), t.getDayOfMonth()));
        }
        two(t.getHour()).append(':');
        two(t.getMinute()).append(':');
        two(t.getSecond());
        frac(usec);
    }

    private StringBuilder two(int v) {
        if (v < 10) out.append('0');
        return out.append(v);
    }

    private void frac(long usec) {
        out.append('.');
        String s = Long.toString(usec);
        for (int i = s.length(); i < 6; i++) out.append('0');
        out.append(s);
    }

    /** nd_print_trunc(). */
    private void ndPrintTrunc() {
        out.append(" [|").append(protocol).append(']');
    }

    /** nd_print_invalid(). */
    private void ndPrintInvalid() {
        out.append(" (invalid)");
    }

    // ---------------------------------------------------------------- bounds-checked reads (extract.h)

    private boolean ttest(int off, int len) {
        return off >= 0 && len >= 0 && (long) off + len <= snapend;
    }

    private void tcheck(int off, int len) {
        if (!ttest(off, len)) throw TRUNCATED;
    }

    private int u8(int off) {
        tcheck(off, 1);
        return b[off] & 0xff;
    }

    private int u16(int off) {
        tcheck(off, 2);
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    private long u32(int off) {
        tcheck(off, 4);
        return ((long) (b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
                | (b[off + 3] & 0xff);
    }

    /** nd_push_snaplen(): the end of the captured data is cut to {@code off + len} if that is shorter. */
    private void pushSnaplen(int off, long len) {
        snapStack[snapDepth++] = snapend;
        if (off + len < snapend) snapend = (int) (off + len);
    }

    /** nd_change_snaplen(). */
    private void changeSnaplen(int off, long len) {
        int saved = snapDepth > 0 ? snapStack[snapDepth - 1] : snapend;
        long end = off + len;
        snapend = (int) Math.min(end, saved);
    }

    private void popSnaplen() {
        snapend = snapStack[--snapDepth];
    }

    /** ipaddr_string() with -n. */
    private String ipaddr(int off) {
        tcheck(off, 4);
        return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
    }

    /** ip6addr_string() with -n: addrtostr6(), RFC 5952 style with an embedded IPv4 form. */
    private String ip6addr(int off) {
        tcheck(off, 16);
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((b[off + 2 * i] & 0xff) << 8) | (b[off + 2 * i + 1] & 0xff);
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (w[i] == 0) {
                if (curBase == -1) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase != -1) {
                if (bestBase == -1 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2) bestBase = -1;
        StringBuilder s = new StringBuilder(40);
        for (int i = 0; i < 8; i++) {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) s.append(':');
                continue;
            }
            if (i != 0) s.append(':');
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                s.append(b[off + 12] & 0xff).append('.').append(b[off + 13] & 0xff).append('.')
                        .append(b[off + 14] & 0xff).append('.').append(b[off + 15] & 0xff);
                return s.toString();
            }
            s.append(Integer.toHexString(w[i]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) s.append(':');
        return s.toString();
    }

    /** etheraddr_string(). */
    private String etheraddr(int off) {
        tcheck(off, 6);
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) s.append(':');
            hex2(s, b[off + i] & 0xff);
        }
        return s.toString();
    }

    /** linkaddr_string() for an address of any length. */
    private String linkaddr(int off, int len) {
        if (len == 6) return etheraddr(off);
        tcheck(off, len);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < len; i++) {
            if (i > 0) s.append(':');
            hex2(s, b[off + i] & 0xff);
        }
        return s.toString();
    }

    private static void hex2(StringBuilder s, int v) {
        s.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
    }

    private static String hex(int v, int width) {
        String h = Integer.toHexString(v);
        return h.length() >= width ? h : "0".repeat(width - h.length()) + h;
    }

    /** in_cksum() over {@code len} bytes plus an initial partial sum; returns the folded complement. */
    private int inCksum(long initial, int off, int len) {
        long sum = initial;
        int i = 0;
        for (; i + 1 < len; i += 2) sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if (i < len) sum += (b[off + i] & 0xff) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    /** in_cksum_shouldbe(). */
    private static int cksumShouldBe(int sum, int computed) {
        int s = sum + computed;
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return s & 0xffff;
    }

    /** hex_and_ascii_print() with indent "\n\t": what tcpdump prints for payloads it cannot decode. */
    private void hexAndAsciiPrint(int off, int length) {
        int caplength = snapend > off ? snapend - off : 0;
        boolean truncated = false;
        if (length > caplength) {
            length = caplength;
            truncated = true;
        }
        StringBuilder hexs = new StringBuilder(40);
        StringBuilder ascii = new StringBuilder(16);
        int oset = 0;
        int i = 0;
        int p = off;
        for (int n = length / 2; n > 0; n--) {
            int s1 = b[p++] & 0xff;
            int s2 = b[p++] & 0xff;
            hexs.append(' ');
            hex2(hexs, s1);
            hex2(hexs, s2);
            ascii.append(isGraph(s1) ? (char) s1 : '.').append(isGraph(s2) ? (char) s2 : '.');
            if (++i >= 8) {
                hexLine(oset, hexs, ascii);
                i = 0;
                oset += 16;
            }
        }
        if ((length & 1) != 0) {
            int s1 = b[p] & 0xff;
            hexs.append(' ');
            hex2(hexs, s1);
            ascii.append(isGraph(s1) ? (char) s1 : '.');
            i++;
        }
        if (i > 0) hexLine(oset, hexs, ascii);
        if (truncated) throw TRUNCATED;
    }

    private void hexLine(int oset, StringBuilder hexs, StringBuilder ascii) {
        out.append("\n\t0x").append(hex(oset, 4)).append(": ").append(hexs);
        for (int k = hexs.length(); k < 40; k++) out.append(' ');
        out.append("  ").append(ascii);
        hexs.setLength(0);
        ascii.setLength(0);
    }

    /** print_unknown_data(): hex_print() of what was captured of {@code len} bytes. */
    private void printUnknownData(int cp, String indent, int len) {
        if (cp > snapend) {
            out.append(indent).append("Dissector error: print_unknown_data called with pointer past end of packet");
            return;
        }
        len = Math.min(len, snapend - cp);
        int oset = 0;
        int i = 0;
        for (int n = len / 2; n > 0; n--) {
            if ((i++ % 8) == 0) {
                out.append(indent).append("0x").append(hex(oset, 4)).append(": ");
                oset += 16;
            }
            out.append(' ');
            hex2(out, b[cp++] & 0xff);
            hex2(out, b[cp++] & 0xff);
        }
        if ((len & 1) != 0) {
            if ((i % 8) == 0) out.append(indent).append("0x").append(hex(oset, 4)).append(": ");
            out.append(' ');
            hex2(out, b[cp] & 0xff);
        }
    }

    private static boolean isGraph(int c) {
        return c > 0x20 && c <= 0x7e;
    }

    // ---------------------------------------------------------------- print-raw.c, print-null.c

    /** raw_if_print(): raw IP (LINKTYPE_RAW 101, LINKTYPE_IPV4 228, LINKTYPE_IPV6 229). */
    private void rawIfPrint(int len) {
        protocol = "raw";
        if (opt.eflag()) out.append("ip: ");
        ipNPrint(0, len);
    }

    /** ipN_print(). */
    private void ipNPrint(int off, int length) {
        protocol = "ipn";
        if (length < 1) {
            out.append("truncated-ip ").append(length);
            return;
        }
        switch (u8(off) & 0xf0) {
            case 0x40 -> ipPrint(off, length);
            case 0x60 -> ip6Print(off, length);
            default -> out.append("unknown ip ").append((u8(off) & 0xf0) >> 4);
        }
    }

    /** null_if_print(): BSD loopback, a 4-byte address family in the capturing host's byte order. */
    private void nullIfPrint(int length, int caplen) {
        protocol = "null";
        tcheck(0, 4);
        long family = Integer.toUnsignedLong((b[0] & 0xff) | ((b[1] & 0xff) << 8) | ((b[2] & 0xff) << 16)
                | ((b[3] & 0xff) << 24));
        if ((family & 0xffff0000L) != 0) family = Integer.toUnsignedLong(Integer.reverseBytes((int) family));
        if (opt.eflag()) nullHdrPrint(family, length);
        length -= 4;
        switch ((int) family) {
            case 2 -> ipPrint(4, length);
            case 24, 28, 30 -> ip6Print(4, length);
            default -> {
                if (!opt.eflag()) nullHdrPrint(family, length + 4);
                hexAndAsciiPrint(4, caplen - 4);
            }
        }
    }

    private void nullHdrPrint(long family, int length) {
        String name = switch ((int) family) {
            case 2 -> "IPv4";
            case 6 -> "NS";
            case 7 -> "ISO";
            case 16 -> "Appletalk";
            case 23 -> "IPX";
            case 24, 28, 30 -> "IPv6";
            default -> "Unknown";
        };
        out.append("AF ").append(name).append(" (").append(family).append("), length ").append(length).append(": ");
    }

    // ---------------------------------------------------------------- print-ether.c

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

    private void etherTypePrint(int type) {
        out.append("ethertype ").append(ethertypeName(type)).append(" (0x").append(hex(type, 4)).append(')');
    }

    private void etherAddressesPrint(int src, int dst) {
        out.append(etheraddr(src)).append(" > ").append(etheraddr(dst)).append(", ");
    }

    /** ether_print() / ether_common_print(). */
    private void etherPrint(int p, int length, int caplen) {
        protocol = "ether";
        if (length < caplen) {
            out.append("[length ").append(length).append(" < caplen ").append(caplen).append(']');
            ndPrintInvalid();
            return;
        }
        if (caplen < 14) {
            ndPrintTrunc();
            return;
        }
        int origLength = length;
        int src = p + 6;
        int dst = p;
        length -= 12;
        caplen -= 12;
        p += 12;
        if (opt.eflag()) etherAddressesPrint(src, dst);
        int lengthType = u16(p);
        length -= 2;
        caplen -= 2;
        p += 2;
        boolean printedLength = false;
        while (lengthType == 0x8100 || lengthType == 0x9100 || lengthType == 0x9200 || lengthType == 0x88a8) {
            if (caplen < 4 || length < 4) {
                protocol = "vlan";
                ndPrintTrunc();
                return;
            }
            if (opt.eflag()) {
                int tag = u16(p);
                etherTypePrint(lengthType);
                if (!printedLength) {
                    out.append(", length ").append(origLength).append(": ");
                    printedLength = true;
                } else {
                    out.append(", ");
                }
                out.append("vlan ").append(tag & 0xfff).append(", p ").append(tag >> 13)
                        .append((tag & 0x1000) != 0 ? ", DEI" : "").append(", ");
            }
            lengthType = u16(p + 2);
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
            pushSnaplen(p, length);
            if (opt.eflag()) {
                out.append("802.3");
                if (!printedLength) out.append(", length ").append(length).append(": ");
            }
            out.append("LLC (not decoded by jnat)");
            popSnaplen();
            return;
        }
        if (opt.eflag()) {
            etherTypePrint(lengthType);
            if (!printedLength) out.append(", length ").append(origLength).append(": ");
            else out.append(", ");
        }
        if (!ethertypePrint(lengthType, p, length, caplen)) {
            if (!opt.eflag()) {
                etherAddressesPrint(src, dst);
                etherTypePrint(lengthType);
                out.append(", length ").append(origLength).append(": ");
            }
            hexAndAsciiPrint(p, caplen);
        }
    }

    /** ethertype_print(): false when the type is not one jnat decodes. */
    private boolean ethertypePrint(int type, int p, int length, int caplen) {
        switch (type) {
            case 0x0800 -> ipPrint(p, length);
            case 0x86dd -> ip6Print(p, length);
            case 0x0806, 0x8035 -> arpPrint(p, length, caplen);
            case 0x8847, 0x8848 -> mplsPrint(p, length);
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- print-arp.c

    private static String arpOp(int op) {
        return switch (op) {
            case 1 -> "Request";
            case 2 -> "Reply";
            case 3 -> "Reverse Request";
            case 4 -> "Reverse Reply";
            case 8 -> "Inverse Request";
            case 9 -> "Inverse Reply";
            case 10 -> "NACK Reply";
            default -> "Unknown (" + op + ")";
        };
    }

    private static String arpHrd(int hrd) {
        return switch (hrd) {
            case 1 -> "Ethernet";
            case 6 -> "TokenRing";
            case 7 -> "ArcNet";
            case 15 -> "FrameRelay";
            case 23 -> "Strip";
            case 24 -> "IEEE 1394";
            case 19 -> "ATM";
            case 32 -> "InfiniBand";
            default -> "Unknown Hardware (" + hrd + ")";
        };
    }

    /** arp_print() for the Ethernet-like hardware types (ATM ARP is not decoded). */
    private void arpPrint(int ap, int length, int caplen) {
        protocol = "arp";
        try {
            tcheck(ap, 8);
            int hrd = u16(ap);
            int pro = u16(ap + 2);
            int hln = u8(ap + 4);
            int pln = u8(ap + 5);
            int op = u16(ap + 6);
            int sha = ap + 8;
            int spa = sha + hln;
            int tha = spa + pln;
            int tpa = tha + hln;
            tcheck(tpa, pln);
            if (!opt.eflag()) out.append("ARP, ");
            boolean ipLike = pro == 0x0800 || pro == 0x1000;
            if (!ipLike || pln != 4 || hln == 0 || opt.vflag() > 0) {
                String proName = ethertypeName(pro);
                out.append(arpHrd(hrd)).append(" (len ").append(hln).append("), ")
                        .append(proName.equals("Unknown") ? "Unknown Protocol (0x" + hex(pro, 4) + ")" : proName)
                        .append(" (len ").append(pln).append(')');
                if (opt.vflag() == 0) {
                    out.append(", length ").append(length);
                    return;
                }
            }
            out.append(opt.vflag() > 0 ? ", " : "").append(arpOp(op)).append(' ');
            switch (op) {
                case 1 -> {
                    out.append("who-has ");
                    arpPaddr(tpa, pro, pln);
                    if (isNonZero(tha, hln)) out.append(" (").append(linkaddr(tha, hln)).append(')');
                    out.append(" tell ");
                    arpPaddr(spa, pro, pln);
                }
                case 2 -> {
                    arpPaddr(spa, pro, pln);
                    out.append(" is-at ").append(linkaddr(sha, hln));
                }
                case 3, 8 -> {
                    out.append("who-is ").append(linkaddr(tha, hln));
                    out.append(" tell ").append(linkaddr(sha, hln));
                }
                case 4 -> {
                    out.append(linkaddr(tha, hln)).append(" at ");
                    arpPaddr(tpa, pro, pln);
                }
                case 9 -> {
                    out.append(linkaddr(sha, hln)).append(" at ");
                    arpPaddr(spa, pro, pln);
                }
                default -> {
                    hexAndAsciiPrint(ap, caplen);
                    return;
                }
            }
            out.append(", length ").append(length);
        } catch (Truncated t) {
            ndPrintTrunc();
        }
    }

    private void arpPaddr(int off, int pro, int pln) {
        if (pro != 0x0800 && pro != 0x1000) out.append("<wrong proto type>");
        else if (pln != 4) out.append("<wrong len>");
        else out.append(ipaddr(off));
    }

    private boolean isNonZero(int off, int len) {
        for (int i = 0; i < len; i++) if (u8(off + i) != 0) return true;
        return false;
    }

    // ---------------------------------------------------------------- print-ip.c

    static String ipprotoName(int p) {
        return switch (p) {
            case 0 -> "Options";
            case 1 -> "ICMP";
            case 2 -> "IGMP";
            case 4 -> "IPIP";
            case 6 -> "TCP";
            case 8 -> "EGP";
            case 9 -> "IGRP";
            case 17 -> "UDP";
            case 33 -> "DCCP";
            case 41 -> "IPv6";
            case 43 -> "Routing";
            case 44 -> "Fragment";
            case 46 -> "RSVP";
            case 47 -> "GRE";
            case 50 -> "ESP";
            case 51 -> "AH";
            case 55 -> "Mobile IP";
            case 58 -> "ICMPv6";
            case 62 -> "Mobile IP (old)";
            case 88 -> "EIGRP";
            case 89 -> "OSPF";
            case 103 -> "PIM";
            case 108 -> "Compressed IP";
            case 112 -> "VRRP";
            case 113 -> "PGM";
            case 132 -> "SCTP";
            case 135 -> "Mobility";
            case 143 -> "Ethernet";
            default -> "unknown";
        };
    }

    /**
     * ip_print(). Its own "trunc:" label and a failed read both end in nd_print_trunc() with ndo_protocol,
     * so both are the {@link Truncated} unwinding to {@link #prettyPrintPacket}.
     */
    private void ipPrint(int ip, int length) {
        protocol = "ip";
        int v = u8(ip) >> 4;
        if (v != 4) {
            if (v == 6) out.append("IP6, wrong link-layer encapsulation");
            else out.append("IP").append(v);
            ndPrintInvalid();
            return;
        }
        if (!opt.eflag()) out.append("IP ");
        tcheck(ip, 20);
        if (length < 20) {
            out.append("truncated-ip ").append(length);
            return;
        }
        int hlen = (u8(ip) & 0x0f) * 4;
        if (hlen < 20) {
            out.append("bad-hlen ").append(hlen);
            return;
        }
        int len = u16(ip + 2);
        if (length < len) out.append("truncated-ip - ").append(len - length).append(" bytes missing! ");
        if (len < hlen) {
            out.append("bad-len ").append(len);
            return;
        }
        pushSnaplen(ip, len);
        len -= hlen;
        int off = u16(ip + 6);
        int proto = u8(ip + 9);
        if (opt.vflag() > 0) {
            int tos = u8(ip + 1);
            out.append("(tos 0x").append(Integer.toHexString(tos));
            switch (tos & 3) {
                case 1 -> out.append(",ECT(1)");
                case 2 -> out.append(",ECT(0)");
                case 3 -> out.append(",CE");
                default -> { }
            }
            int ttl = u8(ip + 8);
            if (ttl >= 1) out.append(", ttl ").append(ttl);
            out.append(", id ").append(u16(ip + 4)).append(", offset ").append((off & 0x1fff) * 8)
                    .append(", flags [");
            String flags = (off & 0x2000) != 0 ? "+" : "";
            if ((off & 0x4000) != 0) flags += flags.isEmpty() ? "DF" : ", DF";
            if ((off & 0x8000) != 0) flags += flags.isEmpty() ? "rsvd" : ", rsvd";
            out.append(flags.isEmpty() ? "none" : flags).append("], proto ").append(ipprotoName(proto))
                    .append(" (").append(proto).append(')');
            out.append(", length ").append(u16(ip + 2));
            boolean truncated = false;
            if (hlen > 20) {
                out.append(", options (");
                if (!ipOptPrint(ip + 20, hlen - 20)) {
                    out.append(" [truncated-option]");
                    truncated = true;
                }
                out.append(')');
            }
            if (ip + hlen <= snapend) {
                int sum = inCksum(0, ip, hlen);
                if (sum != 0) {
                    int ipSum = u16(ip + 10);
                    out.append(", bad cksum ").append(Integer.toHexString(ipSum)).append(" (->")
                            .append(Integer.toHexString(cksumShouldBe(ipSum, sum))).append(")!");
                }
            }
            out.append(")\n    ");
            if (truncated) {
                out.append(ipaddr(ip + 12)).append(" > ").append(ipaddr(ip + 16)).append(": ");
                ndPrintTrunc();
                popSnaplen();
                return;
            }
        }
        if ((off & 0x1fff) == 0) {
            int nh = u8(ip + 9);
            if (nh != 6 && nh != 17 && nh != 132 && nh != 33) {
                out.append(ipaddr(ip + 12)).append(" > ").append(ipaddr(ip + 16)).append(": ");
            }
            if (!ttest(ip, hlen)) {
                out.append(" [remaining caplen(").append(Math.max(0, snapend - ip)).append(") < header length(")
                        .append(hlen).append(")]");
                throw TRUNCATED;
            }
            ipDemuxPrint(ip + hlen, len, 4, (off & 0x2000) != 0, nh, ip);
        } else {
            out.append(ipaddr(ip + 12)).append(" > ").append(ipaddr(ip + 16)).append(':');
            out.append(" ip-proto-").append(proto);
        }
        popSnaplen();
    }

    private static String ipOptName(int code) {
        return switch (code) {
            case 0 -> "EOL";
            case 1 -> "NOP";
            case 68 -> "timestamp";
            case 130 -> "security";
            case 7 -> "RR";
            case 137 -> "SSRR";
            case 131 -> "LSRR";
            case 148 -> "RA";
            case 82 -> "traceroute";
            default -> "unknown " + code;
        };
    }

    /** ip_optprint(): false when the options were cut by the capture. */
    private boolean ipOptPrint(int cp, int length) {
        String sep = "";
        int optionLen;
        for (; length > 0; cp += optionLen, length -= optionLen) {
            out.append(sep);
            sep = ",";
            int code = u8(cp);
            out.append(ipOptName(code));
            if (code == 1 || code == 0) {
                optionLen = 1;
            } else {
                optionLen = u8(cp + 1);
                if (optionLen < 2) {
                    out.append(" [bad length ").append(optionLen).append(']');
                    return true;
                }
            }
            if (optionLen > length) {
                out.append(" [bad length ").append(optionLen).append(']');
                return true;
            }
            if (!ttest(cp, optionLen)) return false;
            switch (code) {
                case 0 -> {
                    return true;
                }
                case 68 -> {
                    if (!ipPrintTs(cp, optionLen)) return false;
                }
                case 7, 137, 131 -> {
                    if (!ipPrintRoute(cp, optionLen)) return false;
                }
                case 148 -> {
                    if (optionLen < 4) {
                        out.append(" [bad length ").append(optionLen).append(']');
                    } else if (u16(cp + 2) != 0) {
                        out.append(" value ").append(u16(cp + 2));
                    }
                }
                default -> { }
            }
        }
        return true;
    }

    /** ip_printroute(). */
    private boolean ipPrintRoute(int cp, int length) {
        if (length < 3) {
            out.append(" [bad length ").append(length).append(']');
            return true;
        }
        if (((length + 1) & 3) != 0) out.append(" [bad length ").append(length).append(']');
        int ptr = u8(cp + 2) - 1;
        if (ptr < 3 || ((ptr + 1) & 3) != 0 || ptr > length + 1) out.append(" [bad ptr ").append(u8(cp + 2)).append(']');
        for (int len = 3; len < length; len += 4) {
            if (!ttest(cp + len, 4)) return false;
            out.append(' ').append(ipaddr(cp + len));
            if (ptr > len) out.append(',');
        }
        return true;
    }

    /** ip_printts(). */
    private boolean ipPrintTs(int cp, int length) {
        if (length < 4) {
            out.append("[bad length ").append(length).append(']');
            return true;
        }
        out.append(" TS{");
        int flags = u8(cp + 3);
        int hoplen = (flags & 0xf) != 0 ? 8 : 4;
        if (((length - 4) & (hoplen - 1)) != 0) out.append("[bad length ").append(length).append(']');
        int ptr = u8(cp + 2) - 1;
        int len = 0;
        if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) != 0 || ptr > length + 1) {
            out.append("[bad ptr ").append(u8(cp + 2)).append(']');
        }
        boolean known = true;
        switch (flags & 0xf) {
            case 0 -> out.append("TSONLY");
            case 1 -> out.append("TS+ADDR");
            case 3 -> out.append("PRESPEC");
            default -> {
                out.append("[bad ts type ").append(flags & 0xf).append(']');
                known = false;
            }
        }
        if (known) {
            String type = " ";
            for (len = 4; len < length; len += hoplen) {
                if (ptr == len) type = " ^ ";
                if (!ttest(cp + len, hoplen)) return false;
                out.append(type).append(u32(cp + len + hoplen - 4)).append('@')
                        .append(hoplen != 8 ? "" : ipaddr(cp + len));
                type = " ";
            }
        }
        out.append(ptr == len ? " ^ " : "");
        if ((flags >> 4) != 0) out.append(" [").append(flags >> 4).append(" hops not recorded]} ");
        else out.append('}');
        return true;
    }

    /** ip_demux_print(): the protocols jnat decodes; the rest as tcpdump prints protocols it does not know. */
    private void ipDemuxPrint(int bp, int length, int ver, boolean fragmented, int nh, int iph) {
        switch (nh) {
            case 6 -> tcpPrint(bp, length, iph, fragmented);
            case 17 -> udpPrint(bp, length, iph, fragmented);
            case 1 -> {
                if (ver == 4) {
                    icmpPrint(bp, length, iph, fragmented);
                } else {
                    out.append("[ICMP requires IPv4]");
                    ndPrintInvalid();
                }
            }
            case 58 -> {
                if (ver == 6) {
                    icmp6Print(bp, length, iph, fragmented);
                } else {
                    out.append("[ICMPv6 requires IPv6]");
                    ndPrintInvalid();
                }
            }
            case 2 -> {
                if (ver == 4) {
                    igmpPrint(bp, length);
                } else {
                    out.append("[IGMP requires IPv4]");
                    ndPrintInvalid();
                }
            }
            case 4 -> ipPrint(bp, length);
            case 41 -> ip6Print(bp, length);
            case 59 -> out.append("no next header");
            case 77 -> out.append(" nd ").append(length);
            default -> out.append(" ip-proto-").append(nh).append(' ').append(length);
        }
    }

    // ---------------------------------------------------------------- print-igmp.c, print-mpls.c

    /** igmp_print() for queries, reports and leaves (DVMRP, PIMv1 and mtrace bodies are not decoded). */
    private void igmpPrint(int bp, int len) {
        protocol = "igmp";
        int type = u8(bp);
        switch (type) {
            case 0x11 -> {
                out.append("igmp query");
                if (len >= 12) {
                    igmpV3Query(bp, len);
                } else {
                    int mrt = u8(bp + 1);
                    if (mrt != 0) {
                        out.append(" v2");
                        if (mrt != 100) out.append(" [max resp time ").append(mrt).append(']');
                    } else {
                        out.append(" v1");
                    }
                    if (u32(bp + 4) != 0) {
                        String g = ipaddr(bp + 4);
                        out.append(" [gaddr ").append(g).append(']');
                    }
                    if (len != 8) out.append(" [len ").append(len).append(']');
                }
            }
            case 0x12 -> {
                String g = ipaddr(bp + 4);
                out.append("igmp v1 report ").append(g);
                if (len != 8) out.append(" [len ").append(len).append(']');
            }
            case 0x16 -> {
                String g = ipaddr(bp + 4);
                out.append("igmp v2 report ").append(g);
            }
            case 0x22 -> {
                out.append("igmp v3 report");
                igmpV3Report(bp, len);
            }
            case 0x17 -> {
                String g = ipaddr(bp + 4);
                out.append("igmp leave ").append(g);
            }
            default -> out.append("igmp-").append(type);
        }
        if (opt.vflag() > 0 && len >= 4 && ttest(bp, len) && inCksum(0, bp, len) != 0) {
            out.append(" bad igmp cksum ").append(Integer.toHexString(u16(bp + 2))).append('!');
        }
    }

    private static String igmpV3RecordType(int t) {
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
    private void igmpV3Report(int bp, int len) {
        if (len < 16 || (len & 3) != 0) {
            out.append(" [invalid len ").append(len).append(']');
            return;
        }
        int ngroups = u16(bp + 6);
        out.append(", ").append(ngroups).append(" group record(s)");
        if (opt.vflag() == 0) return;
        int group = 8;
        for (int i = 0; i < ngroups; i++) {
            if (len < group + 8) {
                out.append(" [invalid number of groups]");
                return;
            }
            String g = ipaddr(bp + group + 4);
            out.append(" [gaddr ").append(g);
            out.append(' ').append(igmpV3RecordType(u8(bp + group)));
            int nsrcs = u16(bp + group + 2);
            if (len < group + 8 + (nsrcs << 2)) {
                out.append(" [invalid number of sources ").append(nsrcs).append(']');
                return;
            }
            if (opt.vflag() == 1) {
                out.append(", ").append(nsrcs).append(" source(s)");
            } else {
                out.append(" {");
                for (int j = 0; j < nsrcs; j++) {
                    String src = ipaddr(bp + group + 8 + (j << 2));
                    out.append(' ').append(src);
                }
                out.append(" }");
            }
            group += 8 + (nsrcs << 2);
            out.append(']');
        }
    }

    /** print_igmpv3_query(). */
    private void igmpV3Query(int bp, int len) {
        out.append(" v3");
        if (len < 12 || (len & 3) != 0) {
            out.append(" [invalid len ").append(len).append(']');
            return;
        }
        int mrc = u8(bp + 1);
        int mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
        if (mrc != 100) {
            out.append(" [max resp time ");
            if (mrt < 600) out.append(String.format("%.1fs", mrt * 0.1));
            else unsignedRelts(mrt / 10);
            out.append(']');
        }
        if (u32(bp + 4) == 0) return;
        String g = ipaddr(bp + 4);
        out.append(" [gaddr ").append(g);
        int nsrcs = u16(bp + 10);
        if (nsrcs > 0) {
            if (len < 12 + (nsrcs << 2)) {
                out.append(" [invalid number of sources]");
            } else if (opt.vflag() > 1) {
                out.append(" {");
                for (int i = 0; i < nsrcs; i++) {
                    String src = ipaddr(bp + 12 + (i << 2));
                    out.append(' ').append(src);
                }
                out.append(" }");
            } else {
                out.append(", ").append(nsrcs).append(" source(s)");
            }
        }
        out.append(']');
    }

    /** unsigned_relts_print(): 1y1w1d1h1m1s. */
    private void unsignedRelts(long secs) {
        String[] names = {"y", "w", "d", "h", "m", "s"};
        long[] seconds = {31536000, 604800, 86400, 3600, 60, 1};
        if (secs == 0) {
            out.append("0s");
            return;
        }
        for (int i = 0; i < names.length && secs > 0; i++) {
            if (secs >= seconds[i]) {
                out.append(secs / seconds[i]).append(names[i]);
                secs -= (secs / seconds[i]) * seconds[i];
            }
        }
    }

    private static final String[] MPLS_LABEL_NAMES = {"IPv4 explicit NULL", "router alert", "IPv6 explicit NULL",
            "implicit NULL", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd",
            "rsvd"};

    /** mpls_print(): the label stack, then the payload guessed from the label or its first nibble. */
    private void mplsPrint(int p, int length) {
        protocol = "mpls";
        out.append("MPLS");
        long entry;
        int depth = 0;
        do {
            if (length < 4) {
                ndPrintInvalid();
                tcheck(p, length);
                return;
            }
            entry = u32(p);
            int label = (int) (entry >>> 12);
            out.append(depth > 0 && opt.vflag() > 0 ? "\n\t" : " ").append("(label ").append(label);
            depth++;
            if (opt.vflag() > 0 && label < MPLS_LABEL_NAMES.length) {
                out.append(" (").append(MPLS_LABEL_NAMES[label]).append(')');
            }
            out.append(", tc ").append((entry >> 9) & 7);
            if ((entry & 0x100) != 0) out.append(", [S]");
            out.append(", ttl ").append(entry & 0xff).append(')');
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
                int first = u8(p);
                pt = first >= 0x45 && first <= 0x4f ? 4 : first >= 0x60 && first <= 0x6f ? 6 : 0;
            }
        }
        switch (pt) {
            case 4 -> {
                out.append(opt.vflag() > 0 ? "\n\t" : " ");
                ipPrint(p, length);
            }
            case 6 -> {
                out.append(opt.vflag() > 0 ? "\n\t" : " ");
                ip6Print(p, length);
            }
            default -> hexAndAsciiPrint(p, length);
        }
    }

    // ---------------------------------------------------------------- print-ip6.c

    /**
     * ip6_print(): the header, the hop-by-hop, destination-options and fragment headers, then the
     * upper-layer protocol (routing and mobility headers are not decoded by jnat).
     */
    private void ip6Print(int ip6, int length) {
        protocol = "ip6";
        tcheck(ip6, 40);
        if (length < 40) {
            out.append("truncated-ip6 ").append(length);
            return;
        }
        if (!opt.eflag()) out.append("IP6 ");
        int version = u8(ip6) >> 4;
        if (version != 6) {
            out.append("version error: ").append(version).append(" != 6");
            return;
        }
        int payloadLen = u16(ip6 + 4);
        long len;
        if (payloadLen != 0) {
            len = payloadLen + 40L;
            if (length < len) out.append("truncated-ip6 - ").append(len - length).append(" bytes missing!");
        } else {
            len = length + 40L;
        }
        int nh = u8(ip6 + 6);
        if (opt.vflag() > 0) {
            long flow = u32(ip6);
            out.append('(');
            if ((flow & 0x0ff00000L) != 0) out.append("class 0x").append(hex((int) ((flow & 0x0ff00000L) >> 20), 2)).append(", ");
            if ((flow & 0x000fffffL) != 0) out.append("flowlabel 0x").append(hex((int) (flow & 0xfffff), 5)).append(", ");
            out.append("hlim ").append(u8(ip6 + 7)).append(", next-header ").append(ipprotoName(nh)).append(" (")
                    .append(nh).append(") payload length: ").append(payloadLen).append(") ");
        }
        pushSnaplen(ip6, len);
        int cp = ip6;
        int advance = 40;
        long totalAdvance = 0;
        boolean fragmented = false, foundExtension = false, foundHbh = false;
        foundJumbo = false;
        int ph = 255;
        while (cp < snapend && advance > 0) {
            if (len < advance) {
                ndPrintTrunc();
                return;
            }
            cp += advance;
            len -= advance;
            totalAdvance += advance;
            if (cp == ip6 + 40 && nh != 6 && nh != 17 && nh != 33 && nh != 132) {
                out.append(ip6addr(ip6 + 8)).append(" > ").append(ip6addr(ip6 + 24)).append(": ");
            }
            switch (nh) {
                case 0 -> {
                    if (foundHbh) {
                        out.append("[The Hop-by-Hop Options header was already found]");
                        ndPrintInvalid();
                        return;
                    }
                    if (ph != 255) {
                        out.append("[The Hop-by-Hop Options header don't follow the IPv6 header]");
                        ndPrintInvalid();
                        return;
                    }
                    advance = hbhoptProcess(cp, payloadLen);
                    if (payloadLen == 0 && !foundJumbo) {
                        out.append("[No valid Jumbo Payload Hop-by-Hop option found]");
                        ndPrintInvalid();
                        return;
                    }
                    if (advance < 0) {
                        popSnaplen();
                        return;
                    }
                    foundExtension = true;
                    foundHbh = true;
                    nh = u8(cp);
                }
                case 60 -> {
                    advance = dstoptProcess(cp);
                    if (advance < 0) {
                        popSnaplen();
                        return;
                    }
                    foundExtension = true;
                    nh = u8(cp);
                }
                case 44 -> {
                    advance = frag6Print(cp, ip6);
                    if (advance < 0 || snapend <= cp + advance) {
                        popSnaplen();
                        return;
                    }
                    foundExtension = true;
                    nh = u8(cp);
                    fragmented = true;
                }
                case 43, 62, 135 -> {
                    out.append("[IPv6 extension header ").append(nh).append(" not decoded by jnat]");
                    popSnaplen();
                    return;
                }
                default -> {
                    if (foundJumbo) {
                        len = jumboLen + 40L;
                        if (len < totalAdvance) {
                            ndPrintTrunc();
                            return;
                        }
                        if (length < len) out.append("truncated-ip6 - ").append(len - length).append(" bytes missing!");
                        changeSnaplen(ip6, len);
                        len -= totalAdvance;
                    } else if (payloadLen == 0) {
                        if (foundExtension) {
                            ndPrintTrunc();
                            return;
                        }
                        len = 40;
                        changeSnaplen(ip6, len);
                        len -= totalAdvance;
                    }
                    ipDemuxPrint(cp, (int) len, 6, fragmented, nh, ip6);
                    popSnaplen();
                    return;
                }
            }
            ph = nh;
            protocol = "ip6";
        }
        popSnaplen();
    }

    private boolean foundJumbo;
    private long jumboLen;

    /** hbhopt_process(): the length of the header, or -1 after printing the truncation marker. */
    private int hbhoptProcess(int dp, int payloadLen) {
        protocol = "hbhopt";
        int hbhlen = (u8(dp + 1) + 1) << 3;
        if (!ttest(dp, hbhlen)) {
            ndPrintTrunc();
            return -1;
        }
        out.append("HBH ");
        if (!ip6OptProcess(dp + 2, hbhlen - 2, true, payloadLen)) {
            ndPrintTrunc();
            return -1;
        }
        return hbhlen;
    }

    /** dstopt_process(). */
    private int dstoptProcess(int dp) {
        protocol = "dstopt";
        int dstoptlen = (u8(dp + 1) + 1) << 3;
        if (!ttest(dp, dstoptlen)) {
            ndPrintTrunc();
            return -1;
        }
        out.append("DSTOPT ");
        if (opt.vflag() > 0 && !ip6OptProcess(dp + 2, dstoptlen - 2, false, 0)) {
            ndPrintTrunc();
            return -1;
        }
        return dstoptlen;
    }

    /** ip6_opt_process() (the home-address option's sub-options are not decoded); false for "trunc". */
    private boolean ip6OptProcess(int bp, int len, boolean hopByHop, int payloadLen) {
        if (len == 0) return true;
        boolean v = opt.vflag() > 0;
        boolean seenJumbo = false;
        int optlen;
        for (int i = 0; i < len; i += optlen) {
            int type = u8(bp + i);
            if (type == 0) {
                optlen = 1;
            } else {
                if (i + 1 < len) optlen = u8(bp + i + 1) + 2;
                else return false;
            }
            if (i + optlen > len) return false;
            switch (type) {
                case 0 -> {
                    if (v) out.append("(pad1)");
                }
                case 1 -> {
                    if (len - i < 2) {
                        out.append("(padn: trunc)");
                        return false;
                    }
                    if (v) out.append("(padn)");
                }
                case 5 -> {
                    if (len - i < 4) {
                        out.append("(rtalert: trunc)");
                        return false;
                    }
                    if (u8(bp + i + 1) != 2) {
                        out.append("(rtalert: invalid len ").append(u8(bp + i + 1)).append(')');
                        return false;
                    }
                    if (v) out.append("(rtalert: 0x").append(hex(u16(bp + i + 2), 4)).append(") ");
                }
                case 0xc2 -> {
                    if (len - i < 6) {
                        out.append("(jumbo: trunc)");
                        return false;
                    }
                    if (u8(bp + i + 1) != 4) {
                        out.append("(jumbo: invalid len ").append(u8(bp + i + 1)).append(')');
                        return false;
                    }
                    long jumbolen = u32(bp + i + 2);
                    if (seenJumbo) {
                        if (v) out.append("(jumbo: ").append(jumbolen).append(" - already seen) ");
                    } else {
                        seenJumbo = true;
                        if (!hopByHop) {
                            if (v) out.append("(jumbo: ").append(jumbolen).append(" - not a hop-by-hop option) ");
                        } else if (payloadLen != 0) {
                            if (v) out.append("(jumbo: ").append(jumbolen).append(" - payload len != 0) ");
                        } else if (jumbolen < 65536) {
                            if (v) out.append("(jumbo: ").append(jumbolen).append(" - < 65536) ");
                        } else {
                            if (v) out.append("(jumbo: ").append(jumbolen).append(") ");
                        }
                        if (hopByHop) {
                            foundJumbo = true;
                            jumboLen = jumbolen;
                        }
                    }
                }
                default -> {
                    if (len - i < 2) {
                        out.append("(type ").append(type).append(": trunc)");
                        return false;
                    }
                    if (v) out.append("(opt_type 0x").append(hex(type, 2)).append(": len=").append(u8(bp + i + 1))
                            .append(')');
                }
            }
        }
        if (v) out.append(' ');
        return true;
    }

    /** frag6_print(): the header's length, or -1 for a fragment that is not the first. */
    private int frag6Print(int dp, int ip6) {
        protocol = "frag6";
        long rest = 40L + u16(ip6 + 4) - (dp - ip6) - 8;
        String restText = Long.toUnsignedString(rest);
        int offset = u16(dp + 2) & 0xfff8;
        if (opt.vflag() > 0) {
            long ident = u32(dp + 4);
            out.append("frag (0x").append(hex((int) ident, 8)).append(':').append(offset).append('|').append(restText)
                    .append(')');
        } else {
            out.append("frag (").append(offset).append('|').append(restText).append(')');
        }
        if (offset != 0) return -1;
        out.append(' ');
        return 8;
    }

    // ---------------------------------------------------------------- print-tcp.c

    /** The key of tcp_seq_hash: addresses and ports in a canonical order so both directions share it. */
    private record SeqKey(long src0, long src1, long dst0, long dst1, int port) {
    }

    private long addrWord(int off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    private SeqKey seqKey(int src, int dst, int alen, int port) {
        if (alen == 4) return new SeqKey(addrWord(src, 4), 0, addrWord(dst, 4), 0, port);
        return new SeqKey(addrWord(src, 8), addrWord(src + 8, 8), addrWord(dst, 8), addrWord(dst + 8, 8), port);
    }

    private static String tcpFlags(int flags) {
        if (flags == 0) return "none";
        StringBuilder s = new StringBuilder(8);
        if ((flags & 0x01) != 0) s.append('F');
        if ((flags & 0x02) != 0) s.append('S');
        if ((flags & 0x04) != 0) s.append('R');
        if ((flags & 0x08) != 0) s.append('P');
        if ((flags & 0x10) != 0) s.append('.');
        if ((flags & 0x20) != 0) s.append('U');
        if ((flags & 0x40) != 0) s.append('E');
        if ((flags & 0x80) != 0) s.append('W');
        return s.toString();
    }

    private static String tcpOptionName(int opt) {
        return switch (opt) {
            case 0 -> "eol";
            case 1 -> "nop";
            case 2 -> "mss";
            case 3 -> "wscale";
            case 4 -> "sackOK";
            case 5 -> "sack";
            case 6 -> "echo";
            case 7 -> "echoreply";
            case 8 -> "TS";
            case 11 -> "cc";
            case 12 -> "ccnew";
            case 13 -> "";
            case 19 -> "md5";
            case 20 -> "scps";
            case 28 -> "uto";
            case 29 -> "tcp-ao";
            case 30 -> "mptcp";
            case 34 -> "tfo";
            case 254 -> "exp";
            default -> "unknown-" + opt;
        };
    }

    /** Thrown by LENCHECK in the option loop to reach tcp_print's "bad:" label. */
    private static final class BadOption extends RuntimeException {
        BadOption() {
            super(null, null, false, false);
        }
    }

    private static final BadOption BAD_OPTION = new BadOption();

    /** tcp_print(). */
    private void tcpPrint(int tp, int length, int iph, boolean fragmented) {
        protocol = "tcp";
        boolean v6 = (u8(iph) >> 4) == 6;
        if (!ttest(tp + 2, 2)) {
            if (v6) out.append(ip6addr(iph + 8)).append(" > ").append(ip6addr(iph + 24)).append(':');
            else out.append(ipaddr(iph + 12)).append(" > ").append(ipaddr(iph + 16)).append(':');
            ndPrintTrunc();
            return;
        }
        int sport = u16(tp);
        int dport = u16(tp + 2);
        int nxt = v6 ? u8(iph + 6) : u8(iph + 9);
        if (nxt == 6) {
            if (v6) out.append(ip6addr(iph + 8)).append('.').append(sport).append(" > ").append(ip6addr(iph + 24));
            else out.append(ipaddr(iph + 12)).append('.').append(sport).append(" > ").append(ipaddr(iph + 16));
            out.append('.').append(dport).append(": ");
        } else {
            out.append(sport).append(" > ").append(dport).append(": ");
        }
        if (!ttest(tp, 20)) {
            ndPrintTrunc();
            return;
        }
        int hlen = (u8(tp + 12) >> 4) * 4;
        if (hlen < 20) {
            out.append(" tcp ").append(Integer.toUnsignedString(length - hlen)).append(" [bad hdr length ").append(hlen)
                    .append(" - too short, < 20]");
            return;
        }
        long seq = u32(tp + 4);
        long ack = u32(tp + 8);
        int win = u16(tp + 14);
        int urp = u16(tp + 18);
        int flags = u8(tp + 13);
        out.append("Flags [").append(tcpFlags(flags)).append(']');

        boolean rev = false;
        long thseq = 0, thack = 0;
        if ((flags & 0x10) != 0) {
            int alen = v6 ? 16 : 4;
            int src = v6 ? iph + 8 : iph + 12;
            int dst = v6 ? iph + 24 : iph + 16;
            if (sport > dport) {
                rev = true;
            } else if (sport == dport) {
                rev = java.util.Arrays.compareUnsigned(b, src, src + alen, b, dst, dst + alen) > 0;
            }
            SeqKey key = rev ? seqKey(dst, src, alen, (dport << 16) | sport)
                    : seqKey(src, dst, alen, (sport << 16) | dport);
            Map<SeqKey, long[]> table = v6 ? tcpSeq6 : tcpSeq4;
            long[] th = table.get(key);
            if (th == null || (flags & 0x02) != 0) {
                if (th == null) {
                    th = new long[2];
                    table.put(key, th);
                }
                if (rev) {
                    th[1] = seq;
                    th[0] = (ack - 1) & 0xffffffffL;
                } else {
                    th[0] = seq;
                    th[1] = (ack - 1) & 0xffffffffL;
                }
            } else {
                if (rev) {
                    seq = (seq - th[1]) & 0xffffffffL;
                    ack = (ack - th[0]) & 0xffffffffL;
                } else {
                    seq = (seq - th[0]) & 0xffffffffL;
                    ack = (ack - th[1]) & 0xffffffffL;
                }
            }
            thseq = th[0];
            thack = th[1];
        }
        if (hlen > length) {
            out.append(" [bad hdr length ").append(hlen).append(" - too long, > ").append(length).append(']');
            return;
        }
        if (opt.vflag() > 0 && !fragmented && ttest(tp, length)) {
            int sum = v6 ? inCksum(pseudo6(iph, length, 6), tp, length) : inCksum(pseudo4(iph, length, 6), tp, length);
            int tcpSum = u16(tp + 16);
            out.append(", cksum 0x").append(hex(tcpSum, 4));
            if (sum != 0) out.append(" (incorrect -> 0x").append(hex(cksumShouldBe(tcpSum, sum), 4)).append(')');
            else out.append(" (correct)");
        }
        length -= hlen;
        if (opt.vflag() > 1 || length > 0 || (flags & 0x07) != 0) {
            out.append(", seq ").append(seq);
            if (length > 0) out.append(':').append((seq + length) & 0xffffffffL);
        }
        if ((flags & 0x10) != 0) out.append(", ack ").append(ack);
        out.append(", win ").append(win);
        if ((flags & 0x20) != 0) out.append(", urg ").append(urp);

        if (hlen > 20) {
            char ch = '\0';
            int cp = tp + 20;
            int left = hlen - 20;
            out.append(", options [");
            try {
                while (left > 0) {
                    if (ch != '\0') out.append(ch);
                    int opt = u8(cp);
                    cp++;
                    int len;
                    boolean zeroLen = opt == 0 || opt == 1;
                    if (zeroLen) {
                        len = 1;
                    } else {
                        len = u8(cp);
                        cp++;
                        if (len < 2 || len > left) throw BAD_OPTION;
                        --left;
                    }
                    --left;
                    int datalen = 0;
                    out.append(tcpOptionName(opt));
                    switch (opt) {
                        case 2 -> {
                            datalen = 2;
                            lencheck(cp, datalen, left);
                            out.append(' ').append(u16(cp));
                        }
                        case 3 -> {
                            datalen = 1;
                            lencheck(cp, datalen, left);
                            out.append(' ').append(u8(cp));
                        }
                        case 5 -> {
                            datalen = len - 2;
                            if (datalen % 8 != 0) {
                                out.append(" invalid sack");
                            } else {
                                out.append(' ').append(datalen / 8).append(' ');
                                for (int i = 0; i < datalen; i += 8) {
                                    lencheck(cp, i + 4, left);
                                    long s = u32(cp + i);
                                    lencheck(cp, i + 8, left);
                                    long e = u32(cp + i + 4);
                                    long base = rev ? thseq : thack;
                                    out.append('{').append((s - base) & 0xffffffffL).append(':')
                                            .append((e - base) & 0xffffffffL).append('}');
                                }
                            }
                        }
                        case 11, 12, 13, 6, 7 -> {
                            datalen = 4;
                            lencheck(cp, datalen, left);
                            out.append(' ').append(u32(cp));
                        }
                        case 8 -> {
                            datalen = 8;
                            lencheck(cp, datalen, left);
                            out.append(" val ").append(u32(cp)).append(" ecr ").append(u32(cp + 4));
                        }
                        case 19 -> {
                            // With OpenSSL but no -M secret tcpdump cannot verify the signature.
                            datalen = 16;
                            lencheck(cp, datalen, left);
                            out.append(" shared secret not supplied with -M, can't check - ");
                            for (int i = 0; i < 16; i++) hex2(out, u8(cp + i));
                        }
                        case 20 -> {
                            datalen = 2;
                            lencheck(cp, datalen, left);
                            out.append(" cap ").append(hex(u8(cp), 2)).append(" id ").append(u8(cp + 1));
                        }
                        case 29 -> {
                            datalen = len - 2;
                            if (datalen < 2) {
                                ndPrintInvalid();
                            } else {
                                lencheck(cp, 1, left);
                                out.append(" keyid ").append(u8(cp));
                                lencheck(cp, 2, left);
                                out.append(" rnextkeyid ").append(u8(cp + 1));
                                if (datalen > 2) {
                                    out.append(" mac 0x");
                                    for (int i = 2; i < datalen; i++) {
                                        lencheck(cp, i + 1, left);
                                        hex2(out, u8(cp + i));
                                    }
                                }
                            }
                        }
                        case 0, 1, 4 -> { }
                        case 28 -> {
                            datalen = 2;
                            lencheck(cp, datalen, left);
                            int uto = u16(cp);
                            out.append(" 0x").append(Integer.toHexString(uto));
                            uto = (uto & 1) != 0 ? (uto >> 1) * 60 : uto >> 1;
                            out.append(' ').append(uto);
                        }
                        default -> {
                            // Unknown options, and mptcp/tfo/exp which jnat prints as raw bytes.
                            datalen = len - 2;
                            if (datalen != 0) out.append(" 0x");
                            for (int i = 0; i < datalen; i++) {
                                lencheck(cp, i + 1, left);
                                hex2(out, u8(cp + i));
                            }
                        }
                    }
                    cp += datalen;
                    left -= datalen;
                    datalen++;
                    if (!zeroLen) datalen++;
                    if (datalen != len) out.append("[len ").append(len).append(']');
                    ch = ',';
                    if (opt == 0) break;
                }
                out.append(']');
            } catch (BadOption e) {
                out.append("[bad opt]");
                if (ch != '\0') out.append(']');
                return;
            } catch (OptionTruncated e) {
                ndPrintTrunc();
                if (ch != '\0') out.append('>');
                return;
            }
        }
        out.append(", length ").append(length);
        if (length == 0) return;
        int headerLen = (u8(tp + 12) >> 4) * 4;
        if (!ttest(tp, headerLen)) {
            out.append(" [remaining caplen(").append(Math.max(0, snapend - tp)).append(") < header length(")
                    .append(headerLen).append(")]");
            throw TRUNCATED;
        }
        int data = tp + headerLen;
        if ((flags & 0x04) != 0 && opt.vflag() > 0) {
            tcpRstData(data, length);
            return;
        }
        if (sport == 53 || dport == 53) {
            dns.domainPrint(data, length, true, false);
        } else if (sport == 80 || dport == 80 || sport == 8080 || dport == 8080) {
            out.append(": ");
            txtprotoPrint(data, length, "http", HTTP_CMDS);
        }
    }

    /** Reached from LENCHECK's ND_TCHECK_LEN: tcp_print's "trunc:" label. */
    private static final class OptionTruncated extends RuntimeException {
        OptionTruncated() {
            super(null, null, false, false);
        }
    }

    private static final OptionTruncated OPTION_TRUNCATED = new OptionTruncated();

    /** print-tcp.c's LENCHECK(l): bad option if {@code l} exceeds what is left of the header, trunc if not captured. */
    private void lencheck(int cp, int l, int left) {
        if (l > left) throw BAD_OPTION;
        if (!ttest(cp, l)) throw OPTION_TRUNCATED;
    }

    /** print_tcp_rst_data(). */
    private void tcpRstData(int sp, int length) {
        out.append(ttest(sp, length) ? " [RST" : " [!RST");
        if (length > 30) length = 30;
        out.append(' ');
        while (length-- > 0 && sp < snapend) {
            int c = b[sp++] & 0xff;
            if (c >= 0x20 && c < 0x7f) out.append((char) c);
            else {
                // fn_print_char(): M- for high bit, ^ for control characters.
                if ((c & 0x80) != 0) {
                    out.append("M-");
                    c &= 0x7f;
                }
                if (c < 0x20 || c == 0x7f) out.append('^').append((char) (c ^ 0x40));
                else out.append((char) c);
            }
        }
        out.append(']');
    }

    private long pseudo4(int ip, int len, int proto) {
        int dst = ipFinalDst(ip);
        long sum = 0;
        sum += u16(ip + 12) + u16(ip + 14);
        sum += dst >>> 16 & 0xffff;
        sum += dst & 0xffff;
        sum += proto + len;
        return sum;
    }

    /** ip_finddst(): the final destination of a source-routed datagram, else ip_dst. */
    private int ipFinalDst(int ip) {
        int length = (u8(ip) & 0x0f) * 4 - 20;
        int cp = ip + 20;
        int len;
        for (; length > 0; cp += len, length -= len) {
            if (!ttest(cp, 1)) break;
            int tt = u8(cp);
            if (tt == 0) break;
            if (tt == 1) {
                len = 1;
            } else {
                if (!ttest(cp + 1, 1)) break;
                len = u8(cp + 1);
                if (len < 2) break;
            }
            if (length < len || !ttest(cp, len)) break;
            if ((tt == 137 || tt == 131) && len >= 7) return (int) u32(cp + len - 4);
        }
        return (int) u32(ip + 16);
    }

    private long pseudo6(int ip6, int len, int proto) {
        long sum = 0;
        for (int i = 0; i < 32; i += 2) sum += u16(ip6 + 8 + i);
        sum += (len >>> 16) + (len & 0xffff) + proto;
        return sum;
    }

    /** print-http.c's httpcmds. */
    private static final String[] HTTP_CMDS = {"GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST",
            "BCOPY", "BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE",
            "NOTIFY", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "SUBSCRIBE",
            "PROPPATCH", "BPROPFIND", "BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE",
            "RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL"};
    private static final int MAX_TOKEN = 128;

    /**
     * txtproto_print() with RESP_CODE_SECOND_TOKEN: the protocol's name, and when the payload starts with
     * a known command or has a 3-digit second token (a response), its first line (all lines with -v).
     */
    private void txtprotoPrint(int pptr, int len, String proto, String[] cmds) {
        protocol = proto;
        boolean printThis = false;
        StringBuilder token = new StringBuilder();
        int idx = fetchToken(pptr, 0, len, token);
        if (idx != 0) {
            for (String cmd : cmds) {
                if (cmd.equalsIgnoreCase(token.toString())) {
                    printThis = true;
                    break;
                }
            }
            idx = fetchToken(pptr, idx, len, token);
            if (idx != 0 && token.length() == 3 && Character.isDigit(token.charAt(0))
                    && Character.isDigit(token.charAt(1)) && Character.isDigit(token.charAt(2))) {
                printThis = true;
            }
        }
        out.append(proto.toUpperCase(java.util.Locale.ROOT));
        if (printThis) {
            if (opt.vflag() > 0) {
                out.append(", length: ").append(len);
                int eol;
                for (idx = 0; idx < len && (eol = printTxtLine("\n\t", pptr, idx, len)) != 0; idx = eol) {
                    // one line per round
                }
            } else {
                printTxtLine(": ", pptr, 0, len);
            }
        }
    }

    /** fetch_token(): the token at idx into {@code token}; returns the index after the blanks that follow, or 0. */
    private int fetchToken(int pptr, int idx, int len, StringBuilder token) {
        token.setLength(0);
        for (; idx < len; idx++) {
            if (!ttest(pptr + idx, 1)) return 0;
            int c = u8(pptr + idx);
            if (c >= 0x80) return 0;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
            if (!(c >= 0x20 && c < 0x7f)) return 0;
            if (token.length() + 2 > MAX_TOKEN + 1) return 0;
            token.append((char) c);
        }
        if (token.isEmpty()) return 0;
        for (; idx < len; idx++) {
            if (!ttest(pptr + idx, 1)) break;
            int c = u8(pptr + idx);
            if (c == '\r' || c == '\n') break;
            if (!(c >= 0x20 && c < 0x7f)) break;
            if (c != ' ' && c != '\t') break;
        }
        return idx;
    }

    /** print_txt_line(): one line after {@code prefix}; returns where the next starts, 0 at the end. */
    private int printTxtLine(String prefix, int pptr, int idx, int len) {
        int start = idx;
        while (idx < len) {
            int c = u8(pptr + idx);
            if (c == '\n') {
                emitLine(prefix, pptr + start, idx - start);
                return idx + 1;
            } else if (c == '\r') {
                if (idx + 1 >= len) return 0;
                if (u8(pptr + idx + 1) == '\n') {
                    emitLine(prefix, pptr + start, idx - start);
                    return idx + 2;
                }
                return 0;
            } else if (!(c >= 0x20 && c < 0x7f) && c != '\t') {
                return 0;
            }
            idx++;
        }
        emitLine(prefix, pptr + start, idx - start);
        ndPrintTrunc();
        return 0;
    }

    private void emitLine(String prefix, int off, int n) {
        out.append(prefix).append(new String(b, off, n, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    // ---------------------------------------------------------------- print-udp.c

    private void udpIpAddrPrint(int iph, int sport, int dport) {
        boolean v6 = (u8(iph) >> 4) == 6;
        int nxt = v6 ? u8(iph + 6) : u8(iph + 9);
        if (nxt == 17) {
            String src = v6 ? ip6addr(iph + 8) : ipaddr(iph + 12);
            String dst = v6 ? ip6addr(iph + 24) : ipaddr(iph + 16);
            if (sport == -1) out.append(src).append(" > ").append(dst).append(": ");
            else out.append(src).append('.').append(sport).append(" > ").append(dst).append('.').append(dport).append(": ");
        } else if (sport != -1) {
            out.append(sport).append(" > ").append(dport).append(": ");
        }
    }

    /** udp_print(). */
    private void udpPrint(int up, int length, int iph, boolean fragmented) {
        protocol = "udp";
        if (!ttest(up + 2, 2)) {
            udpIpAddrPrint(iph, -1, -1);
            ndPrintTrunc();
            return;
        }
        int sport = u16(up);
        int dport = u16(up + 2);
        if (length < 8) {
            udpIpAddrPrint(iph, sport, dport);
            out.append("truncated-udp ").append(length);
            return;
        }
        if (!ttest(up + 4, 2)) {
            udpIpAddrPrint(iph, sport, dport);
            ndPrintTrunc();
            return;
        }
        int ulen = u16(up + 4);
        if (ulen == 0 && length > 65535) ulen = length;
        if (ulen < 8) {
            udpIpAddrPrint(iph, sport, dport);
            out.append("truncated-udplength ").append(ulen);
            return;
        }
        ulen -= 8;
        length -= 8;
        if (ulen < length) length = ulen;
        int cp = up + 8;
        if (cp > snapend) {
            udpIpAddrPrint(iph, sport, dport);
            ndPrintTrunc();
            return;
        }
        udpIpAddrPrint(iph, sport, dport);
        boolean v6 = (u8(iph) >> 4) == 6;
        if (opt.vflag() > 0 && !fragmented) {
            if (!v6 && opt.vflag() > 1) {
                int udpSum = u16(up + 6);
                if (udpSum == 0) {
                    out.append("[no cksum] ");
                } else if (ttest(cp, length)) {
                    int sum = inCksum(pseudo4(iph, length + 8, 17), up, length + 8);
                    if (sum != 0) out.append("[bad udp cksum 0x").append(hex(udpSum, 4)).append(" -> 0x")
                            .append(hex(cksumShouldBe(udpSum, sum), 4)).append("!] ");
                    else out.append("[udp sum ok] ");
                }
            } else if (v6 && ttest(cp, length)) {
                int sum = inCksum(pseudo6(iph, length + 8, 17), up, length + 8);
                int udpSum = u16(up + 6);
                if (sum != 0) out.append("[bad udp cksum 0x").append(hex(udpSum, 4)).append(" -> 0x")
                        .append(hex(cksumShouldBe(udpSum, sum), 4)).append("!] ");
                else out.append("[udp sum ok] ");
            }
        }
        if (sport == 53 || dport == 53) {
            dns.domainPrint(cp, length, false, false);
            return;
        }
        if (sport == 5353 || dport == 5353) {
            dns.domainPrint(cp, length, false, true);
            return;
        }
        if (ulen > length && !fragmented) {
            out.append("UDP, bad length ").append(ulen).append(" > ").append(length);
        } else {
            out.append("UDP, length ").append(ulen);
        }
    }

    // ---------------------------------------------------------------- print-icmp.c

    private static String icmpTstamp(long t) {
        long msec = t % 1000;
        long sec = t / 1000;
        long min = sec / 60;
        sec -= min * 60;
        long hrs = min / 60;
        min -= hrs * 60;
        return String.format("%02d:%02d:%02d.%03d", hrs, min, sec, msec);
    }

    /** icmp_print() (without RFC 4884 multi-part extensions, which only -v prints). */
    private void icmpPrint(int dp, int plen, int iph, boolean fragmented) {
        protocol = "icmp";
        int type = u8(dp);
        int code = u8(dp + 1);
        int oipDst = dp + 8 + 16;
        String str;
        switch (type) {
            case 0, 8 -> str = "echo " + (type == 8 ? "request" : "reply") + ", id " + u16(dp + 4) + ", seq "
                    + u16(dp + 6);
            case 3 -> str = switch (code) {
                case 0 -> "net " + ipaddr(oipDst) + " unreachable";
                case 1 -> "host " + ipaddr(oipDst) + " unreachable";
                case 2 -> ipaddr(oipDst) + " protocol " + u8(dp + 8 + 9) + " unreachable";
                case 3 -> {
                    tcheck(dp + 8 + 9, 1);
                    int oip = dp + 8;
                    int hlen = (u8(oip) & 0x0f) * 4;
                    int dport = u16(oip + hlen + 2);
                    int p = u8(oip + 9);
                    yield switch (p) {
                        case 6 -> ipaddr(oip + 16) + " tcp port " + dport + " unreachable";
                        case 17 -> ipaddr(oip + 16) + " udp port " + dport + " unreachable";
                        default -> ipaddr(oip + 16) + " protocol " + p + " port " + dport + " unreachable";
                    };
                }
                case 4 -> {
                    int mtu = u16(dp + 6);
                    yield mtu != 0 ? ipaddr(oipDst) + " unreachable - need to frag (mtu " + mtu + ")"
                            : ipaddr(oipDst) + " unreachable - need to frag";
                }
                case 5 -> ipaddr(oipDst) + " unreachable - source route failed";
                case 6 -> "net " + ipaddr(oipDst) + " unreachable - unknown";
                case 7 -> "host " + ipaddr(oipDst) + " unreachable - unknown";
                case 8 -> ipaddr(oipDst) + " unreachable - source host isolated";
                case 9 -> "net " + ipaddr(oipDst) + " unreachable - admin prohibited";
                case 10 -> "host " + ipaddr(oipDst) + " unreachable - admin prohibited";
                case 11 -> "net " + ipaddr(oipDst) + " unreachable - tos prohibited";
                case 12 -> "host " + ipaddr(oipDst) + " unreachable - tos prohibited";
                case 13 -> "host " + ipaddr(oipDst) + " unreachable - admin prohibited filter";
                case 14 -> "host " + ipaddr(oipDst) + " unreachable - host precedence violation";
                case 15 -> "host " + ipaddr(oipDst) + " unreachable - precedence cutoff";
                default -> ipaddr(oipDst) + " unreachable - #" + code;
            };
            case 5 -> str = switch (code) {
                case 0 -> "redirect " + ipaddr(oipDst) + " to net " + ipaddr(dp + 4);
                case 1 -> "redirect " + ipaddr(oipDst) + " to host " + ipaddr(dp + 4);
                case 2 -> "redirect-tos " + ipaddr(oipDst) + " to net " + ipaddr(dp + 4);
                case 3 -> "redirect-tos " + ipaddr(oipDst) + " to host " + ipaddr(dp + 4);
                default -> "redirect-#" + code + " " + ipaddr(oipDst) + " to " + ipaddr(dp + 4);
            };
            case 9 -> str = routerAdvertisement(dp);
            case 11 -> {
                tcheck(oipDst, 4);
                str = switch (code) {
                    case 0 -> "time exceeded in-transit";
                    case 1 -> "ip reassembly time exceeded";
                    default -> "time exceeded-#" + code;
                };
            }
            case 12 -> str = code != 0 ? "parameter problem - code " + code
                    : "parameter problem - octet " + u8(dp + 4);
            case 18 -> str = "address mask is 0x" + hex((int) u32(dp + 8), 8);
            case 13 -> str = "time stamp query id " + u16(dp + 4) + " seq " + u16(dp + 6);
            case 14 -> {
                tcheck(dp + 16, 4);
                str = "time stamp reply id " + u16(dp + 4) + " seq " + u16(dp + 6) + ": org "
                        + icmpTstamp(u32(dp + 8)) + ", recv " + icmpTstamp(u32(dp + 12)) + ", xmit "
                        + icmpTstamp(u32(dp + 16));
            }
            case 4 -> str = "source quench";
            case 10 -> str = "router solicitation";
            case 15 -> str = "information request";
            case 16 -> str = "information reply";
            case 17 -> str = "address mask request";
            default -> str = "type-#" + type;
        }
        out.append("ICMP ").append(str).append(", length ").append(plen);
        if (opt.vflag() > 0 && !fragmented && ttest(dp, plen)) {
            int sum = inCksum(0, dp, plen);
            if (sum != 0) {
                int icmpSum = u16(dp + 2);
                out.append(" (wrong icmp cksum ").append(Integer.toHexString(icmpSum)).append(" (->")
                        .append(Integer.toHexString(cksumShouldBe(icmpSum, sum))).append(")!)");
            }
        }
        if (opt.vflag() >= 1 && (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)) {
            int ip = dp + 8;
            out.append("\n\t");
            int saved = snapend;
            int ipLen = u16(ip + 2);
            snapend = Math.min(ip + ipLen, snapend);
            ipPrint(ip, ipLen);
            snapend = saved;
        }
        protocol = "icmp";
    }

    private String routerAdvertisement(int dp) {
        StringBuilder s = new StringBuilder("router advertisement");
        tcheck(dp + 4, 4);
        s.append(" lifetime ");
        int lifetime = u16(dp + 6);
        if (lifetime < 60) s.append(lifetime);
        else if (lifetime < 3600) s.append(String.format("%d:%02d", lifetime / 60, lifetime % 60));
        else s.append(String.format("%d:%02d:%02d", lifetime / 3600, (lifetime % 3600) / 60, lifetime % 60));
        int num = u8(dp + 4);
        s.append(' ').append(num).append(':');
        int size = u8(dp + 5);
        if (size != 2) {
            s.append(" [size ").append(size).append(']');
            return s.toString();
        }
        int idp = dp + 8;
        while (num-- > 0) {
            tcheck(idp, 8);
            s.append(" {").append(ipaddr(idp)).append(' ').append(u32(idp + 4)).append('}');
            idp += 8;
        }
        return s.toString();
    }

    // ---------------------------------------------------------------- print-icmp6.c (the common types)

    private static String icmp6TypeName(int t) {
        return switch (t) {
            case 1 -> "destination unreachable";
            case 2 -> "packet too big";
            case 3 -> "time exceeded in-transit";
            case 4 -> "parameter problem";
            case 128 -> "echo request";
            case 129 -> "echo reply";
            case 130 -> "multicast listener query";
            case 131 -> "multicast listener report";
            case 132 -> "multicast listener done";
            case 133 -> "router solicitation";
            case 134 -> "router advertisement";
            case 135 -> "neighbor solicitation";
            case 136 -> "neighbor advertisement";
            case 137 -> "redirect";
            case 138 -> "router renumbering";
            case 141 -> "inverse neighbor solicitation";
            case 142 -> "inverse neighbor advertisement";
            case 143 -> "multicast listener report v2";
            case 144 -> "ha discovery request";
            case 145 -> "ha discovery reply";
            case 146 -> "mobile router solicitation";
            case 147 -> "mobile router advertisement";
            case 139 -> "node information query";
            case 140 -> "node information reply";
            case 200 -> "mtrace message";
            case 201 -> "mtrace response";
            case 155 -> "RPL";
            default -> "unknown icmp6 type (" + t + ")";
        };
    }

    /**
     * icmp6_print() for unreachable, too big, time exceeded, parameter problem and echo; the neighbour
     * discovery and MLD bodies are not decoded (their one-line summaries end at the type name).
     */
    private void icmp6Print(int dp, int length, int iph, boolean fragmented) {
        protocol = "icmp6";
        int oip = dp + 8;
        if (length == 0) {
            out.append("ICMP6, length 0");
            ndPrintInvalid();
            return;
        }
        if (opt.vflag() > 0 && !fragmented && ttest(dp, length)) {
            int sum = inCksum(pseudo6(iph, length, 58), dp, length);
            int icmpSum = u16(dp + 2);
            if (sum != 0) out.append("[bad icmp6 cksum 0x").append(hex(icmpSum, 4)).append(" -> 0x")
                    .append(hex(cksumShouldBe(icmpSum, sum), 4)).append("!] ");
            else out.append("[icmp6 sum ok] ");
        }
        int type = u8(dp);
        out.append("ICMP6, ").append(icmp6TypeName(type));
        if (opt.vflag() > 0 && (type == 133 || type == 134 || type == 135 || type == 136 || type == 137
                || type == 145 || type == 147)) {
            out.append(", length ").append(length);
        }
        int code = u8(dp + 1);
        try {
            switch (type) {
                case 1 -> {
                    out.append(", ").append(switch (code) {
                        case 0 -> "unreachable route";
                        case 1 -> " unreachable prohibited";
                        case 2 -> "beyond scope";
                        case 3 -> "unreachable address";
                        case 4 -> "unreachable port";
                        default -> "unknown unreach code (" + code + ")";
                    });
                    switch (code) {
                        case 0, 1, 3 -> {
                            String dst = ip6addr(oip + 24);
                            out.append(' ').append(dst);
                        }
                        case 2 -> {
                            String dst = ip6addr(oip + 24);
                            String src = ip6addr(oip + 8);
                            out.append(' ').append(dst).append(", source address ").append(src);
                        }
                        case 4 -> {
                            if (!ttest(oip + 6, 1)) throw TRUNCATED;
                            int nh = u8(oip + 6);
                            if (nh != 6 && nh != 17) throw TRUNCATED;
                            int dport = u16(oip + 40 + 2);
                            out.append(", ").append(ip6addr(oip + 24)).append(nh == 6 ? " tcp port " : " udp port ")
                                    .append(dport);
                        }
                        default -> {
                            if (opt.vflag() <= 1) {
                                printUnknownData(dp, "\n\t", length);
                                return;
                            }
                        }
                    }
                }
                case 2 -> {
                    long mtu = u32(dp + 4);
                    out.append(", mtu ").append(mtu);
                }
                case 3 -> {
                    switch (code) {
                        case 0 -> {
                            String dst = ip6addr(oip + 24);
                            out.append(" for ").append(dst);
                        }
                        case 1 -> out.append(" (reassembly)");
                        default -> out.append(", unknown code (").append(code).append(')');
                    }
                }
                case 4 -> {
                    tcheck(oip + 24, 16);
                    switch (code) {
                        case 0 -> out.append(", erroneous - octet ").append(u32(dp + 4));
                        case 1 -> out.append(", next header - octet ").append(u32(dp + 4));
                        case 2 -> out.append(", option - octet ").append(u32(dp + 4));
                        case 3 -> out.append(", incomplete header chain - octet ").append(u32(dp + 4));
                        default -> out.append(", code-#").append(code);
                    }
                }
                case 128, 129 -> {
                    int id = u16(dp + 4);
                    int seq = u16(dp + 6);
                    out.append(", id ").append(id).append(", seq ").append(seq);
                }
                case 130 -> {
                    if (length == 24) {
                        mld6Print(dp);
                    } else if (length >= 28) {
                        out.append(" v2");
                        mldv2QueryPrint(dp, length);
                    } else {
                        out.append(" unknown-version (len ").append(length).append(") ");
                    }
                }
                case 131, 132 -> mld6Print(dp);
                case 143 -> mldv2ReportPrint(dp, length);
                case 133 -> {
                    if (opt.vflag() > 0 && !icmp6OptPrint(dp + 8, length - 8)) throw TRUNCATED;
                }
                case 135 -> {
                    String target = ip6addr(dp + 8);
                    out.append(", who has ").append(target);
                    if (opt.vflag() > 0 && !icmp6OptPrint(dp + 24, length - 24)) throw TRUNCATED;
                }
                case 136 -> {
                    String target = ip6addr(dp + 8);
                    out.append(", tgt is ").append(target);
                    if (opt.vflag() > 0) {
                        long flags = u32(dp + 4);
                        StringBuilder f = new StringBuilder();
                        if ((flags & 0x80000000L) != 0) f.append("router");
                        if ((flags & 0x40000000L) != 0) f.append(f.isEmpty() ? "" : ", ").append("solicited");
                        if ((flags & 0x20000000L) != 0) f.append(f.isEmpty() ? "" : ", ").append("override");
                        out.append(", Flags [").append(f.isEmpty() ? "none" : f).append(']');
                        if (!icmp6OptPrint(dp + 24, length - 24)) throw TRUNCATED;
                    }
                }
                default -> {
                    if (type < 128 || (type > 147 && type != 155)) {
                        // Types tcpdump's switch does not know: the length and a hex dump.
                        out.append(", length ").append(length);
                        if (opt.vflag() <= 1) printUnknownData(dp, "\n\t", length);
                        return;
                    }
                }
            }
            if (opt.vflag() == 0) out.append(", length ").append(length);
        } catch (Truncated t) {
            ndPrintTrunc();
        }
    }

    /** mld6_print(). */
    private void mld6Print(int bp) {
        if (bp + 24 > snapend) return;
        out.append("max resp delay: ").append(u16(bp + 4)).append(' ');
        String addr = ip6addr(bp + 8);
        out.append("addr: ").append(addr);
    }

    /** mldv2_report_print(). */
    private void mldv2ReportPrint(int bp, int len) {
        if (len < 8) {
            out.append(" [invalid len ").append(len).append(']');
            return;
        }
        int ngroups = u16(bp + 6);
        out.append(", ").append(ngroups).append(" group record(s)");
        if (opt.vflag() == 0) return;
        int group = 8;
        for (int i = 0; i < ngroups; i++) {
            if (len < group + 20) {
                out.append(" [invalid number of groups]");
                return;
            }
            String g = ip6addr(bp + group + 4);
            out.append(" [gaddr ").append(g);
            int t = u8(bp + group);
            out.append(' ').append(t >= 1 && t <= 6 ? igmpV3RecordType(t) : " [v2-report-#" + t + "]");
            int nsrcs = u16(bp + group + 2);
            if (len < group + 20 + nsrcs * 16) {
                out.append(" [invalid number of sources ").append(nsrcs).append(']');
                return;
            }
            if (opt.vflag() == 1) {
                out.append(", ").append(nsrcs).append(" source(s)");
            } else {
                out.append(" {");
                for (int j = 0; j < nsrcs; j++) {
                    String src = ip6addr(bp + group + 20 + j * 16);
                    out.append(' ').append(src);
                }
                out.append(" }");
            }
            group += 20 + nsrcs * 16;
            out.append(']');
        }
    }

    /** mldv2_query_print(). */
    private void mldv2QueryPrint(int bp, int len) {
        if (len < 28) {
            out.append(" [invalid len ").append(len).append(']');
            return;
        }
        int mrc = u16(bp + 4);
        long mrt = mrc < 32768 ? mrc : (long) ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
        if (opt.vflag() > 0) out.append(" [max resp delay=").append(mrt).append(']');
        String g = ip6addr(bp + 8);
        out.append(" [gaddr ").append(g);
        if (opt.vflag() > 0) {
            int f = u8(bp + 24);
            if ((f & 0x08) != 0) out.append(" sflag");
            if ((f & 0x07) != 0) out.append(" robustness=").append(f & 7);
            int q = u8(bp + 25);
            int qqi = q < 128 ? q : ((q & 0x0f) | 0x10) << (((q & 0x70) >> 4) + 3);
            out.append(" qqi=").append(qqi);
        }
        int nsrcs = u16(bp + 26);
        if (nsrcs > 0) {
            if (len < 28 + nsrcs * 16) {
                out.append(" [invalid number of sources]");
            } else if (opt.vflag() > 1) {
                out.append(" {");
                for (int i = 0; i < nsrcs; i++) {
                    String src = ip6addr(bp + 28 + i * 16);
                    out.append(' ').append(src);
                }
                out.append(" }");
            } else {
                out.append(", ").append(nsrcs).append(" source(s)");
            }
        }
        out.append(']');
    }

    /**
     * icmp6_opt_print() for the link-address and MTU options (other options are not decoded by jnat);
     * false where tcpdump's returns -1 (truncated).
     */
    private boolean icmp6OptPrint(int cp, int resid) {
        while (cp < snapend) {
            if (!ttest(cp + 1, 1)) return false;
            if (resid <= 0) return true;
            int type = u8(cp);
            int len = u8(cp + 1);
            if (len == 0 || cp + (len << 3) > snapend) return false;
            String name = switch (type) {
                case 1 -> "source link-address";
                case 2 -> "destination link-address";
                case 3 -> "prefix info";
                case 4 -> "redirected header";
                case 5 -> "mtu";
                case 25 -> "rdnss";
                case 31 -> "dnssl";
                case 7 -> "advertisement interval";
                case 8 -> "homeagent information";
                case 24 -> "route info";
                default -> "unknown";
            };
            out.append("\n\t  ").append(name).append(" option (").append(type).append("), length ").append(len << 3)
                    .append(" (").append(len).append("): ");
            switch (type) {
                case 1, 2 -> {
                    for (int i = 0; i < (len << 3) - 2; i++) {
                        if (i > 0) out.append(':');
                        hex2(out, u8(cp + 2 + i));
                    }
                }
                case 5 -> out.append(' ').append(u32(cp + 4)).append(len != 1 ? "bad option length" : "");
                default -> {
                    out.append("[jnat: option not decoded]");
                    return true;
                }
            }
            if (opt.vflag() > 1) printUnknownData(cp + 2, "\n\t    ", (len << 3) - 2);
            cp += len << 3;
            resid -= len << 3;
        }
        return true;
    }

    // ---------------------------------------------------------------- for DnsPrinter

    StringBuilder out() {
        return out;
    }

    int snapend() {
        return snapend;
    }

    byte[] bytes() {
        return b;
    }

    void setProtocol(String p) {
        protocol = p;
    }

    int vflag() {
        return opt.vflag();
    }

    int get8(int off) {
        return u8(off);
    }

    int get16(int off) {
        return u16(off);
    }

    long get32(int off) {
        return u32(off);
    }

    boolean has(int off, int len) {
        return ttest(off, len);
    }

    String ip4(int off) {
        return ipaddr(off);
    }

    String ip6(int off) {
        return ip6addr(off);
    }

    RuntimeException truncated() {
        return TRUNCATED;
    }

    void printTrunc() {
        ndPrintTrunc();
    }
}

package jnat.tcpdump;

import java.util.HashMap;
import java.util.Map;

/**
 * The state every dissector shares, as netdissect_options is: the packet's bytes, the end of what was
 * captured (ndo_snapend), the protocol named by a truncation marker (ndo_protocol), the -e/-v flags, and
 * the output. The reads are extract.h's bounds-checked ones: a read past {@link #snapend} throws
 * {@link #TRUNCATED}, which unwinds to the printer that owns the marker, as nd_trunc_longjmp() does.
 * One instance serves one printer (one file), so it also keeps print-tcp.c's tcp_seq_hash.
 */
final class Netdissect {
    /** Thrown (without a stack trace) when a dissector reads beyond the captured bytes. */
    static final class Truncated extends RuntimeException {
        Truncated() {
            super(null, null, false, false);
        }
    }

    static final Truncated TRUNCATED = new Truncated();

    final StringBuilder out = new StringBuilder(256);
    final boolean eflag;
    final int vflag;
    byte[] buf;
    /** Index one past the last byte a dissector may read (ndo_snapend). */
    int snapend;
    private final int[] snapStack = new int[16];
    private int snapDepth;
    /** Name used in the truncation marker (ndo_protocol). */
    String protocol;
    /** print-tcp.c's tcp_seq_hash4 and tcp_seq_hash6: the first sequence numbers of each connection. */
    final Map<PrintTcp.SeqKey, long[]> tcpSeq4 = new HashMap<>();
    final Map<PrintTcp.SeqKey, long[]> tcpSeq6 = new HashMap<>();

    Netdissect(boolean eflag, int vflag) {
        this.eflag = eflag;
        this.vflag = vflag;
    }

    /** Starts on a packet whose first {@code caplen} bytes were captured. */
    void packet(byte[] data, int caplen) {
        buf = data;
        snapend = caplen;
        snapDepth = 0;
        protocol = "";
    }

    /** nd_print_trunc(). */
    void ndPrintTrunc() {
        out.append(" [|").append(protocol).append(']');
    }

    /** nd_print_invalid(). */
    void ndPrintInvalid() {
        out.append(" (invalid)");
    }

    // ---------------------------------------------------------------- bounds-checked reads (extract.h)

    boolean ttest(int off, int len) {
        return off >= 0 && len >= 0 && (long) off + len <= snapend;
    }

    void tcheck(int off, int len) {
        if (!ttest(off, len)) throw TRUNCATED;
    }

    int u8(int off) {
        tcheck(off, 1);
        return buf[off] & 0xff;
    }

    int u16(int off) {
        tcheck(off, 2);
        return ((buf[off] & 0xff) << 8) | (buf[off + 1] & 0xff);
    }

    long u32(int off) {
        tcheck(off, 4);
        return ((long) (buf[off] & 0xff) << 24) | ((buf[off + 1] & 0xff) << 16) | ((buf[off + 2] & 0xff) << 8)
                | (buf[off + 3] & 0xff);
    }

    /** nd_push_snaplen(): the end of the captured data is cut to {@code off + len} if that is shorter. */
    void pushSnaplen(int off, long len) {
        snapStack[snapDepth++] = snapend;
        if (off + len < snapend) snapend = (int) (off + len);
    }

    /** nd_change_snaplen(). */
    void changeSnaplen(int off, long len) {
        int saved = snapDepth > 0 ? snapStack[snapDepth - 1] : snapend;
        long end = off + len;
        snapend = (int) Math.min(end, saved);
    }

    void popSnaplen() {
        snapend = snapStack[--snapDepth];
    }

    /** ipaddr_string() with -n. */
    String ipaddr(int off) {
        tcheck(off, 4);
        return (buf[off] & 0xff) + "." + (buf[off + 1] & 0xff) + "." + (buf[off + 2] & 0xff) + "."
                + (buf[off + 3] & 0xff);
    }

    /** ip6addr_string() with -n: addrtostr6(), RFC 5952 style with an embedded IPv4 form. */
    String ip6addr(int off) {
        tcheck(off, 16);
        return ip6addr(buf, off);
    }

    /** addrtostr6() of 16 bytes that need no bounds check (a local copy, as ip6addr_string() takes). */
    static String ip6addr(byte[] buf, int off) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((buf[off + 2 * i] & 0xff) << 8) | (buf[off + 2 * i + 1] & 0xff);
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
                s.append(buf[off + 12] & 0xff).append('.').append(buf[off + 13] & 0xff).append('.')
                        .append(buf[off + 14] & 0xff).append('.').append(buf[off + 15] & 0xff);
                return s.toString();
            }
            s.append(Integer.toHexString(w[i]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) s.append(':');
        return s.toString();
    }

    /** etheraddr_string(). */
    String etheraddr(int off) {
        tcheck(off, 6);
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) s.append(':');
            hex2(s, buf[off + i] & 0xff);
        }
        return s.toString();
    }

    /** linkaddr_string() for an address of any length. */
    String linkaddr(int off, int len) {
        if (len == 6) return etheraddr(off);
        tcheck(off, len);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < len; i++) {
            if (i > 0) s.append(':');
            hex2(s, buf[off + i] & 0xff);
        }
        return s.toString();
    }

    static void hex2(StringBuilder s, int v) {
        s.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
    }

    static String hex(int v, int width) {
        String h = Integer.toHexString(v);
        return h.length() >= width ? h : "0".repeat(width - h.length()) + h;
    }

    /** in_cksum() over {@code len} bytes plus an initial partial sum; returns the folded complement. */
    int inCksum(long initial, int off, int len) {
        long sum = initial;
        int i = 0;
        for (; i + 1 < len; i += 2) sum += ((buf[off + i] & 0xff) << 8) | (buf[off + i + 1] & 0xff);
        if (i < len) sum += (buf[off + i] & 0xff) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    /** in_cksum_shouldbe(). */
    static int cksumShouldBe(int sum, int computed) {
        int s = sum + computed;
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return s & 0xffff;
    }

    /** hex_and_ascii_print() with indent "\n\t": what tcpdump prints for payloads it cannot decode. */
    void hexAndAsciiPrint(int off, int length) {
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
            int s1 = buf[p++] & 0xff;
            int s2 = buf[p++] & 0xff;
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
            int s1 = buf[p] & 0xff;
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
    void printUnknownData(int cp, String indent, int len) {
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
            hex2(out, buf[cp++] & 0xff);
            hex2(out, buf[cp++] & 0xff);
        }
        if ((len & 1) != 0) {
            if ((i % 8) == 0) out.append(indent).append("0x").append(hex(oset, 4)).append(": ");
            out.append(' ');
            hex2(out, buf[cp] & 0xff);
        }
    }

    private static boolean isGraph(int c) {
        return c > 0x20 && c <= 0x7e;
    }

    /** unsigned_relts_print(): 1y1w1d1h1m1s. */
    void unsignedRelts(long secs) {
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
}

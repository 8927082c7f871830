package jnat.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The fields NAT rewrote, found by comparing the tcpdump line of a packet as it arrived with the
 * line of what left: the source and destination address and port (tcpdump's {@code addr.port}) and
 * an ICMP echo's {@code id}. Returns ranges in the second line: start, end, kind (0 source, 1
 * destination, 2 id) in threes.
 */
final class NatMarks {
    static final int SRC = 0, DST = 1, ID = 2;
    static final int[] NONE = {};

    private NatMarks() {}

    static int[] marks(String before, String after) {
        int[] b = endpoints(before), a = endpoints(after);
        if (b == null || a == null) return NONE;
        List<Integer> out = new ArrayList<>();
        field(before, b[0], b[1], after, a[0], a[1], SRC, out);
        field(before, b[2], b[3], after, a[2], a[3], DST, out);
        int bi = id(before, b[3]), ai = id(after, a[3]);
        if (bi >= 0 && ai >= 0) {
            int be = idEnd(before, bi), ae = idEnd(after, ai);
            if (!before.substring(bi, be).equals(after.substring(ai, ae))) add(out, ai, ae, ID);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Where the network layer's "SRC > DST:" is: after "length N: " of the link header (-e), or
     * after "IP "/"IP6 " of a raw line. [srcStart, srcEnd, dstStart, dstEnd] or null.
     */
    static int[] endpoints(String line) {
        int start;
        int et = line.indexOf("ethertype IPv");
        if (et >= 0) {
            int len = line.indexOf(", length ", et);
            if (len < 0) return null;
            int colon = line.indexOf(": ", len);
            if (colon < 0) return null;
            start = colon + 2;
        } else if (line.startsWith("IP ")) {
            start = 3;
        } else if (line.startsWith("IP6 ")) {
            start = 4;
        } else {
            return null;
        }
        int gt = line.indexOf(" > ", start);
        if (gt < 0) return null;
        int end = line.indexOf(": ", gt + 3);
        if (end < 0) return null;
        return new int[] {start, gt, gt + 3, end};
    }

    /** An address, and its port when tcpdump appended one (a.b.c.d.port; an IPv6 address's .port). */
    private static void field(String b, int bs, int be, String a, int as, int ae, int kind, List<Integer> out) {
        int bp = portDot(b, bs, be), ap = portDot(a, as, ae);
        String bAddr = b.substring(bs, bp < 0 ? be : bp), aAddr = a.substring(as, ap < 0 ? ae : ap);
        if (!bAddr.equals(aAddr)) add(out, as, as + aAddr.length(), kind);
        if (bp >= 0 && ap >= 0 && !b.substring(bp + 1, be).equals(a.substring(ap + 1, ae))) add(out, ap + 1, ae, kind);
    }

    /** The dot before the port, or -1: an IPv4 token has four dots with one, an IPv6 token any dot. */
    private static int portDot(String s, int from, int to) {
        int dots = 0, last = -1;
        boolean colon = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                dots++;
                last = i;
            } else if (c == ':') {
                colon = true;
            }
        }
        return (colon ? dots >= 1 && dots != 3 : dots == 4) ? last : -1;
    }

    private static int id(String s, int from) {
        int i = s.indexOf(", id ", from);
        return i < 0 ? -1 : i + 2;
    }

    private static int idEnd(String s, int i) {
        int e = i + 3;
        while (e < s.length() && Character.isDigit(s.charAt(e))) e++;
        return e;
    }

    private static void add(List<Integer> out, int start, int end, int kind) {
        out.add(start);
        out.add(end);
        out.add(kind);
    }
}

package jnat.wire;

/**
 * IPv6 addresses as two {@code long}s in network order ({@code hi} holds bytes 0-7, {@code lo}
 * bytes 8-15: 2001:db8::1 is hi 0x20010db800000000, lo 1), so a packet path compares and hashes
 * them without objects, or as 16 bytes. Text as inet_pton reads it and inet_ntop writes it (what
 * ip(8), iptables and tcpdump print).
 */
public final class Ipv6Address {
    /** Bytes in an IPv6 address. */
    public static final int LENGTH = 16;

    private Ipv6Address() {}

    /** Bytes 0-7 at {@code off}. */
    public static long readHi(byte[] b, int off) {
        return (long) Bytes.i32(b, off) << 32 | (Bytes.i32(b, off + 4) & 0xffffffffL);
    }

    /** Bytes 8-15 of the address at {@code off}. */
    public static long readLo(byte[] b, int off) {
        return readHi(b, off + 8);
    }

    public static void write(byte[] b, int off, long hi, long lo) {
        Bytes.put32(b, off, (int) (hi >>> 32));
        Bytes.put32(b, off + 4, (int) hi);
        Bytes.put32(b, off + 8, (int) (lo >>> 32));
        Bytes.put32(b, off + 12, (int) lo);
    }

    /**
     * Parses text as inet_pton(AF_INET6) does: eight groups of 1-4 hex digits, one "::" for a run
     * of zero groups, the last 32 bits optionally dotted IPv4. Throws IllegalArgumentException otherwise.
     */
    public static byte[] parse(String s) {
        byte[] out = new byte[LENGTH];
        int n = s.length();
        int i = 0;
        if (n > 0 && s.charAt(0) == ':') {
            if (n < 2 || s.charAt(1) != ':') throw bad(s);
            i = 1; // a leading "::": its first ':' is skipped
        }
        int tp = 0, colonp = -1, val = 0, digits = 0, curtok = i;
        boolean sawXdigit = false;
        for (; i < n; i++) {
            char ch = s.charAt(i);
            int d = Character.digit(ch, 16);
            if (d >= 0 && ch < 128) {
                if (++digits > 4) throw bad(s);
                val = val << 4 | d;
                sawXdigit = true;
                continue;
            }
            if (ch == ':') {
                curtok = i + 1;
                if (!sawXdigit) {
                    if (colonp >= 0) throw bad(s);
                    colonp = tp;
                    continue;
                }
                if (i + 1 == n || tp + 2 > LENGTH) throw bad(s);
                Bytes.put16(out, tp, val);
                tp += 2;
                sawXdigit = false;
                digits = 0;
                val = 0;
                continue;
            }
            if (ch == '.' && tp + 4 <= LENGTH) { // inet_pton4 on the rest
                int v4;
                try {
                    v4 = Ipv4Address.parse(s.substring(curtok));
                } catch (IllegalArgumentException e) {
                    throw bad(s);
                }
                Bytes.put32(out, tp, v4);
                tp += 4;
                sawXdigit = false;
                break;
            }
            throw bad(s);
        }
        if (sawXdigit) {
            if (tp + 2 > LENGTH) throw bad(s);
            Bytes.put16(out, tp, val);
            tp += 2;
        }
        if (colonp >= 0) {
            if (tp == LENGTH) throw bad(s); // "::" must stand for at least one group
            int tail = tp - colonp;
            System.arraycopy(out, colonp, out, LENGTH - tail, tail);
            java.util.Arrays.fill(out, colonp, LENGTH - tail, (byte) 0);
            tp = LENGTH;
        }
        if (tp != LENGTH) throw bad(s);
        return out;
    }

    private static IllegalArgumentException bad(String s) {
        return new IllegalArgumentException("not an IPv6 address: " + s);
    }

    /** inet_ntop(AF_INET6): the longest run of two or more zero groups (the first of equals) as "::", lower case. */
    public static String format(long hi, long lo) {
        byte[] b = new byte[LENGTH];
        write(b, 0, hi, lo);
        return format(b, 0);
    }

    /** As {@link #format(long, long)}, for the 16 bytes at {@code off}. */
    public static String format(byte[] b, int off) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) words[i] = Bytes.u16(b, off + 2 * i);
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (words[i] == 0) {
                if (curBase < 0) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase >= 0) {
                if (curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase >= 0 && curLen > bestLen) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestLen < 2) bestBase = -1;
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) sb.append(':');
                continue;
            }
            if (i != 0) sb.append(':');
            // an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address ends dotted
            if (i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && words[5] == 0xffff)) {
                sb.append(Ipv4Address.format(Bytes.i32(b, off + 12)));
                return sb.toString();
            }
            sb.append(Integer.toHexString(words[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) sb.append(':');
        return sb.toString();
    }

    /** Bytes 0-7 of the netmask of a prefix length 0..128. */
    public static long maskHi(int prefixLength) {
        check(prefixLength);
        return prefixLength == 0 ? 0 : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
    }

    /** Bytes 8-15 of the netmask of a prefix length 0..128. */
    public static long maskLo(int prefixLength) {
        check(prefixLength);
        return prefixLength <= 64 ? 0 : -1L << (128 - prefixLength);
    }

    private static void check(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 128) throw new IllegalArgumentException("prefix length " + prefixLength);
    }

    /** True when hi:lo lies in netHi:netLo/prefixLength. */
    public static boolean inPrefix(long hi, long lo, long netHi, long netLo, int prefixLength) {
        long mh = maskHi(prefixLength), ml = maskLo(prefixLength);
        return (hi & mh) == (netHi & mh) && (lo & ml) == (netLo & ml);
    }
}

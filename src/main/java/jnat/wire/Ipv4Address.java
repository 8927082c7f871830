package jnat.wire;

/** IPv4 addresses as {@code int} (network order in the int's bits: 10.0.0.1 is 0x0a000001). */
public final class Ipv4Address {
    /** Bytes in an IPv4 address. */
    public static final int LENGTH = 4;

    private Ipv4Address() {}

    /** Parses dotted-quad "a.b.c.d" (each 0..255, decimal, no leading '+'); throws IllegalArgumentException otherwise. */
    public static int parse(String s) {
        int result = 0;
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (true) {
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || v > 255) throw new IllegalArgumentException("not an IPv4 address: " + s);
            result = result << 8 | v;
            parts++;
            if (parts == 4) {
                if (i != n) throw new IllegalArgumentException("not an IPv4 address: " + s);
                return result;
            }
            if (i >= n || s.charAt(i) != '.') throw new IllegalArgumentException("not an IPv4 address: " + s);
            i++;
        }
    }

    /** "a.b.c.d". */
    public static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    /** The netmask of a prefix length 0..32: 24 gives 0xffffff00. */
    public static int mask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength);
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** The prefix length of a contiguous netmask, or -1 when the mask has holes. */
    public static int prefixLength(int mask) {
        int len = Integer.bitCount(mask);
        return mask == mask(len) ? len : -1;
    }

    /** True when {@code address} lies in {@code network/prefixLength}. */
    public static boolean inPrefix(int address, int network, int prefixLength) {
        int m = mask(prefixLength);
        return (address & m) == (network & m);
    }

    /** Reads 4 bytes in network order. */
    public static int read(byte[] buf, int off) {
        return Bytes.i32(buf, off);
    }

    /** Writes 4 bytes in network order. */
    public static void write(byte[] buf, int off, int address) {
        Bytes.put32(buf, off, address);
    }
}

package jnat.host;

/** Dotted-quad parsing and printing for this package (IPv4 addresses are plain {@code int}s). */
final class Inet4 {
    private Inet4() {}

    /** Parses "a.b.c.d" strictly (four decimal parts 0..255); throws IllegalArgumentException. */
    static int parse(String s) {
        int value = 0, parts = 0, i = 0, n = s.length();
        while (parts < 4) {
            int start = i, part = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                part = part * 10 + (s.charAt(i++) - '0');
            }
            if (i == start || part > 255) break;
            value = (value << 8) | part;
            parts++;
            if (parts < 4) {
                if (i >= n || s.charAt(i) != '.') break;
                i++;
            }
        }
        if (parts != 4 || i != n) throw new IllegalArgumentException("invalid IPv4 address \"" + s + "\"");
        return value;
    }

    static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /** The netmask of a prefix length 0..32 (0 for /0). */
    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /**
     * ipv4_is_zeronet: only 0.0.0.0 since Linux 5.3 ("Allow 0.0.0.0/8 as a valid address range");
     * 0.x.y.z are ordinary unicast addresses now (the kernel comparison test checks this).
     */
    static boolean isZeronet(int a) { return a == 0; }
    static boolean isLimitedBroadcast(int a) { return a == -1; }
    static boolean isMulticast(int a) { return (a >>> 28) == 0xe; }
    static boolean isLoopback(int a) { return (a >>> 24) == 127; }

    /** Parses "aa:bb:cc:dd:ee:ff" into the low 48 bits of a long. */
    static long parseMac(String s) {
        String[] p = s.split(":", -1);
        if (p.length != 6) throw new IllegalArgumentException("invalid MAC address \"" + s + "\"");
        long mac = 0;
        for (String b : p) {
            if (b.isEmpty() || b.length() > 2) throw new IllegalArgumentException("invalid MAC address \"" + s + "\"");
            int v = Character.digit(b.charAt(0), 16);
            int w = b.length() == 2 ? Character.digit(b.charAt(1), 16) : 0;
            if (v < 0 || w < 0) throw new IllegalArgumentException("invalid MAC address \"" + s + "\"");
            mac = (mac << 8) | (b.length() == 2 ? v * 16 + w : v);
        }
        return mac;
    }

    static String formatMac(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (shift > 0) sb.append(':');
        }
        return sb.toString();
    }
}

package jnat.host;

import jnat.wire.Ipv4Address;
import jnat.wire.MacAddress;

/** ip(8)'s address forms for this package, on top of jnat.wire's (IPv4 addresses are plain {@code int}s). */
final class Inet4 {
    private Inet4() {}

    /** Parses "a.b.c.d" strictly (four decimal parts 0..255); throws IllegalArgumentException. */
    static int parse(String s) {
        try {
            return Ipv4Address.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid IPv4 address \"" + s + "\"");
        }
    }

    static String format(int a) {
        return Ipv4Address.format(a);
    }

    /** The netmask of a prefix length 0..32 (0 for /0). */
    static int mask(int prefixLength) {
        return Ipv4Address.mask(prefixLength);
    }

    /**
     * ipv4_is_zeronet: only 0.0.0.0 since Linux 5.3 ("Allow 0.0.0.0/8 as a valid address range");
     * 0.x.y.z are ordinary unicast addresses now (the kernel comparison test checks this).
     */
    static boolean isZeronet(int a) { return a == 0; }
    static boolean isLimitedBroadcast(int a) { return a == -1; }
    static boolean isMulticast(int a) { return (a >>> 28) == 0xe; }
    static boolean isLoopback(int a) { return (a >>> 24) == 127; }

    /** Parses "aa:bb:cc:dd:ee:ff" into the low 48 bits of a long; like ip(8), one-digit parts ("2:42:...") too. */
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
        return MacAddress.format(mac);
    }
}

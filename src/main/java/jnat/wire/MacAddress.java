package jnat.wire;

/** Ethernet addresses as the low 48 bits of a {@code long} (02:42:ac:11:00:02 is 0x0242ac110002L). */
public final class MacAddress {
    private MacAddress() {}

    /** Bytes in a MAC address (ETH_ALEN). */
    public static final int LENGTH = 6;
    public static final long BROADCAST = 0xffffffffffffL;
    public static final long ZERO = 0L;

    /** Parses "xx:xx:xx:xx:xx:xx" (hex, either case; '-' also accepted); throws IllegalArgumentException otherwise. */
    public static long parse(String s) {
        if (s.length() != 17) throw new IllegalArgumentException("not a MAC address: " + s);
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(s.charAt(3 * i), 16);
            int lo = Character.digit(s.charAt(3 * i + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && s.charAt(3 * i + 2) != ':' && s.charAt(3 * i + 2) != '-')) {
                throw new IllegalArgumentException("not a MAC address: " + s);
            }
            v = v << 8 | hi << 4 | lo;
        }
        return v;
    }

    /** Lowercase, colon separated, two digits a byte, as tcpdump prints it: "02:42:ac:11:00:02". */
    public static String format(long mac) {
        char[] out = new char[17];
        for (int i = 0; i < 6; i++) {
            int b = (int) (mac >>> (40 - 8 * i)) & 0xff;
            out[3 * i] = Character.forDigit(b >>> 4, 16);
            out[3 * i + 1] = Character.forDigit(b & 0xf, 16);
            if (i < 5) out[3 * i + 2] = ':';
        }
        return new String(out);
    }

    /** True for group (multicast and broadcast) addresses: the I/G bit of the first byte. */
    public static boolean isMulticast(long mac) {
        return (mac >>> 40 & 1) != 0;
    }

    public static long read(byte[] buf, int off) {
        return Bytes.u48(buf, off);
    }

    public static void write(byte[] buf, int off, long mac) {
        Bytes.put48(buf, off, mac);
    }
}

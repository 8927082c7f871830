package jnat.wire;

import java.util.Arrays;

/**
 * Byte arrays written by hand from the RFC layouts (smoltcp's {@code PACKET_BYTES}), never produced by
 * our code, so a view and its repr cannot agree on a wrong offset; checksums were summed by hand (RFC 1071).
 */
final class HandBytes {
    private HandBytes() {}

    static final int A = Ipv4Address.parse("10.0.0.1");
    static final int B = Ipv4Address.parse("10.0.0.2");

    /** 2001:db8::1 and 2001:db8::2 (RFC 3849's documentation prefix), as hi/lo and as the 16 bytes on the wire. */
    static final long A6_HI = 0x20010db800000000L, A6_LO = 1, B6_HI = 0x20010db800000000L, B6_LO = 2;
    static final byte[] A6 = of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
    static final byte[] B6 = of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02);

    /** The array of these octets (int literals, so 0xde needs no cast). */
    static byte[] of(int... octets) {
        byte[] b = new byte[octets.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) octets[i];
        return b;
    }

    /** A buffer of {@code n} bytes of 0xa5, so a writer that skips a byte shows it. */
    static byte[] garbage(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0xa5);
        return b;
    }

    /** The arrays one after the other. */
    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** {@code b} from {@code from} on. */
    static byte[] from(byte[] b, int from) {
        return Arrays.copyOfRange(b, from, b.length);
    }
}

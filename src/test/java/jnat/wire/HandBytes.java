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

    /** {@code b} from {@code from} on. */
    static byte[] from(byte[] b, int from) {
        return Arrays.copyOfRange(b, from, b.length);
    }
}

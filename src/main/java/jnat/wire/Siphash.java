package jnat.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * lib/siphash.c: SipHash-2-4 with a 128-bit key (siphash_key_t, two u64), over the fixed-size
 * inputs the network stack hashes (siphash_2u64, siphash_4u32: net/ipv4/syncookies.c's
 * cookie_hash) and over bytes (__siphash_unaligned: net/ipv6/syncookies.c's 40-byte struct).
 */
public final class Siphash {
    private Siphash() {}

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * siphash(data, len, key): the {@code len} bytes at {@code off}, read as little-endian u64
     * words; the last 0..7 bytes go into the final word under the length's low byte (SIPHASH's
     * PREAMBLE and POSTAMBLE).
     */
    public static long hash(byte[] data, int off, int len, long k0, long k1) {
        long v0 = 0x736f6d6570736575L ^ k0, v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0, v3 = 0x7465646279746573L ^ k1;
        long b = (long) len << 56;
        int end = off + len - (len & 7);
        for (int w = off; ; w += 8) {
            long m;
            if (w < end) {
                m = (long) LONG_LE.get(data, w);
            } else {
                // the tail: bytes left in the low bytes of b
                for (int i = (len & 7) - 1; i >= 0; i--) b |= (data[end + i] & 0xffL) << (8 * i);
                m = b;
            }
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
            if (w >= end) break;
        }
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** siphash_2u64: the 16 bytes of {@code first} then {@code second}, little-endian, under key (k0, k1). */
    public static long hash2u64(long first, long second, long k0, long k1) {
        long v0 = 0x736f6d6570736575L ^ k0, v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0, v3 = 0x7465646279746573L ^ k1;
        long b = 16L << 56; // PREAMBLE(16): the length in the top byte
        // each message word: v3 ^= m, two SIPROUNDs, v0 ^= m; then POSTAMBLE: b the same way, 0xff, four rounds
        for (int w = 0; w < 4; w++) {
            long m = w == 0 ? first : w == 1 ? second : b;
            if (w < 3) v3 ^= m;
            else v2 ^= 0xff;
            for (int r = 0, n = w < 3 ? 2 : 4; r < n; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            if (w < 3) v0 ^= m;
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** siphash_4u32: (second << 32 | first) then (forth << 32 | third). */
    public static long hash4u32(int first, int second, int third, int forth, long k0, long k1) {
        return hash2u64((long) second << 32 | first & 0xffffffffL, (long) forth << 32 | third & 0xffffffffL, k0, k1);
    }
}

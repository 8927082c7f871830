package jnat.ipset;

/**
 * include/linux/jhash.h's jhash2 over any number of words, as ip_set_hash_gen.h's HKEY hashes an
 * element (jnat.nat has its own four-word copy for nf_nat_core; the layers keep them apart).
 */
final class Jhash {
    private Jhash() {}

    private static final int JHASH_INITVAL = 0xdeadbeef;

    /** jhash2(k, length, initval). */
    static int jhash2(int[] k, int length, int initval) {
        int a = JHASH_INITVAL + (length << 2) + initval, b = a, c = a;
        int i = 0;
        while (length > 3) {
            a += k[i];
            b += k[i + 1];
            c += k[i + 2];
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            length -= 3;
            i += 3;
        }
        switch (length) {
            case 3:
                c += k[i + 2];
                // fall through
            case 2:
                b += k[i + 1];
                // fall through
            case 1:
                a += k[i];
                c ^= b; c -= Integer.rotateLeft(b, 14);
                a ^= c; a -= Integer.rotateLeft(c, 11);
                b ^= a; b -= Integer.rotateLeft(a, 25);
                c ^= b; c -= Integer.rotateLeft(b, 16);
                a ^= c; a -= Integer.rotateLeft(c, 4);
                b ^= a; b -= Integer.rotateLeft(a, 14);
                c ^= b; c -= Integer.rotateLeft(b, 24);
                break;
            default:
                break;
        }
        return c;
    }

    /** A big-endian (network order) word as x86 loads it from memory. */
    static int le(int networkOrder) {
        return Integer.reverseBytes(networkOrder);
    }
}

package jnat.wire;

/**
 * Bob Jenkins' lookup3 hash as the kernel's include/linux/jhash.h has it, for every place jnat must
 * hash as the kernel does: nf_nat_core's find_best_ips_proto (jhash2 over four words), ipset's
 * HKEY (jhash2 over an element's words), HMARK (jhash_3words).
 */
public final class Jhash {
    private Jhash() {}

    private static final int JHASH_INITVAL = 0xdeadbeef;

    /**
     * include/linux/jhash.h's jhash2(k, 4, initval): the hash over four u32 words, the length of a
     * {@code union nf_inet_addr}. The words are as the CPU loads them from memory (x86: an address
     * word's network-order bytes read little-endian, see {@link #wordOf}).
     */
    public static int jhash2(int k0, int k1, int k2, int k3, int initval) {
        int a = JHASH_INITVAL + (4 << 2) + initval;
        int b = a;
        int c = a;
        // length 4 > 3: one __jhash_mix over k[0..2]
        a += k0;
        b += k1;
        c += k2;
        a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
        a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        // length 1 left: a += k[3], then __jhash_final
        a += k3;
        return jhashFinal(a, b, c);
    }

    /**
     * jhash2 over an IPv4 address as it sits in a {@code union nf_inet_addr}: four 32-bit words, the
     * address in the first (its network-order bytes read as a little-endian word, as on x86), zeros after.
     */
    public static int jhash2Ipv4(int address, int initval) {
        return jhash2(wordOf(address), 0, 0, 0, initval);
    }

    /** The kernel's reciprocal_scale: maps a 32-bit hash onto [0, range). */
    public static int reciprocalScale(int hash, int range) {
        return (int) (((hash & 0xffffffffL) * (range & 0xffffffffL)) >>> 32);
    }

    /** An IPv4 address (host order int) as the little-endian word the kernel XORs into hashes. */
    public static int wordOf(int address) {
        return Integer.reverseBytes(address);
    }

    /** jhash2(k, length, initval). */
    public static int jhash2(int[] k, int length, int initval) {
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
                c = jhashFinal(a, b, c);
                break;
            default:
                break;
        }
        return c;
    }

    /** include/linux/jhash.h's jhash_3words (__jhash_nwords and __jhash_final). */
    public static int jhash3words(int a, int b, int c, int initval) {
        int iv = initval + 0xdeadbeef + (3 << 2);
        a += iv;
        b += iv;
        c += iv;
        return jhashFinal(a, b, c);
    }

    /** __jhash_final(a, b, c): the final mix, its result c. */
    private static int jhashFinal(int a, int b, int c) {
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }
}

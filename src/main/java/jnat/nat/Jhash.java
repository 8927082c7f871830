package jnat.nat;

/**
 * Bob Jenkins' lookup3 hash as the kernel's include/linux/jhash.h has it; find_best_ips_proto
 * hashes with it, so choosing an address from an SNAT/DNAT range gives the kernel's answer. This
 * class owns jhash2 for the package: {@link #jhash2} over four words, IPv4 through it.
 */
final class Jhash {
    private Jhash() {}

    private static final int JHASH_INITVAL = 0xdeadbeef;

    /**
     * include/linux/jhash.h's jhash2(k, 4, initval): the hash over four u32 words, the length of a
     * {@code union nf_inet_addr}. The words are as the CPU loads them from memory (x86: an address
     * word's network-order bytes read little-endian, see {@link #wordOf}).
     */
    static int jhash2(int k0, int k1, int k2, int k3, int initval) {
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
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /**
     * jhash2 over an IPv4 address as it sits in a {@code union nf_inet_addr}: four 32-bit words, the
     * address in the first (its network-order bytes read as a little-endian word, as on x86), zeros after.
     */
    static int jhash2Ipv4(int address, int initval) {
        return jhash2(wordOf(address), 0, 0, 0, initval);
    }

    /** The kernel's reciprocal_scale: maps a 32-bit hash onto [0, range). */
    static int reciprocalScale(int hash, int range) {
        return (int) (((hash & 0xffffffffL) * (range & 0xffffffffL)) >>> 32);
    }

    /** An IPv4 address (host order int) as the little-endian word the kernel XORs into hashes. */
    static int wordOf(int address) {
        return Integer.reverseBytes(address);
    }
}

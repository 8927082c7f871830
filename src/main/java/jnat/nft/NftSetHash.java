package jnat.nft;

/**
 * A set's elements as lookups find them, built once per set when an evaluator first looks it up: each
 * element's key (and an interval's last key) in the register layout the lookup compares, and a map's data
 * as it goes into the destination register. Exact keys are found in an open-addressing hash over the key's
 * bytes (nft_set_hash.c's role: O(1) per packet, however many services a kube-proxy map holds); interval
 * sets are walked in element order (nft_set_rbtree and nft_set_pipapo's answers, not yet their speed). A
 * lookup allocates nothing. The index belongs to one evaluator of one ruleset: a transaction builds a new
 * ruleset, and the engine new evaluators for it.
 */
final class NftSetHash {
    final NftSet set;
    private final int keyLen, size;
    private final byte[][] lo, hi, data;
    private final NftSetElem[] elems;
    /** Element index + 1 per slot, 0 empty; null for an interval set. */
    private final int[] slots;
    private final int mask;

    NftSetHash(NftSet s) {
        set = s;
        keyLen = s.keyLength();
        size = s.elements.size();
        lo = new byte[size][];
        hi = new byte[size][];
        data = new byte[size][];
        elems = s.elements.toArray(new NftSetElem[0]);
        boolean interval = false;
        for (int i = 0; i < size; i++) {
            NftSetElem e = elems[i];
            lo[i] = java.util.Arrays.copyOf(Printer.register(s, e.key), keyLen);
            if (e.keyEnd != null) {
                hi[i] = java.util.Arrays.copyOf(Printer.register(s, e.keyEnd), keyLen);
                interval = true;
            }
            if (e.data != null) {
                byte[] d = e.data.clone();
                if (Printer.hostOrder(s.dataType)) Lhs.reverse(d);
                data[i] = d;
            }
        }
        if (interval) {
            slots = null;
            mask = 0;
        } else {
            int cap = Integer.highestOneBit(Math.max(4, size * 2 - 1)) << 1;
            slots = new int[cap];
            mask = cap - 1;
            for (int i = 0; i < size; i++) {
                int h = hash(lo[i], 0) & mask;
                while (slots[h] != 0) h = (h + 1) & mask;
                slots[h] = i + 1;
            }
        }
    }

    /** Whether this index still describes {@code s} (the same set, as many elements). */
    boolean describes(NftSet s) {
        return s == set && s.elements.size() == size;
    }

    /** The index of the element whose key the register bytes at {@code o} hold (or whose interval holds them), -1 if none. */
    int find(byte[] regs, int o) {
        if (slots != null) {
            for (int h = hash(regs, o) & mask; ; h = (h + 1) & mask) {
                int i = slots[h] - 1;
                if (i < 0) return -1;
                if (java.util.Arrays.equals(regs, o, o + keyLen, lo[i], 0, keyLen)) return i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (hi[i] == null ? java.util.Arrays.equals(regs, o, o + keyLen, lo[i], 0, keyLen)
                    : java.util.Arrays.compareUnsigned(regs, o, o + keyLen, lo[i], 0, keyLen) >= 0
                    && java.util.Arrays.compareUnsigned(regs, o, o + keyLen, hi[i], 0, keyLen) <= 0) return i;
        }
        return -1;
    }

    NftSetElem element(int i) {
        return elems[i];
    }

    /** A map's data for element {@code i}, in register order. */
    byte[] data(int i) {
        return data[i];
    }

    /** FNV-1a over the key's bytes. */
    private int hash(byte[] b, int o) {
        int h = 0x811c9dc5;
        for (int i = 0; i < keyLen; i++) h = (h ^ (b[o + i] & 0xff)) * 0x01000193;
        return h ^ h >>> 16;
    }
}

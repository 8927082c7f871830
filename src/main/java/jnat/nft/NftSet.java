package jnat.nft;

import java.util.ArrayList;
import java.util.List;

/**
 * struct nft_set: key of one or more fields (a concatenation: each field padded to 4 bytes in the
 * registers), optional data (a map; verdict maps hold verdicts), flags NFT_SET_* and the elements.
 */
final class NftSet {
    static final int ANONYMOUS = 0x1, CONSTANT = 0x2, INTERVAL = 0x4, MAP = 0x8, TIMEOUT = 0x10, EVAL = 0x20,
            OBJECT = 0x40, CONCAT = 0x80;

    final String name;
    long handle;
    int flags;
    List<Datatype> keyTypes = List.of();
    List<Integer> keyBits = List.of(); // each field's width in bits
    Datatype dataType; // null: a set
    int dataBits;
    long timeout; // ms, 0 none
    long gcInterval; // ms, 0 none
    long size; // 0 none
    int policy; // 0 performance (not printed), 1 memory
    String comment;
    boolean counter; // elements carry counters ("counter" in the declaration)
    String typeofText; // "typeof" declarations print their expressions back
    /** An anonymous set keyed by a host-order load of a type that is not itself host order (numgen's integer). */
    boolean keyHostOrder;
    final List<NftSetElem> elements = new ArrayList<>();

    NftSet(String name) {
        this.name = name;
    }

    boolean isMap() {
        return dataType != null;
    }

    boolean isAnonymous() {
        return (flags & ANONYMOUS) != 0;
    }

    NftSet copy() {
        NftSet s = new NftSet(name);
        s.handle = handle;
        s.flags = flags;
        s.keyTypes = keyTypes;
        s.keyBits = keyBits;
        s.dataType = dataType;
        s.dataBits = dataBits;
        s.timeout = timeout;
        s.gcInterval = gcInterval;
        s.size = size;
        s.policy = policy;
        s.comment = comment;
        s.counter = counter;
        s.typeofText = typeofText;
        s.keyHostOrder = keyHostOrder;
        for (NftSetElem e : elements) s.elements.add(e.copy());
        return s;
    }

    /** The key's length in the registers: each field rounded up to 4 bytes when concatenated. */
    int keyLength() {
        if (keyBits.size() == 1) return (keyBits.get(0) + 7) / 8;
        int n = 0;
        for (int b : keyBits) n += ((b + 7) / 8 + 3) / 4 * 4;
        return n;
    }
}

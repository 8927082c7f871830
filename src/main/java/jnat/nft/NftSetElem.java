package jnat.nft;

import java.util.List;

/**
 * One element (struct nft_set_elem): its key fields big-endian, for an interval set the last value of the
 * range too (the kernel keeps the range's start and its end + 1 flagged NFT_SET_ELEM_INTERVAL_END), the
 * data or verdict of a map, its timeout and expiry (ms), comment and counter.
 */
final class NftSetElem {
    List<byte[]> key;
    List<byte[]> keyEnd; // null: not a range
    byte[] data;
    Expr.Verdict verdict;
    long timeout;
    long expires;
    String comment;
    Expr.Counter counter;
    Scanner.Token[] where; // the key as written, for the kernel's errors about this element

    NftSetElem(List<byte[]> key) {
        this.key = key;
    }

    NftSetElem copy() {
        NftSetElem e = new NftSetElem(key);
        e.keyEnd = keyEnd;
        e.data = data;
        e.verdict = verdict;
        e.timeout = timeout;
        e.expires = expires;
        e.comment = comment;
        e.counter = counter;
        e.where = where;
        return e;
    }
}

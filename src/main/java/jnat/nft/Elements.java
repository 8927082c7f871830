package jnat.nft;

import jnat.nft.Scanner.T;
import jnat.nft.Scanner.Token;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Set elements in braces (parser_bison.y's set_expr and set_elem_expr, evaluate.c's checks): keys of the
 * set's types (a concatenation's parts separated by '.'), prefixes and ranges in interval sets, the
 * options after a key (timeout, expires, comment, counter) and a map's data after ':'.
 */
final class Elements {
    private final Tokens ts;

    Elements(Tokens ts) {
        this.ts = ts;
    }

    /** An anonymous set (or, with vmap, verdict map) with the key of lhs, elements from the cursor. */
    NftSet anonymous(Lhs lhs, boolean vmap, Linearize l) {
        String prefix = vmap ? "__map" : "__set";
        // the lowest number no set of the table or of this transaction's rules has (one pass, as the
        // kernel's bitmap over the table's sets: searching name by name is quadratic in the sets)
        java.util.BitSet used = (java.util.BitSet) l.table.anonymousNumbers(vmap).clone();
        for (NftSet t : l.anonymous) NftTable.markAnonymous(used, prefix, t.name);
        int n = used.nextClearBit(0);
        NftSet s = new NftSet(prefix + n);
        s.flags = NftSet.ANONYMOUS | NftSet.CONSTANT;
        s.keyTypes = lhs.types();
        s.keyBits = lhs.widths();
        if (lhs.isConcat()) s.flags |= NftSet.CONCAT;
        else s.keyHostOrder = lhs.host(); // the elements as the load leaves its register (expr byteorder)
        if (vmap) {
            s.flags |= NftSet.MAP;
            s.dataType = Datatype.VERDICT_T;
        }
        parse(s, s.elements);
        for (NftSetElem e : s.elements) if (e.keyEnd != null) s.flags |= NftSet.INTERVAL;
        if ((s.flags & NftSet.CONCAT) != 0 && (s.flags & NftSet.INTERVAL) == 0) s.flags &= ~NftSet.CONCAT;
        s.size = s.elements.size();
        return s;
    }

    /** '{' element (',' element)* '}' into {@code into}, duplicates dropped (a set holds a key once). */
    void parse(NftSet set, List<NftSetElem> into) {
        ts.expect("{");
        ts.skipNewlinesOnly();
        java.util.HashSet<String> keys = new java.util.HashSet<>();
        for (NftSetElem o : into) keys.add(keyOf(o));
        while (!ts.is("}")) {
            NftSetElem e = element(set);
            if (keys.add(keyOf(e))) into.add(e); // a key given twice is one element
            ts.skipNewlinesOnly();
            if (ts.is(",")) {
                ts.next();
                ts.skipNewlinesOnly();
            } else if (!ts.is("}")) {
                throw ts.unexpected();
            }
        }
        ts.next();
    }

    /**
     * An element's key (and interval end) as one string, equal exactly when {@link #sameKey} holds: a
     * hash of it finds an element among thousands in one probe (kube-proxy's maps have one per service).
     */
    static String keyOf(NftSetElem e) {
        StringBuilder sb = new StringBuilder();
        part(sb, e.key);
        if (e.keyEnd != null) part(sb.append('-'), e.keyEnd);
        return sb.toString();
    }

    private static void part(StringBuilder sb, List<byte[]> key) {
        sb.append(key.size()).append(':');
        for (byte[] k : key) {
            sb.append(k.length).append('/');
            for (byte b : k) sb.append((char) (b & 0xff));
        }
    }

    static boolean sameKey(NftSetElem a, NftSetElem b) {
        if (a.key.size() != b.key.size()) return false;
        for (int i = 0; i < a.key.size(); i++) if (!java.util.Arrays.equals(a.key.get(i), b.key.get(i))) return false;
        if ((a.keyEnd == null) != (b.keyEnd == null)) return false;
        if (a.keyEnd != null)
            for (int i = 0; i < a.keyEnd.size(); i++) if (!java.util.Arrays.equals(a.keyEnd.get(i), b.keyEnd.get(i))) return false;
        return true;
    }

    private NftSetElem element(NftSet set) {
        Token first = ts.peek();
        List<byte[]> key = new ArrayList<>();
        List<byte[]> end = null;
        for (int i = 0; i < set.keyTypes.size(); i++) {
            if (i > 0) ts.expect(".");
            Datatype type = set.keyTypes.get(i);
            int bits = set.keyBits.get(i);
            Token vt = ts.peek();
            byte[] v = Values.parse(ts, type, bits, vt);
            byte[] hi = null;
            if (ts.is("/") && !type.isBitmask()) {
                ts.next();
                Token lt = ts.word();
                int plen = (int) Tokens.number(lt);
                hi = prefixEnd(v, plen, bits);
                v = prefixStart(v, plen, bits);
            } else if (ts.is("-")) {
                ts.next();
                hi = Values.parse(ts, type, bits, ts.peek());
                if (Datatype.big(v).compareTo(Datatype.big(hi)) > 0)
                    throw NftError.at(vt, "Range has zero or negative size");
            }
            if (hi != null) {
                if (end == null) {
                    end = new ArrayList<>();
                    for (byte[] k : key) end.add(k);
                }
            }
            key.add(v);
            if (end != null) end.add(hi != null ? hi : v);
        }
        NftSetElem e = new NftSetElem(key);
        e.keyEnd = end;
        e.where = new Token[] {first, ts.prev()};
        options(e);
        if (ts.is(":")) {
            ts.next();
            if (set.dataType == Datatype.VERDICT_T) {
                e.verdict = verdict();
            } else if (set.dataType != null) {
                e.data = Values.parse(ts, set.dataType, set.dataBits, ts.peek());
            } else {
                throw ts.unexpected();
            }
        } else if (set.dataType != null) {
            throw ts.unexpected();
        }
        return e;
    }

    private void options(NftSetElem e) {
        while (true) {
            if (ts.is("timeout")) {
                ts.next();
                e.timeout = Values.time(ts.word());
            } else if (ts.is("expires")) {
                ts.next();
                e.expires = Values.time(ts.word());
            } else if (ts.is("comment")) {
                ts.next();
                e.comment = ts.quoted().text();
            } else if (ts.is("counter")) {
                ts.next();
                long p = 0, b = 0;
                if (ts.accept("packets")) {
                    p = Tokens.number(ts.word());
                    ts.expect("bytes");
                    b = Tokens.number(ts.word());
                }
                e.counter = new Expr.Counter(p, b);
            } else {
                return;
            }
        }
    }

    Expr.Verdict verdict() {
        Token t = ts.peek();
        if (t.type() != T.WORD) throw ts.unexpected();
        switch (t.text()) {
            case "accept", "drop", "continue", "return" -> {
                ts.next();
                return Statements.verdict(t.text(), null);
            }
            case "jump", "goto" -> {
                ts.next();
                return Statements.verdict(t.text(), ts.name().text());
            }
            default -> throw ts.unexpected();
        }
    }

    static byte[] prefixStart(byte[] v, int plen, int bits) {
        BigInteger x = Datatype.big(v);
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - plen).subtract(BigInteger.ONE));
        return bytes(x.and(mask), v.length);
    }

    static byte[] prefixEnd(byte[] v, int plen, int bits) {
        BigInteger x = Datatype.big(prefixStart(v, plen, bits));
        return bytes(x.or(BigInteger.ONE.shiftLeft(bits - plen).subtract(BigInteger.ONE)), v.length);
    }

    static byte[] bytes(BigInteger x, int len) {
        byte[] out = new byte[len];
        byte[] r = x.toByteArray();
        int n = Math.min(r.length, len);
        System.arraycopy(r, r.length - n, out, len - n, n);
        return out;
    }

    /** The prefix length a range lo-hi covers exactly, or -1 (range_expr_value_low/high's test for a prefix). */
    static int prefixLength(byte[] lo, byte[] hi, int bits) {
        BigInteger a = Datatype.big(lo), b = Datatype.big(hi);
        BigInteger size = b.subtract(a).add(BigInteger.ONE);
        if (size.bitCount() != 1) return -1;
        int host = size.bitLength() - 1;
        if (a.and(BigInteger.ONE.shiftLeft(host).subtract(BigInteger.ONE)).signum() != 0) return -1;
        return bits - host;
    }
}

package jnat.nft;

import java.util.List;

/**
 * The left side of a match or the key of a lookup (nft's expression before linearization): what loads it
 * into a register, its type and width, its register byte order, and for a sub-byte header field the mask
 * and shift that isolate it. A concatenation has parts, each loaded into its own 4-byte registers.
 */
record Lhs(Datatype type, int bits, int len, boolean host, Expr load, byte[] mask, int shift, List<Lhs> parts,
           Proto proto, Scanner.Token first, Scanner.Token last) {

    /** The load into {@code dreg}. */
    Expr loadInto(int dreg) {
        return switch (load) {
            case Expr.Payload p -> new Expr.Payload(p.base(), p.offset(), p.len(), dreg);
            case Expr.Meta m -> new Expr.Meta(m.key(), dreg);
            case Expr.Ct c -> new Expr.Ct(c.key(), c.dir(), dreg);
            case Expr.Numgen n -> new Expr.Numgen(dreg, n.modulus(), n.type(), n.offset());
            case Expr.Fib f -> new Expr.Fib(dreg, f.result(), f.flags());
            case Expr.Exthdr x -> new Expr.Exthdr(x.op(), x.type(), x.offset(), x.len(), dreg, 0, x.flags());
            default -> throw new IllegalStateException(load.toString());
        };
    }

    /** The same load once a byteorder has turned its register to network order. */
    Lhs inNetworkOrder() {
        return new Lhs(type, bits, len, false, load, mask, shift, parts, proto, first, last);
    }

    boolean isConcat() {
        return parts != null;
    }

    List<Datatype> types() {
        return parts == null ? List.of(type) : parts.stream().map(Lhs::type).toList();
    }

    List<Integer> widths() {
        return parts == null ? List.of(bits) : parts.stream().map(Lhs::bits).toList();
    }

    /** A big-endian value of {@link #bits} as the register holds it: shifted into place, host order reversed. */
    byte[] toRegister(byte[] be) {
        byte[] v = new byte[len];
        if (shift == 0 && be.length == len) {
            System.arraycopy(be, 0, v, 0, len);
        } else {
            java.math.BigInteger x = new java.math.BigInteger(1, be).shiftLeft(shift);
            byte[] r = x.toByteArray();
            int n = Math.min(r.length, len);
            System.arraycopy(r, r.length - n, v, len - n, n);
        }
        if (host) reverse(v);
        return v;
    }

    /** The big-endian value a register holds (the inverse of {@link #toRegister}). */
    byte[] fromRegister(byte[] reg) {
        byte[] v = reg.clone();
        if (host) reverse(v);
        if (shift == 0 && v.length * 8 == bits) return v;
        java.math.BigInteger x = new java.math.BigInteger(1, v).shiftRight(shift);
        byte[] out = new byte[(bits + 7) / 8];
        byte[] r = x.toByteArray();
        int n = Math.min(r.length, out.length);
        System.arraycopy(r, r.length - n, out, out.length - n, n);
        return out;
    }

    static void reverse(byte[] v) {
        for (int i = 0, j = v.length - 1; i < j; i++, j--) {
            byte t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
    }
}

package jnat.nft;

import jnat.nft.Scanner.Token;

/**
 * The primary expressions of nft's grammar that load something (parser_bison.y's payload_expr, meta_expr,
 * ct_expr, numgen_expr, fib_expr), each with the type and register layout proto.c, meta.c and ct.c give it.
 */
final class LhsParser {
    private LhsParser() {}

    static Lhs parse(Linearize l) {
        Tokens ts = l.ts;
        Token t = ts.peek();
        if (t.type() != Scanner.T.WORD) throw ts.unexpected();
        String w = t.text();
        Proto p = Proto.byName(w);
        if (p != null) {
            ts.next();
            Token f = ts.peek();
            Proto.Field fld = f.type() == Scanner.T.WORD ? p.field(f.text()) : null;
            if (fld == null) throw ts.unexpected();
            ts.next();
            return payload(p, fld, t, f);
        }
        if (w.equals("meta")) {
            ts.next();
            Token k = ts.peek();
            MetaKeys.Key key = MetaKeys.meta(k.text());
            if (key == null) throw ts.unexpected();
            ts.next();
            if (key.key() == 15 && l.family != 1)
                throw NftError.span(t, k, "meta nfproto is only useful in the inet family");
            return meta(key, t, k);
        }
        if (MetaKeys.UNQUALIFIED.contains(w)) {
            MetaKeys.Key key = MetaKeys.meta(w);
            if (key == null) throw ts.unexpected();
            ts.next();
            return meta(key, t, t);
        }
        if (w.equals("ct")) {
            ts.next();
            int dir = -1;
            if (ts.is("original")) {
                ts.next();
                dir = 0;
            } else if (ts.is("reply")) {
                ts.next();
                dir = 1;
            }
            Token k = ts.word();
            String name = k.text();
            Token last = k;
            if ((name.equals("ip") || name.equals("ip6")) && (ts.is("saddr") || ts.is("daddr"))) {
                last = ts.next();
                name = name + " " + last.text();
            }
            MetaKeys.Key key = MetaKeys.ct(name);
            if (key == null) throw NftError.at(k, "syntax error, unexpected " + Tokens.describe(k));
            if (name.contains(" ") && l.family != 1 && !name.startsWith(NftRuleset.familyName(l.family) + " "))
                throw NftError.span(t, last, "conflicting protocols specified: " + NftRuleset.familyName(l.family)
                        + " vs. " + name.substring(0, name.indexOf(' ')));
            Datatype type = key.type();
            return new Lhs(type, key.bits(), (key.bits() + 7) / 8, key.hostOrder() && type.kind != Datatype.Kind.STRING,
                    new Expr.Ct(key.key(), dir, 0), null, 0, null, null, t, last);
        }
        if (w.equals("numgen")) {
            ts.next();
            Token kind = ts.word();
            int type = switch (kind.text()) {
                case "inc" -> 0;
                case "random" -> 1;
                default -> throw NftError.at(kind, "syntax error, unexpected " + Tokens.describe(kind));
            };
            ts.expect("mod");
            Token m = ts.word();
            int mod = (int) Tokens.number(m);
            int offset = 0;
            Token last = m;
            if (ts.accept("offset")) {
                last = ts.word();
                offset = (int) Tokens.number(last);
            }
            return new Lhs(Datatype.INTEGER, 32, 4, true, new Expr.Numgen(0, mod, type, offset), null, 0, null, null, t, last);
        }
        if (w.equals("fib")) {
            ts.next();
            int flags = 0;
            while (true) {
                Token f = ts.word();
                flags |= switch (f.text()) {
                    case "saddr" -> 1;
                    case "daddr" -> 2;
                    case "mark" -> 4;
                    case "iif" -> 8;
                    case "oif" -> 16;
                    default -> throw NftError.at(f, "syntax error, unexpected " + Tokens.describe(f));
                };
                if (!ts.accept(".")) break;
            }
            Token r = ts.word();
            return switch (r.text()) {
                case "type" -> new Lhs(Datatype.FIB_ADDRTYPE, 32, 4, true, new Expr.Fib(0, 3, flags), null, 0, null, null, t, r);
                case "oif" -> new Lhs(Datatype.IFINDEX, 32, 4, true, new Expr.Fib(0, 1, flags), null, 0, null, null, t, r);
                case "oifname" -> new Lhs(Datatype.IFNAME, 128, 16, false, new Expr.Fib(0, 2, flags), null, 0, null, null, t, r);
                default -> throw NftError.at(r, "syntax error, unexpected " + Tokens.describe(r));
            };
        }
        // any other word is a symbol to nft's grammar: what follows it is what it did not expect
        ts.next();
        throw ts.unexpected();
    }

    static Lhs meta(MetaKeys.Key key, Token first, Token last) {
        Datatype type = key.type();
        return new Lhs(type, key.bits(), (key.bits() + 7) / 8, key.hostOrder() && type.kind != Datatype.Kind.STRING,
                new Expr.Meta(key.key(), 0), null, 0, null, null, first, last);
    }

    /** A header field: whole bytes load as they are, others load their bytes and a mask (payload_expr_alloc). */
    static Lhs payload(Proto p, Proto.Field f, Token first, Token last) {
        int byteOff = f.offset() / 8;
        int end = f.offset() + f.bits();
        int len = (end + 7) / 8 - byteOff;
        if (f.offset() % 8 == 0 && f.bits() % 8 == 0)
            return new Lhs(f.type(), f.bits(), len, false, new Expr.Payload(p.base, byteOff, len, 0), null, 0, null, p,
                    first, last);
        int shift = (byteOff + len) * 8 - end;
        java.math.BigInteger m = java.math.BigInteger.ONE.shiftLeft(f.bits()).subtract(java.math.BigInteger.ONE)
                .shiftLeft(shift);
        byte[] mask = new byte[len];
        byte[] r = m.toByteArray();
        int n = Math.min(r.length, len);
        System.arraycopy(r, r.length - n, mask, len - n, n);
        return new Lhs(f.type(), f.bits(), len, false, new Expr.Payload(p.base, byteOff, len, 0), mask, shift, null, p,
                first, last);
    }
}

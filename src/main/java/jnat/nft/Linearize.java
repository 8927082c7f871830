package jnat.nft;

import jnat.nft.Scanner.T;
import jnat.nft.Scanner.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule's statements compiled into kernel expressions, as nft's evaluate.c checks them and
 * netlink_linearize.c emits them: loads into register 1 (a concatenation's parts into the 4-byte
 * registers after it), the protocol dependencies nft adds (meta nfproto in inet tables, meta l4proto
 * before a transport header), prefixes as shortened loads or masks, ranges as two comparisons, sets as
 * lookups (an anonymous set of one plain element as the comparison itself), verdicts as immediates.
 */
final class Linearize {
    final Tokens ts;
    final NftTable table;
    final int family;
    final List<Expr> out = new ArrayList<>();
    final List<NftSet> anonymous = new ArrayList<>();
    final Elements elements;
    String comment;
    int l4proto = -1; // the transport protocol an earlier match established (the protocol context)
    int nfproto; // the network protocol the family or an earlier match established
    boolean llKnown;
    Token l4First, l4Last; // the match that gave the transport protocol
    Token nfFirst, nfLast; // the match that gave the network protocol (an inet rule's ip or ip6 payload)

    Linearize(Tokens ts, NftTable table) {
        this.ts = ts;
        this.table = table;
        this.family = table.family;
        this.nfproto = family == 2 || family == 10 ? family : 0;
        this.elements = new Elements(ts);
    }

    /** Statements up to the end of the rule. */
    void rule() {
        if (ts.atSeparator()) throw ts.unexpected();
        Token termFirst = null, termLast = null;
        while (!ts.atSeparator()) {
            Token first = ts.peek();
            boolean isComment = first.is("comment");
            int before = out.size();
            statement();
            Token last = ts.prev();
            if (isComment) continue;
            if (termFirst != null)
                throw NftError.span(first, last, "Statement after terminal statement has no effect").with(termFirst, termLast);
            for (int i = before; i < out.size(); i++) {
                Expr e = out.get(i);
                if (e instanceof Expr.Immediate im && im.verdict() != null || e instanceof Expr.Reject
                        || e instanceof Expr.Nat || e instanceof Expr.Masq || e instanceof Expr.Redir
                        || e instanceof Expr.Lookup lk && lk.dreg() == Expr.NFT_REG_VERDICT) {
                    termFirst = first;
                    termLast = last;
                }
            }
        }
    }

    /** Where a verdict's chain or an anonymous map's element was written, for the kernel's errors. */
    final java.util.IdentityHashMap<Object, Token[]> where = new java.util.IdentityHashMap<>();

    private void statement() {
        Token t = ts.peek();
        if (t.type() != T.WORD) throw ts.unexpected();
        switch (t.text()) {
            case "accept", "drop", "continue", "return" -> {
                ts.next();
                out.add(verdictImm(Statements.verdict(t.text(), null)));
            }
            case "jump", "goto" -> {
                ts.next();
                Token c = ts.name();
                Expr imm = verdictImm(Statements.verdict(t.text(), c.text()));
                where.put(imm, new Token[] {c, c});
                out.add(imm);
            }
            case "comment" -> {
                ts.next();
                comment = ts.quoted().text();
            }
            case "counter", "limit", "quota", "log", "snat", "dnat", "masquerade", "redirect", "reject", "notrack",
                 "queue" -> new Statements(this).statement();
            case "update", "add", "delete" -> {
                if (ts.peek(1).is("@")) new Statements(this).dynset();
                else throw ts.unexpected();
            }
            default -> {
                if (isSet()) new Statements(this).set();
                else match();
            }
        }
    }

    /** "meta mark set", "mark set", "ct mark set": a set statement rather than a match. */
    private boolean isSet() {
        for (int k = 1; k <= 3; k++) {
            Token x = ts.peek(k);
            if (x.is("set")) return true;
            if (x.type() != T.WORD) return false;
        }
        return false;
    }

    static Expr verdictImm(Expr.Verdict v) {
        return new Expr.Immediate(Expr.NFT_REG_VERDICT, null, v);
    }

    // --- matches -----------------------------------------------------------------------------------

    private void match() {
        Token first = ts.peek();
        Lhs lhs = concat();
        byte[] andMask = null;
        if (ts.is("and") || ts.is("&")) {
            ts.next();
            andMask = lhs.toRegister(value(lhs, ts.peek()));
        }
        if (ts.is("vmap")) {
            ts.next();
            vmap(lhs);
            return;
        }
        int op = -1; // implicit
        Token opTok = ts.peek();
        switch (opTok.text()) {
            case "==", "eq" -> op = 0;
            case "!=", "ne" -> op = 1;
            case "<", "lt" -> op = 2;
            case "<=", "le" -> op = 3;
            case ">", "gt" -> op = 4;
            case ">=", "ge" -> op = 5;
            default -> { }
        }
        if (opTok.type() == T.QUOTED) op = -1;
        else if (op >= 0) ts.next();
        if (ts.atSeparator()) throw ts.unexpected();
        if (ts.is("@")) {
            Token at = ts.next();
            Token name = ts.name();
            NftSet s = table.set(name.text());
            if (s == null || s.isAnonymous()) throw NftError.span(at, name, "No such file or directory");
            checkKey(lhs, s, at, name);
            loadKey(lhs);
            out.add(new Expr.Lookup(Expr.NFT_REG_1, s.name, -1, op == 1 ? 1 : 0));
            context(lhs, null);
            return;
        }
        if (ts.is("{")) {
            Token brace = ts.peek();
            NftSet anon = elements.anonymous(lhs, false, this);
            if (anon.elements.size() == 1 && anon.elements.get(0).data == null && !lhs.isConcat()) {
                NftSetElem e = anon.elements.get(0);
                int plen = e.keyEnd == null ? -1 : Elements.prefixLength(e.key.get(0), e.keyEnd.get(0), lhs.bits());
                if (plen >= 0) prefix(lhs, andMask, op, e.key.get(0), plen);
                else compare(lhs, andMask, op, e.key.get(0), e.keyEnd == null ? null : e.keyEnd.get(0), brace);
                return;
            }
            addAnonymous(anon);
            loadKey(lhs);
            out.add(new Expr.Lookup(Expr.NFT_REG_1, anon.name, -1, op == 1 ? 1 : 0));
            // nft's protocol context takes the set's last protocol once sorted ("{ tcp, udp } tcp dport" conflicts)
            if (op != 1 && !lhs.isConcat() && !anon.elements.isEmpty() && anon.elements.getLast().keyEnd == null)
                context(lhs, anon.elements.stream().map(e -> e.key.get(0)).max(
                        java.util.Comparator.comparing(Datatype::big)).get());
            return;
        }
        if (lhs.isConcat()) throw ts.unexpected();
        Token vt = ts.peek();
        byte[] v = value(lhs, vt);
        if (ts.is("/") && !lhs.type().isBitmask()) {
            ts.next();
            Token lenTok = ts.word();
            int plen = (int) Tokens.number(lenTok);
            prefix(lhs, andMask, op, v, plen);
            return;
        }
        if (ts.is("-")) {
            ts.next();
            byte[] hi = value(lhs, ts.peek());
            if (Datatype.big(v).compareTo(Datatype.big(hi)) > 0)
                throw NftError.span(vt, ts.prev(), "Range has zero or negative size");
            compare(lhs, andMask, op, v, hi, vt);
            return;
        }
        if (lhs.type().isBitmask()) {
            boolean list = false;
            while (ts.is(",") || ts.is("|")) {
                ts.next();
                list = true;
                v = or(v, value(lhs, ts.peek()));
            }
            if (ts.is("/")) { // "flags / mask": (flags & mask) == flags
                ts.next();
                byte[] mask = value(lhs, ts.peek());
                while (ts.is(",") || ts.is("|")) {
                    ts.next();
                    mask = or(mask, value(lhs, ts.peek()));
                }
                emitLoad(lhs);
                out.add(bitwise(lhs, lhs.toRegister(mask)));
                out.add(new Expr.Cmp(Expr.NFT_REG_1, op == 1 ? 1 : 0, lhs.toRegister(v)));
                return;
            }
            if (op == -1 && andMask == null) {
                emitLoad(lhs);
                out.add(bitwise(lhs, lhs.toRegister(v)));
                out.add(new Expr.Cmp(Expr.NFT_REG_1, 1, new byte[lhs.len()]));
                return;
            }
        }
        compare(lhs, andMask, op, v, null, vt);
    }

    static byte[] or(byte[] a, byte[] b) {
        byte[] r = a.clone();
        for (int i = 0; i < r.length && i < b.length; i++) r[i] |= b[i];
        return r;
    }

    private Expr.Bitwise bitwise(Lhs lhs, byte[] mask) {
        return new Expr.Bitwise(Expr.NFT_REG_1, Expr.NFT_REG_1, lhs.len(), 0, mask, new byte[lhs.len()], 0);
    }

    /** A value, or a range when {@code hi} is given, compared with op (-1 implicit: equal). */
    private void compare(Lhs lhs, byte[] andMask, int op, byte[] lo, byte[] hi, Token at) {
        if (hi != null) {
            if (Datatype.big(lo).compareTo(Datatype.big(hi)) > 0)
                throw NftError.at(at, "Range has zero or negative size");
            emitLoad(lhs);
            if (andMask != null) out.add(bitwise(lhs, andMask));
            Lhs ordered = toNetworkOrder(lhs);
            if (op == 1) {
                out.add(new Expr.Range(Expr.NFT_REG_1, 1, ordered.toRegister(lo), ordered.toRegister(hi)));
            } else {
                out.add(new Expr.Cmp(Expr.NFT_REG_1, 5, ordered.toRegister(lo)));
                out.add(new Expr.Cmp(Expr.NFT_REG_1, 3, ordered.toRegister(hi)));
            }
            context(lhs, null);
            return;
        }
        if (lhs.type() == Datatype.IFNAME && lo.length > 0 && endsWithStar(lo)) {
            int n = starAt(lo);
            emitLoad(lhs);
            byte[] d = new byte[n];
            System.arraycopy(lo, 0, d, 0, n);
            out.add(new Expr.Cmp(Expr.NFT_REG_1, op == 1 ? 1 : 0, d));
            return;
        }
        emitLoad(lhs);
        if (andMask != null) out.add(bitwise(lhs, andMask));
        Lhs ordered = op >= 2 ? toNetworkOrder(lhs) : lhs;
        out.add(new Expr.Cmp(Expr.NFT_REG_1, op < 0 ? 0 : op, ordered.toRegister(lo)));
        if (op <= 0 && andMask == null) context(lhs, lo);
    }

    /**
     * An ordered comparison (<, >, a range) of a value the register holds in host order: nft turns the
     * register to network order first (netlink_gen_cmp's byteorder hton), so memcmp orders it; the
     * constant is then compared as it is written.
     */
    private Lhs toNetworkOrder(Lhs lhs) {
        if (!lhs.host() || lhs.len() < 2) return lhs;
        out.add(new Expr.Byteorder(Expr.NFT_REG_1, Expr.NFT_REG_1, Expr.Byteorder.HTON, lhs.len(), lhs.len()));
        return lhs.inNetworkOrder();
    }

    private static boolean endsWithStar(byte[] s) {
        return starAt(s) >= 0;
    }

    private static int starAt(byte[] s) {
        int n = 0;
        while (n < s.length && s[n] != 0) n++;
        return n > 0 && s[n - 1] == '*' ? n - 1 : -1;
    }

    /** addr/len: a byte-aligned prefix of a header field loads only its bytes, any other is masked. */
    private void prefix(Lhs lhs, byte[] andMask, int op, byte[] v, int plen) {
        int cmpOp = op == 1 ? 1 : 0;
        if (plen > lhs.bits()) throw ts.unexpected();
        if (plen % 8 == 0 && lhs.load() instanceof Expr.Payload p && lhs.mask() == null && plen > 0) {
            dependency(lhs);
            int n = plen / 8;
            out.add(new Expr.Payload(p.base(), p.offset(), n, Expr.NFT_REG_1));
            byte[] d = new byte[n];
            System.arraycopy(v, 0, d, 0, n);
            out.add(new Expr.Cmp(Expr.NFT_REG_1, cmpOp, d));
            return;
        }
        byte[] m = new byte[lhs.len()];
        for (int b = 0; b < plen; b++) m[b / 8] |= (byte) (0x80 >> (b % 8));
        byte[] masked = v.clone();
        for (int i = 0; i < masked.length; i++) masked[i] &= m[i];
        emitLoad(lhs);
        out.add(bitwise(lhs, lhs.host() ? reversed(m) : m));
        out.add(new Expr.Cmp(Expr.NFT_REG_1, cmpOp, lhs.toRegister(masked)));
    }

    static byte[] reversed(byte[] b) {
        byte[] r = b.clone();
        Lhs.reverse(r);
        return r;
    }

    private void vmap(Lhs lhs) {
        if (ts.is("@")) {
            Token at = ts.next();
            Token name = ts.name();
            NftSet s = table.set(name.text());
            if (s == null || s.isAnonymous()) throw NftError.span(at, name, "No such file or directory");
            checkKey(lhs, s, at, name);
            loadKey(lhs);
            out.add(new Expr.Lookup(Expr.NFT_REG_1, s.name, Expr.NFT_REG_VERDICT, 0));
            return;
        }
        if (!ts.is("{")) throw ts.unexpected();
        NftSet anon = elements.anonymous(lhs, true, this);
        addAnonymous(anon);
        loadKey(lhs);
        out.add(new Expr.Lookup(Expr.NFT_REG_1, anon.name, Expr.NFT_REG_VERDICT, 0));
    }

    private void checkKey(Lhs lhs, NftSet s, Token at, Token name) {
        List<Datatype> have = s.keyTypes;
        List<Datatype> want = lhs.types();
        if (!want.equals(have)) {
            String w = want.size() == 1 ? want.get(0).desc : String.join(" . ", want.stream().map(d -> d.name).toList());
            String h = have.size() == 1 ? have.get(0).desc : String.join(" . ", have.stream().map(d -> d.name).toList());
            throw NftError.span(at, name, "datatype mismatch, expected " + w + ", expression has type " + h)
                    .with(lhs.first(), lhs.last());
        }
    }

    /** kernel's nf_tables_set_alloc_name: the lowest free __set%d / __map%d. */
    void addAnonymous(NftSet anon) {
        anon.handle = table.nextHandle();
        anonymous.add(anon);
    }

    // --- left-hand sides ---------------------------------------------------------------------------

    /** expr ( '.' expr )*: a concatenation when there is more than one. */
    Lhs concat() {
        Lhs a = primary();
        if (!ts.is(".")) return a;
        List<Lhs> parts = new ArrayList<>();
        parts.add(a);
        while (ts.accept(".")) parts.add(primary());
        int len = 0;
        for (Lhs p : parts) len += (p.len() + 3) / 4 * 4;
        return new Lhs(null, len * 8, len, false, null, null, 0, parts, null, a.first(), parts.getLast().last());
    }

    Lhs primary() {
        return LhsParser.parse(this);
    }

    /** Loads a key (each part of a concatenation in its own registers) after the dependencies of all parts. */
    void loadKey(Lhs lhs) {
        if (!lhs.isConcat()) {
            emitLoad(lhs);
            return;
        }
        for (Lhs p : lhs.parts()) dependency(p);
        int off = 0;
        for (Lhs p : lhs.parts()) {
            int reg = off == 0 ? Expr.NFT_REG_1 : Expr.NFT_REG32_00 + off / 4;
            out.add(p.loadInto(reg));
            if (p.mask() != null) out.add(new Expr.Bitwise(reg, reg, p.len(), 0, p.mask(), new byte[p.len()], 0));
            off += (p.len() + 3) / 4 * 4;
        }
    }

    void emitLoad(Lhs lhs) {
        dependency(lhs);
        out.add(lhs.loadInto(Expr.NFT_REG_1));
        if (lhs.mask() != null) out.add(bitwise(lhs, lhs.mask()));
    }

    /** payload_gen_dependency: meta nfproto in inet tables before a network header, meta l4proto before a transport one. */
    void dependency(Lhs lhs) {
        Proto p = lhs.proto();
        if (p == null) return;
        if (p.base == Proto.LL && !llKnown) {
            // meta iiftype ether: the link header is Ethernet (payload_gen_special_dependency)
            out.add(new Expr.Meta(8, Expr.NFT_REG_1));
            out.add(new Expr.Cmp(Expr.NFT_REG_1, 0, new byte[] {1, 0}));
            llKnown = true;
        }
        if (p.base == Proto.NETWORK) {
            int want = p == Proto.IP ? 2 : 10;
            if (nfproto == 0) {
                out.add(new Expr.Meta(15, Expr.NFT_REG_1));
                out.add(new Expr.Cmp(Expr.NFT_REG_1, 0, new byte[] {(byte) want}));
                nfproto = want;
                nfFirst = lhs.first();
                nfLast = lhs.last();
            } else if (nfproto != want) {
                throw NftError.span(lhs.first(), lhs.last(), "conflicting protocols specified: "
                        + (nfproto == 2 ? "ip" : "ip6") + " vs. " + p.name);
            }
        } else if (p.base == Proto.TRANSPORT && p.protocol >= 0) {
            if (l4proto < 0) {
                out.add(new Expr.Meta(16, Expr.NFT_REG_1));
                out.add(new Expr.Cmp(Expr.NFT_REG_1, 0, new byte[] {(byte) p.protocol}));
                l4proto = p.protocol;
                l4First = lhs.first();
                l4Last = lhs.last();
            } else if (l4proto != p.protocol) {
                Proto had = Proto.transport(l4proto);
                throw NftError.span(lhs.first(), lhs.last(), "conflicting protocols specified: "
                        + (had != null ? had.name : Integer.toString(l4proto)) + " vs. " + p.name);
            }
        }
    }

    /** A match of ip protocol, ip6 nexthdr, meta l4proto or meta nfproto sets the protocol context. */
    private void context(Lhs lhs, byte[] v) {
        if (v == null) return;
        if (lhs.load() instanceof Expr.Meta m && m.key() == 16 || lhs.load() instanceof Expr.Payload pp
                && pp.base() == Proto.NETWORK && lhs.type() == Datatype.INET_PROTO) {
            l4First = lhs.first();
            l4Last = ts.prev(); // the whole match: its value too
        }
        if (lhs.load() instanceof Expr.Meta m && m.key() == 16) l4proto = v[0] & 0xff;
        if (lhs.load() instanceof Expr.Meta m && m.key() == 15) nfproto = v[0] & 0xff;
        if (lhs.load() instanceof Expr.Payload p && p.base() == Proto.NETWORK && lhs.type() == Datatype.INET_PROTO)
            l4proto = v[0] & 0xff;
    }

    /** A constant of the left side's type at this token (consumed). */
    byte[] value(Lhs lhs, Token t) {
        return Values.parse(ts, lhs.type(), lhs.bits(), t);
    }
}

package jnat.nft;

import jnat.nft.Scanner.T;
import jnat.nft.Scanner.Token;

import java.util.List;

/**
 * The statements that are not matches (parser_bison.y's stmt, evaluate.c's stmt_evaluate_*): counter,
 * limit, quota, log, the NAT family, reject, notrack, meta and ct set, dynamic set updates.
 */
final class Statements {
    private final Linearize l;
    private final Tokens ts;

    Statements(Linearize l) {
        this.l = l;
        this.ts = l.ts;
    }

    static Expr.Verdict verdict(String kw, String chain) {
        return switch (kw) {
            case "accept" -> new Expr.Verdict(Expr.Verdict.ACCEPT, null);
            case "drop" -> new Expr.Verdict(Expr.Verdict.DROP, null);
            case "continue" -> new Expr.Verdict(Expr.Verdict.CONTINUE, null);
            case "return" -> new Expr.Verdict(Expr.Verdict.RETURN, null);
            case "jump" -> new Expr.Verdict(Expr.Verdict.JUMP, chain);
            case "goto" -> new Expr.Verdict(Expr.Verdict.GOTO, chain);
            default -> throw new IllegalArgumentException(kw);
        };
    }

    void statement() {
        Token t = ts.next();
        switch (t.text()) {
            case "counter" -> {
                long p = 0, b = 0;
                if (ts.accept("packets")) {
                    p = number(ts.word());
                    ts.expect("bytes");
                    b = number(ts.word());
                }
                l.out.add(new Expr.Counter(p, b));
            }
            case "notrack" -> l.out.add(new Expr.Notrack());
            case "limit" -> limit();
            case "quota" -> quota();
            case "log" -> log();
            case "snat", "dnat" -> nat(t);
            case "masquerade", "redirect" -> masqRedir(t);
            case "reject" -> reject(t);
            case "queue" -> throw NftError.at(t, "queue is not supported by jnat yet");
            default -> throw NftError.at(t, "syntax error, unexpected " + Tokens.describe(t));
        }
    }

    private static long number(Token t) {
        try {
            return Tokens.number(t);
        } catch (NumberFormatException e) {
            throw NftError.at(t, "syntax error, unexpected " + Tokens.describe(t));
        }
    }

    static final String[] UNITS = {"second", "minute", "hour", "day", "week"};
    static final long[] UNIT_SECONDS = {1, 60, 3600, 86400, 604800};

    static long unit(Token at, String u) {
        for (int i = 0; i < UNITS.length; i++) if (UNITS[i].equals(u)) return UNIT_SECONDS[i];
        throw NftError.at(at, "Wrong rate format");
    }

    static long byteUnit(Token at, String u) {
        return switch (u) {
            case "bytes" -> 1;
            case "kbytes" -> 1024;
            case "mbytes" -> 1024 * 1024;
            default -> throw NftError.at(at, "Wrong rate format");
        };
    }

    /** limit rate [over] N/unit [burst N packets] | N bytes-unit/unit [burst N bytes-unit]. */
    private void limit() {
        ts.expect("rate");
        int flags = 0;
        if (ts.accept("over")) flags = 1;
        Token n = ts.word();
        long rate = number(n);
        long unitSec;
        int type = 0;
        int burst = 5;
        if (ts.accept("/")) {
            Token u = ts.word();
            unitSec = unit(u, u.text());
        } else {
            Token u = ts.word();
            String[] parts = u.text().split("/", 2);
            if (parts.length != 2) throw NftError.at(u, "Wrong rate format");
            rate *= byteUnit(u, parts[0]);
            unitSec = unit(u, parts[1]);
            type = 1;
            burst = 0;
        }
        if (ts.accept("burst")) {
            Token b = ts.word();
            burst = (int) number(b);
            Token u = ts.word();
            if (type == 0) {
                if (!u.text().equals("packets")) throw NftError.at(u, "syntax error, unexpected " + Tokens.describe(u));
            } else {
                burst = (int) (burst * byteUnit(u, u.text()));
            }
        }
        l.out.add(new Expr.Limit(rate, unitSec, burst, type, flags));
    }

    /** quota [over|until] N unit [used N unit]. */
    private void quota() {
        int flags = 0;
        if (ts.accept("over")) flags = 1;
        else ts.accept("until");
        long bytes = quantity();
        long used = 0;
        if (ts.accept("used")) used = quantity();
        l.out.add(new Expr.Quota(bytes, used, flags));
    }

    private long quantity() {
        Token n = ts.word();
        String s = n.text();
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        if (i == 0 || i > 18) throw NftError.at(n, "syntax error, unexpected " + Tokens.describe(n));
        long v = Long.parseLong(s.substring(0, i));
        String unit = s.substring(i);
        if (unit.isEmpty()) unit = ts.word().text();
        return v * byteUnit(n, unit);
    }

    static final String[] LEVELS = {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"};

    private void log() {
        String prefix = null;
        int group = -1, snaplen = 0, qthreshold = 0, level = -1, flags = 0;
        while (true) {
            if (ts.accept("prefix")) {
                prefix = ts.quoted().text();
            } else if (ts.accept("level")) {
                Token lv = ts.word();
                level = -1;
                for (int i = 0; i < LEVELS.length; i++) if (LEVELS[i].equals(lv.text())) level = i;
                if (level < 0) throw NftError.at(lv, "invalid log level");
            } else if (ts.accept("group")) {
                group = (int) number(ts.word());
            } else if (ts.accept("snaplen")) {
                snaplen = (int) number(ts.word());
            } else if (ts.accept("queue-threshold")) {
                qthreshold = (int) number(ts.word());
            } else if (ts.accept("flags")) {
                do {
                    Token f = ts.word();
                    flags |= switch (f.text()) {
                        case "tcp" -> {
                            Token s = ts.word();
                            yield s.text().equals("options") ? 2 : 1;
                        }
                        case "ip" -> { ts.word(); yield 4; }
                        case "skuid" -> 8;
                        case "ether" -> 16;
                        case "all" -> 31;
                        default -> throw NftError.at(f, "syntax error, unexpected " + Tokens.describe(f));
                    };
                } while (ts.accept(","));
            } else {
                break;
            }
        }
        l.out.add(new Expr.Log(prefix, group, snaplen, qthreshold, level, flags));
    }

    /** NF_NAT_RANGE_PROTO_RANDOM 4, PERSISTENT 8, PROTO_RANDOM_FULLY 16. */
    private int natFlags() {
        int flags = 0;
        while (true) {
            if (ts.accept("random")) flags |= 4;
            else if (ts.accept("persistent")) flags |= 8;
            else if (ts.accept("fully-random")) flags |= 16;
            else return flags;
            ts.accept(",");
        }
    }

    /** snat|dnat [ip|ip6] to addr[-addr][:port[-port]] [flags] (nat_stmt, stmt_evaluate_nat). */
    private void nat(Token kw) {
        int family = l.family;
        if (ts.is("ip") || ts.is("ip6")) {
            int named = ts.next().text().equals("ip") ? 2 : 10;
            if (l.family != 1 && named != l.family)
                throw NftError.at(kw, "conflicting protocols specified: " + NftRuleset.familyName(l.family) + " vs. "
                        + NftRuleset.familyName(named) + ". You must specify ip or ip6 family in nat statement");
            if (l.family == 1 && l.nfproto != 0 && named != l.nfproto) { // nat_evaluate_family against the rule's context
                NftError e = NftError.at(kw, "conflicting protocols specified: " + NftRuleset.familyName(l.nfproto) + " vs. "
                        + NftRuleset.familyName(named) + ". You must specify ip or ip6 family in nat statement");
                throw l.nfFirst != null ? e.with(l.nfFirst, l.nfLast) : e;
            }
            family = named;
        }
        if (family == 1) family = l.nfproto;
        ts.expect("to");
        Token start = ts.peek();
        Datatype at = family == 10 ? Datatype.IPV6_ADDR : Datatype.IPV4_ADDR;
        int alen = at.bytes();
        byte[] amin = null, amax = null, pmin = null, pmax = null;
        boolean bracket = ts.accept("[");
        if (!ts.is(":")) {
            if (family == 0) throw NftError.at(kw, "specify `" + kw.text() + " ip' or '" + kw.text()
                    + " ip6' in inet table to disambiguate");
            amin = Values.parse(ts, at, alen * 8, ts.peek());
            if (ts.accept("-")) amax = Values.parse(ts, at, alen * 8, ts.peek());
            else if (ts.is("/") ) {
                ts.next();
                int plen = (int) Tokens.number(ts.word());
                amax = Elements.prefixEnd(amin, plen, alen * 8);
                amin = Elements.prefixStart(amin, plen, alen * 8);
            }
        }
        if (bracket) ts.expect("]");
        Token portTok = null;
        if (ts.accept(":")) {
            portTok = ts.peek();
            pmin = Values.parse(ts, Datatype.INET_SERVICE, 16, portTok);
            if (ts.accept("-")) pmax = Values.parse(ts, Datatype.INET_SERVICE, 16, ts.peek());
            if (l.l4proto < 0)
                throw NftError.span(portTok, ts.prev(), "transport protocol mapping is only valid after transport protocol match")
                        .with(kw, kw);
        }
        int flags = natFlags();
        int reg = 1;
        int rAmin = 0, rAmax = 0, rPmin = 0, rPmax = 0;
        if (amin != null) {
            rAmin = reg++;
            l.out.add(new Expr.Immediate(rAmin, amin, null));
            if (amax != null) {
                rAmax = reg++;
                l.out.add(new Expr.Immediate(rAmax, amax, null));
            }
        }
        if (pmin != null) {
            rPmin = reg++;
            l.out.add(new Expr.Immediate(rPmin, pmin, null));
            if (pmax != null) {
                rPmax = reg++;
                l.out.add(new Expr.Immediate(rPmax, pmax, null));
            }
            flags |= 2;
        }
        l.out.add(new Expr.Nat(kw.text().equals("snat") ? 0 : 1, family, rAmin, rAmax, rPmin, rPmax, flags));
    }

    /** masquerade [to :port[-port]] [flags]; redirect [to [:]port[-port]] [flags]. */
    private void masqRedir(Token kw) {
        byte[] pmin = null, pmax = null;
        if (ts.accept("to")) {
            ts.accept(":");
            Token portTok = ts.peek();
            pmin = Values.parse(ts, Datatype.INET_SERVICE, 16, portTok);
            if (ts.accept("-")) pmax = Values.parse(ts, Datatype.INET_SERVICE, 16, ts.peek());
            if (l.l4proto < 0)
                throw NftError.span(portTok, ts.prev(), "transport protocol mapping is only valid after transport protocol match")
                        .with(kw, kw);
        }
        int flags = natFlags();
        int rPmin = 0, rPmax = 0;
        if (pmin != null) {
            rPmin = 1;
            l.out.add(new Expr.Immediate(1, pmin, null));
            if (pmax != null) {
                rPmax = 2;
                l.out.add(new Expr.Immediate(2, pmax, null));
            }
            flags |= 2;
        }
        l.out.add(kw.text().equals("masquerade") ? new Expr.Masq(flags, rPmin, rPmax) : new Expr.Redir(flags, rPmin, rPmax));
    }

    /** reject [with icmp|icmpv6|icmpx [type] CODE | tcp reset] (stmt_evaluate_reject). */
    private void reject(Token kw) {
        int type, code;
        if (l.family == 1) {
            // in inet, a known network protocol picks its own ICMP (stmt_evaluate_reject_default)
            type = l.nfproto == 0 ? 2 : 0;
            code = l.nfproto == 0 ? 1 : l.nfproto == 2 ? 3 : 4;
        } else if (l.family == 10) {
            type = 0;
            code = 4;
        } else {
            type = 0;
            code = 3;
        }
        if (ts.accept("with")) {
            Token w = ts.word();
            switch (w.text()) {
                case "tcp" -> {
                    Token reset = ts.expect("reset");
                    if (l.l4proto >= 0 && l.l4proto != 6) {
                        NftError e = NftError.at(kw, "you cannot use tcp reset with this protocol");
                        throw l.l4First != null ? e.with(l.l4First, l.l4Last) : e;
                    }
                    if (l.l4proto < 0) {
                        // the dependency goes first in the rule (stmt_reject_gen_dependency, rule_stmt_insert_at)
                        l.out.add(0, new Expr.Meta(16, Expr.NFT_REG_1));
                        l.out.add(1, new Expr.Cmp(Expr.NFT_REG_1, 0, new byte[] {6}));
                        l.l4proto = 6;
                    }
                    type = 1;
                    code = 0;
                }
                case "icmp", "icmpv6", "icmpx" -> {
                    ts.accept("type");
                    Datatype ct = w.text().equals("icmp") ? Datatype.ICMP_CODE
                            : w.text().equals("icmpv6") ? Datatype.ICMPV6_CODE : Datatype.ICMPX_CODE;
                    code = Values.parse(ts, ct, 8, ts.peek())[0] & 0xff;
                    type = w.text().equals("icmpx") ? 2 : 0;
                    if (l.family == 1 && type == 0) {
                        int want = w.text().equals("icmp") ? 2 : 10;
                        if (l.nfproto == 0) {
                            l.out.add(new Expr.Meta(15, Expr.NFT_REG_1));
                            l.out.add(new Expr.Cmp(Expr.NFT_REG_1, 0, new byte[] {(byte) want}));
                            l.nfproto = want;
                        }
                    }
                }
                default -> throw NftError.at(w, "syntax error, unexpected " + Tokens.describe(w));
            }
        }
        l.out.add(new Expr.Reject(type, code));
    }

    /** meta KEY set EXPR, KEY set EXPR, ct KEY set EXPR: a constant, or a load with and/or/xor. */
    void set() {
        Token first = ts.peek();
        boolean ct = first.is("ct");
        Lhs target = l.primary();
        ts.expect("set");
        Token vt = ts.peek();
        if (vt.type() == T.WORD && (vt.is("meta") || vt.is("ct") || MetaKeys.UNQUALIFIED.contains(vt.text()))
                && !(target.type().kind == Datatype.Kind.SYMBOLIC && target.type().symbol(vt.text()) != null)) {
            Lhs src = l.primary();
            l.emitLoad(src);
            String op = ts.peek().text();
            if (List.of("or", "|", "and", "&", "xor", "^").contains(op)) {
                ts.next();
                byte[] v = target.toRegister(Values.parse(ts, target.type(), target.bits(), ts.peek()));
                byte[] mask = new byte[v.length], xor = new byte[v.length];
                for (int i = 0; i < v.length; i++) {
                    switch (op) {
                        case "or", "|" -> {
                            mask[i] = (byte) ~v[i];
                            xor[i] = v[i];
                        }
                        case "and", "&" -> mask[i] = v[i];
                        default -> {
                            mask[i] = (byte) 0xff;
                            xor[i] = v[i];
                        }
                    }
                }
                l.out.add(new Expr.Bitwise(1, 1, v.length, 0, mask, xor, 0));
            }
        } else {
            byte[] v = target.toRegister(Values.parse(ts, target.type(), target.bits(), vt));
            l.out.add(new Expr.Immediate(1, v, null));
        }
        if (ct) {
            Expr.Ct c = (Expr.Ct) target.load();
            l.out.add(new Expr.CtSet(c.key(), c.dir(), 1));
        } else if (target.load() instanceof Expr.Meta m) {
            l.out.add(new Expr.MetaSet(m.key(), 1));
        } else {
            throw NftError.span(first, target.last(), "setting this expression is not supported by jnat yet");
        }
    }

    /** add|update|delete @set { key [timeout T] } (nft_dynset). */
    void dynset() {
        Token op = ts.next();
        ts.expect("@");
        Token name = ts.name();
        NftSet s = l.table.set(name.text());
        if (s == null) throw NftError.at(name, "No such file or directory; did you mean set ‘" + name.text()
                + "’ in table " + NftRuleset.familyName(l.family) + " ‘" + l.table.name + "’?");
        ts.expect("{");
        Lhs key = l.concat();
        long timeout = 0;
        if (ts.accept("timeout")) timeout = Values.time(ts.word());
        ts.expect("}");
        l.loadKey(key);
        int o = switch (op.text()) {
            case "add" -> 0;
            case "update" -> 1;
            default -> 2;
        };
        l.out.add(new Expr.Dynset(o, 1, 0, s.name, timeout, List.of()));
    }
}

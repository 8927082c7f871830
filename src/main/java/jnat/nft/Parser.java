package jnat.nft;

import jnat.nft.Scanner.T;
import jnat.nft.Scanner.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * nft's command grammar (src/parser_bison.y): top-level commands and table, chain and set blocks. Each
 * command is applied to the transaction's ruleset as soon as it is read (rules are compiled against what
 * the batch holds by then, as the kernel checks them in order); a table block is applied in the order
 * nft's cmd_expand sends it: its chains, its sets with their elements, then every chain's rules. A
 * syntax error skips to the end of its line and parsing goes on, up to ten errors (parser_max_errors).
 */
final class Parser {
    static final int MAX_ERRORS = 10;

    final Tokens ts;
    final Commands k;
    final List<NftError> errors = new ArrayList<>();

    Parser(List<Token> tokens, Commands k) {
        this.ts = new Tokens(tokens, 0);
        this.k = k;
    }

    void file() {
        while (errors.size() < MAX_ERRORS) {
            ts.skipNewlines();
            if (ts.peek().type() == T.EOF) return;
            try {
                if (ts.peek().is("#table_handle")) {
                    ts.next();
                    k.rs.tableHandle = Tokens.number(ts.word());
                    continue;
                }
                command();
                endOfCommand();
            } catch (NftError e) {
                if (!errors.contains(e)) errors.add(e);
                recover();
            }
        }
    }

    private void endOfCommand() {
        Token t = ts.peek();
        if (t.type() == T.NEWLINE || t.is(";") || t.type() == T.EOF) return;
        throw ts.unexpected("end of file or newline or semicolon");
    }

    /** bison's error recovery: on to the next newline or ';' outside braces. */
    private void recover() {
        int depth = 0;
        while (ts.peek().type() != T.EOF) {
            Token t = ts.peek();
            if (depth == 0 && (t.type() == T.NEWLINE || t.is(";"))) return;
            if (t.is("{")) depth++;
            if (t.is("}") && depth > 0) depth--;
            ts.next();
        }
    }

    private void command() {
        Token t = ts.peek();
        switch (t.text()) {
            case "table" -> {
                ts.next();
                k.modified = true;
                tableCommand("add", t);
            }
            case "add", "create", "insert", "replace", "delete", "destroy", "flush", "list", "reset" -> {
                ts.next();
                verb(t);
            }
            default -> throw ts.unexpected();
        }
    }

    private void verb(Token v) {
        Token obj = ts.peek();
        String o = obj.text();
        String verb = v.text();
        if (verb.equals("list")) {
            ts.next();
            k.list(o, obj, this);
            return;
        }
        k.modified = true;
        if (verb.equals("flush") && o.equals("ruleset")) {
            ts.next();
            int fam = -1;
            if (ts.peek().type() == T.WORD && NftRuleset.family(ts.peek().text()) >= 0)
                fam = NftRuleset.family(ts.next().text());
            k.flushRuleset(fam);
            return;
        }
        switch (o) {
            case "table" -> {
                ts.next();
                tableCommand(verb, v);
            }
            case "chain" -> {
                ts.next();
                Id id = tableId();
                if (ts.is("handle") && verb.equals("delete")) {
                    ts.next();
                    Token h = ts.word();
                    k.deleteChainByHandle(id, h);
                    return;
                }
                Token name = ts.name();
                switch (verb) {
                    case "add", "create" -> {
                        ChainDecl d = new ChainDecl(name);
                        if (ts.is("{")) chainBlock(d, true);
                        k.addChain(id, d, verb.equals("create"));
                    }
                    case "delete", "destroy" -> k.deleteChain(id, name);
                    case "flush" -> k.flushChain(id, name);
                    default -> throw NftError.at(v, "syntax error, unexpected " + verb);
                }
            }
            case "rule" -> {
                ts.next();
                Id id = tableId();
                Token chain = ts.name();
                Token pos = null;
                String how = null;
                if (ts.is("handle") || ts.is("position") || ts.is("index")) {
                    how = ts.next().text();
                    pos = ts.word();
                }
                switch (verb) {
                    case "add", "insert", "create" -> k.addRule(id, chain, verb.equals("insert"), how, pos, ts);
                    case "replace" -> {
                        if (pos == null) throw ts.unexpected();
                        k.replaceRule(id, chain, pos, ts);
                    }
                    case "delete", "destroy" -> {
                        if (pos == null || !how.equals("handle")) throw ts.unexpected();
                        k.deleteRule(id, chain, pos);
                    }
                    default -> throw NftError.at(v, "syntax error, unexpected " + verb);
                }
            }
            case "set", "map" -> {
                ts.next();
                Id id = tableId();
                if (ts.is("handle") && verb.equals("delete")) {
                    ts.next();
                    k.deleteSetByHandle(id, ts.word());
                    return;
                }
                Token name = ts.name();
                switch (verb) {
                    case "add", "create" -> {
                        SetDecl d = new SetDecl(name, o.equals("map"));
                        setBlock(d);
                        k.addSet(id, d, verb.equals("create"));
                    }
                    case "delete", "destroy" -> k.deleteSet(id, name, o);
                    case "flush" -> k.flushSet(id, name, o);
                    default -> throw NftError.at(v, "syntax error, unexpected " + verb);
                }
            }
            case "element" -> {
                ts.next();
                Id id = tableId();
                Token name = ts.name();
                if (!ts.is("{")) throw ts.unexpected();
                switch (verb) {
                    case "add", "create" -> k.addElements(id, name, ts, verb.equals("create"));
                    case "delete", "destroy" -> k.deleteElements(id, name, ts);
                    default -> throw NftError.at(v, "syntax error, unexpected " + verb);
                }
            }
            default -> throw ts.unexpected();
        }
    }

    record Id(int family, Token family_, Token table) {}

    /** [family] table: the family defaults to ip. */
    Id tableId() {
        Token f = ts.peek();
        int fam = 2;
        Token famTok = null;
        if (f.type() == T.WORD && NftRuleset.family(f.text()) >= 0 && ts.peek(1).type() != T.NEWLINE
                && ts.peek(1).type() != T.EOF && !ts.peek(1).is("{") && !ts.peek(1).is(";")) {
            fam = NftRuleset.family(f.text());
            famTok = ts.next();
        }
        Token name = ts.name();
        return new Id(fam, famTok, name);
    }

    private void tableCommand(String verb, Token v) {
        if (verb.equals("delete") || verb.equals("destroy") || verb.equals("flush")) {
            if (verb.equals("delete") && (ts.is("handle") || ts.peek(1).is("handle"))) {
                int fam = 2;
                if (!ts.is("handle")) fam = NftRuleset.family(ts.next().text());
                ts.expect("handle");
                k.deleteTableByHandle(fam, ts.word());
                return;
            }
            Id id = tableId();
            if (verb.equals("flush")) k.flushTable(id);
            else k.deleteTable(id);
            return;
        }
        if (!verb.equals("add") && !verb.equals("create")) throw NftError.at(v, "syntax error, unexpected " + verb);
        Id id = tableId();
        TableDecl d = new TableDecl();
        if (ts.is("{")) tableBlock(d);
        k.addTable(id, d, verb.equals("create"));
    }

    // --- blocks ----------------------------------------------------------------------------------

    static final class TableDecl {
        String comment;
        int flags;
        long handle = -1;
        long hgenerator = -1;
        final List<ChainDecl> chains = new ArrayList<>();
        final List<SetDecl> sets = new ArrayList<>();
    }

    static final class ChainDecl {
        final Token name;
        long handle = -1;
        Token type, hook, prioStart, prioEnd, policy;
        String typeName, hookName;
        Integer priority;
        String prioName; // a named priority and its offset, checked against the hook
        int prioOffset;
        String comment;
        List<String> devices;
        final List<Integer> rules = new ArrayList<>();

        ChainDecl(Token name) {
            this.name = name;
        }
    }

    static final class SetDecl {
        final Token name;
        final boolean map;
        long handle = -1;
        final NftSet set;
        int elementsAt = -1;
        Token typeTok;

        SetDecl(Token name, boolean map) {
            this.name = name;
            this.map = map;
            this.set = new NftSet(name.text());
        }
    }

    private void tableBlock(TableDecl d) {
        ts.expect("{");
        if (ts.is("#handle")) {
            ts.next();
            d.handle = Tokens.number(ts.word());
        }
        while (true) {
            ts.skipNewlines();
            Token t = ts.peek();
            if (t.is("}")) {
                ts.next();
                return;
            }
            if (t.type() == T.EOF) throw ts.unexpected();
            try {
                switch (t.text()) {
                    case "chain" -> {
                        ts.next();
                        ChainDecl c = new ChainDecl(ts.name());
                        chainBlock(c, false);
                        d.chains.add(c);
                    }
                    case "set", "map" -> {
                        ts.next();
                        SetDecl s = new SetDecl(ts.name(), t.text().equals("map"));
                        setBlock(s);
                        d.sets.add(s);
                    }
                    case "comment" -> {
                        ts.next();
                        d.comment = ts.quoted().text();
                    }
                    case "flags" -> {
                        ts.next();
                        Token f = ts.word();
                        if (!f.text().equals("dormant")) throw NftError.at(f, "unknown table flags");
                        d.flags = 1;
                    }
                    case "#hgenerator" -> {
                        ts.next();
                        d.hgenerator = Tokens.number(ts.word());
                    }
                    default -> throw ts.unexpected();
                }
                Token e = ts.peek();
                if (!(e.type() == T.NEWLINE || e.is(";"))) throw ts.unexpected("newline or semicolon");
            } catch (NftError e) {
                if (ts.peek().type() == T.EOF || errors.size() + 1 >= MAX_ERRORS) throw e;
                errors.add(e);
                recover();
            }
        }
    }

    /** A chain block: its base chain line, policy, comment, devices, and where each rule starts. */
    void chainBlock(ChainDecl c, boolean inline) {
        ts.expect("{");
        if (ts.is("#handle")) {
            ts.next();
            c.handle = Tokens.number(ts.word());
        }
        while (true) {
            ts.skipNewlines();
            Token t = ts.peek();
            if (t.is("}")) {
                ts.next();
                return;
            }
            if (t.type() == T.EOF) throw ts.unexpected();
            try {
                switch (t.text()) {
                    case "type" -> {
                        ts.next();
                        c.type = ts.word();
                        c.typeName = c.type.text();
                        ts.expect("hook");
                        c.hook = ts.word();
                        c.hookName = c.hook.text();
                        if (ts.accept("device")) c.devices = List.of(ts.name().text());
                        c.prioStart = ts.expect("priority");
                        priority(c);
                    }
                    case "policy" -> {
                        ts.next();
                        c.policy = ts.word();
                    }
                    case "comment" -> {
                        ts.next();
                        c.comment = ts.quoted().text();
                    }
                    case "devices" -> {
                        ts.next();
                        ts.expect("=");
                        ts.expect("{");
                        List<String> devs = new ArrayList<>();
                        while (!ts.is("}")) {
                            devs.add(ts.name().text());
                            ts.accept(",");
                        }
                        ts.next();
                        c.devices = devs;
                    }
                    default -> {
                        if (inline) throw ts.unexpected();
                        c.rules.add(ts.i);
                        skipRule();
                        if (ts.is("}")) throw ts.unexpected("newline or semicolon");
                    }
                }
                Token e = ts.peek();
                if (e.is("#handle")) {
                    ts.next();
                    ts.word();
                    e = ts.peek();
                }
                if (!(e.type() == T.NEWLINE || e.is(";") || e.is("}"))) throw ts.unexpected("newline or semicolon");
            } catch (NftError e) {
                if (ts.peek().type() == T.EOF || errors.size() + 1 >= MAX_ERRORS) throw e;
                errors.add(e);
                recover();
            }
        }
    }

    /** priority NUMBER | NAME [(+|-) NUMBER]. */
    private void priority(ChainDecl c) {
        Token t = ts.peek();
        boolean neg = false;
        if (t.is("-")) {
            ts.next();
            neg = true;
            t = ts.peek();
        }
        Token w = ts.word();
        c.prioEnd = w;
        if (w.text().matches("[0-9]+")) {
            c.priority = (neg ? -1 : 1) * (int) Tokens.number(w);
            return;
        }
        if (neg) throw NftError.at(w, "syntax error, unexpected " + Tokens.describe(w));
        c.prioName = w.text();
        if (ts.is("+") || ts.is("-")) {
            boolean minus = ts.next().is("-");
            Token n = ts.word();
            c.prioEnd = n;
            c.prioOffset = (minus ? -1 : 1) * (int) Tokens.number(n);
        }
    }

    /** Skips a rule: to the separator outside braces. */
    private void skipRule() {
        int depth = 0;
        while (true) {
            Token t = ts.peek();
            if (t.type() == T.EOF) return;
            if (depth == 0 && (t.type() == T.NEWLINE || t.is(";") || t.is("}") || t.is("#handle"))) return;
            if (t.is("{")) depth++;
            if (t.is("}")) depth--;
            ts.next();
        }
    }

    /** A set or map block: type or typeof, flags, timeout, gc-interval, size, policy, comment, counter, elements. */
    void setBlock(SetDecl d) {
        NftSet s = d.set;
        if (d.map) s.flags |= NftSet.MAP;
        ts.expect("{");
        if (ts.is("#handle")) {
            ts.next();
            d.handle = Tokens.number(ts.word());
        }
        while (true) {
            ts.skipNewlines();
            Token t = ts.peek();
            if (t.is("}")) {
                ts.next();
                return;
            }
            if (t.type() == T.EOF) throw ts.unexpected();
            switch (t.text()) {
                case "type" -> {
                    ts.next();
                    d.typeTok = ts.peek();
                    List<Datatype> key = new ArrayList<>();
                    key.add(typeName());
                    while (ts.accept(".")) key.add(typeName());
                    if (key.contains(null)) key.clear();
                    s.keyTypes = key;
                    s.keyBits = key.stream().map(x -> x.bits).toList();
                    if (key.size() > 1) s.flags |= NftSet.CONCAT;
                    if (ts.accept(":")) {
                        if (!d.map) throw ts.unexpected();
                        Datatype dt = typeName();
                        if (dt != null) {
                            s.dataType = dt;
                            s.dataBits = dt.bits;
                        }
                    } else if (d.map) {
                        throw ts.unexpected("colon");
                    }
                }
                case "typeof" -> {
                    ts.next();
                    int from = ts.i;
                    Linearize probe = new Linearize(ts, new NftTable(2, "typeof"));
                    Lhs key = probe.concat();
                    s.keyTypes = key.types();
                    s.keyBits = key.widths();
                    if (key.isConcat()) s.flags |= NftSet.CONCAT;
                    StringBuilder text = new StringBuilder(join(from, ts.i));
                    if (ts.accept(":")) {
                        if (!d.map) throw ts.unexpected();
                        if (ts.is("verdict")) {
                            ts.next();
                            s.dataType = Datatype.VERDICT_T;
                            text.append(" : verdict");
                        } else {
                            int f2 = ts.i;
                            Lhs data = probe.concat();
                            s.dataType = data.type();
                            s.dataBits = data.bits();
                            text.append(" : ").append(join(f2, ts.i));
                        }
                    }
                    s.typeofText = text.toString();
                }
                case "flags" -> {
                    ts.next();
                    do {
                        Token f = ts.word();
                        s.flags |= switch (f.text()) {
                            case "constant" -> NftSet.CONSTANT;
                            case "interval" -> NftSet.INTERVAL;
                            case "timeout" -> NftSet.TIMEOUT;
                            case "dynamic" -> NftSet.EVAL;
                            default -> throw NftError.at(f, "syntax error, unexpected " + Tokens.describe(f));
                        };
                    } while (ts.accept(","));
                }
                case "timeout" -> {
                    ts.next();
                    s.timeout = Values.time(ts.word());
                    s.flags |= NftSet.TIMEOUT;
                }
                case "gc-interval" -> {
                    ts.next();
                    s.gcInterval = Values.time(ts.word());
                }
                case "size" -> {
                    ts.next();
                    s.size = Tokens.number(ts.word());
                }
                case "policy" -> {
                    ts.next();
                    Token p = ts.word();
                    s.policy = switch (p.text()) {
                        case "performance" -> 0;
                        case "memory" -> 1;
                        default -> throw NftError.at(p, "syntax error, unexpected " + Tokens.describe(p));
                    };
                }
                case "comment" -> {
                    ts.next();
                    s.comment = ts.quoted().text();
                }
                case "counter" -> {
                    ts.next();
                    s.counter = true;
                }
                case "auto-merge" -> ts.next();
                case "elements" -> {
                    ts.next();
                    ts.expect("=");
                    d.elementsAt = ts.i;
                    int depth = 0;
                    do {
                        if (ts.peek().type() == T.EOF) throw ts.unexpected();
                        Token x = ts.next();
                        if (x.is("{")) depth++;
                        if (x.is("}")) depth--;
                        if (x.type() == T.EOF) throw ts.unexpected();
                    } while (depth > 0);
                }
                default -> throw ts.unexpected();
            }
            Token e = ts.peek();
            if (!(e.type() == T.NEWLINE || e.is(";") || e.is("}"))) throw ts.unexpected("newline or semicolon");
        }
    }

    private String join(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) sb.append(' ');
            sb.append(ts.list.get(i).text());
        }
        return sb.toString();
    }

    private Datatype typeName() {
        Token t = ts.word();
        Datatype d = Datatype.byName(t.text());
        if (d == null) errors.add(NftError.at(t, "unknown datatype " + t.text()));
        return d;
    }
}

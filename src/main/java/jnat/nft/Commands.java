package jnat.nft;

import jnat.nft.Parser.ChainDecl;
import jnat.nft.Parser.Id;
import jnat.nft.Parser.SetDecl;
import jnat.nft.Parser.TableDecl;
import jnat.nft.Scanner.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * The transaction's side of each command: nft's evaluation of objects (evaluate.c: chain types, hooks,
 * priorities) and the kernel's checks and bookkeeping (net/netfilter/nf_tables_api.c: EEXIST, ENOENT,
 * EBUSY, handles from the table's generator), applied to the transaction's copy of the ruleset.
 */
final class Commands {
    final NftRuleset rs;
    final StringBuilder output = new StringBuilder();
    final Printer.Options opts;
    boolean restore;
    boolean modified; // a command that changes the ruleset was read (list alone leaves the rules file alone)

    Commands(NftRuleset rs, Printer.Options opts) {
        this.rs = rs;
        this.opts = opts;
    }

    static NftError.Location loc(Token t) {
        return new NftError.Location(t.line(), t.col(), t.end());
    }

    static NftError enoent(Token t) {
        return NftError.kernel(loc(t), "Could not process rule: No such file or directory");
    }

    static NftError eexist(Token t) {
        return NftError.kernel(loc(t), "Could not process rule: File exists");
    }

    NftTable table(Id id) {
        NftTable t = rs.table(id.family(), id.table().text());
        if (t == null) throw enoent(id.table());
        return t;
    }

    // --- tables ------------------------------------------------------------------------------------

    void addTable(Id id, TableDecl d, boolean create) {
        NftTable found = rs.table(id.family(), id.table().text());
        if (found != null && create) throw eexist(id.table());
        if (found == null) {
            found = new NftTable(id.family(), id.table().text());
            found.handle = d.handle >= 0 ? d.handle : ++rs.tableHandle;
            rs.tables.add(found);
        }
        NftTable t = found;
        if (d.comment != null) t.comment = d.comment;
        t.flags |= d.flags;
        if (d.hgenerator >= 0) t.hgenerator = d.hgenerator;
        // cmd_expand's order: chains, sets (with their elements), then the chains' rules
        for (ChainDecl c : d.chains) collect(() -> addChain(t, c, false));
        for (SetDecl s : d.sets) collect(() -> addSet(t, s, false));
        for (ChainDecl c : d.chains) {
            NftChain chain = t.chain(c.name.text());
            if (chain == null) continue;
            for (int at : c.rules) collect(() -> addRule(t, chain, c.name, false, null, null, new Tokens(tokens, at)));
        }
    }

    List<Token> tokens;
    private Token ruleFirst, ruleLast; // the rule being added, for the kernel's errors about all of it
    List<NftError> errors = new ArrayList<>();

    /** One object of a block: its error is reported and the block goes on, as nft evaluates every command. */
    private void collect(Runnable r) {
        try {
            r.run();
        } catch (NftError e) {
            errors.add(e);
        }
    }

    void deleteTable(Id id) {
        rs.tables.remove(table(id));
    }

    void deleteTableByHandle(int fam, Token h) {
        for (NftTable t : rs.tables)
            if (t.family == fam && Long.toString(t.handle).equals(h.text())) {
                rs.tables.remove(t);
                return;
            }
        throw enoent(h);
    }

    void flushTable(Id id) {
        NftTable t = table(id);
        for (NftChain c : t.chains) flushRules(t, c);
    }

    void flushRuleset(int family) {
        rs.tables.removeIf(t -> family < 0 || t.family == family);
    }

    // --- chains ------------------------------------------------------------------------------------

    void addChain(Id id, ChainDecl d, boolean create) {
        NftTable t = table(id);
        if (create && t.chain(d.name.text()) != null) throw eexist(d.name);
        addChain(t, d, create);
    }

    private void addChain(NftTable t, ChainDecl d, boolean create) {
        NftChain existing = t.chain(d.name.text());
        if (existing != null) {
            if (d.type != null && !existing.isBase()) throw eexist(d.name);
            if (d.comment != null) existing.comment = d.comment;
            if (d.policy != null) existing.policy = policy(d.policy);
            return;
        }
        // a base chain line cut short by a syntax error (already reported): nothing to add
        if (d.type != null && (d.hookName == null || d.priority == null && d.prioName == null)) return;
        NftChain c = new NftChain(d.name.text());
        if (d.name.text().length() > 255) throw NftError.at(d.name, "Could not process rule: Numerical result out of range");
        if (d.type != null) {
            Hooks.check(t.family, d);
            c.type = d.typeName;
            c.hook = d.hookName;
            c.priority = Hooks.priority(t.family, d);
            c.devices = d.devices == null ? List.of() : d.devices;
            c.policy = d.policy == null ? 1 : policy(d.policy);
        } else if (d.policy != null) {
            throw NftError.at(d.policy, "invalid policy for non-base chain"); // nft's chain_evaluate
        }
        c.comment = d.comment;
        c.handle = d.handle >= 0 ? d.handle : t.nextHandle();
        t.chains.add(c);
        t.chainAdded(c);
    }

    private static int policy(Token p) {
        return switch (p.text()) {
            case "accept" -> 1;
            case "drop" -> 0;
            default -> throw NftError.at(p, "syntax error, unexpected " + Tokens.describe(p) + ", expecting accept or drop or '$'");
        };
    }

    NftChain chain(NftTable t, Token name) {
        NftChain c = t.chain(name.text());
        if (c == null) throw enoent(name);
        return c;
    }

    void deleteChain(Id id, Token name) {
        NftTable t = table(id);
        NftChain c = chain(t, name);
        deleteChain(t, c, name);
    }

    void deleteChainByHandle(Id id, Token h) {
        NftTable t = table(id);
        for (NftChain c : t.chains)
            if (Long.toString(c.handle).equals(h.text())) {
                deleteChain(t, c, h);
                return;
            }
        throw enoent(h);
    }

    private void deleteChain(NftTable t, NftChain c, Token at) {
        if (referenced(t, c.name)) throw NftError.kernel(loc(at), "Could not process rule: Device or resource busy");
        flushRules(t, c);
        t.chains.remove(c);
        t.chainsChanged();
    }

    /** Whether any rule or verdict map of the table jumps to the chain (nft_chain's use count). */
    static boolean referenced(NftTable t, String chain) {
        for (NftChain c : t.chains) for (NftRule r : c.rules) if (r.refersTo(chain, t.sets)) return true;
        for (NftSet s : t.sets)
            for (NftSetElem e : s.elements) if (e.verdict != null && chain.equals(e.verdict.chain())) return true;
        return false;
    }

    void flushChain(Id id, Token name) {
        NftTable t = table(id);
        flushRules(t, chain(t, name));
    }

    private void flushRules(NftTable t, NftChain c) {
        for (NftRule r : c.rules) dropAnonymous(t, r);
        c.rules.clear();
    }

    private static void dropAnonymous(NftTable t, NftRule r) {
        for (Expr e : r.exprs)
            if (e instanceof Expr.Lookup l) {
                NftSet s = t.set(l.set());
                if (s != null && s.isAnonymous()) t.sets.remove(s);
            }
    }

    // --- rules -------------------------------------------------------------------------------------

    void addRule(Id id, Token chainTok, boolean insert, String how, Token pos, Tokens ts) {
        NftTable t = table(id);
        NftChain c = chain(t, chainTok);
        addRule(t, c, chainTok, insert, how, pos, ts);
    }

    private void addRule(NftTable t, NftChain c, Token chainTok, boolean insert, String how, Token pos, Tokens ts) {
        int index = insert ? 0 : c.rules.size();
        if (how != null) {
            long h = Tokens.number(pos);
            if (how.equals("index")) {
                if (h > c.rules.size() || (!insert && h >= c.rules.size())) throw enoent(pos);
                index = insert ? (int) h : (int) h + 1;
            } else {
                NftRule at = c.rule(h);
                if (at == null) throw enoent(pos);
                index = c.rules.indexOf(at) + (insert ? 0 : 1);
            }
        }
        NftRule r = compile(t, ts);
        Hooks.validate(c, r, ruleFirst, ruleLast);
        c.rules.add(index, r);
    }

    private NftRule compile(NftTable t, Tokens ts) {
        return compile(t, ts, -1);
    }

    /** A rule compiled and checked; {@code keep}: the handle of the rule it replaces (NLM_F_REPLACE keeps it). */
    private NftRule compile(NftTable t, Tokens ts, long keep) {
        long saved = t.hgenerator;
        Linearize l = new Linearize(ts, t);
        ruleFirst = ts.peek();
        l.rule();
        ruleLast = ts.prev();
        long handle = -1;
        if (ts.is("#handle")) {
            ts.next();
            handle = Tokens.number(ts.next());
        }
        // the kernel's checks of what the rule jumps to (nft_verdict_init, nft_data_init)
        for (Expr e : l.out)
            if (e instanceof Expr.Immediate im && im.verdict() != null && im.verdict().chain() != null)
                checkTarget(t, im.verdict().chain(), l.where.get(im));
        for (NftSet s : l.anonymous)
            for (NftSetElem e : s.elements)
                if (e.verdict != null && e.verdict.chain() != null) checkTarget(t, e.verdict.chain(), e.where);
        if (restore && handle >= 0) {
            // jnat's rules file names every handle; anonymous sets' are not kept (nothing shows them)
            for (NftSet s : l.anonymous) s.handle = 0;
            t.hgenerator = saved;
        }
        for (NftSet s : l.anonymous) for (NftSetElem e : s.elements) e.where = null;
        t.sets.addAll(l.anonymous);
        NftRule r = new NftRule(l.out, l.comment);
        r.handle = restore && handle >= 0 ? handle : keep >= 0 ? keep : t.nextHandle();
        return r;
    }

    private static void checkTarget(NftTable t, String chain, Token[] where) {
        NftChain target = t.chain(chain);
        NftError.Location at = where == null ? null
                : new NftError.Location(where[0].line(), where[0].col(), where[1].line() == where[0].line() ? where[1].end() : where[0].end());
        if (target == null) throw NftError.kernel(at, "Could not process rule: No such file or directory");
        if (target.isBase()) throw NftError.kernel(at, "Could not process rule: Operation not supported");
    }

    void replaceRule(Id id, Token chainTok, Token pos, Tokens ts) {
        NftTable t = table(id);
        NftChain c = chain(t, chainTok);
        NftRule old = c.rule(Tokens.number(pos));
        if (old == null) throw enoent(pos);
        NftRule r = compile(t, ts, old.handle);
        Hooks.validate(c, r, ruleFirst, ruleLast);
        dropAnonymous(t, old);
        c.rules.set(c.rules.indexOf(old), r);
    }

    void deleteRule(Id id, Token chainTok, Token pos) {
        NftTable t = table(id);
        NftChain c = chain(t, chainTok);
        NftRule r = c.rule(Tokens.number(pos));
        if (r == null) throw enoent(pos);
        dropAnonymous(t, r);
        c.rules.remove(r);
    }

    // --- sets --------------------------------------------------------------------------------------

    void addSet(Id id, SetDecl d, boolean create) {
        NftTable t = table(id);
        if (create && t.set(d.name.text()) != null) throw eexist(d.name);
        addSet(t, d, create);
    }

    private void addSet(NftTable t, SetDecl d, boolean create) {
        NftSet s = d.set;
        if (s.keyTypes.isEmpty())
            throw NftError.at(d.name, (d.map ? "map" : "set") + " definition does not specify key");
        NftSet existing = t.set(s.name);
        if (existing == null) {
            if ((s.flags & NftSet.EVAL) != 0 && s.size == 0) s.size = 65535; // nft's default for dynamic sets
            s.handle = d.handle >= 0 ? d.handle : t.nextHandle();
            t.sets.add(s);
            existing = s;
        }
        if (d.elementsAt >= 0) addElements(t, existing, new Tokens(tokens, d.elementsAt), false);
    }

    NftSet set(NftTable t, Token name, String kind) {
        NftSet s = t.set(name.text());
        if (s == null || s.isAnonymous())
            throw NftError.at(name, "No such file or directory");
        return s;
    }

    void deleteSet(Id id, Token name, String kind) {
        NftTable t = table(id);
        NftSet s = set(t, name, kind);
        for (NftChain c : t.chains)
            for (NftRule r : c.rules)
                for (Expr e : r.exprs)
                    if (e instanceof Expr.Lookup l && l.set().equals(s.name) || e instanceof Expr.Dynset ds && ds.set().equals(s.name))
                        throw NftError.kernel(loc(name), "Could not process rule: Device or resource busy");
        t.sets.remove(s);
    }

    void deleteSetByHandle(Id id, Token h) {
        NftTable t = table(id);
        for (NftSet s : t.sets)
            if (!s.isAnonymous() && Long.toString(s.handle).equals(h.text())) {
                t.sets.remove(s);
                return;
            }
        throw enoent(h);
    }

    void flushSet(Id id, Token name, String kind) {
        set(table(id), name, kind).elements.clear();
    }

    void addElements(Id id, Token name, Tokens ts, boolean create) {
        NftTable t = table(id);
        addElements(t, set(t, name, "set"), ts, create);
    }

    private void addElements(NftTable t, NftSet s, Tokens ts, boolean create) {
        List<NftSetElem> parsed = new ArrayList<>();
        new Elements(ts).parse(s, parsed);
        java.util.HashSet<String> present = new java.util.HashSet<>();
        for (NftSetElem o : s.elements) present.add(Elements.keyOf(o));
        for (NftSetElem e : parsed) {
            if ((e.keyEnd != null) && (s.flags & NftSet.INTERVAL) == 0)
                throw NftError.span(e.where[0], e.where[1],
                        "You must add 'flags interval' to your set declaration if you want to add prefix elements");
            if (e.verdict != null && e.verdict.chain() != null) checkTarget(t, e.verdict.chain(), e.where);
            if (!present.add(Elements.keyOf(e))) {
                if (create) throw NftError.kernel(loc(e.where[0]), "Could not process rule: File exists");
                continue;
            }
            if (s.counter && e.counter == null) e.counter = new Expr.Counter(0, 0);
            e.where = null;
            s.elements.add(e);
        }
    }

    void deleteElements(Id id, Token name, Tokens ts) {
        NftTable t = table(id);
        NftSet s = set(t, name, "set");
        List<NftSetElem> parsed = new ArrayList<>();
        new Elements(ts).parse(s, parsed);
        for (NftSetElem e : parsed) {
            NftSetElem old = null;
            for (NftSetElem o : s.elements) if (Elements.sameKey(o, e)) old = o;
            if (old == null) throw NftError.kernel(loc(e.where[0]), "Could not process rule: No such file or directory");
            s.elements.remove(old);
        }
    }

    // --- listing -----------------------------------------------------------------------------------

    void list(String what, Token at, Parser p) {
        Tokens ts = p.ts;
        Printer pr = new Printer(opts);
        switch (what) {
            case "ruleset" -> {
                int fam = -1;
                if (ts.peek().type() == Scanner.T.WORD && NftRuleset.family(ts.peek().text()) >= 0)
                    fam = NftRuleset.family(ts.next().text());
                for (NftTable t : rs.tables) if (fam < 0 || t.family == fam) output.append(pr.table(t));
            }
            case "tables" -> {
                int fam = -1;
                if (ts.peek().type() == Scanner.T.WORD && NftRuleset.family(ts.peek().text()) >= 0)
                    fam = NftRuleset.family(ts.next().text());
                for (NftTable t : rs.tables)
                    if (fam < 0 || t.family == fam) output.append("table ").append(NftRuleset.familyName(t.family))
                            .append(' ').append(t.name).append('\n');
            }
            case "table" -> {
                Id id = p.tableId();
                NftTable t = rs.table(id.family(), id.table().text());
                if (t == null) throw NftError.at(id.table(), "No such file or directory");
                output.append(pr.table(t));
            }
            case "chain" -> {
                Id id = p.tableId();
                NftTable t = rs.table(id.family(), id.table().text());
                if (t == null) throw NftError.at(id.table(), "No such file or directory");
                Token name = ts.name();
                NftChain c = t.chain(name.text());
                if (c == null) throw NftError.at(name, "No such file or directory");
                output.append(pr.tableHeader(t)).append(pr.chain(t, c)).append("}\n");
            }
            case "set", "map" -> {
                Id id = p.tableId();
                NftTable t = rs.table(id.family(), id.table().text());
                if (t == null) throw NftError.at(id.table(), "No such file or directory");
                Token name = ts.name();
                NftSet s = t.set(name.text());
                if (s == null || s.isAnonymous() || s.isMap() != what.equals("map"))
                    throw NftError.at(name, "No such file or directory");
                output.append(pr.tableHeader(t)).append(pr.set(s)).append("}\n");
            }
            case "sets", "maps", "chains" -> {
                int fam = -1;
                if (ts.peek().type() == Scanner.T.WORD && NftRuleset.family(ts.peek().text()) >= 0)
                    fam = NftRuleset.family(ts.next().text());
                for (NftTable t : rs.tables) {
                    if (fam >= 0 && t.family != fam) continue;
                    output.append(pr.tableHeader(t));
                    if (what.equals("chains")) {
                        for (NftChain c : t.chains) output.append(pr.chainDeclaration(t, c));
                    } else {
                        for (NftSet s : t.sets)
                            if (!s.isAnonymous() && s.isMap() == what.equals("maps")) output.append(pr.set(s));
                    }
                    output.append("}\n");
                }
            }
            default -> throw NftError.at(at, "syntax error, unexpected " + Tokens.describe(at));
        }
    }
}

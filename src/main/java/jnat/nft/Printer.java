package jnat.nft;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code nft list} output (src/rule.c table_print, chain_print, set_print; src/expression.c set_expr_print):
 * tables with their comment and flags, then their sets, then their chains, one blank line between
 * objects; "# handle N" with -a; counters' values unless -s.
 */
final class Printer {
    /** -a, -s, -n. */
    record Options(boolean handles, boolean stateless, boolean numeric) {}

    final Options o;

    Printer(Options o) {
        this.o = o;
    }

    String tableHeader(NftTable t) {
        return "table " + NftRuleset.familyName(t.family) + " " + t.name + " {" + (o.handles ? " # handle " + t.handle : "")
                + "\n";
    }

    String table(NftTable t) {
        StringBuilder sb = new StringBuilder(tableHeader(t));
        if (t.comment != null) sb.append("\tcomment \"").append(t.comment).append("\"\n");
        if ((t.flags & 1) != 0) sb.append("\tflags dormant\n");
        String delim = "";
        for (NftSet s : t.sets) {
            if (s.isAnonymous()) continue;
            sb.append(delim).append(set(s));
            delim = "\n";
        }
        for (NftChain c : t.chains) {
            sb.append(delim).append(chain(t, c));
            delim = "\n";
        }
        return sb.append("}\n").toString();
    }

    /** list chains: a chain without its rules. */
    String chainDeclaration(NftTable t, NftChain c) {
        String full = chain(t, c);
        int rules = 0;
        for (NftRule r : c.rules) rules++;
        String[] lines = full.split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length - 1 - rules; i++) sb.append(lines[i]).append('\n');
        return sb.append("\t}\n").toString();
    }

    String chain(NftTable t, NftChain c) {
        StringBuilder sb = new StringBuilder();
        sb.append("\tchain ").append(c.name).append(" {").append(o.handles ? " # handle " + c.handle : "").append('\n');
        if (c.comment != null) sb.append("\t\tcomment \"").append(c.comment).append("\"\n");
        if (c.isBase()) {
            sb.append("\t\ttype ").append(c.type).append(" hook ").append(c.hook);
            if (c.devices.size() == 1) sb.append(" device \"").append(c.devices.get(0)).append('"');
            sb.append(" priority ").append(Hooks.print(t.family, c.hook, c.priority, o.numeric))
                    .append("; policy ").append(c.policy == 1 ? "accept" : "drop").append(";\n");
        }
        for (NftRule r : c.rules) {
            sb.append("\t\t").append(new Delinearize(t, o).rule(r));
            if (r.comment != null) sb.append(" comment \"").append(r.comment).append('"');
            if (o.handles) sb.append(" # handle ").append(r.handle);
            sb.append('\n');
        }
        return sb.append("\t}\n").toString();
    }

    String set(NftSet s) {
        StringBuilder sb = new StringBuilder();
        sb.append('\t').append(s.isMap() ? "map " : "set ").append(s.name).append(" {")
                .append(o.handles ? " # handle " + s.handle : "").append('\n');
        if (s.typeofText != null) {
            sb.append("\t\ttypeof ").append(s.typeofText).append('\n');
        } else {
            sb.append("\t\ttype ").append(String.join(" . ", s.keyTypes.stream().map(d -> d.name).toList()));
            if (s.isMap()) sb.append(" : ").append(s.dataType.name);
            sb.append('\n');
        }
        if (s.policy == 1) sb.append("\t\tpolicy memory\n");
        if (s.size != 0) sb.append("\t\tsize ").append(s.size).append('\n');
        List<String> flags = new ArrayList<>();
        if ((s.flags & NftSet.CONSTANT) != 0) flags.add("constant");
        if ((s.flags & NftSet.EVAL) != 0) flags.add("dynamic");
        if ((s.flags & NftSet.INTERVAL) != 0) flags.add("interval");
        if ((s.flags & NftSet.TIMEOUT) != 0) flags.add("timeout");
        if (!flags.isEmpty()) sb.append("\t\tflags ").append(String.join(",", flags)).append('\n');
        if (s.counter) sb.append("\t\tcounter\n");
        if (s.timeout != 0) sb.append("\t\ttimeout ").append(Values.timeString(s.timeout)).append('\n');
        if (s.gcInterval != 0) sb.append("\t\tgc-interval ").append(Values.timeString(s.gcInterval)).append('\n');
        if (s.comment != null) sb.append("\t\tcomment \"").append(s.comment).append("\"\n");
        if (!s.elements.isEmpty()) sb.append("\t\telements = ").append(elements(s)).append('\n');
        return sb.append("\t}\n").toString();
    }

    /** set_expr_print: sorted as nft sorts what the kernel returns, with calculate_delim's line breaks. */
    String elements(NftSet s) {
        List<NftSetElem> sorted = new ArrayList<>(s.elements);
        sorted.sort(Comparator.comparing(e -> sortKey(s, e)));
        StringBuilder sb = new StringBuilder("{ ");
        int count = 0;
        String d = "";
        for (NftSetElem e : sorted) {
            sb.append(d).append(element(s, e));
            count++;
            if (s.isAnonymous()) {
                d = ", ";
                continue;
            }
            int perLine = perLine(s);
            if (perLine > 0 && count < perLine) {
                d = ", ";
            } else {
                count = 0;
                d = ",\n\t\t\t     ";
            }
        }
        return sb.append(" }").toString();
    }

    /** calculate_delim: how many elements of the key's type share a line (0: one per line). */
    private static int perLine(NftSet s) {
        if (s.keyTypes.size() > 1) return 0;
        Datatype t = s.keyTypes.get(0);
        if (t == Datatype.NFPROTO || t == Datatype.INTEGER || t == Datatype.INET_PROTO || t == Datatype.INET_SERVICE
                || t == Datatype.TCP_FLAG || t == Datatype.MARK || t == Datatype.IFINDEX || t == Datatype.CT_DIR) return 16;
        if (t == Datatype.IPV4_ADDR || t == Datatype.CT_STATE || t == Datatype.CT_STATUS
                || t == Datatype.PKTTYPE) return 2;
        return 0;
    }

    /** The key as nft's mpz holds it: a value in its own order, a string or a concatenation's register bytes read little-endian. */
    static BigInteger sortKey(NftSet s, NftSetElem e) {
        if (s.keyTypes.size() == 1 && s.keyTypes.get(0).kind != Datatype.Kind.STRING)
            return Datatype.big(e.key.get(0));
        byte[] blob = register(s, e.key);
        byte[] le = blob.clone();
        Lhs.reverse(le);
        return new BigInteger(1, le);
    }

    static byte[] register(NftSet s, List<byte[]> key) {
        int n = s.keyLength();
        byte[] blob = new byte[n];
        int off = 0;
        for (int i = 0; i < key.size(); i++) {
            byte[] v = key.get(i);
            Datatype t = s.keyTypes.get(i);
            byte[] r = v.clone();
            if (hostOrder(t) || s.keyHostOrder && key.size() == 1) Lhs.reverse(r);
            System.arraycopy(r, 0, blob, off, Math.min(r.length, n - off));
            off += key.size() == 1 ? r.length : (r.length + 3) / 4 * 4;
        }
        return blob;
    }

    /** Types kept in host order in registers (meta and ct keys' types). */
    static boolean hostOrder(Datatype t) {
        return t == Datatype.MARK || t == Datatype.CT_STATE || t == Datatype.CT_STATUS || t == Datatype.FIB_ADDRTYPE
                || t == Datatype.IFINDEX || t == Datatype.CT_DIR || t == Datatype.NFPROTO || t == Datatype.PKTTYPE
                || t == Datatype.REALM || t == Datatype.DEVGROUP;
    }

    String element(NftSet s, NftSetElem e) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < e.key.size(); i++) {
            if (i > 0) sb.append(" . ");
            Datatype t = s.keyTypes.get(i);
            int bits = s.keyBits.get(i);
            byte[] lo = e.key.get(i);
            if (e.keyEnd != null && !java.util.Arrays.equals(lo, e.keyEnd.get(i))) {
                int plen = Elements.prefixLength(lo, e.keyEnd.get(i), bits);
                if (plen >= 0 && (t.kind == Datatype.Kind.IPV4 || t.kind == Datatype.Kind.IPV6))
                    sb.append(t.print(lo, o.numeric)).append('/').append(plen);
                else sb.append(t.print(lo, o.numeric)).append('-').append(t.print(e.keyEnd.get(i), o.numeric));
            } else {
                sb.append(t.print(lo, o.numeric));
            }
        }
        if (e.counter != null && !o.stateless)
            sb.append(" counter packets ").append(e.counter.packets()).append(" bytes ").append(e.counter.bytes());
        if (e.timeout != 0) sb.append(" timeout ").append(Values.timeString(e.timeout));
        if (e.expires != 0 && !o.stateless) sb.append(" expires ").append(Values.timeString(e.expires));
        if (e.comment != null) sb.append(" comment \"").append(e.comment).append('"');
        if (e.verdict != null) sb.append(" : ").append(verdict(e.verdict));
        else if (e.data != null) sb.append(" : ").append(s.dataType.print(e.data, o.numeric));
        return sb.toString();
    }

    static String verdict(Expr.Verdict v) {
        return switch (v.code()) {
            case Expr.Verdict.ACCEPT -> "accept";
            case Expr.Verdict.DROP -> "drop";
            case Expr.Verdict.CONTINUE -> "continue";
            case Expr.Verdict.RETURN -> "return";
            case Expr.Verdict.JUMP -> "jump " + v.chain();
            case Expr.Verdict.GOTO -> "goto " + v.chain();
            case Expr.Verdict.QUEUE -> "queue";
            default -> "verdict " + v.code();
        };
    }
}

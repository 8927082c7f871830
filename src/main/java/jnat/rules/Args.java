package jnat.rules;

import java.util.List;

/** The arguments of one iptables command line, consumed left to right. */
final class Args {
    private final List<String> tokens;
    private int pos;

    Args(List<String> tokens) {
        this.tokens = tokens;
    }

    boolean hasNext() {
        return pos < tokens.size();
    }

    String next() {
        return tokens.get(pos++);
    }

    String peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    /** The value of an option that requires one. */
    String value(String opt) {
        if (pos >= tokens.size()) throw new RuleError("option \"" + opt + "\" requires an argument");
        return tokens.get(pos++);
    }

    /** An optional argument (chain name, rule number): the next token unless it is an option. */
    String optional() {
        String p = peek();
        if (p != null && !p.startsWith("-") && !p.startsWith("!")) {
            pos++;
            return p;
        }
        return null;
    }

    void push(String token) {
        tokens.add(pos, token);
    }
}

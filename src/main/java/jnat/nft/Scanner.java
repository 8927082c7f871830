package jnat.nft;

import java.util.ArrayList;
import java.util.List;

/**
 * nft's scanner (src/scanner.l): words (keywords, names, numbers, addresses), quoted strings, punctuation
 * and newlines, each with its location (line, first and last column, tabs counting one) for the
 * error messages.
 */
final class Scanner {
    /** Compiled once: a rules file with thousands of addresses asks them per token. */
    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}"),
            MAC = java.util.regex.Pattern.compile("[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}");

    enum T { WORD, QUOTED, PUNCT, NEWLINE, EOF }

    record Token(T type, String text, int line, int col, int end) {
        boolean is(String s) {
            return (type == T.WORD || type == T.PUNCT) && text.equals(s);
        }

        String describe() {
            return switch (type) {
                case EOF -> "end of file";
                case NEWLINE -> "newline";
                case QUOTED -> "quoted string";
                case PUNCT -> "'" + text + "'";
                case WORD -> text;
            };
        }
    }

    final String file;
    final String[] lines;
    /** Reading jnat's own rules file: "# handle N" and "# hgenerator N" comments are tokens. */
    boolean restore;
    private final String src;
    private int pos;
    private int line = 1;
    private int lineStart;

    Scanner(String file, String src) {
        this.file = file;
        this.src = src;
        this.lines = src.split("\n", -1);
    }

    List<Token> scan() {
        List<Token> out = new ArrayList<>();
        while (true) {
            Token t = next();
            out.add(t);
            if (t.type == T.EOF) return out;
        }
    }

    private Token tok(T type, String text, int start) {
        return new Token(type, text, line, start - lineStart + 1, pos - lineStart);
    }

    private Token next() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '\\' && pos + 1 < src.length() && src.charAt(pos + 1) == '\n') {
                pos += 2;
                line++;
                lineStart = pos;
            } else if (c == '#') {
                int start = pos;
                while (pos < src.length() && src.charAt(pos) != '\n') pos++;
                if (restore) {
                    String[] w = src.substring(start + 1, pos).trim().split(" ");
                    if (w.length == 2 && w[1].matches("[0-9]+")) {
                        pos = start + 1;
                        Token t = new Token(T.WORD, "#" + w[0], line, start - lineStart + 1, start - lineStart + 1);
                        while (pos < src.length() && src.charAt(pos) == ' ') pos++;
                        pos += w[0].length();
                        return t;
                    }
                }
            } else {
                break;
            }
        }
        if (pos >= src.length()) {
            // nft places the end of file at the first column of the line after the last one
            return new Token(T.EOF, "", line, pos - lineStart + 1, pos - lineStart + 1);
        }
        int start = pos;
        char c = src.charAt(pos);
        if (c == '\n') {
            pos++;
            Token t = new Token(T.NEWLINE, "\n", line, start - lineStart + 1, start - lineStart + 1);
            line++;
            lineStart = pos;
            return t;
        }
        if (c == '"') {
            pos++;
            while (pos < src.length() && src.charAt(pos) != '"' && src.charAt(pos) != '\n') pos++;
            String s = src.substring(start + 1, Math.min(pos, src.length()));
            if (pos < src.length() && src.charAt(pos) == '"') pos++;
            return tok(T.QUOTED, s, start);
        }
        int addr = addressEnd(start);
        if (addr > start) {
            pos = addr;
            return tok(T.WORD, src.substring(start, pos), start);
        }
        if (Character.isDigit(c)) {
            if (c == '0' && pos + 1 < src.length() && (src.charAt(pos + 1) == 'x' || src.charAt(pos + 1) == 'X')) {
                pos += 2;
                while (pos < src.length() && isHex(src.charAt(pos))) pos++;
            } else {
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
                // time strings (1h30m, 10800s, 500ms) and "10mbytes" are one word
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)))) pos++;
            }
            return tok(T.WORD, src.substring(start, pos), start);
        }
        if (Character.isLetter(c) || c == '_' || c == '.' && pos + 1 < src.length() && Character.isLetter(src.charAt(pos + 1))) {
            pos++;
            while (pos < src.length()) {
                char d = src.charAt(pos);
                if (Character.isLetterOrDigit(d) || d == '/' || d == '-' || d == '_' || d == '.') pos++;
                else break;
            }
            return tok(T.WORD, src.substring(start, pos), start);
        }
        String two = pos + 1 < src.length() ? src.substring(pos, pos + 2) : "";
        if (two.equals("==") || two.equals("!=") || two.equals("<=") || two.equals(">=") || two.equals("<<")
                || two.equals(">>")) {
            pos += 2;
            return tok(T.PUNCT, two, start);
        }
        pos++;
        return tok(T.PUNCT, String.valueOf(c), start);
    }

    private static boolean isHex(char c) {
        return Character.isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** The end of an IPv4, IPv6 or MAC address starting here, or {@code start} when there is none. */
    private int addressEnd(int start) {
        int e = start;
        while (e < src.length() && (isHex(src.charAt(e)) || src.charAt(e) == ':' || src.charAt(e) == '.')) e++;
        if (e < src.length() && (Character.isLetterOrDigit(src.charAt(e)) || src.charAt(e) == '_' || src.charAt(e) == '-'
                && e + 1 < src.length() && Character.isLetter(src.charAt(e + 1)))) return start;
        // shorten until it is an address: "10.0.0.1:80" is 10.0.0.1 then ':' 80
        for (int end = e; end > start; end--) {
            String s = src.substring(start, end);
            if (s.endsWith(":") && !s.endsWith("::")) continue;
            if (IPV4.matcher(s).matches()) return end;
            if (s.contains(":") && Datatype.IPV6_ADDR.parse(s, 16) != null) return end;
            if (MAC.matcher(s).matches()) return end;
        }
        return start;
    }
}

package jnat.nft;

import jnat.nft.Scanner.T;
import jnat.nft.Scanner.Token;

import java.util.List;
import java.util.Set;

/** A cursor over the scanner's tokens, with bison's wording for what it did not expect. */
final class Tokens {
    final List<Token> list;
    int i;

    Tokens(List<Token> list, int start) {
        this.list = list;
        this.i = start;
    }

    Token peek() {
        return list.get(i);
    }

    Token peek(int ahead) {
        return list.get(Math.min(i + ahead, list.size() - 1));
    }

    Token next() {
        Token t = list.get(i);
        if (t.type() != T.EOF) i++;
        return t;
    }

    Token prev() {
        return list.get(Math.max(0, i - 1));
    }

    boolean is(String s) {
        return peek().is(s);
    }

    boolean accept(String s) {
        if (!is(s)) return false;
        next();
        return true;
    }

    Token expect(String s) {
        if (!is(s)) throw unexpected();
        return next();
    }

    /** A word that is not punctuation (a name, number, address or keyword used as a name). */
    Token word() {
        Token t = peek();
        if (t.type() != T.WORD) throw unexpected();
        return next();
    }

    /** A name: a word or a quoted string. */
    Token name() {
        Token t = peek();
        if (t.type() != T.WORD && t.type() != T.QUOTED) throw unexpected();
        return next();
    }

    /** A decimal number token's value, or bison's syntax error for what it is instead. */
    static long number(Token t) {
        if (t.type() != T.WORD || !t.text().matches("[0-9]{1,18}"))
            throw NftError.at(t, "syntax error, unexpected " + describe(t));
        return Long.parseLong(t.text());
    }

    Token quoted() {
        Token t = peek();
        if (t.type() != T.QUOTED) throw unexpected();
        return next();
    }

    /** The end of a statement list: newline, ';', '}' or end of file. */
    boolean atSeparator() {
        Token t = peek();
        return t.type() == T.NEWLINE || t.type() == T.EOF || t.is(";") || t.is("}") || t.is("#handle");
    }

    void skipNewlines() {
        while (peek().type() == T.NEWLINE || peek().is(";")) next();
    }

    void skipNewlinesOnly() {
        while (peek().type() == T.NEWLINE) next();
    }

    NftError unexpected() {
        return NftError.at(peek(), "syntax error, unexpected " + describe(peek()));
    }

    NftError unexpected(String expecting) {
        return NftError.at(peek(), "syntax error, unexpected " + describe(peek()) + ", expecting " + expecting);
    }

    /** Bison's name for a token: keywords by themselves, other words "string" or "number". */
    static String describe(Token t) {
        if (t.type() == T.WORD) {
            if (KEYWORDS.contains(t.text())) return t.text();
            if (t.text().matches("[0-9]+")) return "number";
            return "string";
        }
        return t.describe();
    }

    static final Set<String> KEYWORDS = Set.of("table", "chain", "rule", "set", "map", "element", "elements", "type",
            "hook", "priority", "policy", "device", "devices", "accept", "drop", "continue", "return", "jump", "goto",
            "queue", "counter", "packets", "bytes", "limit", "rate", "burst", "quota", "log", "prefix", "level", "group",
            "snat", "dnat", "masquerade", "redirect", "to", "reject", "with", "notrack", "meta", "mark", "ct", "state",
            "status", "ip", "ip6", "inet", "tcp", "udp", "th", "icmp", "icmpv6", "ether", "saddr", "daddr", "sport",
            "dport", "protocol", "comment", "flags", "timeout", "size", "add", "create", "insert", "replace", "delete",
            "flush", "list", "ruleset", "tables", "chains", "sets", "maps", "handle", "position", "index", "numgen",
            "random", "mod", "offset", "fib", "oif", "oifname", "iif", "iifname", "vmap", "update", "typeof",
            "interval", "constant", "dynamic", "fully-random", "persistent", "l4proto", "nfproto", "filter", "nat",
            "route", "and", "or", "xor", "reset", "gc-interval", "auto-merge", "over", "until", "used", "inc",
            "expires", "arp", "bridge", "netdev", "local", "dstnat", "srcnat", "raw", "mangle", "security");
}

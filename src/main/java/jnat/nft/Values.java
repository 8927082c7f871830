package jnat.nft;

import jnat.nft.Scanner.T;
import jnat.nft.Scanner.Token;

/** Constants as nft's symbol_parse turns them into values of a type (datatype.c), with its error messages. */
final class Values {
    private Values() {}

    /** A constant (or a parenthesised '|' list for a bitmask) at the cursor, consumed: big-endian bytes. */
    static byte[] parse(Tokens ts, Datatype type, int bits, Token t) {
        int bytes = (bits + 7) / 8;
        if (t.is("(")) {
            ts.next();
            byte[] v = parse(ts, type, bits, ts.peek());
            while (ts.is("|") || ts.is(",")) {
                ts.next();
                v = Linearize.or(v, parse(ts, type, bits, ts.peek()));
            }
            ts.expect(")");
            return v;
        }
        if (t.type() != T.WORD && t.type() != T.QUOTED) throw ts.unexpected();
        ts.next();
        return symbol(type, bits, t);
    }

    static byte[] symbol(Datatype type, int bits, Token t) {
        int bytes = (bits + 7) / 8;
        String s = t.text();
        if (type == Datatype.IFINDEX && !s.matches("[0-9]+"))
            // nft asks the kernel (if_nametoindex); jnat nft knows no host's interfaces
            throw NftError.at(t, "jnat: interface indexes of names are not known here; match iifname/oifname instead");
        if (t.type() == T.QUOTED && type.kind != Datatype.Kind.STRING) {
            // a quoted symbol is still a symbol
        }
        byte[] v = type.parse(s, bytes);
        if (v != null && v.length == 0) {
            java.math.BigInteger max = java.math.BigInteger.ONE.shiftLeft(bits).subtract(java.math.BigInteger.ONE);
            throw NftError.at(t, "Value " + decimal(s) + " exceeds valid range 0-" + max);
        }
        if (v != null && bits % 8 != 0 && Datatype.big(v).bitLength() > bits) {
            java.math.BigInteger max = java.math.BigInteger.ONE.shiftLeft(bits).subtract(java.math.BigInteger.ONE);
            throw NftError.at(t, "Value " + s + " exceeds valid range 0-" + max);
        }
        if (v != null) return v;
        throw NftError.at(t, message(type, s));
    }

    private static String decimal(String s) {
        return s.startsWith("0x") || s.startsWith("0X") ? new java.math.BigInteger(s.substring(2), 16).toString() : s;
    }

    /** What nft says when a symbol is not a value of the type. */
    static String message(Datatype type, String s) {
        return switch (type.kind) {
            case IPV4, IPV6 -> "Could not resolve hostname: " + (type.kind == Datatype.Kind.IPV4
                    ? "Name or service not known" : "Name or service not known");
            case INET_SERVICE -> "Could not resolve service: Servname not supported for ai_socktype";
            case INET_PROTO -> "Could not resolve protocol name";
            case STRING -> "String exceeds maximum length of " + type.bytes();
            case INTEGER, MARK -> "Could not parse " + type.desc;
            default -> "Could not parse " + type.desc;
        };
    }

    /** A time: "10800s", "3h", "1h30m", "500ms", "2d" (time_parse), in milliseconds. */
    static long time(Token t) {
        String s = t.text();
        long total = 0;
        int i = 0;
        if (!s.matches("([0-9]{1,12}[a-z]*)+")) throw NftError.at(t, "Wrong time format, expecting \"[0-9]+[dhms]\"");
        if (s.matches("[0-9]+")) return Long.parseLong(s) * 1000;
        while (i < s.length()) {
            int j = i;
            while (j < s.length() && Character.isDigit(s.charAt(j))) j++;
            if (j == i) throw NftError.at(t, "Wrong time format, expecting \"[0-9]+[dhms]\"");
            long n = Long.parseLong(s.substring(i, j));
            int k = j;
            while (k < s.length() && Character.isLetter(s.charAt(k))) k++;
            String unit = s.substring(j, k);
            total += switch (unit) {
                case "ms" -> n;
                case "s" -> n * 1000;
                case "m" -> n * 60_000;
                case "h" -> n * 3_600_000;
                case "d" -> n * 86_400_000;
                default -> throw NftError.at(t, "Wrong time format, expecting \"[0-9]+[dhms]\"");
            };
            i = k;
        }
        return total;
    }

    /** time_print: "3h", "1h30m", "500ms", "1d2h". */
    static String timeString(long ms) {
        StringBuilder sb = new StringBuilder();
        long d = ms / 86_400_000;
        ms %= 86_400_000;
        long h = ms / 3_600_000;
        ms %= 3_600_000;
        long m = ms / 60_000;
        ms %= 60_000;
        long s = ms / 1000;
        ms %= 1000;
        if (d > 0) sb.append(d).append('d');
        if (h > 0) sb.append(h).append('h');
        if (m > 0) sb.append(m).append('m');
        if (s > 0) sb.append(s).append('s');
        if (ms > 0) sb.append(ms).append("ms");
        if (sb.isEmpty()) sb.append("0s");
        return sb.toString();
    }
}

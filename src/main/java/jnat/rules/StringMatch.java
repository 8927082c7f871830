package jnat.rules;

import java.nio.charset.StandardCharsets;

/**
 * -m string (libxt_string.c, revision 1; xt_string.c): the pattern somewhere in the packet's bytes
 * from the network header, between --from and --to, found by the textsearch algorithm named
 * (bm or kmp; both find any occurrence in a linear packet, so one search stands for both),
 * optionally ignoring ASCII case. fsm takes token patterns jnat does not model and is refused.
 */
public final class StringMatch implements Match {
    static final int MAX_PATTERN = 128;

    public final int from, to;
    public final String algo;
    private final byte[] pattern;
    public final boolean invert, icase;

    StringMatch(int from, int to, String algo, byte[] pattern, boolean invert, boolean icase) {
        this.from = from;
        this.to = to;
        this.algo = algo;
        this.pattern = pattern;
        this.invert = invert;
        this.icase = icase;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "string";
    }

    private static int upper(int b) {
        return b >= 'a' && b <= 'z' ? b - 32 : b;
    }

    /**
     * string_mt: skb_find_text over [from, to) of the packet (its network header on), a match only
     * when the whole pattern lies inside.
     */
    @Override
    public boolean matches(PacketContext ctx) {
        int n = pattern.length;
        for (int start = from; start + n <= to; start++) {
            if (ctx.networkByte(start + n - 1) < 0) break;
            int i = 0;
            while (i < n) {
                int b = ctx.networkByte(start + i), p = pattern[i] & 0xff;
                if (b != p && !(icase && upper(b) == upper(p))) break;
                i++;
            }
            if (i == n) return !invert;
        }
        return invert;
    }

    /** is_hex_string: a byte isprint() refuses, or a last byte '\', prints the pattern as hex. */
    private boolean hex() {
        for (byte b : pattern) if (b < 0x20 || b > 0x7e) return true;
        return pattern[pattern.length - 1] == '\\';
    }

    private void printPattern(StringBuilder out) {
        out.append(" \"");
        if (hex()) {
            out.append('|');
            for (byte b : pattern) out.append(String.format("%02x", b & 0xff));
            out.append('|');
        } else {
            for (byte b : pattern) {
                if (b == '"' || b == '\\') out.append('\\');
                out.append((char) b);
            }
        }
        out.append('"');
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" STRING match ").append(invert ? "!" : "");
        printPattern(out);
        out.append(" ALGO name ").append(algo);
        if (from != 0) out.append(" FROM ").append(from);
        if (to != 0xFFFF) out.append(" TO ").append(to);
        if (icase) out.append(" ICASE");
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " !" : "").append(hex() ? " --hex-string" : " --string");
        printPattern(out);
        out.append(" --algo ").append(algo);
        if (from != 0) out.append(" --from ").append(from);
        if (to != 0xFFFF) out.append(" --to ").append(to);
        if (icase) out.append(" --icase");
    }

    static final class Parser extends ModuleParser {
        static final int O_FROM = 0, O_TO = 1, O_ALGO = 2, O_ICASE = 3, O_STRING = 4, O_HEX_STRING = 5;
        private final XtOptions opts = new XtOptions("string",
                XtOptions.entry("from", O_FROM), XtOptions.entry("to", O_TO), XtOptions.entry("algo", O_ALGO),
                new XtOptions.Entry("string", O_STRING, true, 1 << O_HEX_STRING, 0, false),
                new XtOptions.Entry("hex-string", O_HEX_STRING, true, 1 << O_STRING, 0, false),
                XtOptions.entry("icase", O_ICASE));
        int from, to = 0xFFFF;
        String algo;
        byte[] pattern = new byte[0];
        boolean inv, icase;

        Parser() {
            opts.mandatory = 1 << O_ALGO;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = e.id() == O_ICASE ? null : args.value(opt);
            opts.parse(e, invert);
            switch (e.id()) {
                case O_FROM -> from = (int) number("string", opt, v, 0xFFFF);
                case O_TO -> to = (int) number("string", opt, v, 0xFFFF);
                case O_ALGO -> algo = v.length() > 15 ? v.substring(0, 15) : v; // xtopt_parse_string truncates to algo[16]
                case O_STRING -> {
                    byte[] b = v.getBytes(StandardCharsets.UTF_8);
                    if (b.length > MAX_PATTERN) throw new RuleError("STRING too long \"" + v + "\"");
                    pattern = b;
                    inv |= invert;
                }
                case O_HEX_STRING -> {
                    pattern = hexString(v);
                    inv |= invert;
                }
                default -> icase = true;
            }
            return true;
        }

        private static boolean xdigit(char c) {
            return Character.digit(c, 16) >= 0 && c < 128;
        }

        /** parse_hex_string: text with |hex| blocks (spaces allowed inside) and \-escaped literals. */
        static byte[] hexString(String str) {
            byte[] s = str.getBytes(StandardCharsets.UTF_8);
            int slen = s.length;
            if (slen == 0) throw new RuleError("STRING must contain at least one char");
            byte[] out = new byte[MAX_PATTERN];
            int i = 0, n = 0;
            boolean hexF = false, literalF = false;
            while (i < slen) {
                if (n >= MAX_PATTERN) throw new RuleError("STRING too long \"" + str + "\"");
                if (s[i] == '\\' && !hexF) {
                    literalF = true;
                } else if (s[i] == '\\') {
                    throw new RuleError("Cannot include literals in hex data");
                } else if (s[i] == '|') {
                    if (hexF) {
                        hexF = false;
                    } else {
                        hexF = true;
                        while (i + 1 < slen && s[i + 1] == ' ') i++;
                    }
                    if (i + 1 >= slen) break;
                    i++;
                }
                if (literalF) {
                    if (i + 1 >= slen) throw new RuleError("Bad literal placement at end of string");
                    out[n] = s[i + 1];
                    i += 2;
                    literalF = false;
                } else if (hexF) {
                    if (i + 1 >= slen) throw new RuleError("Odd number of hex digits");
                    if (i + 2 >= slen) throw new RuleError("Invalid hex block");
                    if (!xdigit((char) s[i])) throw new RuleError("Invalid hex char '" + (char) s[i] + "'");
                    if (!xdigit((char) s[i + 1])) throw new RuleError("Invalid hex char '" + (char) s[i + 1] + "'");
                    out[n] = (byte) (Character.digit(s[i], 16) << 4 | Character.digit(s[i + 1], 16));
                    i += s[i + 2] == ' ' ? 3 : 2;
                } else {
                    out[n] = s[i];
                    i++;
                }
                n++;
            }
            return java.util.Arrays.copyOf(out, n);
        }

        @Override
        Object finish(RuleSpec spec) {
            // xtables_option_mfcheck: the extension's x6_fcheck, then the option table's checks
            if ((opts.xflags & (1 << O_STRING | 1 << O_HEX_STRING)) == 0) {
                throw new RuleError("STRING match: You must specify `--string' or `--hex-string'");
            }
            opts.fcheck();
            // string_mt_check and textsearch_prepare
            if (from > to || pattern.length == 0) throw kernelRefuses();
            if (algo.equals("fsm")) {
                throw new RuleError("match `string' is not supported by jnat with --algo fsm: ts_fsm's token patterns are not modelled");
            }
            if (!algo.equals("bm") && !algo.equals("kmp")) throw kernelRefusesNoEntry();
            return new StringMatch(from, to, algo, pattern, inv, icase);
        }
    }
}

package jnat.rules;

/**
 * -m u32 (libxt_u32.c, xt_u32.c): tests of 32-bit words read at offsets from the network header,
 * masked and shifted, "@" moving on by the value read, each compared with ranges; all tests must
 * hold (an offset past the packet's end fails the match).
 */
public final class U32Match implements Match {
    static final int AND = 0, LEFTSH = 1, RIGHTSH = 2, AT = 3, MAXSIZE = 10;

    /** Per test: the location's numbers and the operator before each (ops[t][0] unused), the value ranges. */
    private final int[][] numbers, ops, mins, maxs;
    public final boolean invert;

    U32Match(int[][] numbers, int[][] ops, int[][] mins, int[][] maxs, boolean invert) {
        this.numbers = numbers;
        this.ops = ops;
        this.mins = mins;
        this.maxs = maxs;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "u32";
    }

    private static int word(PacketContext ctx, long at) {
        return ctx.networkByte((int) at) << 24 | ctx.networkByte((int) at + 1) << 16 | ctx.networkByte((int) at + 2) << 8
                | ctx.networkByte((int) at + 3);
    }

    @Override
    public boolean matches(PacketContext ctx) {
        return matchIt(ctx) != invert;
    }

    /** u32_match_it, in unsigned 32-bit arithmetic as the kernel's u_int32_t. */
    private boolean matchIt(PacketContext ctx) {
        long len = ctx.length();
        for (int t = 0; t < numbers.length; t++) {
            long at = 0, pos = Integer.toUnsignedLong(numbers[t][0]);
            if (len < 4 || pos > len - 4) return false;
            int val = word(ctx, pos);
            for (int i = 1; i < numbers[t].length; i++) {
                int number = numbers[t][i];
                switch (ops[t][i]) {
                    case AND -> val &= number;
                    case LEFTSH -> val <<= number;
                    case RIGHTSH -> val >>>= number;
                    default -> {
                        at += Integer.toUnsignedLong(val);
                        if (at > 0xFFFFFFFFL) return false;
                        pos = Integer.toUnsignedLong(number);
                        if (at + 4 > 0xFFFFFFFFL || len < at + 4 || pos > len - at - 4) return false;
                        val = word(ctx, at + pos);
                    }
                }
            }
            boolean in = false;
            for (int i = 0; i < mins[t].length && !in; i++) {
                in = Integer.compareUnsigned(mins[t][i], val) <= 0 && Integer.compareUnsigned(val, maxs[t][i]) <= 0;
            }
            if (!in) return false;
        }
        return true;
    }

    /** u32_dump: every number in hex, as iptables prints and saves the tests. */
    private void dump(StringBuilder out) {
        out.append(" \"");
        for (int t = 0; t < numbers.length; t++) {
            if (t > 0) out.append("&&");
            out.append("0x").append(Integer.toHexString(numbers[t][0]));
            for (int i = 1; i < numbers[t].length; i++) {
                out.append(switch (ops[t][i]) {
                    case AND -> "&";
                    case LEFTSH -> "<<";
                    case RIGHTSH -> ">>";
                    default -> "@";
                }).append("0x").append(Integer.toHexString(numbers[t][i]));
            }
            out.append('=');
            for (int i = 0; i < mins[t].length; i++) {
                if (i > 0) out.append(',');
                out.append("0x").append(Integer.toHexString(mins[t][i]));
                if (mins[t][i] != maxs[t][i]) out.append(":0x").append(Integer.toHexString(maxs[t][i]));
            }
        }
        out.append('"');
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" u32");
        if (invert) out.append(" !");
        dump(out);
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        out.append(" --u32");
        dump(out);
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("u32", new XtOptions.Entry("u32", 0, true, 0, 0, false));
        U32Match parsed;

        Parser() {
            opts.mandatory = 1;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            parsed = parse(v, invert);
            return true;
        }

        private static RuleError error(String what, int at) {
            return new RuleError("u32: at char " + at + ": " + what);
        }

        /** parse_number: xtables_strtoui (base 0, no minus), "not a number or out of range" otherwise. */
        private static int number(String s, int[] at) {
            int[] end = new int[1];
            long v = strtoumaxPrefix(s.substring(at[0]), end);
            if (v < 0 || v > 0xFFFFFFFFL) throw error("not a number or out of range", at[0]);
            at[0] += end[0];
            return (int) v;
        }

        /** u32_parse's two states: a location (number, then operator and number), "=", ranges, "&&". */
        static U32Match parse(String s, boolean invert) {
            java.util.List<int[]> nums = new java.util.ArrayList<>(), opsL = new java.util.ArrayList<>(),
                    minL = new java.util.ArrayList<>(), maxL = new java.util.ArrayList<>();
            int[] num = new int[MAXSIZE + 1], op = new int[MAXSIZE + 1], min = new int[MAXSIZE + 1], max = new int[MAXSIZE + 1];
            int locind = 0, valind = 0, state = 0, tests = 0;
            int[] at = {0};
            while (true) {
                while (at[0] < s.length() && Character.isWhitespace(s.charAt(at[0]))) at[0]++;
                if (at[0] >= s.length()) {
                    if (state == 0) throw new RuleError("u32: abrupt end of input after location specifier");
                    if (valind == 0) throw new RuleError("u32: test ended with no value specified");
                    if (++tests > MAXSIZE) throw error("too many \"&&\"s", at[0]);
                    nums.add(java.util.Arrays.copyOf(num, locind));
                    opsL.add(java.util.Arrays.copyOf(op, locind));
                    minL.add(java.util.Arrays.copyOf(min, valind));
                    maxL.add(java.util.Arrays.copyOf(max, valind));
                    return new U32Match(nums.toArray(int[][]::new), opsL.toArray(int[][]::new), minL.toArray(int[][]::new),
                            maxL.toArray(int[][]::new), invert);
                }
                char c = s.charAt(at[0]);
                if (state == 0) {
                    if (c == '=') {
                        if (locind == 0) throw error("location spec missing", at[0]);
                        at[0]++;
                        state = 1;
                        continue;
                    }
                    if (locind != 0) {
                        if (c == '&') op[locind] = AND;
                        else if (c == '<' || c == '>') {
                            at[0]++;
                            if (at[0] >= s.length() || s.charAt(at[0]) != c) {
                                throw error("a second '" + c + "' was expected", at[0]);
                            }
                            op[locind] = c == '<' ? LEFTSH : RIGHTSH;
                        } else if (c == '@') op[locind] = AT;
                        else throw error("operator expected", at[0]);
                        at[0]++;
                    }
                    num[locind] = number(s, at);
                    if (++locind > MAXSIZE) throw error("too many operators", at[0]);
                } else if (c == '&') {
                    at[0]++;
                    if (at[0] >= s.length() || s.charAt(at[0]) != '&') throw error("a second '&' was expected", at[0]);
                    if (valind == 0) throw error("value spec missing", at[0]);
                    if (++tests > MAXSIZE) throw error("too many \"&&\"s", at[0]);
                    nums.add(java.util.Arrays.copyOf(num, locind));
                    opsL.add(java.util.Arrays.copyOf(op, locind));
                    minL.add(java.util.Arrays.copyOf(min, valind));
                    maxL.add(java.util.Arrays.copyOf(max, valind));
                    at[0]++;
                    state = 0;
                    locind = 0;
                    valind = 0;
                } else {
                    if (valind > 0) {
                        if (c != ',') throw error("expected \",\" or \"&&\"", at[0]);
                        at[0]++;
                    }
                    min[valind] = number(s, at);
                    while (at[0] < s.length() && Character.isWhitespace(s.charAt(at[0]))) at[0]++;
                    if (at[0] < s.length() && s.charAt(at[0]) == ':') {
                        at[0]++;
                        max[valind] = number(s, at);
                    } else {
                        max[valind] = min[valind];
                    }
                    if (++valind > MAXSIZE) throw error("too many \",\"s", at[0]);
                }
            }
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            return parsed;
        }
    }
}

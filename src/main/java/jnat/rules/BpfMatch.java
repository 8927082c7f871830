package jnat.rules;

/**
 * -m bpf --bytecode (libxt_bpf.c revision 1, xt_bpf.c): a classic BPF program run over the packet
 * from its network header, matching when it returns non-zero. Checked at load as
 * bpf_check_classic and check_load_and_stores check it; ancillary loads (SKF_AD_OFF and the
 * negative offsets) and --object-pinned (an eBPF object in bpffs) are refused: jnat models
 * neither the skb fields they read nor a BPF filesystem.
 */
public final class BpfMatch implements Match {
    static final int MAXINSNS = 64, MEMWORDS = 16;
    static final long SKF_AD_OFF = 0xFFFFF000L;

    private final int[] code, jt, jf, k;
    /** M[]: the scratch memory, reused by each run (the engine runs one packet at a time); check_load_and_stores proves a slot is written before it is read. */
    private final int[] mem = new int[MEMWORDS];

    BpfMatch(int[] code, int[] jt, int[] jf, int[] k) {
        this.code = code;
        this.jt = jt;
        this.jf = jf;
        this.k = k;
    }

    @Override
    public String name() {
        return "bpf";
    }

    /** P[off:size] big-endian, or -1 when it is past the packet's end (the program then returns 0). */
    private static long load(PacketContext ctx, long off, int size) {
        if (off < 0 || off + size > ctx.length()) return -1;
        long v = 0;
        for (int i = 0; i < size; i++) {
            int b = ctx.networkByte((int) off + i);
            if (b < 0) return -1;
            v = v << 8 | b;
        }
        return v;
    }

    private static boolean cond(int c, int a, int x) {
        return switch (c & 0xf0) {
            case 0x10 -> a == x;
            case 0x20 -> Integer.compareUnsigned(a, x) > 0;
            case 0x30 -> Integer.compareUnsigned(a, x) >= 0;
            default -> (a & x) != 0; // JSET
        };
    }

    /** The classic interpreter (what bpf_convert_filter's program computes): A, X, M[16]; a bad load or a zero divisor returns 0. */
    @Override
    public boolean matches(PacketContext ctx) {
        int a = 0, x = 0;
        for (int pc = 0; pc < code.length; pc++) {
            int c = code[pc], kk = k[pc];
            switch (c & 0x07) {
                case 0x00, 0x01 -> { // LD, LDX
                    boolean ldx = (c & 0x07) == 1;
                    int size = switch (c & 0x18) {
                        case 0x00 -> 4;
                        case 0x08 -> 2;
                        default -> 1;
                    };
                    long v;
                    switch (c & 0xe0) {
                        case 0x00 -> v = Integer.toUnsignedLong(kk); // IMM
                        case 0x20 -> v = load(ctx, Integer.toUnsignedLong(kk), size); // ABS
                        case 0x40 -> v = load(ctx, (long) x + kk, size); // IND: X + k
                        case 0x60 -> v = Integer.toUnsignedLong(mem[kk]); // MEM
                        case 0x80 -> v = ctx.length(); // LEN
                        default -> { // MSH: X = 4 * (P[k] & 0xf)
                            long b = load(ctx, Integer.toUnsignedLong(kk), 1);
                            v = b < 0 ? -1 : (b & 0xf) << 2;
                        }
                    }
                    if (v < 0) return false;
                    if (ldx) x = (int) v;
                    else a = (int) v;
                }
                case 0x02, 0x03 -> mem[kk] = (c & 0x07) == 2 ? a : x; // ST, STX
                case 0x04 -> { // ALU
                    int o = (c & 0x08) != 0 ? x : kk;
                    switch (c & 0xf0) {
                        case 0x00 -> a += o;
                        case 0x10 -> a -= o;
                        case 0x20 -> a *= o;
                        case 0x30 -> {
                            if (o == 0) return false;
                            a = Integer.divideUnsigned(a, o);
                        }
                        case 0x90 -> {
                            if (o == 0) return false;
                            a = Integer.remainderUnsigned(a, o);
                        }
                        case 0x40 -> a |= o;
                        case 0x50 -> a &= o;
                        case 0xa0 -> a ^= o;
                        case 0x60 -> a <<= o;
                        case 0x70 -> a >>>= o;
                        default -> a = -a; // NEG
                    }
                }
                case 0x05 -> { // JMP
                    if ((c & 0xf0) == 0) pc += kk;
                    else pc += cond(c, a, (c & 0x08) != 0 ? x : kk) ? jt[pc] : jf[pc];
                }
                case 0x06 -> {
                    return ((c & 0x18) == 0x10 ? a : kk) != 0; // RET A or K
                }
                default -> {
                    if ((c & 0xf8) == 0) x = a;
                    else a = x; // TAX, TXA
                }
            }
        }
        return false;
    }

    private void code(StringBuilder out) {
        for (int i = 0; i < code.length; i++) {
            if (i > 0) out.append(',');
            out.append(code[i]).append(' ').append(jt[i]).append(' ').append(jf[i]).append(' ').append(Integer.toUnsignedString(k[i]));
        }
    }

    /** bpf_print_v1: no leading space, and the code ends with the NUL byte printf("%c", '\0') writes. */
    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append("match bpf ");
        code(out);
        out.append('\0');
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --bytecode \"").append(code.length).append(',');
        code(out);
        out.append('"');
    }

    /** The opcodes chk_code_allowed lets through (net/core/filter.c's codes[]). */
    static boolean allowed(int c) {
        return switch (c) {
            case 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac, 0x64, 0x6c,
                 0x74, 0x7c, 0x84, // ALU
                 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x80, 0x00, 0x60, // LD
                 0x81, 0xb1, 0x01, 0x61, // LDX
                 0x02, 0x03, 0x07, 0x87, 0x06, 0x16, // ST STX TAX TXA RET
                 0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d -> true; // JMP
            default -> false;
        };
    }

    static boolean conditional(int c) {
        return (c & 0x07) == 0x05 && (c & 0xf0) != 0;
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("bpf", XtOptions.entry("bytecode", 0), XtOptions.entry("object-pinned", 1));
        int[] code, jt, jf, k;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            if (e.id() == 1) {
                throw new RuleError("match `bpf' is not supported by jnat with --object-pinned: jnat has no BPF filesystem or eBPF programs");
            }
            parse(v);
            return true;
        }

        /** bpf_parse_string: "N,code jt jf k,..." as sscanf reads it. */
        private void parse(String s) {
            java.util.regex.Matcher head = java.util.regex.Pattern.compile("^\\s*\\+?(\\d+)(.)").matcher(s);
            if (!head.find() || head.group(2).charAt(0) != ',' || Long.parseLong(head.group(1).length() > 6 ? "999999" : head.group(1)) > 0xFFFF) {
                throw new RuleError("bpf: error parsing program length");
            }
            int len = Integer.parseInt(head.group(1));
            if (len == 0) throw new RuleError("bpf: illegal zero length program");
            if (len > MAXINSNS) throw new RuleError("bpf: number of instructions exceeds maximum");
            code = new int[len];
            jt = new int[len];
            jf = new int[len];
            k = new int[len];
            java.util.regex.Pattern insn = java.util.regex.Pattern.compile("^\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");
            int i = 0, at = s.indexOf(',');
            while (at >= 0 && at + 1 < s.length()) {
                String token = s.substring(at + 1);
                if (i >= len) throw new RuleError("bpf: real program length exceeds the encoded length parameter");
                java.util.regex.Matcher m = insn.matcher(token);
                if (!m.find()) throw new RuleError("bpf: error at instr " + i);
                code[i] = (int) (Long.parseLong(m.group(1)) & 0xFFFF);
                jt[i] = (int) (Long.parseLong(m.group(2)) & 0xFF);
                jf[i] = (int) (Long.parseLong(m.group(3)) & 0xFF);
                k[i] = (int) Long.parseLong(m.group(4));
                i++;
                at = s.indexOf(',', at + 1);
            }
            if (i != len) throw new RuleError("bpf: parsed program length is less than the encoded length parameter");
        }

        /** bpf_check_classic and check_load_and_stores (bpf_prog_create in xt_bpf's checkentry): EINVAL when they refuse. */
        private void check() {
            int n = code.length;
            for (int pc = 0; pc < n; pc++) {
                int c = code[pc];
                long kk = Integer.toUnsignedLong(k[pc]);
                if (!allowed(c)) throw kernelRefuses();
                if ((c == 0x34 || c == 0x94) && kk == 0) throw kernelRefuses();
                if ((c == 0x64 || c == 0x74) && kk >= 32) throw kernelRefuses();
                if ((c == 0x60 || c == 0x61 || c == 0x02 || c == 0x03) && kk >= MEMWORDS) throw kernelRefuses();
                if (c == 0x05 && kk >= n - pc - 1) throw kernelRefuses();
                if (conditional(c) && (pc + jt[pc] + 1 >= n || pc + jf[pc] + 1 >= n)) throw kernelRefuses();
                if ((c == 0x20 || c == 0x28 || c == 0x30) && kk >= SKF_AD_OFF) {
                    throw new RuleError("match `bpf' is not supported by jnat with ancillary loads (SKF_AD_OFF): jnat models no skb metadata for them");
                }
                if ((c == 0x20 || c == 0x28 || c == 0x30 || c == 0xb1) && kk >= 0x80000000L) {
                    throw new RuleError("match `bpf' is not supported by jnat with negative load offsets (SKF_NET_OFF, SKF_LL_OFF)");
                }
            }
            if (code[n - 1] != 0x06 && code[n - 1] != 0x16) throw kernelRefuses();
            int[] masks = new int[n];
            java.util.Arrays.fill(masks, 0xFFFF);
            int memvalid = 0;
            for (int pc = 0; pc < n; pc++) {
                memvalid &= masks[pc];
                int c = code[pc];
                if (c == 0x02 || c == 0x03) memvalid |= 1 << k[pc];
                else if (c == 0x60 || c == 0x61) {
                    if ((memvalid & 1 << k[pc]) == 0) throw kernelRefuses();
                } else if (c == 0x05) {
                    masks[pc + 1 + k[pc]] &= memvalid;
                    memvalid = 0xFFFF;
                } else if (conditional(c)) {
                    masks[pc + 1 + jt[pc]] &= memvalid;
                    masks[pc + 1 + jf[pc]] &= memvalid;
                    memvalid = 0xFFFF;
                }
            }
        }

        @Override
        Object finish(RuleSpec spec) {
            if (!opts.given(0) && !opts.given(1) || opts.given(0) && opts.given(1)) {
                throw new RuleError("bpf: one of --bytecode or --pinned is required");
            }
            check();
            return new BpfMatch(code, jt, jf, k);
        }
    }
}

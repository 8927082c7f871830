package jnat.rules;

import java.math.BigInteger;

/**
 * -m connbytes (libxt_connbytes.c, xt_connbytes.c): the connection's packets, bytes or average
 * packet size so far, in one direction or both, within a range ("!" swaps the range's ends, as
 * libxt_connbytes stores it). A rule with it turns conntrack accounting on, as connbytes_mt_check
 * does ({@link Ruleset#needsAccounting}).
 */
public final class ConnbytesMatch implements Match {
    static final int PKTS = 0, BYTES = 1, AVGPKT = 2;
    static final int DIR_ORIGINAL = 0, DIR_REPLY = 1, DIR_BOTH = 2;

    /** count.from and count.to, unsigned 64-bit. */
    public final long from, to;
    public final int what, direction;

    ConnbytesMatch(long from, long to, int what, int direction) {
        this.from = from;
        this.to = to;
        this.what = what;
        this.direction = direction;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "connbytes";
    }

    private static long count(PacketContext ctx, boolean bytes, int direction) {
        return switch (direction) {
            case DIR_ORIGINAL -> bytes ? ctx.ctBytes(0) : ctx.ctPackets(0);
            case DIR_REPLY -> bytes ? ctx.ctBytes(1) : ctx.ctPackets(1);
            default -> bytes ? ctx.ctBytes(0) + ctx.ctBytes(1) : ctx.ctPackets(0) + ctx.ctPackets(1);
        };
    }

    /** connbytes_mt: nothing without a connection and its counters. */
    @Override
    public boolean matches(PacketContext ctx) {
        if (!ctx.hasConnection() || !ctx.ctAccounting()) return false;
        long v = switch (what) {
            case PKTS -> count(ctx, false, direction);
            case BYTES -> count(ctx, true, direction);
            default -> {
                long pkts = count(ctx, false, direction);
                yield pkts == 0 ? 0 : Long.divideUnsigned(count(ctx, true, direction), pkts);
            }
        };
        if (Long.compareUnsigned(to, from) >= 0) return Long.compareUnsigned(v, to) <= 0 && Long.compareUnsigned(v, from) >= 0;
        return Long.compareUnsigned(v, to) < 0 || Long.compareUnsigned(v, from) > 0;
    }

    private void fromTo(StringBuilder out, String prefix) {
        long f = from, t = to;
        if (Long.compareUnsigned(from, to) > 0) {
            out.append(" !");
            f = to;
            t = from;
        }
        out.append(' ').append(prefix).append("connbytes ").append(Long.toUnsignedString(f));
        if (t != 0 && t != -1L) out.append(':').append(Long.toUnsignedString(t));
    }

    private static final String[] WHAT = {"packets", "bytes", "avgpkt"}, DIR = {"original", "reply", "both"};

    @Override
    public void print(StringBuilder out, boolean numeric) {
        fromTo(out, "");
        out.append(" connbytes mode ").append(WHAT[what]).append(" connbytes direction ").append(DIR[direction]);
    }

    @Override
    public void save(StringBuilder out) {
        fromTo(out, "--");
        out.append(" --connbytes-mode ").append(WHAT[what]).append(" --connbytes-dir ").append(DIR[direction]);
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("connbytes", new XtOptions.Entry("connbytes", 0, true, 0, 0, false),
                XtOptions.entry("connbytes-dir", 1), XtOptions.entry("connbytes-mode", 2));
        long from, to;
        int what, direction;

        Parser() {
            opts.mandatory = 7;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            switch (e.id()) {
                case 0 -> {
                    long[] r = mint64(opt, v);
                    from = r[0];
                    to = r[1];
                    if (Long.compareUnsigned(to, from) < 0) {
                        throw new RuleError(Long.toUnsignedString(from) + " should be less than " + Long.toUnsignedString(to));
                    }
                    if (invert) {
                        long i = from;
                        from = to;
                        to = i;
                    }
                }
                case 1 -> direction = switch (v) {
                    case "original" -> DIR_ORIGINAL;
                    case "reply" -> DIR_REPLY;
                    case "both" -> DIR_BOTH;
                    default -> throw new RuleError("Unknown --connbytes-dir `" + v + "'");
                };
                default -> what = switch (v) {
                    case "packets" -> PKTS;
                    case "bytes" -> BYTES;
                    case "avgpkt" -> AVGPKT;
                    default -> throw new RuleError("Unknown --connbytes-mode `" + v + "'");
                };
            }
            return true;
        }

        private static final BigInteger U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

        /** xtopt_parse_mint for XTTYPE_UINT64RC: "a", "a:b", "a:" or ":b"; one value leaves "to" at UINT64_MAX. */
        static long[] mint64(String opt, String v) {
            String[] parts = v.split(":", -1);
            if (parts.length > 2) throw new RuleError("connbytes: Too many components for option \"" + opt + "\" (max: 2)");
            long[] out = {0, -1L};
            int at = 0;
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                if (!p.isEmpty()) {
                    int[] end = new int[1];
                    BigInteger n = u64Prefix(p, end);
                    if (n == null || n.compareTo(U64) > 0) {
                        throw new RuleError("connbytes: bad value for option \"" + opt + "\" near \"" + v.substring(at)
                                + "\", or out of range (0-18446744073709551615).");
                    }
                    if (end[0] != p.length()) {
                        throw new RuleError("connbytes: Argument to \"" + opt + "\" has unexpected characters near \""
                                + v.substring(at + end[0]) + "\".");
                    }
                    out[i] = n.longValue();
                } else if (i == 0) {
                    out[0] = 0;
                }
                at += p.length() + 1;
            }
            return out;
        }

        /** strtoumax(s, &end, 0) without a minus sign: the number and where it ends, null for none. */
        private static BigInteger u64Prefix(String s, int[] end) {
            int i = 0;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            if (i < s.length() && s.charAt(i) == '-') return null;
            if (i < s.length() && s.charAt(i) == '+') i++;
            int base = 10;
            if ((s.startsWith("0x", i) || s.startsWith("0X", i)) && i + 2 < s.length() && Character.digit(s.charAt(i + 2), 16) >= 0) {
                base = 16;
                i += 2;
            } else if (s.startsWith("0", i)) {
                base = 8;
            }
            int start = i;
            BigInteger v = BigInteger.ZERO;
            while (i < s.length() && Character.digit(s.charAt(i), base) >= 0) {
                v = v.multiply(BigInteger.valueOf(base)).add(BigInteger.valueOf(Character.digit(s.charAt(i), base)));
                i++;
            }
            if (i == start) return null;
            end[0] = i;
            return v;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            return new ConnbytesMatch(from, to, what, direction);
        }
    }

    /** Its checkentry takes the namespace's conntrack (nf_ct_netns_get). */
    @Override
    public boolean usesConntrack() {
        return true;
    }
}

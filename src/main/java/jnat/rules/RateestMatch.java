package jnat.rules;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * -m rateest (xt_rateest.c, libxt_rateest.c): compares the rate of a RATEEST estimator with a
 * given rate (absolute mode) or with another estimator's (relative mode), in bytes and/or packets
 * per second, less than, greater than or equal; with --rateest-delta, the differences between the
 * given rates and the estimated ones. The estimators must exist when the rule is added.
 */
public final class RateestMatch implements Match {
    // xt_rateest_match_flags and xt_rateest_match_mode
    static final int INVERT = 1, ABS = 2, REL = 4, DELTA = 8, BPS = 16, PPS = 32;
    static final int EQ = 1, LT = 2, GT = 3;

    final String name1, name2;
    final int flags, mode;
    /** Rates in bytes per second and packets per second, unsigned 32-bit. */
    final long bps1, pps1, bps2, pps2;
    GenEstimator est1, est2;

    RateestMatch(String name1, String name2, int flags, int mode, long bps1, long pps1, long bps2, long pps2) {
        this.name1 = name1;
        this.name2 = name2;
        this.flags = flags;
        this.mode = mode;
        this.bps1 = bps1;
        this.pps1 = pps1;
        this.bps2 = bps2;
        this.pps2 = pps2;
    }

    @Override
    public String name() {
        return "rateest";
    }

    /** xt_rateest_mt: each side's rate (a delta from the given one, clamped at 0), then the comparison on each kind. */
    @Override
    public boolean matches(PacketContext ctx) {
        long sb = 0, sp = 0;
        if (est1 != null) {
            est1.advance(ctx.now());
            sb = est1.bps() & 0xFFFFFFFFL;
            sp = est1.pps() & 0xFFFFFFFFL;
        }
        long b1, p1, b2, p2;
        if ((flags & DELTA) != 0) {
            b1 = bps1 >= sb ? bps1 - sb : 0;
            p1 = pps1 >= sp ? pps1 - sp : 0;
        } else {
            b1 = sb;
            p1 = sp;
        }
        if ((flags & ABS) != 0) {
            b2 = bps2;
            p2 = pps2;
        } else {
            sb = sp = 0;
            if (est2 != null) {
                est2.advance(ctx.now());
                sb = est2.bps() & 0xFFFFFFFFL;
                sp = est2.pps() & 0xFFFFFFFFL;
            }
            if ((flags & DELTA) != 0) {
                b2 = bps2 >= sb ? bps2 - sb : 0;
                p2 = pps2 >= sp ? pps2 - sp : 0;
            } else {
                b2 = sb;
                p2 = sp;
            }
        }
        boolean ret = true;
        if ((flags & BPS) != 0) ret &= compare(b1, b2);
        if ((flags & PPS) != 0) ret &= compare(p1, p2);
        return ret != ((flags & INVERT) != 0);
    }

    private boolean compare(long a, long b) {
        return switch (mode) {
            case LT -> a < b;
            case GT -> a > b;
            default -> a == b;
        };
    }

    /** rateest_print_rate: bytes per second as bits, or the number itself. */
    private static void rate(StringBuilder out, long rate, boolean numeric) {
        double bits = (double) rate * 8;
        if (numeric) out.append(' ').append(rate);
        else if (bits >= 1000.0 * 1000000.0) out.append(' ').append(noDecimals(bits / 1000000.0)).append("Mbit");
        else if (bits >= 1000.0 * 1000.0) out.append(' ').append(noDecimals(bits / 1000.0)).append("Kbit");
        else out.append(' ').append(noDecimals(bits)).append("bit");
    }

    /** printf's %.0f as glibc rounds it (half to even on the double's exact value). */
    private static String noDecimals(double v) {
        return new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
    }

    private void mode(StringBuilder out, String prefix) {
        if ((flags & INVERT) != 0) out.append(" !");
        out.append(' ').append(prefix).append(switch (mode) {
            case LT -> "lt";
            case GT -> "gt";
            default -> "eq";
        });
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" rateest match ").append(name1);
        boolean delta = (flags & DELTA) != 0, abs = (flags & ABS) != 0;
        if (delta) out.append(" delta");
        if ((flags & BPS) != 0) {
            out.append(" bps");
            if (delta) rate(out, bps1, numeric);
            if (abs) {
                rate(out, bps2, numeric);
                mode(out, "");
            }
        }
        if ((flags & PPS) != 0) {
            out.append(" pps");
            if (delta) out.append(' ').append(pps1);
            if (abs) {
                mode(out, "");
                out.append(' ').append(pps2);
            }
        }
        if ((flags & REL) != 0) {
            mode(out, "");
            out.append(' ').append(name2);
            if ((flags & BPS) != 0) {
                out.append(" bps");
                if (delta) rate(out, bps2, numeric);
            }
            if ((flags & PPS) != 0) {
                out.append(" pps");
                if (delta) out.append(' ').append(pps2);
            }
        }
    }

    /** __rateest_save_rate */
    private void saveRate(StringBuilder out, String kind, long r1, long r2, boolean numeric) {
        if ((flags & DELTA) != 0) {
            out.append(" --rateest-").append(kind).append('1');
            rate(out, r1, numeric);
            mode(out, "--rateest-");
            out.append(" --rateest-").append(kind).append('2');
        } else {
            mode(out, "--rateest-");
            out.append(" --rateest-").append(kind);
        }
        if ((flags & (ABS | DELTA)) != 0) rate(out, r2, numeric);
    }

    @Override
    public void save(StringBuilder out) {
        if ((flags & DELTA) != 0) out.append(" --rateest-delta");
        out.append((flags & REL) != 0 ? " --rateest1 " : " --rateest ").append(name1);
        if ((flags & BPS) != 0) saveRate(out, "bps", bps1, bps2, false);
        if ((flags & PPS) != 0) saveRate(out, "pps", pps1, pps2, true);
        if ((flags & REL) != 0) out.append(" --rateest2 ").append(name2);
    }

    /** strtod's longest decimal prefix ({@code end[0]} its length, 0 for none). */
    static double strtod(String s, int[] end) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?").matcher(s);
        if (!m.find()) {
            end[0] = 0;
            return 0;
        }
        end[0] = m.end();
        return Double.parseDouble(m.group().strip());
    }

    static final class Parser extends ModuleParser {
        private static final int O_RATEEST1 = 0, O_RATEEST2 = 1, O_BPS1 = 2, O_PPS1 = 3, O_BPS2 = 4, O_PPS2 = 5,
                O_DELTA = 6, O_LT = 7, O_GT = 8, O_EQ = 9;
        int given, flags, mode;
        String name1 = "", name2;
        long bps1, pps1, bps2, pps2;

        private void once(int c, String what) {
            if ((given & 1 << c) != 0) throw new RuleError("rateest: can't specify " + what + " twice");
            given |= 1 << c;
        }

        private static void noInvert(boolean invert, String what) {
            if (invert) throw new RuleError("rateest: " + what + " can't be inverted");
        }

        /** rateest_get_rate: bits per second with iproute's suffixes, a bare number as bits; stored as bytes. */
        static long rate(String s) {
            int[] end = new int[1];
            double bps = strtod(s, end);
            if (end[0] == 0) return -1;
            String suffix = s.substring(end[0]);
            if (suffix.isEmpty()) return (long) (bps / 8.) & 0xFFFFFFFFL;
            String[] names = {"bit", "Kibit", "kbit", "Mibit", "mbit", "Gibit", "gbit", "Tibit", "tbit",
                "Bps", "KiBps", "KBps", "MiBps", "MBps", "GiBps", "GBps", "TiBps", "TBps"};
            double[] scales = {1., 1024., 1000., 1024. * 1024., 1e6, 1024. * 1024. * 1024., 1e9, 1024. * 1024. * 1024. * 1024., 1e12,
                8., 8. * 1024., 8000., 8. * 1024 * 1024, 8e6, 8. * 1024. * 1024. * 1024., 8e9, 8. * 1024. * 1024. * 1024. * 1024., 8e12};
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(suffix)) return (long) (bps * scales[i] / 8.) & 0xFFFFFFFFL;
            }
            return -1;
        }

        private long bps(Args args) {
            String v = args.optional();
            if (v == null) return 0;
            long r = rate(v);
            if (r < 0) throw new RuleError("rateest: could not parse rate `" + v + "'");
            return r;
        }

        private long pps(Args args) {
            String v = args.optional();
            if (v == null) return 0;
            long r = strtoul(v, 0xFFFFFFFFL);
            if (r < 0) throw new RuleError("rateest: could not parse pps `" + v + "'");
            return r;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--rateest1", "--rateest" -> {
                    noInvert(invert, "rateest");
                    once(O_RATEEST1, "--rateest1");
                    String v = args.value(opt);
                    name1 = v.length() > 15 ? v.substring(0, 15) : v;
                }
                case "--rateest2" -> {
                    noInvert(invert, "rateest");
                    once(O_RATEEST2, "--rateest2");
                    String v = args.value(opt);
                    name2 = v.length() > 15 ? v.substring(0, 15) : v;
                    flags |= REL;
                }
                case "--rateest-bps1" -> {
                    noInvert(invert, "rateest-bps");
                    once(O_BPS1, "--rateest-bps1");
                    flags |= BPS;
                    bps1 = bps(args);
                }
                case "--rateest-pps1" -> {
                    noInvert(invert, "rateest-pps");
                    once(O_PPS1, "--rateest-pps1");
                    flags |= PPS;
                    pps1 = pps(args);
                }
                case "--rateest-bps2", "--rateest-bps" -> {
                    noInvert(invert, "rateest-bps");
                    once(O_BPS2, "--rateest-bps2");
                    flags |= BPS;
                    bps2 = bps(args);
                }
                case "--rateest-pps2", "--rateest-pps" -> {
                    noInvert(invert, "rateest-pps");
                    once(O_PPS2, "--rateest-pps2");
                    flags |= PPS;
                    pps2 = pps(args);
                }
                case "--rateest-delta" -> {
                    noInvert(invert, "rateest-delta");
                    once(O_DELTA, "--rateest-delta");
                    flags |= DELTA;
                }
                case "--rateest-eq", "--rateest-lt", "--rateest-gt" -> {
                    int c = opt.endsWith("eq") ? O_EQ : opt.endsWith("lt") ? O_LT : O_GT;
                    once(c, "lt/gt/eq");
                    mode = c == O_EQ ? EQ : c == O_LT ? LT : GT;
                    if (invert) flags |= INVERT;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if ((flags & REL) == 0) flags |= ABS;
            // xt_rateest_mt_checkentry: BPS or PPS, a mode, then the estimators by name
            if ((flags & (BPS | PPS)) == 0 || mode == 0) throw kernelRefuses();
            if (spec.ruleset != null && (spec.ruleset.rateestTarget(name1) == null
                    || name2 != null && spec.ruleset.rateestTarget(name2) == null)) {
                throw kernelRefusesNoEntry();
            }
            return new RateestMatch(name1, name2, flags, mode, bps1, pps1, bps2, pps2);
        }
    }
}

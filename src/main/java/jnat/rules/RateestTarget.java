package jnat.rules;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * -j RATEEST (xt_RATEEST.c, libxt_RATEEST.c): counts each packet's length into the namespace's
 * rate estimator of that name ({@link GenEstimator}), which -m rateest reads, then goes on. The
 * estimator is made by the first rule naming it and lives while some rule does; a second rule
 * naming it must give the same interval and ewmalog (the kernel refuses others).
 */
public final class RateestTarget extends Target {
    final String name;
    /** xt_rateest_target_info: the interval index (-2..3) and ewma_log as the kernel takes them. */
    final int interval, ewmaLog;
    /** The namespace's estimator, once bound ({@link Net#bind}). */
    GenEstimator est;

    RateestTarget(String name, int interval, int ewmaLog) {
        this.name = name;
        this.interval = interval;
        this.ewmaLog = ewmaLog;
    }

    @Override
    public String name() {
        return "RATEEST";
    }

    /** xt_rateest_tg: bytes += skb->len, packets++, XT_CONTINUE. */
    @Override
    public boolean apply(PacketContext ctx) {
        GenEstimator e = est;
        if (e != null) {
            e.advance(ctx.now());
            e.bytes += ctx.length();
            e.packets++;
        }
        return true;
    }

    private void show(StringBuilder out, String prefix) {
        long interval = (1_000_000L << (this.interval + 2)) / 4;
        long ewma = interval * (1L << ewmaLog) & 0xFFFFFFFFL; // unsigned int in libxt_RATEEST
        out.append(' ').append(prefix).append("name ").append(name);
        out.append(' ').append(prefix).append("interval");
        printTime(out, interval);
        out.append(' ').append(prefix).append("ewmalog");
        printTime(out, ewma);
    }

    /** RATEEST_print_time: seconds or milliseconds with one decimal, else microseconds. */
    private static void printTime(StringBuilder out, long us) {
        if (us >= 1_000_000) out.append(' ').append(oneDecimal(us / 1e6)).append('s');
        else if (us >= 1000) out.append(' ').append(oneDecimal(us / 1e3)).append("ms");
        else out.append(' ').append(us).append("us");
    }

    /** printf's %.1f: the double's exact value rounded half to even, as glibc rounds it. */
    static String oneDecimal(double v) {
        return new BigDecimal(v).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        show(out, "");
    }

    @Override
    public void save(StringBuilder out) {
        show(out, "--rateest-");
    }

    /** xt_rateest_net: the namespace's estimators by name, each held by the rules naming it (both families). */
    public static final class Net {
        private final Map<String, GenEstimator> estimators = new HashMap<>();
        private final Map<String, int[]> refs = new HashMap<>();

        /** Binds the RATEEST targets and rateest matches of {@code rules}; estimators no rule of either family names go. */
        void bind(Ruleset rules, long nowNs) {
            int fam = rules.ipv6 ? 1 : 0;
            Map<String, Integer> held = new HashMap<>();
            for (Table t : rules.tables()) {
                for (Chain c : t.chains()) {
                    for (Rule r : c.rules()) {
                        if (r.target instanceof RateestTarget rt) {
                            GenEstimator e = estimators.get(rt.name);
                            if (e == null || e.interval != rt.interval || e.ewmaLog != rt.ewmaLog) {
                                e = new GenEstimator(rt.interval, rt.ewmaLog, nowNs);
                                estimators.put(rt.name, e);
                            }
                            rt.est = e;
                            held.merge(rt.name, 1, Integer::sum);
                        }
                    }
                }
            }
            for (Table t : rules.tables()) {
                for (Chain c : t.chains()) {
                    for (Rule r : c.rules()) {
                        for (Match m : r.matches) {
                            if (!(m instanceof RateestMatch rm)) continue;
                            rm.est1 = estimators.get(rm.name1);
                            rm.est2 = rm.name2 == null ? null : estimators.get(rm.name2);
                            held.merge(rm.name1, 1, Integer::sum);
                            if (rm.name2 != null) held.merge(rm.name2, 1, Integer::sum);
                        }
                    }
                }
            }
            for (String n : estimators.keySet()) refs.computeIfAbsent(n, k -> new int[2]);
            refs.entrySet().removeIf(e -> {
                e.getValue()[fam] = held.getOrDefault(e.getKey(), 0);
                boolean gone = e.getValue()[0] + e.getValue()[1] == 0;
                if (gone) estimators.remove(e.getKey());
                return gone;
            });
        }

        /** The estimator of that name, null for none (for tests and listings). */
        GenEstimator find(String name) {
            return estimators.get(name);
        }
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("RATEEST", XtOptions.entry("rateest-name", 0),
                XtOptions.entry("rateest-interval", 1), XtOptions.entry("rateest-ewmalog", 2));
        String name;
        long intervalUs, ewmaUs;

        Parser() {
            opts.mandatory = 0b111;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            switch (e.id()) {
                case 0 -> name = v.length() > 15 ? v.substring(0, 15) : v; // XTOPT_PUT into name[IFNAMSIZ]
                case 1 -> {
                    intervalUs = time(v);
                    if (intervalUs < 0) throw new RuleError("RATEEST: bad interval value \"" + v + "\"");
                }
                default -> {
                    ewmaUs = time(v);
                    if (ewmaUs < 0) throw new RuleError("RATEEST: bad ewmalog value \"" + v + "\"");
                }
            }
            return true;
        }

        /** RATEEST_get_time (iproute's get_time): a number of microseconds, or with s/sec/secs, ms/msec/msecs, us/usec/usecs. */
        static long time(String s) {
            int[] end = new int[1];
            double t = RateestMatch.strtod(s, end);
            if (end[0] == 0) return -1;
            String unit = s.substring(end[0]).toLowerCase(java.util.Locale.ROOT);
            double scale = switch (unit) {
                case "" -> 1;
                case "s", "sec", "secs" -> 1e6;
                case "ms", "msec", "msecs" -> 1e3;
                case "us", "usec", "usecs" -> 1;
                default -> -1;
            };
            if (scale < 0) return -1;
            return (long) (t * scale) & 0xFFFFFFFFL; // *time = t: an unsigned int
        }

        @Override
        Object finish(RuleSpec spec) {
            // RATEEST_final_check runs before xtables_options_fcheck's mandatory-option check
            int interval = 0;
            while (interval <= 5 && intervalUs > (1L << interval) * 250_000) interval++;
            if (interval > 5) throw new RuleError("RATEEST: interval value is too large");
            int ewmaLog = 1;
            for (; ewmaLog < 32; ewmaLog++) {
                double w = 1.0 - 1.0 / (1L << ewmaLog);
                if (intervalUs / -Math.log(w) > ewmaUs) break;
            }
            ewmaLog--;
            if (ewmaLog == 0 || ewmaLog >= 31) throw new RuleError("RATEEST: ewmalog value is out of range");
            opts.fcheck();
            if (spec.ruleset != null) {
                // xt_rateest_tg_checkentry: an estimator of that name must have these parameters
                RateestTarget other = spec.ruleset.rateestTarget(name);
                if (other != null && (other.interval != interval - 2 || other.ewmaLog != ewmaLog)) throw kernelRefuses();
            }
            return new RateestTarget(name, interval - 2, ewmaLog);
        }
    }
}

package jnat.rules;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * -m time (libxt_time.c, xt_time.c): the packet's real time (CLOCK_REALTIME when the rule sees
 * it, UTC unless --kerneltz subtracts the kernel's timezone) within a date range, a daytime
 * range (wrapping past midnight when it ends before it starts), on given weekdays and monthdays.
 */
public final class TimeMatch implements Match {
    static final int LOCAL_TZ = 1, CONTIGUOUS = 2;
    static final int ALL_MONTHDAYS = 0xFFFFFFFE, ALL_WEEKDAYS = 0xFE, MAX_DAYTIME = 24 * 60 * 60 - 1;
    static final int DAY = 86400;
    static final String[] WEEK_DAYS = {null, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

    /** Seconds since the epoch (unsigned 32-bit, as xt_time_info keeps them); daytime in seconds. */
    public final long dateStart, dateStop;
    public final int daytimeStart, daytimeStop, monthdays, weekdays, flags;

    TimeMatch(long dateStart, long dateStop, int daytimeStart, int daytimeStop, int monthdays, int weekdays, int flags) {
        this.dateStart = dateStart;
        this.dateStop = dateStop;
        this.daytimeStart = daytimeStart;
        this.daytimeStop = daytimeStop;
        this.monthdays = monthdays;
        this.weekdays = weekdays;
        this.flags = flags;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "time";
    }

    /** time_mt over ktime_get_real_seconds(), with localtime_1/2/3's day, weekday (1 Monday) and monthday. */
    @Override
    public boolean matches(PacketContext ctx) {
        long stamp = Math.floorDiv(ctx.realTime(), 1_000_000_000L);
        if ((flags & LOCAL_TZ) != 0) stamp -= 60L * ctx.tzMinutesWest();
        if (stamp < dateStart || stamp > dateStop) return false;
        int packetTime = (int) Math.floorMod(stamp, DAY);
        if (daytimeStart < daytimeStop) {
            if (packetTime < daytimeStart || packetTime > daytimeStop) return false;
        } else {
            if (packetTime < daytimeStart && packetTime > daytimeStop) return false;
            if ((flags & CONTIGUOUS) != 0 && packetTime <= daytimeStop) stamp -= DAY;
        }
        long days = Math.floorDiv(stamp, DAY);
        int weekday = (int) Math.floorMod(days + 3, 7) + 1; // 1970-01-01 was a Thursday (4)
        if ((weekdays & 1 << weekday) == 0) return false;
        if (monthdays != ALL_MONTHDAYS) {
            int monthday = java.time.LocalDate.ofEpochDay(days).getDayOfMonth();
            if ((monthdays & 1 << monthday) == 0) return false;
        }
        return true;
    }

    private static String hms(int t) {
        return String.format("%02d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    }

    private static String date(long t, char sep) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t, 0, ZoneOffset.UTC);
        return String.format("%04d-%02d-%02d%c%02d:%02d:%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth(), sep,
                d.getHour(), d.getMinute(), d.getSecond());
    }

    private void weekdays(StringBuilder out) {
        out.append(' ');
        boolean any = false;
        for (int i = 1; i <= 7; i++) {
            if ((weekdays & 1 << i) == 0) continue;
            if (any) out.append(',');
            out.append(WEEK_DAYS[i]);
            any = true;
        }
    }

    private void monthdays(StringBuilder out, boolean human) {
        out.append(' ');
        boolean any = false;
        for (int i = 1; i <= 31; i++) {
            if ((monthdays & 1 << i) == 0) continue;
            if (any) out.append(',');
            out.append(i);
            if (human) out.append(switch (i % 10) {
                case 1 -> "st";
                case 2 -> "nd";
                case 3 -> "rd";
                default -> "th";
            });
            any = true;
        }
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" TIME");
        if (daytimeStart != 0 || daytimeStop != MAX_DAYTIME) {
            out.append(" from ").append(hms(daytimeStart)).append(" to ").append(hms(daytimeStop));
        }
        if (weekdays != ALL_WEEKDAYS) {
            out.append(" on");
            weekdays(out);
        }
        if (monthdays != ALL_MONTHDAYS) {
            out.append(" on");
            monthdays(out, true);
        }
        if (dateStart != 0) out.append(" starting from ").append(date(dateStart, ' '));
        if (dateStop != Integer.MAX_VALUE) out.append(" until date").append(dateStop == 0 ? "" : " " + date(dateStop, ' '));
        if ((flags & LOCAL_TZ) == 0) out.append(" UTC");
        if ((flags & CONTIGUOUS) != 0) out.append(" contiguous");
    }

    @Override
    public void save(StringBuilder out) {
        if (daytimeStart != 0 || daytimeStop != MAX_DAYTIME) {
            out.append(" --timestart ").append(hms(daytimeStart)).append(" --timestop ").append(hms(daytimeStop));
        }
        if (monthdays != ALL_MONTHDAYS) {
            out.append(" --monthdays");
            monthdays(out, false);
        }
        if (weekdays != ALL_WEEKDAYS) {
            out.append(" --weekdays");
            weekdays(out);
        }
        // time_print_date skips 0 and LONG_MAX (never INT_MAX, so the default stop date is saved)
        if (dateStart != 0) out.append(" --datestart ").append(date(dateStart, 'T'));
        if (dateStop != 0) out.append(" --datestop ").append(date(dateStop, 'T'));
        if ((flags & LOCAL_TZ) != 0) out.append(" --kerneltz");
        if ((flags & CONTIGUOUS) != 0) out.append(" --contiguous");
    }

    static final class Parser extends ModuleParser {
        static final int O_DATE_START = 0, O_DATE_STOP = 1, O_TIME_START = 2, O_TIME_STOP = 3, O_CONTIGUOUS = 4,
                O_MONTHDAYS = 5, O_WEEKDAYS = 6, O_LOCAL_TZ = 7, O_UTC = 8, O_KERNEL_TZ = 9;
        private final XtOptions opts = new XtOptions("time",
                XtOptions.entry("datestart", O_DATE_START), XtOptions.entry("datestop", O_DATE_STOP),
                XtOptions.entry("timestart", O_TIME_START), XtOptions.entry("timestop", O_TIME_STOP),
                XtOptions.entry("contiguous", O_CONTIGUOUS),
                new XtOptions.Entry("weekdays", O_WEEKDAYS, true, 0, 0, false),
                new XtOptions.Entry("monthdays", O_MONTHDAYS, true, 0, 0, false),
                new XtOptions.Entry("localtz", O_LOCAL_TZ, false, 1 << O_UTC, 0, false),
                new XtOptions.Entry("utc", O_UTC, false, 1 << O_LOCAL_TZ | 1 << O_KERNEL_TZ, 0, false),
                new XtOptions.Entry("kerneltz", O_KERNEL_TZ, false, 1 << O_UTC, 0, false));
        long dateStart, dateStop = Integer.MAX_VALUE;
        int daytimeStart, daytimeStop = MAX_DAYTIME, monthdays = ALL_MONTHDAYS, weekdays = ALL_WEEKDAYS, flags;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            boolean none = e.id() == O_CONTIGUOUS || e.id() >= O_LOCAL_TZ;
            String v = none ? null : args.value(opt);
            opts.parse(e, invert);
            switch (e.id()) {
                case O_DATE_START -> dateStart = date(v);
                case O_DATE_STOP -> dateStop = date(v);
                case O_TIME_START -> daytimeStart = minutes(v);
                case O_TIME_STOP -> daytimeStop = minutes(v);
                case O_CONTIGUOUS -> flags |= CONTIGUOUS;
                case O_LOCAL_TZ, O_KERNEL_TZ -> flags |= LOCAL_TZ;
                case O_MONTHDAYS -> monthdays = monthdays(v) ^ (invert ? ALL_MONTHDAYS : 0);
                case O_WEEKDAYS -> weekdays = weekdays(v) ^ (invert ? ALL_WEEKDAYS : 0);
                default -> { } // --utc: the default
            }
            return true;
        }

        /** strtoul(s, &e, 10): the number and where it stops ({value, end}); no digits gives 0 at the start. */
        private static long[] strtoul10(String s, int from) {
            int i = from;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            boolean neg = i < s.length() && s.charAt(i) == '-';
            if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) i++;
            int start = i;
            long v = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && v < 1L << 40) v = v * 10 + (s.charAt(i++) - '0');
            if (i == start) return new long[] {0, from};
            return new long[] {neg ? 0xFFFFFFFFL & -v : v, i};
        }

        private static char at(String s, long i) {
            return i < s.length() ? s.charAt((int) i) : '\0';
        }

        /** time_parse_date: YYYY[-MM[-DD[Thh[:mm[:ss]]]]] as UTC, 1970 to 2038. */
        static long date(String s) {
            RuleError bad = new RuleError("Invalid date \"" + s + "\" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]");
            long[] f = {1970, 1, 1, 0, 0, 0};
            char[] seps = {'-', '-', 'T', ':', ':', '\0'};
            long[] lim = {2038, 12, 31, 23, 59, 59};
            int pos = 0;
            for (int k = 0; k < 6; k++) {
                long[] r = strtoul10(s, pos);
                f[k] = r[0];
                char e = at(s, r[1]);
                if ((e != seps[k] && e != '\0') || f[k] > lim[k] || (k == 0 && f[k] < 1970)) throw bad;
                if (e == '\0') {
                    for (int j = k + 1; j < 6; j++) f[j] = j < 3 ? 1 : 0;
                    break;
                }
                pos = (int) r[1] + 1;
            }
            // mktime normalises out-of-range days and months (day 0, month 0) as timegm does
            return LocalDateTime.of((int) f[0], 1, 1, 0, 0).plusMonths(f[1] - 1).plusDays(f[2] - 1).plusHours(f[3])
                    .plusMinutes(f[4]).plusSeconds(f[5]).toEpochSecond(ZoneOffset.UTC);
        }

        /** time_parse_minutes: hh:mm[:ss]. */
        static int minutes(String s) {
            long[] h = strtoul10(s, 0);
            if (at(s, h[1]) != ':' || h[0] > 23) throw badTime(s);
            long[] m = strtoul10(s, (int) h[1] + 1);
            char e = at(s, m[1]);
            if ((e != ':' && e != '\0') || m[0] > 59) throw badTime(s.substring((int) h[1] + 1));
            long sec = 0;
            if (e == ':') {
                long[] x = strtoul10(s, (int) m[1] + 1);
                if (at(s, x[1]) != '\0' || x[0] > 59) throw badTime(s.substring((int) m[1] + 1));
                sec = x[0];
            }
            return (int) (3600 * h[0] + 60 * m[0] + sec);
        }

        private static RuleError badTime(String rest) {
            return new RuleError("invalid time \"" + rest + "\" specified, should be hh:mm[:ss] format and within the boundaries");
        }

        /** my_strseg: comma-separated pieces, each cut to buflen - 1 characters. */
        private static java.util.List<String> segments(String arg, int buflen) {
            java.util.List<String> out = new java.util.ArrayList<>();
            if (arg.isEmpty()) return out;
            for (String p : arg.split(",", -1)) {
                out.add(p.length() > buflen - 1 ? p.substring(0, buflen - 1) : p);
            }
            if (arg.endsWith(",")) out.removeLast(); // a trailing comma leaves an empty rest, which ends the loop
            return out;
        }

        static int monthdays(String arg) {
            int ret = 0;
            for (String day : segments(arg, 3)) {
                int[] end = new int[1];
                long i = day.isEmpty() ? 0 : strtoumaxPrefix(day, end);
                boolean clean = day.isEmpty() || (i >= 0 && end[0] == day.length());
                if (i < 0) {
                    i = 0;
                    clean = false;
                }
                if (!clean || i > 31) throw new RuleError(day + " is not a valid day for --monthdays");
                ret |= 1 << i;
            }
            return ret;
        }

        static int weekdays(String arg) {
            int ret = 0;
            for (String day : segments(arg, 4)) {
                int[] end = new int[1];
                long i = day.isEmpty() ? -1 : strtoumaxPrefix(day, end);
                if (day.isEmpty() || (i >= 0 && end[0] == day.length())) {
                    if (day.isEmpty() || i == 0) throw new RuleError("No, the week does NOT begin with Sunday.");
                    ret |= 1 << (i & 31);
                    continue;
                }
                boolean valid = false;
                for (int k = 1; k < WEEK_DAYS.length; k++) {
                    if (day.length() >= 2 && day.startsWith(WEEK_DAYS[k].substring(0, 2))) {
                        ret |= 1 << k;
                        valid = true;
                    }
                }
                if (!valid) throw new RuleError(day + " is not a valid day specifier");
            }
            return ret;
        }

        @Override
        Object finish(RuleSpec spec) {
            // xtables_option_mfcheck: the extension's x6_fcheck, then the option table's checks
            if ((flags & CONTIGUOUS) != 0 && daytimeStart < daytimeStop) {
                throw new RuleError("time: --contiguous only makes sense when stoptime is smaller than starttime");
            }
            opts.fcheck();
            return new TimeMatch(dateStart, dateStop, daytimeStart, daytimeStop, monthdays, weekdays, flags);
        }
    }
}

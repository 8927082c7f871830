package jnat.rules;

/**
 * -m limit --limit N/UNIT --limit-burst B (xt_limit.c, libxt_limit.c): a token bucket per rule.
 * The kernel counts credits: CREDITS_PER_JIFFY a jiffy (HZ 250, Debian's), a packet costs
 * user2credits(avg), the bucket holds user2credits(avg * burst) and starts full. The jiffies are
 * the engine's clock ({@link PacketContext#now}). iptables-nft 1.8.9 stores the rate as nft's
 * rate/unit pair and reads it back (add_nft_limit, nft_parse_limit), so a rate is listed as that
 * round trip leaves it, and a burst of 0 comes back as nft_limit's default 5.
 */
public final class LimitMatch implements Match {
    /** XT_LIMIT_SCALE: avg is the period between packets in 1/10000 s. */
    static final int SCALE = 10000;
    static final int HZ = 250;
    /** POW2_BELOW32(0xFFFFFFFF / (HZ*60*60*24)): 128 at HZ 250. */
    static final int CREDITS_PER_JIFFY = pow2Below(0xFFFFFFFFL / (HZ * 60L * 60 * 24));
    static final int DEFAULT_BURST = 5;
    private static final long[] MULT = {SCALE * 24L * 60 * 60, SCALE * 60L * 60, SCALE * 60L, SCALE};
    private static final String[] NAMES = {"day", "hour", "min", "sec"};

    public final int avg, burst;
    /** struct xt_rateinfo's credit_cap and cost, and xt_limit_priv's prev (jiffies) and credit. */
    final long creditCap, cost;
    private long prev = Long.MIN_VALUE;
    private long credit;

    LimitMatch(int avg, int burst) {
        this.avg = avg;
        this.burst = burst;
        this.creditCap = user2credits((avg & 0xFFFFFFFFL) * burst);
        this.cost = user2credits(avg & 0xFFFFFFFFL);
        this.credit = creditCap;
    }

    private static int pow2Below(long x) {
        long v = x | x >> 1;
        v |= v >> 2;
        v |= v >> 4;
        v |= v >> 8;
        v |= v >> 16;
        return (int) ((v >> 1) + 1);
    }

    /**
     * user2credits: dividing first where the kernel's u32 multiplication would overflow. Kept in 64
     * bits past that: iptables-nft loads avg * burst products xt_limit's check would refuse (1/day,
     * burst 10000) into nft_limit, whose nanosecond tokens do not wrap.
     */
    static long user2credits(long user) {
        if (user > 0xFFFFFFFFL / ((long) HZ * CREDITS_PER_JIFFY)) return (user / SCALE) * HZ * CREDITS_PER_JIFFY;
        return user * HZ * CREDITS_PER_JIFFY / SCALE;
    }

    @Override
    public String name() {
        return "limit";
    }

    /** limit_mt: credits for the jiffies since the last packet, capped; the packet passes if it can pay. */
    @Override
    public boolean matches(PacketContext ctx) {
        long now = ctx.now() / (1_000_000_000L / HZ);
        if (prev == Long.MIN_VALUE) prev = now; // limit_mt_check: priv->prev = jiffies, when the rule is loaded
        if (credit < cost && prev == now) return false; // the fast path: nothing to update
        long c = credit + (now - prev) * CREDITS_PER_JIFFY;
        prev = now;
        if (c > creditCap) c = creditCap;
        boolean ok = c >= cost;
        credit = ok ? c - cost : c;
        return ok;
    }

    /** print_rate: the largest unit whose rate is exact enough. */
    static void printRate(StringBuilder out, long period) {
        int i;
        for (i = 1; i < MULT.length; i++) {
            if (period > MULT[i] || MULT[i] / period < MULT[i] % period) break;
        }
        out.append(' ').append(MULT[i - 1] / period).append('/').append(NAMES[i - 1]);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" limit: avg");
        printRate(out, avg);
        out.append(" burst ").append(burst);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --limit");
        printRate(out, avg);
        if (burst != DEFAULT_BURST) out.append(" --limit-burst ").append(burst);
    }

    /** add_nft_limit then nft_parse_limit: avg as rate per unit and back. */
    static int throughNft(int avg) {
        int i;
        for (i = 1; i < MULT.length; i++) {
            if (avg > MULT[i] || MULT[i] / avg < MULT[i] % avg) break;
        }
        long rate = MULT[i - 1] / avg, unit = MULT[i - 1] / SCALE;
        return (int) (SCALE * unit / rate);
    }

    /** parse_rate: N[/second|minute|hour|day] (any prefix of the unit), avg = SCALE * mult / N; 0 on error. */
    static int parseRate(String rate) {
        int slash = rate.indexOf('/');
        long mult = 1;
        if (slash >= 0) {
            String u = rate.substring(slash + 1).toLowerCase();
            if (u.isEmpty()) return 0;
            if ("second".startsWith(u)) mult = 1;
            else if ("minute".startsWith(u)) mult = 60;
            else if ("hour".startsWith(u)) mult = 60 * 60;
            else if ("day".startsWith(u)) mult = 24 * 60 * 60;
            else return 0;
        }
        long r = atoi(slash < 0 ? rate : rate.substring(0, slash));
        if (r == 0) return 0;
        long v = (SCALE * mult & 0xFFFFFFFFL) / r;
        if (v == 0) throw new RuleError("Rate too fast \"" + rate + "\"");
        return (int) v;
    }

    /** atoi, as u32: leading digits, 0 when none. */
    private static long atoi(String s) {
        String t = s.stripLeading();
        int i = t.startsWith("+") || t.startsWith("-") ? 1 : 0;
        int j = i;
        while (j < t.length() && Character.isDigit(t.charAt(j))) j++;
        if (j == i) return 0;
        long v;
        try {
            v = Long.parseLong(t.substring(i, j));
        } catch (NumberFormatException e) {
            v = -1; // atoi's overflow is undefined; glibc gives INT_MAX or worse
        }
        if (t.startsWith("-")) v = -v;
        return v & 0xFFFFFFFFL;
    }

    static final class Parser extends ModuleParser {
        int avg = parseRate("3/hour"), burst = DEFAULT_BURST;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--limit" -> {
                    String v = args.value(opt);
                    noInvert("limit", opt, invert);
                    int a = parseRate(v);
                    if (a == 0) throw new RuleError("bad rate \"" + v + "\"'");
                    avg = a;
                }
                case "--limit-burst" -> {
                    String v = args.value(opt);
                    noInvert("limit", opt, invert);
                    burst = (int) number("limit", opt, v, 10000);
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            return new LimitMatch(throughNft(avg), burst == 0 ? DEFAULT_BURST : burst);
        }
    }
}

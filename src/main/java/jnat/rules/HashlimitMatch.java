package jnat.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * -m hashlimit revision 3 (xt_hashlimit.c, libxt_hashlimit.c): a token bucket per group of
 * packets (by source and/or destination address under a prefix, and/or ports), in a named table of
 * the namespace per family, as iptables-nft 1.8.9 loads it through nft_compat. Packets or bytes
 * (a rate in b/s), and --hashlimit-rate-match's windows. Jiffies are the engine's clock at HZ 250
 * ({@link LimitMatch#HZ}); the table's garbage collection runs every --hashlimit-htable-gcinterval
 * of that clock, when a packet comes (the kernel's delayed work, on the packets' time), and frees
 * the entries whose --hashlimit-htable-expire passed.
 */
public final class HashlimitMatch implements Match {
    // XT_HASHLIMIT_* mode bits (xt_hashlimit.h)
    static final int HASH_DIP = 1, HASH_DPT = 2, HASH_SIP = 4, HASH_SPT = 8, INVERT = 0x10, BYTES = 0x20, RATE_MATCH = 0x40;
    static final long SCALE_V2 = 1_000_000L;
    static final int BYTE_SHIFT = 4;
    static final int GCINTERVAL = 1000;
    static final int HZ = LimitMatch.HZ;
    /** CREDITS_PER_JIFFY: POW2_BELOW64(U64_MAX / (HZ*60*60*24)), 2^39 at HZ 250. */
    static final long CREDITS_PER_JIFFY = Long.highestOneBit(Long.divideUnsigned(-1L, HZ * 60L * 60 * 24));
    /** CREDITS_PER_JIFFY_BYTES: POW2_BELOW32(0xFFFFFFFF / HZ), 2^24 at HZ 250. */
    static final long CREDITS_PER_JIFFY_BYTES = Long.highestOneBit(0xFFFFFFFFL / HZ);

    /** struct hashlimit_cfg3: mode, avg, burst (u64), size, max, gc_interval, expire, srcmask, dstmask, interval. */
    final int mode;
    final long avg, burst;
    final int size, max, gcInterval, expire, srcmask, dstmask, interval;
    final String name;
    final boolean ipv6;
    /** The table, bound by {@link Net#bind} (the first rule naming it configured it, as htable_create copies that rule's cfg). */
    Htable table;

    private HashlimitMatch(Parser p, boolean ipv6) {
        this.mode = p.mode;
        this.avg = p.avg;
        this.burst = p.burst;
        this.size = p.size;
        this.max = p.max;
        this.gcInterval = p.gcInterval;
        this.expire = p.expire;
        this.srcmask = p.srcmask;
        this.dstmask = p.dstmask;
        this.interval = p.interval;
        this.name = p.name;
        this.ipv6 = ipv6;
    }

    @Override
    public String name() {
        return "hashlimit";
    }

    /** user2credits (revision 3): avoid the overflow by dividing the constant operands first. */
    static long user2credits(long user) {
        long hzCpj = HZ * CREDITS_PER_JIFFY;
        if (Long.compareUnsigned(SCALE_V2, hzCpj) >= 0) return Long.divideUnsigned(user, SCALE_V2 / hzCpj);
        return user * (hzCpj / SCALE_V2);
    }

    static long user2creditsByte(long user) {
        return (user & 0xFFFFFFFFL) * HZ * CREDITS_PER_JIFFY_BYTES >>> 32 & 0xFFFFFFFFL;
    }

    /** maskl: the top {@code l} bits of an IPv4 address. */
    private static long maskl(long a, int l) {
        return l == 0 ? 0 : a & (0xFFFFFFFFL << (32 - l)) & 0xFFFFFFFFL;
    }

    /** hashlimit_ipv6_mask over hi (words 0-1) and lo (words 2-3). */
    private static long mask6(long v, int prefix, boolean hi) {
        int bits = hi ? prefix : prefix - 64;
        if (bits <= 0) return 0;
        if (bits >= 64) return v;
        return v & -1L << (64 - bits);
    }

    /** hashlimit_mt_common. */
    @Override
    public boolean matches(PacketContext ctx) {
        Htable t = table;
        if (t == null) throw new IllegalStateException("hashlimit table " + name + " is not bound: HashlimitMatch.Net.bind the ruleset first");
        long now = ctx.now() / (1_000_000_000L / HZ);
        t.gc(now);
        HashlimitMatch cfg = t.cfg;
        // hashlimit_init_dst, with the table's cfg
        long sHi = 0, sLo = 0, dHi = 0, dLo = 0;
        int ports = 0;
        if (ipv6) {
            if ((cfg.mode & HASH_DIP) != 0) {
                dHi = mask6(ctx.dstAddressHi(), cfg.dstmask, true);
                dLo = mask6(ctx.dstAddressLo(), cfg.dstmask, false);
            }
            if ((cfg.mode & HASH_SIP) != 0) {
                sHi = mask6(ctx.srcAddressHi(), cfg.srcmask, true);
                sLo = mask6(ctx.srcAddressLo(), cfg.srcmask, false);
            }
        } else {
            if ((cfg.mode & HASH_DIP) != 0) dLo = maskl(ctx.dstAddress() & 0xFFFFFFFFL, cfg.dstmask);
            if ((cfg.mode & HASH_SIP) != 0) sLo = maskl(ctx.srcAddress() & 0xFFFFFFFFL, cfg.srcmask);
        }
        if ((cfg.mode & (HASH_DPT | HASH_SPT)) != 0) {
            // proto_ports_offset: TCP, UDP, UDP-Lite, SCTP, DCCP at 0, ESP and AH's SPI words; others 0
            int p = ctx.protocol();
            int poff = switch (p) {
                case 6, 17, 136, 132, 33, 50 -> 0;
                case 51 -> 4;
                default -> -1;
            };
            if (poff >= 0) {
                if (ctx.nonFirstFragment() || ctx.transportLength() < poff + 4) {
                    ctx.hotdrop(); // skb_header_pointer found no ports
                    return false;
                }
                int sp = ctx.transportByte(poff) << 8 | ctx.transportByte(poff + 1);
                int dp = ctx.transportByte(poff + 2) << 8 | ctx.transportByte(poff + 3);
                if ((cfg.mode & HASH_SPT) != 0) ports |= sp << 16;
                if ((cfg.mode & HASH_DPT) != 0) ports |= dp;
            }
        }
        int e = t.find(sHi, sLo, dHi, dLo, ports);
        long expireJiffies = (cfg.expire + (1000L / HZ) - 1) / (1000L / HZ); // msecs_to_jiffies rounds up
        if (e < 0) {
            e = t.alloc(sHi, sLo, dHi, dLo, ports);
            if (e < 0) { // the table's max reached
                ctx.hotdrop();
                return false;
            }
            t.expires[e] = now + expireJiffies;
            t.init(e, now);
        } else {
            t.expires[e] = now + expireJiffies;
            t.recalc(e, now, cfg.mode);
        }
        if ((mode & RATE_MATCH) != 0) {
            long cost = (mode & BYTES) != 0 ? ctx.length() : 1;
            t.currentRate[e] += cost;
            if (t.prevWindow[e] == 0 && t.currentRate[e] <= t.credit[e]) return (mode & INVERT) == 0;
            return (mode & INVERT) != 0;
        }
        long cost = (mode & BYTES) != 0 ? t.byteCost(e, ctx.length()) : t.cost[e];
        if (Long.compareUnsigned(t.credit[e], cost) >= 0) {
            t.credit[e] -= cost;
            return (mode & INVERT) == 0;
        }
        return (mode & INVERT) != 0;
    }

    // ---- print and save (hashlimit_mt_print, hashlimit_mt_save) ----

    private static final long[] RATE_MULT = {SCALE_V2 * 24 * 60 * 60, SCALE_V2 * 60 * 60, SCALE_V2 * 60, SCALE_V2};
    private static final String[] RATE_NAMES = {"day", "hour", "min", "sec"};

    /** print_rate: the rate in the largest exact unit; the unit's length in ms (the default expire). */
    private static long printRate(StringBuilder out, long period) {
        if (period == 0) {
            out.append(" inf");
            return 0;
        }
        int i;
        for (i = 1; i < RATE_MULT.length; i++) {
            if (Long.compareUnsigned(period, RATE_MULT[i]) > 0
                    || Long.compareUnsigned(Long.divideUnsigned(RATE_MULT[i], period), Long.remainderUnsigned(RATE_MULT[i], period)) < 0) {
                break;
            }
        }
        out.append(' ').append(Long.toUnsignedString(Long.divideUnsigned(RATE_MULT[i - 1], period))).append('/').append(RATE_NAMES[i - 1]);
        return RATE_MULT[i - 1] / SCALE_V2 * 1000;
    }

    static long costToBytes(long cost) {
        long r = cost != 0 ? 0xFFFFFFFFL / cost : 0xFFFFFFFFL;
        return r - 1 << BYTE_SHIFT;
    }

    static long bytesToCost(long bytes) {
        long r = (bytes >>> BYTE_SHIFT) & 0xFFFFFFFFL;
        return 0xFFFFFFFFL / (r + 1);
    }

    private static final String[] UNIT_NAMES = {"m", "k", ""};
    private static final long[] UNIT_THRESH = {1024 * 1024, 1024, 1};

    /** print_bytes. */
    private static long printBytes(StringBuilder out, long avg, long burst, String prefix) {
        long r = costToBytes(avg);
        int i;
        for (i = 0; i < UNIT_THRESH.length - 1; i++) {
            if (r >= UNIT_THRESH[i] && bytesToCost(r & ~(UNIT_THRESH[i] - 1)) == avg) break;
        }
        out.append(' ').append(r / UNIT_THRESH[i]).append(UNIT_NAMES[i]).append("b/s");
        if (burst == 0) return 15 * 1000L;
        r *= burst;
        out.append(' ').append(prefix);
        for (i = 0; i < UNIT_THRESH.length - 1; i++) if (r >= UNIT_THRESH[i]) break;
        out.append("burst ").append(r / UNIT_THRESH[i]).append(UNIT_NAMES[i]).append('b');
        return 60 * 1000L;
    }

    private void printMode(StringBuilder out, char sep) {
        out.append(' ');
        boolean prev = false;
        String[] names = {"srcip", "srcport", "dstip", "dstport"};
        int[] bits = {HASH_SIP, HASH_SPT, HASH_DIP, HASH_DPT};
        for (int i = 0; i < 4; i++) {
            if ((mode & bits[i]) == 0) continue;
            if (prev) out.append(sep);
            out.append(names[i]);
            prev = true;
        }
    }

    private int defaultMask() {
        return ipv6 ? 128 : 32;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append((mode & INVERT) != 0 ? " limit: above" : " limit: up to");
        long quantum;
        if ((mode & BYTES) != 0) {
            quantum = printBytes(out, avg, burst, "");
        } else {
            long period = avg;
            if (interval != 0) period *= interval;
            quantum = printRate(out, period);
            out.append(" burst ").append(Long.toUnsignedString(burst));
        }
        if ((mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT)) != 0) {
            out.append(" mode");
            printMode(out, '-');
        }
        tail(out, "", quantum);
        if ((mode & RATE_MATCH) != 0) {
            out.append(" rate-match");
            if (interval != 1) out.append(" rate-interval ").append(interval & 0xFFFFFFFFL);
        }
    }

    @Override
    public void save(StringBuilder out) {
        out.append((mode & INVERT) != 0 ? " --hashlimit-above" : " --hashlimit-upto");
        long quantum;
        if ((mode & BYTES) != 0) {
            quantum = printBytes(out, avg, burst, "--hashlimit-");
        } else {
            quantum = printRate(out, avg);
            out.append(" --hashlimit-burst ").append(Long.toUnsignedString(burst));
        }
        if ((mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT)) != 0) {
            out.append(" --hashlimit-mode");
            printMode(out, ',');
        }
        out.append(" --hashlimit-name ").append(name);
        tail(out, "--hashlimit-", quantum);
        if ((mode & RATE_MATCH) != 0) {
            out.append(" --hashlimit-rate-match");
            if (interval != 1) out.append(" --hashlimit-rate-interval ").append(interval & 0xFFFFFFFFL);
        }
    }

    private void tail(StringBuilder out, String p, long quantum) {
        String sp = p.isEmpty() ? " " : " " + p;
        if (size != 0) out.append(sp).append("htable-size ").append(size & 0xFFFFFFFFL);
        if (max != 0) out.append(sp).append("htable-max ").append(max & 0xFFFFFFFFL);
        if (gcInterval != GCINTERVAL) out.append(sp).append("htable-gcinterval ").append(gcInterval & 0xFFFFFFFFL);
        if ((expire & 0xFFFFFFFFL) != (quantum & 0xFFFFFFFFL)) out.append(sp).append("htable-expire ").append(expire & 0xFFFFFFFFL);
        if (srcmask != defaultMask()) out.append(sp).append("srcmask ").append(srcmask);
        if (dstmask != defaultMask()) out.append(sp).append("dstmask ").append(dstmask);
    }

    /**
     * struct xt_hashlimit_htable: the creating rule's cfg, buckets of entries chained by index
     * (dsthash_ent: the group's key, expires, and rateinfo: prev, credit/credit_cap/cost or the
     * rate match's window), up to cfg.max entries, grown as entries come.
     */
    static final class Htable {
        final String name;
        final boolean ipv6;
        final HashlimitMatch cfg;
        /** cfg.size and cfg.max as htable_create settles them. */
        final int buckets, maxEntries;
        private final int[] heads;
        int count;
        private int cap = 0, free = -1;
        private int[] next = new int[0], ports = new int[0];
        private long[] srcHi = new long[0], srcLo = new long[0], dstHi = new long[0], dstLo = new long[0];
        long[] expires = new long[0], prev = new long[0], credit = new long[0], creditCap = new long[0], cost = new long[0];
        /** The rate match's fields (sharing the union's room in the kernel): prev_window, current_rate, interval, rate. */
        int[] prevWindow = new int[0];
        long[] currentRate = new long[0], rate = new long[0];
        private long lastGc = Long.MIN_VALUE;

        Htable(HashlimitMatch cfg) {
            this.name = cfg.name;
            this.ipv6 = cfg.ipv6;
            this.cfg = cfg;
            // totalram above 1 GiB: 8192 buckets (htable_create)
            this.buckets = cfg.size != 0 ? cfg.size : 8192;
            int m = cfg.max;
            this.maxEntries = m == 0 ? 8 * buckets : Integer.compareUnsigned(m, buckets) < 0 ? buckets : m;
            this.heads = new int[buckets];
            java.util.Arrays.fill(heads, -1);
        }

        private int bucket(long sHi, long sLo, long dHi, long dLo, int p) {
            long h = sHi * 0x9E3779B97F4A7C15L ^ sLo * 0xC2B2AE3D27D4EB4FL ^ dHi * 0x165667B19E3779F9L ^ dLo * 0x27D4EB2F165667C5L ^ p;
            h ^= h >>> 29;
            return (int) Long.remainderUnsigned(h * 0x9E3779B97F4A7C15L >>> 16, buckets);
        }

        int find(long sHi, long sLo, long dHi, long dLo, int p) {
            for (int e = heads[bucket(sHi, sLo, dHi, dLo, p)]; e >= 0; e = next[e]) {
                if (srcHi[e] == sHi && srcLo[e] == sLo && dstHi[e] == dHi && dstLo[e] == dLo && ports[e] == p) return e;
            }
            return -1;
        }

        /** dsthash_alloc_init: -1 when the table holds max entries. */
        int alloc(long sHi, long sLo, long dHi, long dLo, int p) {
            if (Integer.compareUnsigned(count, maxEntries) >= 0) return -1;
            if (free < 0) grow();
            int e = free;
            free = next[e];
            srcHi[e] = sHi;
            srcLo[e] = sLo;
            dstHi[e] = dHi;
            dstLo[e] = dLo;
            ports[e] = p;
            int b = bucket(sHi, sLo, dHi, dLo, p);
            next[e] = heads[b]; // hlist_add_head
            heads[b] = e;
            count++;
            return e;
        }

        private void grow() {
            int n = Math.max(16, cap * 2);
            next = java.util.Arrays.copyOf(next, n);
            ports = java.util.Arrays.copyOf(ports, n);
            srcHi = java.util.Arrays.copyOf(srcHi, n);
            srcLo = java.util.Arrays.copyOf(srcLo, n);
            dstHi = java.util.Arrays.copyOf(dstHi, n);
            dstLo = java.util.Arrays.copyOf(dstLo, n);
            expires = java.util.Arrays.copyOf(expires, n);
            prev = java.util.Arrays.copyOf(prev, n);
            credit = java.util.Arrays.copyOf(credit, n);
            creditCap = java.util.Arrays.copyOf(creditCap, n);
            cost = java.util.Arrays.copyOf(cost, n);
            prevWindow = java.util.Arrays.copyOf(prevWindow, n);
            currentRate = java.util.Arrays.copyOf(currentRate, n);
            rate = java.util.Arrays.copyOf(rate, n);
            for (int i = n - 1; i >= cap; i--) {
                next[i] = free;
                free = i;
            }
            cap = n;
        }

        /** rateinfo_init, from the table's cfg; the rate match keeps its burst in credit. */
        void init(int e, long now) {
            prev[e] = now;
            if ((cfg.mode & RATE_MATCH) != 0) {
                prevWindow[e] = 0;
                currentRate[e] = 0;
                if ((cfg.mode & BYTES) != 0) {
                    long r = costToBytes(cfg.avg & 0xFFFFFFFFL); // user2rate_bytes
                    rate[e] = r;
                    credit[e] = cfg.burst != 0 ? cfg.burst * r : r;
                } else {
                    rate[e] = cfg.avg != 0 ? Long.divideUnsigned(SCALE_V2, cfg.avg) : 0; // user2rate
                    credit[e] = cfg.burst + rate[e];
                }
            } else if ((cfg.mode & BYTES) != 0) {
                credit[e] = CREDITS_PER_JIFFY_BYTES * HZ;
                cost[e] = user2creditsByte(cfg.avg);
                creditCap[e] = cfg.burst;
            } else {
                credit[e] = user2credits(cfg.avg * cfg.burst);
                cost[e] = user2credits(cfg.avg);
                creditCap[e] = credit[e];
            }
        }

        /** rateinfo_recalc. */
        void recalc(int e, long now, int mode) {
            long delta = now - prev[e];
            if (delta == 0) return;
            if ((mode & RATE_MATCH) != 0) {
                long iv = (cfg.interval & 0xFFFFFFFFL) * HZ;
                if (Long.compareUnsigned(delta, iv) < 0) return;
                prev[e] = now;
                prevWindow[e] = Long.compareUnsigned(currentRate[e] * iv, delta * rate[e]) > 0 ? 1 : 0;
                currentRate[e] = 0;
                return;
            }
            prev[e] = now;
            long c;
            if ((mode & BYTES) != 0) {
                long tmp = credit[e];
                credit[e] += CREDITS_PER_JIFFY_BYTES * delta;
                c = CREDITS_PER_JIFFY_BYTES * HZ;
                if (Long.compareUnsigned(tmp, credit[e]) >= 0) { // overflow
                    credit[e] = c;
                    return;
                }
            } else {
                credit[e] += delta * CREDITS_PER_JIFFY;
                c = creditCap[e];
            }
            if (Long.compareUnsigned(credit[e], c) > 0) credit[e] = c;
        }

        /** hashlimit_byte_cost: the packet's 16-byte chunks, refilling from credit_cap when short. */
        long byteCost(int e, int len) {
            long tmp = ((len & 0xFFFFFFFFL) >>> BYTE_SHIFT) + 1;
            tmp = tmp * cost[e];
            if (Long.compareUnsigned(tmp, CREDITS_PER_JIFFY_BYTES * HZ) > 0) tmp = CREDITS_PER_JIFFY_BYTES * HZ;
            if (Long.compareUnsigned(credit[e], tmp) < 0 && creditCap[e] != 0) {
                creditCap[e]--;
                credit[e] = CREDITS_PER_JIFFY_BYTES * HZ;
            }
            return tmp & 0xFFFFFFFFL;
        }

        /** htable_gc every gc_interval: entries whose expiry came (select_gc: time_after_eq) are freed. */
        void gc(long now) {
            long every = (cfg.gcInterval + (1000L / HZ) - 1) / (1000L / HZ);
            if (lastGc == Long.MIN_VALUE) lastGc = now; // queued when the table was created
            if (now - lastGc < every) return;
            lastGc = now;
            for (int b = 0; b < buckets; b++) {
                int p = -1;
                for (int e = heads[b]; e >= 0;) {
                    int n = next[e];
                    if (now - expires[e] >= 0) {
                        if (p < 0) heads[b] = n;
                        else next[p] = n;
                        next[e] = free;
                        free = e;
                        count--;
                    } else {
                        p = e;
                    }
                    e = n;
                }
            }
        }

        /** /proc/net/ip[6]t_hashlimit/NAME (dl_seq_print after rateinfo_recalc), bucket by bucket. */
        String show(long nowNs) {
            long now = nowNs / (1_000_000_000L / HZ);
            StringBuilder out = new StringBuilder();
            for (int b = 0; b < buckets; b++) {
                for (int e = heads[b]; e >= 0; e = next[e]) {
                    recalc(e, now, cfg.mode);
                    out.append((expires[e] - now) / HZ).append(' ');
                    out.append(ipv6 ? Inet6.format(srcHi[e], srcLo[e]) : Inet.format((int) srcLo[e])).append(':').append(ports[e] >>> 16)
                            .append("->").append(ipv6 ? Inet6.format(dstHi[e], dstLo[e]) : Inet.format((int) dstLo[e])).append(':')
                            .append(ports[e] & 0xFFFF).append(' ').append(Long.toUnsignedString(credit[e])).append(' ')
                            .append(Long.toUnsignedString(creditCap[e])).append(' ').append(Long.toUnsignedString(cost[e])).append('\n');
                }
            }
            return out.toString();
        }
    }

    /** The namespace's tables (struct hashlimit_net), one list per family as htable_find_get looks them up. */
    public static final class Net {
        private final Map<String, Htable> tables4 = new HashMap<>(), tables6 = new HashMap<>();

        /** hashlimit_mt_check for every rule of {@code rules}, htable_put for the family's previous ones. */
        public void bind(Ruleset rules) {
            Map<String, Htable> tables = rules.ipv6 ? tables6 : tables4;
            List<HashlimitMatch> matches = new ArrayList<>();
            for (Table t : rules.tables()) {
                for (Chain c : t.chains()) {
                    for (Rule r : c.rules()) {
                        for (Match m : r.matches) if (m instanceof HashlimitMatch h) matches.add(h);
                    }
                }
            }
            Map<String, Integer> refs = new HashMap<>();
            for (HashlimitMatch m : matches) {
                m.table = tables.computeIfAbsent(m.name, n -> new Htable(m));
                refs.merge(m.name, 1, Integer::sum);
            }
            tables.values().removeIf(t -> !refs.containsKey(t.name));
        }

        /** The table's /proc/net/ipt_hashlimit/NAME (ip6t_hashlimit for IPv6) at {@code nowNs}, or null without one. */
        public String show(String name, boolean ipv6, long nowNs) {
            Htable t = (ipv6 ? tables6 : tables4).get(name);
            return t == null ? null : t.show(nowNs);
        }
    }

    static final class Parser extends ModuleParser {
        private static final int O_UPTO = 0, O_ABOVE = 1, O_MODE = 3, O_SRCMASK = 4, O_DSTMASK = 5, O_NAME = 6,
                O_BURST = 7, O_HTABLE_SIZE = 8, O_HTABLE_MAX = 9, O_HTABLE_GCINT = 10, O_HTABLE_EXPIRE = 11,
                O_RATEMATCH = 12, O_INTERVAL = 13;
        private final XtOptions opts = new XtOptions("hashlimit",
                new XtOptions.Entry("hashlimit-upto", O_UPTO, true, 1 << O_ABOVE, 0, false),
                new XtOptions.Entry("hashlimit-above", O_ABOVE, true, 1 << O_UPTO, 0, false),
                new XtOptions.Entry("hashlimit", O_UPTO, true, 1 << O_ABOVE, 0, false),
                XtOptions.entry("hashlimit-srcmask", O_SRCMASK),
                XtOptions.entry("hashlimit-dstmask", O_DSTMASK),
                XtOptions.entry("hashlimit-burst", O_BURST),
                XtOptions.entry("hashlimit-htable-size", O_HTABLE_SIZE),
                XtOptions.entry("hashlimit-htable-max", O_HTABLE_MAX),
                XtOptions.entry("hashlimit-htable-gcinterval", O_HTABLE_GCINT),
                XtOptions.entry("hashlimit-htable-expire", O_HTABLE_EXPIRE),
                XtOptions.entry("hashlimit-mode", O_MODE),
                XtOptions.entry("hashlimit-name", O_NAME),
                XtOptions.entry("hashlimit-rate-match", O_RATEMATCH),
                XtOptions.entry("hashlimit-rate-interval", O_INTERVAL));
        int mode, size, max, gcInterval = GCINTERVAL, expire, srcmask = -1, dstmask = -1, interval;
        long avg, burst = 5;
        String name;

        Parser() {
            opts.mandatory = 1 << O_NAME;
        }

        /** hashlimit_mt_udata.mult: the rate's unit in seconds (15 for a byte rate). */
        long mult = 1;

        @Override
        boolean option(String opt, boolean inv, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = e.id() == O_RATEMATCH ? null : args.value(opt);
            opts.parse(e, inv);
            int plen = spec.ipv6 ? 128 : 32;
            switch (e.id()) {
                case O_BURST -> burst = parseBurst(v);
                case O_UPTO, O_ABOVE -> {
                    boolean above = e.id() == O_ABOVE;
                    if (inv != above) mode |= INVERT;
                    if (!parseBytes(v) && !parseRate(v)) badValue(e.name(), v);
                }
                case O_MODE -> {
                    for (String tok : v.split("[,|]")) {
                        if (tok.isEmpty()) continue;
                        switch (tok) {
                            case "dstip" -> mode |= HASH_DIP;
                            case "srcip" -> mode |= HASH_SIP;
                            case "srcport" -> mode |= HASH_SPT;
                            case "dstport" -> mode |= HASH_DPT;
                            default -> badValue("hashlimit-mode", v);
                        }
                    }
                }
                case O_SRCMASK -> srcmask = plen(e.name(), v, spec.ipv6);
                case O_DSTMASK -> dstmask = plen(e.name(), v, spec.ipv6);
                case O_NAME -> {
                    if (v.isEmpty()) throw new RuleError("Argument must have a minimum length of 1 characters");
                    name = v.length() > 31 ? v.substring(0, 31) : v; // XT_HASHLIMIT_NAME_LEN less the NUL
                }
                case O_HTABLE_SIZE -> size = (int) number("hashlimit", opt, v, 0xFFFFFFFFL);
                case O_HTABLE_MAX -> max = (int) number("hashlimit", opt, v, 0xFFFFFFFFL);
                case O_HTABLE_GCINT -> gcInterval = (int) number("hashlimit", opt, v, 0xFFFFFFFFL);
                case O_HTABLE_EXPIRE -> expire = (int) number("hashlimit", opt, v, 0xFFFFFFFFL);
                case O_RATEMATCH -> mode |= RATE_MATCH;
                case O_INTERVAL -> {
                    long r = atoi(v);
                    if (r <= 0) badValue("hashlimit-rate-interval", v);
                    interval = (int) r;
                }
                default -> throw new IllegalStateException();
            }
            if (srcmask < 0) srcmask = plen;
            if (dstmask < 0) dstmask = plen;
            return true;
        }

        private static void badValue(String opt, String v) {
            throw new RuleError("hashlimit: Bad value for \"--" + opt + "\" option: \"" + v + "\"");
        }

        private static int plen(String opt, String v, boolean v6) {
            return ModuleParser.plen("hashlimit", opt, v, v6);
        }

        /** parse_burst (revision 3): 1-1000000, a k or m suffix multiplies. */
        private static long parseBurst(String v) {
            int[] end = new int[1];
            long n = strtoumaxPrefix(v, end);
            boolean atEnd = n >= 0 && end[0] == v.length();
            if (n < 1 || atEnd && n > 1_000_000) {
                throw new RuleError("bad value for option \"--hashlimit-burst\", or out of range (1-1000000).");
            }
            char f = atEnd ? 0 : v.charAt(end[0]);
            return n * (f == 'm' ? 1024 * 1024 : f == 'k' ? 1024 : 1);
        }

        /** parse_bytes: N[k|m]b/s as a cost (bytes_to_cost); false when it is no byte rate. */
        private boolean parseBytes(String rate) {
            int at = rate.indexOf("b/s");
            if (at <= 0) return false;
            long r = atoi(rate);
            if (r == 0) return false;
            char f = rate.charAt(at - 1);
            long tmp = r * (f == 'm' ? 1024 * 1024 : f == 'k' ? 1024 : 1);
            tmp = bytesToCost(tmp);
            if (tmp == 0) throw new RuleError("Rate too high \"" + rate + "\"");
            mult = 15; // XT_HASHLIMIT_BYTE_EXPIRE
            avg = tmp;
            mode |= BYTES;
            return true;
        }

        /** parse_rate (revision 3): N[/second|minute|hour|day], any prefix of the unit; avg = 1000000 * mult / N. */
        private boolean parseRate(String rate) {
            mult = 1;
            int slash = rate.indexOf('/');
            if (slash >= 0) {
                String u = rate.substring(slash + 1).toLowerCase();
                if (u.isEmpty()) return false;
                if ("second".startsWith(u)) mult = 1;
                else if ("minute".startsWith(u)) mult = 60;
                else if ("hour".startsWith(u)) mult = 3600;
                else if ("day".startsWith(u)) mult = 86400;
                else return false;
            }
            long r = atoi(rate);
            if (r == 0) return false;
            long tmp = Long.divideUnsigned(SCALE_V2 * mult, r);
            if (tmp == 0) throw new RuleError("Rate too fast \"" + rate + "\"");
            avg = tmp;
            return true;
        }

        /** atoll's leading digits (0 without any). */
        private static long atoi(String s) {
            String t = s.stripLeading();
            int i = t.startsWith("+") || t.startsWith("-") ? 1 : 0, j = i;
            while (j < t.length() && Character.isDigit(t.charAt(j))) j++;
            if (j == i) return 0;
            try {
                long v = Long.parseLong(t.substring(i, j));
                return t.startsWith("-") ? -v : v;
            } catch (NumberFormatException e) {
                return Long.MAX_VALUE;
            }
        }

        @Override
        Object finish(RuleSpec spec) {
            // hashlimit_mt_check (x6_fcheck) first, then the option table's checks
            if (!opts.given(O_UPTO) && !opts.given(O_ABOVE)) throw new RuleError("You have to specify --hashlimit");
            if (!opts.given(O_HTABLE_EXPIRE)) expire = (int) (mult * 1000);
            if ((mode & BYTES) != 0) {
                long b = 0;
                if (opts.given(O_BURST)) {
                    long unit = costToBytes(avg);
                    if (burst < unit) throw new RuleError("burst cannot be smaller than " + unit + "b");
                    b = (burst & 0xFFFFFFFFL) / unit; // a uint32_t in hashlimit_mt_check
                    if (burst % unit != 0) b++;
                    if (!opts.given(O_HTABLE_EXPIRE)) expire = 60 * 1000;
                }
                burst = b;
            } else if (burst > 1_000_000) {
                throw new RuleError("bad value for option \"--hashlimit-burst\", or out of range (1-1000000).");
            }
            if ((mode & RATE_MATCH) != 0) {
                if ((mode & BYTES) == 0) avg /= mult;
                if (interval == 0) interval = (mode & BYTES) != 0 ? 1 : (int) mult;
            }
            opts.fcheck();
            // hashlimit_mt_check_common's refusals
            if (gcInterval == 0 || expire == 0) throw kernelRefuses();
            int plen = spec.ipv6 ? 128 : 32;
            if (srcmask > plen || dstmask > plen) throw kernelRefuses();
            if (name.equals(".") || name.equals("..") || name.contains("/")) throw kernelRefuses(); // xt_check_proc_name
            if ((mode & RATE_MATCH) != 0) {
                if (avg == 0 || Long.compareUnsigned(avg, 0xFFFFFFFFL) > 0) throw kernelRefusesRange();
                if (interval == 0) throw kernelRefuses();
            } else if ((mode & BYTES) != 0) {
                if (user2creditsByte(avg) == 0) throw kernelRefuses();
            } else if (burst == 0 || Long.compareUnsigned(user2credits(avg * burst), user2credits(avg)) < 0) {
                throw kernelRefusesRange();
            }
            return new HashlimitMatch(this, spec.ipv6);
        }
    }
}

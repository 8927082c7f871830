package jnat.rules;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.random.RandomGenerator;

/**
 * -m statistic (xt_statistic.c, libxt_statistic.c). The nth counter lives in the rule, as the
 * kernel keeps it in the match's private data; random mode draws from the table's generator.
 */
public final class StatisticMatch implements Match {
    public static final int MODE_RANDOM = 0, MODE_NTH = 1;

    public final int mode;
    public final boolean invert;
    /** Random mode: probability scaled to 2^31, as lround(0x80000000 * p). */
    public final int probability;
    /** Nth mode: every-1 and the start packet, as the kernel stores them. */
    public final int every, packet;
    private int count;
    RandomGenerator random;

    StatisticMatch(int mode, boolean invert, int probability, int every, int packet) {
        this.mode = mode;
        this.invert = invert;
        this.probability = probability;
        this.every = every;
        this.packet = packet;
        // libxt_statistic's final check starts the counter at (every-1) - packet, so the rule
        // matches the packet-th packet from the first one on (--packet 0: the very first).
        this.count = every - packet;
    }

    @Override
    public String name() {
        return "statistic";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        boolean ret = invert;
        if (mode == MODE_RANDOM) {
            // both u32 in the kernel: --probability 1 is 0x80000000, above every draw
            if (Integer.compareUnsigned(random.nextInt() & 0x7FFFFFFF, probability) < 0) ret = !ret;
        } else {
            count = count == every ? 0 : count + 1;
            if (count == 0) ret = !ret;
        }
        return ret;
    }

    /** The nth counter, as the kernel's info->master->count. */
    public int nthCount() {
        return count;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" statistic");
        dump(out, "");
    }

    @Override
    public void save(StringBuilder out) {
        dump(out, "--");
    }

    private void dump(StringBuilder out, String prefix) {
        if (mode == MODE_RANDOM) {
            // printf("%.11f") of an exact binary fraction: round the exact value, half to even
            String p = new BigDecimal(Integer.toUnsignedLong(probability) / (double) 0x80000000L).setScale(11, RoundingMode.HALF_EVEN).toPlainString();
            out.append(' ').append(prefix).append("mode random").append(invert ? " !" : "")
                    .append(' ').append(prefix).append("probability ").append(p);
        } else {
            out.append(' ').append(prefix).append("mode nth").append(invert ? " !" : "")
                    .append(' ').append(prefix).append("every ").append(Integer.toUnsignedLong(every) + 1);
            if (packet != 0 || !prefix.isEmpty()) out.append(' ').append(prefix).append("packet ").append(packet);
        }
    }

    static final class Parser extends ModuleParser {
        int mode = -1;
        boolean inv, sawProb, sawEvery, sawPacket;
        int prob;
        long every, packet;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--mode" -> {
                    noInvert("statistic", opt, invert);
                    String v = args.value(opt);
                    if (v.equals("random")) mode = MODE_RANDOM;
                    else if (v.equals("nth")) mode = MODE_NTH;
                    else throw new RuleError("Bad mode \"" + v + "\"");
                }
                case "--probability" -> {
                    String v = args.value(opt);
                    double p;
                    try {
                        p = Double.parseDouble(v);
                    } catch (NumberFormatException e) {
                        p = -1;
                    }
                    if (!(p >= 0 && p <= 1)) throw new RuleError("--probability must be between 0 and 1");
                    prob = (int) Math.min(Math.round(0x80000000L * p), 0xFFFFFFFFL);
                    sawProb = true;
                    if (invert) inv = true;
                }
                case "--every" -> {
                    every = Inet.parseUnsigned(args.value(opt), 0xFFFFFFFFL, "every");
                    if (every == 0) throw new RuleError("--every cannot be 0");
                    sawEvery = true;
                    if (invert) inv = true;
                }
                case "--packet" -> {
                    noInvert("statistic", opt, invert);
                    packet = Inet.parseUnsigned(args.value(opt), 0xFFFFFFFFL, "packet");
                    sawPacket = true;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (mode < 0) throw new RuleError("statistic: option \"--mode\" must be specified");
            if (sawEvery && !sawPacket) throw new RuleError("statistic: option \"--every\" also requires \"--packet\".");
            if (sawPacket && !sawEvery) throw new RuleError("statistic: option \"--packet\" also requires \"--every\".");
            if (mode == MODE_RANDOM && (sawEvery || sawPacket)) {
                throw new RuleError("--every and --packet can only be used with --mode nth");
            }
            if (mode == MODE_NTH && sawProb) throw new RuleError("--probability can only be used in random mode");
            if (mode == MODE_NTH && !sawEvery) throw new RuleError("statistic: --mode nth requires --every");
            if (mode == MODE_NTH && packet > every - 1) throw new RuleError("the --packet p must be 0 <= p <= n-1");
            return new StatisticMatch(mode, inv, prob, (int) (every - 1), (int) packet);
        }
    }
}

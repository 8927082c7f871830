package jnat.rules;

/**
 * net/core/gen_estimator.c: a rate estimator over a byte and packet counter, sampled every
 * 250 ms << intvl_log by a timer and averaged with an EWMA of weight 2^-ewma_log, rates kept
 * scaled by 2^8 (avbps, avpps). The kernel's timer is the engine's clock here: the ticks due by a
 * packet's time are run when the estimator is next touched, with the counters as they were, so
 * the result is what the timer would have left (at HZ 250, a tick every (HZ/4) << intvl_log jiffies).
 */
final class GenEstimator {
    static final int HZ = 250;
    private static final long NS_PER_JIFFY = 1_000_000_000L / HZ;

    /** The parameters: tc's interval index (-2..3: 250 ms to 8 s) and ewma_log (1..30). */
    final int interval, ewmaLog;
    private final int intvlLog;
    /** bstats: what the RATEEST target counted. */
    long bytes, packets;
    private long lastBytes, lastPackets, avbps, avpps, nextJiffies;

    /** gen_new_estimator at the engine's time {@code nowNs}: the first tick one period later. */
    GenEstimator(int interval, int ewmaLog, long nowNs) {
        this.interval = interval;
        this.ewmaLog = ewmaLog;
        this.intvlLog = interval + 2;
        this.nextJiffies = nowNs / NS_PER_JIFFY + period();
    }

    private long period() {
        return (long) (HZ / 4) << intvlLog;
    }

    /** est_timer for every tick due by {@code nowNs}; a run of idle ticks that change nothing is skipped at once. */
    void advance(long nowNs) {
        long jiffies = nowNs / NS_PER_JIFFY;
        while (jiffies >= nextJiffies) {
            long db = bytes - lastBytes, dp = packets - lastPackets;
            if (db == 0 && dp == 0 && avbps >>> ewmaLog == 0 && avpps >>> ewmaLog == 0) {
                nextJiffies += ((jiffies - nextJiffies) / period() + 1) * period(); // the state is fixed
                return;
            }
            long brate = (db << (10 - intvlLog) >>> ewmaLog) - (avbps >>> ewmaLog);
            long rate = (dp << (10 - intvlLog) >>> ewmaLog) - (avpps >>> ewmaLog);
            avbps += brate;
            avpps += rate;
            lastBytes = bytes;
            lastPackets = packets;
            nextJiffies += period();
        }
    }

    /** gen_estimator_read: bytes per second. */
    long bps() {
        return avbps >>> 8;
    }

    /** gen_estimator_read: packets per second. */
    long pps() {
        return avpps >>> 8;
    }
}

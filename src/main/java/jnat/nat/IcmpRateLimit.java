package jnat.nat;

import java.util.random.RandomGenerator;

/**
 * The kernel's limits on the ICMP messages a host sends, in milliseconds (jiffies at HZ=1000):
 * <ul>
 * <li>host-wide, icmp_global_allow / icmp_global_consume (net/ipv4/icmp.c): a bucket of
 *     icmp_msgs_burst credits refilled at icmp_msgs_per_sec, at most once per 20 ms; a message
 *     is allowed while credit is left and then takes 0, 1 or 2 credits at random (the kernel
 *     randomizes it against side channels);</li>
 * <li>per destination, inet_peer_xrlim_allow (net/ipv4/inetpeer.c): a token bucket per peer
 *     address that gains one token per ms up to 6 * icmp_ratelimit and pays icmp_ratelimit per
 *     message; a new peer starts as if last seen 60 s ago, so the first 6 go at once;</li>
 * <li>ip_error's own bucket (net/ipv4/route.c) on the same peer entry: error_burst, error_cost.</li>
 * </ul>
 * The peers live in a fixed table (the kernel's inet_peer tree is garbage collected too): when a
 * slot's neighbourhood is full, the peer seen longest ago is forgotten. Allocates nothing.
 */
final class IcmpRateLimit {
    static final int HZ = 1000;
    private static final int XRLIM_BURST_FACTOR = 6;
    private static final int PEER_BITS = 10, PROBE = 8;

    private int credit;
    private long stamp;
    private boolean stamped;

    private final int[] peerAddr = new int[1 << PEER_BITS];
    private final long[] peerLast = new long[1 << PEER_BITS];
    private final long[] peerTokens = new long[1 << PEER_BITS];
    private final boolean[] peerUsed = new boolean[1 << PEER_BITS];

    /** icmp_global_allow: is there credit (refilling it if 20 ms have passed)? Takes none. */
    boolean globalAllow(long now, IcmpConfig c) {
        if (credit > 0) return true;
        long delta = stamped ? Math.min(now - stamp, HZ) : HZ;
        if (delta < HZ / 50) return false;
        long incr = (long) c.msgsPerSec() * delta / HZ;
        if (incr == 0) return false;
        stamp = now;
        stamped = true;
        credit = (int) Math.min(credit + incr, c.msgsBurst());
        return true;
    }

    /** icmp_global_consume: 0, 1 or 2 credits (credit may go negative). */
    void globalConsume(RandomGenerator random) {
        credit -= random.nextInt(3);
    }

    /** inet_peer_xrlim_allow(inet_getpeer_v4(addr), timeout). */
    boolean peerAllow(int addr, long now, int timeout) {
        int p = peer(addr, now);
        long token = peerTokens[p];
        long delta = now - peerLast[p];
        if (delta != 0) {
            peerLast[p] = now;
            token = Math.min(token + delta, (long) XRLIM_BURST_FACTOR * timeout);
        }
        boolean rc = false;
        if (token >= timeout) {
            token -= timeout;
            rc = true;
        }
        peerTokens[p] = token;
        return rc;
    }

    /** ip_error's check on the source's peer entry: tokens grow with time up to {@code burst}, an error costs {@code cost}. */
    boolean routeErrorAllow(int addr, long now, int cost, int burst) {
        int p = peer(addr, now);
        long tokens = Math.min(peerTokens[p] + (now - peerLast[p]), burst);
        peerLast[p] = now;
        boolean send = tokens >= cost;
        if (send) tokens -= cost;
        peerTokens[p] = tokens;
        return send;
    }

    /** The slot of {@code addr}'s peer, created (last seen 60 s ago, no tokens) if it has none. */
    private int peer(int addr, long now) {
        int mask = peerAddr.length - 1;
        int home = (addr * 0x9E3779B1) >>> (32 - PEER_BITS);
        int victim = home;
        for (int i = 0; i < PROBE; i++) {
            int s = (home + i) & mask;
            if (!peerUsed[s]) {
                victim = s;
                break;
            }
            if (peerAddr[s] == addr) return s;
            if (peerLast[s] < peerLast[victim]) victim = s;
        }
        peerUsed[victim] = true;
        peerAddr[victim] = addr;
        peerLast[victim] = now - 60L * HZ;
        peerTokens[victim] = 0;
        return victim;
    }
}

package jnat.nat;

import jnat.wire.Siphash;

import java.util.random.RandomGenerator;

/**
 * net/ipv4/syncookies.c's cookie (__cookie_v4_init_sequence, __cookie_v4_check), which SYNPROXY
 * gives the client as the server's ISN: the SYN's addresses, ports and sequence number hashed with
 * the minute (tcp_cookie_time) and the MSS's index in msstab, under two random siphash keys
 * (syncookie_secret, drawn once per host as net_get_random_once draws it). An ACK's cookie is good
 * for MAX_SYNCOOKIE_AGE minutes.
 */
final class Syncookies {
    static final int COOKIEBITS = 24;
    static final int COOKIEMASK = (1 << COOKIEBITS) - 1;
    /** MAX_SYNCOOKIE_AGE: minutes a cookie stays good. */
    static final int MAX_SYNCOOKIE_AGE = 2;
    /** TCP_SYNCOOKIE_PERIOD: 60 s. */
    static final long PERIOD_NS = 60_000_000_000L;
    /** msstab: the MSS values a cookie can carry (2 bits). */
    static final int[] MSSTAB = {536, 1300, 1440, 1460};

    /** syncookie_secret[2]: two siphash_key_t. */
    private final long k00, k01, k10, k11;

    Syncookies(RandomGenerator random) {
        k00 = random.nextLong();
        k01 = random.nextLong();
        k10 = random.nextLong();
        k11 = random.nextLong();
    }

    /** tcp_cookie_time: the minute of {@code now} (ns on the engine's clock). */
    static int cookieTime(long now) {
        return (int) Long.divideUnsigned(now, PERIOD_NS);
    }

    /**
     * cookie_hash: siphash_4u32 of the addresses and ports as x86 loads the __be32 and __be16
     * fields, and {@code count}, under key {@code c}.
     */
    private int cookieHash(int saddr, int daddr, int sport, int dport, int count, int c) {
        int ports = Short.reverseBytes((short) sport) << 16 | Short.reverseBytes((short) dport) & 0xffff;
        long h = Siphash.hash4u32(Integer.reverseBytes(saddr), Integer.reverseBytes(daddr), ports, count,
                c == 0 ? k00 : k10, c == 0 ? k01 : k11);
        return (int) h;
    }

    // The arithmetic both families' syncookies.c share, around their own cookie_hash.

    /** secure_tcp_syn_cookie's sum, given cookie_hash(.., 0, 0) and cookie_hash(.., count, 1). */
    static int compose(int hash0, int hash1, int sseq, int count, int data) {
        return hash0 + sseq + (count << COOKIEBITS) + (hash1 + data & COOKIEMASK);
    }

    /**
     * check_tcp_syn_cookie's age in minutes of {@code rest} (the cookie less cookie_hash(.., 0, 0)
     * and sseq), or -1 when it is MAX_SYNCOOKIE_AGE or older.
     */
    static int age(int rest, int count) {
        int diff = count - (rest >>> COOKIEBITS) & (-1 >>> COOKIEBITS);
        return Integer.compareUnsigned(diff, MAX_SYNCOOKIE_AGE) >= 0 ? -1 : diff;
    }

    /** check_tcp_syn_cookie's data: {@code rest} less cookie_hash(.., count - age, 1). */
    static int data(int rest, int hash1) {
        return rest - hash1 & COOKIEMASK;
    }

    /** The index of the largest of {@code msstab} not above {@code mss} (0 when none is). */
    static int mssIndex(int[] msstab, int mss) {
        int mssind = msstab.length - 1;
        for (; mssind > 0; mssind--) if (mss >= msstab[mssind]) break;
        return mssind;
    }

    /** The MSS index {@code mssind} names, or 0 for a check that failed (-1) or an index past the table. */
    static int mss(int[] msstab, int mssind) {
        return Integer.compareUnsigned(mssind, msstab.length) < 0 ? msstab[mssind] : 0;
    }

    /** __cookie_v4_init_sequence: the cookie for a SYN from saddr:sport to daddr:dport with sequence {@code seq} and MSS {@code mss}. */
    int initSequence(int saddr, int daddr, int sport, int dport, int seq, int mss, long now) {
        int count = cookieTime(now);
        return compose(cookieHash(saddr, daddr, sport, dport, 0, 0), cookieHash(saddr, daddr, sport, dport, count, 1),
                seq, count, mssIndex(MSSTAB, mss));
    }

    /** __cookie_v4_check: the MSS an ACK's cookie (its ack - 1, for its seq - 1) carries, or 0 when it is no cookie of ours. */
    int check(int saddr, int daddr, int sport, int dport, int seq, int ack, long now) {
        int count = cookieTime(now);
        int rest = ack - 1 - (cookieHash(saddr, daddr, sport, dport, 0, 0) + seq - 1);
        int age = age(rest, count);
        return age < 0 ? 0 : mss(MSSTAB, data(rest, cookieHash(saddr, daddr, sport, dport, count - age, 1)));
    }
}

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

    /** secure_tcp_syn_cookie. */
    private int secureSynCookie(int saddr, int daddr, int sport, int dport, int sseq, int data, long now) {
        int count = cookieTime(now);
        return cookieHash(saddr, daddr, sport, dport, 0, 0) + sseq + (count << COOKIEBITS)
                + (cookieHash(saddr, daddr, sport, dport, count, 1) + data & COOKIEMASK);
    }

    /** check_tcp_syn_cookie: the data the cookie carries, or -1 when it is older than MAX_SYNCOOKIE_AGE. */
    private int checkSynCookie(int cookie, int saddr, int daddr, int sport, int dport, int sseq, long now) {
        int count = cookieTime(now);
        cookie -= cookieHash(saddr, daddr, sport, dport, 0, 0) + sseq;
        int diff = count - (cookie >>> COOKIEBITS) & (-1 >>> COOKIEBITS);
        if (Integer.compareUnsigned(diff, MAX_SYNCOOKIE_AGE) >= 0) return -1;
        return cookie - cookieHash(saddr, daddr, sport, dport, count - diff, 1) & COOKIEMASK;
    }

    /** __cookie_v4_init_sequence: the cookie for a SYN from saddr:sport to daddr:dport with sequence {@code seq} and MSS {@code mss}. */
    int initSequence(int saddr, int daddr, int sport, int dport, int seq, int mss, long now) {
        int mssind = MSSTAB.length - 1;
        for (; mssind > 0; mssind--) if (mss >= MSSTAB[mssind]) break;
        return secureSynCookie(saddr, daddr, sport, dport, seq, mssind, now);
    }

    /** __cookie_v4_check: the MSS an ACK's cookie (its ack - 1, for its seq - 1) carries, or 0 when it is no cookie of ours. */
    int check(int saddr, int daddr, int sport, int dport, int seq, int ack, long now) {
        int mssind = checkSynCookie(ack - 1, saddr, daddr, sport, dport, seq - 1, now);
        return Integer.compareUnsigned(mssind, MSSTAB.length) < 0 ? MSSTAB[mssind] : 0;
    }
}

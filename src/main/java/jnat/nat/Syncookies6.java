package jnat.nat;

import jnat.wire.Ipv6Address;
import jnat.wire.Siphash;

import java.util.random.RandomGenerator;


/**
 * net/ipv6/syncookies.c's cookie (__cookie_v6_init_sequence, __cookie_v6_check), SYNPROXY's ISN
 * for an IPv6 client: as IPv4's ({@link Syncookies}) but hashed over the 40-byte struct of both
 * addresses, the count (host order, little-endian on x86) and the two ports (network order), under
 * its own two siphash keys (syncookie6_secret), with the IPv6 MSS table (RFC 8200's 60 bytes of
 * headers: 1220 for the minimum MTU of 1280).
 */
final class Syncookies6 {
    /** msstab: the MSS values a cookie can carry (2 bits). */
    static final int[] MSSTAB = {1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60};
    /** offsetofend(combined, dport): saddr, daddr, count, sport, dport. */
    private static final int COMBINED = 40;

    /** syncookie6_secret[2]: two siphash_key_t. */
    private final long k00, k01, k10, k11;
    /** The struct cookie_hash fills (the engine hashes one packet at a time). */
    private final byte[] combined = new byte[COMBINED];

    Syncookies6(RandomGenerator random) {
        k00 = random.nextLong();
        k01 = random.nextLong();
        k10 = random.nextLong();
        k11 = random.nextLong();
    }

    /** cookie_hash: siphash over {saddr, daddr, count, sport, dport} under key {@code c}; its low 32 bits. */
    private int cookieHash(long sHi, long sLo, long dHi, long dLo, int sport, int dport, int count, int c) {
        byte[] b = combined;
        Ipv6Address.write(b, 0, sHi, sLo);
        Ipv6Address.write(b, 16, dHi, dLo);
        b[32] = (byte) count;
        b[33] = (byte) (count >>> 8);
        b[34] = (byte) (count >>> 16);
        b[35] = (byte) (count >>> 24);
        b[36] = (byte) (sport >>> 8);
        b[37] = (byte) sport;
        b[38] = (byte) (dport >>> 8);
        b[39] = (byte) dport;
        return (int) Siphash.hash(b, 0, COMBINED, c == 0 ? k00 : k10, c == 0 ? k01 : k11);
    }

    /** __cookie_v6_init_sequence: the cookie for a SYN from the source to the destination with sequence {@code seq} and MSS {@code mss}. */
    int initSequence(long sHi, long sLo, long dHi, long dLo, int sport, int dport, int seq, int mss, long now) {
        int count = Syncookies.cookieTime(now);
        return Syncookies.compose(cookieHash(sHi, sLo, dHi, dLo, sport, dport, 0, 0),
                cookieHash(sHi, sLo, dHi, dLo, sport, dport, count, 1), seq, count, Syncookies.mssIndex(MSSTAB, mss));
    }

    /** __cookie_v6_check: the MSS an ACK's cookie (its ack - 1, for its seq - 1) carries, or 0 when it is no cookie of ours. */
    int check(long sHi, long sLo, long dHi, long dLo, int sport, int dport, int seq, int ack, long now) {
        int count = Syncookies.cookieTime(now);
        int rest = ack - 1 - (cookieHash(sHi, sLo, dHi, dLo, sport, dport, 0, 0) + seq - 1);
        int age = Syncookies.age(rest, count);
        return age < 0 ? 0 : Syncookies.mss(MSSTAB, Syncookies.data(rest, cookieHash(sHi, sLo, dHi, dLo, sport, dport, count - age, 1)));
    }
}

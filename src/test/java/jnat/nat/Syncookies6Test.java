package jnat.nat;

import jnat.testing.Tools;
import jnat.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** net/ipv6/syncookies.c's cookie: what an ACK's cookie checks back to, and when it does not. */
class Syncookies6Test {
    private static final byte[] CLIENT = Ipv6Address.parse("2001:db8:1::2"), SERVER = Ipv6Address.parse("2001:db8:2::2");
    private static final long C_HI = Ipv6Address.readHi(CLIENT, 0), C_LO = Ipv6Address.readLo(CLIENT, 0);
    private static final long S_HI = Ipv6Address.readHi(SERVER, 0), S_LO = Ipv6Address.readLo(SERVER, 0);
    private static final int SPORT = 43210, DPORT = 80, ISN = 0x8badf00d;
    /** Some minute well into the engine's clock (ns). */
    private static final long NOW = 29_000_000L * Syncookies.PERIOD_NS + 17_000_000_000L;

    private final Syncookies6 cookies = new Syncookies6(new SplittableRandom(6));

    /** The client's ACK for the cookie SYN/ACK: seq ISN + 1, ack cookie + 1; the MSS it carries. */
    private int checkAck(int cookie, int sport, long now) {
        return cookies.check(C_HI, C_LO, S_HI, S_LO, sport, DPORT, ISN + 1, cookie + 1, now);
    }

    private int cookie(int mss) {
        return cookies.initSequence(C_HI, C_LO, S_HI, S_LO, SPORT, DPORT, ISN, mss, NOW);
    }

    @Test
    void cookieChecksBackToTheTablesMss() {
        for (int mss : Syncookies6.MSSTAB) assertEquals(mss, checkAck(cookie(mss), SPORT, NOW), "mss " + mss);
    }

    @Test
    void mssIsRoundedDownToTheTableAndAnythingBelowItsFirstIsItsFirst() {
        assertEquals(1220, checkAck(cookie(536), SPORT, NOW));
        assertEquals(1220, checkAck(cookie(1419), SPORT, NOW));
        assertEquals(1440, checkAck(cookie(1460), SPORT, NOW));
        assertEquals(8940, checkAck(cookie(65535), SPORT, NOW));
    }

    @Test
    void cookieIsGoodTheNextMinute() {
        assertEquals(1440, checkAck(cookie(1440), SPORT, NOW + Syncookies.PERIOD_NS));
    }

    @Test
    void ackThreeMinutesLaterFails() {
        assertEquals(0, checkAck(cookie(1440), SPORT, NOW + 3 * Syncookies.PERIOD_NS));
    }

    @Test
    void ackFromAnotherPortFails() {
        assertEquals(0, checkAck(cookie(1440), SPORT + 1, NOW));
    }

    @Test
    void ackFromAnotherAddressFails() {
        int cookie = cookie(1440);
        assertEquals(0, cookies.check(C_HI, C_LO + 1, S_HI, S_LO, SPORT, DPORT, ISN + 1, cookie + 1, NOW));
    }

    @Test
    void anotherHostsSecretMakesAnotherCookie() {
        Syncookies6 other = new Syncookies6(new SplittableRandom(7));
        assertEquals(0, other.check(C_HI, C_LO, S_HI, S_LO, SPORT, DPORT, ISN + 1, cookie(1440) + 1, NOW));
    }

    /**
     * The cookie is hash(0, key 0) + seq + count << 24 + (hash(count, key 1) + mssind & 0xffffff),
     * each hash openssl's SIPHASH over the struct written out by hand: saddr, daddr, count as a
     * little-endian u32, then the ports big-endian.
     */
    @Test
    void cookieIsTwoSiphashesOverTheFortyByteStructAsOpensslHashesIt() throws IOException {
        Tools.require("openssl");
        RandomGenerator keys = new SplittableRandom(6);
        long k00 = keys.nextLong(), k01 = keys.nextLong(), k10 = keys.nextLong(), k11 = keys.nextLong();
        int count = Syncookies.cookieTime(NOW);
        HexFormat hex = HexFormat.of();
        String tail = String.format("%04x%04x", SPORT, DPORT);
        String struct0 = hex.formatHex(CLIENT) + hex.formatHex(SERVER) + "00000000" + tail;
        String struct1 = hex.formatHex(CLIENT) + hex.formatHex(SERVER)
                + String.format("%02x%02x%02x%02x", count & 0xff, count >>> 8 & 0xff, count >>> 16 & 0xff, count >>> 24)
                + tail;
        int h0 = openssl(struct0, k00, k01), h1 = openssl(struct1, k10, k11);
        int mssind = 2; // 1440
        assertEquals(h0 + ISN + (count << 24) + (h1 + mssind & 0xffffff), cookie(1440));
    }

    /** The low 32 bits of openssl's SIPHASH of the hex bytes under (k0, k1). */
    private static int openssl(String hexBytes, long k0, long k1) throws IOException {
        byte[] key = new byte[16];
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (k0 >>> 8 * i);
            key[8 + i] = (byte) (k1 >>> 8 * i);
        }
        Path in = Files.createTempFile("cookie6", ".bin");
        try {
            Files.write(in, HexFormat.of().parseHex(hexBytes));
            String out = Tools.run(List.of("openssl", "mac", "-macopt", "hexkey:" + HexFormat.of().formatHex(key),
                    "-macopt", "size:8", "-in", in.toString(), "SIPHASH"), null).checked().stdout().strip();
            byte[] le = HexFormat.of().parseHex(out.toLowerCase());
            return (le[0] & 0xff) | (le[1] & 0xff) << 8 | (le[2] & 0xff) << 16 | (le[3] & 0xff) << 24;
        } finally {
            Files.deleteIfExists(in);
        }
    }
}

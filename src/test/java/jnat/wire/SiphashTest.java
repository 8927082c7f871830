package jnat.wire;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** SipHash-2-4 against OpenSSL 3's SIPHASH MAC (openssl mac -macopt hexkey:0001..0f -macopt size:8 SIPHASH). */
class SiphashTest {
    /** The key 00 01 .. 0f as two little-endian u64 (siphash_key_t). */
    static final long K0 = 0x0706050403020100L, K1 = 0x0f0e0d0c0b0a0908L;

    @Test
    void sixteenBytesHashAsOpensslHashesThem() {
        // openssl's output DB9BC2577FCC2A3F is the u64's little-endian bytes
        assertEquals(0x3f2acc7f57c29bdbL, Siphash.hash2u64(0x0706050403020100L, 0x0f0e0d0c0b0a0908L, K0, K1));
    }

    @Test
    void fourU32AreTwoU64LowWordFirst() {
        assertEquals(Siphash.hash2u64(0x0706050403020100L, 0x0f0e0d0c0b0a0908L, K0, K1),
                Siphash.hash4u32(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c, K0, K1));
    }

    @Test
    void sixteenBytesHashAsTwoU64() {
        byte[] b = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
        assertEquals(Siphash.hash2u64(0x0706050403020100L, 0x0f0e0d0c0b0a0908L, K0, K1), Siphash.hash(b, 0, 16, K0, K1));
    }

    /** Every length from 0 to 64 bytes (whole words and every tail), random key and bytes, at an offset into the array. */
    @Test
    void bytesOfEveryLengthHashAsOpensslHashesThem() throws IOException {
        Tools.require("openssl");
        Random random = new Random(6);
        long k0 = random.nextLong(), k1 = random.nextLong();
        byte[] key = new byte[16];
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (k0 >>> 8 * i);
            key[8 + i] = (byte) (k1 >>> 8 * i);
        }
        Path in = Files.createTempFile("siphash", ".bin");
        try {
            for (int len = 0; len <= 64; len++) {
                byte[] data = new byte[len + 3];
                random.nextBytes(data);
                Files.write(in, java.util.Arrays.copyOfRange(data, 3, 3 + len));
                String out = Tools.run(List.of("openssl", "mac", "-macopt", "hexkey:" + HexFormat.of().formatHex(key),
                        "-macopt", "size:8", "-in", in.toString(), "SIPHASH"), null).checked().stdout().strip();
                long h = Siphash.hash(data, 3, len, k0, k1);
                byte[] le = new byte[8];
                for (int i = 0; i < 8; i++) le[i] = (byte) (h >>> 8 * i);
                assertEquals(out.toLowerCase(), HexFormat.of().formatHex(le), "length " + len);
            }
        } finally {
            Files.deleteIfExists(in);
        }
    }
}

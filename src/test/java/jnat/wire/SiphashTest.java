package jnat.wire;

import org.junit.jupiter.api.Test;

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
}

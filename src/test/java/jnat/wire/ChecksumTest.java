package jnat.wire;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksumTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** The plain RFC 1071 definition, 16 bits at a time with end-around carry, to check the fast one against. */
    static int referenceSum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            int w = (b[off + i] & 0xff) << 8 | (i + 1 < len ? b[off + i + 1] & 0xff : 0);
            sum += w;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }

    @Test
    void rfc1071ExampleSumsToDdf2() {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
        byte[] b = hex("0001f203f4f5f6f7");
        assertEquals(0xddf2, Checksum.sum(b, 0, b.length, 0));
        assertEquals(0x220d, Checksum.compute(b, 0, b.length));
    }

    @Test
    void oddLengthPadsTheLastByteWithZero() {
        assertEquals(Checksum.sum(hex("0001f203f400"), 0, 6, 0), Checksum.sum(hex("0001f203f4"), 0, 5, 0));
    }

    @Test
    void knownIpv4HeaderChecksumIsB861() {
        // The classic worked example: 192.168.0.1 > 192.168.0.199, UDP, checksum 0xb861.
        byte[] h = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertEquals(0xb861, Checksum.compute(h, 0, 20));
        h[10] = (byte) 0xb8;
        h[11] = 0x61;
        assertTrue(Checksum.verify(h, 0, 20));
    }

    @Test
    void aCorruptedByteFailsVerification() {
        byte[] h = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        h[8] = 0x3f;
        assertFalse(Checksum.verify(h, 0, 20));
    }

    @Test
    void rfc1624Eqn3GivesZeroWhereEqn2GaveFfff() {
        // RFC 1624 section 4: other octets sum to 0xCD7A, m = 0x5555 -> m' = 0x3285; HC = 0xDD2F,
        // recomputation gives 0x0000 and so must the incremental update.
        assertEquals(0xdd2f, ~Checksum.fold(0xcd7a + 0x5555) & 0xffff);
        assertEquals(0x0000, Checksum.update16(0xdd2f, 0x5555, 0x3285));
    }

    @Test
    void updateOfAnUnchangedWordKeepsTheChecksum() {
        assertEquals(0x1234, Checksum.update16(0x1234, 0xabcd, 0xabcd));
        assertEquals(0x0000, Checksum.update16(0x0000, 0xabcd, 0xabcd));
    }

    @Test
    void udpSendsAComputedZeroAsFfff() {
        assertEquals(0xffff, Checksum.udpField(0));
        assertEquals(0x1234, Checksum.udpField(0x1234));
    }

    @Test
    void pseudoHeaderSumAddsAddressesProtocolAndLength() {
        // 10.0.0.1 > 10.0.0.2, TCP, 20 bytes: 0x0a00+0x0001+0x0a00+0x0002+0x0006+0x0014
        assertEquals(0x0a00 + 1 + 0x0a00 + 2 + 6 + 20,
                Checksum.pseudoHeaderSum(0x0a000001, 0x0a000002, IpProtocol.TCP, 20));
    }

    @Property
    void sumEqualsTheRfc1071Definition(@ForAll @Size(max = 2000) byte[] data, @ForAll @IntRange(max = 7) int start) {
        int off = Math.min(start, data.length);
        int len = data.length - off;
        assertEquals(Checksum.fold(referenceSum(data, off, len)), Checksum.sum(data, off, len, 0));
    }

    @Property
    void sumsOfAdjacentRangesAdd(@ForAll @Size(max = 600) byte[] data, @ForAll @IntRange(max = 300) int half) {
        int split = Math.min(2 * half, data.length);
        int whole = Checksum.sum(data, 0, data.length, 0);
        int parts = Checksum.sum(data, split, data.length - split, Checksum.sum(data, 0, split, 0));
        assertEquals(whole, parts);
    }

    @Property
    void filledChecksumVerifies(@ForAll @Size(min = 2, max = 1500) byte[] data, @ForAll @IntRange(max = 700) int at) {
        int pos = 2 * Math.min(at, data.length / 2 - 1);
        data[pos] = 0;
        data[pos + 1] = 0;
        int c = Checksum.compute(data, 0, data.length);
        data[pos] = (byte) (c >>> 8);
        data[pos + 1] = (byte) c;
        assertTrue(Checksum.verify(data, 0, data.length));
    }

    @Provide
    Arbitrary<int[]> change() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xffff), Arbitraries.integers().between(0, 0xffff))
                .as((a, b) -> new int[] {a, b});
    }

    /** A buffer with its checksum in the first word and a 16-bit word anywhere else rewritten. */
    @Property
    void update16EqualsRecomputation(@ForAll @Size(min = 4, max = 200) byte[] data,
                                     @ForAll @IntRange(min = 0, max = 99) int word,
                                     @ForAll @IntRange(max = 0xffff) int newWord) {
        int pos = 2 + 2 * (word % ((data.length - 2) / 2));
        data[data.length - 1] |= 1; // never all zero (see the corner property below)
        Assume.that(pos != data.length - 2);
        fill(data);
        int oldWord = Bytes.u16(data, pos);
        int updated = Checksum.update16(Bytes.u16(data, 0), oldWord, newWord);
        Bytes.put16(data, pos, newWord);
        fill(data);
        assertEquals(Bytes.u16(data, 0), updated);
    }

    @Property
    void update32EqualsRecomputation(@ForAll @Size(min = 6, max = 200) byte[] data,
                                     @ForAll @IntRange(min = 0, max = 99) int word,
                                     @ForAll int newValue) {
        int pos = 2 + 2 * (word % ((data.length - 4) / 2));
        data[data.length - 1] |= 1; // never all zero
        Assume.that(pos + 4 < data.length);
        fill(data);
        int updated = Checksum.update32(Bytes.u16(data, 0), Bytes.i32(data, pos), newValue);
        Bytes.put32(data, pos, newValue);
        fill(data);
        assertEquals(Bytes.u16(data, 0), updated);
    }

    /**
     * Edge values: words 0x0000 and 0xffff (both zero in one's complement) and data whose checksum is
     * 0x0000. Data that is all zero is left out: its checksum is 0xffff on recomputation, which eqn. 3
     * cannot give (RFC 1624 section 3); no real header is all zero (version, protocol).
     */
    @Property
    void update16EqualsRecomputationAtTheZeroCorners(@ForAll @IntRange(max = 0xffff) int other,
                                                     @ForAll("corner") int oldWord, @ForAll("corner") int newWord) {
        Assume.that(other != 0);
        byte[] data = new byte[6];
        Bytes.put16(data, 2, other);
        Bytes.put16(data, 4, oldWord);
        fill(data);
        int updated = Checksum.update16(Bytes.u16(data, 0), oldWord, newWord);
        Bytes.put16(data, 4, newWord);
        fill(data);
        assertEquals(Bytes.u16(data, 0), updated);
    }

    @Provide
    Arbitrary<Integer> corner() {
        return Arbitraries.oneOf(Arbitraries.of(0, 0xffff, 1, 0xfffe, 0x8000), Arbitraries.integers().between(0, 0xffff));
    }

    private static void fill(byte[] data) {
        Bytes.put16(data, 0, 0);
        Bytes.put16(data, 0, Checksum.compute(data, 0, data.length));
    }
}

package jnat.nat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JhashTest {
    // Expected values computed with the kernel's jhash.h (jhash2, length 4) compiled on x86-64.
    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    @Test
    void jhash2OfAnIpv4AddressWithTheDestinationAsInitvalMatchesTheKernel() {
        assertEquals(0x633e9b26, Jhash.jhash2Ipv4(ip(172, 17, 0, 2), Jhash.wordOf(ip(8, 8, 8, 8))));
        assertEquals(0x6a8ffd9d, Jhash.jhash2Ipv4(ip(10, 0, 0, 1), Jhash.wordOf(ip(198, 51, 100, 8))));
    }

    @Test
    void jhash2WithZeroInitvalAsForPersistentRangesMatchesTheKernel() {
        assertEquals(0xaae30711, Jhash.jhash2Ipv4(ip(172, 17, 0, 2), 0));
    }

    @Test
    void reciprocalScaleStaysInRange() {
        assertEquals(0, Jhash.reciprocalScale(0, 5));
        assertEquals(4, Jhash.reciprocalScale(-1, 5));
        assertEquals(2, Jhash.reciprocalScale(0x80000000, 5));
    }
}

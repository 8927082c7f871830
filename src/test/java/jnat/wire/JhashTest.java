package jnat.wire;

import jnat.conntrack.Tuple;
import jnat.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JhashTest {
    // Expected values computed with the kernel's jhash.h (jhash2, length 4) compiled on x86-64.
    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    /** The four words of an IPv6 address as x86 loads them from a union nf_inet_addr. */
    private static int[] words(String ipv6) {
        byte[] b = Ipv6Address.parse(ipv6);
        int[] w = new int[4];
        for (int k = 0; k < 4; k++) {
            w[k] = Integer.reverseBytes((b[4 * k] & 0xff) << 24 | (b[4 * k + 1] & 0xff) << 16 | (b[4 * k + 2] & 0xff) << 8 | b[4 * k + 3] & 0xff);
        }
        return w;
    }

    private static int jhash2(String ipv6, int initval) {
        int[] w = words(ipv6);
        return Jhash.jhash2(w[0], w[1], w[2], w[3], initval);
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
    void jhash2OverFourWordsMatchesTheKernel() {
        assertEquals(0x66491246, Jhash.jhash2(1, 2, 3, 4, 0));
        assertEquals(0xbaf9078c, Jhash.jhash2(0, 0, 0, 0, 0));
        assertEquals(0x34e69a46, Jhash.jhash2(-1, -1, -1, -1, -1));
    }

    @Test
    void jhash2OverAnIpv6SourceWithTheDestinationsLastWordMatchesTheKernel() {
        // find_best_ips_proto: initval is the destination's last word, or 0 for --persistent
        assertEquals(0x060000fd, words("fd00:6::1")[0], "the words are as x86 loads them");
        assertEquals(0x825748ee, jhash2("fd00:6::1", words("fd00:6::99")[3]));
        assertEquals(0x6d1d0470, jhash2("fd00:6::abcd:1234", words("fd00:6:0:0:ffff::7")[3]));
        assertEquals(0x0e5b0adb, jhash2("2001:db8::1", 0));
    }

    @Test
    void jhash2Ipv4IsJhash2OverTheAddressWordAndThreeZeros() {
        int addr = Tuple.parseIp("172.17.0.2"), init = Jhash.wordOf(Tuple.parseIp("8.8.8.8"));
        assertEquals(Jhash.jhash2(Integer.reverseBytes(addr), 0, 0, 0, init), Jhash.jhash2Ipv4(addr, init));
    }

    @Test
    void reciprocalScaleStaysInRange() {
        assertEquals(0, Jhash.reciprocalScale(0, 5));
        assertEquals(4, Jhash.reciprocalScale(-1, 5));
        assertEquals(2, Jhash.reciprocalScale(0x80000000, 5));
    }
}

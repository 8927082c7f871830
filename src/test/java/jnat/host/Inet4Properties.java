package jnat.host;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.*;

class Inet4Properties {
    @Property
    void formatThenParseIsIdentity(@ForAll int a) {
        assertEquals(a, Inet4.parse(Inet4.format(a)));
    }

    @Property
    void formatMatchesJavasInetAddress(@ForAll int a) throws Exception {
        byte[] b = {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
        assertEquals(java.net.InetAddress.getByAddress(b).getHostAddress(), Inet4.format(a));
    }

    @Property
    void macFormatThenParseIsIdentity(@ForAll @LongRange(min = 0, max = 0xffffffffffffL) long mac) {
        assertEquals(mac, Inet4.parseMac(Inet4.formatMac(mac)));
    }

    @Property
    void maskHasPrefixLengthLeadingOnes(@ForAll @IntRange(min = 0, max = 32) int plen) {
        assertEquals(plen, Integer.bitCount(Inet4.mask(plen)));
        assertEquals(plen, Integer.numberOfLeadingZeros(~Inet4.mask(plen)));
    }

    @Property
    void anAddressIsInsideItsOwnSubnetAndItsBroadcast(@ForAll int a, @ForAll @IntRange(min = 0, max = 32) int plen) {
        Host h = new Host();
        InterfaceAddress ifa = new InterfaceAddress(h.loopback(), a, plen, 0, Scope.UNIVERSE, null, false, 0);
        assertTrue(ifa.contains(a));
        assertTrue(ifa.contains(ifa.prefix() | ~ifa.mask()));
    }

    @net.jqwik.api.Example
    void malformedAddressesAreRejected() {
        for (String s : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1.2.3.4 ", "01234.1.1.1"}) {
            assertThrows(IllegalArgumentException.class, () -> Inet4.parse(s), s);
        }
    }
}

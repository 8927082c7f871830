package jnat.wire;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressTest {
    @Test
    void parsesDottedQuadInNetworkOrder() {
        assertEquals(0xac110002, Ipv4Address.parse("172.17.0.2"));
        assertEquals(0, Ipv4Address.parse("0.0.0.0"));
        assertEquals(-1, Ipv4Address.parse("255.255.255.255"));
    }

    @Test
    void formatsDottedQuad() {
        assertEquals("198.51.100.7", Ipv4Address.format(0xc6336407));
    }

    @Test
    void refusesWhatIsNotADottedQuad() {
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4 ", "a.b.c.d", "1234.1.1.1", "-1.2.3.4"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
        }
    }

    @Test
    void prefixMasks() {
        assertEquals(0, Ipv4Address.mask(0));
        assertEquals(0xffff0000, Ipv4Address.mask(16));
        assertEquals(-1, Ipv4Address.mask(32));
        assertEquals(24, Ipv4Address.prefixLength(0xffffff00));
        assertEquals(-1, Ipv4Address.prefixLength(0xff00ff00));
        assertTrue(Ipv4Address.inPrefix(Ipv4Address.parse("172.17.0.2"), Ipv4Address.parse("172.17.0.0"), 16));
        assertFalse(Ipv4Address.inPrefix(Ipv4Address.parse("172.18.0.2"), Ipv4Address.parse("172.17.0.0"), 16));
    }

    @Test
    void macFormatsLowercaseColonSeparatedAsTcpdump() {
        assertEquals("02:42:ac:11:00:02", MacAddress.format(0x0242ac110002L));
    }

    @Test
    void macParsesEitherCase() {
        assertEquals(0x0242ac110002L, MacAddress.parse("02:42:AC:11:00:02"));
    }

    @Test
    void macRefusesMalformedText() {
        for (String bad : new String[] {"", "02:42:ac:11:00", "02:42:ac:11:00:0g", "02:42:ac:11:00:02:"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
    }

    @Test
    void multicastIsTheLowBitOfTheFirstByte() {
        assertTrue(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01")));
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertFalse(MacAddress.isMulticast(MacAddress.parse("02:42:ac:11:00:02")));
    }

    @Property
    void ipv4FormatThenParseIsIdentity(@ForAll int address) {
        assertEquals(address, Ipv4Address.parse(Ipv4Address.format(address)));
    }

    @Property
    void macFormatThenParseIsIdentity(@ForAll @LongRange(min = 0, max = 0xffffffffffffL) long mac) {
        assertEquals(mac, MacAddress.parse(MacAddress.format(mac)));
    }
}

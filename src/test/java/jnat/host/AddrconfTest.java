package jnat.host;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Link-local generation, address order and source address selection (addrconf.c). */
class AddrconfTest {
    static List<String> addresses(Host h, String dev) {
        return h.device(dev).addresses6().stream().map(a -> Inet6.format(a.hi(), a.lo()) + "/" + a.prefixLength()).toList();
    }

    static String source(Host h, String dev, String dst) {
        long[] d = Inet6.parse(dst);
        InterfaceAddress6 a = h.selectSourceAddress6(dev == null ? null : h.device(dev), d[0], d[1]);
        return a == null ? null : Inet6.format(a.hi(), a.lo());
    }

    @Test
    void theLinkLocalAddressIsTheEui64OfTheMac() {
        Host h = Host.parse("link set dev eth0 address 56:00:04:7c:7c:23 up\n", "a.ip");
        assertEquals(List.of("fe80::5400:4ff:fe7c:7c23/64"), addresses(h, "eth0"));
    }

    @Test
    void theUniversalLocalBitIsFlippedBothWays() {
        assertEquals(0x0000_00ff_fe00_0001L, Inet6.eui64(0x020000000001L));
        assertEquals(0x0200_00ff_fe00_0001L, Inet6.eui64(0x000000000001L));
    }

    @Test
    void loHasTheLoopbackAddressOnly() {
        assertEquals(List.of("::1/128"), addresses(new Host(), "lo"));
    }

    @Test
    void aLayer3DeviceGetsNoLinkLocalAddress() {
        Host h = Host.parse("link set tun0 up\n", "a.ip");
        assertTrue(h.device("tun0").addresses6().isEmpty());
    }

    @Test
    void aDeviceBelowTheIpv6MinimumMtuHasNoIpv6() {
        Host h = Host.parse("link set dev eth0 address 02:00:00:00:00:01 mtu 1280 up\nlink set eth0 mtu 1200\n", "a.ip");
        assertTrue(h.device("eth0").addresses6().isEmpty());
    }

    @Test
    void raisingTheMtuBackStartsIpv6AgainAsALinkUpDoes() {
        Host h = Host.parse("link set dev eth0 address 02:00:00:00:00:01 mtu 1200 up\nlink set eth0 mtu 1500\n", "a.ip");
        assertEquals(List.of("fe80::ff:fe00:1/64"), addresses(h, "eth0"));
    }

    @Test
    void addressesAreListedWiderScopeFirstAndNewestFirst() {
        Host h = Host.parse("link set dev eth0 address 02:00:00:00:00:01 up\naddr add 2001:db8::1/64 dev eth0\naddr add 2001:db8:1::1/64 dev eth0\n", "a.ip");
        assertEquals(List.of("2001:db8:1::1/64", "2001:db8::1/64", "fe80::ff:fe00:1/64"), addresses(h, "eth0"));
    }

    static final Host TWO = Host.parse("""
            link set dev eth0 address 02:00:00:00:00:01 up
            addr add 2001:db8::10/64 dev eth0
            addr add fd00:1::1/64 dev eth0
            link set dev eth1 address 02:00:00:00:00:02 up
            addr add 2001:db8:1::1/64 dev eth1
            addr add 2001:db8:1:8000::1/49 dev eth1
            """, "two.ip");

    @Test
    void theOutgoingInterfacesAddressIsPreferred() {
        // both of eth1's addresses match 17 bits: the first in its list (the newest) stays
        assertEquals("2001:db8:1:8000::1", source(TWO, "eth1", "2001:4860::1"));
    }

    @Test
    void aMatchingLabelIsPreferred() {
        assertEquals("fd00:1::1", source(TWO, "eth0", "fd12::5"), "fd00::/7 has label 5 like the destination");
    }

    @Test
    void theLongestMatchingPrefixWinsUpToTheAddressesPrefixLength() {
        assertEquals("2001:db8:1:8000::1", source(TWO, "eth1", "2001:db8:1:8000::5"), "49 bits (its prefix length) beat 48");
        assertEquals("2001:db8:1::1", source(TWO, "eth1", "2001:db8:1::5"), "64 bits beat 48");
        assertEquals("2001:db8::10", source(TWO, null, "2001:db8::99"));
    }

    @Test
    void aLinkLocalDestinationGetsALinkLocalSourceOfTheOutDevice() {
        assertEquals("fe80::ff:fe00:2", source(TWO, "eth1", "fe80::9"));
    }

    @Test
    void ourOwnAddressIsItsOwnSource() {
        assertEquals("2001:db8:1::1", source(TWO, "eth0", "2001:db8:1::1"));
    }
}

package jnat.host;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** addressType as inet_addr_type / inet_dev_addr_type answers it for xt_addrtype. */
class AddressTypeTest {
    static int ip(String s) { return Inet4.parse(s); }

    static final Host HOST = Host.parse("""
            link set eth0 address 02:00:00:00:00:01 up
            addr add 10.0.0.2/24 dev eth0
            addr add 10.0.0.3/24 dev eth0
            link set eth1 address 02:00:00:00:00:02 up
            addr add 10.1.0.2/24 brd 10.1.0.127 dev eth1
            route add default via 10.0.0.1
            route add blackhole 10.41.0.0/16
            route add blackhole 198.51.100.0/24 table local
            """, "t.ip");

    static RouteType type(String a) { return HOST.addressType(ip(a)); }

    @Test
    void ownAddressIsLocal() {
        assertEquals(RouteType.LOCAL, type("10.0.0.2"));
        assertEquals(RouteType.LOCAL, type("127.0.0.1"));
        assertEquals(RouteType.LOCAL, type("127.9.9.9"));
    }

    @Test
    void secondaryAddressIsLocal() {
        assertEquals(RouteType.LOCAL, type("10.0.0.3"));
    }

    @Test
    void subnetBroadcastIsBroadcast() {
        assertEquals(RouteType.BROADCAST, type("10.0.0.255"));
        assertEquals(RouteType.BROADCAST, type("10.1.0.255"));
    }

    @Test
    void explicitBroadcastIsBroadcast() {
        assertEquals(RouteType.BROADCAST, type("10.1.0.127"));
    }

    @Test
    void limitedBroadcastIsBroadcast() {
        assertEquals(RouteType.BROADCAST, type("255.255.255.255"));
    }

    @Test
    void zeroAddressIsBroadcastAsInTheKernel() {
        // __inet_dev_addr_type: ipv4_is_zeronet(addr) || ipv4_is_lbcast(addr) -> RTN_BROADCAST
        assertEquals(RouteType.BROADCAST, type("0.0.0.0"));
    }

    @Test
    void restOfZeroNetworkIsUnicastSinceLinux53() {
        assertEquals(RouteType.UNICAST, type("0.1.2.3"));
    }

    @Test
    void multicastIsMulticast() {
        assertEquals(RouteType.MULTICAST, type("224.0.0.1"));
        assertEquals(RouteType.MULTICAST, type("239.255.255.255"));
    }

    @Test
    void otherAddressesAreUnicast() {
        assertEquals(RouteType.UNICAST, type("8.8.8.8"));
        assertEquals(RouteType.UNICAST, type("10.0.0.1"));
        assertEquals(RouteType.UNICAST, type("10.0.0.0"));
    }

    @Test
    void aBlackholeInMainDoesNotChangeTheType() {
        assertEquals(RouteType.UNICAST, type("10.41.0.1"));
    }

    @Test
    void aBlackholeInLocalFailsTheLookupWhichAnswersUnicast() {
        assertEquals(RouteType.UNICAST, type("198.51.100.1"));
    }

    @Test
    void limitingToAnotherDeviceMakesALocalAddressUnicast() {
        assertEquals(RouteType.LOCAL, HOST.addressType(ip("10.0.0.2"), HOST.device("eth0")));
        assertEquals(RouteType.UNICAST, HOST.addressType(ip("10.0.0.2"), HOST.device("eth1")));
        assertEquals(RouteType.BROADCAST, HOST.addressType(ip("255.255.255.255"), HOST.device("eth1")));
    }

    @Test
    void ordinalsAreTheKernelsRtnValues() {
        assertEquals(1, RouteType.UNICAST.ordinal());
        assertEquals(2, RouteType.LOCAL.ordinal());
        assertEquals(3, RouteType.BROADCAST.ordinal());
        assertEquals(5, RouteType.MULTICAST.ordinal());
        assertEquals(6, RouteType.BLACKHOLE.ordinal());
        assertEquals(8, RouteType.PROHIBIT.ordinal());
    }
}

package jnat.host;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 lines of a host file, read as ip(8) reads them. */
class Ipv6HostFileTest {
    static final String BASE = "link set dev eth0 address 56:00:04:7c:7c:23 up\naddr add 2001:db8::10/64 dev eth0\n";

    static Host parse(String text) {
        return Host.parse(text, "t.ip");
    }

    static String error(String text) {
        return assertThrows(HostFileException.class, () -> parse(text)).getMessage();
    }

    static String routes(Host h) {
        return IpFormat6.routes(h, 0);
    }

    @Test
    void anAddressWithAColonIsIpv6WithoutMinus6() {
        Host h = parse(BASE);
        List<InterfaceAddress6> as = h.device("eth0").addresses6();
        assertEquals("2001:db8::10/64 dev eth0", as.get(0).toString());
        assertEquals(Scope.UNIVERSE, as.get(0).scope());
    }

    @Test
    void anAddressGetsItsPrefixLocalAndAnycastRoutes() {
        String r = routes(parse(BASE));
        assertTrue(r.contains("2001:db8::/64 dev eth0 proto kernel metric 256 pref medium\n"), r);
        assertTrue(r.contains("local 2001:db8::10 dev eth0 table local proto kernel metric 0 pref medium\n"), r);
        assertTrue(r.contains("anycast 2001:db8:: dev eth0 table local proto kernel metric 0 pref medium\n"), r);
    }

    @Test
    void minus6MakesAnIpv4PrefixAnErrorAsIpSays() {
        assertEquals("t.ip:3: Error: inet6 prefix is expected rather than \"10.0.0.0/8\".", error(BASE + "-6 route add 10.0.0.0/8 dev eth0\n"));
    }

    @Test
    void ipMinus6WithTheLeadingIpIsAccepted() {
        assertTrue(routes(parse(BASE + "ip -6 route add 2001:db8:1::/48 via 2001:db8::1\n")).contains("2001:db8:1::/48 via 2001:db8::1 dev eth0 metric 1024"));
    }

    @Test
    void aBadIpv6PrefixWithoutFamilyIsAnyValidPrefix() {
        assertEquals("t.ip:3: Error: any valid prefix is expected rather than \"2001:db8:zz::/48\".", error(BASE + "route add 2001:db8:zz::/48 dev eth0\n"));
    }

    @Test
    void anIpv4GatewayOnAnIpv6RouteIsAnInet6AddressError() {
        assertEquals("t.ip:3: Error: inet6 address is expected rather than \"10.0.0.1\".", error(BASE + "route add 2001:db8:1::/48 via 10.0.0.1\n"));
    }

    @Test
    void aDefaultViaALinkLocalGatewayIsAnIpv6Default() {
        assertTrue(routes(parse(BASE + "route add default via fe80::1 dev eth0\n")).contains("default via fe80::1 dev eth0 metric 1024 pref medium\n"));
    }

    @Test
    void aLinkLocalGatewayNeedsAnEgressDevice() {
        assertEquals("t.ip:3: Error: Egress device not specified.", error(BASE + "-6 route add default via fe80::1\n"));
    }

    @Test
    void aGatewayNotOnALinkIsNoRouteToHost() {
        assertEquals("t.ip:3: RTNETLINK answers: No route to host", error(BASE + "route add 2001:db8:1::/48 via 2001:db8:99::1 dev eth0\n"));
    }

    @Test
    void anOnlinkGatewayNeedsNoRouteToIt() {
        assertTrue(routes(parse(BASE + "route add 2001:db8:1::/48 via 2001:db8:99::1 dev eth0 onlink\n"))
                .contains("2001:db8:1::/48 via 2001:db8:99::1 dev eth0 metric 1024 onlink pref medium\n"));
    }

    @Test
    void ourOwnAddressIsNoGateway() {
        assertEquals("t.ip:3: Error: Gateway can not be a local address.", error(BASE + "route add 2001:db8:1::/48 via 2001:db8::10\n"));
    }

    @Test
    void metricZeroBecomes1024() {
        assertTrue(routes(parse(BASE + "route add 2001:db8:1::/48 dev eth0 metric 0\n")).contains("2001:db8:1::/48 dev eth0 metric 1024 pref medium\n"));
    }

    @Test
    void hostBitsOfARoutePrefixAreCleared() {
        assertTrue(routes(parse(BASE + "route add 2001:db8:100::1/40 dev eth0\n")).contains("2001:db8:100::/40 dev eth0 metric 1024"));
    }

    @Test
    void aSecondRouteWithTheSamePrefixAndMetricExists() {
        assertEquals("t.ip:4: RTNETLINK answers: File exists", error(BASE + "route add 2001:db8:1::/48 dev eth0\nroute add 2001:db8:1::/48 via fe80::1 dev eth0\n"));
    }

    @Test
    void anInvalidSourceIsRefused() {
        assertEquals("t.ip:3: Error: Invalid source address.", error(BASE + "route add 2001:db8:1::/48 dev eth0 src 2001:db8::99\n"));
    }

    @Test
    void aRouteNeedsADeviceOrGateway() {
        assertEquals("t.ip:3: RTNETLINK answers: No such device", error(BASE + "route add 2001:db8:1::/48\n"));
    }

    @Test
    void rejectRoutesGoThroughLo() {
        String r = routes(parse(BASE + "route add unreachable 2001:db8:dead::/48\nroute add blackhole 2001:db8:beef::/48 dev eth0\n"));
        assertTrue(r.contains("unreachable 2001:db8:dead::/48 dev lo metric 1024 pref medium\n"), r);
        assertTrue(r.contains("blackhole 2001:db8:beef::/48 dev lo metric 1024 pref medium\n"), r);
    }

    @Test
    void aDuplicateAddressIsAlreadyAssigned() {
        assertEquals("t.ip:3: Error: ipv6: address already assigned.", error(BASE + "addr add 2001:db8::10/64 dev eth0\n"));
    }

    @Test
    void broadcastIsForIpv4Only() {
        assertEquals("t.ip:3: Broadcast can be set only for IPv4 addresses", error(BASE + "addr add 2001:db8:1::1/64 brd + dev eth0\n"));
    }

    @Test
    void nodadIsShownAndNoprefixrouteLeavesThePrefixRouteOut() {
        Host h = parse(BASE + "addr add 2001:db8:1::1/64 dev eth0 nodad noprefixroute\n");
        assertTrue(IpFormat6.addresses(h).contains("    inet6 2001:db8:1::1/64 scope global nodad noprefixroute \n"));
        assertTrue(!routes(h).contains("2001:db8:1::/64 dev eth0 proto kernel"));
    }

    @Test
    void aScopeOnAnIpv6AddressIsIgnoredAsTheKernelDoes() {
        assertEquals(Scope.UNIVERSE, parse(BASE + "addr add 2001:db8:1::1/64 dev eth0 scope link\n").device("eth0").addresses6().get(0).scope());
    }

    @Test
    void addrgenmodeNoneGivesNoLinkLocalAddress() {
        Host h = parse("link set dev eth0 address 02:00:00:00:00:01 addrgenmode none up\n");
        assertTrue(h.device("eth0").addresses6().isEmpty());
        assertTrue(routes(h).contains("multicast ff00::/8 dev eth0 table local"), "the multicast route still comes with the device");
    }

    @Test
    void anUnpredictableAddrgenmodeIsRefused() {
        assertTrue(error("link set dev eth0 address 02:00:00:00:00:01 addrgenmode random up\n").startsWith("t.ip:1: addrgenmode random is not supported"));
    }

    @Test
    void anAddressAddedWhileDownGetsItsPrefixRouteWhenTheLinkComesUp() {
        String down = "link set dev eth0 address 02:00:00:00:00:01\naddr add 2001:db8::1/64 dev eth0\n";
        Host h = parse(down);
        assertTrue(!h.device("eth0").addresses6().get(0).isTentative(), "DAD is done at once, as with accept_dad=0");
        assertTrue(routes(h).contains("local 2001:db8::1 dev eth0 table local"), routes(h));
        assertTrue(!routes(h).contains("2001:db8::/64"), routes(h));
        assertTrue(routes(parse(down + "link set eth0 up\n")).contains("2001:db8::/64 dev eth0 proto kernel metric 256"));
    }

    @Test
    void linkDownRemovesItsIpv6AddressesRoutesAndNeighbours() {
        Host h = parse(BASE + "-6 route add 2001:db8:1::/48 via 2001:db8::1\n-6 neigh add 2001:db8::1 lladdr 02:00:00:00:00:09 dev eth0\nlink set eth0 down\n");
        assertTrue(h.device("eth0").addresses6().isEmpty());
        assertTrue(h.neighbours6().isEmpty());
        assertTrue(h.routes6().stream().allMatch(r -> r.device() == h.loopback()));
    }

    @Test
    void anIpv6NeighbourIsKeptPerDeviceAndAddress() {
        Host h = parse(BASE + "-6 neigh add fd00::2 lladdr 02:42:ac:11:00:02 dev eth0 nud permanent\n");
        assertEquals("fd00::2 dev eth0 lladdr 02:42:ac:11:00:02 PERMANENT \n", IpFormat6.neighbours(h));
    }

    @Test
    void anUnknownGlobalOptionIsIpsError() {
        assertEquals("t.ip:1: Option \"-7\" is unknown, try \"ip -help\".", error("-7 route add default dev eth0\n"));
    }

    @Test
    void anIpv6LineAfterIpv4LinesNamesItsLine() {
        assertEquals("t.ip:5: Error: Nexthop device is not up.", error(BASE + "link set eth1 address 02:00:00:00:00:02\naddr add 10.0.0.1/24 dev eth1\nroute add 2001:db8:1::/48 dev eth1\n"));
    }

    @Test
    void anIpv4OnlyFileHasOnlyTheKernelsIpv6State() {
        Host h = parse("link set dev eth0 address 02:00:00:00:00:01 up\naddr add 10.0.0.2/24 dev eth0\n");
        assertEquals(List.of("fe80::ff:fe00:1/64 dev eth0"), h.device("eth0").addresses6().stream().map(Object::toString).toList());
        assertEquals("10.0.0.2", Inet4.format(h.device("eth0").addresses().get(0).local()));
    }
}

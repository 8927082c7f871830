package jnat.host;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Routes the kernel adds for addresses, and route lookups: longest prefix, metric, types. */
class RoutingTest {
    static int ip(String s) { return Inet4.parse(s); }

    static Host parse(String text) { return Host.parse(text, "r.ip"); }

    static final String TWO_LINKS = """
            link set eth0 address 02:00:00:00:00:01 up
            addr add 10.0.0.2/24 dev eth0
            link set eth1 address 02:00:00:00:00:02 up
            addr add 10.1.0.2/24 dev eth1
            """;

    static List<String> table(Host h, int table) {
        return h.routes(table).stream().map(r -> IpFormat.route(r, false).strip()).toList();
    }

    @Test
    void addingAnAddressAddsLocalBroadcastAndSubnetRoutes() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01 up\naddr add 10.0.0.2/24 dev eth0\n");
        assertEquals(List.of(
                "local 10.0.0.2 dev eth0 proto kernel scope host src 10.0.0.2",
                "broadcast 10.0.0.255 dev eth0 proto kernel scope link src 10.0.0.2",
                "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1",
                "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1",
                "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1"), table(h, Route.TABLE_LOCAL));
        assertEquals(List.of("10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2"), table(h, Route.TABLE_MAIN));
    }

    @Test
    void anAddressOnADownLinkGetsOnlyItsLocalRoute() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01\naddr add 10.0.0.2/24 dev eth0\n");
        assertTrue(table(h, Route.TABLE_MAIN).isEmpty());
        assertTrue(table(h, Route.TABLE_LOCAL).contains("local 10.0.0.2 dev eth0 proto kernel scope host src 10.0.0.2"));
        assertFalse(table(h, Route.TABLE_LOCAL).stream().anyMatch(l -> l.contains("10.0.0.255")));
    }

    @Test
    void bringingTheLinkUpAddsTheSubnetRoute() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01\naddr add 10.0.0.2/24 dev eth0\nlink set eth0 up\n");
        assertEquals(List.of("10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2"), table(h, Route.TABLE_MAIN));
    }

    @Test
    void bringingTheLinkDownRemovesItsRoutesButKeepsTheLocalOne() {
        Host h = parse(TWO_LINKS + "route add default via 10.0.0.1\nlink set eth0 down\n");
        assertEquals(List.of("10.1.0.0/24 dev eth1 proto kernel scope link src 10.1.0.2"), table(h, Route.TABLE_MAIN));
        assertEquals(RouteType.LOCAL, h.addressType(ip("10.0.0.2")));
        assertEquals(RouteType.UNICAST, h.addressType(ip("10.0.0.255")));
    }

    @Test
    void aSecondaryAddressGetsALocalRouteWithThePrimaryAsSource() {
        Host h = parse(TWO_LINKS + "addr add 10.0.0.3/24 dev eth0\n");
        assertTrue(h.device("eth0").addresses().get(1).isSecondary());
        assertTrue(table(h, Route.TABLE_LOCAL).contains("local 10.0.0.3 dev eth0 proto kernel scope host src 10.0.0.2"));
        assertEquals(1, table(h, Route.TABLE_MAIN).stream().filter(l -> l.startsWith("10.0.0.0/24")).count());
    }

    @Test
    void slash31AndSlash32AddressesGetNoSubnetBroadcast() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01 up\naddr add 10.0.0.0/31 dev eth0\naddr add 10.9.9.9/32 dev eth0\n");
        assertEquals(List.of("10.0.0.0/31 dev eth0 proto kernel scope link src 10.0.0.0"), table(h, Route.TABLE_MAIN));
        assertFalse(table(h, Route.TABLE_LOCAL).stream().anyMatch(l -> l.startsWith("broadcast 10.")));
    }

    @Test
    void longestPrefixWins() {
        Host h = parse(TWO_LINKS + "route add 10.50.0.0/16 via 10.0.0.1\nroute add 10.50.7.0/24 via 10.1.0.1\nroute add default via 10.0.0.9\n");
        assertEquals(ip("10.1.0.1"), h.routeOutput(ip("10.50.7.7")).nexthop());
        assertEquals(ip("10.0.0.1"), h.routeOutput(ip("10.50.8.7")).nexthop());
        assertEquals(ip("10.0.0.9"), h.routeOutput(ip("10.51.0.1")).nexthop());
    }

    @Test
    void lowerMetricWinsAmongEqualPrefixes() {
        Host h = parse(TWO_LINKS + "route add 10.50.0.0/16 via 10.0.0.1 metric 100\nroute add 10.50.0.0/16 via 10.1.0.1 metric 50\n");
        RouteResult r = h.routeOutput(ip("10.50.0.1"));
        assertEquals(ip("10.1.0.1"), r.nexthop());
        assertEquals(h.device("eth1"), r.out());
        assertEquals(50, r.route().metric());
    }

    @Test
    void aGatewayRouteResolvesItsDeviceFromTheGateway() {
        Host h = parse(TWO_LINKS + "route add default via 10.1.0.1\n");
        RouteResult r = h.routeOutput(ip("8.8.8.8"));
        assertEquals(RouteType.UNICAST, r.type());
        assertEquals(h.device("eth1"), r.out());
        assertEquals(ip("10.1.0.1"), r.nexthop());
        assertEquals(ip("10.1.0.2"), r.source());
    }

    @Test
    void anOnLinkDestinationIsItsOwnNextHop() {
        RouteResult r = parse(TWO_LINKS).routeOutput(ip("10.0.0.77"));
        assertEquals(ip("10.0.0.77"), r.nexthop());
        assertEquals("eth0", r.out().name());
    }

    @Test
    void ownAddressRoutesLocallyThroughLo() {
        RouteResult r = parse(TWO_LINKS).routeOutput(ip("10.1.0.2"));
        assertEquals(RouteType.LOCAL, r.type());
        assertEquals("lo", r.out().name());
        assertEquals(ip("10.1.0.2"), r.source());
    }

    @Test
    void noMatchingRouteIsNetworkUnreachable() {
        RouteResult r = parse(TWO_LINKS).routeOutput(ip("8.8.8.8"));
        assertTrue(r.isError());
        assertEquals("Network is unreachable", r.error().text());
        assertNull(r.out());
    }

    @Test
    void unreachableBlackholeAndProhibitRoutesFailWithTheirErrors() {
        Host h = parse(TWO_LINKS + """
                route add default via 10.0.0.1
                route add unreachable 10.40.0.0/16
                route add blackhole 10.41.0.0/16
                route add prohibit 10.42.0.0/16
                """);
        assertEquals(new RouteResult(RouteType.UNREACHABLE, h.fibLookup(ip("10.40.0.1")), null, 0, 0, RouteError.HOST_UNREACHABLE), h.routeOutput(ip("10.40.0.1")));
        assertEquals("Invalid argument", h.routeOutput(ip("10.41.0.1")).error().text());
        assertEquals(RouteType.PROHIBIT, h.routeOutput(ip("10.42.0.1")).type());
        assertEquals("Permission denied", h.routeOutput(ip("10.42.0.1")).error().text());
    }

    @Test
    void anErrorRouteWinsOverAShorterUsablePrefix() {
        Host h = parse(TWO_LINKS + "route add default via 10.0.0.1\nroute add blackhole 10.41.0.0/16\n");
        assertEquals(RouteType.BLACKHOLE, h.routeOutput(ip("10.41.2.3")).type());
    }

    @Test
    void limitedBroadcastGoesOutTheDefaultRouteDeviceWithoutGateway() {
        RouteResult r = parse(TWO_LINKS + "route add default via 10.0.0.1\n").routeOutput(-1);
        assertEquals(RouteType.BROADCAST, r.type());
        assertEquals("eth0", r.out().name());
        assertEquals(-1, r.nexthop());
    }

    @Test
    void subnetBroadcastRoutesAsBroadcast() {
        RouteResult r = parse(TWO_LINKS).routeOutput(ip("10.1.0.255"));
        assertEquals(RouteType.BROADCAST, r.type());
        assertEquals("eth1", r.out().name());
    }

    @Test
    void multicastGoesToTheGroupNotTheGateway() {
        RouteResult r = parse(TWO_LINKS + "route add default via 10.0.0.1\n").routeOutput(ip("239.1.2.3"));
        assertEquals(RouteType.MULTICAST, r.type());
        assertEquals(ip("239.1.2.3"), r.nexthop());
    }

    @Test
    void aForwardedPacketRoutesToItsNextHop() {
        Host h = parse(TWO_LINKS + "route add default via 10.0.0.1\n");
        RouteResult r = h.routeInput(ip("8.8.8.8"), ip("10.1.0.7"), h.device("eth1"));
        assertEquals(RouteType.UNICAST, r.type());
        assertEquals("eth0", r.out().name());
        assertEquals(ip("10.0.0.1"), r.nexthop());
    }

    @Test
    void anIncomingPacketForUsIsLocal() {
        Host h = parse(TWO_LINKS);
        assertEquals(RouteType.LOCAL, h.routeInput(ip("10.0.0.2"), ip("10.0.0.9"), h.device("eth0")).type());
        assertEquals(RouteType.BROADCAST, h.routeInput(ip("10.0.0.255"), ip("10.0.0.9"), h.device("eth0")).type());
    }

    @Test
    void martianPacketsAreRefused() {
        Host h = parse(TWO_LINKS);
        assertEquals("martian source", h.routeInput(ip("10.0.0.2"), ip("224.0.0.1"), h.device("eth0")).error().text());
        assertEquals("martian destination", h.routeInput(ip("0.0.0.0"), ip("10.0.0.9"), h.device("eth0")).error().text());
        assertEquals("martian destination", h.routeInput(ip("127.0.0.1"), ip("10.0.0.9"), h.device("eth0")).error().text());
    }

    @Test
    void routesFromAnotherTableAreNotConsulted() {
        Host h = parse(TWO_LINKS + "route add 10.60.0.0/16 via 10.0.0.1 table 100\n");
        assertTrue(h.routeOutput(ip("10.60.0.1")).isError());
    }

    @Test
    void throwRouteInMainFallsThroughToTableDefault() {
        Host h = parse(TWO_LINKS + "route add throw 10.70.0.0/16\nroute add 10.70.0.0/16 via 10.1.0.1 table default\nroute add default via 10.0.0.1\n");
        assertEquals(ip("10.1.0.1"), h.routeOutput(ip("10.70.0.1")).nexthop());
    }

    @Test
    void aGatewayThatIsOurOwnAddressSendsStraightToTheDestination() {
        Host h = parse(TWO_LINKS + "route add 10.98.0.0/16 via 10.0.0.2\n");
        assertEquals(ip("10.98.1.1"), h.routeOutput(ip("10.98.1.1")).nexthop());
    }
}

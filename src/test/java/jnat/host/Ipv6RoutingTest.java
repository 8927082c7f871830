package jnat.host;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 lookups: output and input routes, source selection, address types, neighbours, genid. */
class Ipv6RoutingTest {
    static final String FILE = """
            link set dev eth0 address 56:00:04:7c:7c:23 up
            addr add 2001:db8::10/64 dev eth0
            -6 route add default via fe80::1 dev eth0
            -6 neigh add fe80::1 lladdr 06:7c:16:88:fe:87 dev eth0
            link set dev eth1 address 02:42:d5:35:3a:3c up
            addr add fd49:efd7:54aa::1/64 dev eth1
            route add 2001:db8:1::/48 via 2001:db8::1 metric 100
            route add 2001:db8:1::/48 via 2001:db8::2 metric 50
            route add 2001:db8:1:2::/64 dev eth1
            route add unreachable 2001:db8:dead::/48
            route add prohibit 2001:db8:cafe::/48
            route add blackhole 2001:db8:beef::/48
            route add throw 2001:db8:f00::/40
            """;
    static final Host HOST = Host.parse(FILE, "r.ip");

    static long[] a(String s) {
        return Inet6.parse(s);
    }

    static RouteResult6 out(String dst) {
        long[] d = a(dst);
        return HOST.routeOutput6(d[0], d[1]);
    }

    static String src(RouteResult6 r) {
        return Inet6.format(r.sourceHi(), r.sourceLo());
    }

    static String nexthop(RouteResult6 r) {
        return Inet6.format(r.nexthopHi(), r.nexthopLo());
    }

    @Test
    void theDefaultRouteLeavesThroughItsLinkLocalGateway() {
        RouteResult6 r = out("2001:4860:4860::8888");
        assertEquals("fe80::1", nexthop(r));
        assertEquals("eth0", r.out().name());
        assertEquals("2001:db8::10", src(r));
    }

    @Test
    void theLongestPrefixWins() {
        assertEquals("eth1", out("2001:db8:1:2::5").out().name());
    }

    @Test
    void theLowestMetricWinsAmongEqualPrefixes() {
        assertEquals("2001:db8::2", nexthop(out("2001:db8:1:3::5")));
    }

    @Test
    void errorRoutesGiveTheirErrors() {
        assertEquals(RouteError.HOST_UNREACHABLE, out("2001:db8:dead::1").error());
        assertEquals(RouteError.PROHIBITED, out("2001:db8:cafe::1").error());
        assertEquals(RouteError.INVALID, out("2001:db8:beef::1").error());
    }

    @Test
    void aThrowRouteEndsTheLookupUnreachable() {
        assertEquals(RouteError.NETWORK_UNREACHABLE, out("2001:db8:f00::1").error());
    }

    @Test
    void ourOwnAddressIsDeliveredThroughLo() {
        RouteResult6 r = out("2001:db8::10");
        assertEquals(RouteType.LOCAL, r.type());
        assertSame(HOST.loopback(), r.out());
        assertEquals("2001:db8::10", src(r));
    }

    @Test
    void theSubnetRouterAnycastAddressIsDeliveredToo() {
        assertEquals(RouteType.ANYCAST, out("fd49:efd7:54aa::").type());
    }

    @Test
    void aConnectedDestinationIsItsOwnNexthopWithTheOutDevicesSource() {
        RouteResult6 r = out("fd49:efd7:54aa::2");
        assertEquals("fd49:efd7:54aa::2", nexthop(r));
        assertEquals("fd49:efd7:54aa::1", src(r));
    }

    @Test
    void aLinkLocalMulticastDestinationGetsTheLinkLocalSource() {
        RouteResult6 r = out("ff02::1");
        assertEquals(RouteType.MULTICAST, r.type());
        assertEquals("fe80::5400:4ff:fe7c:7c23", src(r));
    }

    @Test
    void aLinkLocalDestinationArrivingOnAnotherDeviceStaysOnIt() {
        long[] d = a("fe80::42:d5ff:fe35:3a3c"), s = a("fe80::9");
        RouteResult6 r = HOST.routeInput6(d[0], d[1], s[0], s[1], HOST.device("eth0"));
        assertEquals(RouteType.UNICAST, r.type(), "eth1's address is not eth0's: eth0's fe80::/64 forwards it");
        assertEquals("eth0", r.out().name());
        RouteResult6 local = HOST.routeInput6(d[0], d[1], s[0], s[1], HOST.device("eth1"));
        assertEquals(RouteType.LOCAL, local.type());
    }

    @Test
    void anInputRouteFillsAReusedDecisionWithoutAllocating() {
        RouteDecision6 d = new RouteDecision6();
        long[] dst = a("2001:db8:1:3::5");
        assertSame(d, HOST.routeInput6(dst[0], dst[1], 0, 0, HOST.device("eth1"), d));
        assertEquals("eth0", d.out().name());
        assertFalse(d.hasSource());
    }

    @Test
    void addressTypesAreAsXtAddrtypeSeesThem() {
        assertEquals(RouteType.LOCAL, type("2001:db8::10"));
        assertEquals(RouteType.ANYCAST, type("2001:db8::"));
        assertEquals(RouteType.MULTICAST, type("ff02::1"));
        assertEquals(RouteType.UNICAST, type("2001:4860:4860::8888"));
        assertEquals(RouteType.UNSPEC, type("::"));
    }

    @Test
    void anUnroutableAddressIsUnicastAndUnreachable() {
        long[] d = a("2001:db8:dead::1");
        int bits = HOST.addressTypes6(d[0], d[1], null);
        assertEquals(1 << RouteType.UNICAST.rtn() | 1 << RouteType.UNREACHABLE.rtn(), bits);
        assertTrue(HOST.addrtypeMatch6(d[0], d[1], null, 1 << RouteType.UNREACHABLE.rtn()));
        assertFalse(HOST.addrtypeMatch6(d[0], d[1], HOST.device("eth0"), 1 << RouteType.UNREACHABLE.rtn()),
                "through eth0 the reject route (on lo) is passed over for the default route");
    }

    @Test
    void limitingToAnotherDeviceMakesOurAddressNotLocal() {
        long[] d = a("fd49:efd7:54aa::1");
        assertFalse(HOST.addrtypeMatch6(d[0], d[1], HOST.device("eth0"), 1 << RouteType.LOCAL.rtn()));
        assertTrue(HOST.addrtypeMatch6(d[0], d[1], HOST.device("eth1"), 1 << RouteType.LOCAL.rtn()));
    }

    static RouteType type(String s) {
        long[] d = a(s);
        return HOST.addressType6(d[0], d[1]);
    }

    @Test
    void aMulticastNexthopMapsTo3333AndTheLowBits() {
        long[] d = a("ff02::1:ff7c:7c23");
        assertEquals(0x3333ff7c7c23L, HOST.linkAddress6(HOST.device("eth0"), d[0], d[1]));
    }

    @Test
    void aUnicastNexthopIsResolvedFromTheNeighbourTable() {
        long[] d = a("fe80::1");
        assertEquals(0x067c1688fe87L, HOST.linkAddress6(HOST.device("eth0"), d[0], d[1]));
        assertEquals(Interface.NO_MAC, HOST.linkAddress6(HOST.device("eth1"), d[0], d[1]));
    }

    @Test
    void everyIpv6ChangeMovesTheGenid() {
        Host h = Host.parse(FILE, "r.ip");
        int g = h.genid();
        long[] d = a("2001:db8:5::");
        h.addRoute6(new Route6(Route.TABLE_MAIN, RouteType.UNICAST, d[0], d[1], 48, 0, 0, h.device("eth0"), 0, 0, 0, Route.PROTO_BOOT, false), Host.RouteMode.ADD);
        assertTrue(h.genid() != g);
        g = h.genid();
        h.addAddress6(h.device("eth0"), d[0], d[1] | 1, 64, false, false, 0);
        assertTrue(h.genid() != g);
        g = h.genid();
        h.addNeighbour6(new Neighbour6(d[0], 7, 0x020000000007L, h.device("eth0"), "PERMANENT"), false);
        assertTrue(h.genid() != g);
    }

    @Test
    void isLocalAddress6KnowsOurAddressesOnly() {
        long[] ours = a("fd49:efd7:54aa::1"), other = a("fd49:efd7:54aa::2");
        assertTrue(HOST.isLocalAddress6(ours[0], ours[1]));
        assertFalse(HOST.isLocalAddress6(other[0], other[1]));
    }

    @Test
    void noSourceWithoutCandidates() {
        Host h = Host.parse("link set eth0 address 02:00:00:00:00:01 addrgenmode none up\n", "n.ip");
        long[] d = a("ff02::1");
        assertNull(h.selectSourceAddress6(h.device("eth0"), d[0], d[1]));
    }

    @Test
    void lookupsSourceSelectionAndAddrtypeAllocateNothingOnceWarm() {
        long[][] dsts = {a("2001:4860:4860::8888"), a("2001:db8:1:3::5"), a("fd49:efd7:54aa::2"), a("ff02::1"), a("2001:db8::10")};
        RouteDecision6 d = new RouteDecision6();
        Interface eth0 = HOST.device("eth0");
        long sink = 0;
        for (int i = 0; i < 20_000; i++) sink += run(dsts, d, eth0);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().threadId());
        for (int i = 0; i < 10_000; i++) sink += run(dsts, d, eth0);
        long bytes = mx.getThreadAllocatedBytes(Thread.currentThread().threadId()) - before;
        assertTrue(sink != 0);
        assertTrue(bytes < 10_000, "bytes allocated by 10 000 rounds of lookups: " + bytes);
    }

    private static long run(long[][] dsts, RouteDecision6 d, Interface in) {
        long sum = 0;
        for (long[] x : dsts) {
            sum += HOST.routeOutput6(x[0], x[1], d).sourceLo();
            sum += HOST.routeInput6(x[0], x[1], 0, 5, in, d).nexthopLo();
            sum += HOST.addressTypes6(x[0], x[1], in);
            sum += HOST.linkAddress6(in, x[0], x[1]);
        }
        return sum;
    }
}

package jnat.host;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The built-in host of the seed article: what MASQUERADE and DNAT will ask of it. */
class SeedHostTest {
    static int ip(String s) { return Inet4.parse(s); }

    static final Host SEED = Host.fromResource("/hosts/seed-docker-host.ip");

    @Test
    void hasLoEth0AndDocker0WithTheSeedsMacs() {
        assertEquals("lo", SEED.deviceByIndex(1).name());
        assertEquals("56:00:04:7c:7c:23", SEED.device("eth0").macString());
        assertEquals("02:42:d5:35:3a:3c", SEED.device("docker0").macString());
        assertEquals(1500, SEED.device("docker0").mtu());
    }

    @Test
    void theContainersPingLeavesByEth0ToTheGateway() {
        RouteResult r = SEED.routeInput(ip("8.8.8.8"), ip("172.17.0.2"), SEED.device("docker0"));
        assertEquals(RouteType.UNICAST, r.type());
        assertEquals("eth0", r.out().name());
        assertEquals(ip("45.77.200.1"), r.nexthop());
        assertEquals(0x067c1688fe87L, SEED.linkAddress(r.out(), r.nexthop()));
    }

    @Test
    void masqueradeChoosesTheEth0Address() {
        assertEquals(ip("45.77.200.180"), SEED.selectSourceAddress(SEED.device("eth0"), ip("45.77.200.1")));
    }

    @Test
    void thePublishedPortsDestinationIsLocal() {
        assertEquals(RouteType.LOCAL, SEED.addressType(ip("45.77.200.180")));
        assertEquals(RouteType.LOCAL, SEED.addressType(ip("172.17.0.1")));
    }

    @Test
    void theDnatTargetIsReachedOnDocker0() {
        RouteResult r = SEED.routeInput(ip("172.17.0.2"), ip("114.246.99.100"), SEED.device("eth0"));
        assertEquals("docker0", r.out().name());
        assertEquals(ip("172.17.0.2"), r.nexthop());
        assertEquals(0x0242ac110002L, SEED.linkAddress(r.out(), r.nexthop()));
    }

    @Test
    void broadcastAndMulticastNextHopsNeedNoNeighbour() {
        assertEquals(0xffffffffffffL, SEED.linkAddress(SEED.device("docker0"), ip("172.17.255.255")));
        assertEquals(0x01005e000001L, SEED.linkAddress(SEED.device("eth0"), ip("224.0.0.1")));
        assertEquals(0x01005e7f0203L, SEED.linkAddress(SEED.device("eth0"), ip("239.255.2.3")));
    }

    @Test
    void anUnknownNeighbourIsUnresolved() {
        assertEquals(Interface.NO_MAC, SEED.linkAddress(SEED.device("docker0"), ip("172.17.0.3")));
    }

    @Test
    void aReusedDecisionAnswersLikeTheRecord() {
        RouteDecision d = new RouteDecision();
        for (String dst : new String[] {"8.8.8.8", "172.17.0.2", "45.77.200.180", "127.0.0.1", "224.0.0.5", "172.17.255.255"}) {
            assertEquals(SEED.routeInput(ip(dst), ip("172.17.0.2"), SEED.device("docker0")),
                    SEED.routeInput(ip(dst), ip("172.17.0.2"), SEED.device("docker0"), d).toResult(), dst);
            assertEquals(SEED.routeOutput(ip(dst)), SEED.routeOutput(ip(dst), d).toResult(), dst);
        }
    }

    @Test
    void aMissingResourceIsAnError() {
        assertThrows(HostException.class, () -> Host.fromResource("/hosts/nope.ip"));
    }

    @Test
    void everyChangeOfLinksAddressesRoutesAndNeighboursBumpsTheGenid() {
        Host h = Host.fromResource("/hosts/seed-docker-host.ip");
        Interface eth0 = h.device("eth0");
        java.util.List<Runnable> changes = java.util.List.of(
                () -> h.addLink("veth9", "veth"),
                () -> h.setMtu(eth0, 1400),
                () -> h.setMac(h.device("veth9"), 0x02_00_00_00_00_09L),
                () -> h.setUp(h.device("veth9"), true),
                () -> h.addAddress(new InterfaceAddress(h.device("veth9"), ip("10.9.0.1"), 24, ip("10.9.0.255"), Scope.UNIVERSE, "veth9", false, 0)),
                () -> h.addRoute(new Route(Route.TABLE_MAIN, RouteType.UNICAST, ip("10.8.0.0"), 16, ip("10.9.0.2"),
                        h.device("veth9"), 0, 0, Route.PROTO_BOOT, Scope.UNIVERSE, false), Host.RouteMode.ADD),
                () -> h.addNeighbour(new Neighbour(ip("10.9.0.2"), 0x02_00_00_00_00_0aL, h.device("veth9"), "permanent"), false));
        for (Runnable change : changes) {
            int before = h.genid();
            change.run();
            assertNotEquals(before, h.genid());
        }
    }

    @Test
    void lookupsLeaveTheGenidAlone() {
        Host h = Host.fromResource("/hosts/seed-docker-host.ip");
        int before = h.genid();
        h.routeInput(ip("8.8.8.8"), ip("172.17.0.2"), h.device("docker0"));
        h.linkAddress(h.device("eth0"), ip("45.77.200.1"));
        h.addressType(ip("45.77.200.180"));
        assertEquals(before, h.genid());
    }
}

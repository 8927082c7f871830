package jnat.nat;

import jnat.demo.SeedDemo;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.RouteResult;
import jnat.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class RouteCacheTest {
    private final Host host = SeedDemo.host();
    private final Interface docker0 = host.device("docker0");
    private final RouteCache cache = new RouteCache(host, null, null);

    private RouteResult input(String dst) {
        return cache.input(Ipv4Address.parse(dst), Ipv4Address.parse("172.17.0.2"), docker0);
    }

    @Test
    void destinationsBehindOneGatewayShareOneResult() {
        RouteResult a = input("198.51.100.1"), b = input("198.51.100.2"), c = input("203.0.113.9");
        assertEquals(Ipv4Address.parse("45.77.200.1"), a.nexthop());
        assertSame(a, b);
        assertSame(a, c);
    }

    @Test
    void destinationsOnTheLinkDoNotEvictAGatewaysResult() {
        RouteResult a = input("198.51.100.1");
        for (int i = 2; i < 250; i++) cache.input(Ipv4Address.parse("172.17.0." + i), Ipv4Address.parse("45.77.200.9"), host.device("eth0"));
        assertSame(a, input("198.51.100.77"));
    }

    @Test
    void destinationsOnTheLinkKeepTheirOwnNexthop() {
        RouteResult a = input("45.77.200.7"), b = input("45.77.200.8");
        assertEquals(Ipv4Address.parse("45.77.200.7"), a.nexthop());
        assertEquals(Ipv4Address.parse("45.77.200.8"), b.nexthop());
        assertNotSame(a, b);
    }

    @Test
    void aCachedResultIsReturnedAgain() {
        assertSame(input("198.51.100.1"), input("198.51.100.1"));
    }
}

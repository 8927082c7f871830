package jnat.host;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 route lookup against a brute-force oracle: longest prefix, then lowest metric, then first added. */
class Ipv6RouteLookupProperties {
    record Spec(long hi, long lo, int plen, int metric) {}

    /** Addresses in 2001:db8::/32 with few distinct bits, so that prefixes overlap often. */
    static Arbitrary<long[]> addresses() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3),
                Arbitraries.longs().between(0, 3)).as((a, b, c) -> new long[] {
                    0x2001_0db8_0000_0000L | (long) a << 30 | (long) b << 12, c << 62 | c});
    }

    @Provide
    Arbitrary<Spec> routes() {
        Arbitrary<Integer> plen = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 31)),
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(32, 66)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(67, 128)));
        return Combinators.combine(addresses(), plen, Arbitraries.integers().between(0, 3))
                .as((a, p, m) -> new Spec(a[0], a[1], p, m));
    }

    @Provide
    Arbitrary<long[]> destinations() {
        return addresses();
    }

    @Property(tries = 300)
    void theLongestPrefixThenLowestMetricThenOldestRouteWins(
            @ForAll @Size(max = 20) List<@net.jqwik.api.From("routes") Spec> specs,
            @ForAll("destinations") long[] dst) {
        Host h = new Host();
        Interface eth0 = h.addLink("eth0", "veth");
        h.setMac(eth0, 0x020000000001L);
        h.setUp(eth0, true);
        List<Route6> added = new ArrayList<>();
        for (Spec s : specs) {
            Route6 r = new Route6(Route.TABLE_MAIN, RouteType.UNICAST, s.hi(), s.lo(), s.plen(), 0, 0, eth0, 0, 0, s.metric(), Route.PROTO_BOOT, false);
            try {
                h.addRoute6(r, Host.RouteMode.ADD);
                added.add(r.with(eth0, s.metric() == 0 ? Route6.PRIO_USER : s.metric()));
            } catch (HostException e) {
                int m = s.metric() == 0 ? Route6.PRIO_USER : s.metric();
                assertTrue(added.stream().anyMatch(o -> o.sameNode(r) && o.metric() == m), "refused only as a duplicate: " + e.getMessage());
            }
        }
        Route6 best = null;
        for (Route6 r : added) {
            if (!r.covers(dst[0], dst[1])) continue;
            if (best == null || r.prefixLength() > best.prefixLength()
                    || (r.prefixLength() == best.prefixLength() && r.metric() < best.metric())) {
                best = r;
            }
        }
        RouteResult6 res = h.routeOutput6(dst[0], dst[1]);
        if (best == null) {
            assertEquals(RouteError.NETWORK_UNREACHABLE, res.error());
        } else {
            assertEquals(IpFormat6.route(best, true), IpFormat6.route(res.route(), true));
            assertSame(eth0, res.out());
            assertEquals(dst[0], res.nexthopHi());
            assertEquals(dst[1], res.nexthopLo());
        }
    }
}

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Route lookup against a brute-force oracle: longest prefix, then lowest metric, then first added. */
class RouteLookupProperties {
    record Spec(int dst, int plen, int metric) {}

    @Provide
    Arbitrary<Spec> routes() {
        // few distinct high bits so prefixes overlap often
        Arbitrary<Integer> addr = Arbitraries.integers().between(0, 7).flatMap(hi ->
                Arbitraries.integers().map(lo -> (hi << 29) | (lo >>> 3)));
        Arbitrary<Integer> plen = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(1, 8)),
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(9, 32)));
        return Combinators.combine(addr, plen, Arbitraries.integers().between(0, 3))
                .as((a, p, m) -> new Spec(a & Inet4.mask(p), p, m));
    }

    @Provide
    Arbitrary<Integer> destinations() {
        return Arbitraries.integers().between(0, 7).flatMap(hi ->
                Arbitraries.integers().map(lo -> (hi << 29) | (lo >>> 3)));
    }

    @Property(tries = 300)
    void theLongestPrefixThenLowestMetricThenOldestRouteWins(
            @ForAll @Size(max = 20) List<@net.jqwik.api.From("routes") Spec> specs,
            @ForAll("destinations") int dst) {
        if (Inet4.isLoopback(dst) || dst == 0 || dst == -1 || Inet4.isMulticast(dst)) return;
        Host h = new Host();
        Interface eth0 = h.addLink("eth0", "veth");
        h.setUp(eth0, true);
        List<Route> added = new ArrayList<>();
        for (Spec s : specs) {
            Route r = new Route(Route.TABLE_MAIN, RouteType.UNICAST, s.dst(), s.plen(), 0, eth0, 0, s.metric(),
                    Route.PROTO_BOOT, Scope.LINK, false);
            try {
                h.addRoute(r, Host.RouteMode.ADD);
                added.add(r);
            } catch (HostException e) {
                assertTrue(added.stream().anyMatch(o -> o.dst() == s.dst() && o.prefixLength() == s.plen() && o.metric() == s.metric()),
                        "refused only as a duplicate: " + e.getMessage());
            }
        }
        Route best = null;
        for (Route r : added) {
            if (!r.covers(dst)) continue;
            if (best == null || r.prefixLength() > best.prefixLength()
                    || (r.prefixLength() == best.prefixLength() && r.metric() < best.metric())) {
                best = r;
            }
        }
        RouteResult res = h.routeOutput(dst);
        if (best == null) {
            assertEquals("Network is unreachable", res.error().text());
        } else {
            assertEquals(best, res.route());
            assertEquals(dst, res.nexthop());
        }
    }
}

package jnat.host;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv6HostFileProperties {
    static final String BASE = "link set dev eth0 address 02:00:00:00:00:01 up\naddr add 2001:db8::10/64 dev eth0\n";

    static final List<String> WORDS = List.of(
            "-6", "-4", "-f", "inet6", "ip", "link", "set", "addr", "a", "route", "r", "neigh", "add", "replace", "append",
            "dev", "eth0", "eth1", "up", "down", "addrgenmode", "none", "eui64", "random", "address", "02:00:00:00:00:09",
            "2001:db8::1", "2001:db8::10/64", "2001:db8:1::/48", "2001:db8::/129", "fe80::1", "ff02::1", "::", "::/0",
            "::1", "fd00::2", "1:2:3:4:5:6:7:8:9", "2001:db8:::1", "10.0.0.1", "default", "via", "src", "metric", "0",
            "4294967296", "proto", "static", "table", "local", "unreachable", "blackhole", "prohibit", "throw", "multicast",
            "onlink", "nodad", "noprefixroute", "scope", "link", "brd", "+", "lladdr", "nud", "permanent", "to", "fe80::1/64",
            "2001:db8::1/0", "ff00::/8", "anycast", "-family", "inet", "::ffff:10.0.0.1", "label", "eth0:1", "mtu", "1200", "");

    @Provide
    Arbitrary<List<String>> garbage() {
        Arbitrary<String> line = Arbitraries.of(WORDS).list().ofMinSize(1).ofMaxSize(9).map(w -> String.join(" ", w));
        return line.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 2000)
    void garbageEitherLoadsOrFailsWithOneLineNamingFileAndLine(@ForAll("garbage") List<String> lines) {
        String text = BASE + String.join("\n", lines);
        try {
            Host.parse(text, "p.ip");
        } catch (HostFileException e) {
            assertTrue(e.getMessage().startsWith("p.ip:" + e.line() + ": "), e.getMessage());
            assertTrue(e.line() >= 3 && e.line() <= lines.size() + 2, e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** A random prefix inside 2001:db8::/32 (so the kernel's own routes never cover it). */
    @Provide
    Arbitrary<String> prefixes() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.integers().between(32, 128))
                .as((h, l, p) -> Inet6.format(0x2001_0db8_0000_0000L | (h >>> 32), l) + "/" + p);
    }

    /** ip -6 route show prints a route line; that line, as a route add, gives the same route back. */
    @Property(tries = 500)
    void aPrintedRouteReadsBackAsTheSameRoute(@ForAll("prefixes") String prefix, @ForAll @IntRange(min = 0, max = 5000) int metric,
                                              @ForAll boolean viaGateway, @ForAll boolean proto) {
        String line = "route add " + prefix + (viaGateway ? " via fe80::1" : "") + " dev eth0 metric " + metric + (proto ? " proto static" : "");
        Host h = Host.parse(BASE + line + "\n", "p.ip");
        Route6 r = h.routes6(Route.TABLE_MAIN).stream().filter(x -> x.protocol() != Route.PROTO_KERNEL).findFirst().orElseThrow();
        String printed = IpFormat6.route(r, false);
        assertTrue(printed.endsWith(" pref medium\n"), printed);
        String again = "route add " + printed.replace(" pref medium\n", "");
        Host h2 = Host.parse(BASE + again + "\n", "p.ip");
        assertEquals(IpFormat6.routes(h, 0), IpFormat6.routes(h2, 0));
        assertEquals(metric == 0 ? Route6.PRIO_USER : metric, r.metric());
    }

    /** An addr add line gives that address, local to the host, with its prefix route. */
    @Property(tries = 500)
    void anAddrAddLineGivesThatAddress(@ForAll("prefixes") String prefix) {
        long[] a = Inet6.parse(prefix.substring(0, prefix.indexOf('/')));
        int plen = Integer.parseInt(prefix.substring(prefix.indexOf('/') + 1));
        // BASE's own address, and its prefix's anycast address (whose route was there first)
        if (a[0] == 0x2001_0db8_0000_0000L && (a[1] == 0x10 || a[1] == 0)) return;
        Host h = Host.parse(BASE + "addr add " + prefix + " dev eth0\n", "p.ip");
        assertTrue(h.isLocalAddress6(a[0], a[1]));
        assertEquals(RouteType.LOCAL, h.addressType6(a[0], a[1]));
        assertTrue(h.routes6(Route.TABLE_MAIN).stream().anyMatch(r -> r.prefixLength() == plen && r.covers(a[0], a[1])));
    }

    /** ip -6 neigh show prints an entry; that line, as a neigh add, gives the same entry back. */
    @Property(tries = 300)
    void aPrintedNeighbourReadsBackAsTheSameEntry(@ForAll("prefixes") String prefix, @ForAll @IntRange(min = 1, max = 0xfeff) int low,
                                                  @ForAll boolean reachable) {
        String addr = prefix.substring(0, prefix.indexOf('/'));
        String mac = String.format("02:00:00:00:%02x:%02x", low >> 8, low & 0xff);
        String line = "neigh add " + addr + " lladdr " + mac + " dev eth0" + (reachable ? " nud reachable" : "");
        Host h = Host.parse(BASE + line + "\n", "p.ip");
        String printed = IpFormat6.neighbours(h);
        String state = reachable ? "REACHABLE" : "PERMANENT";
        assertTrue(printed.endsWith(" " + state + " \n"), printed);
        String again = "neigh add " + printed.replace(" " + state + " \n", " nud " + state.toLowerCase(java.util.Locale.ROOT));
        assertEquals(printed, IpFormat6.neighbours(Host.parse(BASE + again + "\n", "p.ip")));
    }
}

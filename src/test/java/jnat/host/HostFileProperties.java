package jnat.host;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostFileProperties {
    static final List<String> WORDS = List.of(
            "link", "l", "set", "add", "a", "addr", "address", "route", "r", "neigh", "n", "replace", "append",
            "dev", "eth0", "eth1", "tun0", "up", "down", "mtu", "1500", "0", "99999999999", "address",
            "02:00:00:00:00:01", "01:00:5e:00:00:01", "zz:zz", "type", "veth", "bridge", "tun", "dummy", "peer", "name",
            "10.0.0.2/24", "10.0.0.1", "10.0.0.0/8", "10.0.0.0/33", "0.0.0.0/0", "300.1.1.1", "default", "via", "src",
            "metric", "proto", "static", "scope", "link", "host", "table", "local", "main", "7", "unreachable",
            "blackhole", "broadcast", "brd", "+", "label", "eth0:1", "lladdr", "nud", "permanent", "onlink", "ip",
            "#", "to", "inet", "tuntap", "mode", "");

    @Provide
    Arbitrary<List<String>> lines() {
        Arbitrary<String> line = Arbitraries.of(WORDS).list().ofMinSize(1).ofMaxSize(9).map(w -> String.join(" ", w));
        return line.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 2000)
    void anyFileEitherLoadsOrFailsWithOneLineNamingFileAndLine(@ForAll("lines") List<String> lines) {
        String text = String.join("\n", lines);
        try {
            Host.parse(text, "p.ip");
        } catch (HostFileException e) {
            assertTrue(e.getMessage().startsWith("p.ip:" + e.line() + ": "), e.getMessage());
            assertTrue(e.line() >= 1 && e.line() <= lines.size());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Property
    void anAddrAddLineGivesThatAddress(@ForAll int a, @ForAll @IntRange(min = 0, max = 32) int plen) {
        // 0 is ignored, broadcast and multicast are typed before any lookup, 127/8 meets lo's routes
        if (a == 0 || a == -1 || Inet4.isMulticast(a) || Inet4.isLoopback(a)) return;
        Host h = Host.parse("link set eth0 up\naddr add " + Inet4.format(a) + "/" + plen + " dev eth0\n", "p.ip");
        InterfaceAddress ifa = h.device("eth0").addresses().get(0);
        assertEquals(a, ifa.local());
        assertEquals(plen, ifa.prefixLength());
        assertEquals(RouteType.LOCAL, h.addressType(a, h.device("eth0")), Inet4.format(a));
    }
}

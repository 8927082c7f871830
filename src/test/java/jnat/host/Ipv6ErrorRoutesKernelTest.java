package jnat.host;

import java.util.List;

/** Unreachable, blackhole, prohibit and throw routes beside the routes they shadow or let through. */
class Ipv6ErrorRoutesKernelTest extends Ipv6KernelComparison {
    static final String FILE = """
            link set dev eth0 address 56:00:04:7c:7c:23 up
            addr add 2001:db8::10/64 dev eth0
            -6 route add default via fe80::1 dev eth0
            route add unreachable 2001:db8:dead::/48
            route add blackhole 2001:db8:beef::/48
            route add prohibit 2001:db8:cafe::/48 metric 7
            route add throw 2001:db8:f00::/40
            route add 2001:db8:f00:1::/64 via 2001:db8::1
            route add unreachable 2001:db8:1::/48 metric 10
            route add 2001:db8:1::/48 via 2001:db8::1 metric 20
            route add 2001:db8:1:5::/64 via 2001:db8::2
            route add blackhole 2001:db8:2::/48 dev eth0
            route add unreachable 2001:db8:3::/48 table local
            route add throw 2001:db8:4::/48 table local
            route add 2001:db8:4::/48 via 2001:db8::3
            route add unreachable default metric 2000
            """;

    @Override String file() { return FILE; }

    @Override List<String> veths() { return List.of("eth0"); }

    @Override List<String> destinations() {
        return List.of("2001:db8:dead::1", "2001:db8:beef::1", "2001:db8:cafe::1", "2001:db8:f00::1", "2001:db8:f00:1::1",
                "2001:db8:1::1", "2001:db8:1:5::1", "2001:db8:2::1", "2001:db8:3::1", "2001:db8:4::1", "2001:db8::1",
                "2001:db8:dead::", "2001:db8:1::", "8::1", "fe80::1", "ff02::1");
    }

    @Override List<String[]> inputs() {
        return List.<String[]>of(new String[] {"eth0", "2001:db8::99"});
    }
}

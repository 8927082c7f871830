package jnat.host;

import java.util.List;

/** The seed's Docker host with Docker's IPv6 network (fd49:efd7:54aa::/64 on docker0) and 2001:db8::10/64 on eth0. */
class Ipv6SeedHostKernelTest extends Ipv6KernelComparison {
    static final String FILE = """
            link set dev eth0 address 56:00:04:7c:7c:23 mtu 1500 up
            addr add 45.77.200.180/23 dev eth0
            route add default via 45.77.200.1 dev eth0
            neigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0
            addr add 2001:db8::10/64 dev eth0
            -6 route add default via fe80::1 dev eth0
            -6 neigh add fe80::1 lladdr 06:7c:16:88:fe:87 dev eth0
            link add docker0 type bridge
            link set dev docker0 address 02:42:d5:35:3a:3c mtu 1500 up
            addr add 172.17.0.1/16 brd + dev docker0
            neigh add 172.17.0.2 lladdr 02:42:ac:11:00:02 dev docker0
            addr add fd49:efd7:54aa::1/64 dev docker0
            -6 neigh add fd49:efd7:54aa::2 lladdr 02:42:ac:11:00:02 dev docker0
            """;

    @Override String file() { return FILE; }

    @Override List<String> veths() { return List.of("eth0"); }

    @Override List<String> destinations() {
        return List.of("2001:4860:4860::8888", "2001:db8::1", "2001:db8::10", "2001:db8::", "fd49:efd7:54aa::2",
                "fd49:efd7:54aa::1", "fd49:efd7:54aa::", "fd49:efd7:54ab::1", "fe80::1", "fe80::5400:4ff:fe7c:7c23",
                "fe80::42:d5ff:fe35:3a3c", "fe80::", "ff02::1", "ff02::2", "ff05::1:3", "ff0e::1", "::1", "::", "::ffff:8.8.8.8", "64:ff9b::808:808");
    }

    @Override List<String[]> inputs() {
        return List.of(new String[] {"eth0", "2001:db8:ffff::5"}, new String[] {"docker0", "fd49:efd7:54aa::2"},
                new String[] {"docker0", "fe80::42:acff:fe11:2"});
    }
}

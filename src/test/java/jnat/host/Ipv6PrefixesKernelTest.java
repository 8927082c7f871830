package jnat.host;

import java.util.List;

/**
 * A host with several prefixes on one device (the newest first in its list), a /128, noprefixroute,
 * an address metric, one prefix on two devices, routes with metrics, replace, append, onlink, src,
 * routes in tables local, 100 and 300, addrgenmode none, an address added while its device was down, and one
 * on a device that stays down (tentative).
 */
class Ipv6PrefixesKernelTest extends Ipv6KernelComparison {
    static final String FILE = """
            link set eth0 address 02:00:00:00:00:01 up
            link set eth1 address 02:00:00:00:00:02 addrgenmode none up
            link set eth2 address 02:00:00:00:00:03
            addr add 2001:db8::10/64 dev eth0 nodad
            addr add 2001:db8::11/64 dev eth0
            addr add 2001:db8:a::1/128 dev eth0
            addr add 2001:db8:b::1/64 dev eth0 noprefixroute
            addr add 2001:db8:c::1/64 dev eth0 metric 50
            -6 addr add 2001:db8:d::1/64 dev eth0 scope link
            addr add fd00::1/64 dev eth1
            addr add fd00::1/64 dev eth2
            addr add fd00:2::1/56 dev eth2
            link set eth2 up
            route add 2001:db8:100::1/40 dev eth0
            route add 2001:db8:201::/48 via fe80::1 dev eth0
            route add 2001:db8:202::/48 via 2001:db8::1
            route add 2001:db8:205::/48 via 2001:db8:99::1 dev eth0 onlink
            route add 2001:db8:207::/48 dev eth0 metric 0
            route add 2001:db8:207::/48 dev eth1 metric 5
            route append 2001:db8:207::/48 dev eth2 metric 5
            route add 2001:db8:208::/48 dev eth0 src 2001:db8::11
            route add local 2001:db8:20b::1 dev eth0
            route add 2001:db8:20c::/48 dev eth0 table local
            route add 2001:db8:20d::/48 dev eth0 table 100
            route add 2001:db8:20d::/48 via 2001:db8::1 table 300
            route add 2001:db8:20e::/48 dev eth0 proto static metric 7
            route replace 2001:db8:20e::/48 dev eth1 metric 7
            route add 2001:db8:210::/48 via fd00::99 dev eth2
            route add 2001:db8:2000::/36 via fd00::99 dev eth1 metric 10
            route add 2001:db8:2000::/36 via fd00::98 dev eth2 metric 20
            -6 route add default via 2001:db8::1 metric 100
            -6 route add default via fe80::1 dev eth1 metric 200
            neigh add 2001:db8::1 lladdr 06:7c:16:88:fe:88 dev eth0
            -6 neigh add fe80::1 lladdr 06:7c:16:88:fe:87 dev eth1
            neigh replace 2001:db8::1 lladdr 06:7c:16:88:fe:89 dev eth0
            link set eth3 address 02:00:00:00:00:04
            addr add 2001:db8:77::1/64 dev eth3
            """;

    @Override String file() { return FILE; }

    @Override List<String> veths() { return List.of("eth0", "eth1", "eth2", "eth3"); }

    @Override List<String> destinations() {
        return List.of("2001:db8::1", "2001:db8::10", "2001:db8::11", "2001:db8::", "2001:db8:a::1", "2001:db8:b::1",
                "2001:db8:b::", "2001:db8:b::2", "2001:db8:c::9", "2001:db8:d::9", "2001:db8:100::", "2001:db8:1ff::1",
                "2001:db8:201::1", "2001:db8:202::1", "2001:db8:205::1", "2001:db8:207::1", "2001:db8:208::1",
                "2001:db8:20b::1", "2001:db8:20c::1", "2001:db8:20e::1", "2001:db8:210::1", "2001:db8:2fff::1",
                "fd00::1", "fd00::2", "fd00::", "fd00:2::1", "fd00:2:0:ff::1", "fd00:2::", "fe80::1", "fe80::ff:fe00:1",
                "fe80::ff:fe00:3", "ff02::1", "ff12::1", "2001:db8:77::1", "2001:4860:4860::8888", "3fff::1", "fec0::1", "::");
    }

    @Override List<String[]> inputs() {
        return List.of(new String[] {"eth0", "2001:db8::99"}, new String[] {"eth1", "fd00::99"}, new String[] {"eth2", "fe80::99"});
    }
}

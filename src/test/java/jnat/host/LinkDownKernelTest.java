package jnat.host;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Taking a link down and up again changes the kernel's tables and neighbours as it changes ours. */
class LinkDownKernelTest {
    static final String UP = """
            link set dev eth0 address 02:00:00:00:00:01 up
            addr add 10.0.0.2/24 dev eth0
            addr add 10.0.0.3/24 dev eth0
            route add default via 10.0.0.1
            route add blackhole 10.7.0.0/16
            neigh add 10.0.0.1 lladdr 02:00:00:00:00:09 dev eth0
            link set dev eth1 address 02:00:00:00:00:02 up
            addr add 10.1.0.2/24 dev eth1
            route add 10.50.0.0/16 via 10.1.0.1
            """;

    @Test
    void linkDownKeepsOnlyLocalRoutesAndFlushesNeighbours() {
        compare(UP + "link set eth0 down\n");
    }

    @Test
    void linkUpAgainRestoresTheAddressRoutesButNotTheUsersRoutes() {
        compare(UP + "link set eth0 down\nlink set eth0 up\n");
    }

    private static void compare(String file) {
        Tools.require("ip");
        try (Netns ns = Netns.create("down"); Netns peers = Netns.create("downpeer")) {
            for (String dev : List.of("eth0", "eth1")) {
                String peer = "p" + dev.charAt(3);
                ns.exec("ip", "link", "add", dev, "type", "veth", "peer", "name", peer, "netns", peers.name()).checked();
                peers.exec("ip", "link", "set", peer, "up").checked();
            }
            for (String line : file.split("\n")) {
                List<String> cmd = new ArrayList<>(List.of("ip"));
                cmd.addAll(List.of(line.trim().split("\\s+")));
                ns.exec(cmd.toArray(String[]::new)).checked();
            }
            Host host = Host.parse(file, "down.ip");
            assertEquals(ns.exec("ip", "-4", "route", "show", "table", "all").checked().stdout(), IpFormat.routes(host, 0));
            assertEquals(ns.exec("ip", "-4", "neigh", "show", "nud", "permanent").checked().stdout(), IpFormat.neighbours(host));
        }
    }
}

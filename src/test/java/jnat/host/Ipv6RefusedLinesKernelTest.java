package jnat.host;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * IPv6 lines ip(8) refuses: the real ip, run on the same host in a namespace, prints the message
 * jnat gives (after its "FILE:LINE: ").
 */
class Ipv6RefusedLinesKernelTest {
    static final String BASE = """
            link set eth0 address 02:00:00:00:00:01 up
            addr add 2001:db8::10/64 dev eth0
            link set eth1 address 02:00:00:00:00:02
            """;

    static final String[] REFUSED = {
        "addr add 2001:db8::10/64 dev eth0",
        "addr add 2001:db8::/129 dev eth0",
        "-6 addr add 10.0.0.1/8 dev eth0",
        "addr add 2001:db8:e::1/64 dev eth0 brd +",
        "addr add ff02::5/64 dev eth0",
        "addr add :: dev eth0",
        "addr add ::1/128 dev eth0",
        "addr add 2001:db8:1::1/64 dev eth9",
        "route add 2001:db8:200::/48 via fe80::1",
        "route add 2001:db8:203::/48 via 2001:db8::1 dev eth1",
        "route add 2001:db8:204::/48 via 2001:db8:99::1 dev eth0",
        "route add 2001:db8:206::/48 via 2001:db8::10",
        "route add 2001:db8:207::/48 via 2001:db8::10 dev eth0",
        "route add 2001:db8:20f::/48 via ::",
        "route add 2001:db8:20f::/48 via ff02::1 dev eth0",
        "route add 2001:db8:209::/48 dev eth0 src 2001:db8::99",
        "route add 2001:db8:302::/48",
        "route add 2001:db8:301::/48 via fe80::1 dev lo",
        "route add 2001:db8:300::/48 dev eth1",
        "route add 2001:db8::/64 dev eth0 metric 256",
        "route add 2001:db8:300::/48 via 10.0.0.1 dev eth0",
        "-6 route add 10.0.0.0/8 dev eth0",
        "route add 2001:db8:zz::/48 dev eth0",
        "-6 neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev eth0",
        "route add 2001:db8:5::/48 via 2001:db8:99::1 onlink",
        "route add 2001:db8:5::/48 via 2001:db8:99::1 dev eth1 onlink",
        "link set eth0 addrgenmode bogus",
        "-7 route add default dev eth0",
    };

    @Test
    void ipRefusesEachLineWithJnatsMessage() {
        Tools.require("ip");
        try (Netns ns = Netns.create("h6r"); Netns peers = Netns.create("h6rp")) {
            for (String dev : List.of("eth0", "eth1")) {
                ns.exec("ip", "link", "add", dev, "type", "veth", "peer", "name", "p" + dev, "netns", peers.name()).checked();
                peers.exec("ip", "link", "set", "p" + dev, "up").checked();
            }
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0").checked();
            for (String l : BASE.split("\n")) ns.exec(cmd(l)).checked();
            StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
            for (String line : REFUSED) {
                Tools.Result r = ns.exec(cmd(line));
                kernel.append(line).append(" -> ").append(r.exitCode() == 0 ? "accepted" : r.stderr().strip()).append('\n');
                String reason;
                try {
                    Host.parse(BASE + line + "\n", "r.ip");
                    reason = "accepted";
                } catch (HostFileException e) {
                    reason = e.getMessage().substring(("r.ip:" + e.line() + ": ").length());
                }
                ours.append(line).append(" -> ").append(reason).append('\n');
            }
            assertEquals(kernel.toString(), ours.toString());
        }
    }

    private static String[] cmd(String line) {
        List<String> c = new ArrayList<>(List.of("ip"));
        c.addAll(List.of(line.trim().split("\\s+")));
        return c.toArray(String[]::new);
    }
}

package jnat.host;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HostCapture's files beside host.ip from tool outputs given as text (the kernel-backed cases: HostCaptureFilesKernelTest). */
class HostCaptureTest {
    private static final String RULESET = """
            table ip nat {
            	chain POSTROUTING {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "eth0" counter packets 0 bytes 0 masquerade
            	}
            }
            table ip6 filter {
            	chain FORWARD {
            		type filter hook forward priority filter; policy accept;
            	}
            }
            table ip filterx {
            	chain c {
            	}
            }
            table inet mine {
            	chain input {
            		type filter hook input priority filter; policy accept;
            	}
            }
            """;

    @Test
    void theTablesIptablesNftMakesAreLeftOutOfTheNftRuleset() {
        assertEquals("""
                table ip filterx {
                	chain c {
                	}
                }
                table inet mine {
                	chain input {
                		type filter hook input priority filter; policy accept;
                	}
                }
                """, HostCapture.nftRuleset(RULESET));
    }

    @Test
    void onlyIptablesNftsTablesGiveNoNftRuleset() {
        assertEquals("", HostCapture.nftRuleset(RULESET.substring(0, RULESET.indexOf("table ip filterx"))));
        assertEquals("", HostCapture.nftRuleset(""));
    }

    @Test
    void theEnginesSysctlsAreWrittenInItsOrderAndTheOthersLeftOut() {
        HostCapture.Sysctls s = HostCapture.sysctls("net.ipv6.icmp.ratelimit = 100\nnet.core.somaxconn = 4096\n"
                + "net.ipv4.icmp_ratelimit = 0\nnet.ipv4.ip_forward = 1\n",
                List.of("net.ipv4.icmp_ratelimit", "net.ipv6.icmp.ratelimit", "net.ipv4.route.error_cost"),
                Map.of("net.ipv4.ip_forward", "1"), "captured");
        assertEquals("# captured\nnet.ipv4.icmp_ratelimit = 0\nnet.ipv6.icmp.ratelimit = 100\n", s.file());
        assertEquals(List.of(), s.warnings());
    }

    @Test
    void anAssumedSysctlWithAnotherValueIsAWarningAndAComment() {
        Map<String, String> assumed = new LinkedHashMap<>();
        assumed.put("net.ipv4.ip_forward", "1");
        assumed.put("net.ipv4.conf.eth0.rp_filter", "0");
        HostCapture.Sysctls s = HostCapture.sysctls("net.ipv4.ip_forward = 0\nnet.ipv4.conf.eth0.rp_filter = 2\n", List.of(),
                assumed, "captured");
        assertEquals(List.of("net.ipv4.ip_forward = 0: jnat's host has 1, so the copy behaves as with 1",
                "net.ipv4.conf.eth0.rp_filter = 2: jnat's host has 0, so the copy behaves as with 0"), s.warnings());
        assertEquals("# captured\n# not copied: " + s.warnings().get(0) + "\n# not copied: " + s.warnings().get(1) + "\n", s.file());
    }

    @Test
    void aLocalTableRouteNotTheKernelsOwnIsWrittenAndTheKernelsLeftOut() {
        String local4 = "[{\"type\":\"local\",\"dst\":\"198.51.100.0/24\",\"dev\":\"lo\",\"scope\":\"host\",\"flags\":[]},"
                + "{\"type\":\"local\",\"dst\":\"127.0.0.1\",\"dev\":\"lo\",\"protocol\":\"kernel\",\"scope\":\"host\",\"prefsrc\":\"127.0.0.1\",\"flags\":[]}]";
        String local6 = "[{\"type\":\"local\",\"dst\":\"::1\",\"dev\":\"lo\",\"protocol\":\"kernel\",\"metric\":0,\"flags\":[],\"pref\":\"medium\"},"
                + "{\"type\":\"local\",\"dst\":\"2001:db8:5::/64\",\"dev\":\"lo\",\"metric\":1024,\"flags\":[],\"pref\":\"medium\"}]";
        String file = HostCapture.hostFile(new HostCapture.IpJson("[]", "[]", "[]", "[]", "[]", local4, local6, "", ""), "captured");
        assertEquals("# captured\nroute add local 198.51.100.0/24 dev lo scope host\n-6 route add local 2001:db8:5::/64 dev lo\n", file);
    }

    /** ip -j route's "flow" (RTA_FLOW) as iproute2 6.1 printed it for "realm 5" and "realms 5/0" routes. */
    @Test
    void aRoutesRealmsAreWrittenAsIpPrintedThem() {
        String routes4 = "[{\"dst\":\"198.51.100.0/24\",\"gateway\":\"10.9.0.2\",\"dev\":\"v0\",\"flags\":[],\"flow\":{\"to\":\"5\"}},"
                + "{\"dst\":\"198.51.100.8/29\",\"gateway\":\"10.9.0.2\",\"dev\":\"v0\",\"flags\":[],\"flow\":{\"from\":\"5\",\"to\":\"cosmos\"}}]";
        String links = "[{\"ifindex\":2,\"ifname\":\"v0\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"mtu\":1500,"
                + "\"link_type\":\"ether\",\"address\":\"02:00:00:00:00:01\",\"group\":\"7\","
                + "\"addr_info\":[{\"family\":\"inet\",\"local\":\"10.9.0.1\",\"prefixlen\":24,\"scope\":\"global\"}]}]";
        String file = HostCapture.hostFile(new HostCapture.IpJson(links, links, routes4, "[]", "[]", "", "", "", ""), "captured");
        assertTrue(file.contains("link set dev v0 address 02:00:00:00:00:01 mtu 1500 group 7"), file);
        assertTrue(file.contains("route add 198.51.100.0/24 via 10.9.0.2 dev v0 realm 5\n"
                + "route add 198.51.100.8/29 via 10.9.0.2 dev v0 realms 5/cosmos\n"), file);
        Host h = Host.parse(file, "captured.ip");
        assertEquals(0x50000, h.routeOutput(ip("198.51.100.9")).route().realms());
        assertEquals(7, h.device("v0").group());
    }

    private static int ip(String a) {
        return Inet4.parse(a);
    }

    @Test
    void policyRulesAreCopiedButTheDefaultsAndThoseWithASelectorJnatLacksWarn() {
        String rules4 = "[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},{\"priority\":32766,\"src\":\"all\",\"table\":\"main\"},"
                + "{\"priority\":32767,\"src\":\"all\",\"table\":\"default\"},"
                + "{\"priority\":100,\"src\":\"all\",\"uidrange\":\"1-2\",\"table\":\"5\"}]";
        String rules6 = "[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},{\"priority\":32766,\"src\":\"all\",\"table\":\"main\"},"
                + "{\"priority\":32766,\"src\":\"all\",\"fwmark\":\"0x1\",\"table\":\"main\"}]";
        HostCapture.IpJson ip = new HostCapture.IpJson("[]", "[]", "[]", "[]", "[]", "", "", rules4, rules6);
        List<String> w = HostCapture.ruleWarnings(ip);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("ip rule {\"priority\":100,\"src\":\"all\",\"uidrange\""), w.get(0));
        assertEquals("# captured\n-6 rule add fwmark 0x1 lookup main pref 32766\n", HostCapture.hostFile(ip, "captured"));
    }

    @Test
    void ssLinesBecomeListenSpecs() {
        // ss -Hlntue (iproute2 6.1) in a namespace
        String ss = """
                udp UNCONN 0      0      127.0.0.1:53   0.0.0.0:* ino:2800922 sk:1 cgroup:unreachable:1 <->
                udp UNCONN 0      0           [::]:5353    [::]:* ino:2800920 sk:3 cgroup:unreachable:1 v6only:1 <->
                udp UNCONN 0      0              *:6000       *:* ino:2800923 sk:4 cgroup:unreachable:1 v6only:0 <->
                udp UNCONN 0      0        0.0.0.0:7000 0.0.0.0:* uid:1000 ino:2800930 sk:6 cgroup:unreachable:1 <->
                udp UNCONN 0      0   [::ffff:203.0.113.2]:9000 *:* ino:2800931 sk:7 cgroup:unreachable:1 v6only:0 <->
                tcp LISTEN 1      128            *:22         *:* ino:2800921 sk:5 cgroup:unreachable:1 v6only:0 <->
                """;
        HostCapture.Sockets s = HostCapture.sockets(ss);
        assertEquals(List.of("udp:127.0.0.1:53", "udp:[::]:5353", "udp:6000", "udp:0.0.0.0:7000,uid=1000", "udp:203.0.113.2:9000",
                "tcp:22"), s.listen());
        assertEquals(List.of(), s.warnings());
    }

    @Test
    void aSocketBoundToADeviceIsCopiedWithoutItAndAWarning() {
        HostCapture.Sockets s = HostCapture.sockets("udp UNCONN 0 0 0.0.0.0%eth0:67 0.0.0.0:* ino:1 sk:1 <->\n"
                + "udp UNCONN 0 0 [::]%eth0:547 [::]:* ino:2 sk:2 v6only:1 <->\n");
        assertEquals(List.of("udp:0.0.0.0:67", "udp:[::]:547"), s.listen());
        assertEquals(2, s.warnings().size(), s.warnings().toString());
        assertTrue(s.warnings().get(1).startsWith("udp [::]%eth0:547: bound to device eth0"), s.warnings().get(1));
    }
}

package jnat.host;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The host-file reader: each ip(8) line form, and each error with its line number. */
class HostFileTest {
    static int ip(String s) { return Inet4.parse(s); }

    static Host parse(String text) { return Host.parse(text, "h.ip"); }

    static HostFileException error(String text) {
        return assertThrows(HostFileException.class, () -> parse(text));
    }

    @Test
    void linkSetOfAnUnknownDeviceCreatesItWithMacMtuAndState() {
        Host h = parse("link set dev eth0 address 56:00:04:7c:7c:23 mtu 1400 up\n");
        Interface eth0 = h.device("eth0");
        assertEquals(2, eth0.index());
        assertEquals(0x5600047c7c23L, eth0.macBits());
        assertEquals("56:00:04:7c:7c:23", eth0.macString());
        assertEquals(1400, eth0.mtu());
        assertTrue(eth0.isUp());
    }

    @Test
    void linkSetWithoutDevKeywordNamesTheDevice() {
        Host h = parse("link set eth1 up\n");
        assertTrue(h.device("eth1").isUp());
    }

    @Test
    void aDeviceWithoutAddressLineIsLayer3Only() {
        Interface tun = parse("link set tun0 up\n").device("tun0");
        assertFalse(tun.hasMac());
        assertEquals(Interface.NO_MAC, tun.macBits());
        assertFalse(tun.copyMacTo(new byte[6], 0));
    }

    @Test
    void copyMacToWritesTheSixBytes() {
        byte[] b = new byte[8];
        parse("link set eth0 address 02:42:d5:35:3a:3c\n").device("eth0").copyMacTo(b, 1);
        assertArrayEquals(new byte[] {0, 0x02, 0x42, (byte) 0xd5, 0x35, 0x3a, 0x3c, 0}, b);
    }

    @Test
    void linkAddMakesADeviceOfThatType() {
        Host h = parse("link add docker0 type bridge\nl a veth0 type veth peer name veth1\nlink add tun0 type tun\n");
        assertEquals("bridge", h.device("docker0").type());
        assertEquals("veth", h.device("veth1").type());
        assertEquals(5, h.device("tun0").index());
        assertFalse(h.device("docker0").isUp());
    }

    @Test
    void linkAddTakesAddressMtuAndUp() {
        Interface br = parse("link add name br0 address 02:42:d5:35:3a:3c mtu 9000 up type bridge\n").device("br0");
        assertEquals("02:42:d5:35:3a:3c", br.macString());
        assertEquals(9000, br.mtu());
        assertTrue(br.isUp());
    }

    @Test
    void routeAppendKeepsBothRoutesAndTheFirstWins() {
        Host h = parse("link set eth0 up\nlink set eth1 up\nroute add 10.0.0.0/8 dev eth0\nroute append 10.0.0.0/8 dev eth1\n");
        assertEquals(2, h.routes(Route.TABLE_MAIN).size());
        assertEquals(h.device("eth0"), h.fibLookup(ip("10.1.1.1")).device());
    }

    @Test
    void tuntapAddMakesATunDevice() {
        assertEquals("tun", parse("tuntap add dev tun0 mode tun\n").device("tun0").type());
    }

    @Test
    void abbreviatedObjectsAndCommandsAreAccepted() {
        Host h = parse("""
                l s eth0 address 02:00:00:00:00:01 up
                a a 10.0.0.2/24 dev eth0
                r a default via 10.0.0.1
                n a 10.0.0.1 lladdr 02:00:00:00:00:09 dev eth0
                """);
        assertEquals(ip("10.0.0.1"), h.routeOutput(ip("8.8.8.8")).nexthop());
        assertNotNull(h.neighbour(h.device("eth0"), ip("10.0.0.1")));
    }

    @Test
    void commentsAndBlankLinesAreIgnoredAndALeadingIpIsAllowed() {
        Host h = parse("# a host\n\nip link set eth0 up   # trailing comment\n");
        assertTrue(h.device("eth0").isUp());
    }

    @Test
    void addrAddWithPrefixAddsTheAddress() {
        Host h = parse("link set eth0 up\naddr add 45.77.200.180/23 dev eth0\n");
        InterfaceAddress a = h.device("eth0").addresses().get(0);
        assertEquals(ip("45.77.200.180"), a.local());
        assertEquals(23, a.prefixLength());
        assertEquals(ip("45.77.200.0"), a.prefix());
        assertEquals(Scope.UNIVERSE, a.scope());
        assertEquals("eth0", a.label());
        assertEquals(0, a.broadcast());
    }

    @Test
    void addrAddWithoutPrefixMeansSlash32() {
        Host h = parse("link set eth0 up\naddress add 10.1.2.3 dev eth0\n");
        assertEquals(32, h.device("eth0").addresses().get(0).prefixLength());
    }

    @Test
    void addrAddBrdPlusComputesTheSubnetBroadcast() {
        Host h = parse("link set eth0 up\naddr add 172.17.0.1/16 brd + dev eth0\n");
        assertEquals(ip("172.17.255.255"), h.device("eth0").addresses().get(0).broadcast());
    }

    @Test
    void addrAddTakesExplicitBroadcastScopeAndLabel() {
        Host h = parse("link set eth0 up\naddr add 10.0.0.2/24 broadcast 10.0.0.127 dev eth0 scope link label eth0:1\n");
        InterfaceAddress a = h.device("eth0").addresses().get(0);
        assertEquals(ip("10.0.0.127"), a.broadcast());
        assertEquals(Scope.LINK, a.scope());
        assertEquals("eth0:1", a.label());
    }

    @Test
    void loopbackAddressesDefaultToHostScope() {
        Host h = parse("link set eth0 up\naddr add 127.0.0.9/8 dev eth0\n");
        assertEquals(Scope.HOST, h.device("eth0").addresses().get(0).scope());
    }

    @Test
    void routeAddReadsEveryOption() {
        Host h = parse("""
                link set eth0 up
                addr add 10.0.0.2/24 dev eth0
                route add 10.5.0.0/16 via 10.0.0.7 dev eth0 src 10.0.0.2 metric 100 proto static table main
                """);
        Route r = h.fibLookup(ip("10.5.1.1"));
        assertEquals(ip("10.5.0.0"), r.dst());
        assertEquals(16, r.prefixLength());
        assertEquals(ip("10.0.0.7"), r.gateway());
        assertEquals(h.device("eth0"), r.device());
        assertEquals(ip("10.0.0.2"), r.prefSrc());
        assertEquals(100, r.metric());
        assertEquals(Route.PROTO_STATIC, r.protocol());
        assertEquals(Scope.UNIVERSE, r.scope());
        assertEquals(Route.TABLE_MAIN, r.table());
    }

    @Test
    void routeWithoutGatewayDefaultsToScopeLinkAndProtoBoot() {
        Host h = parse("link set eth0 up\nroute add 10.9.0.0/16 dev eth0\n");
        Route r = h.fibLookup(ip("10.9.0.1"));
        assertEquals(Scope.LINK, r.scope());
        assertEquals(Route.PROTO_BOOT, r.protocol());
    }

    @Test
    void routeTypesParseAndLocalTypesGoToTableLocal() {
        Host h = parse("""
                link set eth0 up
                route add unreachable 10.40.0.0/16
                route add blackhole 10.41.0.0/16
                route add prohibit 10.42.0.0/16
                route add local 198.51.100.7 dev eth0
                route add broadcast 198.51.100.255 dev eth0
                """);
        assertEquals(RouteType.UNREACHABLE, h.fibLookup(ip("10.40.0.1")).type());
        assertEquals(RouteType.BLACKHOLE, h.fibLookup(ip("10.41.0.1")).type());
        assertEquals(RouteType.PROHIBIT, h.fibLookup(ip("10.42.0.1")).type());
        Route local = h.fibLookup(ip("198.51.100.7"));
        assertEquals(RouteType.LOCAL, local.type());
        assertEquals(Route.TABLE_LOCAL, local.table());
        assertEquals(Scope.HOST, local.scope());
        assertEquals(Route.TABLE_LOCAL, h.fibLookup(ip("198.51.100.255")).table());
    }

    @Test
    void neighAddReadsAddressMacDeviceAndState() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01 up\nneigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0 nud permanent\n");
        Neighbour n = h.neighbour(h.device("eth0"), ip("45.77.200.1"));
        assertEquals(0x067c1688fe87L, n.mac());
        assertEquals("PERMANENT", n.state());
    }

    @Test
    void neighReplaceOverwritesTheEntry() {
        Host h = parse("""
                link set eth0 address 02:00:00:00:00:01 up
                neigh add 10.0.0.1 lladdr 02:00:00:00:00:02 dev eth0
                neigh replace 10.0.0.1 lladdr 02:00:00:00:00:03 dev eth0
                """);
        assertEquals(0x020000000003L, h.neighbour(h.device("eth0"), ip("10.0.0.1")).mac());
        assertEquals(1, h.neighbours().size());
    }

    @Test
    void linkDownFlushesOnlyThatDevicesNeighboursAndTheOthersAreStillFound() {
        StringBuilder text = new StringBuilder("link set eth0 address 02:00:00:00:00:01 up\nlink set eth1 address 02:00:00:00:00:09 up\n");
        for (int i = 0; i < 3000; i++) {
            text.append("neigh add 10.0.").append(i >> 8).append('.').append(i & 255).append(" lladdr 02:00:00:00:")
                    .append(String.format("%02x:%02x", i >> 8, i & 255)).append(" dev ").append(i % 2 == 0 ? "eth0" : "eth1").append('\n');
        }
        Host h = parse(text.toString());
        h.setUp(h.device("eth0"), false); // neigh_ifdown
        assertEquals(1500, h.neighbours().size());
        assertNull(h.neighbour(h.device("eth0"), ip("10.0.11.182")));
        assertEquals(0x020000000bb7L, h.neighbour(h.device("eth1"), ip("10.0.11.183")).mac());
        assertNull(h.neighbour(h.device("eth0"), ip("10.0.11.183")), "the same address on another device is another entry");
    }

    @Test
    void fromFileReadsAFileAndNamesItInErrors(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = dir.resolve("my.ip");
        Files.writeString(f, "link set eth0 up\nbogus line\n");
        HostFileException e = assertThrows(HostFileException.class, () -> Host.fromFile(f));
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        assertEquals(2, e.line());
    }

    // ---- errors ----

    @Test
    void unknownObjectIsAnErrorWithItsLineNumber() {
        HostFileException e = error("link set eth0 up\n\n# c\nfrobnicate eth0\n");
        assertEquals("h.ip:4: Object \"frobnicate\" is unknown, try \"ip help\".", e.getMessage());
        assertEquals(4, e.line());
    }

    @Test
    void unsupportedObjectIsAnError() {
        assertTrue(error("mroute add from all\n").getMessage().startsWith("h.ip:1: ip mroute is not supported"));
    }

    @Test
    void aRuleLineAddsAPolicyRoutingRule() {
        Host h = Host.parse("rule add fwmark 0x1/0x1 lookup 100 pref 10\n-6 rule add from 2001:db8::/32 blackhole\n", "h.ip");
        assertEquals("0:\tfrom all lookup local\n10:\tfrom all fwmark 0x1/0x1 lookup 100\n32766:\tfrom all lookup main\n"
                + "32767:\tfrom all lookup default\n", h.rules().format(h));
        assertEquals("0:\tfrom all lookup local\n32765:\tfrom 2001:db8::/32 blackhole\n32766:\tfrom all lookup main\n",
                h.rules6().format(h));
    }

    @Test
    void aRuleOptionJnatDoesNotModelIsRefused() {
        assertTrue(error("rule add uidrange 1-2 lookup 5\n").getMessage().startsWith("h.ip:1: rule option \"uidrange\" is not supported"));
    }

    @Test
    void unknownCommandIsAnError() {
        assertTrue(error("link set eth0 up\naddr flush dev eth0\n").getMessage().startsWith("h.ip:2: Command \"flush\""));
    }

    @Test
    void badMacIsAnError() {
        assertEquals("h.ip:1: \"56:00:04:7c:7c\" is invalid lladdr.", error("link set eth0 address 56:00:04:7c:7c\n").getMessage());
    }

    @Test
    void multicastMacIsRefused() {
        assertTrue(error("link set eth0 address 01:00:5e:00:00:01\n").getMessage().contains("Cannot assign requested address"));
    }

    @Test
    void badMtuIsAnError() {
        assertEquals("h.ip:1: Invalid \"mtu\" value \"big\"", error("link set eth0 mtu big\n").getMessage());
        assertTrue(error("link set eth0 mtu 20\n").getMessage().startsWith("h.ip:1: RTNETLINK answers: Invalid argument"));
    }

    @Test
    void tunDeviceCannotHaveAMac() {
        assertTrue(error("link add tun0 type tun\nlink set tun0 address 02:00:00:00:00:01\n").getMessage()
                .startsWith("h.ip:2: RTNETLINK answers: Operation not supported"));
    }

    @Test
    void linkAddOfAnExistingDeviceIsAnError() {
        assertEquals("h.ip:2: RTNETLINK answers: File exists", error("link set eth0 up\nlink add eth0 type dummy\n").getMessage());
    }

    @Test
    void unknownLinkTypeIsAnError() {
        assertTrue(error("link add x0 type vxlan\n").getMessage().startsWith("h.ip:1: Error: Unknown device type \"vxlan\""));
    }

    @Test
    void badAddressIsAnError() {
        assertEquals("h.ip:2: Error: an inet address is expected rather than \"10.0.0.300\".",
                error("link set eth0 up\naddr add 10.0.0.300/24 dev eth0\n").getMessage());
    }

    @Test
    void badPrefixLengthIsAnError() {
        assertEquals("h.ip:2: Error: an inet prefix is expected rather than \"10.0.0.3/33\".",
                error("link set eth0 up\naddr add 10.0.0.3/33 dev eth0\n").getMessage());
    }

    @Test
    void addrAddWithoutDevIsAnError() {
        assertEquals("h.ip:1: Not enough information: \"dev\" argument is required.", error("addr add 10.0.0.3/24\n").getMessage());
    }

    @Test
    void addrAddOnAMissingDeviceIsAnError() {
        assertEquals("h.ip:1: Cannot find device \"eth9\"", error("addr add 10.0.0.3/24 dev eth9\n").getMessage());
    }

    @Test
    void duplicateAddressIsAnError() {
        assertEquals("h.ip:3: RTNETLINK answers: File exists",
                error("link set eth0 up\naddr add 10.0.0.3/24 dev eth0\naddr add 10.0.0.3/24 dev eth0\n").getMessage());
    }

    @Test
    void labelMustStartWithTheDeviceName() {
        assertTrue(error("link set eth0 up\naddr add 10.0.0.3/24 dev eth0 label lan\n").getMessage()
                .startsWith("h.ip:2: \"label\" (lan) must match \"dev\" (eth0)"));
    }

    @Test
    void missingArgumentIsAnError() {
        assertTrue(error("link set eth0 up\nroute add default via\n").getMessage().startsWith("h.ip:2: Command line is not complete."));
    }

    @Test
    void routeToAnUnreachableGatewayIsAnError() {
        assertEquals("h.ip:3: Error: Nexthop has invalid gateway.",
                error("link set eth0 up\naddr add 10.0.0.2/24 dev eth0\nroute add default via 10.9.9.9\n").getMessage());
    }

    @Test
    void aGatewayReachableOnlyThroughAnotherGatewayIsAnError() {
        // fib_check_nh_v4_gw looks the gateway up with scope link: a universe-scope route does not count
        assertEquals("h.ip:4: Error: Nexthop has invalid gateway.", error("""
                link set eth0 up
                addr add 10.0.0.2/24 dev eth0
                route add 10.50.0.0/16 via 10.0.0.1
                route add 10.60.0.0/16 via 10.50.0.1
                """).getMessage());
    }

    @Test
    void routeThroughADownDeviceIsAnError() {
        assertEquals("h.ip:2: Error: Device for nexthop is not up.", error("link set eth0 address 02:00:00:00:00:01\nroute add 10.0.0.0/8 dev eth0\n").getMessage());
    }

    @Test
    void routeWithHostBitsSetIsAnError() {
        assertEquals("h.ip:2: Error: Invalid prefix for given prefix length.", error("link set eth0 up\nroute add 10.0.0.1/8 dev eth0\n").getMessage());
    }

    @Test
    void duplicateRouteIsAnErrorButReplaceAndAnotherMetricAreNot() {
        String base = "link set eth0 up\nlink set eth1 up\nroute add 10.0.0.0/8 dev eth0\n";
        assertEquals("h.ip:4: RTNETLINK answers: File exists", error(base + "route add 10.0.0.0/8 dev eth1\n").getMessage());
        Host h = parse(base + "route replace 10.0.0.0/8 dev eth1\nroute add 10.0.0.0/8 dev eth0 metric 5\n");
        assertEquals(h.device("eth1"), h.fibLookup(ip("10.1.1.1")).device());
    }

    @Test
    void blackholeRouteWithADeviceIsAnError() {
        assertEquals("h.ip:2: Error: Gateway, device and multipath can not be specified for this route type.",
                error("link set eth0 up\nroute add blackhole 10.0.0.0/8 dev eth0\n").getMessage());
    }

    @Test
    void routeSourceThatIsNotOursIsAnError() {
        assertEquals("h.ip:2: Error: Invalid prefsrc address.", error("link set eth0 up\nroute add 10.0.0.0/8 dev eth0 src 10.0.0.1\n").getMessage());
    }

    @Test
    void neighWithoutLladdrIsAnError() {
        assertTrue(error("link set eth0 address 02:00:00:00:00:01\nneigh add 10.0.0.1 dev eth0\n").getMessage().startsWith("h.ip:2: lladdr is required"));
    }

    @Test
    void neighOnALayer3OnlyDeviceIsAnError() {
        assertTrue(error("link set tun0 up\nneigh add 10.0.0.1 lladdr 02:00:00:00:00:02 dev tun0\n").getMessage()
                .startsWith("h.ip:2: device tun0 has no link-layer address"));
    }

    @Test
    void duplicateNeighIsAnError() {
        assertEquals("h.ip:3: RTNETLINK answers: File exists", error("""
                link set eth0 address 02:00:00:00:00:01
                neigh add 10.0.0.1 lladdr 02:00:00:00:00:02 dev eth0
                neigh add 10.0.0.1 lladdr 02:00:00:00:00:03 dev eth0
                """).getMessage());
    }

    @Test
    void garbageWordIsAnError() {
        assertEquals("h.ip:1: Error: either \"dev\" is duplicate, or \"eth1\" is a garbage.", error("link set eth0 eth1\n").getMessage());
    }

    @Test
    void errorMessagesAreOneLine() {
        for (String bad : new String[] {"x", "link", "route add", "addr add 1.2.3.4/24 dev", "neigh add 1.2.3.4"}) {
            assertFalse(error(bad + "\n").getMessage().contains("\n"), bad);
        }
    }

    @Test
    void aLinksGroupIsDefaultOrANumberUpToIntMax() {
        Host h = Host.parse("link set dev eth0 address 02:00:00:00:00:01 group 0x10\nlink set dev eth1 address 02:00:00:00:00:02 group default\n", "g.ip");
        assertEquals(16, h.device("eth0").group());
        assertEquals(0, h.device("eth1").group());
        for (String bad : new String[] {"foo", "-1", "2147483648"}) {
            HostException e = assertThrows(HostException.class, () -> Host.parse("link set dev eth0 group " + bad + "\n", "g.ip"));
            assertTrue(e.getMessage().contains("Error: argument \"" + bad + "\" is wrong: Invalid \"group\" value"), e.getMessage());
        }
    }

    @Test
    void aRoutesRealmsAreNamesOrNumbersAsIpTakesThem() {
        String base = "link set dev eth0 address 02:00:00:00:00:01 up\naddr add 10.9.0.1/24 dev eth0\n";
        Host h = Host.parse(base + "route add 10.10.0.0/16 dev eth0 realm 5\nroute add 10.11.0.0/16 dev eth0 realms 3/\n"
                + "route add 10.12.0.0/16 dev eth0 realm 65537\nroute add 10.13.0.0/16 dev eth0 realms cosmos/0x10\n", "r.ip");
        assertEquals(5, h.routeOutput(Inet4.parse("10.10.0.1")).route().realms());
        assertEquals(3 << 16, h.routeOutput(Inet4.parse("10.11.0.1")).route().realms());
        assertEquals(65537, h.routeOutput(Inet4.parse("10.12.0.1")).route().realms());
        assertEquals(16, h.routeOutput(Inet4.parse("10.13.0.1")).route().realms());
        HostException e = assertThrows(HostException.class, () -> Host.parse(base + "route add 10.14.0.0/16 dev eth0 realm inr.ac\n", "r.ip"));
        assertTrue(e.getMessage().contains("Error: argument \"inr.ac\" is wrong: \"realm\" value is invalid"), e.getMessage());
    }
}

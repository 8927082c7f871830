package jnat.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.*;

class IpCommandTest {

    @Test
    void routeGetOnTheSeedHostShowsTheGatewayAndMasqueradeSource() {
        CliRun r = jnat("ip", "route", "get", "8.8.8.8");
        assertEquals(0, r.exit(), r.err());
        assertEquals("8.8.8.8 via 45.77.200.1 dev eth0 src 45.77.200.180 uid 0 \n    cache \n", r.out());
    }

    @Test
    void routeGetFromIifShowsTheForwardingDecision() {
        CliRun r = jnat("ip", "route", "get", "8.8.8.8", "from", "172.17.0.2", "iif", "docker0");
        assertEquals(0, r.exit(), r.err());
        assertEquals("8.8.8.8 from 172.17.0.2 via 45.77.200.1 dev eth0 \n    cache iif docker0 \n", r.out());
    }

    @Test
    void routeGetFromAnUnknownDeviceIsAUsageError() {
        CliRun r = jnat("ip", "route", "get", "8.8.8.8", "from", "172.17.0.2", "iif", "eth9");
        assertEquals(1, r.exit());
        assertEquals("ip: Cannot find device \"eth9\"\n", r.err());
    }

    @Test
    void addrShowListsTheHostFilesAddresses(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("h.ip");
        Files.writeString(f, "link set eth0 address 02:00:00:00:00:01 up\naddr add 10.0.0.2/24 dev eth0\n");
        CliRun r = jnat("ip", "--host", f.toString(), "addr", "show");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500"), r.out());
        assertTrue(r.out().contains("    inet 10.0.0.2/24 scope global eth0\n"), r.out());
    }

    @Test
    void routeShowAndNeighShowPrintTheSeedHost() {
        assertTrue(jnat("ip", "route", "show").out().startsWith("default via 45.77.200.1 dev eth0 \n"));
        assertTrue(jnat("ip", "route", "show", "table", "local").out().contains("local 172.17.0.1 dev docker0 proto kernel scope host src 172.17.0.1 \n"));
        assertTrue(jnat("ip", "neigh", "show").out().contains("172.17.0.2 dev docker0 lladdr 02:42:ac:11:00:02 PERMANENT \n"));
    }

    @Test
    void anUnreachableDestinationPrintsTheKernelsErrorAndExits2(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("h.ip");
        Files.writeString(f, "link set eth0 up\n");
        CliRun r = jnat("ip", "--host", f.toString(), "route", "get", "8.8.8.8");
        assertEquals(2, r.exit());
        assertEquals("RTNETLINK answers: Network is unreachable\n", r.err());
    }

    @Test
    void aBadHostFileIsOneLineNamingFileAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.ip");
        Files.writeString(f, "link set eth0 up\nroute add default via 10.0.0.1\n");
        CliRun r = jnat("ip", "--host", f.toString(), "route", "show");
        assertEquals(1, r.exit());
        assertEquals("ip: " + f + ":2: Error: Nexthop has invalid gateway.\n", r.err());
    }

    @Test
    void aBadAddressIsAUsageError() {
        CliRun r = jnat("ip", "route", "get", "8.8.8");
        assertEquals(1, r.exit());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    static final String HOST6 = """
            link set dev eth0 address 56:00:04:7c:7c:23 up
            addr add 45.77.200.180/23 dev eth0
            neigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0
            addr add 2001:db8::10/64 dev eth0
            -6 route add default via fe80::1 dev eth0
            -6 neigh add fe80::1 lladdr 06:7c:16:88:fe:87 dev eth0
            link set dev eth1 address 02:00:00:00:00:02 addrgenmode none
            """;

    private static Path host6(Path dir) throws IOException {
        Path f = dir.resolve("h6.ip");
        Files.writeString(f, HOST6);
        return f;
    }

    @Test
    void ipv6RouteGetShowsTheLinkLocalGatewayAndTheGlobalSource(@TempDir Path dir) throws IOException {
        CliRun r = jnat("ip", "--host", host6(dir).toString(), "-6", "route", "get", "2001:4860:4860::8888");
        assertEquals(0, r.exit(), r.err());
        assertEquals("2001:4860:4860::8888 from :: via fe80::1 dev eth0 src 2001:db8::10 metric 1024 pref medium\n", r.out());
    }

    @Test
    void anAddressWithAColonIsIpv6WithoutMinus6(@TempDir Path dir) throws IOException {
        CliRun r = jnat("ip", "--host", host6(dir).toString(), "route", "get", "2001:db8::10");
        assertEquals("local 2001:db8::10 from :: dev lo table local proto kernel src 2001:db8::10 metric 0 pref medium\n", r.out());
    }

    @Test
    void ipv6RouteGetFromIifShowsTheInputRoute(@TempDir Path dir) throws IOException {
        CliRun r = jnat("ip", "--host", host6(dir).toString(), "-6", "route", "get", "2001:db8::5", "from", "2001:db8::9", "iif", "eth0");
        assertEquals("2001:db8::5 from 2001:db8::9 dev eth0 proto kernel metric 256 iif eth0 pref medium\n", r.out());
    }

    @Test
    void anUnreachableIpv6DestinationPrintsTheKernelsErrorAndExits2(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("h.ip");
        Files.writeString(f, "link set eth0 address 02:00:00:00:00:01 up\n");
        CliRun r = jnat("ip", "--host", f.toString(), "-6", "route", "get", "2001:db8::1");
        assertEquals(2, r.exit());
        assertEquals("RTNETLINK answers: Network is unreachable\n", r.err());
    }

    @Test
    void ipv6RouteShowPrintsMainOrAllTables(@TempDir Path dir) throws IOException {
        String main = jnat("ip", "--host", host6(dir).toString(), "-6", "route", "show").out();
        assertEquals("2001:db8::/64 dev eth0 proto kernel metric 256 pref medium\n"
                + "fe80::/64 dev eth0 proto kernel metric 256 pref medium\n"
                + "default via fe80::1 dev eth0 metric 1024 pref medium\n", main);
        assertTrue(jnat("ip", "--host", host6(dir).toString(), "-6", "route", "show", "table", "all").out()
                .contains("local ::1 dev lo table local proto kernel metric 0 pref medium\n"));
    }

    @Test
    void addrShowListsBothFamiliesAndMinus6OnlyDevicesWithIpv6(@TempDir Path dir) throws IOException {
        String both = jnat("ip", "--host", host6(dir).toString(), "addr", "show").out();
        assertTrue(both.contains("    inet 45.77.200.180/23 scope global eth0\n       valid_lft forever preferred_lft forever\n"
                + "    inet6 2001:db8::10/64 scope global \n"), both);
        assertTrue(both.contains("3: eth1: "), both);
        String v6 = jnat("ip", "--host", host6(dir).toString(), "-6", "addr", "show").out();
        assertTrue(v6.startsWith("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000\n    inet6 ::1/128 scope host \n"), v6);
        assertFalse(v6.contains("eth1"), v6);
        assertFalse(v6.contains("link/ether"), v6);
    }

    @Test
    void addrShowDevShowsOneDevice(@TempDir Path dir) throws IOException {
        String out = jnat("ip", "--host", host6(dir).toString(), "-6", "addr", "show", "dev", "eth0").out();
        assertTrue(out.startsWith("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n    inet6 "), out);
    }

    @Test
    void neighShowListsIpv4ThenIpv6AndMinus6OnlyIpv6(@TempDir Path dir) throws IOException {
        assertEquals("45.77.200.1 dev eth0 lladdr 06:7c:16:88:fe:87 PERMANENT \nfe80::1 dev eth0 lladdr 06:7c:16:88:fe:87 PERMANENT \n",
                jnat("ip", "--host", host6(dir).toString(), "neigh", "show").out());
        assertEquals("fe80::1 dev eth0 lladdr 06:7c:16:88:fe:87 PERMANENT \n", jnat("ip", "--host", host6(dir).toString(), "-6", "neigh").out());
    }

    @Test
    void aBadIpv6AddressIsAUsageError() {
        CliRun r = jnat("ip", "-6", "route", "get", "2001:db8:::1");
        assertEquals(1, r.exit());
        assertEquals("ip: Error: inet6 address is expected rather than \"2001:db8:::1\".\n", r.err());
    }
}

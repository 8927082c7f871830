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
}

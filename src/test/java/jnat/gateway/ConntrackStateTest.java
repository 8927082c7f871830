package jnat.gateway;

import jnat.cli.CliRun;
import jnat.conntrack.ConntrackPrinter;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.Neighbour;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import jnat.wire.MacAddress;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conntrack state file: save then load gives the same table and the same NAT for the next packets. */
class ConntrackStateTest {
    static final String C2_MAC = "02:42:ac:11:00:02", C3_MAC = "02:42:ac:11:00:03", DOCKER0_MAC = "02:42:d5:35:3a:3c";
    static final String ETH0_MAC = "56:00:04:7c:7c:23", GATEWAY_MAC = "06:7c:16:88:fe:87";
    static final long SEC = 1_000_000_000L;

    @TempDir
    Path dir;

    /** One engine on the seed's Docker host, with its own clock. */
    static final class Box {
        final Host host = Host.fromResource("/hosts/seed-docker-host.ip");
        final NatEngine engine;
        final Interface eth0 = host.device("eth0"), docker0 = host.device("docker0");
        final List<String> sent = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        long now;

        Box(long clock) {
            now = clock;
            engine = new NatEngine(host, Ruleset.parse(rules()));
            host.addNeighbour(new Neighbour(Ipv4Address.parse("172.17.0.3"), MacAddress.parse(C3_MAC), docker0, "permanent"), true);
        }

        void receive(Interface in, byte[] frame) {
            now += SEC / 1000;
            engine.receive(in, frame, 0, frame.length, now, (out, buf, off, len) -> {
                sent.add(out.name());
                frames.add(Arrays.copyOfRange(buf, off, off + len));
            });
        }

        String table() {
            return new ConntrackPrinter().extended(true).list(engine.connections(), now);
        }
    }

    static String rules() {
        try (InputStream in = ConntrackStateTest.class.getResourceAsStream("/demo/seed-docker.rules")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] from(String mac, Ipv4Repr ip, jnat.wire.TransportRepr l4) {
        return EthernetRepr.of(mac, DOCKER0_MAC).frame(ip, l4);
    }

    static byte[] fromInternet(Ipv4Repr ip, jnat.wire.TransportRepr l4) {
        return EthernetRepr.of(GATEWAY_MAC, ETH0_MAC).frame(ip, l4);
    }

    static final TcpRepr SYN = TcpRepr.of(60677, 10000).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(65535).withMss(1440);
    static final TcpRepr SYN_ACK = TcpRepr.of(8000, 60677).withSeq(5000).withAck(1001)
            .withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(28960).withMss(1460);

    /** Two containers on one UDP source port (the second is moved), and a connection to the published port. */
    static void traffic(Box b) {
        UdpRepr q = UdpRepr.of(40000, 53).withPayload(new byte[20]);
        b.receive(b.docker0, from(C3_MAC, Ipv4Repr.of("172.17.0.3", "8.8.8.8"), q));
        b.receive(b.docker0, from(C2_MAC, Ipv4Repr.of("172.17.0.2", "8.8.8.8"), q));
        b.receive(b.eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), SYN));
        b.receive(b.docker0, from(C2_MAC, Ipv4Repr.of("172.17.0.2", "114.246.99.100"), SYN_ACK));
        b.receive(b.eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"),
                TcpRepr.of(60677, 10000).withSeq(1001).withAck(5001).withFlags(TcpSegment.ACK).withWindow(65535)));
    }

    /** What both engines see after the restart: in-window data, an out-of-window segment, the moved UDP source again. */
    static void next(Box b, int movedPort) {
        b.receive(b.eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"),
                TcpRepr.of(60677, 10000).withSeq(1001).withAck(5001).withFlags(TcpSegment.ACK | TcpSegment.PSH)
                        .withWindow(65535).withPayload(new byte[100])));
        b.receive(b.docker0, from(C2_MAC, Ipv4Repr.of("172.17.0.2", "114.246.99.100"),
                TcpRepr.of(8000, 60677).withSeq(5001 + 100_000_000).withAck(1101).withFlags(TcpSegment.ACK).withWindow(28960)));
        b.receive(b.docker0, from(C2_MAC, Ipv4Repr.of("172.17.0.2", "114.246.99.100"),
                TcpRepr.of(8000, 60677).withSeq(5001).withAck(1101).withFlags(TcpSegment.ACK).withWindow(28960)));
        b.receive(b.eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180"), UdpRepr.of(53, movedPort).withPayload(new byte[40])));
        b.receive(b.docker0, from(C2_MAC, Ipv4Repr.of("172.17.0.2", "8.8.4.4"), UdpRepr.of(40000, 53).withPayload(new byte[20])));
    }

    static int movedPort(Box b) {
        byte[] f = b.frames.get(1);
        return (f[14 + 20] & 0xff) << 8 | (f[14 + 21] & 0xff);
    }

    @Test
    void saveThenLoadGivesTheSameConntrackTableOnAnotherClock() throws IOException {
        Box before = new Box(1000 * SEC);
        traffic(before);
        Path file = dir.resolve("ct.state");
        ConntrackState.write(file, ConntrackState.snapshot(before.engine, before.now));

        Box after = new Box(-777 * SEC); // another process: nanoTime has another origin
        assertEquals(3, ConntrackState.restore(after.engine, ConntrackState.read(file), after.now));
        assertEquals(before.table(), after.table());
        after.engine.connections().checkConsistency();
    }

    @Test
    void aRestoredTableTranslatesTheNextPacketsAsTheOriginalWould() throws IOException {
        Box before = new Box(1000 * SEC);
        traffic(before);
        int moved = movedPort(before);
        assertNotEquals(40000, moved);
        Path file = dir.resolve("ct.state");
        ConntrackState.write(file, ConntrackState.snapshot(before.engine, before.now));
        Box after = new Box(5 * SEC);
        ConntrackState.restore(after.engine, ConntrackState.read(file), after.now);

        before.sent.clear();
        before.frames.clear();
        next(before, moved);
        next(after, moved);
        assertEquals(List.of("docker0", "eth0", "eth0", "docker0", "eth0"), after.sent, "the out-of-window segment still passes, untracked");
        assertEquals(before.sent, after.sent);
        for (int k = 0; k < before.frames.size(); k++) assertArrayEquals(before.frames.get(k), after.frames.get(k), "frame " + k);
        assertEquals(before.engine.invalid(), after.engine.invalid());
        assertEquals(1, after.engine.invalid(), "window tracking survived: the segment 100M ahead is INVALID");
        byte[] toDns = after.frames.get(4);
        assertEquals(moved, (toDns[14 + 20] & 0xff) << 8 | (toDns[14 + 21] & 0xff), "the source keeps its mapping (by-source index rebuilt)");
        assertEquals(before.table(), after.table());
    }

    @Test
    void entriesWhoseTimeRanOutAreNotRestored() throws IOException {
        Box before = new Box(1000 * SEC);
        traffic(before);
        Path file = dir.resolve("ct.state");
        ConntrackState.write(file, ConntrackState.snapshot(before.engine, before.now));
        ConntrackState.Snapshot s = ConntrackState.read(file);
        // UDP's unreplied timeout is 30 s, the SYN_RECV... ESTABLISHED TCP one 5 days: time passes in the file
        Box after = new Box(0);
        ConntrackState.restore(after.engine, s, after.now);
        Box later = new Box(0);
        int n = 0;
        for (int k = 0; k < s.rows(); k++) {
            long[] l = Arrays.copyOfRange(s.longs(), k * jnat.conntrack.ConnTable.ROW_LONGS, (k + 1) * jnat.conntrack.ConnTable.ROW_LONGS);
            int[] i = Arrays.copyOfRange(s.ints(), k * jnat.conntrack.ConnTable.ROW_INTS, (k + 1) * jnat.conntrack.ConnTable.ROW_INTS);
            l[4] -= 31 * SEC; // what a reader 31 s late would see: the expiry slot holds the time left
            if (later.engine.restoreConnection(l, i, later.now) >= 0) n++;
        }
        assertEquals(1, n, "only the established TCP connection is left after 31 s");
        assertTrue(later.table().contains("ESTABLISHED"));
        assertEquals(3, after.engine.connections().count());
    }

    @Test
    void aFileThatIsNotAStateFileIsRefusedWithOneLine() throws IOException {
        Path junk = dir.resolve("junk");
        Files.write(junk, "JNATCT1\nnot really".getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> ConntrackState.read(junk));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
        Files.write(junk, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> ConntrackState.read(junk));
    }

    @Test
    void writingReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        Box b = new Box(1000 * SEC);
        traffic(b);
        Path file = dir.resolve("ct.state");
        Files.writeString(file, "old");
        ConntrackState.write(file, ConntrackState.snapshot(b.engine, b.now));
        assertEquals(3, ConntrackState.read(file).rows());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void theGatewayRefusesAStateFileOfGarbageWithOneLineBeforeOpeningAnyDevice() throws IOException {
        Path junk = dir.resolve("junk.state");
        Files.write(junk, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 0, 0, 0, 1, 2, 3});
        var r = CliRun.jnat("gateway", "--host", "scripts/lab-host.ip", "--attach", "docker0=tun:jst0",
                "--state", junk.toString());
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("not a jnat conntrack state file"), r.err());
    }

    @Test
    void anAttachmentInANamespaceNeedsTheNamespacesName() {
        var r = CliRun.jnat("gateway", "--host", "scripts/lab-host.ip", "--attach", "docker0=tun:jst0@");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("expected IFACE=tun:DEVNAME@NETNS"), r.err());
    }
}

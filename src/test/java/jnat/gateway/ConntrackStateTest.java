package jnat.gateway;

import jnat.cli.CliRun;
import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.ConntrackPrinter;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Status;
import jnat.conntrack.TcpTracker;
import jnat.conntrack.Tuple;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.Neighbour;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Address;
import jnat.wire.MacAddress;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    // ---- IPv6 connections: the engine's packet path is IPv4, so they are made as NAT66 would ----

    static long[] a6(String text) {
        byte[] b = Ipv6Address.parse(text);
        return new long[] {Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0)};
    }

    static final long[] CLIENT6 = a6("fd00:17::2"), SERVER6 = a6("2001:db8:2::8"), PUBLIC6 = a6("2001:db8:1::1"),
            PEER6 = a6("2001:db8:3::9");
    static final int MASQ_PORT = 61000;

    /** One IPv6 packet through conntrack on the engine's table; confirmed as it leaves if NEW, after {@code nat}. */
    static int in6(Box b, Conntrack ct, CtPacket p, java.util.function.IntConsumer nat) {
        b.now += SEC / 1000;
        int r = ct.in(p, b.now);
        if (r == Conntrack.IP_CT_NEW) {
            nat.accept(p.id);
            assertTrue(b.engine.connections().confirm(p.id, b.now));
        }
        return r;
    }

    /**
     * A MASQUERADEd IPv6 TCP connection (fd00:17::2 port 40000 seen as 2001:db8:1::1 port 61000 on
     * eth0), through the handshake with window scaling, and an unreplied UDP one DNATed to a peer.
     */
    static void traffic6(Box b) {
        ConnTable t = b.engine.connections();
        Conntrack ct = new Conntrack(t);
        CtPacket p = new CtPacket();
        p.reset().tuple.set6(Tuple.IPPROTO_TCP, CLIENT6[0], CLIENT6[1], SERVER6[0], SERVER6[1], 40000, 443);
        p.tcpOptions(7, true).tcp(CtPacket.SYN, 1000, 0, 64800, 0).ipLength = 80;
        in6(b, ct, p, id -> {
            t.alterReplyTuple(id, new Tuple().set6(Tuple.IPPROTO_TCP, SERVER6[0], SERVER6[1], PUBLIC6[0], PUBLIC6[1], 443, MASQ_PORT));
            t.setStatus(id, Status.SRC_NAT | Status.SRC_NAT_DONE | Status.DST_NAT_DONE);
            t.setMasqIndex(id, b.eth0.index()); // MASQUERADE's masq_index
        });
        p.reset().tuple.set6(Tuple.IPPROTO_TCP, SERVER6[0], SERVER6[1], PUBLIC6[0], PUBLIC6[1], 443, MASQ_PORT);
        p.tcpOptions(9, true).tcp(CtPacket.SYN | CtPacket.ACK, 7000, 1001, 65160, 0).ipLength = 80;
        assertEquals(Conntrack.IP_CT_ESTABLISHED_REPLY, in6(b, ct, p, id -> {}));
        p.reset().tuple.set6(Tuple.IPPROTO_TCP, CLIENT6[0], CLIENT6[1], SERVER6[0], SERVER6[1], 40000, 443);
        p.tcp(CtPacket.ACK, 1001, 7001, 502, 0).ipLength = 72;
        assertEquals(Conntrack.IP_CT_ESTABLISHED, in6(b, ct, p, id -> {}));
        p.reset().tuple.set6(Tuple.IPPROTO_UDP, SERVER6[0], SERVER6[1], PUBLIC6[0], PUBLIC6[1], 5353, 53);
        p.ipLength = 68;
        in6(b, ct, p, id -> {
            t.alterReplyTuple(id, new Tuple().set6(Tuple.IPPROTO_UDP, PEER6[0], PEER6[1], SERVER6[0], SERVER6[1], 53, 5353));
            t.setStatus(id, Status.DST_NAT | Status.DST_NAT_DONE | Status.SRC_NAT_DONE);
        });
    }

    /** The id of the connection whose original tuple is {@code orig}, or -1. */
    static int find(Box b, Tuple orig) {
        int ref = b.engine.connections().find(orig, b.now);
        return ref < 0 ? -1 : ConnTable.id(ref);
    }

    static Tuple tcp6Original() {
        return new Tuple().set6(Tuple.IPPROTO_TCP, CLIENT6[0], CLIENT6[1], SERVER6[0], SERVER6[1], 40000, 443);
    }

    /** What this jnat wrote before IPv6 rows: 10-long rows, an IPv6 connection an empty row. */
    static byte[] oldFile(NatEngine engine, long now) throws IOException {
        ConnTable t = engine.connections();
        List<Integer> ids = new ArrayList<>();
        for (int id = t.nextConfirmed(0); id >= 0; id = t.nextConfirmed(id + 1)) if (!t.expired(id, now)) ids.add(id);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write("JNATCT1\n".getBytes(StandardCharsets.US_ASCII));
        out.writeInt(10);
        out.writeInt(23);
        out.writeInt(ids.size());
        long[] l = new long[10];
        int[] i = new int[23];
        for (int id : ids) {
            jnat.conntrack.ConnRowExport.exportRow(t, id, now, l, i);
            for (long v : l) out.writeLong(v);
            for (int v : i) out.writeInt(v);
        }
        return bytes.toByteArray();
    }

    /** A saved table of the seed's three IPv4 connections and the two IPv6 ones, last. */
    Path mixedFile(Box b) throws IOException {
        traffic(b);
        traffic6(b);
        Path file = dir.resolve("mixed.state");
        ConntrackState.write(file, ConntrackState.snapshot(b.engine, b.now));
        return file;
    }

    static final int HEADER = 20, ROW = 10 * 8 + 23 * 4, ROW6 = ROW + 8 * 8;

    @Test
    void anIpv6ConnectionSurvivesSaveAndLoadWithItsTuplesStateTimeoutAndNat() throws IOException {
        Box before = new Box(1000 * SEC);
        traffic6(before);
        Path file = dir.resolve("ct6.state");
        ConntrackState.write(file, ConntrackState.snapshot(before.engine, before.now));
        assertEquals(HEADER + 2 * ROW6, Files.size(file), "two rows, each with its 8 address longs");

        Box after = new Box(-777 * SEC);
        ConntrackState.Snapshot s = ConntrackState.read(file);
        assertEquals(2, s.ipv6Rows());
        assertEquals(2, ConntrackState.restore(after.engine, s, after.now));
        assertEquals(before.table(), after.table());
        assertTrue(after.table().contains("2001:db8:1::1"), after.table());
        ConnTable b = before.engine.connections(), a = after.engine.connections();
        int was = find(before, tcp6Original()), id = find(after, tcp6Original());
        assertTrue(id >= 0, "the original tuple finds the restored connection");
        Tuple reply = a.tuple(id, ConnTable.REPLY, new Tuple());
        assertEquals(a6("2001:db8:1::1")[1], reply.dstLo, "the MASQUERADE address");
        assertEquals(MASQ_PORT, reply.dstPort);
        assertEquals(ConnTable.ref(id, ConnTable.REPLY), a.find(reply, after.now), "the reply tuple finds it too");
        assertEquals(TcpTracker.ESTABLISHED, a.tcpState(id));
        assertTrue(a.hasStatus(id, Status.SRC_NAT | Status.SRC_NAT_DONE | Status.CONFIRMED | Status.ASSURED));
        assertEquals(after.eth0.index(), a.masqIndex(id));
        assertEquals(b.expiresIn(was, before.now) / 1_000_000, a.expiresIn(id, after.now) / 1_000_000, "time left, to the ms tick");
        a.checkConsistency();
    }

    @Test
    void aMixedTableSurvivesSaveAndLoadAndTheIpv4ConnectionsStillTranslate() throws IOException {
        Box before = new Box(1000 * SEC);
        Path file = mixedFile(before);
        assertEquals(HEADER + 3 * ROW + 2 * ROW6, Files.size(file));
        int moved = movedPort(before);
        Box after = new Box(5 * SEC);
        assertEquals(5, ConntrackState.restore(after.engine, ConntrackState.read(file), after.now));
        assertEquals(before.table(), after.table());
        after.engine.connections().checkConsistency();

        before.sent.clear();
        before.frames.clear();
        next(before, moved);
        next(after, moved);
        assertEquals(before.sent, after.sent);
        for (int k = 0; k < before.frames.size(); k++) assertArrayEquals(before.frames.get(k), after.frames.get(k), "frame " + k);
        assertEquals(before.table(), after.table());
    }

    @Test
    void anIpv4TableIsWrittenByteForByteAsBefore() throws IOException {
        Box b = new Box(1000 * SEC);
        traffic(b);
        Path file = dir.resolve("ct.state");
        ConntrackState.write(file, ConntrackState.snapshot(b.engine, b.now));
        assertArrayEquals(oldFile(b.engine, b.now), Files.readAllBytes(file));
    }

    @Test
    void anOldFileStillLoadsAndItsEmptyIpv6RowsAreSkipped() throws IOException {
        Box before = new Box(1000 * SEC);
        traffic(before);
        Path v4 = dir.resolve("old4.state");
        Files.write(v4, oldFile(before.engine, before.now));
        Box after = new Box(3 * SEC);
        assertEquals(3, ConntrackState.restore(after.engine, ConntrackState.read(v4), after.now));
        assertEquals(before.table(), after.table());

        // the old writer dropped IPv6 connections as empty rows: they load as nothing
        traffic6(before);
        Path mixed = dir.resolve("old46.state");
        Files.write(mixed, oldFile(before.engine, before.now));
        ConntrackState.Snapshot s = ConntrackState.read(mixed);
        assertEquals(5, s.rows());
        assertEquals(0, s.ipv6Rows());
        Box again = new Box(3 * SEC);
        assertEquals(3, ConntrackState.restore(again.engine, s, again.now));
        assertEquals(-1, find(again, tcp6Original()));
    }

    /** read() refuses with an IOException naming the file and says {@code what}; nothing else escapes. */
    static void refused(Path file, String what) {
        IOException e = assertThrows(IOException.class, () -> ConntrackState.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
    }

    @Test
    void aTruncatedIpv6RowIsRefused() throws IOException {
        Path file = mixedFile(new Box(1000 * SEC));
        byte[] whole = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.state");
        // one IPv6 row's addresses short: the size still looks like 1 IPv6 row, the last has none
        Files.write(cut, Arrays.copyOf(whole, whole.length - 64));
        refused(cut, "row 5 of 5: an IPv6 row without its addresses (cut short)");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 20));
        refused(cut, "does not match");
        for (int n = HEADER + 3 * ROW; n < whole.length; n++) { // every cut in the IPv6 rows is refused, as nothing else
            Files.write(cut, Arrays.copyOf(whole, n));
            assertThrows(IOException.class, () -> ConntrackState.read(cut), "cut at " + n);
        }
    }

    @Test
    void aCorruptIpv6RowIsRefused() throws IOException {
        Path file = mixedFile(new Box(1000 * SEC));
        byte[] whole = Files.readAllBytes(file);
        int row5 = HEADER + 3 * ROW + ROW6; // the UDP IPv6 row
        Path bad = dir.resolve("bad.state");

        byte[] b = whole.clone();
        b[row5 + ROW + 8 * 5 + 7] ^= 1; // a bit of the reply source's low half
        Files.write(bad, b);
        refused(bad, "row 5 of 5: the reply tuple's IPv6 addresses do not match its folds");

        b = whole.clone();
        b[row5 + 8 * 3 + 2] ^= 1; // the reply's l4 loses the IPv6 bit (bit 40: byte 2 of the long)
        Files.write(bad, b);
        refused(bad, "row 5 of 5: an IPv6 tuple with an IPv4 reply");

        b = whole.clone();
        b[HEADER + 8 + 2] ^= 1; // an IPv4 row's original l4 takes the IPv6 bit: no addresses follow
        Files.write(bad, b);
        assertThrows(IOException.class, () -> ConntrackState.read(bad));
    }

    @Test
    void noFlippedBitInTheIpv6RowsThrowsPastTheLoader() throws IOException {
        Box before = new Box(1000 * SEC);
        Path file = mixedFile(before);
        byte[] whole = Files.readAllBytes(file);
        Path bad = dir.resolve("flip.state");
        int refused = 0, read = 0;
        for (int at = HEADER + 3 * ROW; at < whole.length; at++) {
            byte[] b = whole.clone();
            b[at] ^= (byte) (1 << (at % 8));
            Files.write(bad, b);
            ConntrackState.Snapshot s;
            try {
                s = ConntrackState.read(bad);
            } catch (IOException e) {
                refused++;
                continue;
            }
            read++;
            Box after = new Box(5 * SEC); // a row that reads restores or is skipped, never throws
            ConntrackState.restore(after.engine, s, after.now);
            after.engine.connections().checkConsistency();
        }
        assertTrue(refused > 0 && read > 0, refused + " refused, " + read + " read");
    }

    @Test
    void theGatewayRefusesACorruptIpv6RowWithOneLine() throws IOException {
        Path file = mixedFile(new Box(1000 * SEC));
        byte[] b = Files.readAllBytes(file);
        b[b.length - 1] ^= 1;
        Files.write(file, b);
        // a namespace that does not exist: were the file taken, the gateway would stop there, not open a device
        var r = CliRun.jnat("gateway", "--host", "scripts/lab-host.ip", "--attach", "docker0=tun:jst0@jnat-state6-no-such-netns",
                "--state", file.toString());
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("row 5 of 5: the reply tuple's IPv6 addresses do not match"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
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
            long[] l = Arrays.copyOfRange(s.longs(), k * jnat.conntrack.ConnRowExport.LONGS, (k + 1) * jnat.conntrack.ConnRowExport.LONGS);
            int[] i = Arrays.copyOfRange(s.ints(), k * jnat.conntrack.ConnRowExport.INTS, (k + 1) * jnat.conntrack.ConnRowExport.INTS);
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

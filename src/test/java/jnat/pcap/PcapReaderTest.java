package jnat.pcap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PcapReaderTest {
    @TempDir
    Path dir;

    static List<PcapRecord> readAll(byte[] file) throws IOException {
        List<PcapRecord> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(new ByteArrayInputStream(file), "test.pcap")) {
            PcapRecord rec;
            while ((rec = r.next()) != null) out.add(rec);
        }
        return out;
    }

    /** A classic pcap file built by hand in the given byte order. */
    static byte[] classic(ByteOrder order, int magic, int linkType, long[] ts, byte[][] packets, int[] origLens) {
        ByteBuffer b = ByteBuffer.allocate(24 + Arrays.stream(packets).mapToInt(p -> 16 + p.length).sum()).order(order);
        b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        for (int i = 0; i < packets.length; i++) {
            b.putInt((int) ts[2 * i]).putInt((int) ts[2 * i + 1]).putInt(packets[i].length).putInt(origLens[i]);
            b.put(packets[i]);
        }
        return b.array();
    }

    @Test
    void readsBigEndianMicrosecondFiles() throws IOException {
        byte[] f = classic(ByteOrder.BIG_ENDIAN, 0xa1b2c3d4, 1, new long[] {1_600_000_000L, 123456},
                new byte[][] {{1, 2, 3}}, new int[] {60});
        PcapRecord r = readAll(f).getFirst();
        assertEquals(1_600_000_000_123_456_000L, r.timestampNanos());
        assertEquals(3, r.capturedLength());
        assertEquals(60, r.originalLength());
        assertArrayEquals(new byte[] {1, 2, 3}, r.data());
    }

    @Test
    void readsLittleEndianNanosecondFiles() throws IOException {
        byte[] f = classic(ByteOrder.LITTLE_ENDIAN, 0xa1b23c4d, 228, new long[] {1_600_000_000L, 123456789},
                new byte[][] {{0x45}}, new int[] {1});
        PcapRecord r = readAll(f).getFirst();
        assertEquals(1_600_000_000_123_456_789L, r.timestampNanos());
        assertEquals(228, r.linkType());
    }

    @Test
    void linkTypeIgnoresTheFcsBitsInTheUpperPart() throws IOException {
        byte[] f = classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 0x10000000 | 1, new long[0], new byte[0][], new int[0]);
        try (PcapReader r = PcapReader.open(new ByteArrayInputStream(f), "x")) {
            assertEquals(1, r.linkType());
            assertEquals(65535, r.snapLength());
        }
    }

    @Test
    void badMagicNamesTheFileAndOffsetZero() {
        var e = assertThrows(PcapFormatException.class, () -> readAll(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().startsWith("test.pcap: at byte offset 0: unknown file format"), e.getMessage());
    }

    @Test
    void emptyFileIsAnError() {
        var e = assertThrows(PcapFormatException.class, () -> readAll(new byte[0]));
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());
    }

    @Test
    void truncatedRecordNamesTheRecordsOffsetAfterTheGoodRecords() throws IOException {
        byte[] f = classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 1, new long[] {1, 0, 2, 0},
                new byte[][] {new byte[10], new byte[20]}, new int[] {10, 20});
        byte[] cut = Arrays.copyOf(f, f.length - 5);
        try (PcapReader r = PcapReader.open(new ByteArrayInputStream(cut), "cut.pcap")) {
            assertNotNull(r.next());
            var e = assertThrows(PcapFormatException.class, r::next);
            assertEquals(24 + 16 + 10 + 16, e.offset());
            assertTrue(e.getMessage().contains("expected 20 bytes, only 15"), e.getMessage());
        }
    }

    @Test
    void truncatedRecordHeaderIsAnErrorAtItsOffset() throws IOException {
        byte[] f = classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 1, new long[] {1, 0}, new byte[][] {new byte[4]},
                new int[] {4});
        byte[] cut = Arrays.copyOf(f, 24 + 7);
        var e = assertThrows(PcapFormatException.class, () -> readAll(cut));
        assertEquals(24, e.offset());
    }

    @Test
    void absurdCapturedLengthIsAnError() {
        byte[] f = classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 1, new long[] {1, 0}, new byte[][] {new byte[4]},
                new int[] {4});
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 0x7fffffff);
        var e = assertThrows(PcapFormatException.class, () -> readAll(f));
        assertTrue(e.getMessage().contains("invalid captured length"), e.getMessage());
    }

    @Property(tries = 200)
    void classicWriterAndReaderRoundTrip(@ForAll @Size(max = 8) List<@Size(max = 300) byte[]> packets,
                                         @ForAll boolean nanos, @ForAll @IntRange(max = 2_000_000_000) int sec)
            throws IOException {
        var bytes = new ByteArrayOutputStream();
        long[] ts = new long[packets.size()];
        try (PcapWriter w = new PcapWriter(bytes, LinkType.ETHERNET, 262144, nanos)) {
            for (int i = 0; i < packets.size(); i++) {
                ts[i] = (sec + i) * 1_000_000_000L + (nanos ? 123_456_789L : 123_456_000L);
                w.write(ts[i], packets.get(i), 0, packets.get(i).length, packets.get(i).length + i);
            }
        }
        List<PcapRecord> back = readAll(bytes.toByteArray());
        assertEquals(packets.size(), back.size());
        for (int i = 0; i < packets.size(); i++) {
            assertArrayEquals(packets.get(i), back.get(i).data());
            assertEquals(ts[i], back.get(i).timestampNanos());
            assertEquals(packets.get(i).length + i, back.get(i).originalLength());
        }
    }

    @Property(tries = 200)
    void pcapngWriterAndReaderRoundTripOverSeveralInterfaces(
            @ForAll @Size(max = 10) List<@Size(max = 200) byte[]> packets, @ForAll @IntRange(min = 1, max = 4) int ifaces)
            throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (PcapngWriter w = new PcapngWriter(bytes)) {
            for (int i = 0; i < ifaces; i++) assertEquals(i, w.addInterface(i % 2 == 0 ? 1 : 228, 65535, "if" + i));
            for (int i = 0; i < packets.size(); i++) {
                w.write(i % ifaces, 1_700_000_000_123_456_789L + i, packets.get(i), 0, packets.get(i).length);
            }
        }
        List<PcapRecord> back = readAll(bytes.toByteArray());
        assertEquals(packets.size(), back.size());
        for (int i = 0; i < packets.size(); i++) {
            PcapRecord r = back.get(i);
            assertArrayEquals(packets.get(i), r.data());
            assertEquals(i % ifaces, r.interfaceIndex());
            assertEquals((i % ifaces) % 2 == 0 ? 1 : 228, r.linkType());
            assertEquals(1_700_000_000_123_456_789L + i, r.timestampNanos());
        }
    }

    /** A pcapng file built by hand: big-endian, microsecond default resolution, an SPB, an unknown block. */
    @Test
    void readsBigEndianPcapngWithDefaultResolutionSimplePacketsAndUnknownBlocks() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        b.putInt(1).putInt(20).putShort((short) 1).putShort((short) 0).putInt(96).putInt(20); // IDB, no options
        b.putInt(0x0BAD).putInt(16).putInt(7).putInt(16); // an unknown block type is skipped
        b.putInt(6).putInt(36).putInt(0).putInt(0).putInt(1_000_000).putInt(3).putInt(3).put(new byte[] {9, 8, 7, 0})
                .putInt(36); // EPB: 1 s in microseconds
        b.putInt(3).putInt(24).putInt(5).put(new byte[] {1, 2, 3, 4, 5, 0, 0, 0}).putInt(24); // SPB
        List<PcapRecord> recs = readAll(Arrays.copyOf(b.array(), b.position()));
        assertEquals(2, recs.size());
        assertEquals(1_000_000_000L, recs.get(0).timestampNanos());
        assertArrayEquals(new byte[] {9, 8, 7}, recs.get(0).data());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, recs.get(1).data());
    }

    @Test
    void pcapngBinaryTimestampResolution() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        b.putInt(1).putInt(32).putShort((short) 1).putShort((short) 0).putInt(0)
                .putShort((short) 9).putShort((short) 1).put(new byte[] {(byte) 0x8a, 0, 0, 0}) // 2^-10 s
                .putShort((short) 0).putShort((short) 0).putInt(32);
        b.putInt(6).putInt(32).putInt(0).putInt(0).putInt(3 * 1024 + 512).putInt(0).putInt(0).putInt(32);
        PcapRecord r = readAll(Arrays.copyOf(b.array(), b.position())).getFirst();
        assertEquals(3_500_000_000L, r.timestampNanos());
    }

    @Test
    void pcapngPacketForAnUndescribedInterfaceIsAnError() throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (PcapngWriter w = new PcapngWriter(bytes)) {
            w.addInterface(1, 0, null);
            w.write(0, 0, new byte[4], 0, 4);
        }
        byte[] f = bytes.toByteArray();
        // The EPB's interface id is 8 bytes into the block that follows the SHB (28) and the IDB (32).
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(28 + 32 + 8, 3);
        var e = assertThrows(PcapFormatException.class, () -> readAll(f));
        assertEquals(28 + 32 + 8, e.offset());
    }

    @Test
    void pcapngTruncatedBlockIsAnErrorNamingItsOffset() throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (PcapngWriter w = new PcapngWriter(bytes)) {
            w.addInterface(1, 0, "eth0");
            w.write(0, 0, new byte[40], 0, 40);
        }
        byte[] f = Arrays.copyOf(bytes.toByteArray(), bytes.size() - 10);
        var e = assertThrows(PcapFormatException.class, () -> readAll(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void realTcpdumpReadsWhatTheWritersWrite() throws IOException {
        jnat.testing.Tools.require("tcpdump");
        Path classic = dir.resolve("a.pcap");
        Path ng = dir.resolve("a.pcapng");
        byte[] frame = new byte[60];
        frame[12] = 0x08;
        frame[13] = 0x06;
        try (PcapWriter w = PcapWriter.create(classic, LinkType.ETHERNET)) {
            w.write(1_000_000_000L, frame, 0, 60);
        }
        try (PcapngWriter w = PcapngWriter.create(ng)) {
            w.addInterface(LinkType.ETHERNET, 262144, "eth0");
            w.addInterface(LinkType.ETHERNET, 262144, "docker0");
            w.write(1, 2_000_000_000L, frame, 0, 60);
        }
        for (Path p : List.of(classic, ng)) {
            var r = jnat.testing.Tools.run(List.of("tcpdump", "-nn", "-r", p.toString()), null, "TZ", "UTC");
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.stdout().startsWith(p == classic ? "00:00:01.000000 ARP" : "00:00:02.000000 ARP"), r.stdout());
        }
        assertTrue(Files.size(ng) > 0);
    }
}

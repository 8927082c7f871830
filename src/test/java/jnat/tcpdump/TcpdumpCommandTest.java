package jnat.tcpdump;

import jnat.cli.CliRun;
import jnat.pcap.LinkType;
import jnat.pcap.PcapWriter;
import jnat.pcap.PcapngWriter;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.*;

/** {@code jnat tcpdump} as a command: options, other link types and file formats, and damaged files. */
class TcpdumpCommandTest {
    static final Path CAPTURES = CaptureComparisonTest.DIR;

    @TempDir
    Path dir;

    /** The real tcpdump in this JVM's time zone, so that both print the same local times. */
    static Tools.Result tcpdump(String... args) {
        Tools.require("tcpdump");
        return Tools.run(List.of(args), null, "TZ", ZoneId.systemDefault().getId());
    }

    static String[] withTcpdump(String... args) {
        String[] a = new String[args.length + 1];
        a[0] = "tcpdump";
        System.arraycopy(args, 0, a, 1, args.length);
        return a;
    }

    @ParameterizedTest(name = "timestamps {0}")
    @ValueSource(strings = {"-t", "-tt", "-ttt", "-tttt", "-ttttt"})
    void timestampStylesMatchTcpdump(String t) {
        String file = CAPTURES.resolve("dnscap_dns.pcap").toString();
        Tools.Result want = tcpdump("tcpdump", "-nn", t, "-r", file);
        CliRun got = jnat(withTcpdump("-nn", t, "-r", file));
        assertEquals(0, got.exit(), got.err());
        assertEquals(want.stdout(), got.out());
        TcpdumpOracle.assertSame(Path.of(file), "-nn" + t.substring(1), x -> false); // in UTC, kept for the next
    }

    @ParameterizedTest(name = "timestamps {0}")
    @ValueSource(strings = {"-t", "-tt", "-ttt", "-tttt", "-ttttt"})
    void timestampStylesMatchWhatTcpdumpPrinted(String t) {
        TcpdumpOracle.assertGolden(CAPTURES.resolve("dnscap_dns.pcap"), "-nn" + t.substring(1), x -> false);
    }

    @Test
    void countStopsAfterNPacketsAsTcpdumpDoes() {
        String file = CAPTURES.resolve("tcpreplay_test.pcap").toString();
        Tools.Result want = tcpdump("tcpdump", "-nn", "-c", "7", "-r", file);
        CliRun got = jnat(withTcpdump("-nn", "-c", "7", "-r", file));
        assertEquals(want.stdout(), got.out());
        assertEquals(7, got.out().lines().count());
    }

    @Test
    void readingFromFileLineGoesToStderrAsTcpdumpPrintsIt() {
        for (String name : List.of("dnscap_frags.pcap", "gopacket_test_loopback.pcap", "tcpreplay_test.pcap")) {
            String file = CAPTURES.resolve(name).toString();
            Tools.Result want = tcpdump("tcpdump", "-nn", "-c", "1", "-r", file);
            CliRun got = jnat(withTcpdump("-nn", "-c", "1", "-r", file));
            assertEquals(want.stderr(), got.err());
        }
    }

    @Test
    void pcapngWithSeveralInterfacesPrintsAsTcpdumpDoes() throws IOException {
        TcpdumpOracle.assertSame(pcapng(), "-nne", x -> false);
    }

    @Test
    void pcapngWithSeveralInterfacesPrintsAsTcpdumpDid() throws IOException {
        TcpdumpOracle.assertGolden(TcpdumpOracle.keptInput(pcapng()), "-nne", x -> false);
    }

    /** Corpus 7 in a pcapng file, its packets alternating between two interfaces. */
    private Path pcapng() throws IOException {
        Corpus corpus = Corpus.generate(7);
        Path file = dir.resolve("corpus-7.pcapng");
        try (PcapngWriter w = PcapngWriter.create(file)) {
            w.addInterface(LinkType.ETHERNET, 262144, "eth0");
            w.addInterface(LinkType.ETHERNET, 262144, "docker0");
            long ts = 1_750_000_000_000_000_000L;
            int i = 0;
            for (Corpus.Packet p : corpus.packets) {
                ts += 1_234_567L; // nanoseconds: tcpdump and jnat both print microseconds
                w.write(i++ % 2, ts, p.frame(), 0, p.caplen(), p.frame().length);
            }
        }
        return file;
    }

    @ParameterizedTest(name = "link type {0}")
    @ValueSource(ints = {LinkType.RAW, LinkType.IPV4, LinkType.NULL})
    void rawAndLoopbackLinkTypesPrintAsTcpdumpDoes(int linkType) throws IOException {
        Path file = raw(linkType);
        TcpdumpOracle.assertSame(file, "-nn", x -> false);
        TcpdumpOracle.assertSame(file, "-nne", x -> false);
    }

    @ParameterizedTest(name = "link type {0}")
    @ValueSource(ints = {LinkType.RAW, LinkType.IPV4, LinkType.NULL})
    void rawAndLoopbackLinkTypesPrintAsTcpdumpDid(int linkType) throws IOException {
        Path file = TcpdumpOracle.keptInput(raw(linkType));
        TcpdumpOracle.assertGolden(file, "-nn", x -> false);
        TcpdumpOracle.assertGolden(file, "-nne", x -> false);
    }

    /** The IPv4 packets of corpus 11 without their Ethernet header, in a file of that link type. */
    private Path raw(int linkType) throws IOException {
        Corpus corpus = Corpus.generate(11);
        Path file = dir.resolve("raw-" + linkType + ".pcap");
        try (PcapWriter w = PcapWriter.create(file, linkType)) {
            long ts = 1_750_000_000_000_000_000L;
            for (Corpus.Packet p : corpus.packets) {
                byte[] f = p.frame();
                if (f.length < 14 || p.caplen() <= 14 || f[12] != 0x08 || f[13] != 0x00) continue;
                byte[] ip = Arrays.copyOfRange(f, 14, f.length);
                if (linkType == LinkType.NULL) {
                    ip = Frames.concat(new byte[] {2, 0, 0, 0}, ip); // AF_INET in little-endian host order
                }
                int cut = ip.length - (f.length - p.caplen());
                ts += 1_000_000L;
                w.write(ts, ip, 0, cut, ip.length);
            }
        }
        return file;
    }

    @Test
    void randomBytesFileIsOneLineErrorAndExitOne() throws IOException {
        Path file = dir.resolve("random.pcap");
        byte[] junk = new byte[1000];
        new Random(5).nextBytes(junk);
        junk[0] = 0x11; // not a magic
        Files.write(file, junk);
        CliRun got = jnat(withTcpdump("-nn", "-r", file.toString()));
        assertEquals(1, got.exit());
        assertEquals("", got.out());
        assertEquals(1, got.err().lines().count(), got.err());
        assertTrue(got.err().contains(file + ": at byte offset 0: unknown file format"), got.err());
        assertEquals(tcpdump("tcpdump", "-nn", "-r", file.toString()).exitCode(), got.exit());
    }

    @Test
    void truncatedFileHeaderIsAnErrorNamingTheOffset() throws IOException {
        Path file = dir.resolve("short.pcap");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(CAPTURES.resolve("dnscap_dns.pcap")), 10));
        CliRun got = jnat(withTcpdump("-nn", "-r", file.toString()));
        assertEquals(1, got.exit());
        assertEquals(1, got.err().lines().count(), got.err());
        assertTrue(got.err().contains("at byte offset 4: truncated pcap file header"), got.err());
    }

    @Test
    void truncatedLastRecordPrintsThePacketsBeforeThenTheErrorLikeTcpdump() throws IOException {
        Path file = cut();
        TcpdumpOracle.assertSame(file, "-nn", x -> false);
        Tools.Result want = tcpdump("tcpdump", "-nn", "-r", file.toString());
        CliRun got = jnat(withTcpdump("-nn", "-r", file.toString()));
        assertEquals(want.stdout(), got.out());
        assertEquals(want.exitCode(), got.exit());
        List<String> err = got.err().lines().toList();
        assertEquals(2, err.size(), got.err());
        assertTrue(err.get(1).contains(file + ": at byte offset 998: truncated record header"), err.get(1));
        assertFalse(got.err().contains("Exception"), got.err());
    }

    @Test
    void truncatedLastRecordPrintsThePacketsBeforeAsTcpdumpDid() throws IOException {
        TcpdumpOracle.assertGolden(TcpdumpOracle.keptInput(cut()), "-nn", x -> false);
    }

    /** The first 1000 bytes of dnscap_dns.pcap: the file ends inside a record header. */
    private Path cut() throws IOException {
        Path file = dir.resolve("dnscap_dns-cut.pcap");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(CAPTURES.resolve("dnscap_dns.pcap")), 1000));
        return file;
    }

    @Test
    void missingFileIsOneLineError() {
        CliRun got = jnat(withTcpdump("-r", dir.resolve("nope.pcap").toString()));
        assertNotEquals(0, got.exit());
        assertEquals(1, got.err().lines().count(), got.err());
        assertTrue(got.err().contains("No such file"), got.err());
    }
}

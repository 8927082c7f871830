package jnat.cli;

import jnat.pcap.LinkType;
import jnat.pcap.PcapWriter;
import jnat.testing.Tools;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress on stderr: one line rewritten in place on a terminal, nothing otherwise or with --quiet. */
class ProgressTest {
    @TempDir
    Path dir;

    @Test
    void theLineSaysWhatIsDoneOfTheTotalTheRateAndTheTimeLeft() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "replay", "frames", 100_000, () -> now[0]);
        now[0] = 2_000_000_000L;
        for (int i = 0; i < 40_960; i++) p.step();
        assertEquals("replay: 40,960/100,000 frames, 20,480 frames/s, 0:00:03 left", p.line(now[0], -1));
        assertEquals("\rreplay: 1,024/100,000 frames, 512 frames/s, 0:03:14 left\u001b[K", bytes.toString(StandardCharsets.UTF_8),
                "drawn once, at the first check (every 1024 steps): the clock did not move 200 ms after it");
        p.done();
        assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith("\r\u001b[K"), "the line erased at the end");
    }

    @Test
    void aTimedPhaseGivesItsOwnTimeLeft() {
        long[] now = {0};
        Progress p = new Progress(new PrintStream(new ByteArrayOutputStream()), "bench established", "packets", -1, () -> now[0]);
        now[0] = 1_000_000_000L;
        p.at(5_000_000, -1, 4_000_000_000L);
        assertEquals("bench established: 5,000,000 packets, 5,000,000 packets/s, 0:00:04 left", p.line(now[0], 4_000_000_000L));
    }

    @Test
    void replayPrintsNoProgressWhenStderrIsNotATerminal() throws Exception {
        Path pcap = frames(3000);
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertFalse(Progress.stderrIsTerminal(), "the test's stderr is a pipe");
        assertEquals(0, cl.execute("replay", "--host", host().toString(), "--in", "docker0=" + pcap));
        assertEquals("", err.toString());
        assertTrue(out.toString().contains("replayed 3000 frames"));
    }

    @Test
    void replayRewritesOneProgressLineOnATerminalAndNoneWithQuiet() throws Exception {
        Tools.require("script");
        Path pcap = frames(5000);
        String replay = java() + " replay --host " + host() + " --in docker0=" + pcap + " --out " + dir.resolve("out");
        // script(1) runs the command on a pseudo-terminal: its stderr is a terminal
        String shown = Tools.run(List.of("script", "-qec", replay, "/dev/null"), null).checked().stdout();
        // the rate and the time left once a tenth of a second has gone by
        assertTrue(shown.matches("(?s).*\rreplay: \\d[\\d,]*/5,000 frames(, [\\d,]+ frames/s, \\d:\\d\\d:\\d\\d left)?\u001b\\[K.*"), shown);
        assertTrue(shown.contains("\r\u001b[Kreplayed 5000 frames"), "erased before the summary");
        String quiet = Tools.run(List.of("script", "-qec", replay + " --quiet", "/dev/null"), null).checked().stdout();
        assertFalse(quiet.contains("frames/s"), quiet);
        assertTrue(quiet.contains("replayed 5000 frames"));
    }

    @Test
    void benchShowsEachPhaseOnATerminalAndNothingWithQuiet() {
        Tools.require("script");
        String bench = java() + " bench --flows 5000 --seconds 0.5";
        String shown = Tools.run(List.of("script", "-qec", bench, "/dev/null"), null).checked().stdout();
        assertTrue(shown.contains("\rbench: new connections: 4,096/5,000 packets"), shown);
        assertTrue(shown.matches("(?s).*\rbench: established: [\\d,]+ packets(, [\\d,]+ packets/s)?, 0:00:0\\d left\u001b\\[K.*"), shown);
        String quiet = Tools.run(List.of("script", "-qec", bench + " --quiet", "/dev/null"), null).checked().stdout();
        assertFalse(quiet.contains("bench: "), quiet);
        assertTrue(quiet.contains("established packets:"));
    }

    private static String java() {
        String bin = ProcessHandle.current().info().command().orElse("java");
        return bin + " --enable-native-access=ALL-UNNAMED -cp " + System.getProperty("java.class.path") + " jnat.cli.Main";
    }

    private Path host() throws Exception {
        Path h = dir.resolve("host.ip");
        try (var in = getClass().getResourceAsStream("/hosts/seed-docker-host.ip")) {
            Files.write(h, in.readAllBytes());
        }
        return h;
    }

    /** {@code n} SYNs from the container, one flow each. */
    private Path frames(int n) throws Exception {
        Path p = dir.resolve("syns.pcap");
        try (PcapWriter w = PcapWriter.create(p, LinkType.ETHERNET)) {
            for (int i = 0; i < n; i++) {
                byte[] f = EthernetRepr.of("02:42:ac:11:00:02", "02:42:d5:35:3a:3c").frame(Ipv4Repr.of("172.17.0.2", "198.51.100.8"),
                        TcpRepr.of(1024 + i, 80).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240));
                w.write(1_600_000_000_000_000_000L + i * 1000L, f, 0, f.length);
            }
        }
        return p;
    }
}

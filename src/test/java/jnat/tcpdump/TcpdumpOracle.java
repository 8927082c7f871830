package jnat.tcpdump;

import jnat.cli.TcpdumpCommand;
import jnat.testing.Tools;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares jnat's printer with tcpdump on one file, packet by packet, line by line: with the real tcpdump
 * ({@link #assertSame}), or with what it printed before, kept in {@link #GOLDEN} ({@link #assertGolden}),
 * so that the printer is checked where tcpdump is not installed.
 */
final class TcpdumpOracle {
    private TcpdumpOracle() {}

    /** tcpdump's output per input and flags (NAME.FLAGS.txt), and the generated inputs themselves. */
    static final Path GOLDEN = Path.of("src/test/resources/tcpdump-golden");
    /** -Djnat.refreshGolden=true: the live comparisons write what tcpdump printed into {@link #GOLDEN}. */
    static final boolean REFRESH = Boolean.getBoolean("jnat.refreshGolden");

    /** What tcpdump prints on stdout for {@code tcpdump FLAGS -r file} with TZ=UTC. */
    static String realTcpdump(Path file, String flags) {
        Tools.require("tcpdump");
        List<String> cmd = Tools.cmd("tcpdump", flags, "-r", file.toString());
        Tools.Result r = Tools.run(cmd, null, "TZ", "UTC");
        return r.stdout();
    }

    /** What jnat tcpdump prints for the same flags (in-process, zone UTC). */
    static String jnat(Path file, String flags) {
        boolean e = flags.contains("e");
        int v = (int) flags.chars().filter(c -> c == 'v').count();
        int t = (int) flags.chars().filter(c -> c == 't').count();
        var out = new StringWriter();
        var err = new StringWriter();
        TcpdumpCommand.run(file, new TcpdumpPrinter.Options(e, v, t, ZoneOffset.UTC), -1, new PrintWriter(out),
                new PrintWriter(err));
        return out.toString();
    }

    /** Splits output into packets: a packet's first line starts in column 0, continuation lines with blanks. */
    static List<String> packets(String output) {
        List<String> packets = new ArrayList<>();
        for (String line : output.split("\n", -1)) {
            if (line.isEmpty()) continue;
            if ((line.startsWith("\t") || line.startsWith(" ")) && !packets.isEmpty()) {
                packets.set(packets.size() - 1, packets.getLast() + "\n" + line);
            } else {
                packets.add(line);
            }
        }
        return packets;
    }

    /**
     * Fails listing each packet where jnat differs from tcpdump (first differing line of each), skipping
     * packets whose tcpdump text matches {@code excluded}. Returns how many packets were compared.
     */
    static int assertSame(Path file, String flags, Predicate<String> excluded) {
        String tcpdump = realTcpdump(file, flags);
        if (REFRESH) keep(file, flags, tcpdump);
        return compare(file, flags, tcpdump, excluded);
    }

    /**
     * As {@link #assertSame}, against the output tcpdump printed for {@code file} and {@code flags} when the
     * golden files were last refreshed. A generated {@code file} must be what was kept ({@link #keptInput}).
     */
    static int assertGolden(Path file, String flags, Predicate<String> excluded) {
        Assumptions.assumeFalse(REFRESH, "the golden files are being refreshed");
        Path golden = golden(file, flags);
        assertTrue(Files.exists(golden), golden + " is missing: " + HOW_TO_REFRESH);
        return compare(file, flags, read(golden), excluded);
    }

    static final String HOW_TO_REFRESH = "refresh the golden files with mvn test -Dtest='jnat.tcpdump.**' "
            + "-Djnat.refreshGolden=true (needs tcpdump)";

    /** What writes a generated input file. */
    interface Generator {
        void write(Path file) throws IOException;
    }

    /** Writes a generated input; with -Djnat.keepCorpus=DIR a copy is kept there too, for debugging. */
    static Path generated(Path file, Generator generator) throws IOException {
        generator.write(file);
        String keep = System.getProperty("jnat.keepCorpus");
        if (keep != null) Files.copy(file, Path.of(keep).resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** The kept copy of a generated input, checked to be the bytes the generator writes today. */
    static Path keptInput(Path generated) {
        Assumptions.assumeFalse(REFRESH, "the golden files are being refreshed");
        Path kept = GOLDEN.resolve(generated.getFileName());
        assertTrue(Files.exists(kept), kept + " is missing: " + HOW_TO_REFRESH);
        try {
            assertArrayEquals(Files.readAllBytes(kept), Files.readAllBytes(generated),
                    generated.getFileName() + " is no longer generated as it was kept: " + HOW_TO_REFRESH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return kept;
    }

    /** The golden file of {@code file} printed with {@code flags}: dnscap_dns.pcap, "-nnv" -> dnscap_dns.nnv.txt. */
    static Path golden(Path file, String flags) {
        String name = file.getFileName().toString();
        return GOLDEN.resolve(name.substring(0, name.lastIndexOf('.')) + "." + flags.replace("-", "") + ".txt");
    }

    private static boolean versionKept;

    /** Writes tcpdump's output, its version, and the input unless it is already a test resource. */
    private static void keep(Path file, String flags, String tcpdump) {
        try {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden(file, flags), tcpdump);
            if (!versionKept) {
                Files.writeString(GOLDEN.resolve("tcpdump-version.txt"),
                        Tools.run("tcpdump", "--version").checked().stdout());
                versionKept = true;
            }
            if (!file.toAbsolutePath().startsWith(Path.of("src/test/resources").toAbsolutePath())) {
                Files.copy(file, GOLDEN.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails listing the packets where jnat differs from {@code tcpdump}; returns how many were compared. */
    private static int compare(Path file, String flags, String tcpdump, Predicate<String> excluded) {
        String printed = jnat(file, flags);
        List<String> expected = packets(tcpdump);
        List<String> actual = packets(printed);
        List<String> problems = new ArrayList<>();
        if (expected.size() != actual.size()) {
            problems.add("tcpdump printed " + expected.size() + " packets, jnat " + actual.size());
        }
        int compared = 0;
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            String want = expected.get(i);
            if (excluded.test(want)) continue;
            compared++;
            String got = actual.get(i);
            if (!want.equals(got)) {
                String[] w = want.split("\n");
                String[] g = got.split("\n");
                int line = 0;
                while (line < Math.min(w.length, g.length) && w[line].equals(g[line])) line++;
                problems.add("packet " + (i + 1) + ", line " + (line + 1) + ":\n  tcpdump: "
                        + (line < w.length ? w[line] : "<nothing>") + "\n  jnat:    "
                        + (line < g.length ? g[line] : "<nothing>"));
            }
        }
        if (!problems.isEmpty()) {
            fail(file.getFileName() + " with " + flags + ": " + problems.size() + " packet(s) differ\n"
                    + String.join("\n", problems.subList(0, Math.min(problems.size(), 25))));
        }
        // The packets agree; with none excluded, so must the bytes between them (blank lines, the last newline).
        if (compared == expected.size()) assertEquals(tcpdump, printed, file.getFileName() + " with " + flags);
        return compared;
    }
}

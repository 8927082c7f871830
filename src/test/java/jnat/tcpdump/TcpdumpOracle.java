package jnat.tcpdump;

import jnat.cli.TcpdumpCommand;
import jnat.testing.Tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** Runs the real tcpdump and jnat's printer on one file and compares them packet by packet, line by line. */
final class TcpdumpOracle {
    private TcpdumpOracle() {}

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
        List<String> expected = packets(realTcpdump(file, flags));
        List<String> actual = packets(jnat(file, flags));
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
        return compared;
    }
}

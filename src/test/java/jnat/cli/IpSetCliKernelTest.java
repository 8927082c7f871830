package jnat.cli;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same ipset command lines through the kernel's ipset 7.17 (in a namespace) and through
 * {@code jnat ipset --sets FILE}: standard output, standard error and exit code byte-identical
 * for each, listings and "Size in memory" included (the sets are created with an initval, so
 * the kernel's jhash2 buckets, and so its order, are known). An element's remaining timeout is
 * masked: the two run a few milliseconds apart and may straddle a second.
 */
class IpSetCliKernelTest {
    private static final Pattern REMAINING = Pattern.compile("(?m)^((?!Header:|create ).* timeout )[1-9][0-9]*");

    @Test
    void commandSequenceOutputsAndErrorsAreIpsets() throws IOException {
        Tools.require("ipset");
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/ipset/commands.txt"));
        Path sets = Files.createTempFile("jnat-ipset", ".sets");
        Path restore = Path.of("src/test/resources/ipset/restore.txt").toAbsolutePath();
        Path bitmapRestore = Path.of("src/test/resources/ipset/restore-bitmap.txt").toAbsolutePath();
        Files.delete(sets);
        List<String> diffs = new ArrayList<>();
        try (Netns ns = Netns.create("ips")) {
            for (String line : lines) {
                if (line.isBlank()) continue;
                List<String> argv = split(line.replace("BITMAPFILE", bitmapRestore.toString()).replace("FILE", restore.toString()));
                List<String> kernelCmd = new ArrayList<>(List.of("ipset"));
                kernelCmd.addAll(argv);
                Tools.Result k = ns.exec(kernelCmd.toArray(String[]::new));
                List<String> jnatCmd = new ArrayList<>(List.of("ipset", "--sets", sets.toString()));
                jnatCmd.addAll(argv);
                CliRun j = CliRun.jnat(jnatCmd.toArray(String[]::new));
                String kernel = "exit " + k.exitCode() + "\n" + mask(k.stdout()) + "--stderr--\n" + k.stderr();
                String ours = "exit " + j.exit() + "\n" + mask(j.out()) + "--stderr--\n" + j.err();
                if (!kernel.equals(ours)) diffs.add("ipset " + line + "\n--- ipset:\n" + kernel + "--- jnat:\n" + ours);
            }
        } finally {
            Files.deleteIfExists(sets);
        }
        assertEquals("", String.join("\n", diffs));
    }

    private static String mask(String s) {
        return REMAINING.matcher(s).replaceAll("$1N");
    }

    /** Words split at blanks, a double-quoted part kept whole, as a shell would hand them over. */
    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean q = false, any = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                q = !q;
                any = true;
            } else if (c == ' ' && !q) {
                if (any) out.add(w.toString());
                w.setLength(0);
                any = false;
            } else {
                w.append(c);
                any = true;
            }
        }
        if (any) out.add(w.toString());
        return out;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}

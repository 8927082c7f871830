package jnat.cli;

import jnat.rules.Dumps;
import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * moby's golden ip6tables files (src/test/resources/moby-ip6tables, see SOURCES.md there): what
 * dockerd's bridge driver leaves in ip6tables-save for each of its configurations. Each loads
 * through {@code jnat ip6tables-restore} unchanged, saves back as the golden text, and lists
 * (-S, -nvL, -nvxL --line-numbers, -L -n, -L, -S -v, every table) and saves byte for byte as the
 * real ip6tables 1.8.9 does after ip6tables-restore of the same file.
 */
class Ip6tablesGoldenFilesTest {
    @TempDir
    Path dir;

    /** The golden files by name, identical contents once. */
    static Map<String, String> goldenFiles() throws IOException, URISyntaxException {
        Path d = Path.of(Ip6tablesGoldenFilesTest.class.getResource("/moby-ip6tables").toURI());
        Map<String, String> byText = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(d)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".golden")).sorted().toList()) {
                byText.putIfAbsent(Files.readString(p, StandardCharsets.UTF_8), p.getFileName().toString());
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        byText.forEach((text, name) -> out.put(name, text));
        return out;
    }

    @Test
    void everyGoldenFileLoadsAndSavesBackUnchanged() throws Exception {
        Map<String, String> files = goldenFiles();
        assertTrue(files.size() >= 70, "golden files: " + files.size());
        for (var e : files.entrySet()) {
            Path rules = dir.resolve("r" + e.getKey().hashCode() + ".rules");
            String err = Ip6tablesReal.restore(rules, e.getValue());
            assertEquals(null, err, e.getKey());
            assertEquals(e.getValue(), Dumps.withoutComments(jnat("ip6tables-save", "--rules", rules.toString()).out()),
                    e.getKey());
        }
    }

    @Test
    void everyGoldenFileListsAsRealIp6tablesDoes() throws Exception {
        Tools.require("ip6tables");
        Tools.require("ip6tables-restore");
        Map<String, String> files = goldenFiles();
        int identical = 0;
        List<String> failures = new ArrayList<>();
        try (Netns ns = Netns.create("ip6gold")) {
            for (var e : files.entrySet()) {
                ns.execIn(e.getValue(), "ip6tables-restore").checked();
                Path rules = dir.resolve("g" + identical + "-" + failures.size() + ".rules");
                assertEquals(null, Ip6tablesReal.restore(rules, e.getValue()), e.getKey());
                List<String> d = Ip6tablesReal.differences(ns, rules, e.getValue());
                if (d.isEmpty()) identical++;
                else failures.add(e.getKey() + ": " + d.get(0));
            }
        }
        System.out.println("moby ip6tables golden files: " + identical + " of " + files.size()
                + " distinct files list and save identically");
        assertEquals(List.of(), failures);
    }
}

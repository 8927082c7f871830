package jnat.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ARCHITECTURE.md's layers, enforced: a package refers only to the packages below it. */
class LayeringTest {
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("wire", Set.of()),
            Map.entry("pcap", Set.of()),
            Map.entry("linux", Set.of()),
            Map.entry("tcpdump", Set.of("pcap")),
            Map.entry("host", Set.of("wire")),
            Map.entry("conntrack", Set.of("wire")),
            Map.entry("ipset", Set.of("wire")),
            Map.entry("rules", Set.of("wire", "ipset")),
            Map.entry("nft", Set.of("wire", "host", "conntrack", "rules", "ipset")),
            Map.entry("nat", Set.of("wire", "host", "conntrack", "rules", "ipset", "nft")),
            Map.entry("replay", Set.of("wire", "pcap", "host", "nat")),
            Map.entry("gateway", Set.of("wire", "host", "conntrack", "rules", "ipset", "nft", "nat", "linux")),
            Map.entry("report", Set.of("wire", "pcap", "tcpdump", "host", "conntrack", "rules", "ipset", "nat", "replay")),
            Map.entry("demo", Set.of("wire", "pcap", "tcpdump", "host", "conntrack", "rules", "ipset", "nat", "replay", "report")),
            Map.entry("bench", Set.of("wire", "host", "conntrack", "rules", "ipset", "nft", "nat", "linux", "demo")),
            Map.entry("cli", Set.of("wire", "pcap", "tcpdump", "host", "conntrack", "rules", "ipset", "nat", "linux", "replay",
                    "gateway", "report", "demo", "bench", "nft")));

    private static final Pattern REFERENCE = Pattern.compile("\\bjnat\\.([a-z]+)\\.[A-Za-z]");

    @Test
    void everyPackageRefersOnlyToTheLayersBelowIt() throws IOException {
        Path root = Path.of("src/main/java/jnat");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f).getName(0).toString();
                Set<String> allowed = ALLOWED.get(pkg);
                if (allowed == null) {
                    violations.add(pkg + ": a package ARCHITECTURE.md does not place (" + f + ")");
                    continue;
                }
                String text = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    String target = m.group(1);
                    if (!target.equals(pkg) && !allowed.contains(target)) violations.add(f + " refers to jnat." + target);
                }
            }
        }
        assertEquals(List.of(), violations.stream().distinct().toList());
    }
}

package jnat.nft;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real rulesets through {@code jnat nft -f}, listed with and without handles, against the real nft 1.0.6
 * (in a network namespace), and against the golden files the real nft wrote
 * (src/test/resources/nft/golden, see SOURCES.md) where it is not installed. Each is loaded unchanged,
 * and, where nft 1.0.6 refuses the unchanged text, also as a variant it loads (the variants are made here,
 * and why is said where they are made).
 */
class NftCorpusTest {
    static final Path ROOT = Path.of("src/test/resources/nft");

    record Case(String name, String text) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String dir : List.of("moby", "kube-proxy", "hand")) {
            try (Stream<Path> files = Files.list(ROOT.resolve(dir))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".nft")).sorted().toList()) {
                    String name = dir + "-" + f.getFileName();
                    String text = Files.readString(f);
                    cases.add(new Case(name, text));
                    if (dir.equals("moby")) {
                        // moby writes "type nat hook output priority dstnat", which nft 1.0.6 refuses (its
                        // dstnat is for prerouting only; later nft allow output): the same with the number
                        cases.add(new Case(name.replace(".nft", ".output-priority-100.nft"),
                                text.replace("hook output priority dstnat;", "hook output priority -100;")));
                    }
                    if (dir.equals("kube-proxy")) {
                        // knftables' fake dump lists chains where they are first used, after rules that jump
                        // to them; kube-proxy's real transaction adds every chain first: the same, so ordered
                        List<String> lines = text.lines().toList();
                        List<String> first = new ArrayList<>(), rest = new ArrayList<>();
                        for (String l : lines) (l.matches("add (table|set|map|chain) .*") ? first : rest).add(l);
                        first.addAll(rest);
                        cases.add(new Case(name.replace(".nft", ".chains-first.nft"), String.join("\n", first) + "\n"));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void listsWhatTheRealNftLists(Case c) {
        NftRun real = NftRun.real(c.name, c.text);
        if (System.getenv("JNAT_NFT_WRITE_GOLDEN") != null) writeGolden(c.name, real.joined());
        assertEquals(real.joined(), NftRun.jnat(c.name, c.text).joined());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void listsWhatTheGoldenFilesSay(Case c) throws IOException {
        String golden = Files.readString(ROOT.resolve("golden").resolve(c.name + ".txt"));
        assertEquals(golden, NftRun.jnat(c.name, c.text).joined());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void listingLoadsBackToTheSameListing(Case c) {
        NftRun first = NftRun.jnat(c.name, c.text);
        if (!first.err().equals("rc=0\n")) return; // refused: nothing to list
        NftRun again = NftRun.jnat(c.name, first.list());
        assertEquals("rc=0\n", again.err());
        assertEquals(first.list(), again.list());
    }

    private static void writeGolden(String name, String text) {
        try {
            Files.createDirectories(ROOT.resolve("golden"));
            Files.writeString(ROOT.resolve("golden").resolve(name + ".txt"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package jnat.nft;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged rulesets (the corpus with bytes cut, repeated, swapped or replaced): nft's messages or a listing, never a crash. */
class NftFuzzProperties {
    static final List<String> CORPUS;

    static {
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/nft"))) {
            CORPUS = files.filter(p -> p.toString().endsWith(".nft")).sorted().map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final String PIECES = "{}();:,.-/@\"!=<>&|^*# \n\t0123456789abcxyzACKipt";

    @Provide
    Arbitrary<String> damaged() {
        return Arbitraries.integers().between(0, CORPUS.size() - 1).flatMap(i -> {
            String text = CORPUS.get(i);
            return Arbitraries.integers().between(0, text.length() - 1).list().ofMinSize(1).ofMaxSize(4)
                    .flatMap(at -> Arbitraries.of(PIECES.chars().mapToObj(c -> String.valueOf((char) c)).toList())
                            .list().ofSize(at.size()).map(ch -> {
                                StringBuilder sb = new StringBuilder(text);
                                for (int k = 0; k < at.size(); k++) {
                                    int p = Math.min(at.get(k), sb.length() - 1);
                                    switch (p % 3) {
                                        case 0 -> sb.setCharAt(p, ch.get(k).charAt(0));
                                        case 1 -> sb.deleteCharAt(p);
                                        default -> sb.insert(p, ch.get(k));
                                    }
                                }
                                return sb.toString();
                            }));
        });
    }

    @Property(tries = 500)
    void damagedInputGetsAMessageOrAListing(@ForAll("damaged") String text) {
        NftRuleset rs = new NftRuleset();
        Nft.Result r = Nft.transaction(rs, "f.nft", text, new Printer.Options(true, false, false), false, false);
        assertTrue(r.exitCode() == 0 ? r.err().isEmpty() : r.err().contains("Error: "), r.err());
        if (r.exitCode() == 0) Nft.run(rs, List.of("-a", "list", "ruleset"));
        else assertTrue(rs.isEmpty(), "a failed transaction changed the ruleset");
    }
}

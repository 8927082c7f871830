package jnat.tcpdump;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated corpus (TCP, UDP, ICMP, ARP, fragments, options, broken and truncated headers) printed by
 * jnat and by the real tcpdump must agree line for line.
 */
class GeneratedCorpusTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}, tcpdump {1}")
    @CsvSource({"1, -nn", "1, -nne", "2, -nn", "2, -nne", "3, -nne", "1, -nnv", "2, -nnv", "3, -nnev", "1, -nnvv"})
    void printsTheCorpusAsTcpdumpDoes(long seed, String flags) throws Exception {
        Corpus corpus = Corpus.generate(seed);
        Path file = dir.resolve("corpus-" + seed + ".pcap");
        corpus.write(file);
        String keep = System.getProperty("jnat.keepCorpus"); // a directory to keep the files in, for debugging
        if (keep != null) java.nio.file.Files.copy(file, Path.of(keep).resolve(file.getFileName()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(corpus.packets.size() > 500, "corpus has " + corpus.packets.size() + " packets");
        int compared = TcpdumpOracle.assertSame(file, flags, p -> false);
        assertTrue(compared == corpus.packets.size(), compared + " of " + corpus.packets.size() + " compared");
    }
}

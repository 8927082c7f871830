package jnat.tcpdump;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated corpus (TCP, UDP, ICMP, ARP, fragments, options, broken and truncated headers) printed by
 * jnat and by the real tcpdump must agree line for line; and jnat must print what tcpdump printed for the
 * kept copy of each corpus, without tcpdump.
 */
class GeneratedCorpusTest {
    @TempDir
    Path dir;

    static Stream<Arguments> seedsAndFlags() {
        return Stream.of(Arguments.of(1L, "-nn"), Arguments.of(1L, "-nne"), Arguments.of(2L, "-nn"),
                Arguments.of(2L, "-nne"), Arguments.of(3L, "-nne"), Arguments.of(1L, "-nnv"), Arguments.of(2L, "-nnv"),
                Arguments.of(3L, "-nnev"), Arguments.of(1L, "-nnvv"));
    }

    /** Writes corpus-SEED.pcap into {@link #dir}; returns how many packets it holds. */
    private int write(long seed) throws IOException {
        Corpus corpus = Corpus.generate(seed);
        Path file = dir.resolve("corpus-" + seed + ".pcap");
        corpus.write(file);
        String keep = System.getProperty("jnat.keepCorpus"); // a directory to keep the files in, for debugging
        if (keep != null) Files.copy(file, Path.of(keep).resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(corpus.packets.size() > 500, "corpus has " + corpus.packets.size() + " packets");
        return corpus.packets.size();
    }

    @ParameterizedTest(name = "seed {0}, tcpdump {1}")
    @MethodSource("seedsAndFlags")
    void printsTheCorpusAsTcpdumpDoes(long seed, String flags) throws Exception {
        int packets = write(seed);
        assertEquals(packets, TcpdumpOracle.assertSame(dir.resolve("corpus-" + seed + ".pcap"), flags, p -> false));
    }

    @ParameterizedTest(name = "seed {0}, tcpdump {1}")
    @MethodSource("seedsAndFlags")
    void printsTheCorpusAsTcpdumpDid(long seed, String flags) throws Exception {
        int packets = write(seed);
        Path kept = TcpdumpOracle.keptInput(dir.resolve("corpus-" + seed + ".pcap"));
        assertEquals(packets, TcpdumpOracle.assertGolden(kept, flags, p -> false));
    }
}

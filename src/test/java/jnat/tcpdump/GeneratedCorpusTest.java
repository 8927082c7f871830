package jnat.tcpdump;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated corpora printed by jnat and by the real tcpdump must agree line for line; and jnat must
 * print what tcpdump printed for the kept copy of each, without tcpdump. {@link Corpus} (corpus-SEED.pcap:
 * TCP, UDP, ICMP, ARP, fragments, options, broken and truncated headers) and {@link Corpus6} (ipv6-SEED.pcap:
 * the IPv6 frames, with -nn, -nne, -nnv and -nnvv).
 */
class GeneratedCorpusTest {
    @TempDir
    Path dir;

    static Stream<Arguments> seedsAndFlags() {
        Stream<Arguments> v4 = Stream.of(Arguments.of("corpus", 1L, "-nn"), Arguments.of("corpus", 1L, "-nne"),
                Arguments.of("corpus", 2L, "-nn"), Arguments.of("corpus", 2L, "-nne"), Arguments.of("corpus", 3L, "-nne"),
                Arguments.of("corpus", 1L, "-nnv"), Arguments.of("corpus", 2L, "-nnv"), Arguments.of("corpus", 3L, "-nnev"),
                Arguments.of("corpus", 1L, "-nnvv"));
        Stream<Arguments> v6 = Stream.of(1L, 2L)
                .flatMap(seed -> Stream.of("-nn", "-nne", "-nnv", "-nnvv").map(f -> Arguments.of("ipv6", seed, f)));
        return Stream.concat(v4, v6);
    }

    /** Writes NAME-SEED.pcap into {@link #dir}; returns how many packets it holds. */
    private int write(String name, long seed) throws IOException {
        Path file = dir.resolve(name + "-" + seed + ".pcap");
        int packets;
        if (name.equals("ipv6")) {
            Corpus6 corpus = Corpus6.generate(seed);
            TcpdumpOracle.generated(file, corpus::write);
            packets = corpus.packets.size();
        } else {
            Corpus corpus = Corpus.generate(seed);
            TcpdumpOracle.generated(file, corpus::write);
            packets = corpus.packets.size();
        }
        assertTrue(packets > 500, name + " corpus has " + packets + " packets");
        return packets;
    }

    @ParameterizedTest(name = "{0} seed {1}, tcpdump {2}")
    @MethodSource("seedsAndFlags")
    void printsTheCorpusAsTcpdumpDoes(String name, long seed, String flags) throws Exception {
        int packets = write(name, seed);
        assertEquals(packets, TcpdumpOracle.assertSame(dir.resolve(name + "-" + seed + ".pcap"), flags, p -> false));
    }

    @ParameterizedTest(name = "{0} seed {1}, tcpdump {2}")
    @MethodSource("seedsAndFlags")
    void printsTheCorpusAsTcpdumpDid(String name, long seed, String flags) throws Exception {
        int packets = write(name, seed);
        Path kept = TcpdumpOracle.keptInput(dir.resolve(name + "-" + seed + ".pcap"));
        assertEquals(packets, TcpdumpOracle.assertGolden(kept, flags, p -> false));
    }
}

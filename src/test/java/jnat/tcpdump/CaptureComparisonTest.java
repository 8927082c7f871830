package jnat.tcpdump;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real captures from other projects (src/test/resources/captures, see SOURCES.md) printed by jnat and by
 * tcpdump agree, except for packets of protocols jnat does not decode, excluded below with the reason.
 */
class CaptureComparisonTest {
    static final Path DIR = Path.of("src/test/resources/captures");

    /** What tcpdump prints for a packet jnat leaves undecoded, and why that is out of scope. */
    static final Map<String, String> OUT_OF_SCOPE = Map.of(
            "IS-IS", "IS-IS over 802.3/LLC",
            "EIGRP ", "EIGRP routing protocol",
            "Loopback, skipCount", "Ethernet configuration testing protocol (ethertype 0x9000)");

    static final Predicate<String> EXCLUDED = text -> OUT_OF_SCOPE.keySet().stream().anyMatch(text::contains);

    static Stream<String> captures() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pcap")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0} -nn")
    @MethodSource("captures")
    void printsLikeTcpdumpNn(String name) {
        int compared = TcpdumpOracle.assertSame(DIR.resolve(name), "-nn", EXCLUDED);
        assertTrue(compared > 0, "no packet compared in " + name);
    }

    @ParameterizedTest(name = "{0} -nne")
    @MethodSource("captures")
    void printsLikeTcpdumpNne(String name) {
        int compared = TcpdumpOracle.assertSame(DIR.resolve(name), "-nne", EXCLUDED);
        assertTrue(compared > 0, "no packet compared in " + name);
    }

    @ParameterizedTest(name = "{0} -nnv")
    @MethodSource("captures")
    void printsLikeTcpdumpVerbose(String name) {
        TcpdumpOracle.assertSame(DIR.resolve(name), "-nnv", EXCLUDED);
    }
}

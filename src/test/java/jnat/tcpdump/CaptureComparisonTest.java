package jnat.tcpdump;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real captures from other projects (src/test/resources/captures, see SOURCES.md) printed by jnat and by
 * tcpdump agree, except for packets of protocols jnat does not decode, excluded below with the reason:
 * with the real tcpdump when it is installed, and always with what it printed (TcpdumpOracle.GOLDEN).
 */
class CaptureComparisonTest {
    static final Path DIR = Path.of("src/test/resources/captures");

    /** What tcpdump prints for a packet jnat leaves undecoded, and why that is out of scope. */
    static final Map<String, String> OUT_OF_SCOPE = Map.of(
            "IS-IS", "IS-IS over 802.3/LLC",
            "EIGRP ", "EIGRP routing protocol",
            "Loopback, skipCount", "Ethernet configuration testing protocol (ethertype 0x9000)");

    static final Predicate<String> EXCLUDED = text -> OUT_OF_SCOPE.keySet().stream().anyMatch(text::contains);

    static final List<String> FLAGS = List.of("-nn", "-nne", "-nnv", "-nnvv");

    /** Every capture with every flag set. */
    static Stream<Arguments> captures() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pcap")).sorted().toList();
            return names.stream().flatMap(n -> FLAGS.stream().map(f -> Arguments.of(n, f)));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("captures")
    void printsLikeTcpdump(String name, String flags) {
        int compared = TcpdumpOracle.assertSame(DIR.resolve(name), flags, EXCLUDED);
        assertTrue(compared > 0, "no packet compared in " + name);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("captures")
    void printsWhatTcpdumpPrinted(String name, String flags) {
        int compared = TcpdumpOracle.assertGolden(DIR.resolve(name), flags, EXCLUDED);
        assertTrue(compared > 0, "no packet compared in " + name);
    }
}

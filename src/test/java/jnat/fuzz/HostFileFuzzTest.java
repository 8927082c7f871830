package jnat.fuzz;

import jnat.host.Host;
import jnat.host.HostException;
import jnat.host.Interface;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host-file parser ({@link Host#parse}) on real host files with bytes flipped, lines cut,
 * repeated and dropped, and on lines spliced from them: it builds a host or throws a
 * {@link HostException} with a one-line message naming the file; the host it builds answers
 * route lookups.
 */
class HostFileFuzzTest {
    static final List<String> SEEDS = seeds();

    static List<String> seeds() {
        try {
            List<String> all = new ArrayList<>();
            all.add(Files.readString(Path.of("src/main/resources/hosts/seed-docker-host.ip")));
            all.add(Files.readString(Path.of("scripts/lab-host.ip")));
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whole lines of the seeds, shuffled and repeated: valid syntax, surprising combinations. */
    @Provide
    Arbitrary<String> files() {
        List<String> lines = SEEDS.stream().flatMap(String::lines).filter(l -> !l.isBlank()).toList();
        Arbitrary<String> spliced = Arbitraries.of(lines).list().ofMaxSize(12).map(l -> String.join("\n", l) + "\n");
        return Arbitraries.oneOf(Mutations.mutatedText(SEEDS, 5), spliced.flatMap(s -> Mutations.mutatedText(List.of(s), 2)),
                spliced);
    }

    @Property
    void buildsAHostOrFailsWithOneLineNamingTheFile(@ForAll("files") String text) {
        Host host;
        try {
            host = Host.parse(text, "fuzz.ip");
        } catch (HostException e) {
            assertTrue(e.getMessage().startsWith("fuzz.ip"), e.getMessage());
            Mutations.assertOneLine(e.getMessage());
            return;
        }
        for (Interface dev : host.interfaces()) {
            host.routeInput(0x08080808, 0x0a000002, dev);
            host.routeOutput(0x2d4dc8b4);
        }
    }
}

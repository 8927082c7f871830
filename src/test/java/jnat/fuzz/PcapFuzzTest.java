package jnat.fuzz;

import jnat.pcap.LinkType;
import jnat.pcap.PcapFormatException;
import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import jnat.pcap.PcapngWriter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PcapReader} on random bytes and on real captures (classic pcap, and pcapng written from
 * their records) flipped, truncated and extended: it reads records or stops with a
 * {@link PcapFormatException} naming the file; nothing else escapes, and no record claims more
 * bytes than it holds.
 */
class PcapFuzzTest {
    static final List<byte[]> SEEDS = seeds();

    static List<byte[]> seeds() {
        List<byte[]> all = new ArrayList<>(Mutations.files(Mutations.CAPTURES, ".pcap"));
        try {
            for (byte[] classic : List.copyOf(all)) { // the same packets as pcapng, first records only
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (PcapReader r = PcapReader.open(new ByteArrayInputStream(classic), "seed");
                     PcapngWriter w = new PcapngWriter(out)) {
                    int id = w.addInterface(r.linkType(), r.snapLength(), "eth0");
                    PcapRecord rec;
                    for (int i = 0; i < 8 && (rec = r.next()) != null; i++) {
                        w.write(id, rec.timestampNanos(), rec.data(), 0, rec.capturedLength(), rec.originalLength());
                    }
                }
                all.add(out.toByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Small classic files too, so that edits reach record headers more often than packet bytes.
        all.replaceAll(b -> b.length > 4096 ? java.util.Arrays.copyOf(b, 4096) : b);
        return all;
    }

    @Provide
    Arbitrary<byte[]> files() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, Mutations.randomBytes(200)),
                net.jqwik.api.Tuple.of(4, Mutations.mutated(SEEDS, 6)));
    }

    @Property
    void readsRecordsOrFailsWithAFormatErrorNamingTheFile(@ForAll("files") byte[] file) {
        try (PcapReader r = PcapReader.open(new ByteArrayInputStream(file), "fuzz.pcap")) {
            r.linkType();
            for (PcapRecord rec; (rec = r.next()) != null; ) {
                assertTrue(rec.capturedLength() >= 0 && rec.capturedLength() <= rec.data().length);
            }
        } catch (PcapFormatException e) {
            assertTrue(e.getMessage().contains("fuzz.pcap"), e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
        } catch (IOException e) {
            throw new AssertionError("not a format error: " + e, e);
        }
    }
}

package jnat.fuzz;

import jnat.pcap.PcapFormatException;
import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import jnat.pcap.PcapWriter;
import jnat.pcap.PcapngWriter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

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

    /** The first records of each real capture, rewritten whole as classic pcap and as pcapng. */
    static List<byte[]> seeds() {
        List<byte[]> all = new ArrayList<>();
        try {
            for (byte[] capture : Mutations.files(Mutations.CAPTURES, ".pcap")) {
                ByteArrayOutputStream classic = new ByteArrayOutputStream(), ng = new ByteArrayOutputStream();
                try (PcapReader r = PcapReader.open(new ByteArrayInputStream(capture), "seed");
                     PcapWriter c = new PcapWriter(classic, r.linkType(), r.snapLength(), false);
                     PcapngWriter w = new PcapngWriter(ng)) {
                    int id = w.addInterface(r.linkType(), r.snapLength(), "eth0");
                    PcapRecord rec;
                    for (int i = 0; i < 8 && (rec = r.next()) != null; i++) {
                        c.write(rec);
                        w.write(id, rec.timestampNanos(), rec.data(), 0, rec.capturedLength(), rec.originalLength());
                    }
                }
                all.add(classic.toByteArray());
                all.add(ng.toByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
            Statistics.collect("read to the end");
        } catch (PcapFormatException e) {
            Statistics.collect("format error");
            assertTrue(e.getMessage().contains("fuzz.pcap"), e.getMessage());
            Mutations.assertOneLine(e.getMessage());
        } catch (IOException e) {
            throw new AssertionError("not a format error: " + e, e);
        }
    }
}

package jnat.fuzz;

import jnat.pcap.LinkType;
import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fuzz targets' inputs: random bytes, and real inputs (captures, rulesets, host files)
 * damaged the way a mutation fuzzer damages them: bytes flipped or overwritten with boundary
 * values, cut short, extended, a slice repeated or dropped. The number of executions per
 * property is jqwik's tries: {@code -Djqwik.tries.default=N} raises it for a longer run.
 */
final class Mutations {
    private Mutations() {}

    /** One edit of a byte array; applied in sequence by {@link #mutated}. */
    record Edit(int kind, int position, int length, byte value) {
        byte[] apply(byte[] b) {
            int n = b.length;
            int at = n == 0 ? 0 : Math.floorMod(position, n);
            return switch (kind) {
                case 0 -> { // flip one bit
                    if (n == 0) yield b;
                    byte[] c = b.clone();
                    c[at] ^= (byte) (1 << (value & 7));
                    yield c;
                }
                case 1 -> { // overwrite with a boundary value (0, 0xff, 0x7f, 0x80) or any byte
                    if (n == 0) yield b;
                    byte[] c = b.clone();
                    byte[] interesting = {0, (byte) 0xff, 0x7f, (byte) 0x80, 1, value};
                    c[at] = interesting[Math.floorMod(length, interesting.length)];
                    yield c;
                }
                case 2 -> Arrays.copyOf(b, at); // truncate
                case 3 -> { // extend with copies of a byte
                    byte[] c = Arrays.copyOf(b, n + 1 + Math.floorMod(length, 64));
                    Arrays.fill(c, n, c.length, value);
                    yield c;
                }
                case 4 -> { // repeat a slice in place
                    int len = Math.min(n - at, 1 + Math.floorMod(length, 32));
                    byte[] c = new byte[n + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, n - at);
                    yield c;
                }
                default -> { // delete a slice
                    int len = Math.min(n - at, 1 + Math.floorMod(length, 32));
                    byte[] c = new byte[n - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, n - at - len);
                    yield c;
                }
            };
        }
    }

    /**
     * An error message is one line: no newline inside. A carriage return or other control byte
     * from the input stays, quoted, as iptables prints it ("Bad argument `\rt'").
     */
    static void assertOneLine(String message) {
        if (message == null || message.isBlank() || message.strip().indexOf('\n') >= 0) {
            throw new AssertionError("not a one-line message: " + message);
        }
    }

    static Arbitrary<Edit> edit() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers(),
                        Arbitraries.integers().between(0, 255), Arbitraries.bytes())
                .as(Edit::new);
    }

    /** One of {@code seeds} after 1 to {@code maxEdits} edits. */
    static Arbitrary<byte[]> mutated(List<byte[]> seeds, int maxEdits) {
        return Combinators.combine(Arbitraries.of(seeds), edit().list().ofMinSize(1).ofMaxSize(maxEdits))
                .as((seed, edits) -> {
                    byte[] b = seed;
                    for (Edit e : edits) b = e.apply(b);
                    return b;
                });
    }

    static Arbitrary<byte[]> randomBytes(int maxSize) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxSize);
    }

    /** Text mutations work on the UTF-8 bytes, so they may also break the encoding. */
    static Arbitrary<String> mutatedText(List<String> seeds, int maxEdits) {
        return mutated(seeds.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList(), maxEdits)
                .map(b -> new String(b, StandardCharsets.UTF_8));
    }

    // ---- the seed corpus ------------------------------------------------------------------

    static final Path CAPTURES = Path.of("src/test/resources/captures");
    static final Path RULESETS = Path.of("src/test/resources/rulesets");

    /** The files of a directory ending in {@code suffix}, as bytes. */
    static List<byte[]> files(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            List<byte[]> all = new ArrayList<>();
            for (Path p : s.filter(p -> p.toString().endsWith(suffix)).sorted().toList()) all.add(Files.readAllBytes(p));
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The IPv4 packets of the real captures (Ethernet, raw and loopback link types), header onwards. */
    static List<byte[]> capturedIpv4Packets() {
        List<byte[]> packets = new ArrayList<>();
        for (byte[] file : files(CAPTURES, ".pcap")) {
            try (PcapReader r = PcapReader.open(new ByteArrayInputStream(file), "capture")) {
                for (PcapRecord rec; (rec = r.next()) != null; ) {
                    int ipOff = switch (rec.linkType()) {
                        case LinkType.ETHERNET -> 14;
                        case LinkType.NULL -> 4;
                        case LinkType.RAW, LinkType.IPV4 -> 0;
                        default -> -1;
                    };
                    if (ipOff < 0 || rec.capturedLength() <= ipOff) continue;
                    if ((rec.data()[ipOff] & 0xf0) != 0x40) continue; // IPv4 only (VLAN, IPv6, ARP aside)
                    packets.add(Arrays.copyOfRange(rec.data(), ipOff, rec.capturedLength()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return packets;
    }
}

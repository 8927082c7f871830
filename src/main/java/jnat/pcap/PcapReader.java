package jnat.pcap;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A streaming reader of classic pcap or pcapng files: records are read one at a time, the file is never
 * loaded whole. {@link #open} tells the format from the first four bytes.
 */
public interface PcapReader extends Closeable {

    /** The next record, or null at the clean end of the file. */
    PcapRecord next() throws IOException;

    /** The interfaces seen so far (classic pcap: exactly one). */
    List<Interface> interfaces();

    /** Link type of the first interface (what tcpdump prints in its "reading from file" line). */
    default int linkType() {
        return interfaces().isEmpty() ? LinkType.ETHERNET : interfaces().getFirst().linkType();
    }

    /** Snapshot length of the first interface. */
    default int snapLength() {
        return interfaces().isEmpty() ? 0 : interfaces().getFirst().snapLength();
    }

    /** One capture interface: a classic pcap file has one, a pcapng section one per IDB. */
    record Interface(int linkType, int snapLength, String name, long unitsPerSecond, boolean binaryResolution,
                     int resolutionExponent) {
    }

    static PcapReader open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return open(in, file.toString());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Opens a stream; {@code name} is used in error messages. */
    static PcapReader open(InputStream in, String name) throws IOException {
        ByteInput input = new ByteInput(in, name);
        byte[] magic = new byte[4];
        int n = input.readUpTo(magic, 0, 4);
        if (n < 4) {
            throw input.error(0, n == 0 ? "empty file, no pcap header"
                    : "truncated file header: " + n + " of 4 magic bytes");
        }
        int be = ((magic[0] & 0xff) << 24) | ((magic[1] & 0xff) << 16) | ((magic[2] & 0xff) << 8) | (magic[3] & 0xff);
        if (be == PcapngReader.SHB_TYPE) {
            return new PcapngReader(input);
        }
        return new ClassicPcapReader(input, be);
    }
}

package jnat.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a classic pcap file (little-endian, as libpcap writes on x86) with microsecond or nanosecond
 * timestamps. One link type per file.
 */
public final class PcapWriter implements Closeable {
    public static final int DEFAULT_SNAPLEN = 262144;

    private final OutputStream out;
    private final boolean nanos;
    private final int snaplen;
    private final byte[] header = new byte[24];

    public PcapWriter(OutputStream out, int linkType, int snaplen, boolean nanos) throws IOException {
        this.out = out;
        this.nanos = nanos;
        this.snaplen = snaplen;
        le32(header, 0, nanos ? ClassicPcapReader.MAGIC_NANO : ClassicPcapReader.MAGIC_MICRO);
        le16(header, 4, 2);
        le16(header, 6, 4);
        le32(header, 8, 0);
        le32(header, 12, 0);
        le32(header, 16, snaplen);
        le32(header, 20, linkType);
        out.write(header, 0, 24);
    }

    /** A microsecond-resolution file at {@code file} with snapshot length 262144. */
    public static PcapWriter create(Path file, int linkType) throws IOException {
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), linkType,
                DEFAULT_SNAPLEN, false);
    }

    /** Writes a whole packet. */
    public void write(long timestampNanos, byte[] data, int offset, int length) throws IOException {
        write(timestampNanos, data, offset, length, length);
    }

    /**
     * Writes {@code data[offset..offset+length)} as a record whose wire length was {@code originalLength};
     * bytes beyond the snapshot length are cut as a capture would cut them.
     */
    public void write(long timestampNanos, byte[] data, int offset, int length, int originalLength) throws IOException {
        int caplen = Math.min(length, snaplen);
        long sec = Math.floorDiv(timestampNanos, 1_000_000_000L);
        long frac = Math.floorMod(timestampNanos, 1_000_000_000L);
        le32(header, 0, (int) sec);
        le32(header, 4, (int) (nanos ? frac : frac / 1000));
        le32(header, 8, caplen);
        le32(header, 12, originalLength);
        out.write(header, 0, 16);
        out.write(data, offset, caplen);
    }

    public void write(PcapRecord r) throws IOException {
        write(r.timestampNanos(), r.data(), 0, r.capturedLength(), r.originalLength());
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    static void le32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    static void le16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }
}

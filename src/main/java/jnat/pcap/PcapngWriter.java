package jnat.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a little-endian pcapng file: one section, any number of interfaces (each with its name and
 * if_tsresol 9, nanoseconds), packets as Enhanced Packet Blocks. What {@code jnat replay} uses to write
 * what each interface transmits into one file.
 */
public final class PcapngWriter implements Closeable {
    private final OutputStream out;
    private int interfaces;
    private byte[] buf = new byte[256];

    public PcapngWriter(OutputStream out) throws IOException {
        this.out = out;
        // SHB: type, length 28, byte-order magic, version 1.0, section length unknown (-1), length again.
        int p = 0;
        p = put32(p, PcapngReader.SHB_TYPE);
        p = put32(p, 28);
        p = put32(p, PcapngReader.BYTE_ORDER_MAGIC);
        p = put16(p, 1);
        p = put16(p, 0);
        p = put32(p, -1);
        p = put32(p, -1);
        p = put32(p, 28);
        out.write(buf, 0, p);
    }

    public static PcapngWriter create(Path file) throws IOException {
        return new PcapngWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    /** Adds an interface and returns its id for {@link #write}. */
    public int addInterface(int linkType, int snaplen, String name) throws IOException {
        byte[] nameBytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        int nameOpt = name == null ? 0 : 4 + pad(nameBytes.length);
        int total = 8 + 8 + nameOpt + 8 /* if_tsresol */ + 4 /* opt_endofopt */ + 4;
        ensure(total);
        int p = 0;
        p = put32(p, PcapngReader.IDB_TYPE);
        p = put32(p, total);
        p = put16(p, linkType);
        p = put16(p, 0);
        p = put32(p, snaplen);
        if (name != null) {
            p = put16(p, 2);
            p = put16(p, nameBytes.length);
            System.arraycopy(nameBytes, 0, buf, p, nameBytes.length);
            java.util.Arrays.fill(buf, p + nameBytes.length, p + pad(nameBytes.length), (byte) 0);
            p += pad(nameBytes.length);
        }
        p = put16(p, 9);
        p = put16(p, 1);
        p = put32(p, 9); // 10^-9 s, then three bytes of padding
        p = put32(p, 0);
        p = put32(p, total);
        out.write(buf, 0, p);
        return interfaces++;
    }

    public void write(int interfaceId, long timestampNanos, byte[] data, int offset, int length) throws IOException {
        write(interfaceId, timestampNanos, data, offset, length, length);
    }

    public void write(int interfaceId, long timestampNanos, byte[] data, int offset, int length, int originalLength)
            throws IOException {
        if (interfaceId < 0 || interfaceId >= interfaces) {
            throw new IllegalArgumentException("no interface " + interfaceId);
        }
        int total = 32 + pad(length);
        ensure(32);
        int p = 0;
        p = put32(p, PcapngReader.EPB_TYPE);
        p = put32(p, total);
        p = put32(p, interfaceId);
        p = put32(p, (int) (timestampNanos >>> 32));
        p = put32(p, (int) timestampNanos);
        p = put32(p, length);
        p = put32(p, originalLength);
        out.write(buf, 0, p);
        out.write(data, offset, length);
        java.util.Arrays.fill(buf, 0, 4, (byte) 0);
        out.write(buf, 0, pad(length) - length);
        put32(0, total);
        out.write(buf, 0, 4);
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }

    private void ensure(int n) {
        if (buf.length < n) buf = new byte[n];
    }

    private int put32(int p, int v) {
        PcapWriter.le32(buf, p, v);
        return p + 4;
    }

    private int put16(int p, int v) {
        PcapWriter.le16(buf, p, v);
        return p + 2;
    }
}

package jnat.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A tiny classic-pcap reader and writer for wire tests (the real one lives in jnat.pcap). */
final class PcapFile {
    private PcapFile() {}

    static final int LINKTYPE_ETHERNET = 1;

    record Capture(int linkType, List<byte[]> frames) {}

    /** Reads a capture from the test resources (captures/NAME). */
    static Capture resource(String name) {
        try (InputStream in = PcapFile.class.getResourceAsStream("/captures/" + name)) {
            if (in == null) throw new IllegalArgumentException("no test resource captures/" + name);
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Capture parse(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) b.order(ByteOrder.BIG_ENDIAN);
        else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) throw new IllegalArgumentException("not a pcap file");
        int linkType = b.getInt(20);
        List<byte[]> frames = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= file.length) {
            int incl = b.getInt(pos + 8);
            byte[] f = new byte[incl];
            System.arraycopy(file, pos + 16, f, 0, incl);
            frames.add(f);
            pos += 16 + incl;
        }
        return new Capture(linkType, frames);
    }

    /** Writes Ethernet frames as a microsecond pcap file, one second apart. */
    static void write(Path path, List<byte[]> frames) throws IOException {
        int size = 24;
        for (byte[] f : frames) size += 16 + f.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(LINKTYPE_ETHERNET);
        int t = 1_700_000_000;
        for (byte[] f : frames) {
            b.putInt(t++).putInt(0).putInt(f.length).putInt(f.length).put(f);
        }
        Files.write(path, b.array());
    }
}

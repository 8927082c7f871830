package jnat.pcap;

import java.io.IOException;
import java.io.InputStream;

/** An input stream that knows its byte offset and reads integers in either byte order. */
final class ByteInput {
    private final InputStream in;
    final String name;
    long offset;
    boolean bigEndian;
    private final byte[] scratch = new byte[8];

    ByteInput(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    /** Reads up to len bytes, fewer only at end of stream. */
    int readUpTo(byte[] b, int off, int len) throws IOException {
        int got = 0;
        while (got < len) {
            int r = in.read(b, off + got, len - got);
            if (r < 0) break;
            got += r;
        }
        offset += got;
        return got;
    }

    /** Reads exactly len bytes or fails naming what was being read. */
    void readFully(byte[] b, int off, int len, String what) throws IOException {
        long start = offset;
        int got = readUpTo(b, off, len);
        if (got < len) {
            throw error(start, "truncated " + what + ": expected " + len + " bytes, only " + got + " left in the file");
        }
    }

    void skip(long n, String what) throws IOException {
        long start = offset;
        long left = n;
        while (left > 0) {
            int chunk = (int) Math.min(left, scratch.length);
            int got = readUpTo(scratch, 0, chunk);
            if (got < chunk) {
                throw error(start, "truncated " + what + ": expected " + n + " bytes, only " + (n - left + got)
                        + " left in the file");
            }
            left -= got;
        }
    }

    int int32(byte[] b, int off) {
        return bigEndian ? be32(b, off) : le32(b, off);
    }

    int int16(byte[] b, int off) {
        return bigEndian ? ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff) : ((b[off + 1] & 0xff) << 8) | (b[off] & 0xff);
    }

    static int be32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static int le32(byte[] b, int off) {
        return ((b[off + 3] & 0xff) << 24) | ((b[off + 2] & 0xff) << 16) | ((b[off + 1] & 0xff) << 8) | (b[off] & 0xff);
    }

    PcapFormatException error(long at, String problem) {
        return new PcapFormatException(name, at, problem);
    }

    void close() throws IOException {
        in.close();
    }
}

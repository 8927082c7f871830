package jnat.pcap;

import java.io.IOException;
import java.util.List;

/** Classic libpcap files: either byte order, microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) magic. */
final class ClassicPcapReader implements PcapReader {
    static final int MAGIC_MICRO = 0xa1b2c3d4;
    static final int MAGIC_NANO = 0xa1b23c4d;
    /** libpcap's MAXIMUM_SNAPLEN: a record claiming more captured bytes is corrupt. */
    static final int MAXIMUM_SNAPLEN = 262144;

    private final ByteInput in;
    private final boolean nanos;
    private final List<Interface> interfaces;
    private final byte[] header = new byte[24];

    ClassicPcapReader(ByteInput in, int magicBigEndian) throws IOException {
        this.in = in;
        if (magicBigEndian == MAGIC_MICRO || magicBigEndian == MAGIC_NANO) {
            in.bigEndian = true;
            nanos = magicBigEndian == MAGIC_NANO;
        } else if (Integer.reverseBytes(magicBigEndian) == MAGIC_MICRO || Integer.reverseBytes(magicBigEndian) == MAGIC_NANO) {
            in.bigEndian = false;
            nanos = Integer.reverseBytes(magicBigEndian) == MAGIC_NANO;
        } else {
            throw in.error(0, String.format("unknown file format (magic 0x%08x is neither pcap nor pcapng)", magicBigEndian));
        }
        in.readFully(header, 4, 20, "pcap file header");
        int major = in.int16(header, 4);
        if (major != 2) {
            throw in.error(4, "unsupported pcap version " + major + "." + in.int16(header, 6));
        }
        int snaplen = in.int32(header, 16);
        // The upper bits of the link-type field may carry FCS information; the type is the low 28 bits.
        int linkType = in.int32(header, 20) & 0x0fffffff;
        interfaces = List.of(new Interface(linkType, snaplen, null, nanos ? 1_000_000_000L : 1_000_000L, false,
                nanos ? 9 : 6));
    }

    @Override
    public PcapRecord next() throws IOException {
        long start = in.offset;
        int got = in.readUpTo(header, 0, 16);
        if (got == 0) return null;
        if (got < 16) {
            throw in.error(start, "truncated record header: expected 16 bytes, only " + got + " left in the file");
        }
        long sec = in.int32(header, 0) & 0xffffffffL;
        long frac = in.int32(header, 4) & 0xffffffffL;
        int caplen = in.int32(header, 8);
        int origlen = in.int32(header, 12);
        if (caplen < 0 || caplen > MAXIMUM_SNAPLEN) {
            throw in.error(start, "invalid captured length " + Integer.toUnsignedString(caplen)
                    + ", bigger than the maximum of " + MAXIMUM_SNAPLEN);
        }
        byte[] data = new byte[caplen];
        in.readFully(data, 0, caplen, "packet data of the record at offset " + start);
        long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
        return new PcapRecord(ts, interfaces.getFirst().linkType(), 0, data, caplen, origlen);
    }

    @Override
    public List<Interface> interfaces() {
        return interfaces;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

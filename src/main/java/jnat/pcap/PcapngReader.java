package jnat.pcap;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng: Section Header, Interface Description, Enhanced and Simple Packet blocks (other blocks are
 * skipped); several interfaces and sections, either byte order, the if_tsresol option.
 */
final class PcapngReader implements PcapReader {
    static final int SHB_TYPE = 0x0A0D0D0A;
    static final int IDB_TYPE = 1;
    static final int SPB_TYPE = 3;
    static final int EPB_TYPE = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    /** A sanity bound on one block, as libpcap has (16 MiB). */
    static final int MAX_BLOCK = 16 * 1024 * 1024;

    private final ByteInput in;
    private final List<Interface> interfaces = new ArrayList<>();
    /** Interfaces of all sections, for {@link #interfaces()}. */
    private final List<Interface> allInterfaces = new ArrayList<>();
    private int sectionBase;
    private final byte[] head = new byte[8];
    private byte[] body = new byte[1 << 16];

    PcapngReader(ByteInput in) throws IOException {
        this.in = in;
        readSectionHeader(0);
    }

    /** Reads an SHB whose 4-byte type (at {@code start}) has already been consumed. */
    private void readSectionHeader(long start) throws IOException {
        byte[] len = new byte[4];
        in.readFully(len, 0, 4, "section header block");
        readSectionHeader(start, len, 0);
    }

    /**
     * Reads the rest of an SHB; its length field ({@code len[at..at+4)}) was read before the byte-order
     * magic that tells how to decode it.
     */
    private void readSectionHeader(long start, byte[] len, int at) throws IOException {
        byte[] b = new byte[4];
        in.readFully(b, 0, 4, "section header block");
        int magic = ByteInput.be32(b, 0);
        if (magic == BYTE_ORDER_MAGIC) {
            in.bigEndian = true;
        } else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
            in.bigEndian = false;
        } else {
            throw in.error(start + 8, String.format("bad pcapng byte-order magic 0x%08x", magic));
        }
        int total = in.int32(len, at);
        if (total < 28 || (total & 3) != 0 || total > MAX_BLOCK) {
            throw in.error(start + 4, "bad section header block length " + Integer.toUnsignedString(total));
        }
        byte[] rest = new byte[total - 12];
        in.readFully(rest, 0, rest.length, "section header block");
        int major = in.int16(rest, 0);
        if (major != 1) {
            throw in.error(start + 12, "unsupported pcapng version " + major + "." + in.int16(rest, 2));
        }
        checkTrailer(rest, rest.length - 4, total, start);
        interfaces.clear();
        sectionBase = allInterfaces.size();
    }

    @Override
    public PcapRecord next() throws IOException {
        while (true) {
            long start = in.offset;
            int got = in.readUpTo(head, 0, 8);
            if (got == 0) return null;
            if (got < 8) {
                throw in.error(start, "truncated block header: expected 8 bytes, only " + got + " left in the file");
            }
            int type = in.int32(head, 0);
            if (ByteInput.be32(head, 0) == SHB_TYPE) {
                // A new section, perhaps in the other byte order: its length is decoded after the magic.
                readSectionHeader(start, head, 4);
                continue;
            }
            int total = in.int32(head, 4);
            if (total < 12 || (total & 3) != 0 || total > MAX_BLOCK) {
                throw in.error(start + 4, "bad block length " + Integer.toUnsignedString(total) + " (block type "
                        + Integer.toUnsignedString(type) + ")");
            }
            int bodyLen = total - 12;
            if (type != IDB_TYPE && type != EPB_TYPE && type != SPB_TYPE) {
                in.skip(bodyLen + 4L, "block of type " + Integer.toUnsignedString(type));
                continue;
            }
            if (body.length < bodyLen + 4) body = new byte[Math.max(bodyLen + 4, body.length * 2)];
            in.readFully(body, 0, bodyLen + 4, "block of type " + type);
            checkTrailer(body, bodyLen, total, start);
            switch (type) {
                case IDB_TYPE -> readInterface(bodyLen, start);
                case EPB_TYPE -> {
                    return enhancedPacket(bodyLen, start);
                }
                default -> {
                    return simplePacket(bodyLen, start);
                }
            }
        }
    }

    private void checkTrailer(byte[] b, int at, int total, long start) throws IOException {
        int trailer = in.int32(b, at);
        if (trailer != total) {
            throw in.error(start, "block length " + total + " does not match its trailing copy " + trailer);
        }
    }

    private void readInterface(int bodyLen, long start) throws IOException {
        if (bodyLen < 8) throw in.error(start, "interface description block too short");
        int linkType = in.int16(body, 0);
        int snaplen = in.int32(body, 4);
        String name = null;
        long units = 1_000_000L;
        boolean binary = false;
        int exp = 6;
        int p = 8;
        while (p + 4 <= bodyLen) {
            int code = in.int16(body, p);
            int len = in.int16(body, p + 2);
            if (code == 0) break;
            if (p + 4 + len > bodyLen) throw in.error(start + 8 + p, "interface option runs past its block");
            if (code == 2) {
                name = new String(body, p + 4, len, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "");
            } else if (code == 9 && len >= 1) {
                int v = body[p + 4] & 0xff;
                binary = (v & 0x80) != 0;
                exp = v & 0x7f;
                if (binary ? exp > 62 : exp > 18) {
                    throw in.error(start + 8 + p, "unsupported if_tsresol " + v);
                }
                units = binary ? 1L << exp : BigInteger.TEN.pow(exp).longValueExact();
            }
            p += 4 + ((len + 3) & ~3);
        }
        Interface i = new Interface(linkType, snaplen, name, units, binary, exp);
        interfaces.add(i);
        allInterfaces.add(i);
    }

    private PcapRecord enhancedPacket(int bodyLen, long start) throws IOException {
        if (bodyLen < 20) throw in.error(start, "enhanced packet block too short");
        int id = in.int32(body, 0);
        if (id < 0 || id >= interfaces.size()) {
            throw in.error(start + 8, "packet for interface " + Integer.toUnsignedString(id) + " but the section has "
                    + interfaces.size() + " interface(s)");
        }
        long units = ((in.int32(body, 4) & 0xffffffffL) << 32) | (in.int32(body, 8) & 0xffffffffL);
        int caplen = in.int32(body, 12);
        int origlen = in.int32(body, 16);
        if (caplen < 0 || caplen > bodyLen - 20) {
            throw in.error(start + 20, "captured length " + Integer.toUnsignedString(caplen) + " runs past its block");
        }
        Interface i = interfaces.get(id);
        byte[] data = java.util.Arrays.copyOfRange(body, 20, 20 + caplen);
        return new PcapRecord(toNanos(units, i), i.linkType(), sectionBase + id, data, caplen, origlen);
    }

    private PcapRecord simplePacket(int bodyLen, long start) throws IOException {
        if (interfaces.isEmpty()) throw in.error(start, "simple packet block before any interface description");
        if (bodyLen < 4) throw in.error(start, "simple packet block too short");
        Interface i = interfaces.getFirst();
        int origlen = in.int32(body, 0);
        int caplen = Math.min(bodyLen - 4, origlen < 0 ? Integer.MAX_VALUE : origlen);
        if (i.snapLength() > 0) caplen = Math.min(caplen, i.snapLength());
        byte[] data = java.util.Arrays.copyOfRange(body, 4, 4 + caplen);
        return new PcapRecord(0, i.linkType(), sectionBase, data, caplen, origlen);
    }

    /** Timestamp units of the interface's resolution to nanoseconds since the epoch. */
    static long toNanos(long units, Interface i) {
        if (i.unitsPerSecond() == 1_000_000_000L) return units;
        if (!i.binaryResolution() && i.resolutionExponent() < 9) {
            return units * BigInteger.TEN.pow(9 - i.resolutionExponent()).longValueExact();
        }
        return new BigInteger(Long.toUnsignedString(units))
                .multiply(BigInteger.valueOf(1_000_000_000L)).divide(BigInteger.valueOf(i.unitsPerSecond())).longValue();
    }

    @Override
    public List<Interface> interfaces() {
        return allInterfaces;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

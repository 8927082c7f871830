package jnat.linux;

/**
 * struct virtio_net_hdr (include/uapi/linux/virtio_net.h), the 10 bytes before every packet read
 * from or written to a TUN queue opened with IFF_VNET_HDR. Little-endian (TUN's default on a
 * little-endian host). Reading: the kernel says how far the packet's checksum is done and whether
 * it is a GSO packet (virtio_net_hdr_from_skb); writing: the same for the packet handed to the
 * kernel (virtio_net_hdr_to_skb). One mutable instance per thread, reused for every packet.
 *
 * <pre>
 *   u8 flags; u8 gso_type; le16 hdr_len; le16 gso_size; le16 csum_start; le16 csum_offset;
 * </pre>
 */
public final class VirtioNetHdr {
    public static final int SIZE = 10;

    /** flags: csum_start/csum_offset say where the checksum goes; the field holds the pseudo-header sum. */
    public static final int F_NEEDS_CSUM = 1;
    /** flags: the checksum was verified (CHECKSUM_UNNECESSARY). */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** Or'ed into gso_type: TCP with ECN (SKB_GSO_TCP_ECN). */
    public static final int GSO_ECN = 0x80;

    public int flags;
    public int gsoType;
    /** Bytes of headers (a hint for how much the kernel copies linearly). */
    public int hdrLen;
    public int gsoSize;
    /** From the start of the packet (the IP header, on a TUN device). */
    public int csumStart;
    /** From csumStart. */
    public int csumOffset;

    public VirtioNetHdr clear() {
        flags = gsoType = hdrLen = gsoSize = csumStart = csumOffset = 0;
        return this;
    }

    /** Parses the header at {@code buf[off, off+SIZE)}. */
    public void read(byte[] buf, int off) {
        flags = buf[off] & 0xff;
        gsoType = buf[off + 1] & 0xff;
        hdrLen = le16(buf, off + 2);
        gsoSize = le16(buf, off + 4);
        csumStart = le16(buf, off + 6);
        csumOffset = le16(buf, off + 8);
    }

    /** Writes the header to {@code buf[off, off+SIZE)}. */
    public void write(byte[] buf, int off) {
        buf[off] = (byte) flags;
        buf[off + 1] = (byte) gsoType;
        put16(buf, off + 2, hdrLen);
        put16(buf, off + 4, gsoSize);
        put16(buf, off + 6, csumStart);
        put16(buf, off + 8, csumOffset);
    }

    /**
     * skb_checksum_help for a device without IFF_VNET_HDR: completes the checksum of the packet
     * {@code buf[off, off+len)} when {@link #F_NEEDS_CSUM} says it is partial (the field holds the
     * pseudo-header sum, so the sum from csum_start to the end is the whole checksum).
     */
    public void completeChecksum(byte[] buf, int off, int len) {
        if ((flags & F_NEEDS_CSUM) == 0) return;
        int start = off + csumStart, field = start + csumOffset, end = off + len;
        if (field + 2 > end) return;
        long sum = 0;
        int i = start;
        for (; i + 1 < end; i += 2) sum += (buf[i] & 0xff) << 8 | (buf[i + 1] & 0xff);
        if (i < end) sum += (buf[i] & 0xff) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        int c = (int) ~sum & 0xffff;
        if (c == 0) c = 0xffff; // CSUM_MANGLED_0
        buf[field] = (byte) (c >>> 8);
        buf[field + 1] = (byte) c;
        flags &= ~F_NEEDS_CSUM;
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static void put16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }

    @Override
    public String toString() {
        return "virtio_net_hdr[flags " + flags + " gso_type " + gsoType + " hdr_len " + hdrLen + " gso_size " + gsoSize
                + " csum_start " + csumStart + " csum_offset " + csumOffset + "]";
    }
}

package jnat.linux;

/**
 * A test handler that answers ICMP echo requests on the interface they came in on, by swapping
 * the IPv4 addresses and turning the request into a reply (the IPv4 checksum is unchanged by the
 * swap; the ICMP checksum is recomputed). Everything else is dropped.
 */
final class EchoResponder implements PacketHandler {
    @Override
    public void receive(int ifIndex, byte[] buf, int off, int len, long nowNanos, Transmit out) {
        if (len < 20 || (buf[off] & 0xf0) != 0x40 || buf[off + 9] != 1) return;
        int ihl = (buf[off] & 0x0f) * 4;
        int icmp = off + ihl;
        if (len < ihl + 8 || buf[icmp] != 8) return;
        for (int i = 0; i < 4; i++) {
            byte t = buf[off + 12 + i];
            buf[off + 12 + i] = buf[off + 16 + i];
            buf[off + 16 + i] = t;
        }
        buf[icmp] = 0;
        buf[icmp + 2] = 0;
        buf[icmp + 3] = 0;
        int sum = checksum(buf, icmp, len - ihl);
        buf[icmp + 2] = (byte) (sum >> 8);
        buf[icmp + 3] = (byte) sum;
        out.transmit(ifIndex, buf, off, len);
    }

    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if ((len & 1) != 0) sum += (b[off + len - 1] & 0xff) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }
}

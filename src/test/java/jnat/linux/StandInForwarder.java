package jnat.linux;

/**
 * The lab's stand-in for the NAT engine (test only): forwards IPv4 packets by destination between
 * interface 0 (docker0, 172.17.0.0/16) and interface 1 (eth0, everything else), without NAT and
 * without touching the packet. Non-IPv4 packets are dropped.
 */
final class StandInForwarder implements PacketHandler {
    static final int DOCKER0 = 0, ETH0 = 1;

    @Override
    public void receive(int ifIndex, byte[] buf, int off, int len, long nowNanos, Transmit out) {
        if (len < 20 || (buf[off] & 0xf0) != 0x40) return;
        boolean toBridge = (buf[off + 16] & 0xff) == 172 && (buf[off + 17] & 0xff) == 17;
        int outIf = toBridge ? DOCKER0 : ETH0;
        if (outIf != ifIndex) out.transmit(outIf, buf, off, len);
    }
}

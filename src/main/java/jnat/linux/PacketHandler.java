package jnat.linux;

/**
 * What the forwarding loop calls for every packet read from a TUN device (the engine plugs in
 * here). The call is synchronous: the buffer is reused for the next packet once it returns, so
 * anything kept must be copied; everything to send goes through {@code out} before returning.
 */
@FunctionalInterface
public interface PacketHandler {
    /**
     * A packet arrived on interface {@code ifIndex} (the device's position in the loop, 0-based).
     * {@code buf[off, off+len)} is the IP packet; {@code buf} has at least
     * {@link ForwardingLoop#HEADROOM} free bytes before {@code off} (room for an Ethernet header)
     * and room up to {@code buf.length} after it. {@code nowNanos} is {@link System#nanoTime()}
     * at reception.
     */
    void receive(int ifIndex, byte[] buf, int off, int len, long nowNanos, Transmit out);

    /**
     * A packet arrived on a device with IFF_VNET_HDR: {@code vnet} is the header the kernel wrote
     * before it (reused for the next packet). This default is a handler that knows no offloads: a
     * partial checksum is completed, then {@link #receive(int, byte[], int, int, long, Transmit)}
     * (a GSO packet is handed over whole).
     */
    default void receive(int ifIndex, byte[] buf, int off, int len, VirtioNetHdr vnet, long nowNanos, Transmit out) {
        vnet.completeChecksum(buf, off, len);
        receive(ifIndex, buf, off, len, nowNanos, out);
    }

    /**
     * How often {@link #tick} should run, in milliseconds; 0 (the default) never. Ticks run on the
     * first worker thread, so on {@link ForwardingLoop#singleThreaded} never concurrently with
     * {@link #receive}.
     */
    default int tickMillis() {
        return 0;
    }

    /** Timers (conntrack expiry, as the kernel's gc worker): called about every {@link #tickMillis} ms. */
    default void tick(long nowNanos, Transmit out) {
    }

    /** Sends packets out of the loop's interfaces. */
    @FunctionalInterface
    interface Transmit {
        /** Writes the IP packet {@code buf[off, off+len)} to interface {@code ifIndex}; a refused packet is counted, not thrown. */
        void transmit(int ifIndex, byte[] buf, int off, int len);

        /** Which of the loop's workers this is (0 for the first, and for a single-threaded loop). */
        default int worker() {
            return 0;
        }

        /**
         * Writes the IP packet with its {@link VirtioNetHdr} to interface {@code ifIndex}. On a
         * device with IFF_VNET_HDR the header goes into {@code buf[off-10, off)} when there is room
         * (the bytes there are overwritten), else the packet is copied. This default (and a device
         * without IFF_VNET_HDR) completes a partial checksum and writes the packet alone.
         */
        default void transmit(int ifIndex, byte[] buf, int off, int len, VirtioNetHdr vnet) {
            vnet.completeChecksum(buf, off, len);
            transmit(ifIndex, buf, off, len);
        }
    }
}

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
    }
}

package jnat.nat;

import jnat.host.Interface;
import jnat.wire.Offload;

/**
 * Where the engine's packets go (the device's ndo_start_xmit, and the local socket for what is
 * delivered): takes a frame leaving on {@code out}; buf[off, off+len) is valid until the call
 * returns.
 */
@FunctionalInterface
public interface Transmit {
    void transmit(Interface out, byte[] buf, int off, int len);

    /**
     * A packet leaving a layer-3 interface with its {@link Offload} state (the IP header at
     * {@code off}): a transmitter that passes it on to a device with offloads writes it as it is
     * (a TUN device's virtio_net_hdr). This default is a device without them: a
     * CHECKSUM_PARTIAL packet gets its checksum completed (skb_checksum_help), then
     * {@link #transmit(Interface, byte[], int, int)}. A GSO packet goes out whole.
     */
    default void transmit(Interface out, byte[] buf, int off, int len, Offload offload) {
        offload.checksumHelp(buf, off, len);
        transmit(out, buf, off, len);
    }

    /** An IPv4 packet for the host itself (after INPUT); buf[off, off+len) valid until return. */
    default void deliver(byte[] buf, int off, int len) {
    }
}

package jnat.linux;

/**
 * Packet and byte counters of one interface of the loop, as {@code ip -s link} names them.
 * {@code txErrors} counts packets the kernel refused on write (device down, bad packet).
 */
public record InterfaceCounters(String name, long rxPackets, long rxBytes, long txPackets, long txBytes,
                                long txErrors) {
}

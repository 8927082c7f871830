package jnat.linux;

/**
 * Packet and byte counters of one interface of the loop, as {@code ip -s link} names them, and
 * the IPv6 packets among them (as /proc/net/dev_snmp6's Ip6InReceives and Ip6OutRequests split
 * them off; the rest are IPv4). {@code txErrors} counts packets the kernel refused on write
 * (device down, bad packet).
 */
public record InterfaceCounters(String name, long rxPackets, long rxBytes, long txPackets, long txBytes,
                                long txErrors, long rx6Packets, long rx6Bytes, long tx6Packets, long tx6Bytes) {
    /** Counters with no IPv6 packets among them. */
    public InterfaceCounters(String name, long rxPackets, long rxBytes, long txPackets, long txBytes, long txErrors) {
        this(name, rxPackets, rxBytes, txPackets, txBytes, txErrors, 0, 0, 0, 0);
    }
}

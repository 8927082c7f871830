package jnat.pcap;

/**
 * One captured packet: {@code data[0..capturedLength)} holds the bytes as captured (possibly cut by the
 * snapshot length), {@code originalLength} is the length the packet had on the wire.
 *
 * @param timestampNanos  nanoseconds since the Unix epoch (UTC)
 * @param linkType        LINKTYPE_* of the interface it was captured on (see {@link LinkType})
 * @param interfaceIndex  pcapng interface id; 0 for classic pcap
 */
public record PcapRecord(long timestampNanos, int linkType, int interfaceIndex, byte[] data,
                         int capturedLength, int originalLength) {
}

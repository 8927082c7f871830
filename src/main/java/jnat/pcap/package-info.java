/**
 * Reading and writing capture files: classic pcap (either byte order, micro- or nanosecond magic) and
 * pcapng (SHB, IDB, EPB, SPB; several interfaces and sections; if_tsresol).
 *
 * <p>{@link jnat.pcap.PcapReader#open} streams records ({@link jnat.pcap.PcapRecord}) one at a time;
 * a damaged file ends in a {@link jnat.pcap.PcapFormatException} that names the file and the byte offset.
 * {@link jnat.pcap.PcapWriter} and {@link jnat.pcap.PcapngWriter} write what an interface transmits.
 */
package jnat.pcap;

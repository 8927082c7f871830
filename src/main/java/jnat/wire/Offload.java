package jnat.wire;

/**
 * What an sk_buff says about its packet beyond the bytes, for packets a device with checksum and
 * segmentation offloads hands over (a TUN device with IFF_VNET_HDR): how far its L4 checksum is
 * done ({@code skb->ip_summed}) and whether it is a GSO packet, a train of segments carried as one
 * ({@code skb_shinfo(skb)->gso_size/gso_type}). One mutable holder per thread, reused for every
 * packet; replay and pcap packets are {@link #CHECKSUM_NONE} and not GSO, as a fresh {@code Offload}.
 *
 * <p>{@link #CHECKSUM_PARTIAL}: the L4 checksum field holds the pseudo-header sum (not complemented)
 * and the data from {@link #csumStart} on is not summed yet; whoever finally sends it sums from
 * csumStart and stores the result at csumStart + csumOffset ({@link #checksumHelp}).
 * {@link #CHECKSUM_UNNECESSARY}: the device already verified it. Offsets count from the IP header.
 */
public final class Offload {
    /** skb->ip_summed values, as the kernel numbers them (CHECKSUM_COMPLETE, 2, is not carried). */
    public static final int CHECKSUM_NONE = 0;
    public static final int CHECKSUM_UNNECESSARY = 1;
    public static final int CHECKSUM_PARTIAL = 3;

    /**
     * gso_type: no GSO, TCP over IPv4 (SKB_GSO_TCPV4), UDP segmentation over either family
     * (SKB_GSO_UDP_L4), TCP over IPv6 (SKB_GSO_TCPV6).
     */
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP_L4 = 2;
    public static final int GSO_TCPV6 = 3;
    /** Or'ed into gso_type: the segments carry ECN's CWR only on the first (SKB_GSO_TCP_ECN). */
    public static final int GSO_ECN = 0x100;

    public int ipSummed;
    /** CHECKSUM_PARTIAL: where the checksummed range starts, in bytes from the IP header. */
    public int csumStart;
    /** CHECKSUM_PARTIAL: where the checksum field is, in bytes from csumStart. */
    public int csumOffset;
    /** Payload bytes per segment; 0 when not GSO. */
    public int gsoSize;
    public int gsoType;

    /** Back to a plain packet: CHECKSUM_NONE, not GSO. */
    public Offload clear() {
        ipSummed = CHECKSUM_NONE;
        csumStart = csumOffset = gsoSize = gsoType = 0;
        return this;
    }

    public boolean isGso() {
        return gsoSize != 0;
    }

    /**
     * skb_gso_network_seglen: the IP length of each segment of this GSO packet, the IP and L4
     * headers plus gso_size (a TCP header with its options; UDP's 8). {@link Integer#MAX_VALUE} when
     * the packet is not the L4 protocol its gso_type says, or too short for its header.
     */
    public int gsoNetworkSegmentLength(Ipv4Packet ip) {
        int l4Header;
        if ((gsoType & ~GSO_ECN) == GSO_UDP_L4) {
            if (ip.protocol() != IpProtocol.UDP || ip.payloadLength() < UdpDatagram.HEADER_LENGTH) return Integer.MAX_VALUE;
            l4Header = UdpDatagram.HEADER_LENGTH;
        } else {
            if ((gsoType & ~GSO_ECN) != GSO_TCPV4) return Integer.MAX_VALUE; // TCPV6 on an IPv4 packet
            if (ip.protocol() != IpProtocol.TCP || ip.payloadLength() < TcpSegment.MIN_HEADER_LENGTH) return Integer.MAX_VALUE;
            l4Header = TcpSegment.dataOffset(ip.buffer(), ip.payloadOffset()) * 4;
        }
        return ip.headerLength() + l4Header + gsoSize;
    }

    /**
     * skb_gso_network_seglen for an IPv6 GSO packet: the fixed header and the extension headers up
     * to the upper layer, its header (TCP with options, UDP's 8) and gso_size. {@link Integer#MAX_VALUE}
     * when the packet is not the protocol its gso_type says (TCPV4 on IPv6 included), or too short.
     */
    public int gsoNetworkSegmentLength(Ipv6Packet ip) {
        int type = gsoType & ~GSO_ECN, l4 = ip.upperOffset(), l4Header;
        if (l4 < 0 || ip.isFragment()) return Integer.MAX_VALUE;
        if (type == GSO_UDP_L4) {
            if (ip.upperProtocol() != IpProtocol.UDP || ip.upperLength() < UdpDatagram.HEADER_LENGTH) return Integer.MAX_VALUE;
            l4Header = UdpDatagram.HEADER_LENGTH;
        } else if (type == GSO_TCPV6) {
            if (ip.upperProtocol() != IpProtocol.TCP || ip.upperLength() < TcpSegment.MIN_HEADER_LENGTH) return Integer.MAX_VALUE;
            l4Header = TcpSegment.dataOffset(ip.buffer(), l4) * 4;
        } else {
            return Integer.MAX_VALUE;
        }
        return l4 - ip.offset() + l4Header + gsoSize;
    }

    /**
     * skb_checksum_help: completes a CHECKSUM_PARTIAL packet's checksum in software (the field holds
     * the pseudo-header sum, so summing from csumStart to the end gives the whole checksum) and makes
     * it CHECKSUM_NONE. {@code buf[ipOff, ipOff+ipLen)} is the IP packet. Does nothing otherwise.
     */
    public void checksumHelp(byte[] buf, int ipOff, int ipLen) {
        if (ipSummed != CHECKSUM_PARTIAL) return;
        int start = ipOff + csumStart;
        int field = start + csumOffset;
        if (csumStart < 0 || csumOffset < 0 || field + 2 > ipOff + ipLen) return; // skb_partial_csum_set refused it
        int c = ~Checksum.sum(buf, start, ipOff + ipLen - start, 0) & 0xffff;
        Bytes.put16(buf, field, c == 0 ? 0xffff : c); // CSUM_MANGLED_0
        ipSummed = CHECKSUM_NONE;
    }

    /** For debugging and test messages (allocates). */
    @Override
    public String toString() {
        String s = switch (ipSummed) {
            case CHECKSUM_NONE -> "none";
            case CHECKSUM_UNNECESSARY -> "unnecessary";
            case CHECKSUM_PARTIAL -> "partial start " + csumStart + " offset " + csumOffset;
            default -> "ip_summed " + ipSummed;
        };
        return isGso() ? s + " gso " + (gsoType & ~GSO_ECN) + (gsoType & GSO_ECN) + " size " + gsoSize : s;
    }
}

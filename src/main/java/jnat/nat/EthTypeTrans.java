package jnat.nat;

import jnat.host.Interface;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.MacAddress;
import jnat.wire.WireError;

/**
 * net/ethernet/eth.c's receive side: eth_type_trans (the frame's packet type by its destination
 * MAC) and the protocol demux after it (IPv4 and IPv6 go on, ARP to {@link Arp}), for a frame
 * from a device with a MAC.
 */
final class EthTypeTrans {
    private final NetStats stats;
    private final Arp arp;

    EthTypeTrans(NetStats stats, Arp arp) {
        this.stats = stats;
        this.arp = arp;
    }

    /**
     * eth_type_trans and the protocol demux: a frame for our MAC or a multicast address (else
     * PACKET_OTHERHOST), no VLAN device, ARP to {@link Arp}. The ethertype of an IPv4 or IPv6
     * packet to go on, else -1.
     */
    int rcv(PacketState p, byte[] buf, int off, int len) {
        EthernetFrame eth = p.eth;
        Interface in = p.in;
        if (eth.wrap(buf, off, len) != WireError.OK) {
            stats.drop(p, DropReason.L2_TRUNCATED);
            return -1;
        }
        long dst = eth.dst();
        if (dst != in.macBits() && !MacAddress.isMulticast(dst)) { // broadcast is multicast too
            stats.drop(p, DropReason.L2_NOT_FOR_US);
            return -1;
        }
        p.pktTypeHost = dst == in.macBits(); // else PACKET_BROADCAST / PACKET_MULTICAST
        if (eth.vlanTagCount() > 0) {
            stats.drop(p, DropReason.L2_VLAN);
            return -1;
        }
        int type = eth.etherType();
        switch (type) {
            case EtherType.IPV4, EtherType.IPV6 -> {
                return type;
            }
            case EtherType.ARP -> arp.rcv(p, buf, off, len);
            default -> stats.drop(p, DropReason.L2_UNKNOWN_ETHERTYPE);
        }
        return -1;
    }
}

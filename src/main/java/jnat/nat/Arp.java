package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.wire.ArpPacket;
import jnat.wire.EthernetFrame;
import jnat.wire.WireError;

/** arp_process (net/ipv4/arp.c): requests for our addresses are answered (arp_ignore=0: any local address). */
final class Arp {
    private final Host host;
    private final NetStats stats;
    private final ArpPacket arp = new ArpPacket();

    Arp(Host host, NetStats stats) {
        this.host = host;
        this.stats = stats;
    }

    /** The ARP packet after the packet's Ethernet header ({@code buf[off, off+len)} is the frame). */
    void rcv(PacketState p, byte[] buf, int off, int len) {
        EthernetFrame eth = p.eth;
        Interface in = p.in;
        int arpOff = eth.payloadOffset();
        if (arp.wrap(buf, arpOff, off + len - arpOff) != WireError.OK) {
            stats.drop(p, DropReason.ARP_MALFORMED);
            return;
        }
        if (arp.operation() != ArpPacket.REQUEST || !host.isLocalAddress(arp.targetIp())) {
            stats.delivered(p);
            return;
        }
        long requester = arp.senderMac();
        int requesterIp = arp.senderIp();
        int wanted = arp.targetIp();
        arp.setOperation(ArpPacket.REPLY);
        arp.setTargetMac(requester);
        arp.setTargetIp(requesterIp);
        arp.setSenderMac(in.macBits());
        arp.setSenderIp(wanted);
        eth.setDst(requester);
        eth.setSrc(in.macBits());
        int frameLen = arpOff + ArpPacket.LENGTH - off;
        stats.tx(in, frameLen);
        p.tx.transmit(in, buf, off, frameLen);
    }
}

package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.Scope;
import jnat.wire.ArpPacket;
import jnat.wire.Bytes;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.IcmpPacket;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * net/ipv4/arp.c: arp_process (requests for our addresses answered, arp_ignore=0: any local
 * address; what the sender says updates its entry in arp_tbl) and arp_tbl's neigh_ops for
 * {@link NeighTable} (arp_solicit, arp_error_report, the queued packets' output once resolved).
 * A request is laid out as arp_create does: broadcast while the multicast probes last, from the
 * queued packet's source when it is one of the host's addresses (arp_announce 0), else
 * inet_select_addr(dev, target, RT_SCOPE_LINK); target hardware address zero; 42 bytes, no
 * padding (the device pads, and a veth does not). ARP passes no IP hooks.
 */
final class Arp implements NeighTable.Ops {
    /** dev->broadcast of an Ethernet device. */
    private static final long BROADCAST = 0xffff_ffff_ffffL;

    private final Host host;
    private final NetStats stats;
    private final NeighTable table;
    private final IpOutput link;
    private final Icmp icmp;
    private final Offload none;
    private final ArpPacket arp = new ArpPacket();
    /** arp_send's frame. */
    private final byte[] request = new byte[EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH];
    /** A queued packet taken out again: to leave, or to be reported. */
    private final PacketState queued;
    long requestsSent;

    Arp(Host host, NetStats stats, NeighTable table, IpOutput link, Icmp icmp, PacketState queued, Offload none) {
        this.host = host;
        this.stats = stats;
        this.table = table;
        this.link = link;
        this.icmp = icmp;
        this.queued = queued;
        this.none = none;
        table.setOps(this);
    }

    /**
     * arp_process for the ARP packet after the packet's Ethernet header ({@code buf[off, off+len)} is
     * the frame): a request for one of our addresses is answered, its sender learned (neigh_event_ns);
     * any request or reply from a sender the table is resolving updates it (REACHABLE for a reply to
     * us, else STALE), and the packets waiting for it leave.
     */
    void rcv(PacketState p, byte[] buf, int off, int len) {
        EthernetFrame eth = p.eth;
        Interface in = p.in;
        int arpOff = eth.payloadOffset();
        if (arp.wrap(buf, arpOff, off + len - arpOff) != WireError.OK) {
            stats.drop(p, DropReason.ARP_MALFORMED);
            return;
        }
        long sha = arp.senderMac();
        int sip = arp.senderIp();
        boolean reply = arp.operation() == ArpPacket.REPLY;
        if (sip != 0 && host.neighbour(in, sip) == null) { // the host file's entries are permanent: never updated
            NeighTable.Neigh n = table.lookup(in, 0, sip & 0xffff_ffffL);
            if (n != null) {
                n.tx = p.tx;
                table.update(n, sha, reply && p.pktTypeHost ? NeighTable.NUD_REACHABLE : NeighTable.NUD_STALE, p.now);
            }
        }
        if (arp.operation() != ArpPacket.REQUEST || !host.isLocalAddress(arp.targetIp())) {
            stats.delivered(p);
            return;
        }
        if (sip != 0 && host.neighbour(in, sip) == null) table.learn(in, 0, sip & 0xffff_ffffL, sha, p.now, p.tx);
        int wanted = arp.targetIp();
        arp.setOperation(ArpPacket.REPLY);
        arp.setTargetMac(sha);
        arp.setTargetIp(sip);
        arp.setSenderMac(in.macBits());
        arp.setSenderIp(wanted);
        eth.setDst(sha);
        eth.setSrc(in.macBits());
        int frameLen = arpOff + ArpPacket.LENGTH - off;
        stats.tx(in, frameLen);
        p.tx.transmit(in, buf, off, frameLen);
    }

    /** arp_solicit: broadcast while the multicast probes last (unicast probes are for entries once resolved). */
    @Override
    public void solicit(NeighTable.Neigh n, NeighTable.Queued skb, long now) {
        Interface dev = n.dev;
        int target = (int) n.lo, saddr = 0;
        if (skb != null) {
            int src = Bytes.i32(skb.packet(), NeighTable.HEADROOM + 12);
            if (host.isLocalAddress(src)) saddr = src; // arp_announce 0: any local address
        }
        if (saddr == 0) saddr = host.selectSourceAddress(dev, target, Scope.LINK);
        long dstHw = n.probes - NeighTable.UCAST_PROBES < 0 ? n.mac : BROADCAST;
        EthernetFrame.writeHeader(request, 0, dstHw, dev.macBits(), EtherType.ARP);
        ArpPacket.write(request, EthernetFrame.HEADER_LENGTH, ArpPacket.REQUEST, dev.macBits(), saddr, 0, target);
        requestsSent++;
        stats.tx(dev, request.length);
        n.tx.transmit(dev, request, 0, request.length);
    }

    /** arp_error_report: ipv4_link_failure's host unreachable to the queued packet's sender (icmp_send's rules). */
    @Override
    public void errorReport(NeighTable.Neigh n, NeighTable.Queued skb, long now) {
        PacketState p = wrap(n, skb, now);
        if (p == null) return;
        if (skb.ctId() >= 0) p.attach(skb.ctId(), skb.ctinfo());
        icmp.send(p, IcmpPacket.DEST_UNREACH, IcmpPacket.HOST_UNREACH, 0);
    }

    /** neigh_update's dequeue: the packet leaves with the neighbour's link header. */
    @Override
    public void output(NeighTable.Neigh n, NeighTable.Queued skb, long now) {
        PacketState p = wrap(n, skb, now);
        if (p == null) return;
        link.transmit(p, skb.packet(), NeighTable.HEADROOM, skb.packet().length - NeighTable.HEADROOM, n.mac, EtherType.IPV4);
    }

    private PacketState wrap(NeighTable.Neigh n, NeighTable.Queued skb, long now) {
        PacketState p = queued;
        p.reset(null, now, none, n.tx, skb.generated()); // past routing: icmp_send takes the route back's source
        if (p.ip.wrap(skb.packet(), NeighTable.HEADROOM, skb.packet().length - NeighTable.HEADROOM) != WireError.OK) return null;
        p.setOut(n.dev);
        p.nexthop = (int) n.lo;
        return p;
    }
}

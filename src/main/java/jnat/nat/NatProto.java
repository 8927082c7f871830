package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.Status;
import jnat.conntrack.Tuple;
import jnat.wire.IcmpPacket;
import jnat.wire.Icmpv6Packet;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Packet;
import jnat.wire.WireError;

/**
 * The per-packet rewrite of nf_nat_proto.c: nf_nat_packet's choice of manipulation,
 * nf_nat_ipv4_manip_pkt and nf_nat_ipv6_manip_pkt (the transport part, then the address, every
 * checksum kept right incrementally), and nf_nat_icmp_reply_translation with its ICMPv6 twin. The
 * binding decisions are {@link NatHook}'s and {@link NatCore}'s.
 */
final class NatProto {
    private final ConnTable table;
    private final Trace trace;
    private final Tuple target = new Tuple();
    private final Tuple scratch = new Tuple();

    NatProto(ConnTable table, Trace trace) {
        this.table = table;
        this.trace = trace;
    }

    /** The status bit saying whether a packet in {@code dir} gets {@code manip}. */
    private static int manipBit(int manip, int dir) {
        int bit = manip == NatCore.MANIP_SRC ? Status.SRC_NAT : Status.DST_NAT;
        return dir == ConnTable.REPLY ? bit ^ Status.NAT_MASK : bit;
    }

    private static int dir(PacketState p) {
        return Conntrack.isReply(p.ct.ctinfo) ? ConnTable.REPLY : ConnTable.ORIGINAL;
    }

    /** nf_nat_packet: rewrite the packet if its direction has this manipulation. */
    void natPacket(PacketState p, int manip) {
        int id = p.ct.id;
        int dir = dir(p);
        if ((table.status(id) & manipBit(manip, dir)) == 0) return;
        // We are aiming to look like the inverse of the other direction.
        if (p.ipv6) {
            table.tuple(id, dir ^ 1, scratch);
            scratch.invert(target);
            manipPacket6(p.ip6, target, manip);
        } else {
            manipPacket(p.ip, id, dir ^ 1, manip);
        }
        if (trace.on()) trace.nat(p, manip == NatCore.MANIP_SRC);
    }

    /**
     * nf_nat_ipv4_manip_pkt towards the inverse of direction {@code other}'s tuple, read from the
     * row as it is needed rather than built (the packet path's copy of nf_ct_invert_tuple): the
     * source manip takes that direction's destination, the destination manip its source; the
     * inverse's ports are the other way round, an ICMP id stays where it is.
     */
    private void manipPacket(Ipv4Packet ip, int id, int other, int manip) {
        int proto = ip.protocol();
        boolean ports = proto == IpProtocol.TCP || proto == IpProtocol.UDP;
        if (manip == NatCore.MANIP_SRC) {
            if (ports) ip.setSrcPort(table.dstPort(id, other));
            else if (proto == IpProtocol.ICMP) ip.setIcmpId(table.srcPort(id, other));
            ip.setSrc(table.dstAddr(id, other));
        } else {
            if (ports) ip.setDstPort(table.srcPort(id, other));
            else if (proto == IpProtocol.ICMP) ip.setIcmpId(table.srcPort(id, other));
            ip.setDst(table.srcAddr(id, other));
        }
    }

    /** nf_nat_ipv4_manip_pkt: the transport part, then the address, checksums kept right. */
    private static void manipPacket(Ipv4Packet ip, Tuple t, int manip) {
        int proto = ip.protocol();
        if (manip == NatCore.MANIP_SRC) {
            if (proto == IpProtocol.TCP || proto == IpProtocol.UDP) ip.setSrcPort(t.srcPort);
            else if (proto == IpProtocol.ICMP) ip.setIcmpId(t.srcPort);
            ip.setSrc(t.src);
        } else {
            if (proto == IpProtocol.TCP || proto == IpProtocol.UDP) ip.setDstPort(t.dstPort);
            else if (proto == IpProtocol.ICMP) ip.setIcmpId(t.srcPort);
            ip.setDst(t.dst);
        }
    }

    /**
     * nf_nat_ipv6_manip_pkt: the transport part (ports, the ICMPv6 echo identifier) of a packet
     * whose upper layer starts here, then the address; the view keeps the pseudo-header checksums
     * right (a later fragment's addresses change alone).
     */
    private static void manipPacket6(Ipv6Packet ip, Tuple t, int manip) {
        int proto = ip.upperProtocol();
        if (manip == NatCore.MANIP_SRC) {
            if (proto == IpProtocol.TCP || proto == IpProtocol.UDP) ip.setSrcPort(t.srcPort);
            else if (proto == IpProtocol.ICMPV6) ip.setIcmpId(t.srcPort);
            ip.setSrc(t.srcHi, t.srcLo);
        } else {
            if (proto == IpProtocol.TCP || proto == IpProtocol.UDP) ip.setDstPort(t.dstPort);
            else if (proto == IpProtocol.ICMPV6) ip.setIcmpId(t.srcPort);
            ip.setDst(t.dstHi, t.dstLo);
        }
    }

    /**
     * nf_nat_icmp_reply_translation: an ICMP error about a NATed connection gets its quoted
     * datagram translated back (as the peer sent it) and its outer header as a reply would be.
     * False when it cannot be.
     */
    boolean icmpReplyTranslation(PacketState p, int manip) {
        if (p.ipv6) return icmpv6ReplyTranslation(p, manip);
        Ipv4Packet ip = p.ip;
        int id = p.ct.id;
        int dir = dir(p);
        int status = table.status(id);
        if (ip.icmpType() == IcmpPacket.REDIRECT) {
            if ((status & Status.NAT_DONE_MASK) != Status.NAT_DONE_MASK) return false;
            if ((status & Status.NAT_MASK) != 0) return false;
        }
        if ((status & manipBit(manip, dir)) == 0) return true;
        int icmpOff = ip.payloadOffset();
        Ipv4Packet inner = p.inner;
        if (inner.wrapQuoted(ip.buffer(), icmpOff + IcmpPacket.HEADER_LENGTH,
                ip.payloadLength() - IcmpPacket.HEADER_LENGTH, icmpOff + IcmpPacket.OFF_CHECKSUM) != WireError.OK) {
            return false;
        }
        // The quoted packet travelled the other way: make it look like the other direction's tuple.
        table.tuple(id, dir ^ 1, target);
        manipPacket(inner, target, manip ^ 1);
        // The outer header looks like the reply to an incoming packet.
        target.invert(scratch);
        if (manip == NatCore.MANIP_SRC) ip.setSrc(scratch.src);
        else ip.setDst(scratch.dst);
        return true;
    }

    /**
     * nf_nat_icmpv6_reply_translation: as the ICMP one, the quoted datagram translated back and the
     * outer addresses as a reply's; the ICMPv6 checksum follows every write (the kernel sums it
     * again whole after the inner rewrite, which comes to the same for a checksum conntrack passed).
     */
    private boolean icmpv6ReplyTranslation(PacketState p, int manip) {
        Ipv6Packet ip = p.ip6;
        int id = p.ct.id;
        int dir = dir(p);
        int status = table.status(id);
        int l4 = ip.upperOffset(), l4len = ip.upperLength();
        if (l4len < Icmpv6Packet.HEADER_LENGTH) return false;
        if (ip.icmpType() == NDISC_REDIRECT) {
            if ((status & Status.NAT_DONE_MASK) != Status.NAT_DONE_MASK) return false;
            if ((status & Status.NAT_MASK) != 0) return false;
        }
        if ((status & manipBit(manip, dir)) == 0) return true;
        Ipv6Packet inner = p.inner6;
        if (inner.wrapQuoted(ip.buffer(), l4 + Icmpv6Packet.HEADER_LENGTH, l4len - Icmpv6Packet.HEADER_LENGTH,
                l4 + Icmpv6Packet.OFF_CHECKSUM) != WireError.OK) {
            return false;
        }
        table.tuple(id, dir ^ 1, target);
        manipPacket6(inner, target, manip ^ 1);
        target.invert(scratch);
        if (manip == NatCore.MANIP_SRC) ip.setSrc(scratch.srcHi, scratch.srcLo);
        else ip.setDst(scratch.dstHi, scratch.dstLo);
        return true;
    }

    /** NDISC_REDIRECT: ICMPv6 type 137. */
    private static final int NDISC_REDIRECT = 137;
}

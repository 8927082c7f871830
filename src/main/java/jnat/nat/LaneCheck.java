package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Status;
import jnat.conntrack.Tuple;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.RouteDecision6;
import jnat.host.RouteResult;
import jnat.host.RouteType;
import jnat.rules.Hook;
import jnat.rules.Ruleset;
import jnat.wire.Bytes;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;

/**
 * One engine lane's check before it runs a packet beside the other lanes' ({@link Lanes}): whether
 * the packet needs nothing of the namespace changed but its connection's row. jnat's, not a
 * kernel file's: the kernel's CPUs need no such check, since each piece of shared state has its
 * own lock; here the whole namespace has one (the lanes' lock), and this says when it may be
 * held shared. It reads only: the conntrack lookup (handed to conntrack, so it is not made twice),
 * the row, the lane's route cache.
 */
final class LaneCheck {
    private final Host host;
    private final ConnTable table;
    private final RouteCache routes;
    private final ConntrackHook conntrack;
    private final Tuple laneTuple = new Tuple();
    private final RouteDecision6 laneRoute6 = new RouteDecision6();
    /** Packets this lane ran under the shared lock, beside the other lanes'. */
    long sharedPackets;

    LaneCheck(Host host, ConnTable table, RouteCache routes, ConntrackHook conntrack) {
        this.host = host;
        this.table = table;
        this.routes = routes;
        this.conntrack = conntrack;
    }

    /** The lane's conntrack lookups of a batch, touched together ({@link ConntrackHook#touch}). */
    void touch(PacketBatch batch) {
        conntrack.touch(batch);
    }

    /**
     * Whether the walks a shared packet (forwarded, of an established connection) makes may run on
     * two lanes at once: raw's PREROUTING (any rule of raw), mangle's PREROUTING, FORWARD and
     * POSTROUTING, filter's and security's FORWARD, each safe for an established packet
     * ({@link jnat.rules.Table#establishedConcurrentSafe}: no unsafe rule reachable before an
     * accepting ctstate rule); the nat table is walked by new connections alone, which run exclusively.
     */
    static boolean concurrentSafe(Ruleset r) {
        // raw runs before conntrack, so its packets are not yet established: the whole table must be safe
        jnat.rules.Table raw = r.existing("raw"), mangle = r.existing("mangle"), filter = r.existing("filter"),
                security = r.existing("security");
        return (raw == null || raw.concurrentSafe())
                && (mangle == null || mangle.establishedConcurrentSafe(Hook.PREROUTING) && mangle.establishedConcurrentSafe(Hook.FORWARD)
                        && mangle.establishedConcurrentSafe(Hook.POSTROUTING))
                && (filter == null || filter.establishedConcurrentSafe(Hook.FORWARD))
                && (security == null || security.establishedConcurrentSafe(Hook.FORWARD));
    }

    /**
     * Whether a table an arriving packet walks before its input route may set its mark (MARK, HMARK
     * in raw or mangle): with policy rules the route may then depend on a mark the lane's check,
     * which routes with the mark the packet came with (none), cannot know.
     */
    static boolean marksBeforeRouting(Ruleset r) {
        for (String name : new String[] {"raw", "mangle"}) {
            jnat.rules.Table t = r.existing(name);
            if (t == null) continue;
            for (jnat.rules.Chain c : t.chains())
                for (jnat.rules.Rule rule : c.rules())
                    if (rule.target instanceof jnat.rules.MarkTarget || rule.target instanceof jnat.rules.HmarkTarget) return true;
        }
        return false;
    }

    /**
     * Whether a frame can run beside other lanes' packets: a TCP segment without SYN or RST
     * (nothing that reopens or kills a connection) or a UDP datagram, right after an IPv4 header
     * without options or an IPv6 header, not a fragment, TTL or hop limit above 1, of a confirmed
     * connection that has seen its reply and needs no sequence adjustment or helper, whose
     * destination after NAT is forwarded with nothing for the host to send (a unicast route out of
     * another device for IPv6, the next hop's address known, a packet that fits a device it may not
     * be fragmented for, or whose GSO segments do), out of the device a masqueraded connection is bound to. What it reads it
     * only reads: the lookup, the row, this lane's route cache.
     */
    boolean eligible(Interface in, byte[] buf, int off, int len, long now, Offload offload) {
        conntrack.hint(ConnTable.NOT_FOUND);
        int ip = off, end = off + len;
        if (off < 0 || end > buf.length) return false;
        int version;
        if (in.hasMac()) {
            if (len < EthernetFrame.HEADER_LENGTH + 28) return false;
            int type = Bytes.u16(buf, off + EthernetFrame.OFF_ETHERTYPE);
            version = type == EtherType.IPV4 ? 0x45 : type == EtherType.IPV6 ? 0x60 : 0;
            ip += EthernetFrame.HEADER_LENGTH;
        } else {
            if (len < 28) return false;
            version = (buf[off] & 0xf0) == 0x60 ? 0x60 : 0x45;
        }
        if (version == 0x60) return eligible6(in, buf, ip, end, now, offload);
        if (version != 0x45 || (buf[ip] & 0xff) != 0x45 || (buf[ip + 8] & 0xff) <= 1) return false;
        int frag = Bytes.u16(buf, ip + Ipv4Packet.OFF_FRAG);
        if ((frag & (Ipv4Packet.FLAG_MF | Ipv4Packet.FRAG_OFFSET_MASK)) != 0) return false;
        int total = Bytes.u16(buf, ip + 2), l4 = ip + 20;
        int proto = buf[ip + Ipv4Packet.OFF_PROTOCOL] & 0xff;
        if (total > end - ip || !transportEligible(buf, proto, l4, total - 20, table.events() != null)) return false;
        int src = Bytes.i32(buf, ip + Ipv4Packet.OFF_SRC);
        long addrs = (long) src << 32 | (Bytes.i32(buf, ip + Ipv4Packet.OFF_DST) & 0xffffffffL);
        int ref = table.find(addrs, (long) proto << 32 | (Bytes.i32(buf, l4) & 0xffffffffL), now);
        if (!connectionEligible(ref)) return false;
        int id = ConnTable.id(ref), dir = ConnTable.dir(ref);
        RouteResult r = routes.input(table.srcAddr(id, dir ^ 1), src, in); // the destination after NAT
        if (r.isError() || r.type() != RouteType.UNICAST) return false;
        Interface out = r.out();
        if ((frag & Ipv4Packet.FLAG_DF) != 0 && !fits(offload, total, out.mtu(), buf, 20, l4, proto, Offload.GSO_TCPV4)) return false;
        if (out.hasMac() && routes.linkAddress(out, r.nexthop()) == Interface.NO_MAC) return false;
        if (!masqEligible(id, dir, out)) return false;
        conntrack.hint(ref); // the lookup is not made twice
        return true;
    }

    /** {@link #eligible} for an IPv6 packet at {@code ip} (no extension headers: TCP or UDP next). */
    private boolean eligible6(Interface in, byte[] buf, int ip, int end, long now, Offload offload) {
        if (end - ip < Ipv6Packet.HEADER_LENGTH + 8 || (buf[ip] & 0xf0) != 0x60
                || (buf[ip + Ipv6Packet.OFF_HOP_LIMIT] & 0xff) <= 1) return false;
        int length = Ipv6Packet.HEADER_LENGTH + Bytes.u16(buf, ip + Ipv6Packet.OFF_PAYLOAD_LENGTH);
        int proto = buf[ip + Ipv6Packet.OFF_NEXT_HEADER] & 0xff, l4 = ip + Ipv6Packet.HEADER_LENGTH;
        if (length > end - ip || !transportEligible(buf, proto, l4, length - Ipv6Packet.HEADER_LENGTH, table.events() != null)) return false;
        long sh = Ipv6Address.readHi(buf, ip + Ipv6Packet.OFF_SRC);
        long sl = Ipv6Address.readLo(buf, ip + Ipv6Packet.OFF_SRC);
        if (sh == 0 || Ip6Input.isMulticast(sh) || Ip6Input.isLinkLocal(sh)) return false; // ip6_forward's source checks
        Tuple t = laneTuple.set6(proto, sh, sl, Ipv6Address.readHi(buf, ip + Ipv6Packet.OFF_DST),
                Ipv6Address.readLo(buf, ip + Ipv6Packet.OFF_DST), Bytes.u16(buf, l4),
                Bytes.u16(buf, l4 + 2));
        int ref = table.find(t, now);
        if (!connectionEligible(ref)) return false;
        int id = ConnTable.id(ref), dir = ConnTable.dir(ref);
        RouteDecision6 r = host.routeInput6(table.srcHi(id, dir ^ 1), table.srcLo(id, dir ^ 1), sh, sl, in, laneRoute6);
        if (r.isError() || r.type() != RouteType.UNICAST || r.out() == in) return false; // the same device: a redirect
        Interface out = r.out();
        if (!fits(offload, length, Math.max(out.mtu(), Ip6Forward.IPV6_MIN_MTU), buf, Ipv6Packet.HEADER_LENGTH, l4, proto,
                Offload.GSO_TCPV6)) return false;
        if (out.hasMac() && routes.linkAddress6(out, r.nexthopHi(), r.nexthopLo()) == Interface.NO_MAC) return false;
        return masqEligible(id, dir, out);
    }

    /**
     * ip_exceeds_mtu's and ip6_pkt_too_big's answer, no: the packet fits {@code mtu}, or it is a GSO
     * packet whose segments do (Offload.gsoNetworkSegmentLength, read from the bytes: the L3 header,
     * the TCP header or UDP's, the segment size), as the 64 KB segments of a TUN device with offloads are.
     */
    private static boolean fits(Offload o, int length, int mtu, byte[] buf, int l3Header, int l4, int proto, int gsoTcp) {
        if (length <= mtu) return true;
        if (o == null || !o.isGso()) return false;
        int type = o.gsoType & ~Offload.GSO_ECN;
        int l4Header = proto == IpProtocol.UDP && type == Offload.GSO_UDP_L4 ? 8
                : proto == IpProtocol.TCP && type == gsoTcp ? TcpSegment.dataOffset(buf, l4) * 4 : -1;
        return l4Header >= 0 && l3Header + l4Header + o.gsoSize <= mtu;
    }

    /** TCP without SYN or RST, at least its header; or UDP, at least its header. */
    private static boolean transportEligible(byte[] buf, int proto, int l4, int l4Length, boolean events) {
        if (proto == IpProtocol.TCP) {
            // with conntrack events listened to, a FIN (a new TCP state: IPCT_PROTOINFO) runs alone too
            int no = TcpSegment.SYN | TcpSegment.RST | (events ? TcpSegment.FIN : 0);
            return l4Length >= 20 && (buf[l4 + 13] & no) == 0;
        }
        return proto == IpProtocol.UDP && l4Length >= 8;
    }

    /**
     * A found connection, confirmed, its reply seen, not dying, no sequence adjustment, helper or
     * template; with conntrack events listened to, also one whose packet can change no event bit
     * (nf_conntrack_deliver_cached_events would send nothing): assured already, and a TCP one
     * ESTABLISHED (an ACK there keeps the state).
     */
    private boolean connectionEligible(int ref) {
        if (ref < 0) return false;
        int id = ConnTable.id(ref);
        boolean events = table.events() != null;
        int want = Status.CONFIRMED | Status.SEEN_REPLY | (events ? Status.ASSURED : 0);
        if ((table.status(id) & (want | Status.DYING | Status.SEQ_ADJUST | Status.HELPER | Status.TEMPLATE)) != want) return false;
        return !events || table.protocol(id) != jnat.conntrack.Tuple.IPPROTO_TCP || table.tcpState(id) == jnat.conntrack.TcpTracker.ESTABLISHED;
    }

    /** nf_nat_oif_changed would not kill it: a masqueraded connection's original packets leave by its device. */
    private boolean masqEligible(int id, int dir, Interface out) {
        int masq = dir == ConnTable.ORIGINAL ? table.masqIndex(id) : 0;
        return masq == 0 || masq == out.index();
    }
}

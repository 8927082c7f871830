package jnat.nat;

import jnat.conntrack.Conntrack;
import jnat.conntrack.Tuple;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.InterfaceAddress6;
import jnat.host.RouteDecision6;
import jnat.host.RouteType;
import jnat.wire.Bytes;
import jnat.wire.Icmpv6Packet;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.NdiscOptions;
import jnat.wire.Offload;
import jnat.wire.WireError;

import java.util.random.RandomGenerator;

/**
 * The host's own ICMPv6 (net/ipv6/icmp.c, and ndisc.c's neighbour solicitations): icmp6_send's
 * errors about the packet being processed (time exceeded, packet too big, unreachable),
 * icmpv6_echo_reply, and ndisc_recv_ns's advertisement, with the kernel's rate limits (the
 * host-wide credit shared with {@link Icmp}, icmpv6_xrlim_allow's per-destination buckets) and
 * its IPv6 sysctls at their defaults (net.ipv6.icmp.ratelimit as {@link IcmpConfig} says, 100 ms by default; ratemask 0-1,3-127,
 * echo_ignore_* 0, flowlabel_reflect 0). An error carries the cause's connection as RELATED
 * (nf_ct_attach), as {@link Icmp}'s do. The kernel's automatic flow labels (a hash of the flow
 * with a per-boot key) are not reproduced: the host's packets carry flow label 0.
 */
final class Icmpv6 {
    /** ip6_dst_hoplimit: the device's hop_limit sysctl (64); ndisc's socket sends with 255. */
    private static final int HOP_LIMIT = 64, ND_HOP_LIMIT = 255;
    /** An error with its IPv6 header fits in IPV6_MIN_MTU (1280) bytes. */
    private static final int MAX_QUOTE = Ip6Forward.IPV6_MIN_MTU - Ipv6Packet.HEADER_LENGTH - Icmpv6Packet.HEADER_LENGTH;

    private final Host host;
    private final Ip6Output output;
    private final IcmpConfig config;
    /** icmp_global: the host-wide credit, one for both families. */
    private final IcmpRateLimit global;
    private final RandomGenerator random;
    /** inet_peer_xrlim_allow's buckets for IPv6 destinations (keyed by the address's fold). */
    private final IcmpRateLimit peers;
    private final RouteDecision6 back = new RouteDecision6();
    private final NdiscOptions ndopts = new NdiscOptions();
    long errorsSent, echoRepliesSent, advertisementsSent, rateLimited;
    /** ndisc_rcv's advertisements go there (bound late: it sends its errors through this class). */
    private Ndisc ndisc;

    Icmpv6(Host host, Ip6Output output, IcmpConfig config, IcmpRateLimit global, RandomGenerator random) {
        this(host, output, config, global, random, null);
    }

    /** A lane's ICMPv6 ({@code shared} its engine's, null for the engine's own): the peers' buckets shared. */
    Icmpv6(Host host, Ip6Output output, IcmpConfig config, IcmpRateLimit global, RandomGenerator random, Icmpv6 shared) {
        this.peers = shared == null ? new IcmpRateLimit() : shared.peers;
        this.host = host;
        this.output = output;
        this.config = config;
        this.global = global;
        this.random = random;
    }

    void setNdisc(Ndisc ndisc) {
        this.ndisc = ndisc;
    }

    /** icmpv6_mask_allow with the default ratemask 0-1,3-127: informational messages and packet too big are never limited. */
    private static boolean maskAllow(int type) {
        return type > 127 || type == Icmpv6Packet.ICMPV6_PKT_TOOBIG;
    }

    /** inet_peer_xrlim_allow on {@code hi:lo}'s inet_peer (the one icmpv6_xrlim_allow uses): ip6_forward's redirects. */
    boolean peerAllow(long hi, long lo, long ms, int timeout) {
        return peers.peerAllow(Tuple.fold(hi, lo), ms, timeout);
    }

    /**
     * icmpv6_xrlim_allow: the destination's bucket, then the host-wide credit. As since kernel commit
     * 0201eedb69b2 (6.18.y): the bucket is the destination host's (inet_getpeer_v6), so a route's
     * prefix no longer shortens the limit (the old "wider prefixes get more" shift let a /64 route's
     * destinations have 4 times as many).
     */
    private boolean xrlimAllow(RouteDecision6 rt, long hi, long lo, long ms) {
        boolean res;
        if (rt.out().isLoopback()) {
            res = true;
        } else {
            res = peers.peerAllow(Tuple.fold(hi, lo), ms, config.ratelimit6Ms()); // net.ipv6.icmp.ratelimit
        }
        if (res) global.globalConsume(random);
        else rateLimited++;
        return res;
    }

    /**
     * ip6_pkt_discard / ip6_pkt_prohibit for an input error route: destination unreachable, no route
     * (no route, or an {@code unreachable} one) or administratively prohibited; a blackhole says nothing.
     */
    void routeError(PacketState p) {
        RouteType type = p.route6.type();
        if (type == RouteType.BLACKHOLE) return;
        send(p, Icmpv6Packet.ICMPV6_DEST_UNREACH,
                type == RouteType.PROHIBIT ? Icmpv6Packet.ICMPV6_ADM_PROHIBITED : Icmpv6Packet.ICMPV6_NOROUTE, 0);
    }

    /**
     * icmp6_send: an error about the packet being processed, quoting as much of it as fits in
     * 1280 bytes. Not about one sent to a multicast or link-layer group address (but packet too
     * big), from :: or a multicast source, or about an ICMPv6 error (is_ineligible). From the
     * packet's destination when that is ours, else from what the in device picks for the sender.
     */
    void send(PacketState p, int type, int code, int info) {
        send(p, type, code, info, Integer.MAX_VALUE);
    }

    /** As {@link #send(PacketState, int, int, int)}, quoting at most {@code quoteLimit} bytes of the packet (what is left of a trimmed skb). */
    void send(PacketState p, int type, int code, int info, int quoteLimit) {
        Ipv6Packet ip = p.ip6;
        if (p.generated) return; // the host's own packets are never answered
        long sh = ip.srcHi(), sl = ip.srcLo(), dh = ip.dstHi(), dl = ip.dstLo();
        long fromHi = 0, fromLo = 0;
        if (host.isLocalAddress6(dh, dl)) {
            fromHi = dh;
            fromLo = dl;
        }
        if (Ip6Input.isMulticast(dh) || !p.pktTypeHost) {
            if (type != Icmpv6Packet.ICMPV6_PKT_TOOBIG) return;
            fromHi = fromLo = 0;
        }
        if (sh == 0 && sl == 0 || Ip6Input.isMulticast(sh) || ineligible(ip)) return;
        long ms = Math.floorDiv(p.now, 1_000_000L);
        boolean apply = false;
        if ((p.in == null || !p.in.isLoopback()) && !maskAllow(type)) { // icmpv6_global_allow
            if (!global.globalAllow(ms, config)) {
                rateLimited++;
                return;
            }
            apply = true;
        }
        if ((fromHi | fromLo) == 0 && p.in != null) {
            InterfaceAddress6 a = host.selectSourceAddress6(p.in, sh, sl);
            if (a != null) {
                fromHi = a.hi();
                fromLo = a.lo();
            }
        }
        // icmpv6_route_lookup; a link-local sender is reached through the device it came in on (flowi6_oif = iif)
        RouteDecision6 rt = Ip6Input.isLinkLocal(sh) && p.in != null ? host.routeInput6(sh, sl, 0, 0, p.in, back)
                : host.routeOutput6(sh, sl, back);
        // the host's own packet (REJECT at OUTPUT) is answered to the host itself, through lo
        boolean toSelf = rt.type() == RouteType.LOCAL && (p.in == null || p.in.isLoopback());
        if (rt.isError() || rt.type() != RouteType.UNICAST && !toSelf) return;
        if (apply && !toSelf && !xrlimAllow(rt, sh, sl, ms)) return;
        if ((fromHi | fromLo) == 0) {
            if (toSelf) { // ipv6_dev_get_saddr: the destination itself is the best source (rule 1)
                fromHi = sh;
                fromLo = sl;
            } else {
                if (!rt.hasSource()) return;
                fromHi = rt.sourceHi();
                fromLo = rt.sourceLo();
            }
        }
        int len = build(0, HOP_LIMIT, fromHi, fromLo, sh, sl, type, code, info, ip.buffer(), ip.offset(),
                Math.min(Math.min(ip.length(), quoteLimit), MAX_QUOTE));
        errorsSent++;
        int ctinfo = Conntrack.isReply(p.ct.ctinfo) ? Conntrack.IP_CT_RELATED : Conntrack.IP_CT_RELATED_REPLY;
        if (toSelf) output.sendOwnLocal(p, len, p.ct.id, ctinfo);
        else output.sendOwn(p, len, p.ct.id, ctinfo, rt.out(), rt.nexthopHi(), rt.nexthopLo(), Interface.NO_MAC);
    }

    /** is_ineligible: an ICMPv6 error (or an ICMPv6 header cut short) is never answered; a later fragment is. */
    private static boolean ineligible(Ipv6Packet ip) {
        if (ip.extHeaderError() != WireError.OK || ip.fragmentOffset() != 0 || ip.upperProtocol() != IpProtocol.ICMPV6) return false;
        return ip.upperLength() < 1 || (ip.icmpType() & Icmpv6Packet.ICMPV6_INFOMSG_MASK) == 0;
    }

    /**
     * icmpv6_rcv for a packet delivered to the host: a bad checksum or a short message is dropped
     * silently; an echo request gets its reply, a neighbour solicitation its advertisement, an
     * advertisement goes to {@link Ndisc#recvNa}.
     */
    void rcv(PacketState p) {
        Ipv6Packet ip = p.ip6;
        if (ip.upperProtocol() != IpProtocol.ICMPV6 || ip.fragmentOffset() != 0 || ip.upperLength() < Icmpv6Packet.HEADER_LENGTH) return;
        if (p.offload.ipSummed == Offload.CHECKSUM_NONE && !ip.verifyTransportChecksum()) return;
        switch (ip.icmpType()) {
            case Icmpv6Packet.ICMPV6_ECHO_REQUEST -> echoReply(p);
            case Icmpv6Packet.NDISC_NEIGHBOUR_SOLICITATION -> neighbourSolicitation(p);
            case Icmpv6Packet.NDISC_NEIGHBOUR_ADVERTISEMENT -> ndisc.recvNa(p);
            default -> { }
        }
    }

    /**
     * icmpv6_echo_reply: the request's identifier, sequence and data back, its traffic class kept;
     * from the address pinged when it is a local unicast one, else from what the route picks.
     */
    private void echoReply(PacketState p) {
        Ipv6Packet ip = p.ip6;
        long sh = ip.srcHi(), sl = ip.srcLo();
        RouteDecision6 rt = host.routeOutput6(sh, sl, back);
        if (rt.isError() || rt.type() != RouteType.UNICAST) return;
        long fromHi = ip.dstHi(), fromLo = ip.dstLo();
        if (p.route6.type() != RouteType.LOCAL) { // ipv6_unicast_destination
            if (!rt.hasSource()) return;
            fromHi = rt.sourceHi();
            fromLo = rt.sourceLo();
        }
        // the echo reply is informational: icmpv6_global_allow and xrlim_allow let it through
        byte[] buf = ip.buffer();
        int l4 = ip.upperOffset(), l4len = ip.upperLength();
        int len = build(ip.trafficClass(), HOP_LIMIT, fromHi, fromLo, sh, sl, Icmpv6Packet.ICMPV6_ECHO_REPLY, ip.icmpCode(),
                Bytes.i32(buf, l4 + Icmpv6Packet.OFF_DATA), buf, l4 + Icmpv6Packet.HEADER_LENGTH, l4len - Icmpv6Packet.HEADER_LENGTH);
        echoRepliesSent++;
        output.sendOwn(p, len, -1, 0, rt.out(), rt.nexthopHi(), rt.nexthopLo(), Interface.NO_MAC);
    }

    /**
     * ndisc_rcv's checks (hop limit 255, code 0) and ndisc_recv_ns: a solicitation for an address
     * of the device it came in on is answered to its sender, solicited, router (the host forwards),
     * override and with our link-layer address when it was sent to the solicited-node group. The
     * advertisement goes to the solicitation's source link-layer address (the neighbour entry the
     * kernel makes of it; the host's table is not changed); a multicast one without it gets none.
     * Duplicate address detection (from ::) is not answered: jnat's addresses are never tentative.
     */
    private void neighbourSolicitation(PacketState p) {
        Ipv6Packet ip = p.ip6;
        byte[] buf = ip.buffer();
        int l4 = ip.upperOffset(), l4len = ip.upperLength();
        if (ip.hopLimit() != ND_HOP_LIMIT || ip.icmpCode() != 0 || l4len < Icmpv6Packet.ND_LENGTH) return;
        int t = l4 + Icmpv6Packet.OFF_ND_TARGET;
        long th = Ipv6Address.readHi(buf, t), tl = Ipv6Address.readLo(buf, t);
        long sh = ip.srcHi(), sl = ip.srcLo();
        Interface dev = p.in;
        if (Ip6Input.isMulticast(th) || (sh | sl) == 0 || dev == null || !ownedBy(dev, th, tl)) return;
        NdiscOptions opts = ndopts;
        if (opts.parse(buf, l4 + Icmpv6Packet.ND_LENGTH, l4len - Icmpv6Packet.ND_LENGTH) != WireError.OK) return;
        long lladdr = Interface.NO_MAC;
        if (opts.sourceLinkLayer() >= 0) {
            lladdr = opts.macAddress(opts.sourceLinkLayer());
            if (lladdr < 0) return; // "NS: invalid link-layer address length"
        }
        boolean inc = Ip6Input.isMulticast(ip.dstHi());
        if (inc && lladdr < 0) return; // no neighbour entry is made: nothing to answer to
        // neigh_event_ns: the solicitor becomes a STALE entry unless the host file names it (permanent)
        if (lladdr >= 0 && host.neighbour6(dev, sh, sl) == null) ndisc.learn(dev, sh, sl, lladdr, p);
        boolean tllao = inc && dev.hasMac();
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM;
        int icmpLen = Icmpv6Packet.ND_LENGTH + (tllao ? NdiscOptions.LL_ADDR_LENGTH_ETHERNET : 0);
        Ipv6Packet.writeHeader(b, o, 0, 0, icmpLen, IpProtocol.ICMPV6, ND_HOP_LIMIT, th, tl, sh, sl);
        int i = o + Ipv6Packet.HEADER_LENGTH;
        int flags = Icmpv6Packet.NA_ROUTER | Icmpv6Packet.NA_SOLICITED | (inc ? Icmpv6Packet.NA_OVERRIDE : 0);
        Icmpv6Packet.writeHeader(b, i, Icmpv6Packet.NDISC_NEIGHBOUR_ADVERTISEMENT, 0, flags << 24);
        Ipv6Address.write(b, i + Icmpv6Packet.OFF_ND_TARGET, th, tl);
        if (tllao) {
            int opt = i + Icmpv6Packet.ND_LENGTH;
            b[opt + NdiscOptions.OFF_TYPE] = NdiscOptions.ND_OPT_TARGET_LL_ADDR;
            b[opt + NdiscOptions.OFF_LENGTH] = 1;
            Bytes.put48(b, opt + NdiscOptions.OFF_LL_ADDR, dev.macBits());
        }
        Icmpv6Packet.fillChecksum(b, i, icmpLen, th, tl, sh, sl);
        advertisementsSent++;
        output.sendOwn(p, Ipv6Packet.HEADER_LENGTH + icmpLen, -1, 0, dev, sh, sl, lladdr);
    }

    /** ipv6_get_ifaddr(target, dev, strict): one of {@code dev}'s own addresses. */
    private static boolean ownedBy(Interface dev, long hi, long lo) {
        for (InterfaceAddress6 a : dev.addresses6()) if (a.hi() == hi && a.lo() == lo) return true;
        return false;
    }

    /**
     * A packet of the kernel's ICMPv6 socket in the host's buffer: the IPv6 header, then ICMPv6
     * with {@code dataWord} as bytes 4-7 and {@code dataLen} bytes of {@code data}. Returns its length.
     */
    private int build(int tclass, int hopLimit, long srcHi, long srcLo, long dstHi, long dstLo, int type, int code, int dataWord,
                      byte[] data, int dataOff, int dataLen) {
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM;
        int icmpLen = Icmpv6Packet.HEADER_LENGTH + dataLen;
        Ipv6Packet.writeHeader(b, o, tclass, 0, icmpLen, IpProtocol.ICMPV6, hopLimit, srcHi, srcLo, dstHi, dstLo);
        int i = o + Ipv6Packet.HEADER_LENGTH;
        System.arraycopy(data, dataOff, b, i + Icmpv6Packet.HEADER_LENGTH, dataLen);
        Icmpv6Packet.writeHeader(b, i, type, code, dataWord);
        Icmpv6Packet.fillChecksum(b, i, icmpLen, srcHi, srcLo, dstHi, dstLo);
        return Ipv6Packet.HEADER_LENGTH + icmpLen;
    }
}

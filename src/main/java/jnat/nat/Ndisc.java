package jnat.nat;

import jnat.host.Interface;
import jnat.host.InterfaceAddress6;
import jnat.wire.Bytes;
import jnat.wire.EtherType;
import jnat.wire.Icmpv6Packet;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.NdiscOptions;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * Neighbour discovery's side of resolution (net/ipv6/ndisc.c): {@link NeighTable}'s neigh_ops for
 * nd_tbl (ndisc_solicit, ndisc_error_report, the queued packets' output once resolved) and
 * ndisc_recv_na. A solicitation is built as ndisc_send_ns builds it: from the queued packet's source
 * when that is an address of the device (ipv6_chk_addr_and_flags, strict), else from the device's
 * link-local address (ipv6_get_lladdr; none: nothing is sent), hop limit 255, traffic class and flow
 * label 0, to the target's solicited-node group (ff02::1:ffXX:XXXX, 33:33:ff:XX:XX:XX) while the
 * multicast probes last, with the source link-layer address option (not from ::) and no nonce; it
 * passes LOCAL_OUT and POSTROUTING as ndisc_send_skb's NF_HOOK does. It has a packet state and a
 * buffer of its own: it is sent while the packet that needs the neighbour is still being transmitted.
 */
final class Ndisc implements NeighTable.Ops {
    private static final int ND_HOP_LIMIT = 255;
    /** struct rd_msg: the ICMPv6 header, target and destination. */
    private static final int REDIRECT_MSG = 8 + 16 + 16;

    private final NeighTable table;
    private final Ip6Output output;
    private final IpOutput link;
    private final Icmpv6 icmp6;
    private final Offload none;
    /** ndisc_sk's packet: the solicitation being sent. */
    private final PacketState ns;
    private final byte[] nsBuf = new byte[IpOutput.OWN_HEADROOM + 128];
    /** A queued packet taken out again: to leave, or to be reported. */
    private final PacketState queued;
    private final NdiscOptions ndopts = new NdiscOptions();
    /** A redirect's packet state and buffer: it may need its own solicitation. */
    private final PacketState rd;
    private final byte[] rdBuf = new byte[IpOutput.OWN_HEADROOM + Ip6Forward.IPV6_MIN_MTU];
    private final jnat.host.RouteDecision6 backRoute = new jnat.host.RouteDecision6();
    private final jnat.host.Host host;
    long solicitationsSent, redirectsSent;

    Ndisc(jnat.host.Host host, NeighTable table, Ip6Output output, IpOutput link, Icmpv6 icmp6, PacketState ns, PacketState queued,
          PacketState rd, Offload none) {
        this.host = host;
        this.rd = rd;
        this.table = table;
        this.output = output;
        this.link = link;
        this.icmp6 = icmp6;
        this.ns = ns;
        this.queued = queued;
        this.none = none;
        table.setOps(this);
    }

    /** ndisc_solicit: multicast while the mcast probes last (the unicast ones are for entries once resolved). */
    @Override
    public void solicit(NeighTable.Neigh n, NeighTable.Queued skb, long now) {
        long srcHi = 0, srcLo = 0;
        boolean haveSource = false;
        if (skb != null) {
            long sh = Ipv6Address.readHi(skb.packet(), NeighTable.HEADROOM + 8), sl = Ipv6Address.readLo(skb.packet(), NeighTable.HEADROOM + 8);
            if (onDevice(n.dev, sh, sl)) {
                srcHi = sh;
                srcLo = sl;
                haveSource = true;
            }
        }
        int probes = n.probes - NeighTable.UCAST_PROBES;
        long dstHi, dstLo;
        if (probes < 0) {
            dstHi = n.hi;
            dstLo = n.lo;
        } else {
            dstHi = 0xff02L << 48; // addrconf_addr_solict_mult
            dstLo = 0x0000_0001_ff00_0000L | n.lo & 0xff_ffffL;
        }
        sendNs(n.dev, n.hi, n.lo, dstHi, dstLo, haveSource, srcHi, srcLo, n.tx, now);
    }

    /** ndisc_send_ns: without a source, the device's link-local address or nothing. */
    private void sendNs(Interface dev, long targetHi, long targetLo, long dstHi, long dstLo, boolean haveSource, long srcHi,
                        long srcLo, Transmit tx, long now) {
        if (!haveSource) {
            InterfaceAddress6 ll = linkLocal(dev);
            if (ll == null) return;
            srcHi = ll.hi();
            srcLo = ll.lo();
        }
        boolean incOpt = dev.hasMac() && (srcHi | srcLo) != 0;
        int icmpLen = Icmpv6Packet.ND_LENGTH + (incOpt ? NdiscOptions.LL_ADDR_LENGTH_ETHERNET : 0);
        byte[] b = nsBuf;
        int o = IpOutput.OWN_HEADROOM;
        Ipv6Packet.writeHeader(b, o, 0, 0, icmpLen, IpProtocol.ICMPV6, ND_HOP_LIMIT, srcHi, srcLo, dstHi, dstLo);
        int i = o + Ipv6Packet.HEADER_LENGTH;
        Icmpv6Packet.writeHeader(b, i, Icmpv6Packet.NDISC_NEIGHBOUR_SOLICITATION, 0, 0);
        Ipv6Address.write(b, i + Icmpv6Packet.OFF_ND_TARGET, targetHi, targetLo);
        if (incOpt) {
            int opt = i + Icmpv6Packet.ND_LENGTH;
            b[opt + NdiscOptions.OFF_TYPE] = NdiscOptions.ND_OPT_SOURCE_LL_ADDR;
            b[opt + NdiscOptions.OFF_LENGTH] = 1;
            Bytes.put48(b, opt + NdiscOptions.OFF_LL_ADDR, dev.macBits());
        }
        Icmpv6Packet.fillChecksum(b, i, icmpLen, srcHi, srcLo, dstHi, dstLo);
        solicitationsSent++;
        output.sendNdisc(ns, b, Ipv6Packet.HEADER_LENGTH + icmpLen, dev, dstHi, dstLo, tx, now);
    }

    /** ipv6_chk_addr_and_flags(saddr, dev, strict, tentative banned): one of {@code dev}'s own usable addresses. */
    private static boolean onDevice(Interface dev, long hi, long lo) {
        for (InterfaceAddress6 a : dev.addresses6()) if (a.is(hi, lo) && !a.isTentative()) return true;
        return false;
    }

    /** ipv6_get_lladdr: the device's link-local address that is not tentative, or null. */
    private static InterfaceAddress6 linkLocal(Interface dev) {
        for (InterfaceAddress6 a : dev.addresses6()) {
            if (Ip6Input.isLinkLocal(a.hi()) && !a.isTentative()) return a;
        }
        return null;
    }

    /**
     * ndisc_error_report: dst_link_failure, ip6_link_failure's address unreachable to the queued
     * packet's sender (icmp6_send's rules and rate limits, the packet's connection attached).
     */
    @Override
    public void errorReport(NeighTable.Neigh n, NeighTable.Queued skb, long now) {
        PacketState p = wrap(n, skb, now);
        if (p == null) return;
        if (skb.ctId() >= 0) p.attach(skb.ctId(), skb.ctinfo());
        icmp6.send(p, Icmpv6Packet.ICMPV6_DEST_UNREACH, Icmpv6Packet.ICMPV6_ADDR_UNREACH, 0);
    }

    /** neigh_update's dequeue: the packet leaves with the neighbour's link header. */
    @Override
    public void output(NeighTable.Neigh n, NeighTable.Queued skb, long now) {
        PacketState p = wrap(n, skb, now);
        if (p == null) return;
        link.transmit(p, skb.packet(), NeighTable.HEADROOM, skb.packet().length - NeighTable.HEADROOM, n.mac, EtherType.IPV6);
    }

    private PacketState wrap(NeighTable.Neigh n, NeighTable.Queued skb, long now) {
        PacketState p = queued;
        // no in device: the packet is past routing (skb->dev is the output device), so icmp6_send takes the
        // source the route back to the sender gives (NeighbourKernelComparisonTest: the client's side's address)
        p.reset(null, now, none, n.tx, skb.generated());
        p.ipv6 = true;
        if (p.ip6.wrap(skb.packet(), NeighTable.HEADROOM, skb.packet().length - NeighTable.HEADROOM) != WireError.OK) return null;
        p.setOut(n.dev);
        p.nexthopHi = n.hi;
        p.nexthopLo = n.lo;
        return p;
    }

    /**
     * ip6_forward's redirect for a packet leaving by the device it came in on, before the MTU check
     * and FORWARD (the packet goes on as before): limited by its destination's inet_peer (1 s, burst
     * 6), then ndisc_send_redirect: from the device's link-local address (none: nothing), about a
     * target that is the destination or a link-local router, to a source that is on-link (the route
     * back has no gateway), limited by the source's inet_peer too; the target's link-layer address
     * when its neighbour is resolved, and as much of the packet as fits in 1280 bytes in the
     * redirected header option. The peers are icmpv6_xrlim_allow's, as the kernel's are.
     */
    void forwardRedirect(PacketState p) {
        Ipv6Packet ip = p.ip6;
        Interface dev = p.in;
        long targetHi = p.route6.nexthopHi(), targetLo = p.route6.nexthopLo(); // the gateway, or the destination itself
        long ms = Math.floorDiv(p.now, 1_000_000L);
        if (!icmp6.peerAllow(ip.dstHi(), ip.dstLo(), ms, IcmpRateLimit.HZ)) return;
        InterfaceAddress6 ll = linkLocal(dev);
        if (ll == null) return; // "Redirect: no link-local address"
        boolean toDestination = targetHi == ip.dstHi() && targetLo == ip.dstLo();
        if (!toDestination && !(Ip6Input.isLinkLocal(targetHi) && !Ip6Input.isMulticast(targetHi))) return;
        long sh = ip.srcHi(), sl = ip.srcLo();
        jnat.host.RouteDecision6 back = host.routeOutput6(sh, sl, backRoute);
        if (back.isError() || back.out() != dev || back.nexthopHi() != sh || back.nexthopLo() != sl) return; // not a neighbour
        if (!icmp6.peerAllow(sh, sl, ms, IcmpRateLimit.HZ)) return;
        long ha = dev.hasMac() ? linkAddress(dev, targetHi, targetLo) : Interface.NO_MAC;
        int optlen = ha != Interface.NO_MAC ? NdiscOptions.LL_ADDR_LENGTH_ETHERNET : 0;
        int rdLen = Math.min(Ip6Forward.IPV6_MIN_MTU - Ipv6Packet.HEADER_LENGTH - REDIRECT_MSG - optlen, ip.length() + 8) & ~7;
        optlen += rdLen;
        byte[] b = rdBuf;
        int o = IpOutput.OWN_HEADROOM;
        int icmpLen = REDIRECT_MSG + optlen;
        Ipv6Packet.writeHeader(b, o, 0, 0, icmpLen, IpProtocol.ICMPV6, ND_HOP_LIMIT, ll.hi(), ll.lo(), sh, sl);
        int i = o + Ipv6Packet.HEADER_LENGTH;
        Icmpv6Packet.writeHeader(b, i, Icmpv6Packet.NDISC_REDIRECT, 0, 0);
        Ipv6Address.write(b, i + 8, targetHi, targetLo);
        Ipv6Address.write(b, i + 24, ip.dstHi(), ip.dstLo());
        int opt = i + REDIRECT_MSG;
        if (ha != Interface.NO_MAC) {
            b[opt + NdiscOptions.OFF_TYPE] = NdiscOptions.ND_OPT_TARGET_LL_ADDR;
            b[opt + NdiscOptions.OFF_LENGTH] = 1;
            Bytes.put48(b, opt + NdiscOptions.OFF_LL_ADDR, ha);
            opt += NdiscOptions.LL_ADDR_LENGTH_ETHERNET;
        }
        if (rdLen > 0) { // ndisc_fill_redirect_hdr_option
            java.util.Arrays.fill(b, opt, opt + 8, (byte) 0);
            b[opt] = NdiscOptions.ND_OPT_REDIRECT_HDR;
            b[opt + 1] = (byte) (rdLen >> 3);
            System.arraycopy(ip.buffer(), ip.offset(), b, opt + 8, rdLen - 8);
        }
        Icmpv6Packet.fillChecksum(b, i, icmpLen, ll.hi(), ll.lo(), sh, sl);
        redirectsSent++;
        output.sendNdisc(rd, b, Ipv6Packet.HEADER_LENGTH + icmpLen, dev, sh, sl, p.tx, p.now);
    }

    /** The host file's neighbour, else a resolved one of the table (dst_neigh_lookup's NUD_VALID ha). */
    private long linkAddress(Interface dev, long hi, long lo) {
        jnat.host.Neighbour6 n = host.neighbour6(dev, hi, lo);
        return n != null ? n.mac() : table.resolved(dev, hi, lo);
    }

    /** neigh_event_ns for a solicitation's sender (ndisc_recv_ns). */
    void learn(Interface dev, long hi, long lo, long mac, PacketState p) {
        table.learn(dev, hi, lo, mac, p.now, p.tx);
    }

    /**
     * ndisc_recv_na (ndisc_rcv's hop limit 255 and code 0 checked first): an advertisement for a
     * neighbour being resolved updates it with the target link-layer address, REACHABLE when
     * solicited, else STALE (a valid entry keeps its address unless the override flag is set), and
     * its queued packets leave. Not for a multicast target, not solicited to a multicast address,
     * not about one of our addresses (duplicate address detection's business); an advertisement
     * for no entry makes none (accept_untracked_na 0).
     */
    void recvNa(PacketState p) {
        Ipv6Packet ip = p.ip6;
        byte[] buf = ip.buffer();
        int l4 = ip.upperOffset(), l4len = ip.upperLength();
        if (ip.hopLimit() != ND_HOP_LIMIT || ip.icmpCode() != 0 || l4len < Icmpv6Packet.ND_LENGTH || p.in == null) return;
        int t = l4 + Icmpv6Packet.OFF_ND_TARGET;
        long th = Ipv6Address.readHi(buf, t), tl = Ipv6Address.readLo(buf, t);
        int flags = buf[l4 + Icmpv6Packet.OFF_NA_FLAGS] & 0xe0;
        boolean solicited = (flags & Icmpv6Packet.NA_SOLICITED) != 0, override = (flags & Icmpv6Packet.NA_OVERRIDE) != 0;
        if (Ip6Input.isMulticast(th) || Ip6Input.isMulticast(ip.dstHi()) && solicited) return;
        if (ndopts.parse(buf, l4 + Icmpv6Packet.ND_LENGTH, l4len - Icmpv6Packet.ND_LENGTH) != WireError.OK) return;
        long lladdr = Interface.NO_MAC;
        if (ndopts.targetLinkLayer() >= 0) {
            lladdr = ndopts.macAddress(ndopts.targetLinkLayer());
            if (lladdr < 0) return; // "NA: invalid link-layer address length"
        }
        if (onDevice(p.in, th, tl)) return;
        NeighTable.Neigh n = table.lookup(p.in, th, tl);
        if (n == null) return;
        if ((n.state & NeighTable.NUD_VALID) != 0 && !override && lladdr != Interface.NO_MAC && lladdr != n.mac) return;
        n.tx = p.tx; // the queued packets leave where the answer came in from
        table.update(n, lladdr, solicited ? NeighTable.NUD_REACHABLE : NeighTable.NUD_STALE, p.now);
    }
}

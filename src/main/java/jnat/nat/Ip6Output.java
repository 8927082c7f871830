package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.RouteDecision6;
import jnat.host.RouteType;
import jnat.wire.EtherType;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * The IPv6 output path (net/ipv6/ip6_output.c): the host's own packets (a raw socket's,
 * {@link #hdrinc}, reassembled first by nf_defrag_ipv6 at LOCAL_OUT when they are fragments) through
 * ip6_local_out (LOCAL_OUT, then out or round through lo), ip6_output (POSTROUTING),
 * ip6_finish_output (a reassembled packet longer than its frag_max_size or the MTU cut again by
 * {@link Ip6Fragmenter}), then ip6_finish_output2 through {@link IpOutput#finishOutput2}, which finds
 * the neighbour in the packet's family and writes IPv6's ethertype. A forwarded packet was checked
 * against the MTU in {@link Ip6Forward}; IPv6 routers fragment only what conntrack reassembled. The host's own
 * packets ({@link Icmpv6}'s) are laid out in {@link #ownBuffer()} and leave through {@link #sendOwn}
 * on a packet state of their own.
 */
final class Ip6Output {
    private final Host host;
    private final NfHooks hooks;
    private final IpOutput link;
    private final Ip6DefragHook defragHook;
    private final NfCtFrag6 defrag;
    private final Ip6Fragmenter fragmenter;
    private final RouteCache routes;
    // ip6_fragment's output: the packet being cut and its neighbour
    private final IpFragmenter.Sink fragSink = this::fragmentOut;
    private final Ipv6Packet fragView = new Ipv6Packet();
    private PacketState fragPacket;
    private long fragDstMac;
    private final IpOutput.Loopback loopback;
    private final NetStats stats;
    private final Trace trace;
    private final Offload none;
    private final PacketState own;
    private final byte[] ownBuf = new byte[IpOutput.OWN_HEADROOM + 65536];

    Ip6Output(Host host, PacketState own, NfHooks hooks, IpOutput link, RouteCache routes, Ip6DefragHook defragHook,
              NfCtFrag6 defrag, Ip6Fragmenter fragmenter, IpOutput.Loopback loopback, Offload none, NetStats stats, Trace trace) {
        this.host = host;
        this.routes = routes;
        this.defragHook = defragHook;
        this.defrag = defrag;
        this.fragmenter = fragmenter;
        this.hooks = hooks;
        this.link = link;
        this.loopback = loopback;
        this.stats = stats;
        this.none = none;
        this.trace = trace;
        this.own = own;
    }

    /**
     * rawv6_send_hdrinc: an IPv6 packet of the host's (reassembled first at LOCAL_OUT, -400, when it
     * is a fragment) gets its output route. False when it stops here.
     */
    boolean hdrinc(PacketState p, byte[] buf, int off, int len) {
        if (!Ip6Input.wrap(p, buf, off, len, stats)) return false;
        if (!defragHook.defragment(p, NfCtFrag6.USER_CONNTRACK_OUT)) return false;
        Ipv6Packet ip = p.ip6;
        RouteDecision6 rt = host.routeOutput6(ip.dstHi(), ip.dstLo(), p.route6);
        if (rt.isError()) {
            stats.drop(p, DropReason.ROUTE_UNREACHABLE);
            return false;
        }
        p.routeTo6(rt);
        if (trace.on()) trace.localOut(p);
        return true;
    }

    /**
     * ip6_local_out: LOCAL_OUT, then ip6_output; a packet routed to the host itself passes
     * POSTROUTING and comes back in through lo. Larger than the MTU is refused first (the socket's
     * EMSGSIZE), unless it was reassembled: ip6_finish_output cuts it again.
     */
    void localOut(PacketState p) {
        if (!hooks.localOut(p)) return;
        if (p.route6.type() != RouteType.UNICAST) {
            if (hooks.postRouting(p)) loopback.rcv(p);
            return;
        }
        if (p.fragMaxSize == 0 && p.ip6.length() > Math.max(p.out().mtu(), Ip6Forward.IPV6_MIN_MTU)) {
            stats.drop(p, DropReason.PACKET_TOO_BIG);
            return;
        }
        output(p);
    }

    /** ip6_local_out for -j TEE's copy ({@link NfDupIpv6}): as {@link #localOut}, too big cut or refused by ip6_finish_output. */
    void localOutCopy(PacketState p) {
        if (!hooks.localOut(p)) return;
        if (p.route6.type() != RouteType.UNICAST) {
            if (hooks.postRouting(p)) loopback.rcv(p);
            return;
        }
        output(p);
    }

    /** The buffer the host lays out its own IPv6 packets in, the IPv6 header at {@link IpOutput#OWN_HEADROOM}. */
    byte[] ownBuffer() {
        return ownBuf;
    }

    /**
     * The host's own packet in {@link #ownBuffer()} ({@code len} bytes) leaves by {@code out} to
     * the neighbour {@code nhHi:nhLo} (at {@code neighMac} when the packet knows it, else from the
     * host's table), caused by {@code cause}; with {@code attachId} >= 0 it carries that connection
     * as {@code ctinfo} (nf_ct_attach, as {@link IpOutput#sendOwn}).
     */
    void sendOwn(PacketState cause, int len, int attachId, int ctinfo, Interface out, long nhHi, long nhLo, long neighMac) {
        PacketState p = own;
        p.reset(null, cause.now, none, cause.tx, true);
        p.duplicated = cause.duplicated; // sent while a TEE copy goes out: nf_skb_duplicated still set
        p.ipv6 = true;
        if (p.ip6.wrap(ownBuf, IpOutput.OWN_HEADROOM, len) != WireError.OK) return;
        p.setOut(out);
        p.nexthopHi = nhHi;
        p.nexthopLo = nhLo;
        p.neighMac = neighMac;
        if (trace.on()) trace.hostSends(p);
        if (attachId >= 0) p.attach(attachId, ctinfo);
        if (hooks.localOut(p)) output(p); // ip6_local_out: Icmpv6 sends only by unicast routes
        if (trace.on()) trace.hostSent();
    }

    /**
     * As {@link #sendOwn} for a packet to one of the host's own addresses (an answer to its own packet):
     * LOCAL_OUT, POSTROUTING, then in through lo, as {@link #localOut} sends it.
     */
    void sendOwnLocal(PacketState cause, int len, int attachId, int ctinfo) {
        PacketState p = own;
        p.reset(null, cause.now, none, cause.tx, true);
        p.duplicated = cause.duplicated; // sent while a TEE copy goes out: nf_skb_duplicated still set
        p.ipv6 = true;
        if (p.ip6.wrap(ownBuf, IpOutput.OWN_HEADROOM, len) != WireError.OK) return;
        RouteDecision6 rt = host.routeOutput6(p.ip6.dstHi(), p.ip6.dstLo(), p.route6);
        if (rt.type() != RouteType.LOCAL) return;
        p.routeTo6(rt);
        if (trace.on()) trace.hostSends(p);
        if (attachId >= 0) p.attach(attachId, ctinfo);
        localOut(p);
        if (trace.on()) trace.hostSent();
    }

    /**
     * As {@link #sendOwn} for a packet routed by its destination {@code dstHi:dstLo} (ip6_route_output;
     * no route: not sent), then ip6_local_out ({@link #localOut}: to one of the host's addresses
     * round through lo); {@code synproxyTemplate}: SYNPROXY's SYN to the server, whose connection
     * gets the synproxy extensions (as {@link IpOutput#sendOwn}'s).
     */
    void sendOwnRouted(PacketState cause, int len, int attachId, int ctinfo, long dstHi, long dstLo, boolean synproxyTemplate) {
        PacketState p = own;
        p.reset(null, cause.now, none, cause.tx, true);
        p.synproxyTemplate = synproxyTemplate;
        p.duplicated = cause.duplicated; // sent while a TEE copy goes out: nf_skb_duplicated still set
        p.ipv6 = true;
        if (p.ip6.wrap(ownBuf, IpOutput.OWN_HEADROOM, len) != WireError.OK) return;
        RouteDecision6 rt = host.routeOutput6(dstHi, dstLo, p.route6);
        if (rt.isError()) return;
        p.routeTo6(rt);
        if (trace.on()) trace.hostSends(p);
        if (attachId >= 0) p.attach(attachId, ctinfo);
        localOut(p);
        if (trace.on()) trace.hostSent();
    }

    /**
     * ndisc_send_skb: a neighbour discovery packet ({@code len} bytes at {@link IpOutput#OWN_HEADROOM}
     * of {@code buf}) on ndisc's own packet state {@code p} leaves by {@code out} to {@code nhHi:nhLo}
     * through LOCAL_OUT and POSTROUTING. It may be sent while another packet is being transmitted.
     */
    void sendNdisc(PacketState p, byte[] buf, int len, Interface out, long nhHi, long nhLo, Transmit tx, long now) {
        p.reset(null, now, none, tx, true);
        p.ipv6 = true;
        if (p.ip6.wrap(buf, IpOutput.OWN_HEADROOM, len) != WireError.OK) return;
        p.setOut(out);
        p.nexthopHi = nhHi;
        p.nexthopLo = nhLo;
        if (trace.on()) trace.hostSends(p);
        if (hooks.localOut(p)) output(p);
        if (trace.on()) trace.hostSent();
    }

    /** ip6_output: POSTROUTING, then ip6_finish_output. */
    void output(PacketState p) {
        if (hooks.postRouting(p)) finishOutput(p);
    }

    long fragOks() { return fragmenter.fragOks(); }
    long fragCreates() { return fragmenter.fragCreates(); }

    /** __ip6_finish_output: longer than the MTU, or than the frag_max_size it was reassembled with: ip6_fragment. */
    private void finishOutput(PacketState p) {
        Ipv6Packet ip = p.ip6;
        int len = ip.length();
        int mtu = Math.max(p.out().mtu(), Ip6Forward.IPV6_MIN_MTU);
        if (len > mtu && !p.offload.isGso() || p.fragMaxSize != 0 && len > p.fragMaxSize) fragment(p, mtu);
        else link.finishOutput2(p, ip.buffer(), ip.offset(), len);
    }

    /** ip6_fragment: cut by {@link Ip6Fragmenter}; refused (packet too big) it is dropped. */
    private void fragment(PacketState p, int mtu) {
        Ipv6Packet ip = p.ip6;
        Interface out = p.out();
        long dstMac = Interface.NO_MAC; // unresolved: each fragment waits for the neighbour (IpOutput.transmit)
        if (out.hasMac()) dstMac = p.neighMac != Interface.NO_MAC ? p.neighMac : routes.linkAddress6(out, p.nexthopHi, p.nexthopLo);
        p.offload.checksumHelp(ip.buffer(), ip.offset(), ip.length());
        fragPacket = p;
        fragDstMac = dstMac;
        int r = fragmenter.fragment(ip, mtu, p.fragMaxSize, p.fragMaxSize != 0 ? defrag : null, fragSink);
        fragPacket = null;
        if (r != Ip6Fragmenter.SENT) stats.drop(p, DropReason.PACKET_TOO_BIG);
    }

    /** ip6_finish_output2 for one fragment. */
    private void fragmentOut(byte[] buf, int off, int len) {
        PacketState p = fragPacket;
        if (trace.on()) {
            fragView.wrap(buf, off, len);
            trace.transmitFragment(p.out(), fragView);
        }
        link.transmit(p, buf, off, len, fragDstMac, EtherType.IPV6);
    }
}

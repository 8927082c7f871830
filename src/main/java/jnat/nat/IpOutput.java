package jnat.nat;

import jnat.host.Interface;
import jnat.host.RouteResult;
import jnat.host.RouteType;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.Ipv4Packet;
import jnat.wire.MacAddress;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * The IPv4 output path (net/ipv4/ip_output.c): ip_local_out (LOCAL_OUT, then out or round through
 * lo), ip_output (POSTROUTING), ip_finish_output (fragmenting with {@link IpFragmenter} what is
 * larger than the MTU or was reassembled) and ip_finish_output2 (the neighbour's link header).
 * The host's own packets (its ICMP, a RST) are laid out in {@link #ownBuffer()} and leave
 * through {@link #sendOwn}, on a packet state of their own.
 */
final class IpOutput {
    /** Bytes before the IP header of a packet the host builds: room for the Ethernet header. */
    static final int OWN_HEADROOM = 16;

    /** loopback_xmit: a packet routed to the host itself comes back in through lo. */
    @FunctionalInterface
    interface Loopback {
        void rcv(PacketState p);
    }

    private final NfHooks hooks;
    private final RouteCache routes;
    private final IpDefragHook defragHook;
    private final IpDefrag defrag;
    private final IpFragmenter fragmenter = new IpFragmenter();
    private final NetStats stats;
    private final Trace trace;
    private final Loopback loopback;
    private final Offload none;

    private final PacketState own;
    private final byte[] ownBuf = new byte[OWN_HEADROOM + 65536];
    private final byte[] headroomScratch = new byte[65536 + EthernetFrame.HEADER_LENGTH];

    // ip_do_fragment's output: the packet being cut and its link header
    private final IpFragmenter.Sink fragSink = this::fragmentOut;
    private final Ipv4Packet fragView = new Ipv4Packet();
    private PacketState fragPacket;
    private long fragDstMac;

    IpOutput(NfHooks hooks, RouteCache routes, IpDefragHook defragHook, IpDefrag defrag, PacketState own, Offload none,
             NetStats stats, Trace trace, Loopback loopback) {
        this.hooks = hooks;
        this.routes = routes;
        this.defragHook = defragHook;
        this.defrag = defrag;
        this.own = own;
        this.none = none;
        this.stats = stats;
        this.trace = trace;
        this.loopback = loopback;
    }

    long fragOks() {
        return fragmenter.fragOks();
    }

    long fragCreates() {
        return fragmenter.fragCreates();
    }

    /**
     * raw_send_hdrinc: a whole packet of the host's (reassembled first at LOCAL_OUT, -400, when it
     * is a fragment) gets its output route. False when it stops here.
     */
    boolean hdrinc(PacketState p, byte[] buf, int off, int len) {
        Ipv4Packet ip = p.ip;
        if (ip.wrap(buf, off, len) != WireError.OK) {
            stats.drop(p, DropReason.IP_MALFORMED);
            return false;
        }
        if (ip.isFragment() && !defragHook.defragment(p, IpDefrag.USER_CONNTRACK_OUT)) return false;
        RouteResult rt = routes.output(ip.dst());
        if (rt.isError()) {
            stats.drop(p, DropReason.ROUTE_UNREACHABLE);
            return false;
        }
        p.routeTo(rt);
        if (trace.on()) trace.localOut(p);
        return true;
    }

    /** The buffer the host lays out its own packets in, the IP header at {@link #OWN_HEADROOM}. */
    byte[] ownBuffer() {
        return ownBuf;
    }

    /**
     * The host's own packet in {@link #ownBuffer()} ({@code len} bytes) leaves by {@code rt} as
     * ip_local_out sends it, caused by {@code cause}. With {@code attachId} >= 0 it carries that
     * connection as {@code ctinfo} (nf_ct_attach): conntrack leaves it alone, NAT translates it
     * as a RELATED ICMP error, and it confirms nothing.
     */
    void sendOwn(PacketState cause, int len, int attachId, int ctinfo, RouteResult rt) {
        sendOwn(cause, len, attachId, ctinfo, rt, false);
    }

    /** As above; {@code synproxyTemplate}: SYNPROXY's SYN to the server, whose connection gets the synproxy extensions. */
    void sendOwn(PacketState cause, int len, int attachId, int ctinfo, RouteResult rt, boolean synproxyTemplate) {
        PacketState p = own;
        p.reset(null, cause.now, none, cause.tx, true);
        p.synproxyTemplate = synproxyTemplate;
        p.duplicated = cause.duplicated; // sent while a TEE copy goes out: nf_skb_duplicated still set
        if (p.ip.wrap(ownBuf, OWN_HEADROOM, len) != WireError.OK) return;
        p.routeTo(rt);
        if (trace.on()) trace.hostSends(p);
        if (attachId >= 0) p.attach(attachId, ctinfo);
        localOut(p);
        if (trace.on()) trace.hostSent();
    }

    /**
     * ip_local_out: LOCAL_OUT, then ip_output; a packet routed to the host itself passes
     * POSTROUTING and comes back in through lo. DF and larger than the MTU is refused first
     * (the socket's EMSGSIZE).
     */
    void localOut(PacketState p) {
        if (!hooks.localOut(p)) return;
        if (p.route().type() != RouteType.UNICAST) {
            if (hooks.postRouting(p)) loopback.rcv(p);
            return;
        }
        if (IpForward.exceedsMtu(p, p.out().mtu())) {
            stats.drop(p, DropReason.FRAG_NEEDED);
            return;
        }
        output(p);
    }

    /**
     * ip_local_out for -j TEE's copy ({@link NfDupIpv4}): as {@link #localOut}, but with no socket
     * to refuse a DF packet larger than the MTU (ip_fragment drops it).
     */
    void localOutCopy(PacketState p) {
        if (!hooks.localOut(p)) return;
        if (p.route().type() != RouteType.UNICAST) {
            if (hooks.postRouting(p)) loopback.rcv(p);
            return;
        }
        output(p);
    }

    /** ip_output: POSTROUTING, then ip_finish_output. */
    void output(PacketState p) {
        if (hooks.postRouting(p)) finishOutput(p);
    }

    /**
     * ip_finish_output: a packet larger than the MTU, or reassembled from fragments, leaves as
     * fragments (ip_fragment); a GSO packet leaves whole, its segments fitting.
     */
    private void finishOutput(PacketState p) {
        if ((p.fragMaxSize != 0 || p.ip.totalLength() > p.out().mtu()) && !p.offload.isGso()) fragment(p);
        else finishOutput2(p);
    }

    /** ip_fragment: DF refused unless reassembled with fragments that fit; else ip_do_fragment. */
    private void fragment(PacketState p) {
        Ipv4Packet ip = p.ip;
        Interface out = p.out();
        int mtu = out.mtu();
        if (ip.dontFragment() && (p.fragMaxSize == 0 || p.fragMaxSize > mtu)) {
            stats.drop(p, DropReason.FRAG_NEEDED);
            return;
        }
        long dstMac = Interface.NO_MAC; // unresolved: each fragment waits for the neighbour (fragmentOut)
        if (out.hasMac()) dstMac = routes.linkAddress(out, p.nexthop);
        p.offload.checksumHelp(ip.buffer(), ip.offset(), ip.totalLength()); // offloaded checksums are done first
        fragPacket = p;
        fragDstMac = dstMac;
        if (!fragmenter.fragment(ip, mtu, p.fragMaxSize, defrag.frags(), fragSink)) stats.drop(p, DropReason.FRAG_NEEDED);
        fragPacket = null;
    }

    /** ip_finish_output2 for one fragment. */
    private void fragmentOut(byte[] buf, int off, int len) {
        PacketState p = fragPacket;
        Interface out = p.out();
        if (trace.on()) {
            fragView.wrap(buf, off, len);
            trace.transmitFragment(out, fragView);
        }
        if (!out.hasMac()) {
            stats.tx(out, len);
            p.tx.transmit(out, buf, off, len, none);
            return;
        }
        if (fragDstMac == Interface.NO_MAC) {
            routes.neigh4().eventSend(p, 0, p.nexthop & 0xffff_ffffL, buf, off, len);
            return;
        }
        int start = off - EthernetFrame.HEADER_LENGTH;
        writeLinkHeader(buf, start, fragDstMac, out);
        stats.tx(out, len + EthernetFrame.HEADER_LENGTH);
        p.tx.transmit(out, buf, start, len + EthernetFrame.HEADER_LENGTH);
    }

    /** ip_finish_output2: the link header for the out device and the frame out. */
    private void finishOutput2(PacketState p) {
        Ipv4Packet ip = p.ip;
        finishOutput2(p, ip.buffer(), ip.offset(), ip.totalLength());
    }

    /**
     * ip_finish_output2 and ip6_finish_output2: the software checksum a layer-2 device needs (it
     * has no offloads here), the next hop's neighbour in the packet's family, and the frame out.
     */
    void finishOutput2(PacketState p, byte[] buf, int ipOff, int ipLen) {
        Interface out = p.out();
        if (trace.on()) trace.transmit(p);
        long dstMac = Interface.NO_MAC;
        if (out.hasMac()) {
            p.offload.checksumHelp(buf, ipOff, ipLen);
            if (!p.ipv6) dstMac = routes.linkAddress(out, p.nexthop);
            else dstMac = p.neighMac != Interface.NO_MAC ? p.neighMac : routes.linkAddress6(out, p.nexthopHi, p.nexthopLo);
        }
        transmit(p, buf, ipOff, ipLen, dstMac, p.ipv6 ? EtherType.IPV6 : EtherType.IPV4);
    }

    /**
     * neigh_output for either family: a layer-3 device takes the packet as it is (with its offload
     * state); a layer-2 one the neighbour's link header ({@code dstMac}, none: dropped), written in
     * the headroom or, without it, in a scratch copy.
     */
    void transmit(PacketState p, byte[] buf, int ipOff, int ipLen, long dstMac, int etherType) {
        Interface out = p.out();
        if (!out.hasMac()) {
            stats.tx(out, ipLen);
            p.tx.transmit(out, buf, ipOff, ipLen, p.offload);
            return;
        }
        if (dstMac == Interface.NO_MAC) {
            // neigh_resolve_output: queued, and the neighbour solicited
            if (p.ipv6) routes.neigh6().eventSend(p, p.nexthopHi, p.nexthopLo, buf, ipOff, ipLen);
            else routes.neigh4().eventSend(p, 0, p.nexthop & 0xffff_ffffL, buf, ipOff, ipLen);
            return;
        }
        int start = ipOff - EthernetFrame.HEADER_LENGTH;
        if (start < 0) {
            System.arraycopy(buf, ipOff, headroomScratch, EthernetFrame.HEADER_LENGTH, ipLen);
            buf = headroomScratch;
            start = 0;
        }
        EthernetFrame.writeHeader(buf, start, dstMac, out.macBits(), etherType);
        int len = ipLen + EthernetFrame.HEADER_LENGTH;
        stats.tx(out, len);
        p.tx.transmit(out, buf, start, len);
    }

    /** eth_header: the neighbour's MAC, ours, IPv4. */
    private static void writeLinkHeader(byte[] buf, int start, long dstMac, Interface out) {
        EthernetFrame.writeHeader(buf, start, dstMac, out.macBits(), EtherType.IPV4);
    }
}

package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.RouteDecision;
import jnat.rules.Hook;
import jnat.rules.TeeTarget;
import jnat.wire.Ipv4Packet;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * nf_dup_ipv4.c: -j TEE's copy of an IPv4 packet. Nothing for a packet that is itself a copy
 * (nf_skb_duplicated); else the packet is copied (pskb_copy: a buffer of its own, with the mark,
 * offload state and frag_max_size), the copy untracked (nf_reset_ct, IP_CT_UNTRACKED), given IP_DF,
 * its TTL decremented when the hook is PREROUTING or INPUT, its header checksum redone, and routed
 * to the gateway (nf_dup_ipv4_route: flowi4_oif the --oif device's, FLOWI_FLAG_KNOWN_NH); the
 * neighbour is the gateway route's own gateway, else the packet's destination, which is unchanged.
 * Without a route it is dropped silently; with one it leaves through ip_local_out (LOCAL_OUT and
 * POSTROUTING of every table, as the host's own) while the original waits in its walk.
 */
final class NfDupIpv4 {
    private final Host host;
    private final IpOutput output;
    private final Trace trace;
    private final PacketState copy;
    private final Offload offload = new Offload();
    private final RouteDecision route = new RouteDecision();
    /** The copy's bytes, the IP header at {@link IpOutput#OWN_HEADROOM}; allocated at the first copy. */
    private byte[] buf;

    NfDupIpv4(Host host, IpOutput output, PacketState copy, Trace trace) {
        this.host = host;
        this.output = output;
        this.copy = copy;
        this.trace = trace;
    }

    void dup(PacketState p, TeeTarget tee) {
        if (p.duplicated) return; // this_cpu_read(nf_skb_duplicated)
        Ipv4Packet ip = p.ip;
        int len = ip.totalLength();
        if (buf == null) buf = new byte[IpOutput.OWN_HEADROOM + 65536];
        System.arraycopy(ip.buffer(), ip.offset(), buf, IpOutput.OWN_HEADROOM, len);
        PacketState c = copy;
        NfDup.startCopy(p, c, offload);
        if (c.ip.wrap(buf, IpOutput.OWN_HEADROOM, len) != WireError.OK) return;
        int h = IpOutput.OWN_HEADROOM;
        buf[h + 6] |= (byte) (Ipv4Packet.FLAG_DF >>> 8); // iph->frag_off |= htons(IP_DF)
        if (p.hook == Hook.PREROUTING.ordinal() || p.hook == Hook.INPUT.ordinal()) buf[h + 8]--; // --iph->ttl
        c.ip.fillChecksum(); // ip_send_check
        Interface oif = tee.oif.isEmpty() ? null : host.device(tee.oif);
        RouteDecision rt = host.routeOutput(tee.gw, oif, route);
        if (rt.isError()) return; // kfree_skb
        c.routeTo(rt.toResult());
        // the route's gateway if it has one, else the packet's own destination (kernel 6.18 sends a
        // copy routed by a connected route to the packet's daddr's neighbour, as measured by TeeKernelTest)
        c.nexthop = rt.route() != null ? rt.route().nexthopFor(ip.dst()) : ip.dst();
        c.duplicated = true;
        if (trace.on()) trace.hostSends(c);
        output.localOutCopy(c);
        if (trace.on()) trace.hostSent();
    }
}

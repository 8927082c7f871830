package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.RouteDecision6;
import jnat.rules.Hook;
import jnat.rules.TeeTarget;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * nf_dup_ipv6.c: -j TEE's copy of an IPv6 packet, as {@link NfDupIpv4} for IPv4 but without DF or
 * a header checksum: nothing for a copy (nf_skb_duplicated); the copy untracked, its hop limit
 * decremented at PREROUTING and INPUT, routed to the gateway (nf_dup_ipv6_route: flowi6_oif,
 * FLOWI_FLAG_KNOWN_NH, the neighbour the gateway or the gateway's own next hop), dropped silently
 * without a route, else sent through ip6_local_out.
 */
final class NfDupIpv6 {
    private final Host host;
    private final Ip6Output output;
    private final Trace trace;
    private final PacketState copy;
    private final Offload offload = new Offload();
    /** The copy's bytes, the IPv6 header at {@link IpOutput#OWN_HEADROOM}; allocated at the first copy. */
    private byte[] buf;

    NfDupIpv6(Host host, Ip6Output output, PacketState copy, Trace trace) {
        this.host = host;
        this.output = output;
        this.copy = copy;
        this.trace = trace;
    }

    void dup(PacketState p, TeeTarget tee) {
        if (p.duplicated) return; // this_cpu_read(nf_skb_duplicated)
        int len = p.ip6.length();
        if (buf == null) buf = new byte[IpOutput.OWN_HEADROOM + 65536];
        System.arraycopy(p.ip6.buffer(), p.ip6.offset(), buf, IpOutput.OWN_HEADROOM, len);
        PacketState c = copy;
        NfDup.startCopy(p, c, offload);
        c.ipv6 = true;
        if (p.hook == Hook.PREROUTING.ordinal() || p.hook == Hook.INPUT.ordinal()) buf[IpOutput.OWN_HEADROOM + 7]--; // --iph->hop_limit
        if (c.ip6.wrap(buf, IpOutput.OWN_HEADROOM, len) != WireError.OK) return;
        Interface oif = tee.oif.isEmpty() ? null : host.device(tee.oif);
        RouteDecision6 rt = host.routeOutput6(tee.gwHi, tee.gwLo, oif, c.route6);
        if (rt.isError()) return; // dst->error: kfree_skb
        c.routeTo6(rt);
        c.duplicated = true;
        if (trace.on()) trace.hostSends(c);
        output.localOutCopy(c);
        if (trace.on()) trace.hostSent();
    }
}

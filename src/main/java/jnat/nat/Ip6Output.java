package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.wire.Offload;
import jnat.wire.WireError;

/**
 * The IPv6 output path (net/ipv6/ip6_output.c): ip6_local_out (LOCAL_OUT) for the host's own
 * packets, ip6_output (POSTROUTING), then ip6_finish_output2 through {@link IpOutput#finishOutput2},
 * which finds the neighbour in the packet's family and writes IPv6's ethertype. A forwarded packet
 * was checked against the MTU in {@link Ip6Forward}; IPv6 routers never fragment. The host's own
 * packets ({@link Icmpv6}'s) are laid out in {@link #ownBuffer()} and leave through {@link #sendOwn}
 * on a packet state of their own.
 */
final class Ip6Output {
    private final NfHooks hooks;
    private final IpOutput link;
    private final Trace trace;
    private final Offload none;
    private final PacketState own;
    private final byte[] ownBuf = new byte[IpOutput.OWN_HEADROOM + 65536];

    Ip6Output(Host host, ConnTable table, NfHooks hooks, IpOutput link, Offload none, Trace trace) {
        this.hooks = hooks;
        this.link = link;
        this.none = none;
        this.trace = trace;
        this.own = new PacketState(host, table);
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
        p.ipv6 = true;
        if (p.ip6.wrap(ownBuf, IpOutput.OWN_HEADROOM, len) != WireError.OK) return;
        p.out = out;
        p.nexthopHi = nhHi;
        p.nexthopLo = nhLo;
        p.neighMac = neighMac;
        if (trace.on()) trace.line("  host sends: " + Trace.summary(p.ip6));
        if (attachId >= 0) p.attach(attachId, ctinfo);
        if (hooks.localOut(p)) output(p); // ip6_local_out
    }

    /** ip6_output: POSTROUTING, then ip6_finish_output2. */
    void output(PacketState p) {
        if (hooks.postRouting(p)) link.finishOutput2(p, p.ip6.buffer(), p.ip6.offset(), p.ip6.length());
    }
}

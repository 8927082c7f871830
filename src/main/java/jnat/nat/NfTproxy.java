package jnat.nat;

import jnat.conntrack.Conntrack;
import jnat.conntrack.Status;
import jnat.host.Interface;
import jnat.host.InterfaceAddress;
import jnat.host.InterfaceAddress6;
import jnat.host.LocalSockets;
import jnat.host.LocalSockets.Sock;

/**
 * -j TPROXY's socket side (nf_tproxy_ipv4.c, nf_tproxy_ipv6.c with xt_TPROXY.c's tproxy_tg4 and
 * tproxy_tg6_v1): the connection's socket first (NF_TPROXY_LOOKUP_ESTABLISHED), else the listener
 * on the target's address (the input device's when none) and port (the packet's when 0); only a
 * transparent socket takes the packet, which then carries it (skb->sk) and the new mark.
 * TIME_WAIT reuse (nf_tproxy_handle_time_wait4) is not modelled: jnat's sockets never close.
 */
final class NfTproxy {
    private NfTproxy() {}

    static boolean tg(PacketState p, LocalSockets sockets, int laddr, long lhi, long llo, int lport, int markMask, int markValue) {
        int proto = p.protocol();
        if ((proto != LocalSockets.TCP && proto != LocalSockets.UDP) || p.nonFirstFragment() || !hasPorts(p)) return false;
        int sport = p.srcPort(), dport = p.dstPort();
        if (lport == 0) lport = dport;
        Sock sk;
        if (p.ipv6) {
            long sh = p.ip6.srcHi(), sl = p.ip6.srcLo(), dh = p.ip6.dstHi(), dl = p.ip6.dstLo();
            sk = established(sockets, proto, 6, 0, dh, dl, dport, 0, sh, sl, sport);
            if ((lhi | llo) == 0) { // nf_tproxy_laddr6: the device's first usable address, else the destination
                InterfaceAddress6 a = laddr6(p.in);
                lhi = a != null ? a.hi() : dh;
                llo = a != null ? a.lo() : dl;
            }
            if (sk == null) sk = listener(sockets, proto, 6, 0, lhi, llo, lport, 0, sh, sl, sport);
        } else {
            int saddr = p.ip.src(), daddr = p.ip.dst();
            sk = established(sockets, proto, 4, daddr, 0, 0, dport, saddr, 0, 0, sport);
            if (laddr == 0) { // nf_tproxy_laddr4: the device's primary address, else the destination
                InterfaceAddress a = p.in == null ? null : p.in.primaryAddress();
                laddr = a != null ? a.local() : daddr;
            }
            if (sk == null) sk = listener(sockets, proto, 4, laddr, 0, 0, lport, saddr, 0, 0, sport);
        }
        if (sk == null || !sk.transparent) return false;
        p.mark = (p.mark & ~markMask) ^ markValue;
        p.sk = sk; // nf_tproxy_assign_sock
        return true;
    }

    /** skb_header_pointer found the ports (tproxy_tg4's hp == NULL is a drop). */
    private static boolean hasPorts(PacketState p) {
        return p.ipv6 ? p.ip6.hasPorts() : p.ip.hasPorts();
    }

    /** The first address of the device's list that is not tentative (ip6 addr_list order). */
    private static InterfaceAddress6 laddr6(Interface in) {
        if (in == null) return null;
        for (InterfaceAddress6 a : in.addresses6()) if (!a.isTentative()) return a;
        return null;
    }

    /** NF_TPROXY_LOOKUP_ESTABLISHED: TCP's established hash; for UDP a connected socket not bound to the wildcard. */
    private static Sock established(LocalSockets s, int proto, int family, int laddr, long lhi, long llo, int lport,
                                    int raddr, long rhi, long rlo, int rport) {
        if (proto == LocalSockets.TCP) return s.established(proto, family, laddr, lhi, llo, lport, raddr, rhi, rlo, rport);
        Sock sk = family == 4 ? s.lookup4(proto, raddr, rport, laddr, lport) : s.lookup6(proto, rhi, rlo, rport, lhi, llo, lport);
        return sk != null && sk.connected() && !sk.wildcard() ? sk : null;
    }

    /** NF_TPROXY_LOOKUP_LISTENER: TCP's listeners (wildcard ones too); for UDP an unconnected socket. */
    private static Sock listener(LocalSockets s, int proto, int family, int laddr, long lhi, long llo, int lport,
                                 int raddr, long rhi, long rlo, int rport) {
        if (proto == LocalSockets.TCP) return family == 4 ? s.lookupBound4(proto, laddr, lport) : s.lookupBound6(proto, lhi, llo, lport);
        Sock sk = family == 4 ? s.lookup4(proto, raddr, rport, laddr, lport) : s.lookup6(proto, rhi, rlo, rport, lhi, llo, lport);
        return sk != null && !sk.connected() ? sk : null;
    }

    /**
     * xt_socket's lookup (nf_sk_lookup_slow_v4/v6 through nf_socket_get_sock_v4/v6): skb->sk, else
     * the connection's socket, then the listener (inet_lookup; udp4_lib_lookup for UDP), for TCP and
     * UDP; the reply of a source-NATed connection by the address and port its socket has, the
     * connection's original source. Not mirrored: ICMP errors' lookup of the quoted packet.
     */
    static long socketLookup(PacketState p, LocalSockets sockets) {
        Sock sk = p.sk;
        if (sk == null) {
            int proto = p.protocol();
            if ((proto != LocalSockets.TCP && proto != LocalSockets.UDP) || p.nonFirstFragment() || !hasPorts(p)) return 0;
            int dport = p.dstPort();
            boolean natReply = p.tracked() && p.ct.ctinfo == Conntrack.IP_CT_ESTABLISHED_REPLY
                    && (p.ctStatus() & Status.SRC_NAT_DONE) != 0;
            if (natReply) dport = p.ctOrigSrcPort();
            if (p.ipv6) {
                long dh = natReply ? p.ctAddressHi(0) : p.ip6.dstHi(), dl = natReply ? p.ctAddressLo(0) : p.ip6.dstLo();
                sk = sockets.lookup6(proto, p.ip6.srcHi(), p.ip6.srcLo(), p.srcPort(), dh, dl, dport);
            } else {
                sk = sockets.lookup4(proto, p.ip.src(), p.srcPort(), natReply ? p.ctOrigSrc() : p.ip.dst(), dport);
            }
            if (sk == null) return 0;
        }
        long bits = jnat.rules.PacketContext.SK_FOUND | (sk.wildcard() ? jnat.rules.PacketContext.SK_WILDCARD : 0)
                | (sk.transparent ? jnat.rules.PacketContext.SK_TRANSPARENT : 0);
        return bits | (long) sk.mark << 32;
    }
}

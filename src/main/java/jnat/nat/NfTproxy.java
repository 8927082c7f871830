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
     * UDP, and for an ICMP error the socket of the TCP or UDP packet it quotes (extract_icmp4_fields,
     * extract_icmp6_fields: the quoted source is ours); a source-NATed connection's reply (or an
     * error about it) by the address and port its socket has, the connection's original source.
     */
    static long socketLookup(PacketState p, LocalSockets sockets) {
        Sock sk = p.sk;
        if (sk == null) {
            sk = p.ipv6 ? lookup6(p, sockets) : lookup4(p, sockets);
            if (sk == null) return 0;
        }
        long bits = jnat.rules.PacketContext.SK_FOUND | (sk.wildcard() ? jnat.rules.PacketContext.SK_WILDCARD : 0)
                | (sk.transparent ? jnat.rules.PacketContext.SK_TRANSPARENT : 0);
        return bits | (long) sk.mark << 32;
    }

    /** The reply of a connection whose source NAT changed: looked up by its original source (the socket's). */
    private static boolean natReply(PacketState p, boolean icmp) {
        return p.tracked() && p.ct.ctinfo == (icmp ? Conntrack.IP_CT_RELATED_REPLY : Conntrack.IP_CT_ESTABLISHED_REPLY)
                && (p.ctStatus() & Status.SRC_NAT_DONE) != 0;
    }

    private static Sock lookup4(PacketState p, LocalSockets sockets) {
        int proto = p.protocol(), saddr, sport, daddr, dport;
        if (p.nonFirstFragment()) return null;
        boolean icmp = proto == jnat.wire.IpProtocol.ICMP;
        if (proto == LocalSockets.TCP || proto == LocalSockets.UDP) {
            if (!hasPorts(p)) return null;
            saddr = p.ip.src();
            sport = p.srcPort();
            daddr = p.ip.dst();
            dport = p.dstPort();
        } else if (icmp) {
            byte[] b = p.ip.buffer();
            int o = p.ip.payloadOffset(), n = p.ip.payloadLength();
            if (n < 8 + 20 || !isError4(b[o] & 0xff)) return null;
            int in = o + 8, ihl = (b[in] & 0xf) * 4;
            proto = b[in + 9] & 0xff;
            if ((proto != LocalSockets.TCP && proto != LocalSockets.UDP) || ihl < 20 || n < 8 + ihl + 4) return null;
            daddr = jnat.wire.Bytes.i32(b, in + 12); // the quoted packet is ours: its source is the local end
            saddr = jnat.wire.Bytes.i32(b, in + 16);
            dport = jnat.wire.Bytes.u16(b, in + ihl);
            sport = jnat.wire.Bytes.u16(b, in + ihl + 2);
        } else {
            return null;
        }
        if (natReply(p, icmp)) {
            daddr = p.ctOrigSrc();
            dport = p.ctOrigSrcPort();
        }
        return sockets.lookup4(proto, saddr, sport, daddr, dport);
    }

    /** icmp_is_err: destination unreachable, source quench, redirect, time exceeded, parameter problem. */
    private static boolean isError4(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    private static Sock lookup6(PacketState p, LocalSockets sockets) {
        int proto = p.protocol(), sport, dport;
        long sh, sl, dh, dl;
        if (p.nonFirstFragment()) return null;
        boolean icmp = proto == jnat.wire.IpProtocol.ICMPV6;
        if (proto == LocalSockets.TCP || proto == LocalSockets.UDP) {
            if (!hasPorts(p)) return null;
            sh = p.ip6.srcHi();
            sl = p.ip6.srcLo();
            sport = p.srcPort();
            dh = p.ip6.dstHi();
            dl = p.ip6.dstLo();
            dport = p.dstPort();
        } else if (icmp) {
            byte[] b = p.ip6.buffer();
            int o = p.ip6.upperOffset(), n = p.ip6.upperLength();
            // an error (type < 128) quoting a TCP or UDP header right after the IPv6 header
            if (n < 8 + 40 + 4 || (b[o] & 0x80) != 0) return null;
            int in = o + 8;
            proto = b[in + 6] & 0xff;
            if (proto != LocalSockets.TCP && proto != LocalSockets.UDP) return null;
            dh = jnat.wire.Ipv6Address.readHi(b, in + 8);
            dl = jnat.wire.Ipv6Address.readLo(b, in + 8);
            sh = jnat.wire.Ipv6Address.readHi(b, in + 24);
            sl = jnat.wire.Ipv6Address.readLo(b, in + 24);
            dport = jnat.wire.Bytes.u16(b, in + 40);
            sport = jnat.wire.Bytes.u16(b, in + 42);
        } else {
            return null;
        }
        if (natReply(p, icmp)) {
            dh = p.ctAddressHi(0);
            dl = p.ctAddressLo(0);
            dport = p.ctOrigSrcPort();
        }
        return sockets.lookup6(proto, sh, sl, sport, dh, dl, dport);
    }
}

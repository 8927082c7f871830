package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.host.Host;
import jnat.host.InterfaceAddress;
import jnat.host.InterfaceAddress6;
import jnat.host.RouteDecision6;
import jnat.host.RouteResult;
import jnat.rules.Hook;
import jnat.rules.NatRange;
import jnat.rules.NatTarget;
import jnat.rules.Table;
import jnat.rules.Target;

/**
 * NAT at its hooks (nf_nat_inet_fn, nf_nat_ipv4_fn/_local_fn): a connection's first packet walks
 * the nat chain and its target binds it (or it gets a null binding); every packet is then
 * rewritten as its connection's binding says ({@link NatProto}). One method per target:
 * xt_nat's SNAT and DNAT, nf_nat_masquerade_ipv4/_ipv6, nf_nat_redirect_ipv4/_ipv6, xt_NETMAP's
 * netmap_tg and netmap_tg6.
 */
final class NatHook {
    private final Host host;
    private final ConnTable table;
    private final NatCore core;
    private final NatProto proto;
    private final RouteCache routes;
    private final NetStats stats;
    private final Trace trace;
    private Table nat, nat6;
    /** The nf_tables nat chains beside iptables' nat table (null: none, iptables' table alone). */
    private NftChainNat nft;
    /** The range an IPv6 target hands nf_nat_setup_info (reused: a binding allocates nothing). */
    private final InetNatRange rangeTo = new InetNatRange();

    NatHook(Host host, ConnTable table, NatCore core, NatProto proto, RouteCache routes, NetStats stats, Trace trace) {
        this.trace = trace;
        this.host = host;
        this.table = table;
        this.core = core;
        this.proto = proto;
        this.routes = routes;
        this.stats = stats;
    }

    /** The iptables nat table IPv4 packets walk (null: none), for a batch's touch of its walks. */
    Table nat() {
        return nat;
    }

    /** iptables' nat table and ip6tables' (null: not loaded). */
    void setTables(Table nat, Table nat6) {
        this.nat = nat;
        this.nat6 = nat6;
    }

    /** The nft ruleset's nat chains (null: none). */
    void setNft(NftChainNat nft) {
        this.nft = nft;
    }

    /**
     * nf_nat_inet_fn at one hook for one manipulation. Returns false when the packet was dropped.
     */
    boolean fn(PacketState p, Hook hook, int manip) {
        if (!p.tracked()) return true;
        int id = p.ct.id;
        int ctinfo = p.ct.ctinfo;
        boolean related = ctinfo == Conntrack.IP_CT_RELATED || ctinfo == Conntrack.IP_CT_RELATED_REPLY;
        if (related && p.icmp()) {
            if (!proto.icmpReplyTranslation(p, manip)) {
                stats.drop(p, DropReason.NAT_ICMP_ERROR);
                return false;
            }
            return true;
        }
        if (ctinfo == Conntrack.IP_CT_NEW || related) {
            if (!NatCore.initialized(table.status(id), manip)) {
                if (!(nft == null ? iptablesNat(p, hook) : nft.lookup(p, hook, manip))) return false;
                if (!NatCore.initialized(table.status(id), manip) && !core.nullBinding(id, manip, p.now)) {
                    p.natExhausted = true;
                }
            } else if (oifChanged(p, hook)) {
                return oifChangedDrop(p);
            }
        } else if (oifChanged(p, hook)) {
            return oifChangedDrop(p);
        }
        proto.natPacket(p, manip);
        return true;
    }

    /** iptables' nat table for a new connection (iptable_nat_do_chain): false when it dropped the packet. */
    boolean iptablesNat(PacketState p, Hook hook) {
        Table natTable = p.ipv6 ? nat6 : nat;
        if (natTable == null) return true;
        Target verdict = natTable.traverse(hook, p);
        if (trace.on()) trace.verdict(hook, natTable, verdict);
        if (verdict == Target.DROP) {
            stats.drop(p, DropReason.NAT_DROP);
            return false;
        }
        return !(verdict instanceof NatTarget t) || target(p, t.kind, t.range, hook);
    }

    /** An nf_tables NAT statement: the target of its kind with the range it read (false: dropped). */
    boolean statement(PacketState p, NatTarget.Kind kind, NatRange range, Hook hook) {
        return target(p, kind, range, hook);
    }

    /**
     * nf_nat_ipv4_local_fn: nat OUTPUT, then a new route when the destination changed
     * (ip_route_me_harder).
     */
    boolean localFn(PacketState p) {
        if (p.ipv6) return localFn6(p);
        int dst = p.ip.dst();
        if (!fn(p, Hook.OUTPUT, NatCore.MANIP_DST)) return false;
        if (p.ip.dst() != dst) {
            RouteResult rt = routes.output(p.ip.dst(), p.ip.src(), p.mark);
            if (rt.isError()) {
                stats.drop(p, DropReason.ROUTE_UNREACHABLE);
                return false;
            }
            p.routeTo(rt);
        }
        return true;
    }

    /**
     * iptable_mangle's ipt_mangle_out (ip6table_mangle's ip6t_mangle_out): mangle OUTPUT changed the
     * mark (or, for IPv6, the addresses): a new route, which policy routing may now answer
     * differently (ip_route_me_harder). Only with rules: without them the mark routes nothing.
     */
    boolean mangleOutReroute(PacketState p, int markBefore) {
        if (p.mark == markBefore || !(p.ipv6 ? host.rules6().custom() : host.rules().custom())) return true;
        if (p.ipv6) {
            RouteDecision6 rt = host.routeOutput6(p.ip6.dstHi(), p.ip6.dstLo(), p.ip6.srcHi(), p.ip6.srcLo(), p.mark, p.route6);
            if (rt.isError()) {
                stats.drop(p, DropReason.ROUTE_UNREACHABLE);
                return false;
            }
            p.routeTo6(rt);
            return true;
        }
        RouteResult rt = routes.output(p.ip.dst(), p.ip.src(), p.mark);
        if (rt.isError()) {
            stats.drop(p, DropReason.ROUTE_UNREACHABLE);
            return false;
        }
        p.routeTo(rt);
        return true;
    }

    /** nf_nat_ipv6_local_fn: as IPv4's, the new route from the IPv6 FIB (ip6_route_me_harder). */
    private boolean localFn6(PacketState p) {
        long hi = p.ip6.dstHi(), lo = p.ip6.dstLo();
        if (!fn(p, Hook.OUTPUT, NatCore.MANIP_DST)) return false;
        if (p.ip6.dstHi() != hi || p.ip6.dstLo() != lo) {
            RouteDecision6 rt = host.routeOutput6(p.ip6.dstHi(), p.ip6.dstLo(), p.ip6.srcHi(), p.ip6.srcLo(), p.mark, p.route6);
            if (rt.isError()) {
                stats.drop(p, DropReason.ROUTE_UNREACHABLE);
                return false;
            }
            p.routeTo6(rt);
        }
        return true;
    }

    /** The target's function; false when it dropped the packet. */
    private boolean target(PacketState p, NatTarget.Kind kind, NatRange range, Hook hook) {
        return switch (kind) {
            case SNAT -> setup(p, range, NatCore.MANIP_SRC);
            case DNAT -> setup(p, range, NatCore.MANIP_DST);
            case MASQUERADE -> masquerade(p, range);
            case REDIRECT -> redirect(p, range, hook);
            case NETMAP -> netmap(p, range, hook);
        };
    }

    /** nf_nat_setup_info with the range as given (xt_nat's SNAT and DNAT). */
    private boolean setup(PacketState p, NatRange r, int manip) {
        if (!core.setupInfo(p.ct.id, r, manip, p.now)) p.natExhausted = true;
        return true;
    }

    /** The IPv6 range with its addresses replaced by one address (in the reused rangeTo, as setupTo). */
    private boolean setupTo6(PacketState p, NatRange r, long hi, long lo, int manip) {
        rangeTo.set6(r.flags | NatRange.MAP_IPS, hi, lo, hi, lo, r.minPort, r.maxPort);
        if (!core.setupInfo(p.ct.id, rangeTo, manip, p.now)) p.natExhausted = true;
        return true;
    }

    /** The range with its addresses replaced by one address. */
    private boolean setupTo(PacketState p, NatRange r, int addr, int manip) {
        rangeTo.set4(r.flags | NatRange.MAP_IPS, addr, addr, r.minPort, r.maxPort);
        if (!core.setupInfo(p.ct.id, rangeTo, manip, p.now)) p.natExhausted = true;
        return true;
    }

    /**
     * nf_nat_masquerade_ipv4: the source becomes the address the out device would pick for the
     * next hop (inet_select_addr), remembered as masq_index.
     */
    private boolean masquerade(PacketState p, NatRange r) {
        int id = p.ct.id;
        if (p.ipv6) return masquerade6(p, r);
        // A locally generated packet with source 0.0.0.0 is not masqueraded.
        if (table.srcAddr(id, ConnTable.ORIGINAL) == 0) return true;
        int newSrc = host.selectSourceAddress(p.out(), p.nexthop);
        if (newSrc == 0) { // "%s ate my IP address"
            stats.drop(p, DropReason.NAT_UNMAPPABLE);
            return false;
        }
        table.setMasqIndex(id, p.out().index());
        return setupTo(p, r, newSrc, NatCore.MANIP_SRC);
    }

    /**
     * nf_nat_masquerade_ipv6: the source becomes what ipv6_dev_get_saddr picks on the out device
     * for the packet's destination (not the next hop, as the kernel asks it).
     */
    private boolean masquerade6(PacketState p, NatRange r) {
        InterfaceAddress6 src = host.selectSourceAddress6(p.out(), p.ip6.dstHi(), p.ip6.dstLo());
        if (src == null) {
            stats.drop(p, DropReason.NAT_UNMAPPABLE);
            return false;
        }
        table.setMasqIndex(p.ct.id, p.out().index());
        return setupTo6(p, r, src.hi(), src.lo(), NatCore.MANIP_SRC);
    }

    /** nf_nat_redirect_ipv4: to 127.0.0.1 from OUTPUT, else to the in device's first address. */
    private boolean redirect(PacketState p, NatRange r, Hook hook) {
        if (p.ipv6) return redirect6(p, r, hook);
        int newDst;
        if (hook == Hook.OUTPUT) {
            newDst = 0x7f000001;
        } else {
            InterfaceAddress first = p.in == null || p.in.addresses().isEmpty() ? null : p.in.addresses().get(0);
            newDst = first == null ? 0 : first.local();
            if (newDst == 0) {
                stats.drop(p, DropReason.NAT_UNMAPPABLE);
                return false;
            }
        }
        return setupTo(p, r, newDst, NatCore.MANIP_DST);
    }

    /**
     * nf_nat_redirect_ipv6: to ::1 from OUTPUT, else to the in device's first address usable for
     * the destination's scope (not v4-mapped, not tentative; of the same scope unless it is global).
     */
    private boolean redirect6(PacketState p, NatRange r, Hook hook) {
        if (hook == Hook.OUTPUT) return setupTo6(p, r, 0, 1, NatCore.MANIP_DST);
        int scope = scope(p.ip6.dstHi(), p.ip6.dstLo());
        if (p.in != null) {
            for (InterfaceAddress6 a : p.in.addresses6()) {
                if (a.isTentative() || a.hi() == 0 && a.lo() >>> 32 == 0xffff) continue; // tentative or mapped
                if (scope != 0 && (scope & scope(a.hi(), a.lo())) == 0) continue;
                return setupTo6(p, r, a.hi(), a.lo(), NatCore.MANIP_DST);
            }
        }
        stats.drop(p, DropReason.NAT_UNMAPPABLE);
        return false;
    }

    /** ipv6_addr_scope: IPV6_ADDR_SCOPE_MASK's bits of ipv6_addr_type (loopback, link-local, site-local, v4-compatible; 0 global). */
    private static int scope(long hi, long lo) {
        if (hi == 0 && lo >>> 32 == 0) return lo == 1 ? 0x10 : lo == 0 ? 0 : 0x80;
        if ((hi & 0xffc0_0000_0000_0000L) == 0xfe80_0000_0000_0000L) return 0x20;
        return (hi & 0xffc0_0000_0000_0000L) == 0xfec0_0000_0000_0000L ? 0x40 : 0;
    }

    /** netmap_tg: the address's host part kept, its network part the range's. */
    private boolean netmap(PacketState p, NatRange r, Hook hook) {
        if (p.ipv6) return netmap6(p, r, hook);
        int netmask = ~(r.minAddr ^ r.maxAddr);
        boolean dst = hook == Hook.PREROUTING || hook == Hook.OUTPUT;
        int addr = dst ? p.ip.dst() : p.ip.src();
        return setupTo(p, r, (addr & ~netmask) | (r.minAddr & netmask), dst ? NatCore.MANIP_DST : NatCore.MANIP_SRC);
    }

    /** netmap_tg6: as netmap_tg over the 128 bits. */
    private boolean netmap6(PacketState p, NatRange r, Hook hook) {
        long maskHi = ~(r.minAddrHi ^ r.maxAddrHi), maskLo = ~(r.minAddrLo ^ r.maxAddrLo);
        boolean dst = hook == Hook.PREROUTING || hook == Hook.OUTPUT;
        long hi = dst ? p.ip6.dstHi() : p.ip6.srcHi(), lo = dst ? p.ip6.dstLo() : p.ip6.srcLo();
        return setupTo6(p, r, hi & ~maskHi | r.minAddrHi & maskHi, lo & ~maskLo | r.minAddrLo & maskLo,
                dst ? NatCore.MANIP_DST : NatCore.MANIP_SRC);
    }

    /** nf_nat_oif_changed: a masqueraded connection must keep leaving through its device. */
    private boolean oifChanged(PacketState p, Hook hook) {
        if (hook != Hook.POSTROUTING || Conntrack.isReply(p.ct.ctinfo) || p.out() == null) return false;
        int masqIndex = table.masqIndex(p.ct.id); // read last: a side table of its own
        return masqIndex != 0 && masqIndex != p.out().index();
    }

    private boolean oifChangedDrop(PacketState p) {
        table.kill(p.ct.id);
        p.ct.id = -1;
        stats.drop(p, DropReason.NAT_OIF_CHANGED);
        return false;
    }
}

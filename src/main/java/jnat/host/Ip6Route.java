package jnat.host;

/**
 * route.c for one host: ip -6 route add's checks (ip6_route_info_create, fib6_nh_init,
 * ip6_validate_gw), the output and input routes (ip6_route_output, ip6_route_input) and the
 * lookups xt_addrtype makes for IPv6 (match_lookup_rt6).
 */
final class Ip6Route {
    /** xt_addrtype's bits: 1 << RTN_*. */
    static final int XT_UNSPEC = 1, XT_UNICAST = 1 << 1, XT_LOCAL = 1 << 2, XT_ANYCAST = 1 << 4,
            XT_MULTICAST = 1 << 5, XT_UNREACHABLE = 1 << 7;

    private final Host host;
    private final Ip6Fib fib;
    private final Addrconf addrconf;

    Ip6Route(Host host, Ip6Fib fib, Addrconf addrconf) {
        this.host = host;
        this.fib = fib;
        this.addrconf = addrconf;
    }

    // ---- ip -6 route add ------------------------------------------------------------------------

    void addRoute(Route6 route, Host.RouteMode mode) {
        Route6 r = route;
        Interface dev = r.device();
        if (r.metric() == 0) r = r.with(dev, Route6.PRIO_USER); // IP6_RT_PRIO_USER
        if (r.isReject()) {
            r = r.with(host.loopback(), r.metric()); // fib6_is_reject: the nexthop is lo whatever was given
        } else {
            if (r.onlink()) {
                if (dev == null) throw new HostException("Error: Nexthop device required for onlink.");
                if (!dev.isUp()) throw new HostException("Error: Nexthop device is not up.");
            }
            if (r.hasGateway()) {
                dev = validateGateway(r);
                r = r.with(dev, r.metric());
            } else if (dev != null && dev.isLoopback() && r.type() != RouteType.LOCAL && r.type() != RouteType.ANYCAST) {
                // the kernel makes such a route a reject route (fib6_is_reject) that prints as unicast
                throw new HostException("a route through lo is a reject route in the kernel: use unreachable, blackhole or prohibit");
            }
            if (dev == null) throw new HostException("RTNETLINK answers: No such device");
            if (!dev.isUp()) throw new HostException("Error: Nexthop device is not up.");
            if (dev.mtu < Addrconf.IPV6_MIN_MTU) throw new HostException("Error: IPv6 is disabled on nexthop device.");
        }
        if (r.hasPrefSrc() && !addrconf.chkAddr(r.prefSrcHi(), r.prefSrcLo(), r.device(), false)) {
            throw new HostException("Error: Invalid source address.");
        }
        Route6 same = fib.sameKey(r);
        switch (mode) {
            case ADD -> {
                if (same != null) throw new HostException("RTNETLINK answers: File exists"); // NLM_F_EXCL
                fib.insert(r);
            }
            case REPLACE -> {
                if (same != null) fib.replace(same, r);
                else fib.insert(r);
            }
            case APPEND -> {
                if (fib.hasDuplicate(r)) throw new HostException("RTNETLINK answers: File exists");
                if (same != null && same.hasGateway() && r.hasGateway()) {
                    throw new HostException("route append of a second gateway makes a multipath route, not supported in a host file");
                }
                fib.insert(r);
            }
        }
    }

    /** ip6_validate_gw with ip6_route_check_nh: the gateway's device, or the kernel's error. */
    private Interface validateGateway(Route6 r) {
        long gh = r.gatewayHi(), gl = r.gatewayLo();
        int type = Inet6.type(gh, gl) & 0xffff;
        boolean linkLocal = type == (Inet6.LINKLOCAL | Inet6.UNICAST);
        Interface dev = r.device();
        boolean needAddrCheck = dev == null;
        if (dev != null && addrconfAddr(gh, gl, linkLocal ? dev : null)) throw new HostException("Error: Gateway can not be a local address.");
        if (!linkLocal) {
            if ((type & (Inet6.UNICAST | Inet6.MAPPED)) == 0) throw new HostException("Error: Invalid gateway address.");
            if (!r.onlink()) {
                // the route's own table first, then the rules' lookup; the gateway must be on a link
                Route6 via = fib.tableLookup(r.table(), gh, gl, dev, true);
                if (!onLink(via, dev)) via = fib.lookup(gh, gl, dev, true);
                if (!onLink(via, dev)) throw new HostException("RTNETLINK answers: No route to host");
                dev = via.device();
            }
        }
        if (dev == null) throw new HostException("Error: Egress device not specified.");
        if (dev.isLoopback()) throw new HostException("Error: Egress device can not be loopback device for this route.");
        if (needAddrCheck && addrconfAddr(gh, gl, linkLocal ? dev : null)) throw new HostException("Error: Gateway can not be a local address.");
        return dev;
    }

    private static boolean onLink(Route6 via, Interface dev) {
        return via != null && !via.isReject() && !via.hasGateway() && (dev == null || via.device() == dev);
    }

    /** ipv6_chk_addr_and_flags with no banned flags: tentative addresses count too. */
    private boolean addrconfAddr(long hi, long lo, Interface dev) {
        for (Interface d : host.interfacesRaw()) {
            for (InterfaceAddress6 a : d.addresses6) {
                if (a.is(hi, lo) && (dev == null || a.device() == dev || (a.scope() != Scope.LINK && a.scope() != Scope.HOST))) return true;
            }
        }
        return false;
    }

    // ---- lookups --------------------------------------------------------------------------------

    /**
     * ip6_route_output without a socket, device or source (what ip -6 route get DST shows): local
     * and anycast routes deliver through lo, others leave through the route's device to the gateway
     * or the destination; the source is the route's src, else ip6_route_get_saddr's choice.
     */
    RouteDecision6 output(long hi, long lo, RouteDecision6 d) {
        return output(hi, lo, 0, 0, 0, d);
    }

    /** {@link #output(long, long, RouteDecision6)} for a packet of mark {@code mark} from src (:: when not chosen). */
    RouteDecision6 output(long hi, long lo, long srcHi, long srcLo, int mark, RouteDecision6 d) {
        Route6 r = fib.rulesCustom() ? fib.lookup(hi, lo, srcHi, srcLo, mark, host.loopback(), null, false)
                : fib.lookup(hi, lo, null, false);
        if (!decide(r, hi, lo, d)) return d;
        if (r.hasPrefSrc()) return d.source(r.prefSrcHi(), r.prefSrcLo());
        return d.source(addrconf.selectSource(r.device(), hi, lo));
    }

    /**
     * ip6_route_output for nf_dup_ipv6_route's flow: no source or mark, and with {@code oif}
     * (flowi6_oif; null for none) only routes through that device (RT6_LOOKUP_F_IFACE).
     */
    RouteDecision6 output(long hi, long lo, Interface oif, RouteDecision6 d) {
        if (oif == null) return output(hi, lo, d);
        Route6 r = fib.rulesCustom() ? fib.lookup(hi, lo, 0, 0, 0, host.loopback(), oif, true) : fib.lookup(hi, lo, oif, true);
        if (!decide(r, hi, lo, d)) return d;
        if (r.hasPrefSrc()) return d.source(r.prefSrcHi(), r.prefSrcLo());
        return d.source(addrconf.selectSource(r.device(), hi, lo));
    }

    /**
     * ip6_route_input's lookup for a packet from {@code in} (forwarding on): a multicast, link-local
     * or loopback destination only through {@code in} (rt6_need_strict), others preferring it among
     * equal routes. No source is chosen (the route's src if it has one). The packet's own checks
     * (ip6_rcv_core: multicast or loopback sources, ::1 from a wire) are the caller's.
     */
    RouteDecision6 input(long dstHi, long dstLo, Interface in, RouteDecision6 d) {
        return input(dstHi, dstLo, 0, 0, 0, in, d);
    }

    /** {@link #input(long, long, Interface, RouteDecision6)} with the packet's source and mark for the rules. */
    RouteDecision6 input(long dstHi, long dstLo, long srcHi, long srcLo, int mark, Interface in, RouteDecision6 d) {
        boolean strict = Inet6.needStrict(dstHi, dstLo);
        Route6 r = fib.rulesCustom() ? fib.lookup(dstHi, dstLo, srcHi, srcLo, mark, in, in, strict)
                : fib.lookup(dstHi, dstLo, in, strict);
        if (!decide(r, dstHi, dstLo, d)) return d;
        return r.hasPrefSrc() ? d.source(r.prefSrcHi(), r.prefSrcLo()) : d;
    }

    /**
     * The route's answer (ip6_pol_route): the error of no route or a reject route, else local and
     * anycast routes through lo, others through their device to the gateway or the destination.
     * False when the lookup failed.
     */
    private boolean decide(Route6 r, long hi, long lo, RouteDecision6 d) {
        if (r == null) {
            d.fail(RouteType.UNREACHABLE, null, RouteError.NETWORK_UNREACHABLE);
            return false;
        }
        if (r.isReject()) {
            d.fail(r.type(), r, r.type().error());
            return false;
        }
        if (r.type() == RouteType.LOCAL || r.type() == RouteType.ANYCAST) d.set(r.type(), r, host.loopback(), hi, lo);
        else if (r.hasGateway()) d.set(r.type(), r, r.device(), r.gatewayHi(), r.gatewayLo());
        else d.set(r.type(), r, r.device(), hi, lo);
        return true;
    }

    /**
     * The xt_addrtype bits that hold for hi:lo (match_type6's facts): UNSPEC for ::, UNICAST and
     * MULTICAST from ipv6_addr_type, and match_lookup_rt6's LOCAL (an address of {@code dev}, or
     * with no device a local route), ANYCAST (ipv6_anycast_destination) and UNREACHABLE (no route,
     * or a reject route, which then is all the lookup says). With {@code dev} the lookup only takes
     * routes through it, so a reject route (through lo) is passed over for a shorter prefix.
     */
    int addressTypes(long hi, long lo, Interface dev) {
        int type = Inet6.type(hi, lo) & 0xffff;
        int bits = 0;
        if (type == Inet6.ANY) bits |= XT_UNSPEC;
        if ((type & Inet6.UNICAST) != 0) bits |= XT_UNICAST;
        if ((type & Inet6.MULTICAST) != 0) bits |= XT_MULTICAST;
        return bits | lookupTypes(hi, lo, dev);
    }

    private int lookupTypes(long hi, long lo, Interface dev) {
        int ret = dev != null && addrconf.chkAddr(hi, lo, dev, true) ? XT_LOCAL : 0;
        // ip6_route_output_flags: an output device with no source address makes the lookup strict
        Route6 r = fib.lookup(hi, lo, dev, dev != null);
        if (r == null || r.isReject()) return XT_UNREACHABLE; // nf_ip6_route's error
        if (dev == null && r.type() == RouteType.LOCAL) ret |= XT_LOCAL;
        if (r.type() == RouteType.ANYCAST
                || (r.prefixLength() < 127 && !r.hasGateway() && r.type() != RouteType.LOCAL && r.dstHi() == hi && r.dstLo() == lo)) {
            ret |= XT_ANYCAST;
        }
        return ret;
    }

    /** match_type6: MULTICAST, UNICAST and UNSPEC in the mask must all hold; LOCAL, ANYCAST, UNREACHABLE any one. */
    boolean addrtypeMatch(long hi, long lo, Interface dev, int mask) {
        int bits = addressTypes(hi, lo, dev);
        if ((mask & XT_MULTICAST) != 0 && (bits & XT_MULTICAST) == 0) return false;
        if ((mask & XT_UNICAST) != 0 && (bits & XT_UNICAST) == 0) return false;
        if ((mask & XT_UNSPEC) != 0 && (bits & XT_UNSPEC) == 0) return false;
        int lookup = XT_LOCAL | XT_ANYCAST | XT_UNREACHABLE;
        return (mask & lookup) == 0 || (mask & bits & lookup) != 0;
    }
}

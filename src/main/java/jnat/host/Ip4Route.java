package jnat.host;

/**
 * net/ipv4/route.c for the host: ip_route_output_key and ip_route_input_slow over the host's FIB
 * ({@link Host#fibLookup} through the policy rules), __mkroute_output's type fix-ups, the martian
 * checks, fib_result_prefsrc and an input route's tclassid. {@link Host} answers through it, as
 * {@link Ip6Route} answers for IPv6.
 */
final class Ip4Route {
    private static final int LOOPBACK_ADDR = 0x7f000001;
    private static final int ALL_HOSTS_GROUP = 0xe0000001;

    private final Host host;

    Ip4Route(Host host) {
        this.host = host;
    }

    /** {@link #routeOutput(int, int, int)} into a caller-owned decision, allocating nothing. */
    RouteDecision output(int dst, int src, int mark, RouteDecision d) {
        if (dst == 0) return d.set(RouteType.LOCAL, null, host.loopback(), LOOPBACK_ADDR, LOOPBACK_ADDR);
        Route r = host.fibLookup(dst, src, mark, host.loopback(), null, Scope.UNIVERSE);
        if (r == null) return d.fail(RouteType.UNREACHABLE, null, RouteError.NETWORK_UNREACHABLE);
        if (r.type().error() != null) return d.fail(r.type(), r, r.type().error());
        if (r.type() == RouteType.LOCAL) {
            return d.set(RouteType.LOCAL, r, host.loopback(), dst, r.prefSrc() != 0 ? r.prefSrc() : dst);
        }
        return mkroute(r, dst, d);
    }

    /**
     * ip_route_output_key for nf_dup_ipv4_route's flow: no source, mark 0, scope universe, and with
     * {@code oif} (flowi4_oif; null for none) only routes through that device, a down device
     * unreachable, and no route at all taken as on-link through it ("Apparently, routing tables
     * are wrong. Assume, that the destination is on link.").
     */
    RouteDecision output(int dst, Interface oif, RouteDecision d) {
        if (oif == null) return output(dst, 0, 0, d);
        if (!oif.isUp()) return d.fail(RouteType.UNREACHABLE, null, RouteError.NETWORK_UNREACHABLE);
        if (dst == 0) return d.set(RouteType.LOCAL, null, host.loopback(), LOOPBACK_ADDR, LOOPBACK_ADDR);
        Route r = host.fibLookup(dst, 0, 0, host.loopback(), oif, Scope.UNIVERSE);
        if (r == null) return d.set(RouteType.UNICAST, null, oif, dst, 0);
        if (r.type().error() != null) return d.fail(r.type(), r, r.type().error());
        if (r.type() == RouteType.LOCAL) {
            return d.set(RouteType.LOCAL, r, host.loopback(), dst, r.prefSrc() != 0 ? r.prefSrc() : dst);
        }
        return mkroute(r, dst, d);
    }

    /** __mkroute_output's type fix-ups: 255.255.255.255 is broadcast, 224/4 multicast, 0.0.0.0 invalid. */
    private RouteDecision mkroute(Route r, int dst, RouteDecision d) {
        RouteType type = r.type();
        if (Inet4.isLimitedBroadcast(dst)) type = RouteType.BROADCAST;
        else if (Inet4.isMulticast(dst)) type = RouteType.MULTICAST;
        else if (Inet4.isZeronet(dst)) return d.fail(RouteType.UNSPEC, r, RouteError.INVALID);
        // broadcast and multicast go to the destination itself, not through a gateway
        int nexthop = type == RouteType.UNICAST ? r.nexthopFor(dst) : dst;
        return d.set(type, r, r.device(), nexthop, fibResultPrefsrc(r));
    }

    /** ip_route_input_slow with the packet's mark, into a caller-owned decision, allocating nothing. */
    RouteDecision input(int dst, int src, Interface in, int mark, RouteDecision d) {
        if (Inet4.isMulticast(src) || Inet4.isLimitedBroadcast(src)) return d.fail(RouteType.UNSPEC, null, RouteError.MARTIAN_SOURCE);
        if (Inet4.isLimitedBroadcast(dst) || (src == 0 && dst == 0)) return d.set(RouteType.BROADCAST, null, host.loopback(), dst, 0);
        if (Inet4.isMulticast(dst)) {
            // only groups we joined are received (no multicast routing): every up device joins 224.0.0.1
            if (dst == ALL_HOSTS_GROUP && in.isUp()) return d.set(RouteType.MULTICAST, null, host.loopback(), dst, 0);
            return d.fail(RouteType.UNSPEC, null, RouteError.INVALID);
        }
        if (Inet4.isZeronet(src)) return d.fail(RouteType.UNSPEC, null, RouteError.MARTIAN_SOURCE);
        if (Inet4.isZeronet(dst)) return d.fail(RouteType.UNSPEC, null, RouteError.MARTIAN_DESTINATION);
        if (Inet4.isLoopback(dst)) return d.fail(RouteType.UNSPEC, null, RouteError.MARTIAN_DESTINATION);
        if (Inet4.isLoopback(src)) return d.fail(RouteType.UNSPEC, null, RouteError.MARTIAN_SOURCE);
        // fib_validate_source without rp_filter: one of our own addresses as the source (accept_local 0)
        if (host.isInterfaceAddress(src)) return d.fail(RouteType.UNSPEC, null, RouteError.MARTIAN_SOURCE);
        Route r = host.fibLookup(dst, src, mark, in, null, Scope.UNIVERSE);
        if (r == null) return d.fail(RouteType.UNREACHABLE, null, RouteError.NETWORK_UNREACHABLE);
        if (r.type().error() != null) return d.fail(r.type(), r, r.type().error());
        return switch (r.type()) {
            case BROADCAST -> d.set(RouteType.BROADCAST, r, host.loopback(), dst, r.prefSrc());
            case LOCAL -> d.set(RouteType.LOCAL, r, host.loopback(), dst, r.prefSrc() != 0 ? r.prefSrc() : dst);
            case UNICAST -> d.set(RouteType.UNICAST, r, r.device(), r.nexthopFor(dst), fibResultPrefsrc(r));
            default -> d.fail(RouteType.UNSPEC, r, RouteError.MARTIAN_DESTINATION);
        };
    }

    /**
     * rt->dst.tclassid of an input route (ip_route_input_slow): fib_validate_source's itag (the
     * route back to {@code src}, looked up from {@code dst} as if it came in on the route's out
     * device, lo for local delivery: fib_combine_itag makes its destination realm the source realm),
     * under a forwarded packet's own route realms (rt_set_nexthop, then set_class_tag fills what
     * they leave 0). The kernel skips the lookup while no route has realms; it would find 0 here too.
     */
    int inputClassid(RouteType type, Route route, Interface out, int src, int dst) {
        boolean forward = type == RouteType.UNICAST && route != null;
        Route back = host.fibLookup(src, dst, 0, forward && out != null ? out : host.loopback(), null, Scope.UNIVERSE);
        int itag = back == null || back.type().error() != null ? 0 : back.realms() << 16;
        if (!forward) return itag;
        int t = route.realms();
        if ((t & 0xFFFF) == 0) t |= itag & 0xFFFF;
        if ((t & 0xFFFF0000) == 0) t |= itag & 0xFFFF0000;
        return t;
    }

    /** fib_result_prefsrc: the route's src, else inet_select_addr(dev, gateway, route scope). */
    private int fibResultPrefsrc(Route r) {
        if (r.prefSrc() != 0) return r.prefSrc();
        return r.device() == null ? 0 : host.selectSourceAddress(r.device(), r.gateway(), r.scope());
    }
}

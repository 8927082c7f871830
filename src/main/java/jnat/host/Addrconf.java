package jnat.host;

import java.util.List;

/**
 * addrconf.c for one host: a device's IPv6 addresses and the routes the kernel adds for them,
 * link-local generation, what a link going up or down does, ipv6_chk_addr and source address
 * selection (ipv6_dev_get_saddr, RFC 6724).
 *
 * <p>The host forwards (net.ipv6.conf.all.forwarding=1, as a NAT host does), so every address of a
 * prefix shorter than /127 also gets the subnet-router anycast address (addrconf_join_anycast).
 * Duplicate address detection always succeeds at once (the kernel with accept_dad=0): an address is
 * usable, with its local and anycast routes, as soon as it is added, even to a device that is down;
 * its prefix route comes when the device is up.
 */
final class Addrconf {
    static final int IPV6_MIN_MTU = 1280;

    private final Host host;
    private final Ip6Fib fib;

    Addrconf(Host host, Ip6Fib fib) {
        this.host = host;
        this.fib = fib;
    }

    // ---- events ---------------------------------------------------------------------------------

    /**
     * NETDEV_UP (addrconf_notify): lo gets ::1 (init_loopback); another device first restores the
     * prefix routes of addresses added while it was down (addrconf_permanent_addr), gets the ff00::/8
     * route (addrconf_add_dev) and its link-local address (addrconf_addr_gen: fe80::/64 with the
     * EUI-64 of its MAC), then every address completes DAD.
     */
    void linkUp(Interface dev) {
        if (dev.mtu < IPV6_MIN_MTU) return; // ipv6_add_dev refuses the device
        if (dev.isLoopback()) {
            if (find(dev, 0, Inet6.LOOPBACK_LO) == null) link(new InterfaceAddress6(dev, 0, Inet6.LOOPBACK_LO, 128, 0, 0));
        } else {
            for (InterfaceAddress6 a : List.copyOf(dev.addresses6)) {
                if (!a.noPrefixRoute()) prefixRoute(a);
            }
            multicastRoute(dev);
            if (dev.addrGenEui64) {
                if (dev.hasMac()) {
                    long iid = Inet6.eui64(dev.macBits());
                    if (find(dev, Inet6.LINK_LOCAL_HI, iid) == null) { // addrconf_add_linklocal
                        InterfaceAddress6 ll = new InterfaceAddress6(dev, Inet6.LINK_LOCAL_HI, iid, 64, 0, 0);
                        link(ll);
                        prefixRoute(ll);
                    }
                } else {
                    // a layer-3 device would get a random interface id (IN6_ADDR_GEN_MODE_RANDOM),
                    // which no model can predict: only its prefix route is kept
                    fib.addKernel(kernelRoute(Route.TABLE_MAIN, RouteType.UNICAST, Inet6.LINK_LOCAL_HI, 0, 64, dev, Route6.PRIO_ADDRCONF));
                }
            }
        }
        for (InterfaceAddress6 a : List.copyOf(dev.addresses6)) dadCompleted(a);
    }

    /** NETDEV_DOWN (addrconf_ifdown, keep_addr_on_down=0): every address goes, and every route through the device. */
    void linkDown(Interface dev) {
        dev.addresses6.clear();
        fib.removeIf(r -> r.device() == dev);
    }

    // ---- addresses ------------------------------------------------------------------------------

    /** inet6_addr_add: the address, its ff00::/8 and prefix routes, then (DAD done) its local and anycast routes. */
    void addAddress(InterfaceAddress6 ifa) {
        Interface dev = ifa.device();
        if (dev.mtu < IPV6_MIN_MTU) throw new HostException("RTNETLINK answers: Invalid argument (IPv6 needs an MTU of at least 1280)");
        int type = Inet6.type(ifa.hi(), ifa.lo()); // ipv6_add_addr's checks, with their extack messages
        if (type == Inet6.ANY) throw new HostException("Error: ipv6: Invalid address.");
        if ((type & Inet6.MULTICAST) != 0) throw new HostException("Error: ipv6: Cannot assign multicast address without \"IFA_F_MCAUTOJOIN\" flag.");
        if (!dev.isLoopback() && (type & Inet6.LOOPBACK) != 0) throw new HostException("Error: ipv6: Cannot assign loopback address on this device.");
        if (find(dev, ifa.hi(), ifa.lo()) != null) throw new HostException("Error: ipv6: address already assigned.");
        if (!dev.isUp()) {
            // no prefix or multicast route through a device that is down (NETDEV_UP adds them);
            // with DAD done at once the address is usable and has its local routes already
            link(ifa);
            dadCompleted(ifa);
            return;
        }
        if (!dev.isLoopback()) multicastRoute(dev);
        link(ifa);
        if (!ifa.noPrefixRoute()) prefixRoute(ifa);
        dadCompleted(ifa);
    }

    /** ipv6_link_dev_addr: the list is sorted by scope, wider first; a new address goes before others of its scope. */
    private void link(InterfaceAddress6 ifa) {
        List<InterfaceAddress6> list = ifa.device().addresses6;
        int scope = Inet6.srcScope(Inet6.type(ifa.hi(), ifa.lo()));
        int i = 0;
        while (i < list.size() && scope < Inet6.srcScope(Inet6.type(list.get(i).hi(), list.get(i).lo()))) i++;
        list.add(i, ifa);
    }

    private static InterfaceAddress6 find(Interface dev, long hi, long lo) {
        for (InterfaceAddress6 a : dev.addresses6) if (a.is(hi, lo)) return a;
        return null;
    }

    /** addrconf_dad_completed → __ipv6_ifa_notify(RTM_NEWADDR): the local route, and the anycast one when forwarding. */
    private void dadCompleted(InterfaceAddress6 a) {
        a.flags &= ~InterfaceAddress6.IFA_F_TENTATIVE;
        fib.addKernel(kernelRoute(Route.TABLE_LOCAL, RouteType.LOCAL, a.hi(), a.lo(), 128, a.device(), 0));
        // addrconf_join_anycast: not for /127 and /128 (RFC 6164), nor for the prefix ::
        if (a.prefixLength() < 127 && (a.prefixHi() | a.prefixLo()) != 0) {
            fib.addKernel(kernelRoute(Route.TABLE_LOCAL, RouteType.ANYCAST, a.prefixHi(), a.prefixLo(), 128, a.device(), 0));
        }
    }

    /** addrconf_prefix_route: the address's prefix in main, metric 256 unless the address has one. */
    private void prefixRoute(InterfaceAddress6 a) {
        int metric = a.routeMetric() != 0 ? a.routeMetric() : Route6.PRIO_ADDRCONF;
        fib.addKernel(kernelRoute(Route.TABLE_MAIN, RouteType.UNICAST, a.hi(), a.lo(), a.prefixLength(), a.device(), metric));
    }

    /** addrconf_add_mroute: ff00::/8 through the device, in table local. */
    private void multicastRoute(Interface dev) {
        fib.addKernel(kernelRoute(Route.TABLE_LOCAL, RouteType.MULTICAST, 0xff00_0000_0000_0000L, 0, 8, dev, Route6.PRIO_ADDRCONF));
    }

    private static Route6 kernelRoute(int table, RouteType type, long hi, long lo, int plen, Interface dev, int metric) {
        return new Route6(table, type, hi, lo, plen, 0, 0, dev, 0, 0, metric, Route.PROTO_KERNEL, false);
    }

    // ---- queries --------------------------------------------------------------------------------

    /**
     * ipv6_chk_addr_and_flags: is hi:lo a usable (not tentative) address of {@code dev}? Unless
     * {@code strict}, an address wider than link scope counts on any device; a null dev means any.
     */
    boolean chkAddr(long hi, long lo, Interface dev, boolean strict) {
        List<Interface> devs = host.interfacesRaw();
        for (int i = 0, n = devs.size(); i < n; i++) {
            List<InterfaceAddress6> as = devs.get(i).addresses6;
            for (int j = 0, m = as.size(); j < m; j++) {
                InterfaceAddress6 a = as.get(j);
                if (!a.is(hi, lo) || a.isTentative()) continue;
                if (dev == null || a.device() == dev || (!strict && a.scope() != Scope.LINK && a.scope() != Scope.HOST)) return true;
            }
        }
        return false;
    }

    /**
     * ipv6_dev_get_saddr(net, dstDev, dst): the best source address by RFC 6724's rules in the
     * kernel's order (same address, scope, outgoing interface, label, ORCHID, longest matching
     * prefix up to the address's prefix length); on a tie the first candidate (devices in ifindex
     * order, each in its list order) stays. Only dstDev's addresses for a multicast or link-local
     * destination. Null when there is no candidate.
     */
    InterfaceAddress6 selectSource(Interface dstDev, long hi, long lo) {
        int dstType = Inet6.type(hi, lo);
        int dstScope = Inet6.srcScope(dstType);
        boolean oifOnly = dstDev != null && ((dstType & Inet6.MULTICAST) != 0 || dstScope <= Inet6.SCOPE_LINKLOCAL);
        int label = Inet6.label(hi, lo);
        InterfaceAddress6 best = null;
        if (oifOnly) return scan(dstDev, null, dstDev, hi, lo, dstScope, label);
        List<Interface> devs = host.interfacesRaw();
        for (int i = 0, n = devs.size(); i < n; i++) best = scan(devs.get(i), best, dstDev, hi, lo, dstScope, label);
        return best;
    }

    private static InterfaceAddress6 scan(Interface dev, InterfaceAddress6 best, Interface dstDev, long hi, long lo, int dstScope, int label) {
        List<InterfaceAddress6> as = dev.addresses6;
        for (int j = 0, m = as.size(); j < m; j++) {
            InterfaceAddress6 a = as.get(j);
            if (a.isTentative()) continue;
            if (best == null || better(a, best, dstDev, hi, lo, dstScope, label)) best = a;
        }
        return best;
    }

    /** __ipv6_dev_get_saddr's rule loop: does {@code a} beat {@code b}? The first rule that differs decides. */
    private static boolean better(InterfaceAddress6 a, InterfaceAddress6 b, Interface dstDev, long hi, long lo, int dstScope, int label) {
        int d = Boolean.compare(a.is(hi, lo), b.is(hi, lo)); // rule 1: same address
        if (d != 0) return d > 0;
        d = Integer.compare(scopeScore(a, dstScope), scopeScore(b, dstScope)); // rule 2: appropriate scope
        if (d != 0) return d > 0;
        // rules 3 (deprecated), 4 (home address) and 7 (temporary) never differ here: no such addresses
        d = Boolean.compare(dstDev == null || a.device() == dstDev, dstDev == null || b.device() == dstDev); // rule 5
        if (d != 0) return d > 0;
        d = Boolean.compare(Inet6.label(a.hi(), a.lo()) == label, Inet6.label(b.hi(), b.lo()) == label); // rule 6
        if (d != 0) return d > 0;
        boolean orchid = Inet6.isOrchid(hi);
        d = Boolean.compare(Inet6.isOrchid(a.hi()) == orchid, Inet6.isOrchid(b.hi()) == orchid); // rule 8a: ORCHID
        if (d != 0) return d > 0;
        return matchLength(a, hi, lo) > matchLength(b, hi, lo); // rule 8: longest matching prefix
    }

    /** IPV6_SADDR_RULE_SCOPE: a scope at least the destination's scores -scope, a narrower one scope - 128. */
    private static int scopeScore(InterfaceAddress6 a, int dstScope) {
        int s = Inet6.srcScope(Inet6.type(a.hi(), a.lo()));
        return s >= dstScope ? -s : s - 128;
    }

    private static int matchLength(InterfaceAddress6 a, long hi, long lo) {
        return Math.min(Inet6.commonPrefix(a.hi(), a.lo(), hi, lo), a.prefixLength());
    }
}

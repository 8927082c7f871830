package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.RouteResult;

import java.util.Arrays;

/**
 * The routes and neighbours the packet path keeps (route.c's cached dst in the nexthop, and the
 * nexthop's neighbour): the FIB walk, source selection and arp_constructor's address type run
 * once per destination, not per packet. Both caches empty when the host's genid moves, as
 * rt_genid kills cached routes.
 */
final class RouteCache {
    // A direct-mapped cache of input routes by destination.
    private static final int ROUTE_CACHE_BITS = 12;
    private static final int NEIGH_CACHE_BITS = ROUTE_CACHE_BITS; // a neighbour for each route the cache can hold

    private final Host host;
    private final int[] routeCacheDst = new int[1 << ROUTE_CACHE_BITS];
    private final RouteResult[] routeCache = new RouteResult[1 << ROUTE_CACHE_BITS];
    /** The nexthop's link-layer address per output device and nexthop. */
    private final int[] neighCacheNexthop = new int[1 << NEIGH_CACHE_BITS];
    private final Interface[] neighCacheDev = new Interface[1 << NEIGH_CACHE_BITS];
    private final long[] neighCacheMac = new long[1 << NEIGH_CACHE_BITS];
    /**
     * With policy routing rules the route depends on the source, the mark and the device too: a
     * second direct-mapped cache keyed by all four (the lookup is a function of them and the genid).
     */
    private final int[] ruleDst = new int[1 << ROUTE_CACHE_BITS], ruleSrc = new int[1 << ROUTE_CACHE_BITS],
            ruleMark = new int[1 << ROUTE_CACHE_BITS];
    private final Interface[] ruleIn = new Interface[1 << ROUTE_CACHE_BITS];
    private final RouteResult[] ruleRoute = new RouteResult[1 << ROUTE_CACHE_BITS];
    /** A miss's route lookup writes here (Host.routeInput's caller-owned form), then becomes the cached result. */
    private final jnat.host.RouteDecision decision = new jnat.host.RouteDecision();
    /**
     * Results a miss made, by content: destinations behind one gateway share one object, so a
     * packet's route store rewrites the same reference (PacketState.setRoute skips it: no barrier).
     */
    private final RouteResult[] interned = new RouteResult[1 << 6];
    /** The host's genid the caches were filled in; another one empties them. */
    private int cacheGenid;

    /** The neighbours the host resolves itself (arp_tbl's and nd_tbl's dynamic entries), consulted after the host file's. */
    private final NeighTable neigh4, neigh6;

    RouteCache(Host host, NeighTable neigh4, NeighTable neigh6) {
        this.host = host;
        this.neigh4 = neigh4;
        this.neigh6 = neigh6;
        hostChanged();
    }

    NeighTable neigh4() {
        return neigh4;
    }

    NeighTable neigh6() {
        return neigh6;
    }

    /** Forgets cached routes and neighbours. */
    void hostChanged() {
        int n = 0;
        for (jnat.host.Interface i : host.interfaces()) n += i.addresses().size();
        int[] own = new int[n];
        n = 0;
        for (jnat.host.Interface i : host.interfaces()) for (jnat.host.InterfaceAddress a : i.addresses()) own[n++] = a.local();
        ownAddresses = own;
        Arrays.fill(routeCache, null);
        Arrays.fill(ruleRoute, null);
        Arrays.fill(neighCacheDev, null);
        Arrays.fill(interned, null);
        cacheGenid = host.genid();
    }

    private void checkGenid() {
        if (host.genid() != cacheGenid) hostChanged();
    }

    /** The devices' addresses, as of {@link #cacheGenid}: a source among them is a martian (fib_validate_source). */
    private int[] ownAddresses = new int[0];

    /** ip_route_input_noref: martian checks on the slow path, a cached route for a plain source. */
    RouteResult input(int dst, int src, Interface in) {
        return input(dst, src, in, 0);
    }

    /** ip_route_input_noref with the packet's mark: by destination, or with rules by all four keys. */
    RouteResult input(int dst, int src, Interface in, int mark) {
        if (host.rules().custom()) return ruleInput(dst, src, in, mark);
        int srcTop = src >>> 24;
        boolean plainSource = srcTop != 0 && srcTop != 127 && (src >>> 28) != 0xe && src != -1;
        if (!plainSource || dst == 0) return host.routeInput(dst, src, in);
        checkGenid();
        for (int a : ownAddresses) if (a == src) return host.routeInput(dst, src, in);
        int slot = (dst * 0x9E3779B1) >>> (32 - ROUTE_CACHE_BITS);
        RouteResult r = routeCache[slot];
        if (r != null && routeCacheDst[slot] == dst) return r;
        r = result(host.routeInput(dst, src, in, 0, decision), dst); // at most one object a miss makes: what it caches
        if (!r.isError()) {
            routeCache[slot] = r;
            routeCacheDst[slot] = dst;
        }
        return r;
    }

    private RouteResult ruleInput(int dst, int src, Interface in, int mark) {
        checkGenid();
        int slot = ((dst * 0x9E3779B1) ^ (src * 0x85EBCA6B) ^ (mark * 0xC2B2AE35) ^ in.index()) >>> (32 - ROUTE_CACHE_BITS);
        RouteResult r = ruleRoute[slot];
        if (r != null && ruleDst[slot] == dst && ruleSrc[slot] == src && ruleMark[slot] == mark && ruleIn[slot] == in) return r;
        r = result(host.routeInput(dst, src, in, mark, decision), dst);
        if (!r.isError()) {
            ruleRoute[slot] = r;
            ruleDst[slot] = dst;
            ruleSrc[slot] = src;
            ruleMark[slot] = mark;
            ruleIn[slot] = in;
        }
        return r;
    }

    /**
     * A miss's decision as a result: the one equal to it a miss made before (same FIB entry, device,
     * next hop, source), found before anything is allocated, else a new one. A destination on the
     * link is its own next hop: its result is not shared, and it stays out of the table so as not to
     * evict a gateway's.
     */
    private RouteResult result(jnat.host.RouteDecision d, int dst) {
        if (d.isError() || d.nexthop() == dst) return d.toResult();
        int h = (System.identityHashCode(d.route()) * 31 + System.identityHashCode(d.out())) * 31 + d.nexthop() * 0x9E3779B1 + d.source();
        int slot = (h * 0x85EBCA6B) >>> (32 - 6);
        RouteResult seen = interned[slot];
        if (seen != null && seen.type() == d.type() && seen.route() == d.route() && seen.out() == d.out()
                && seen.nexthop() == d.nexthop() && seen.source() == d.source()) return seen;
        return interned[slot] = d.toResult();
    }

    /** ip_route_output_key (not cached: the host's own packets are few). */
    RouteResult output(int dst) {
        return host.routeOutput(dst);
    }

    /** ip_route_me_harder's lookup: the packet's source and mark (the rules' from and fwmark). */
    RouteResult output(int dst, int src, int mark) {
        return host.routeOutput(dst, src, mark);
    }

    /**
     * The nexthop's neighbour (Host.linkAddress) through the cache, then an entry the host resolved
     * itself (not cached); unresolved addresses are not cached.
     */
    long linkAddress(Interface out, int nexthop) {
        checkGenid();
        int slot = (nexthop * 0x9E3779B1) >>> (32 - NEIGH_CACHE_BITS);
        if (neighCacheDev[slot] == out && neighCacheNexthop[slot] == nexthop) return neighCacheMac[slot];
        long mac = host.linkAddress(out, nexthop);
        if (mac != Interface.NO_MAC) {
            neighCacheDev[slot] = out;
            neighCacheNexthop[slot] = nexthop;
            neighCacheMac[slot] = mac;
            return mac;
        }
        return out.hasMac() ? neigh4.resolved(out, 0, nexthop & 0xffff_ffffL) : mac;
    }

    /**
     * An IPv6 next hop's neighbour (Host.linkAddress6, then an entry the host resolved itself; not
     * cached yet: the host's list is walked).
     */
    long linkAddress6(Interface out, long hi, long lo) {
        long mac = host.linkAddress6(out, hi, lo);
        return mac != Interface.NO_MAC || !out.hasMac() ? mac : neigh6.resolved(out, hi, lo);
    }
}

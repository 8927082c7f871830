package jnat.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The network side of one Linux host: its devices with their IPv4 addresses, the FIB (tables local,
 * main, default, looked up in that order as the default rules do), and the neighbour table; and
 * the same for IPv6 ({@code Addrconf}, {@code Ip6Fib}, {@code Ip6Route}: tables local then main).
 *
 * <p>Changes behave as the kernel's do: adding an address adds its local-table routes and the
 * subnet route (fib_add_ifaddr), bringing a link down removes the routes through it except the
 * local ones (fib_sync_down_dev), a gateway must be reachable on a link (fib_check_nh). Queries
 * answer as the kernel would: {@link #routeOutput}, {@link #routeInput}, {@link #addressType},
 * {@link #selectSourceAddress}, {@link #linkAddress}.
 *
 * <p>IPv6 addresses are ({@code hi}, {@code lo}) pairs of longs in network order, as
 * {@link jnat.wire.Ipv6Address} holds them, so lookups allocate nothing.
 *
 * <p>A new host has {@code lo} (index 1, up, 127.0.0.1/8 and ::1/128) like every network namespace once lo is up.
 */
public final class Host {
    private static final int[] RULE_TABLES = {Route.TABLE_LOCAL, Route.TABLE_MAIN, Route.TABLE_DEFAULT};

    /** Lookup order: longest prefix first, then lowest metric, then the order routes were added. */
    private static final int LOOPBACK_ADDR = 0x7f000001;
    private static final Comparator<Route> LOOKUP_ORDER = Comparator
            .comparingInt((Route r) -> -r.prefixLength())
            .thenComparingLong(r -> Integer.toUnsignedLong(r.metric()))
            .thenComparingLong(r -> r.seq);

    /** Dump order (ip route show): table, then the trie's key order, longer prefix first for a key. */
    private static final Comparator<Route> DUMP_ORDER = Comparator
            .comparingInt(Route::table)
            .thenComparingLong(r -> Integer.toUnsignedLong(r.dst()))
            .thenComparingInt(r -> -r.prefixLength())
            .thenComparingLong(r -> Integer.toUnsignedLong(r.metric()))
            .thenComparingLong(r -> r.seq);

    private final List<Interface> interfaces = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private Route[] lookupOrder = new Route[0];
    private final List<Neighbour> neighbours = new ArrayList<>();
    private final List<Neighbour6> neighbours6 = new ArrayList<>();
    private final NeighbourIndex neighbourIndex = new NeighbourIndex(), neighbourIndex6 = new NeighbourIndex();
    private final FibRules rules4 = new FibRules(4);
    private final FibRules rules6 = new FibRules(6);
    private final Ip6Fib fib6 = new Ip6Fib(rules6);
    private final Addrconf addrconf = new Addrconf(this, fib6);
    private final Ip6Route route6 = new Ip6Route(this, fib6, addrconf);
    private final Ip4Route route4 = new Ip4Route(this);
    /** Bumped by every change of links, addresses, routes or neighbours (the kernel's rt_genid). */
    private int genid;
    private final Interface loopback;
    private int nextIndex = 1;
    private long routeSeq;
    /** CLOCK_REALTIME minus the engine's clock, in ns (0: the engine's clock is the real time, as a replay's is). */
    private long realtimeOffset;
    /** The kernel's timezone (sys_tz.tz_minuteswest, set by settimeofday; 0 unless set). */
    private int tzMinutesWest;

    /** CLOCK_REALTIME minus the engine's clock, in nanoseconds: -m time reads the real time through it. */
    public long realtimeOffset() {
        return realtimeOffset;
    }

    public void setRealtimeOffset(long ns) {
        this.realtimeOffset = ns;
    }

    /** sys_tz.tz_minuteswest: what -m time --kerneltz subtracts. */
    public int tzMinutesWest() {
        return tzMinutesWest;
    }

    public void setTzMinutesWest(int minutes) {
        this.tzMinutesWest = minutes;
    }

    public Host() {
        loopback = addLink("lo", "loopback");
        loopback.mtu = 65536;
        addAddress(new InterfaceAddress(loopback, LOOPBACK_ADDR, 8, 0, Scope.HOST, null, false, 0));
        setUp(loopback, true);
    }

    // ---- loading ----------------------------------------------------------------------------

    /** Reads a host file of ip(8) commands; errors are {@link HostFileException}s naming the line. */
    public static Host fromFile(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) { // its own message is "Input length = 1"
            throw new IOException("not a text file (invalid UTF-8)", e);
        }
        return HostFile.parse(text, file.toString());
    }

    /** Reads a host file from the classpath, e.g. {@code "/hosts/seed-docker-host.ip"}. */
    public static Host fromResource(String name) {
        String path = name.startsWith("/") ? name : "/" + name;
        try (InputStream in = Host.class.getResourceAsStream(path)) {
            if (in == null) throw new HostException("no such host resource: " + name);
            return HostFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), path.substring(1));
        } catch (IOException e) {
            throw new HostException("cannot read host resource " + name + ": " + e.getMessage());
        }
    }

    /** Parses host-file text; {@code fileName} is used in error messages. */
    public static Host parse(String text, String fileName) {
        return HostFile.parse(text, fileName);
    }

    // ---- devices ----------------------------------------------------------------------------

    public List<Interface> interfaces() {
        return Collections.unmodifiableList(interfaces);
    }

    /** The device named {@code name}, or null. */
    public Interface device(String name) {
        for (Interface i : interfaces) if (i.name().equals(name)) return i;
        return null;
    }

    /**
     * The generation of this host's configuration: it changes whenever a link, address, route or
     * neighbour does, so a cache of lookups is valid while the generation it was filled in is
     * (rt_genid_ipv4: cached routes die when it is bumped).
     */
    public int genid() {
        return genid;
    }

    /** The devices in ifindex order, for indexed loops on the per-packet path. */
    List<Interface> interfacesRaw() {
        return interfaces;
    }

    /** The device with ifindex {@code index}, or null. */
    public Interface deviceByIndex(int index) {
        for (Interface i : interfaces) if (i.index() == index) return i;
        return null;
    }

    public Interface loopback() {
        return loopback;
    }

    /** Creates a device (ip link add NAME type TYPE); a new device is down, MTU 1500, with no MAC. */
    public Interface addLink(String name, String type) {
        genid++;
        if (device(name) != null) throw new HostException("RTNETLINK answers: File exists");
        if (name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
            throw new HostException("\"" + name + "\" is not a valid ifname");
        }
        Interface dev = new Interface(nextIndex++, name, type, 1500);
        interfaces.add(dev);
        return dev;
    }

    /** ip link set DEV group N (dev_set_group: nothing else changes, no route or address moves). */
    public void setGroup(Interface dev, int group) {
        genid++;
        dev.group = group;
    }

    /** ip link set DEV address MAC. TUN and loopback devices have no link-layer address to set. */
    public void setMac(Interface dev, long mac) {
        genid++;
        if (dev.isLoopback() || "tun".equals(dev.type())) {
            throw new HostException("RTNETLINK answers: Operation not supported (" + dev.type() + " has no link-layer address)");
        }
        // is_valid_ether_addr: not multicast, not all-zero
        if (mac == 0 || (mac & 0x0100_0000_0000L) != 0) throw new HostException("RTNETLINK answers: Cannot assign requested address");
        dev.mac = mac;
    }

    /** ip link set DEV mtu N (68 .. 65535 as for Ethernet devices). */
    public void setMtu(Interface dev, int mtu) {
        genid++;
        int old = dev.mtu;
        if (mtu < 68 || mtu > 65535) throw new HostException("RTNETLINK answers: Invalid argument (mtu " + mtu + ")");
        dev.mtu = mtu;
        // NETDEV_CHANGEMTU: below IPV6_MIN_MTU IPv6 stops on the device; back above it starts as on NETDEV_UP
        if (mtu < Addrconf.IPV6_MIN_MTU) ipv6Down(dev);
        else if (old < Addrconf.IPV6_MIN_MTU && dev.up) addrconf.linkUp(dev);
    }

    /** ip link set DEV addrgenmode eui64|none: whether the device's next NETDEV_UP makes a link-local address. */
    public void setAddrGenMode(Interface dev, boolean eui64) {
        genid++;
        dev.addrGenEui64 = eui64;
    }

    private void ipv6Down(Interface dev) {
        addrconf.linkDown(dev);
        if (neighbours6.removeIf(n -> n.device() == dev)) {
            neighbourIndex6.clear();
            for (int i = 0; i < neighbours6.size(); i++) {
                Neighbour6 e = neighbours6.get(i);
                neighbourIndex6.add(e.device(), e.hi(), e.lo(), i);
            }
        }
    }

    /** ip link set DEV up|down, with the kernel's route changes (fib_netdev_event). */
    public void setUp(Interface dev, boolean up) {
        genid++;
        if (dev.up == up) return;
        dev.up = up;
        if (up) {
            for (InterfaceAddress a : List.copyOf(dev.addresses)) fibAddIfaddr(a);
            addrconf.linkUp(dev);
        } else {
            ipv6Down(dev);
            // fib_sync_down_dev + fib_flush: every nexthop through dev dies except host-scope (local) ones
            routes.removeIf(r -> r.device() == dev && r.scope() != Scope.HOST);
            if (neighbours.removeIf(n -> n.device() == dev)) { // neigh_ifdown flushes permanent entries too
                neighbourIndex.clear();
                for (int i = 0; i < neighbours.size(); i++) {
                    Neighbour e = neighbours.get(i);
                    neighbourIndex.add(e.device(), 0, e.address() & 0xffff_ffffL, i);
                }
            }
            rebuildLookupOrder();
        }
    }

    // ---- addresses --------------------------------------------------------------------------

    /**
     * ip addr add (__inet_insert_ifa): an address in the subnet of an existing one (same mask)
     * becomes secondary; a primary goes after the last primary of no smaller scope.
     */
    public void addAddress(InterfaceAddress ifa) {
        genid++;
        Interface dev = ifa.device();
        if (ifa.local() == 0) return; // the kernel silently ignores 0.0.0.0
        int lastPrimary = 0;
        boolean secondary = false;
        for (int i = 0; i < dev.addresses.size(); i++) {
            InterfaceAddress a = dev.addresses.get(i);
            if (!a.isSecondary() && ifa.scope() <= a.scope()) lastPrimary = i + 1;
            if (a.mask() == ifa.mask() && ifa.contains(a.local())) {
                if (a.local() == ifa.local()) throw new HostException("RTNETLINK answers: File exists");
                if (a.scope() != ifa.scope()) throw new HostException("RTNETLINK answers: Invalid argument (scope differs from "
                        + Inet4.format(a.local()) + "/" + a.prefixLength() + ")");
                secondary = true;
            }
        }
        ifa.secondary = secondary;
        if (secondary) dev.addresses.add(ifa);
        else dev.addresses.add(lastPrimary, ifa);
        fibAddIfaddr(ifa);
    }

    /** fib_add_ifaddr: the routes the kernel adds for an address (fib_frontend.c). */
    private void fibAddIfaddr(InterfaceAddress ifa) {
        Interface dev = ifa.device();
        InterfaceAddress prim = ifa;
        int mask = ifa.mask(), addr = ifa.local(), prefix = ifa.prefix();
        if (ifa.isSecondary()) {
            prim = null;
            for (InterfaceAddress a : dev.addresses) {
                if (a.mask() == mask && a.contains(prefix)) { prim = a; break; }
            }
            if (prim == null) return;
        }
        fibMagic(RouteType.LOCAL, addr, 32, prim, 0);
        if (!dev.isUp()) return;
        if (ifa.broadcast() != 0 && ifa.broadcast() != -1) fibMagic(RouteType.BROADCAST, ifa.broadcast(), 32, prim, 0);
        if (!Inet4.isZeronet(prefix) && !ifa.isSecondary() && (prefix != addr || ifa.prefixLength() < 32)) {
            if (!ifa.noPrefixRoute()) {
                fibMagic(dev.isLoopback() ? RouteType.LOCAL : RouteType.UNICAST, prefix, ifa.prefixLength(), prim, ifa.routeMetric());
            }
            if (ifa.prefixLength() < 31) fibMagic(RouteType.BROADCAST, prefix | ~mask, 32, prim, 0);
        }
    }

    /** fib_magic: a proto kernel route, unicast ones in main, the rest in local; appended, duplicates dropped. */
    private void fibMagic(RouteType type, int dst, int plen, InterfaceAddress prim, int metric) {
        int table = type == RouteType.UNICAST ? Route.TABLE_MAIN : Route.TABLE_LOCAL;
        int scope = type != RouteType.LOCAL ? Scope.LINK : Scope.HOST;
        Route r = new Route(table, type, dst, plen, 0, prim.device(), prim.local(), metric, Route.PROTO_KERNEL, scope, false);
        for (Route e : routes) if (e.sameAs(r)) return;
        insert(r);
    }

    // ---- routes -----------------------------------------------------------------------------

    /** How {@link #addRoute} treats an existing route with the same prefix and metric. */
    public enum RouteMode { ADD, REPLACE, APPEND }

    /** All routes of all tables in ip route show's order. */
    public List<Route> routes() {
        List<Route> all = new ArrayList<>(routes);
        all.sort(DUMP_ORDER);
        return all;
    }

    /** The routes of one table in ip route show's order. */
    public List<Route> routes(int table) {
        return routes().stream().filter(r -> r.table() == table).toList();
    }

    /** ip route add|replace|append, with the kernel's checks (fib_create_info, fib_check_nh). */
    public void addRoute(Route route, RouteMode mode) {
        genid++;
        Route r = route;
        if (r.prefixLength() < 32 && (r.dst() & ~Inet4.mask(r.prefixLength())) != 0) {
            throw new HostException("Error: Invalid prefix for given prefix length.");
        }
        RouteType type = r.type();
        if (type.error() != null) {
            if (r.gateway() != 0 || r.device() != null) {
                throw new HostException("Error: Gateway, device and multipath can not be specified for this route type.");
            }
        } else if (r.scope() == Scope.HOST) {
            if (r.gateway() != 0) throw new HostException("Error: Route with host scope can not have a gateway.");
            if (r.device() == null) throw new HostException("Error: Nexthop device required.");
        } else if (r.scope() > Scope.HOST) {
            throw new HostException("Error: Invalid scope.");
        } else if (r.gateway() != 0) {
            r = checkGateway(r);
        } else {
            if (r.device() == null) throw new HostException("Error: Nexthop device required.");
            if (!r.device().isUp()) throw new HostException("Error: Device for nexthop is not up.");
        }
        if (r.prefSrc() != 0 && !(type == RouteType.LOCAL && r.prefSrc() == r.dst())
                && addressType(r.prefSrc(), null) != RouteType.LOCAL) {
            throw new HostException("Error: Invalid prefsrc address.");
        }
        Route same = null;
        for (Route e : lookupOrder) {
            if (e.table() == r.table() && e.dst() == r.dst() && e.prefixLength() == r.prefixLength() && e.metric() == r.metric()) {
                if (mode == RouteMode.APPEND && e.sameAs(r)) throw new HostException("RTNETLINK answers: File exists");
                if (same == null) same = e;
            }
        }
        if (same != null && mode == RouteMode.ADD) throw new HostException("RTNETLINK answers: File exists");
        if (same != null && mode == RouteMode.REPLACE) {
            routes.remove(same);
            r.seq = same.seq;
            routes.add(r);
            rebuildLookupOrder();
            return;
        }
        insert(r);
    }

    /** fib_check_nh_v4_gw: the gateway must be on a link (a route of scope link or host reaches it). */
    private Route checkGateway(Route r) {
        if (r.onlink()) {
            if (r.device() == null) throw new HostException("Error: Nexthop device required for onlink.");
            if (!r.device().isUp()) throw new HostException("Error: Nexthop device is not up.");
            return r;
        }
        Route via = fibLookup(r.gateway(), r.scope() + 1, r.device());
        if (via == null || (via.type() != RouteType.UNICAST && via.type() != RouteType.LOCAL)) {
            throw new HostException("Error: Nexthop has invalid gateway.");
        }
        Interface dev = via.device();
        if (r.device() != null && r.device() != dev) throw new HostException("Error: Nexthop has invalid gateway.");
        if (!dev.isUp()) throw new HostException("RTNETLINK answers: Network is down");
        Route resolved = r.withDevice(dev);
        resolved.nhScope = via.scope() == Scope.HOST ? Scope.HOST : Scope.LINK;
        return resolved;
    }

    private void insert(Route r) {
        r.seq = routeSeq++;
        routes.add(r);
        rebuildLookupOrder();
    }

    private void rebuildLookupOrder() {
        Route[] a = routes.toArray(new Route[0]);
        java.util.Arrays.sort(a, LOOKUP_ORDER);
        lookupOrder = a;
    }

    // ---- neighbours -------------------------------------------------------------------------

    public List<Neighbour> neighbours() {
        return Collections.unmodifiableList(neighbours);
    }

    /** ip neigh add|replace ADDR lladdr MAC dev DEV nud STATE. */
    public void addNeighbour(Neighbour n, boolean replace) {
        genid++;
        if (!n.device().hasMac()) {
            throw new HostException("device " + n.device().name() + " has no link-layer address (layer 3 only): no neighbours");
        }
        int i = neighbourIndex.find(n.device(), 0, n.address() & 0xffff_ffffL);
        if (i >= 0) {
            if (!replace) throw new HostException("RTNETLINK answers: File exists");
            neighbours.set(i, n);
            return;
        }
        neighbourIndex.add(n.device(), 0, n.address() & 0xffff_ffffL, neighbours.size());
        neighbours.add(n);
    }

    /** The neighbour entry for {@code addr} on {@code dev}, or null. */
    public Neighbour neighbour(Interface dev, int addr) {
        int i = neighbourIndex.find(dev, 0, addr & 0xffff_ffffL);
        return i < 0 ? null : neighbours.get(i);
    }

    /**
     * The destination MAC for a frame to {@code nexthop} on {@code dev} (arp_constructor): the
     * broadcast MAC for a broadcast address, 01:00:5e + 23 bits for multicast (arp_mc_map), else the
     * neighbour entry's. {@link Interface#NO_MAC} when unresolved or the device is layer 3 only.
     */
    public long linkAddress(Interface dev, int nexthop) {
        if (!dev.hasMac()) return Interface.NO_MAC;
        RouteType t = addressType(nexthop, dev);
        if (t == RouteType.MULTICAST) return 0x01005e000000L | (nexthop & 0x7fffff);
        if (t == RouteType.BROADCAST) return 0xffffffffffffL;
        Neighbour n = neighbour(dev, nexthop);
        return n == null ? Interface.NO_MAC : n.mac();
    }

    // ---- lookups ----------------------------------------------------------------------------

    /** fib_table_lookup: the longest-prefix, lowest-metric route of {@code table} (error types included). */
    private Route tableLookup(int table, int dst, int flowScope, Interface oif) {
        Route[] order = lookupOrder;
        for (Route r : order) {
            if (r.table() != table || !r.covers(dst) || r.scope() < flowScope) continue;
            if (r.type().error() != null) return r;
            if (oif != null && r.device() != oif) continue;
            return r;
        }
        return null;
    }

    /** fib_lookup with the default rules (local, main, default); a throw route moves on to the next table. */
    private Route fibLookup(int dst, int flowScope, Interface oif) {
        for (int table : RULE_TABLES) {
            Route r = tableLookup(table, dst, flowScope, oif);
            if (r != null && r.type() != RouteType.THROW) return r;
        }
        return null;
    }

    /** The tables as the IPv4 rules look them up (no allocation per lookup). */
    private final FibRules.Tables4 tables4 = this::tableLookup;

    /** fib_lookup: through the rules when there are custom ones ({@link FibRules#lookup4}), else local, main, default. */
    Route fibLookup(int dst, int src, int mark, Interface iif, Interface oif, int flowScope) {
        if (!rules4.custom()) return fibLookup(dst, flowScope, oif);
        return rules4.lookup4(tables4, dst, src, mark, iif, oif, flowScope);
    }

    /** The FIB entry the kernel's rules pick for {@code dst} (may be of an error type), or null. */
    public Route fibLookup(int dst) {
        return fibLookup(dst, 0, 0, loopback, null, Scope.UNIVERSE);
    }

    // ---- policy routing rules -----------------------------------------------------------------

    /** The IPv4 rules (ip rule show). */
    public FibRules rules() {
        return rules4;
    }

    /** The IPv6 rules (ip -6 rule show). */
    public FibRules rules6() {
        return rules6;
    }

    /** ip [-6] rule add: the rule in its place (fib_nl_newrule). */
    public void addRule(FibRule r, boolean priorityGiven) {
        genid++;
        (r.family == 6 ? rules6 : rules4).add(r, priorityGiven);
    }

    /** ip [-6] rule del. */
    public void deleteRule(FibRule r, boolean priorityGiven, boolean selectorsGiven) {
        genid++;
        (r.family == 6 ? rules6 : rules4).delete(r, priorityGiven, selectorsGiven);
    }

    /**
     * Routes a locally generated packet (ip_route_output_key without source or output device), what
     * {@code ip route get DST} shows: LOCAL via lo for our own addresses, else the output device,
     * next hop and preferred source.
     */
    public RouteResult routeOutput(int dst) {
        return routeOutput(dst, new RouteDecision()).toResult();
    }

    /** {@link #routeOutput(int)} into a caller-owned decision, allocating nothing. */
    public RouteDecision routeOutput(int dst, RouteDecision d) {
        return routeOutput(dst, 0, 0, d);
    }

    /** ip_route_output_key for a packet of mark {@code mark} from {@code src} (0: not chosen yet); the rules see iif lo. */
    public RouteResult routeOutput(int dst, int src, int mark) {
        return routeOutput(dst, src, mark, new RouteDecision()).toResult();
    }



    /** ip_route_output_key to {@code dst} with flowi4_oif {@code oif} (null: none), no source or mark: -j TEE's copy ({@link Ip4Route#output(int, Interface, RouteDecision)}). */
    public RouteDecision routeOutput(int dst, Interface oif, RouteDecision d) {
        return route4.output(dst, oif, d);
    }

    /** {@link #routeOutput(int, int, int)} into a caller-owned decision, allocating nothing ({@link Ip4Route#output}). */
    public RouteDecision routeOutput(int dst, int src, int mark, RouteDecision d) {
        return route4.output(dst, src, mark, d);
    }

    /**
     * Routes a packet that arrived on {@code in} (ip_route_input_slow, forwarding enabled): LOCAL to
     * deliver, BROADCAST/MULTICAST, UNICAST to forward through {@code out} to {@code nexthop}; failures
     * carry the error ip_error turns into an ICMP message ("martian ..." for packets dropped as martians).
     */
    public RouteResult routeInput(int dst, int src, Interface in) {
        return routeInput(dst, src, in, new RouteDecision()).toResult();
    }

    /** {@link #routeInput(int, int, Interface)} into a caller-owned decision, allocating nothing. */
    public RouteDecision routeInput(int dst, int src, Interface in, RouteDecision d) {
        return routeInput(dst, src, in, 0, d);
    }

    /** {@link #routeInput(int, int, Interface)} for a packet of mark {@code mark} (the rules' fwmark). */
    public RouteResult routeInput(int dst, int src, Interface in, int mark) {
        return routeInput(dst, src, in, mark, new RouteDecision()).toResult();
    }




    /** ip_route_input_slow with the packet's mark, into a caller-owned decision, allocating nothing ({@link Ip4Route#input}). */
    public RouteDecision routeInput(int dst, int src, Interface in, int mark, RouteDecision d) {
        return route4.input(dst, src, in, mark, d);
    }

    /** rt->dst.tclassid of an input route ({@link Ip4Route#inputClassid}). */
    public int inputClassid(RouteType type, Route route, Interface out, int src, int dst) {
        return route4.inputClassid(type, route, out, src, dst);
    }

    /**
     * The type of {@code addr} as xt_addrtype sees it (inet_dev_addr_type, a lookup in table local):
     * 0.0.0.0 and 255.255.255.255 are BROADCAST (0.x.y.z is unicast since Linux 5.3), 224/4 MULTICAST, our addresses LOCAL, subnet
     * broadcasts BROADCAST, the rest UNICAST. With {@code limitDev} (--limit-iface-in/out) a local
     * route through another device counts as UNICAST. As in the kernel, a blackhole/unreachable/
     * prohibit route makes the lookup fail, which also answers UNICAST.
     */
    public RouteType addressType(int addr, Interface limitDev) {
        if (Inet4.isZeronet(addr) || Inet4.isLimitedBroadcast(addr)) return RouteType.BROADCAST;
        if (Inet4.isMulticast(addr)) return RouteType.MULTICAST;
        Route r = tableLookup(Route.TABLE_LOCAL, addr, Scope.UNIVERSE, null);
        if (r == null || r.type().error() != null) return RouteType.UNICAST;
        return limitDev == null || limitDev == r.device() ? r.type() : RouteType.UNICAST;
    }

    /** inet_addr_type: {@link #addressType(int, Interface)} on any device. */
    public RouteType addressType(int addr) {
        return addressType(addr, null);
    }

    /**
     * MASQUERADE's source choice, inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE): the primary
     * address of {@code out} whose subnet holds {@code nexthop}, else its first primary of global
     * scope, else the first global primary of any device (lo first). 0 if there is none.
     */
    public int selectSourceAddress(Interface out, int nexthop) {
        return selectSourceAddress(out, nexthop, Scope.UNIVERSE);
    }

    /** inet_select_addr(dev, dst, scope) (devinet.c); secondaries are never chosen. */
    public int selectSourceAddress(Interface dev, int dst, int scope) {
        int addr = 0;
        List<InterfaceAddress> own = dev.addresses;
        for (int i = 0, n = own.size(); i < n; i++) { // indexed loops: no iterator on the per-packet path
            InterfaceAddress a = own.get(i);
            if (a.isSecondary()) continue;
            if (Math.min(a.scope(), Scope.HOST) > scope) continue; // route_localnet off: localnet scope is host
            if (dst == 0 || a.contains(dst)) return a.local();
            if (addr == 0) addr = a.local();
        }
        if (addr != 0) return addr;
        for (int i = 0, n = interfaces.size(); i < n; i++) { // in_dev_select_addr on every device, lo first
            List<InterfaceAddress> as = interfaces.get(i).addresses;
            for (int j = 0, m = as.size(); j < m; j++) {
                InterfaceAddress a = as.get(j);
                if (a.isSecondary()) continue;
                if (a.scope() != Scope.LINK && a.scope() <= scope) return a.local();
            }
        }
        return 0;
    }

    /** Is {@code addr} one of this host's addresses (a LOCAL route in table local)? */
    /** An address of one of the devices (inet_lookup_ifaddr_rcu: the address itself, not its subnet). */
    public boolean isInterfaceAddress(int addr) {
        // indexed, not iterated: a route input that misses the packet path's cache runs this (no garbage)
        for (int i = 0, n = interfaces.size(); i < n; i++) if (interfaces.get(i).hasLocal(addr)) return true;
        return false;
    }

    public boolean isLocalAddress(int addr) {
        return addressType(addr, null) == RouteType.LOCAL;
    }

    // ---- IPv6 -------------------------------------------------------------------------------

    /**
     * ip -6 addr add ADDR/PLEN dev DEV [nodad] [noprefixroute] [metric N] (inet6_addr_add): the
     * address and its routes (prefix in main, local and subnet-router anycast in local, ff00::/8).
     */
    public InterfaceAddress6 addAddress6(Interface dev, long hi, long lo, int prefixLength, boolean nodad, boolean noPrefixRoute, int metric) {
        genid++;
        int flags = (nodad ? InterfaceAddress6.IFA_F_NODAD : 0) | (noPrefixRoute ? InterfaceAddress6.IFA_F_NOPREFIXROUTE : 0);
        InterfaceAddress6 ifa = new InterfaceAddress6(dev, hi, lo, prefixLength, flags, metric);
        addrconf.addAddress(ifa);
        return ifa;
    }

    /** All IPv6 routes of all tables in ip -6 route show table all's order. */
    public List<Route6> routes6() {
        return fib6.dump();
    }

    /** The IPv6 routes of one table in ip -6 route show's order. */
    public List<Route6> routes6(int table) {
        return fib6.dump().stream().filter(r -> r.table() == table).toList();
    }

    /** ip -6 route add|replace|append, with the kernel's checks (metric 0 is 1024, host bits are cleared). */
    public void addRoute6(Route6 route, RouteMode mode) {
        genid++;
        route6.addRoute(route, mode);
    }

    public List<Neighbour6> neighbours6() {
        return Collections.unmodifiableList(neighbours6);
    }

    /** ip -6 neigh add|replace ADDR lladdr MAC dev DEV. */
    public void addNeighbour6(Neighbour6 n, boolean replace) {
        genid++;
        if (!n.device().hasMac()) {
            throw new HostException("device " + n.device().name() + " has no link-layer address (layer 3 only): no neighbours");
        }
        int i = neighbourIndex6.find(n.device(), n.hi(), n.lo());
        if (i >= 0) {
            if (!replace) throw new HostException("RTNETLINK answers: File exists");
            neighbours6.set(i, n);
            return;
        }
        neighbourIndex6.add(n.device(), n.hi(), n.lo(), neighbours6.size());
        neighbours6.add(n);
    }

    /** The IPv6 neighbour entry for hi:lo on {@code dev}, or null. */
    public Neighbour6 neighbour6(Interface dev, long hi, long lo) {
        int i = neighbourIndex6.find(dev, hi, lo);
        return i < 0 ? null : neighbours6.get(i);
    }

    /**
     * The destination MAC for a frame to IPv6 {@code nexthop} on {@code dev} (ndisc_constructor):
     * 33:33 and the low 32 bits for multicast (ipv6_eth_mc_map), else the neighbour entry's;
     * {@link Interface#NO_MAC} when unresolved or the device is layer 3 only.
     */
    public long linkAddress6(Interface dev, long hi, long lo) {
        if (!dev.hasMac()) return Interface.NO_MAC;
        if (Inet6.isMulticast(hi)) return 0x3333_0000_0000L | (lo & 0xffff_ffffL);
        Neighbour6 n = neighbour6(dev, hi, lo);
        return n == null ? Interface.NO_MAC : n.mac();
    }

    /** ip6_route_output for a packet the host sends to hi:lo (ip -6 route get DST). */
    public RouteResult6 routeOutput6(long hi, long lo) {
        return route6.output(hi, lo, new RouteDecision6()).toResult();
    }

    /** {@link #routeOutput6(long, long)} into a caller-owned decision, allocating nothing. */
    public RouteDecision6 routeOutput6(long hi, long lo, RouteDecision6 d) {
        return route6.output(hi, lo, d);
    }

    /** ip6_route_output to hi:lo with flowi6_oif {@code oif} (null: none): -j TEE's copy, allocating nothing. */
    public RouteDecision6 routeOutput6(long hi, long lo, Interface oif, RouteDecision6 d) {
        return route6.output(hi, lo, oif, d);
    }

    /** ip6_route_input for a packet to dst from src arriving on {@code in} (ip -6 route get DST from SRC iif IN). */
    public RouteResult6 routeInput6(long dstHi, long dstLo, long srcHi, long srcLo, Interface in) {
        return route6.input(dstHi, dstLo, srcHi, srcLo, 0, in, new RouteDecision6()).toResult();
    }

    /**
     * {@link #routeInput6(long, long, long, long, Interface)} into a caller-owned decision, allocating
     * nothing. Without policy rules on the source the lookup does not depend on it.
     */
    public RouteDecision6 routeInput6(long dstHi, long dstLo, long srcHi, long srcLo, Interface in, RouteDecision6 d) {
        return route6.input(dstHi, dstLo, srcHi, srcLo, 0, in, d);
    }

    /** ip6_route_input for a packet of mark {@code mark} (the rules' fwmark), allocating nothing. */
    public RouteDecision6 routeInput6(long dstHi, long dstLo, long srcHi, long srcLo, Interface in, int mark, RouteDecision6 d) {
        return route6.input(dstHi, dstLo, srcHi, srcLo, mark, in, d);
    }

    /** ip6_route_output for the host's packet of mark {@code mark} from src (:: not chosen yet), allocating nothing. */
    public RouteDecision6 routeOutput6(long hi, long lo, long srcHi, long srcLo, int mark, RouteDecision6 d) {
        return route6.output(hi, lo, srcHi, srcLo, mark, d);
    }

    /**
     * The xt_addrtype bit set (1 << RTN_*) that holds for hi:lo, with {@code dev} for
     * --limit-iface-in/out: UNSPEC, UNICAST, MULTICAST, LOCAL, ANYCAST, UNREACHABLE (match_lookup_rt6).
     */
    public int addressTypes6(long hi, long lo, Interface dev) {
        return route6.addressTypes(hi, lo, dev);
    }

    /** xt_addrtype's match_type6: does hi:lo match a --src-type/--dst-type {@code mask} (1 << RTN_* bits)? */
    public boolean addrtypeMatch6(long hi, long lo, Interface dev, int mask) {
        return route6.addrtypeMatch(hi, lo, dev, mask);
    }

    /**
     * One type for hi:lo: MULTICAST, UNSPEC (::), LOCAL (ours), ANYCAST (a subnet-router anycast
     * address or a prefix's first address), else UNICAST (also when unroutable; see {@link #addressTypes6}).
     */
    public RouteType addressType6(long hi, long lo, Interface limitDev) {
        int bits = route6.addressTypes(hi, lo, limitDev);
        if ((bits & Ip6Route.XT_MULTICAST) != 0) return RouteType.MULTICAST;
        if ((bits & Ip6Route.XT_UNSPEC) != 0) return RouteType.UNSPEC;
        if ((bits & Ip6Route.XT_LOCAL) != 0) return RouteType.LOCAL;
        if ((bits & Ip6Route.XT_ANYCAST) != 0) return RouteType.ANYCAST;
        return RouteType.UNICAST;
    }

    public RouteType addressType6(long hi, long lo) {
        return addressType6(hi, lo, null);
    }

    /** Is hi:lo one of this host's usable IPv6 addresses (ipv6_chk_addr on any device)? */
    public boolean isLocalAddress6(long hi, long lo) {
        return addrconf.chkAddr(hi, lo, null, false);
    }

    /**
     * MASQUERADE's and the host's own packets' source, ipv6_dev_get_saddr(out, dst): the address
     * RFC 6724's rules pick, or null when there is none. Returns the device's own object: nothing is allocated.
     */
    public InterfaceAddress6 selectSourceAddress6(Interface out, long dstHi, long dstLo) {
        return addrconf.selectSource(out, dstHi, dstLo);
    }
}

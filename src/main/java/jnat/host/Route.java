package jnat.host;

/**
 * One route of a FIB table (a fib_alias with its fib_info): destination prefix, type, next hop
 * (gateway and device), preferred source, metric, protocol, scope.
 */
public final class Route {
    public static final int TABLE_DEFAULT = 253;
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_LOCAL = 255;

    public static final int PROTO_KERNEL = 2;
    public static final int PROTO_BOOT = 3;
    public static final int PROTO_STATIC = 4;

    private final int table;
    private final RouteType type;
    private final int dst;
    private final int prefixLength;
    private final int gateway;
    private final Interface device;
    private final int prefSrc;
    private final int metric;
    private final int protocol;
    private final int scope;
    private final boolean onlink;
    long seq; // insertion order, for the kernel's append order among equal routes
    int nhScope = Scope.LINK; // fib_nh_scope: HOST when the gateway turned out to be our own address
    /** nh_tclassid (RTA_FLOW, ip route's realm/realms): source realm << 16 | destination realm. */
    int realms;

    public Route(int table, RouteType type, int dst, int prefixLength, int gateway, Interface device,
                 int prefSrc, int metric, int protocol, int scope, boolean onlink) {
        this.table = table;
        this.type = type;
        this.dst = dst;
        this.prefixLength = prefixLength;
        this.gateway = gateway;
        this.device = device;
        this.prefSrc = prefSrc;
        this.metric = metric;
        this.protocol = protocol;
        this.scope = scope;
        this.onlink = onlink;
    }

    public int table() { return table; }
    public RouteType type() { return type; }
    public int dst() { return dst; }
    public int prefixLength() { return prefixLength; }
    /** The gateway, 0 for a directly connected route. */
    public int gateway() { return gateway; }
    /** The output device, null for unreachable/blackhole/prohibit/throw routes. */
    public Interface device() { return device; }
    /** The preferred source (src), 0 when not set. */
    public int prefSrc() { return prefSrc; }
    public int metric() { return metric; }
    public int protocol() { return protocol; }
    public int scope() { return scope; }
    public boolean onlink() { return onlink; }
    /** The route's realms (nh_tclassid): source realm in the high 16 bits, destination realm in the low. */
    public int realms() { return realms; }

    /**
     * The neighbour packets go to (rt_set_nexthop): the gateway when it is on a link, else the
     * destination itself (also when the "gateway" is one of our own addresses).
     */
    public int nexthopFor(int dst) {
        return gateway != 0 && nhScope == Scope.LINK ? gateway : dst;
    }

    /** This route with its next hop device resolved (fib_check_nh found it from the gateway). */
    Route withDevice(Interface dev) {
        Route r = new Route(table, type, dst, prefixLength, gateway, dev, prefSrc, metric, protocol, scope, onlink);
        r.nhScope = nhScope;
        r.realms = realms;
        return r;
    }

    /** Does the prefix cover {@code addr}? */
    public boolean covers(int addr) {
        return ((addr ^ dst) & Inet4.mask(prefixLength)) == 0;
    }

    /** Same table, prefix, type, next hop, source and metric: a duplicate the kernel refuses. */
    boolean sameAs(Route o) {
        return table == o.table && type == o.type && dst == o.dst && prefixLength == o.prefixLength
                && gateway == o.gateway && device == o.device && prefSrc == o.prefSrc && metric == o.metric;
    }

    @Override
    public String toString() {
        return IpFormat.route(this, true).strip();
    }

    /** iproute2's rt_protos names. */
    public static String protocolName(int p) {
        return switch (p) {
            case 0 -> "unspec";
            case 1 -> "redirect";
            case PROTO_KERNEL -> "kernel";
            case PROTO_BOOT -> "boot";
            case PROTO_STATIC -> "static";
            case 8 -> "gated";
            case 9 -> "ra";
            case 10 -> "mrt";
            case 11 -> "zebra";
            case 12 -> "bird";
            case 13 -> "dnrouted";
            case 14 -> "xorp";
            case 15 -> "ntk";
            case 16 -> "dhcp";
            case 18 -> "keepalived";
            case 42 -> "babel";
            case 186 -> "bgp";
            case 187 -> "isis";
            case 188 -> "ospf";
            case 189 -> "rip";
            case 192 -> "eigrp";
            default -> Integer.toString(p);
        };
    }

    static int parseProtocol(String s) {
        for (int p = 0; p < 256; p++) {
            if (protocolName(p).equals(s) && !protocolName(p).equals(Integer.toString(p))) return p;
        }
        return Scope.parseNumber(s, 255);
    }

    public static String tableName(int t) {
        return switch (t) {
            case TABLE_DEFAULT -> "default";
            case TABLE_MAIN -> "main";
            case TABLE_LOCAL -> "local";
            default -> Integer.toString(t);
        };
    }

    static int parseTable(String s) {
        return switch (s) {
            case "default" -> TABLE_DEFAULT;
            case "main" -> TABLE_MAIN;
            case "local" -> TABLE_LOCAL;
            default -> {
                int t = Scope.parseNumber(s, Integer.MAX_VALUE);
                yield t <= 0 ? -1 : t;
            }
        };
    }
}

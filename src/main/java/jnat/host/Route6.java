package jnat.host;

import jnat.wire.Ipv6Address;

/**
 * One route of an IPv6 FIB table (a fib6_info): destination prefix (host bits cleared, as
 * ip6_route_info_create does), type, next hop (gateway, device), preferred source, metric,
 * protocol. A gateway or source of :: means none. Reject routes (unreachable, blackhole, prohibit,
 * throw) have lo as their device, as the kernel shows them.
 */
public final class Route6 {
    /** IP6_RT_PRIO_USER: what metric 0 becomes for a route a user adds. */
    public static final int PRIO_USER = 1024;
    /** IP6_RT_PRIO_ADDRCONF: the metric of the kernel's prefix and multicast routes. */
    public static final int PRIO_ADDRCONF = 256;

    private final int table;
    private final RouteType type;
    private final long dstHi, dstLo, maskHi, maskLo;
    private final int prefixLength;
    private final long gwHi, gwLo;
    private final Interface device;
    private final long srcHi, srcLo;
    private final int metric;
    private final int protocol;
    private final boolean onlink;
    long seq; // insertion order among routes of one node and metric (fib6_add_rt2node appends)

    public Route6(int table, RouteType type, long dstHi, long dstLo, int prefixLength, long gwHi, long gwLo,
                  Interface device, long srcHi, long srcLo, int metric, int protocol, boolean onlink) {
        this.table = table;
        this.type = type;
        this.maskHi = Ipv6Address.maskHi(prefixLength);
        this.maskLo = Ipv6Address.maskLo(prefixLength);
        this.dstHi = dstHi & maskHi;
        this.dstLo = dstLo & maskLo;
        this.prefixLength = prefixLength;
        this.gwHi = gwHi;
        this.gwLo = gwLo;
        this.device = device;
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.metric = metric;
        this.protocol = protocol;
        this.onlink = onlink;
    }

    public int table() { return table; }
    public RouteType type() { return type; }
    public long dstHi() { return dstHi; }
    public long dstLo() { return dstLo; }
    public int prefixLength() { return prefixLength; }
    public long gatewayHi() { return gwHi; }
    public long gatewayLo() { return gwLo; }
    public boolean hasGateway() { return (gwHi | gwLo) != 0; }
    /** The nexthop device (lo for reject routes). */
    public Interface device() { return device; }
    public long prefSrcHi() { return srcHi; }
    public long prefSrcLo() { return srcLo; }
    public boolean hasPrefSrc() { return (srcHi | srcLo) != 0; }
    public int metric() { return metric; }
    public int protocol() { return protocol; }
    public boolean onlink() { return onlink; }

    /** Does the prefix cover hi:lo? */
    public boolean covers(long hi, long lo) {
        return (hi & maskHi) == dstHi && (lo & maskLo) == dstLo;
    }

    /** A route of an error type (fib6_flags RTF_REJECT). */
    public boolean isReject() {
        return type.error() != null;
    }

    boolean sameNode(Route6 o) {
        return table == o.table && prefixLength == o.prefixLength && dstHi == o.dstHi && dstLo == o.dstLo;
    }

    /**
     * Same node, metric and next hop: a duplicate (rt6_duplicate_nexthop compares device and gateway,
     * not the type, so an address equal to its prefix's anycast address gets only one of the two routes).
     */
    boolean sameAs(Route6 o) {
        return sameNode(o) && metric == o.metric && device == o.device && gwHi == o.gwHi && gwLo == o.gwLo;
    }

    Route6 with(Interface dev, int newMetric) {
        return new Route6(table, type, dstHi, dstLo, prefixLength, gwHi, gwLo, dev, srcHi, srcLo, newMetric, protocol, onlink);
    }

    @Override
    public String toString() {
        return IpFormat6.route(this, true).strip();
    }
}

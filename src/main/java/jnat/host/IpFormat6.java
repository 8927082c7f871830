package jnat.host;

/**
 * Prints the IPv6 half of the host model the way iproute2 6.1's ip(8) prints it for a 6.x kernel:
 * every route carries its metric and "pref medium" (RTA_PREF, which the kernel always sends), and
 * reject routes show "dev lo".
 */
public final class IpFormat6 {
    private IpFormat6() {}

    /** One line of ip -6 route show; {@code allTables} adds "table NAME" for routes outside main. */
    public static String route(Route6 r, boolean allTables) {
        StringBuilder sb = new StringBuilder();
        if (r.type() != RouteType.UNICAST) sb.append(r.type().ipName()).append(' ');
        sb.append(prefix(r.dstHi(), r.dstLo(), r.prefixLength())).append(' ');
        if (r.hasGateway()) sb.append("via ").append(Inet6.format(r.gatewayHi(), r.gatewayLo())).append(' ');
        sb.append("dev ").append(r.device().name()).append(' ');
        if (allTables && r.table() != Route.TABLE_MAIN) sb.append("table ").append(Route.tableName(r.table())).append(' ');
        if (r.protocol() != Route.PROTO_BOOT) sb.append("proto ").append(Route.protocolName(r.protocol())).append(' ');
        if (r.hasPrefSrc()) sb.append("src ").append(Inet6.format(r.prefSrcHi(), r.prefSrcLo())).append(' ');
        sb.append("metric ").append(Integer.toUnsignedString(r.metric())).append(' ');
        if (r.onlink()) sb.append("onlink ");
        return sb.append("pref medium\n").toString();
    }

    /** ip -6 route show [table T]: {@code table} 0 means all tables. */
    public static String routes(Host host, int table) {
        StringBuilder sb = new StringBuilder();
        for (Route6 r : table == 0 ? host.routes6() : host.routes6(table)) sb.append(route(r, table == 0));
        return sb.toString();
    }

    /** What ip -6 route get DST prints (the source it asks with is ::), or the RTNETLINK error line. */
    public static String routeGet(long hi, long lo, RouteResult6 res) {
        return routeGet(hi, lo, 0, 0, res);
    }

    /** ip -6 route get DST from SRC (the host's own packet with that source): "from SRC", the chosen src still printed. */
    public static String routeGet(long hi, long lo, long srcHi, long srcLo, RouteResult6 res) {
        if (res.isError()) return "RTNETLINK answers: " + res.error().text() + "\n";
        StringBuilder sb = head(hi, lo, srcHi, srcLo, res);
        if (res.hasSource()) sb.append("src ").append(Inet6.format(res.sourceHi(), res.sourceLo())).append(' ');
        return sb.append("metric ").append(Integer.toUnsignedString(res.route().metric())).append(" pref medium\n").toString();
    }

    /**
     * What ip -6 route get DST from SRC iif IN prints ({@link Host#routeInput6}) on a kernel built with
     * CONFIG_IPV6_MROUTE, as distributions' are: a multicast route prints "Message too long", since
     * rt6_fill_node asks ip6mr_get_route, which fails without a multicast routing daemon's cache entry.
     */
    public static String routeGetInput(long dstHi, long dstLo, long srcHi, long srcLo, Interface in, RouteResult6 res) {
        return routeGetInput(dstHi, dstLo, srcHi, srcLo, in, res, true);
    }

    /** {@link #routeGetInput(long, long, long, long, Interface, RouteResult6)}; without multicast routing built in, a multicast route prints as any other. */
    public static String routeGetInput(long dstHi, long dstLo, long srcHi, long srcLo, Interface in, RouteResult6 res,
                                       boolean multicastRouting) {
        if (res.isError()) return "RTNETLINK answers: " + res.error().rtnetlinkText() + "\n";
        if (res.type() == RouteType.MULTICAST && multicastRouting) return "RTNETLINK answers: Message too long\n";
        StringBuilder sb = head(dstHi, dstLo, srcHi, srcLo, res);
        if (res.hasSource()) sb.append("src ").append(Inet6.format(res.sourceHi(), res.sourceLo())).append(' ');
        return sb.append("metric ").append(Integer.toUnsignedString(res.route().metric()))
                .append(" iif ").append(in.name()).append(" pref medium\n").toString();
    }

    private static StringBuilder head(long hi, long lo, long srcHi, long srcLo, RouteResult6 res) {
        Route6 r = res.route();
        StringBuilder sb = new StringBuilder();
        if (res.type() != RouteType.UNICAST) sb.append(res.type().ipName()).append(' ');
        sb.append(Inet6.format(hi, lo)).append(" from ").append(Inet6.format(srcHi, srcLo)).append(' ');
        if (r.hasGateway() && res.type() == RouteType.UNICAST) sb.append("via ").append(Inet6.format(r.gatewayHi(), r.gatewayLo())).append(' ');
        sb.append("dev ").append(res.out().name()).append(' ');
        if (r.table() != Route.TABLE_MAIN) sb.append("table ").append(Route.tableName(r.table())).append(' ');
        if (r.protocol() != Route.PROTO_BOOT) sb.append("proto ").append(Route.protocolName(r.protocol())).append(' ');
        return sb;
    }

    /** The inet6 lines of one device in ip addr show (lifetimes are always forever). */
    static void inet6Lines(StringBuilder sb, Interface d) {
        for (InterfaceAddress6 a : d.addresses6()) {
            sb.append("    inet6 ").append(Inet6.format(a.hi(), a.lo())).append('/').append(a.prefixLength()).append(' ');
            if (a.routeMetric() != 0) sb.append("metric ").append(Integer.toUnsignedString(a.routeMetric())).append(' ');
            sb.append("scope ").append(Scope.name(a.scope())).append(' ');
            // print_ifa_flags in IFA_F_* bit order; "permanent" is not printed, only its absence ("dynamic")
            if (a.noDad()) sb.append("nodad ");
            if (a.isTentative()) sb.append("tentative ");
            if (a.noPrefixRoute()) sb.append("noprefixroute ");
            sb.append("\n       valid_lft forever preferred_lft forever\n");
        }
    }

    /**
     * ip -6 addr show: only devices with IPv6 addresses, each with the header the kernel's AF_INET6
     * link dump gives (inet6_fill_ifinfo: no qdisc, no group, no link line).
     */
    public static String addresses(Host host) {
        StringBuilder sb = new StringBuilder();
        for (Interface d : host.interfaces()) {
            if (d.addresses6().isEmpty()) continue;
            sb.append(IpFormat.linkHeader(d, false));
            inet6Lines(sb, d);
        }
        return sb.toString();
    }

    /** ip -6 addr show dev D: the full link header but no link line; nothing when D has no IPv6 address. */
    public static String addresses(Interface d) {
        if (d.addresses6().isEmpty()) return "";
        StringBuilder sb = new StringBuilder(IpFormat.linkHeader(d, true));
        inet6Lines(sb, d);
        return sb.toString();
    }

    /** ip -6 neigh show. */
    public static String neighbours(Host host) {
        StringBuilder sb = new StringBuilder();
        for (Neighbour6 n : host.neighbours6()) {
            sb.append(Inet6.format(n.hi(), n.lo())).append(" dev ").append(n.device().name())
                    .append(" lladdr ").append(n.macString()).append(' ').append(n.state()).append(" \n");
        }
        return sb.toString();
    }

    static String prefix(long hi, long lo, int plen) {
        if (plen == 0) return "default";
        return plen == 128 ? Inet6.format(hi, lo) : Inet6.format(hi, lo) + "/" + plen;
    }

    /** Parses inet_pton text for callers outside the package (the CLI) into {hi, lo}; throws IllegalArgumentException. */
    public static long[] parseAddress(String s) {
        return Inet6.parse(s);
    }

    public static String formatAddress(long hi, long lo) {
        return Inet6.format(hi, lo);
    }
}

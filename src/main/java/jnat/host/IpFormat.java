package jnat.host;

import java.util.List;

/** Prints the host model the way iproute2 6.1's ip(8) prints it (trailing spaces included). */
public final class IpFormat {
    private IpFormat() {}

    /** One line of ip route show; {@code allTables} adds "table NAME" for routes outside main. */
    public static String route(Route r, boolean allTables) {
        StringBuilder sb = new StringBuilder();
        if (r.type() != RouteType.UNICAST) sb.append(r.type().ipName()).append(' ');
        sb.append(prefix(r.dst(), r.prefixLength())).append(' ');
        if (r.gateway() != 0) sb.append("via ").append(Inet4.format(r.gateway())).append(' ');
        if (r.device() != null) sb.append("dev ").append(r.device().name()).append(' ');
        if (allTables && r.table() != Route.TABLE_MAIN) sb.append("table ").append(Route.tableName(r.table())).append(' ');
        if (r.protocol() != Route.PROTO_BOOT) sb.append("proto ").append(Route.protocolName(r.protocol())).append(' ');
        if (r.scope() != Scope.UNIVERSE) sb.append("scope ").append(Scope.name(r.scope())).append(' ');
        if (r.prefSrc() != 0) sb.append("src ").append(Inet4.format(r.prefSrc())).append(' ');
        if (r.metric() != 0) sb.append("metric ").append(Integer.toUnsignedString(r.metric())).append(' ');
        if (r.onlink()) sb.append("onlink ");
        RtRealms.print(sb, r.realms());
        return sb.append('\n').toString();
    }

    /** ip route show [table T]: {@code table} 0 means all tables. */
    public static String routes(Host host, int table) {
        StringBuilder sb = new StringBuilder();
        List<Route> rs = table == 0 ? host.routes() : host.routes(table);
        for (Route r : rs) sb.append(route(r, table == 0));
        return sb.toString();
    }

    /** What ip route get DST prints on stdout, or the "RTNETLINK answers: ..." line it prints on stderr. */
    public static String routeGet(int dst, RouteResult res) {
        return routeGet(dst, 0, 0, res, false);
    }

    /**
     * ip route get DST [from SRC] [mark M] for the host's own packet: with {@code rules} (custom
     * policy rules, which unmerge the local table from main: fib_unmerge) the table of a route
     * outside main is printed, and a mark; a given source replaces the chosen one.
     */
    public static String routeGet(int dst, int from, int mark, RouteResult res, boolean rules) {
        if (res.isError()) return "RTNETLINK answers: " + res.error().text() + "\n";
        StringBuilder sb = new StringBuilder();
        if (res.type() != RouteType.UNICAST) sb.append(res.type().ipName()).append(' ');
        sb.append(Inet4.format(dst)).append(' ');
        if (from != 0) sb.append("from ").append(Inet4.format(from)).append(' ');
        if (res.type() == RouteType.UNICAST && res.nexthop() != dst) sb.append("via ").append(Inet4.format(res.nexthop())).append(' ');
        sb.append("dev ").append(res.out().name()).append(' ');
        table(sb, res, rules);
        if (res.source() != 0 && from == 0) sb.append("src ").append(Inet4.format(res.source())).append(' ');
        mark(sb, mark);
        // iproute2 reads RTCF_MULTICAST's bit of rtm_flags as RTM_F_OFFLOAD_FAILED
        if (res.type() == RouteType.MULTICAST) sb.append("rt_offload_failed ");
        if (res.route() != null) RtRealms.print(sb, res.route().realms()); // an output route's realms are its route's
        sb.append("uid 0 \n    cache ");
        switch (res.type()) {
            case LOCAL -> sb.append("<local> ");
            case BROADCAST -> sb.append("<local,brd> ");
            // every up device joins 224.0.0.1 (ip_mc_up), so that group is also delivered locally
            case MULTICAST -> sb.append(dst == 0xe0000001 ? "<local,mc> " : "<mc> ");
            default -> { }
        }
        return sb.append('\n').toString();
    }

    /**
     * What ip route get DST from SRC iif IN prints for a packet arriving on {@code in}
     * ({@link Host#routeInput}); martians are the EINVAL the kernel answers.
     */
    public static String routeGetInput(int dst, int src, Interface in, RouteResult res) {
        return routeGetInput(dst, src, in, 0, res, false);
    }

    /** The table a route outside main came from, printed when policy rules keep local apart from main. */
    private static void table(StringBuilder sb, RouteResult res, boolean rules) {
        Route r = res.route();
        if (r == null || r.table() == Route.TABLE_MAIN || (r.table() == Route.TABLE_LOCAL && !rules) || r.table() == 0) return;
        sb.append("table ").append(Route.tableName(r.table())).append(' ');
    }

    /** The mark as iproute2 6.1 prints it: below 16 in decimal, else 0x-hex. */
    private static void mark(StringBuilder sb, int mark) {
        if (mark == 0) return;
        sb.append("mark ").append(Integer.compareUnsigned(mark, 16) < 0 ? Integer.toString(mark) : "0x" + Integer.toHexString(mark)).append(' ');
    }

    /** ip route get DST from SRC iif IN [mark M]: {@link #routeGetInput(int, int, Interface, RouteResult)} with the rules' table and mark. */
    public static String routeGetInput(int dst, int src, Interface in, int mark, RouteResult res, boolean rules) {
        return routeGetInput(dst, src, in, mark, res, rules, 0);
    }

    /** {@link #routeGetInput(int, int, Interface, int, RouteResult, boolean)} with the route's tclassid ({@link Host#inputClassid}). */
    public static String routeGetInput(int dst, int src, Interface in, int mark, RouteResult res, boolean rules, int tclassid) {
        if (res.isError()) {
            return "RTNETLINK answers: " + res.error().rtnetlinkText() + "\n";
        }
        StringBuilder sb = new StringBuilder();
        if (res.type() != RouteType.UNICAST) sb.append(res.type().ipName()).append(' ');
        sb.append(Inet4.format(dst)).append(" from ").append(Inet4.format(src)).append(' ');
        if (res.type() == RouteType.UNICAST && res.nexthop() != dst) sb.append("via ").append(Inet4.format(res.nexthop())).append(' ');
        sb.append("dev ").append(res.out().name()).append(' ');
        table(sb, res, rules);
        mark(sb, mark);
        if (res.type() == RouteType.MULTICAST) sb.append("rt_offload_failed ");
        RtRealms.print(sb, tclassid);
        sb.append("\n    cache ");
        switch (res.type()) {
            case LOCAL -> sb.append("<local> ");
            case BROADCAST -> sb.append("<local,brd> ");
            case MULTICAST -> sb.append("<local,mc> "); // only joined groups are accepted on input
            default -> {
                if (res.out() == in) sb.append("<redirect> "); // forwarded back out where it came in
            }
        }
        return sb.append("iif ").append(in.name()).append(" \n").toString();
    }

    /** ip addr show: both families, inet before inet6 lines (lifetimes are always forever). */
    public static String addresses(Host host) {
        StringBuilder sb = new StringBuilder();
        for (Interface d : host.interfaces()) sb.append(addresses(d));
        return sb.toString();
    }

    /** ip addr show dev D. */
    public static String addresses(Interface d) {
        StringBuilder sb = new StringBuilder(linkHeader(d, true));
        boolean l3 = !d.hasMac() && !d.isLoopback();
        if (d.isLoopback()) sb.append("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
        else if (l3) sb.append("    link/none \n");
        else sb.append("    link/ether ").append(d.macString()).append(" brd ff:ff:ff:ff:ff:ff\n");
        for (InterfaceAddress a : d.addresses()) {
            sb.append("    inet ").append(Inet4.format(a.local())).append('/').append(a.prefixLength()).append(' ');
            if (a.broadcast() != 0) sb.append("brd ").append(Inet4.format(a.broadcast())).append(' ');
            sb.append("scope ").append(Scope.name(a.scope())).append(' ');
            if (a.isSecondary()) sb.append("secondary ");
            if (a.noPrefixRoute()) sb.append("noprefixroute ");
            sb.append(a.label()).append('\n');
            sb.append("       valid_lft forever preferred_lft forever\n");
        }
        IpFormat6.inet6Lines(sb, d);
        return sb.toString();
    }

    /**
     * A device's first line. {@code full} is what a full link message gives (qdisc and group);
     * without it, what the AF_INET6 link dump gives (ip -6 addr show: mtu, state, qlen only).
     */
    static String linkHeader(Interface d, boolean full) {
        boolean l3 = !d.hasMac() && !d.isLoopback();
        String flags;
        if (d.isLoopback()) flags = "LOOPBACK";
        else if (l3) flags = "POINTOPOINT,MULTICAST,NOARP";
        else flags = "BROADCAST,MULTICAST";
        if (d.isUp()) flags += ",UP,LOWER_UP";
        String state = !d.isUp() ? "DOWN" : d.hasMac() ? "UP" : "UNKNOWN";
        String qdisc = !d.isUp() ? "noop" : l3 ? "fq_codel" : "noqueue";
        StringBuilder sb = new StringBuilder();
        sb.append(d.index()).append(": ").append(d.name()).append(": <").append(flags).append("> mtu ").append(d.mtu());
        if (full) sb.append(" qdisc ").append(qdisc);
        sb.append(" state ").append(state);
        if (full) sb.append(" group ").append(d.group() == 0 ? "default" : Integer.toString(d.group()));
        return sb.append(" qlen ").append(l3 ? 500 : 1000).append('\n').toString();
    }

    /** ip neigh show. */
    public static String neighbours(Host host) {
        StringBuilder sb = new StringBuilder();
        for (Neighbour n : host.neighbours()) {
            sb.append(Inet4.format(n.address())).append(" dev ").append(n.device().name())
                    .append(" lladdr ").append(n.macString()).append(' ').append(n.state()).append(" \n");
        }
        return sb.toString();
    }

    static String prefix(int dst, int plen) {
        if (plen == 0) return "default";
        return plen == 32 ? Inet4.format(dst) : Inet4.format(dst) + "/" + plen;
    }

    /** Parses a dotted quad for callers outside the package (the CLI); throws IllegalArgumentException. */
    public static int parseAddress(String s) {
        return Inet4.parse(s);
    }

    /** Formats an address as a dotted quad. */
    public static String formatAddress(int a) {
        return Inet4.format(a);
    }
}

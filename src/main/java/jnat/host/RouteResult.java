package jnat.host;

/**
 * The outcome of a route lookup (a struct rtable, or the error the lookup returned).
 *
 * @param type     LOCAL (our own address: deliver), UNICAST (send to {@code nexthop} via {@code out}),
 *                 BROADCAST, MULTICAST, or on failure UNREACHABLE / BLACKHOLE / PROHIBIT
 * @param route    the FIB entry that decided, null when none did
 * @param out      the output device (lo for LOCAL on output), null on failure
 * @param nexthop  the gateway, or the destination itself when it is on the link
 * @param source   the preferred source address (fib_result_prefsrc / inet_select_addr), 0 if none
 * @param error    null on success, else why it failed ({@link RouteError#text()} is what ip(8) prints)
 */
public record RouteResult(RouteType type, Route route, Interface out, int nexthop, int source, RouteError error) {
    public boolean isError() {
        return error != null;
    }
}

package jnat.host;

/**
 * The outcome of an IPv6 route lookup (a struct rt6_info, or the error the lookup returned); the
 * fields mean what {@link RouteResult}'s do, addresses as (hi, lo) pairs. A source of :: means none
 * could be chosen (:: is never a device's address).
 */
public record RouteResult6(RouteType type, Route6 route, Interface out, long nexthopHi, long nexthopLo,
                           long sourceHi, long sourceLo, RouteError error) {
    public boolean isError() {
        return error != null;
    }

    public boolean hasSource() {
        return (sourceHi | sourceLo) != 0;
    }
}

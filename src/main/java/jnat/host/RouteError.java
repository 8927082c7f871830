package jnat.host;

/**
 * Why a route lookup failed: the errno the kernel's lookup returns, with the text ip(8) prints
 * for it, and the martians ip_route_input_slow drops without an answer (they print as EINVAL).
 */
public enum RouteError {
    /** No route matched (ENETUNREACH). */
    NETWORK_UNREACHABLE("Network is unreachable"),
    /** An {@code unreachable} route (EHOSTUNREACH, fib_props[RTN_UNREACHABLE]). */
    HOST_UNREACHABLE("No route to host"),
    /** A {@code blackhole} route, or an address no route may have (EINVAL). */
    INVALID("Invalid argument"),
    /** A {@code prohibit} route (EACCES). */
    PROHIBITED("Permission denied"),
    /** A {@code throw} route left unresolved (EAGAIN). */
    THROWN("Resource temporarily unavailable"),
    /** ip_route_input_slow's martian_source. */
    MARTIAN_SOURCE("martian source"),
    /** ip_route_input_slow's martian_destination. */
    MARTIAN_DESTINATION("martian destination");

    private final String text;

    RouteError(String text) {
        this.text = text;
    }

    /** ip(8)'s text for the errno ("Network is unreachable"), or "martian source|destination". */
    public String text() {
        return text;
    }

    /** A martian: dropped silently (no ip_error), and EINVAL to {@code ip route get}. */
    public boolean isMartian() {
        return this == MARTIAN_SOURCE || this == MARTIAN_DESTINATION;
    }

    /** The errno text {@code ip route get} prints ("RTNETLINK answers: ..."): martians are EINVAL. */
    public String rtnetlinkText() {
        return isMartian() ? INVALID.text : text;
    }
}

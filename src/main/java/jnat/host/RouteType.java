package jnat.host;

/**
 * Route and address types, the kernel's RTN_* values in their order (ordinal() == RTN_ value), so
 * xt_addrtype's bit masks ({@code 1 << type}) work with {@link #ordinal()}.
 */
public enum RouteType {
    UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE;

    /** The kernel's RTN_* value (xt_addrtype's masks are {@code 1 << rtn()}). */
    public int rtn() {
        return ordinal();
    }

    /** ip(8)'s name for the type ("unicast", "local", ...). */
    public String ipName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The error a lookup that ends on a route of this type returns (fib_props[type].error), or null:
     * unreachable EHOSTUNREACH, blackhole EINVAL, prohibit EACCES, throw EAGAIN (go on to the next table).
     */
    public RouteError error() {
        return switch (this) {
            case UNREACHABLE -> RouteError.HOST_UNREACHABLE;
            case BLACKHOLE -> RouteError.INVALID;
            case PROHIBIT -> RouteError.PROHIBITED;
            case THROW -> RouteError.THROWN;
            default -> null;
        };
    }

    /** Parses ip(8)'s type name (rtnl_rtntype_a2n). */
    public static RouteType parse(String s) {
        for (RouteType t : values()) {
            if (t != UNSPEC && t.ipName().equals(s)) return t;
        }
        return null;
    }
}

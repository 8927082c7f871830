package jnat.host;

/**
 * A reusable route answer for per-packet use: {@link Host#routeInput(int, int, Interface, RouteDecision)}
 * fills it without allocating. The fields mean what {@link RouteResult}'s do.
 */
public final class RouteDecision {
    private RouteType type;
    private Route route;
    private Interface out;
    private int nexthop;
    private int source;
    private RouteError error;

    public RouteType type() { return type; }
    public Route route() { return route; }
    public Interface out() { return out; }
    public int nexthop() { return nexthop; }
    public int source() { return source; }
    public RouteError error() { return error; }
    public boolean isError() { return error != null; }

    RouteDecision set(RouteType type, Route route, Interface out, int nexthop, int source) {
        this.type = type;
        this.route = route;
        this.out = out;
        this.nexthop = nexthop;
        this.source = source;
        this.error = null;
        return this;
    }

    RouteDecision fail(RouteType type, Route route, RouteError error) {
        set(type, route, null, 0, 0);
        this.error = error;
        return this;
    }

    /** An immutable copy. */
    public RouteResult toResult() {
        return new RouteResult(type, route, out, nexthop, source, error);
    }
}

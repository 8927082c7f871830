package jnat.host;

/**
 * A reusable IPv6 route answer for per-packet use: {@link Host#routeInput6(long, long, long, long, Interface, RouteDecision6)}
 * fills it without allocating. The fields mean what {@link RouteResult6}'s do.
 */
public final class RouteDecision6 {
    private RouteType type;
    private Route6 route;
    private Interface out;
    private long nexthopHi, nexthopLo, sourceHi, sourceLo;
    private RouteError error;

    public RouteType type() { return type; }
    public Route6 route() { return route; }
    public Interface out() { return out; }
    public long nexthopHi() { return nexthopHi; }
    public long nexthopLo() { return nexthopLo; }
    public long sourceHi() { return sourceHi; }
    public long sourceLo() { return sourceLo; }
    public boolean hasSource() { return (sourceHi | sourceLo) != 0; }
    public RouteError error() { return error; }
    public boolean isError() { return error != null; }

    RouteDecision6 set(RouteType type, Route6 route, Interface out, long nhHi, long nhLo) {
        this.type = type;
        this.route = route;
        this.out = out;
        this.nexthopHi = nhHi;
        this.nexthopLo = nhLo;
        this.sourceHi = 0;
        this.sourceLo = 0;
        this.error = null;
        return this;
    }

    RouteDecision6 source(InterfaceAddress6 a) {
        if (a != null) {
            sourceHi = a.hi();
            sourceLo = a.lo();
        }
        return this;
    }

    RouteDecision6 source(long hi, long lo) {
        sourceHi = hi;
        sourceLo = lo;
        return this;
    }

    RouteDecision6 fail(RouteType type, Route6 route, RouteError error) {
        set(type, route, null, 0, 0);
        this.error = error;
        return this;
    }

    /** An immutable copy. */
    public RouteResult6 toResult() {
        return new RouteResult6(type, route, out, nexthopHi, nexthopLo, sourceHi, sourceLo, error);
    }
}

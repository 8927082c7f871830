package jnat.host;

import jnat.wire.Ipv6Address;

/**
 * An IPv6 address on a device (struct inet6_ifaddr): address, prefix length, flags (IFA_F_*), the
 * metric of its prefix route. Duplicate address detection is modelled as done at once, so an
 * address is never tentative (the flag is kept for what ip prints).
 */
public final class InterfaceAddress6 {
    static final int IFA_F_NODAD = 0x02, IFA_F_TENTATIVE = 0x40, IFA_F_PERMANENT = 0x80, IFA_F_NOPREFIXROUTE = 0x200;

    private final Interface device;
    private final long hi, lo;
    private final int prefixLength;
    private final int routeMetric;
    int flags;

    InterfaceAddress6(Interface device, long hi, long lo, int prefixLength, int flags, int routeMetric) {
        if (prefixLength < 0 || prefixLength > 128) throw new IllegalArgumentException("prefix length " + prefixLength);
        this.device = device;
        this.hi = hi;
        this.lo = lo;
        this.prefixLength = prefixLength;
        this.flags = flags | IFA_F_PERMANENT;
        this.routeMetric = routeMetric;
    }

    public Interface device() { return device; }
    public long hi() { return hi; }
    public long lo() { return lo; }
    public int prefixLength() { return prefixLength; }
    /** RT_SCOPE_* as ip prints it (host for ::1, link for fe80::/10, else global). */
    public int scope() { return Inet6.rtScope(hi, lo); }
    public boolean isTentative() { return (flags & IFA_F_TENTATIVE) != 0; }
    public boolean noDad() { return (flags & IFA_F_NODAD) != 0; }
    public boolean noPrefixRoute() { return (flags & IFA_F_NOPREFIXROUTE) != 0; }
    /** The metric given with {@code metric N}, 0 for the default (256). */
    public int routeMetric() { return routeMetric; }
    long prefixHi() { return hi & Ipv6Address.maskHi(prefixLength); }
    long prefixLo() { return lo & Ipv6Address.maskLo(prefixLength); }

    /** Is hi:lo this very address? */
    public boolean is(long h, long l) {
        return h == hi && l == lo;
    }

    @Override
    public String toString() {
        return Inet6.format(hi, lo) + "/" + prefixLength + " dev " + device.name();
    }
}

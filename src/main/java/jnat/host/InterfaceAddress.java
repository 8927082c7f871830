package jnat.host;

/**
 * An IPv4 address on a device (struct in_ifaddr): local address, prefix length, broadcast, scope,
 * label. The kernel marks an address secondary when another one of the same subnet came first.
 */
public final class InterfaceAddress {
    private final Interface device;
    private final int local;
    private final int prefixLength;
    private final int broadcast;
    private final int scope;
    private final String label;
    private final boolean noPrefixRoute;
    private final int routeMetric;
    boolean secondary;

    public InterfaceAddress(Interface device, int local, int prefixLength, int broadcast, int scope,
                            String label, boolean noPrefixRoute, int routeMetric) {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength);
        this.device = device;
        this.local = local;
        this.prefixLength = prefixLength;
        this.broadcast = broadcast;
        this.scope = scope;
        this.label = label == null ? device.name() : label;
        this.noPrefixRoute = noPrefixRoute;
        this.routeMetric = routeMetric;
    }

    public Interface device() { return device; }
    public int local() { return local; }
    public int prefixLength() { return prefixLength; }
    public int mask() { return Inet4.mask(prefixLength); }
    /** The subnet (ifa_address & ifa_mask). */
    public int prefix() { return local & mask(); }
    /** The explicitly assigned broadcast address, 0 when none was given. */
    public int broadcast() { return broadcast; }
    public int scope() { return scope; }
    public String label() { return label; }
    public boolean isSecondary() { return secondary; }
    public boolean noPrefixRoute() { return noPrefixRoute; }
    public int routeMetric() { return routeMetric; }

    /** inet_ifa_match: does {@code addr} lie in this address's subnet? */
    public boolean contains(int addr) {
        return ((addr ^ local) & mask()) == 0;
    }

    @Override
    public String toString() {
        return Inet4.format(local) + "/" + prefixLength + " dev " + device.name() + (secondary ? " secondary" : "");
    }
}

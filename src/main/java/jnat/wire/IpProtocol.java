package jnat.wire;

/** IPv4 protocol numbers (the {@code protocol} field), as in {@code <netinet/in.h>}. */
public final class IpProtocol {
    private IpProtocol() {}

    public static final int ICMP = 1;
    public static final int IGMP = 2;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int GRE = 47;
    public static final int ICMPV6 = 58;
    public static final int SCTP = 132;
    public static final int UDPLITE = 136;
}

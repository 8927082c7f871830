package jnat.rules;

/**
 * nf_nat_range2 as the NAT targets hand it to the engine: flags, an address range and a port
 * range (host order ints). Immutable.
 */
public final class NatRange {
    public static final int MAP_IPS = 1, PROTO_SPECIFIED = 2, PROTO_RANDOM = 4, PERSISTENT = 8, PROTO_RANDOM_FULLY = 16;
    /** NF_NAT_RANGE_PROTO_OFFSET: a shifted port range, "p-q/base" (DNAT). */
    public static final int PROTO_OFFSET = 32;

    public final int flags;
    public final int minAddr, maxAddr;
    public final int minPort, maxPort;
    /** An IPv6 range (ip6tables): its addresses are the 128-bit ones below and minAddr/maxAddr are 0. */
    public final boolean ipv6;
    public final long minAddrHi, minAddrLo, maxAddrHi, maxAddrLo;
    /** base_proto: with {@link #PROTO_OFFSET}, the port that maps to minPort. */
    public final int basePort;

    public NatRange(int flags, int minAddr, int maxAddr, int minPort, int maxPort) {
        this(flags, minAddr, maxAddr, minPort, maxPort, false, new long[4], 0);
    }

    public NatRange(int flags, int minAddr, int maxAddr, int minPort, int maxPort, int basePort) {
        this(flags, minAddr, maxAddr, minPort, maxPort, false, new long[4], basePort);
    }

    /** An IPv6 range: {@code addrs} is {minHi, minLo, maxHi, maxLo}. */
    public NatRange(int flags, long[] addrs, int minPort, int maxPort) {
        this(flags, 0, 0, minPort, maxPort, true, addrs, 0);
    }

    public NatRange(int flags, long[] addrs, int minPort, int maxPort, int basePort) {
        this(flags, 0, 0, minPort, maxPort, true, addrs, basePort);
    }

    private NatRange(int flags, int minAddr, int maxAddr, int minPort, int maxPort, boolean ipv6, long[] a, int basePort) {
        this.flags = flags;
        this.minAddr = minAddr;
        this.maxAddr = maxAddr;
        this.minPort = minPort;
        this.maxPort = maxPort;
        this.ipv6 = ipv6;
        this.minAddrHi = a[0];
        this.minAddrLo = a[1];
        this.maxAddrHi = a[2];
        this.maxAddrLo = a[3];
        this.basePort = basePort;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** "a[-b][:p[-q]]" as libxt_NAT prints a range. */
    void appendRange(StringBuilder out) {
        if (ipv6) {
            appendRange6(out);
            return;
        }
        if (has(MAP_IPS)) {
            out.append(Inet.format(minAddr));
            if (maxAddr != minAddr) out.append('-').append(Inet.format(maxAddr));
        }
        if (has(PROTO_SPECIFIED)) {
            out.append(':').append(minPort);
            if (maxPort != minPort) out.append('-').append(maxPort);
            if (has(PROTO_OFFSET)) out.append('/').append(basePort);
        }
    }

    /** sprint_range for AF_INET6: the addresses in brackets when a port follows. */
    private void appendRange6(StringBuilder out) {
        boolean brackets = has(PROTO_SPECIFIED);
        if (has(MAP_IPS)) {
            if (brackets) out.append('[');
            out.append(Inet6.format(minAddrHi, minAddrLo));
            if (maxAddrHi != minAddrHi || maxAddrLo != minAddrLo) out.append('-').append(Inet6.format(maxAddrHi, maxAddrLo));
            if (brackets) out.append(']');
        }
        if (has(PROTO_SPECIFIED)) {
            out.append(':').append(minPort);
            if (maxPort != minPort) out.append('-').append(maxPort);
            if (has(PROTO_OFFSET)) out.append('/').append(basePort);
        }
    }

    /** NETMAP's "addr/len" (or "/mask"): the network and the bits min and max share. */
    void appendNetwork(StringBuilder out) {
        if (ipv6) {
            out.append(Inet6.format(minAddrHi, minAddrLo)).append(Inet6.saveMask(~(minAddrHi ^ maxAddrHi), ~(minAddrLo ^ maxAddrLo)));
        } else {
            out.append(Inet.format(minAddr)).append(Inet.saveMask(~(minAddr ^ maxAddr)));
        }
    }

    void appendPorts(StringBuilder out) {
        out.append(minPort);
        if (maxPort != minPort) out.append('-').append(maxPort);
    }

    void appendFlags(StringBuilder out, String prefix, boolean persistent) {
        if (has(PROTO_RANDOM)) out.append(' ').append(prefix).append("random");
        if (has(PROTO_RANDOM_FULLY)) out.append(' ').append(prefix).append("random-fully");
        if (persistent && has(PERSISTENT)) out.append(' ').append(prefix).append("persistent");
    }
}

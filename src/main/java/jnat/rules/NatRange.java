package jnat.rules;

/**
 * nf_nat_range2 as the NAT targets hand it to the engine: flags, an address range and a port
 * range (host order ints). Immutable.
 */
public final class NatRange {
    public static final int MAP_IPS = 1, PROTO_SPECIFIED = 2, PROTO_RANDOM = 4, PERSISTENT = 8, PROTO_RANDOM_FULLY = 16;

    public final int flags;
    public final int minAddr, maxAddr;
    public final int minPort, maxPort;

    public NatRange(int flags, int minAddr, int maxAddr, int minPort, int maxPort) {
        this.flags = flags;
        this.minAddr = minAddr;
        this.maxAddr = maxAddr;
        this.minPort = minPort;
        this.maxPort = maxPort;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** "a[-b][:p[-q]]" as libxt_NAT prints a range. */
    void appendRange(StringBuilder out) {
        if (has(MAP_IPS)) {
            out.append(Inet.format(minAddr));
            if (maxAddr != minAddr) out.append('-').append(Inet.format(maxAddr));
        }
        if (has(PROTO_SPECIFIED)) {
            out.append(':').append(minPort);
            if (maxPort != minPort) out.append('-').append(maxPort);
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

package jnat.ipset;

/**
 * struct ip_set_adt_opt and what a type's kadt reads from the sk_buff: the family, dim and the
 * src/dst flags of each dimension (bit i for dimension i, IPSET_DIM_*_SRC), the command flags, the
 * rule's timeout and counter comparisons, and the packet's addresses, protocol, ports, length and
 * devices. A rule keeps one and refills it per packet, so a lookup allocates nothing.
 */
public final class IpSetAdt {
    /** IPSET_FLAG_* of cmdflags. */
    public static final int EXIST = 1, RETURN_NOMATCH = 1 << 7, SKIP_COUNTER_UPDATE = 1 << 8,
            SKIP_SUBCOUNTER_UPDATE = 1 << 9, MATCH_COUNTERS = 1 << 10;
    /** enum ip_set_counter_op. */
    public static final int COUNTER_NONE = 0, COUNTER_EQ = 1, COUNTER_NE = 2, COUNTER_LT = 3, COUNTER_GT = 4;

    public int family = IpSet.INET;
    public int dim;
    /** Bit i (1..dim) set: dimension i is the source. */
    public int flags;
    public int cmdflags;
    /** The rule's --timeout, -1 for the set's. */
    public long timeout = -1;
    public int packetsOp, bytesOp;
    public long packets, bytes;

    // the packet
    public long srcHi, srcLo, dstHi, dstLo;
    public int proto;
    /** The transport ports (ICMP: type << 8 | code in both); portsValid false for a later fragment of a protocol with ports. */
    public int sport, dport;
    public boolean portsValid;
    /** skb->len: the network header onwards. */
    public int len;
    public String in = "", out = "";
    /** Whether the set may read the packet's MAC header (bitmap:ip,mac, or a list:set's member): fill copies it into {@link #mac}. */
    public boolean wantsMac;
    /** The packet's link-layer header (destination MAC, source MAC, ethertype), macLen bytes of it, -1 without one. */
    public final byte[] mac = new byte[14];
    public int macLen = -1;

    /** Whether dimension {@code dimension} (1..dim) is the source (IPSET_DIM_*_SRC). */
    boolean src(int dimension) {
        return (flags & 1 << dimension) != 0;
    }

    long hi(int dimension) {
        return src(dimension) ? srcHi : dstHi;
    }

    long lo(int dimension) {
        return src(dimension) ? srcLo : dstLo;
    }

    int port(int dimension) {
        return src(dimension) ? sport : dport;
    }

    /** ip_set_match_counter. */
    static boolean counterMatch(long counter, int op, long value) {
        return switch (op) {
            case COUNTER_EQ -> counter == value;
            case COUNTER_NE -> counter != value;
            case COUNTER_LT -> Long.compareUnsigned(counter, value) < 0;
            case COUNTER_GT -> Long.compareUnsigned(counter, value) > 0;
            default -> true;
        };
    }
}

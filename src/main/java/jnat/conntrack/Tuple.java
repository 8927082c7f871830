package jnat.conntrack;

/**
 * An IPv4 nf_conntrack_tuple as a reusable mutable holder: source and destination address, the
 * l4 "source" (tcp/udp port, icmp id) and "destination" (tcp/udp port, icmp type and code) parts,
 * and the protocol number. Addresses are ints in network byte order read as big-endian
 * (198.51.100.8 is 0xc6336408), ports are unsigned 16-bit values in ints.
 *
 * <p>As the kernel stores it, an ICMP tuple keeps the id in {@link #srcPort} (src.u.icmp.id) and
 * type and code in {@link #dstPort} as {@code type << 8 | code} (dst.u.icmp.type, .code). Other
 * protocols (generic tracking) have both l4 parts zero.
 *
 * <p>The table stores a tuple as two longs ({@link #addrs()}, {@link #l4()}); the holder exists so
 * that callers can build and change tuples without allocating.
 */
public final class Tuple {
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;

    /** ICMP types conntrack knows (include/uapi/linux/icmp.h). */
    public static final int ICMP_ECHOREPLY = 0, ICMP_DEST_UNREACH = 3, ICMP_SOURCE_QUENCH = 4,
            ICMP_REDIRECT = 5, ICMP_ECHO = 8, ICMP_TIME_EXCEEDED = 11, ICMP_PARAMETERPROB = 12,
            ICMP_TIMESTAMP = 13, ICMP_TIMESTAMPREPLY = 14, ICMP_INFO_REQUEST = 15, ICMP_INFO_REPLY = 16,
            ICMP_ADDRESS = 17, ICMP_ADDRESSREPLY = 18, NR_ICMP_TYPES = 18;

    public int src;
    public int dst;
    /** tcp/udp source port; icmp id. */
    public int srcPort;
    /** tcp/udp destination port; icmp {@code type << 8 | code}. */
    public int dstPort;
    public int protocol;

    public Tuple() {}

    public Tuple(int protocol, int src, int dst, int srcPort, int dstPort) {
        set(protocol, src, dst, srcPort, dstPort);
    }

    public Tuple set(int protocol, int src, int dst, int srcPort, int dstPort) {
        this.protocol = protocol & 0xff;
        this.src = src;
        this.dst = dst;
        this.srcPort = srcPort & 0xffff;
        this.dstPort = dstPort & 0xffff;
        return this;
    }

    /** icmp_pkt_to_tuple: the id is the "source port", type and code the "destination". */
    public Tuple setIcmp(int src, int dst, int id, int type, int code) {
        return set(IPPROTO_ICMP, src, dst, id, (type & 0xff) << 8 | (code & 0xff));
    }

    public Tuple copyFrom(Tuple o) {
        return set(o.protocol, o.src, o.dst, o.srcPort, o.dstPort);
    }

    public int icmpId() { return srcPort; }
    public int icmpType() { return dstPort >>> 8; }
    public int icmpCode() { return dstPort & 0xff; }

    /** Addresses packed as one long: {@code src << 32 | dst}. */
    public long addrs() {
        return (long) src << 32 | (dst & 0xffffffffL);
    }

    /** Protocol and l4 parts packed as one long: {@code protocol << 32 | srcPort << 16 | dstPort}. */
    public long l4() {
        return (long) protocol << 32 | (long) srcPort << 16 | dstPort;
    }

    /** Sets this tuple from its two packed longs. */
    public Tuple unpack(long addrs, long l4) {
        return set((int) (l4 >>> 32), (int) (addrs >>> 32), (int) addrs, (int) (l4 >>> 16), (int) l4);
    }

    /**
     * nf_ct_invert_tuple: writes into {@code out} the tuple of a packet going the other way (may be
     * {@code this}). ICMP query types map to their reply type (echo request <-> echo reply, ...);
     * returns false, leaving {@code out} untouched, for ICMP types that have no inverse.
     */
    public boolean invert(Tuple out) {
        int s = srcPort, d = dstPort;
        if (protocol == IPPROTO_ICMP) {
            int inv = invertIcmpType(d >>> 8);
            if (inv < 0) return false;
            out.set(protocol, dst, src, s, inv << 8 | (d & 0xff));
        } else {
            out.set(protocol, dst, src, d, s);
        }
        return true;
    }

    /** nf_conntrack_invert_icmp_tuple's invmap; -1 for types without an inverse. */
    public static int invertIcmpType(int type) {
        return switch (type) {
            case ICMP_ECHO -> ICMP_ECHOREPLY;
            case ICMP_ECHOREPLY -> ICMP_ECHO;
            case ICMP_TIMESTAMP -> ICMP_TIMESTAMPREPLY;
            case ICMP_TIMESTAMPREPLY -> ICMP_TIMESTAMP;
            case ICMP_INFO_REQUEST -> ICMP_INFO_REPLY;
            case ICMP_INFO_REPLY -> ICMP_INFO_REQUEST;
            case ICMP_ADDRESS -> ICMP_ADDRESSREPLY;
            case ICMP_ADDRESSREPLY -> ICMP_ADDRESS;
            default -> -1;
        };
    }

    /** icmp_is_err: the ICMP types that quote a packet and are RELATED to its connection. */
    public static boolean isIcmpError(int type) {
        return switch (type) {
            case ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB -> true;
            default -> false;
        };
    }

    /** nf_ct_tuple_equal. */
    public boolean sameAs(Tuple o) {
        return src == o.src && dst == o.dst && srcPort == o.srcPort && dstPort == o.dstPort && protocol == o.protocol;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tuple t && sameAs(t);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(mix(addrs(), l4(), 0));
    }

    /** The table's hash of a packed tuple (a 64-bit finalizer over both halves, keyed by a seed). */
    static long mix(long addrs, long l4, long seed) {
        long h = addrs * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(l4 ^ seed, 31) * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** Dotted quad of an address int. */
    public static String ip(int a) {
        return jnat.wire.Ipv4Address.format(a);
    }

    /** Parses a dotted quad (for tests and tools; not on any packet path). */
    public static int parseIp(String s) {
        return jnat.wire.Ipv4Address.parse(s);
    }

    @Override
    public String toString() {
        if (protocol == IPPROTO_ICMP) {
            return "icmp src=" + ip(src) + " dst=" + ip(dst) + " type=" + icmpType() + " code=" + icmpCode() + " id=" + icmpId();
        }
        return "proto " + protocol + " src=" + ip(src) + " dst=" + ip(dst) + " sport=" + srcPort + " dport=" + dstPort;
    }
}

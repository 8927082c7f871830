package jnat.conntrack;

/**
 * An nf_conntrack_tuple as a reusable mutable holder: the family (src.l3num), source and
 * destination address, the l4 "source" (tcp/udp port, icmp id) and "destination" (tcp/udp port,
 * icmp type and code) parts, and the protocol number. IPv4 addresses are ints in network byte
 * order read as big-endian (198.51.100.8 is 0xc6336408), ports are unsigned 16-bit values in ints.
 *
 * <p>An IPv6 tuple ({@link #set6}, family {@link #NFPROTO_IPV6}) keeps its 128-bit addresses as
 * {@link jnat.wire.Ipv6Address} does, hi/lo longs ({@link #srcHi}, {@link #srcLo}, {@link #dstHi},
 * {@link #dstLo}), and a 32-bit {@link #fold} of each in {@link #src} and {@link #dst}: the table
 * hashes and filters on the folds (the row's address ints) and compares the full addresses only
 * when a fold matches. An IPv4 tuple's longs are left as they were and mean nothing.
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
    public static final int IPPROTO_ICMPV6 = 58;

    /** src.l3num: NFPROTO_IPV4 and NFPROTO_IPV6 (AF_INET, AF_INET6), the numbers conntrack -o extended prints. */
    public static final int NFPROTO_IPV4 = 2, NFPROTO_IPV6 = 10;
    /** The family bit above the protocol in {@link #l4()}'s protocol part (NfConn.FAMILY_IPV6 >>> PROTO_SHIFT). */
    public static final int L4_IPV6 = 0x100;

    /** ICMPv6 types conntrack knows (include/uapi/linux/icmpv6.h, include/net/ndisc.h). */
    public static final int ICMPV6_ECHO_REQUEST = 128, ICMPV6_ECHO_REPLY = 129, ICMPV6_MGM_QUERY = 130,
            ICMPV6_MGM_REPORT = 131, ICMPV6_MGM_REDUCTION = 132, NDISC_ROUTER_SOLICITATION = 133,
            NDISC_ROUTER_ADVERTISEMENT = 134, NDISC_NEIGHBOUR_SOLICITATION = 135,
            NDISC_NEIGHBOUR_ADVERTISEMENT = 136, ICMPV6_NI_QUERY = 139, ICMPV6_NI_REPLY = 140,
            ICMPV6_MLD2_REPORT = 143;

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
    /** {@link #NFPROTO_IPV4} or {@link #NFPROTO_IPV6}. */
    public int family = NFPROTO_IPV4;
    /** IPv6 addresses (network order, as {@link jnat.wire.Ipv6Address}); meaningful only for IPv6. */
    public long srcHi, srcLo, dstHi, dstLo;

    public Tuple() {}

    public Tuple(int protocol, int src, int dst, int srcPort, int dstPort) {
        set(protocol, src, dst, srcPort, dstPort);
    }

    /** An IPv4 tuple. */
    public Tuple set(int protocol, int src, int dst, int srcPort, int dstPort) {
        this.family = NFPROTO_IPV4;
        this.protocol = protocol & 0xff;
        this.src = src;
        this.dst = dst;
        this.srcPort = srcPort & 0xffff;
        this.dstPort = dstPort & 0xffff;
        return this;
    }

    /** An IPv6 tuple (ipv6_pkt_to_tuple): the addresses as hi/lo longs, their folds in src and dst. */
    public Tuple set6(int protocol, long srcHi, long srcLo, long dstHi, long dstLo, int srcPort, int dstPort) {
        set(protocol, fold(srcHi, srcLo), fold(dstHi, dstLo), srcPort, dstPort);
        this.family = NFPROTO_IPV6;
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.dstHi = dstHi;
        this.dstLo = dstLo;
        return this;
    }

    /** icmp_pkt_to_tuple: the id is the "source port", type and code the "destination". */
    public Tuple setIcmp(int src, int dst, int id, int type, int code) {
        return set(IPPROTO_ICMP, src, dst, id, (type & 0xff) << 8 | (code & 0xff));
    }

    /** icmpv6_pkt_to_tuple: as ICMP, the identifier, type and code. */
    public Tuple setIcmp6(long srcHi, long srcLo, long dstHi, long dstLo, int id, int type, int code) {
        return set6(IPPROTO_ICMPV6, srcHi, srcLo, dstHi, dstLo, id, (type & 0xff) << 8 | (code & 0xff));
    }

    /** Sets the IPv6 source (NAT66), keeping its fold. */
    public void setSrc6(long hi, long lo) {
        srcHi = hi;
        srcLo = lo;
        src = fold(hi, lo);
    }

    /** Sets the IPv6 destination (NAT66), keeping its fold. */
    public void setDst6(long hi, long lo) {
        dstHi = hi;
        dstLo = lo;
        dst = fold(hi, lo);
    }

    public boolean ipv6() {
        return family == NFPROTO_IPV6;
    }

    public Tuple copyFrom(Tuple o) {
        set(o.protocol, o.src, o.dst, o.srcPort, o.dstPort);
        family = o.family;
        srcHi = o.srcHi;
        srcLo = o.srcLo;
        dstHi = o.dstHi;
        dstLo = o.dstLo;
        return this;
    }

    /**
     * The 32-bit fold of an IPv6 address kept in the row's address int: a multiply-xorshift mix
     * of both halves, so addresses of one prefix (the usual case) spread over all 32 bits.
     */
    public static int fold(long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L + lo) * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ h >>> 29 ^ h >>> 32);
    }

    public int icmpId() { return srcPort; }
    public int icmpType() { return dstPort >>> 8; }
    public int icmpCode() { return dstPort & 0xff; }

    /** Addresses packed as one long: {@code src << 32 | dst}. */
    public long addrs() {
        return (long) src << 32 | (dst & 0xffffffffL);
    }

    /**
     * Protocol and l4 parts packed as one long: {@code protocol << 32 | srcPort << 16 | dstPort},
     * with {@link #L4_IPV6} above the protocol for an IPv6 tuple (the family is hashed with the
     * tuple, as hash_conntrack_raw hashes src.l3num).
     */
    public long l4() {
        return (long) (protocol | (family == NFPROTO_IPV6 ? L4_IPV6 : 0)) << 32 | (long) srcPort << 16 | dstPort;
    }

    /** Sets this IPv4 tuple from its two packed longs (an IPv6 tuple's addresses are not in them). */
    public Tuple unpack(long addrs, long l4) {
        return set((int) (l4 >>> 32), (int) (addrs >>> 32), (int) addrs, (int) (l4 >>> 16), (int) l4);
    }

    /**
     * nf_ct_invert_tuple: writes into {@code out} the tuple of a packet going the other way (may be
     * {@code this}). ICMP query types map to their reply type (echo request <-> echo reply, ...);
     * returns false, leaving {@code out} untouched, for ICMP types that have no inverse.
     */
    public boolean invert(Tuple out) {
        int s = srcPort, d = dstPort, sp, dp;
        if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6) {
            int inv = protocol == IPPROTO_ICMP ? invertIcmpType(d >>> 8) : invertIcmpv6Type(d >>> 8);
            if (inv < 0) return false;
            sp = s;
            dp = inv << 8 | (d & 0xff);
        } else {
            sp = d;
            dp = s;
        }
        if (family == NFPROTO_IPV6) out.set6(protocol, dstHi, dstLo, srcHi, srcLo, sp, dp);
        else out.set(protocol, dst, src, sp, dp);
        return true;
    }

    /** nf_conntrack_invert_icmpv6_tuple's invmap: echo and node information queries; -1 for the rest. */
    public static int invertIcmpv6Type(int type) {
        return switch (type) {
            case ICMPV6_ECHO_REQUEST -> ICMPV6_ECHO_REPLY;
            case ICMPV6_ECHO_REPLY -> ICMPV6_ECHO_REQUEST;
            case ICMPV6_NI_QUERY -> ICMPV6_NI_REPLY;
            case ICMPV6_NI_REPLY -> ICMPV6_NI_QUERY;
            default -> -1;
        };
    }

    /** noct_valid_new: ICMPv6 types (MLD, NDP) that conntrack leaves untracked. */
    public static boolean isIcmpv6Untracked(int type) {
        return switch (type) {
            case ICMPV6_MGM_QUERY, ICMPV6_MGM_REPORT, ICMPV6_MGM_REDUCTION, NDISC_ROUTER_SOLICITATION,
                 NDISC_ROUTER_ADVERTISEMENT, NDISC_NEIGHBOUR_SOLICITATION, NDISC_NEIGHBOUR_ADVERTISEMENT,
                 ICMPV6_MLD2_REPORT -> true;
            default -> false;
        };
    }

    /** nf_conntrack_icmpv6_error: types below 128 are errors, quoting a packet (RELATED). */
    public static boolean isIcmpv6Error(int type) {
        return type < 128;
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

    /** nf_ct_tuple_equal (the family included, as src.l3num is). */
    public boolean sameAs(Tuple o) {
        return src == o.src && dst == o.dst && srcPort == o.srcPort && dstPort == o.dstPort && protocol == o.protocol
                && family == o.family && (family != NFPROTO_IPV6
                        || srcHi == o.srcHi && srcLo == o.srcLo && dstHi == o.dstHi && dstLo == o.dstLo);
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
        String s = ipv6() ? jnat.wire.Ipv6Address.format(srcHi, srcLo) : ip(src);
        String d = ipv6() ? jnat.wire.Ipv6Address.format(dstHi, dstLo) : ip(dst);
        if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6) {
            return (protocol == IPPROTO_ICMP ? "icmp" : "icmpv6") + " src=" + s + " dst=" + d + " type=" + icmpType()
                    + " code=" + icmpCode() + " id=" + icmpId();
        }
        return "proto " + protocol + " src=" + s + " dst=" + d + " sport=" + srcPort + " dport=" + dstPort;
    }
}

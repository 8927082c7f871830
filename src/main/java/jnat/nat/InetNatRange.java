package jnat.nat;

import jnat.conntrack.Tuple;
import jnat.rules.NatRange;

/**
 * struct nf_nat_range2 with its addresses as union nf_inet_addr: what {@link NatCore} takes, for
 * either family. The flags and ports are {@link NatRange}'s (its MAP_IPS, PROTO_SPECIFIED, ...);
 * an IPv4 range holds its addresses as ints, an IPv6 range as hi/lo longs
 * ({@link jnat.wire.Ipv6Address}). Mutable and reused, so a new connection's binding allocates
 * nothing; the NAT targets' IPv6 ranges fill one with {@link #set6}.
 */
final class InetNatRange {
    int flags;
    int family = Tuple.NFPROTO_IPV4;
    /** IPv4: min_addr.ip and max_addr.ip. */
    int min4, max4;
    /** IPv6: min_addr.in6 and max_addr.in6. */
    long minHi, minLo, maxHi, maxLo;
    /** min_proto.all and max_proto.all (port or ICMP id). */
    int minPort, maxPort;
    /** base_proto.all, with NatRange.PROTO_OFFSET. */
    int basePort;

    InetNatRange set4(int flags, int minAddr, int maxAddr, int minPort, int maxPort) {
        this.flags = flags;
        this.family = Tuple.NFPROTO_IPV4;
        this.min4 = minAddr;
        this.max4 = maxAddr;
        this.minPort = minPort;
        this.maxPort = maxPort;
        this.basePort = 0;
        return this;
    }

    InetNatRange set6(int flags, long minHi, long minLo, long maxHi, long maxLo, int minPort, int maxPort) {
        this.flags = flags;
        this.family = Tuple.NFPROTO_IPV6;
        this.basePort = 0;
        this.minHi = minHi;
        this.minLo = minLo;
        this.maxHi = maxHi;
        this.maxLo = maxLo;
        this.minPort = minPort;
        this.maxPort = maxPort;
        return this;
    }

    /** A {@link NatRange} as an iptables or ip6tables target gives it. */
    InetNatRange set(NatRange r) {
        if (r.ipv6) set6(r.flags, r.minAddrHi, r.minAddrLo, r.maxAddrHi, r.maxAddrLo, r.minPort, r.maxPort);
        else set4(r.flags, r.minAddr, r.maxAddr, r.minPort, r.maxPort);
        this.basePort = r.basePort;
        return this;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    boolean ipv6() {
        return family == Tuple.NFPROTO_IPV6;
    }

    /** nf_inet_addr_cmp(&min_addr, &max_addr): one address only. */
    boolean singleAddress() {
        return ipv6() ? minHi == maxHi && minLo == maxLo : min4 == max4;
    }

    /** nf_nat_inet_in_range: the tuple's source between min and max (ipv6_addr_cmp is memcmp: unsigned). */
    boolean sourceInRange(Tuple t) {
        if (!ipv6()) return Integer.compareUnsigned(t.src, min4) >= 0 && Integer.compareUnsigned(t.src, max4) <= 0;
        return compare(t.srcHi, t.srcLo, minHi, minLo) >= 0 && compare(t.srcHi, t.srcLo, maxHi, maxLo) <= 0;
    }

    private static int compare(long hi, long lo, long hi2, long lo2) {
        int c = Long.compareUnsigned(hi, hi2);
        return c != 0 ? c : Long.compareUnsigned(lo, lo2);
    }

    /** Word {@code i} (0-3) of min_addr, as ntohl reads it. */
    int minWord(int i) {
        return word(minHi, minLo, i);
    }

    int maxWord(int i) {
        return word(maxHi, maxLo, i);
    }

    /** Word {@code i} (0-3, network order) of an IPv6 address, as a big-endian int. */
    static int word(long hi, long lo, int i) {
        long half = i < 2 ? hi : lo;
        return (i & 1) == 0 ? (int) (half >>> 32) : (int) half;
    }
}

package jnat.nft;

import java.util.List;

/**
 * Protocol header templates (src/proto.c): each header's fields with their type, offset and length in
 * bits, and where the header is (link, network, transport base). A transport header needs its protocol
 * matched first (the dependency nft adds: meta l4proto, or ip protocol / ip6 nexthdr).
 */
final class Proto {
    static final int LL = 0, NETWORK = 1, TRANSPORT = 2;

    record Field(String name, Datatype type, int offset, int bits) {}

    final String name;
    final int base;
    final int protocol; // the transport protocol number, -1 for network and link headers
    final List<Field> fields;

    private Proto(String name, int base, int protocol, List<Field> fields) {
        this.name = name;
        this.base = base;
        this.protocol = protocol;
        this.fields = fields;
    }

    private static Field f(String n, Datatype t, int off, int bits) {
        return new Field(n, t, off, bits);
    }

    static final Proto IP = new Proto("ip", NETWORK, -1, List.of(
            f("version", Datatype.INTEGER, 0, 4), f("hdrlength", Datatype.INTEGER, 4, 4),
            f("dscp", Datatype.DSCP, 8, 6), f("ecn", Datatype.ECN, 14, 2),
            f("length", Datatype.INTEGER, 16, 16), f("id", Datatype.INTEGER, 32, 16),
            f("frag-off", Datatype.INTEGER, 48, 16), f("ttl", Datatype.INTEGER, 64, 8),
            f("protocol", Datatype.INET_PROTO, 72, 8), f("checksum", Datatype.INTEGER, 80, 16),
            f("saddr", Datatype.IPV4_ADDR, 96, 32), f("daddr", Datatype.IPV4_ADDR, 128, 32)));
    static final Proto IP6 = new Proto("ip6", NETWORK, -1, List.of(
            f("version", Datatype.INTEGER, 0, 4), f("dscp", Datatype.DSCP, 4, 6), f("ecn", Datatype.ECN, 10, 2),
            f("flowlabel", Datatype.INTEGER, 12, 20), f("length", Datatype.INTEGER, 32, 16),
            f("nexthdr", Datatype.INET_PROTO, 48, 8), f("hoplimit", Datatype.INTEGER, 56, 8),
            f("saddr", Datatype.IPV6_ADDR, 64, 128), f("daddr", Datatype.IPV6_ADDR, 192, 128)));
    static final Proto TCP = new Proto("tcp", TRANSPORT, 6, List.of(
            f("sport", Datatype.INET_SERVICE, 0, 16), f("dport", Datatype.INET_SERVICE, 16, 16),
            f("sequence", Datatype.INTEGER, 32, 32), f("ackseq", Datatype.INTEGER, 64, 32),
            f("doff", Datatype.INTEGER, 96, 4), f("reserved", Datatype.INTEGER, 100, 4),
            f("flags", Datatype.TCP_FLAG, 104, 8), f("window", Datatype.INTEGER, 112, 16),
            f("checksum", Datatype.INTEGER, 128, 16), f("urgptr", Datatype.INTEGER, 144, 16)));
    static final Proto UDP = new Proto("udp", TRANSPORT, 17, List.of(
            f("sport", Datatype.INET_SERVICE, 0, 16), f("dport", Datatype.INET_SERVICE, 16, 16),
            f("length", Datatype.INTEGER, 32, 16), f("checksum", Datatype.INTEGER, 48, 16)));
    static final Proto UDPLITE = new Proto("udplite", TRANSPORT, 136, List.of(
            f("sport", Datatype.INET_SERVICE, 0, 16), f("dport", Datatype.INET_SERVICE, 16, 16),
            f("checksum", Datatype.INTEGER, 48, 16)));
    static final Proto SCTP = new Proto("sctp", TRANSPORT, 132, List.of(
            f("sport", Datatype.INET_SERVICE, 0, 16), f("dport", Datatype.INET_SERVICE, 16, 16),
            f("vtag", Datatype.INTEGER, 32, 32), f("checksum", Datatype.INTEGER, 64, 32)));
    static final Proto DCCP = new Proto("dccp", TRANSPORT, 33, List.of(
            f("sport", Datatype.INET_SERVICE, 0, 16), f("dport", Datatype.INET_SERVICE, 16, 16)));
    /** The transport header whatever it is (proto_th): only the ports. */
    static final Proto TH = new Proto("th", TRANSPORT, -1, List.of(
            f("sport", Datatype.INET_SERVICE, 0, 16), f("dport", Datatype.INET_SERVICE, 16, 16)));
    static final Proto ICMP = new Proto("icmp", TRANSPORT, 1, List.of(
            f("type", Datatype.ICMP_TYPE, 0, 8), f("code", Datatype.ICMP_CODE, 8, 8),
            f("checksum", Datatype.INTEGER, 16, 16), f("id", Datatype.INTEGER, 32, 16),
            f("sequence", Datatype.INTEGER, 48, 16), f("gateway", Datatype.INTEGER, 32, 32),
            f("mtu", Datatype.INTEGER, 48, 16)));
    static final Proto ICMP6 = new Proto("icmpv6", TRANSPORT, 58, List.of(
            f("type", Datatype.ICMP6_TYPE, 0, 8), f("code", Datatype.ICMPV6_CODE, 8, 8),
            f("checksum", Datatype.INTEGER, 16, 16), f("id", Datatype.INTEGER, 32, 16),
            f("sequence", Datatype.INTEGER, 48, 16), f("mtu", Datatype.INTEGER, 32, 32),
            f("max-delay", Datatype.INTEGER, 32, 16)));
    static final Proto ETHER = new Proto("ether", LL, -1, List.of(
            f("daddr", Datatype.ETHER_ADDR, 0, 48), f("saddr", Datatype.ETHER_ADDR, 48, 48),
            f("type", Datatype.ETHERTYPE, 96, 16)));

    static final List<Proto> ALL = List.of(IP, IP6, TCP, UDP, UDPLITE, SCTP, DCCP, TH, ICMP, ICMP6, ETHER);

    static Proto byName(String n) {
        for (Proto p : ALL) if (p.name.equals(n)) return p;
        return null;
    }

    Field field(String n) {
        for (Field f : fields) if (f.name.equals(n)) return f;
        return null;
    }

    /** The header a transport protocol number selects (proto_inet_service's list), or null. */
    static Proto transport(int proto) {
        for (Proto p : ALL) if (p.base == TRANSPORT && p.protocol == proto) return p;
        return null;
    }

    /** The field a load of these bytes (with this mask) reads, first-listed first (payload_expr_complete). */
    Field fieldAt(int offsetBits, int bits) {
        for (Field f : fields) if (f.offset == offsetBits && f.bits == bits) return f;
        return null;
    }
}

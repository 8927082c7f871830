package jnat.nat;

/** Why the engine dropped a packet; each has a counter (replay's summary, the gateway's metrics). */
public enum DropReason {
    L2_TRUNCATED("frame shorter than its link header", true),
    L2_NOT_FOR_US("frame addressed to another host (PACKET_OTHERHOST)", true),
    L2_VLAN("802.1Q tagged frame (no VLAN device)", true),
    L2_UNKNOWN_ETHERTYPE("ethertype not IPv4, IPv6 or ARP", true),
    ARP_MALFORMED("malformed ARP packet", true),
    IP_MALFORMED("malformed IPv4 header", true),
    IP_BAD_CHECKSUM("IPv4 header checksum error", true),
    /** ip_defrag: every fragment is refused while the queues hold more than ipfrag_high_thresh (inet_frag_find). */
    FRAG_MEMORY_FULL("IPv4 fragment refused: reassembly memory above ipfrag_high_thresh", true),
    /** A fragment wholly inside what its queue already holds (IPFRAG_DUP): dropped, the queue kept. */
    FRAG_DUPLICATE("duplicate IPv4 fragment", true),
    /** A fragment overlapping its queue's data otherwise (IPFRAG_OVERLAP, ReasmOverlaps): the whole queue discarded. */
    FRAG_OVERLAP("overlapping IPv4 fragment (its datagram discarded)", true),
    /** A fragment ending before or beyond its datagram's known end, an empty one, or an ECN mix ip_frag_ecn_table refuses: the queue discarded. */
    FRAG_INVALID("invalid IPv4 fragment offset, length or ECN (its datagram discarded)", true),
    /** The reassembled header and data exceed 65535 bytes (ip_frag_reasm: out_oversize). */
    FRAG_OVERSIZE("reassembled IPv4 datagram larger than 65535 bytes", true),
    /**
     * A queue incomplete after net.ipv4.ipfrag_time (ip_expire), counted when it expires, once per
     * datagram. The kernel then sends ICMP time exceeded (fragment reassembly) when the first
     * fragment came and the datagram was for the host itself; jnat does not generate it yet.
     */
    FRAG_TIMEOUT("fragment reassembly time exceeded (ipfrag_time)", true),
    /** ip6_rcv_core: not version 6, shorter than its header or its payload length says. */
    IPV6_MALFORMED("malformed IPv6 header", true),
    /**
     * ip6_rcv_core's address rules (RFC 4291): a multicast or (off lo) loopback source, a loopback
     * destination off lo, a multicast destination of scope 0 or (from another node) interface-local.
     */
    IPV6_BAD_ADDRESS("IPv6 source or destination not allowed on the wire (RFC 4291)", true),
    /** nf_ct_frag6_gather: inet_frag_find found the queues above nf_conntrack_frag6_high_thresh (-ENOMEM). */
    IPV6_FRAG_MEMORY_FULL("IPv6 fragment refused: reassembly memory above nf_conntrack_frag6_high_thresh", true),
    /** SKB_DROP_REASON_DUP_FRAG: a fragment wholly inside what its queue holds; the queue kept. */
    IPV6_FRAG_DUPLICATE("duplicate IPv6 fragment", true),
    /** An overlap other than a duplicate (RFC 5722): the fragment and its whole queue discarded. */
    IPV6_FRAG_OVERLAP("overlapping IPv6 fragment (its datagram discarded)", true),
    /**
     * nf_ct_frag6_queue's -EINVAL: an end beyond 65535, a last fragment ending before data held or
     * elsewhere than an earlier last one, data beyond a known end, an empty fragment (the queue kept);
     * a fragment header cut short; an ECN mix ip_frag_ecn_table refuses (the datagram discarded).
     */
    IPV6_FRAG_INVALID("invalid IPv6 fragment offset, length, header or ECN", true),
    /** nf_ct_frag6_reasm: the reassembled payload (headers and data) is longer than 65535 bytes. */
    IPV6_FRAG_OVERSIZE("reassembled IPv6 payload larger than 65535 bytes", true),
    /** SKB_DROP_REASON_FRAG_REASM_TIMEOUT: a queue incomplete after nf_conntrack_frag6_timeout, counted once per datagram. */
    IPV6_FRAG_TIMEOUT("IPv6 fragment reassembly time exceeded (nf_conntrack_frag6_timeout)", true),
    /** ip6_forward: a packet sent to a link-layer broadcast or multicast address is not forwarded. */
    IPV6_NOT_HOST("IPv6 packet not forwarded: link-layer multicast or broadcast (pkt_type not PACKET_HOST)"),
    /** ip6_forward's "security critical" check: a ::, multicast, loopback or link-local source is never forwarded (a link-local one is told: not a neighbour). */
    IPV6_SOURCE_NOT_FORWARDED("IPv6 source not forwardable (multicast, loopback or link-local)"),
    /** ip6_forward: hop limit <= 1; the host answers ICMPv6 time exceeded, rate limits permitting. */
    HOP_LIMIT_EXCEEDED("IPv6 hop limit exceeded in forwarding"),
    /** ip6_pkt_too_big: larger than the out MTU (IPv6 routers never fragment); the host answers packet too big (never rate limited). */
    PACKET_TOO_BIG("IPv6 packet larger than the output MTU"),
    ROUTE_MARTIAN("martian source or destination"),
    /**
     * IPv4: the host answers destination unreachable (ip_error), rate limits permitting; blackhole
     * routes silently. IPv6: ICMPv6 destination unreachable (ip6_pkt_discard, ip6_pkt_prohibit).
     */
    ROUTE_UNREACHABLE("no route to destination"),
    /** The host answers time exceeded (ip_forward's icmp_send), rate limits permitting. */
    TTL_EXCEEDED("TTL exceeded in forwarding"),
    /** ip_forward / ip6_forward: a packet carrying a socket (TPROXY assigned one, yet the route is not local) is never forwarded. */
    FORWARD_WITH_SOCKET("packet with a socket (TPROXY's) not forwarded"),
    /** Forwarded: the host answers fragmentation needed with the next-hop MTU (never rate limited). */
    FRAG_NEEDED("larger than the output MTU with DF set"),
    /** SKB_DROP_REASON_NEIGH_QUEUEFULL: the oldest packet waiting for a neighbour, past unres_qlen_bytes. */
    NEIGH_QUEUEFULL("packet waiting for its neighbour dropped: arp_queue above unres_qlen_bytes"),
    /** SKB_DROP_REASON_NEIGH_FAILED: its neighbour never answered the solicitations (NUD_FAILED). */
    NEIGH_FAILED("neighbour unreachable: no answer to the solicitations"),
    CONNTRACK_FULL("conntrack table full"),
    CONNTRACK_CLASH("conntrack insert clash"),
    /** get_unique_tuple found every tuple of the range taken: the kernel's clash at confirm (insert_failed). */
    NAT_NO_FREE_TUPLE("no free NAT tuple (port range exhausted)"),
    NAT_DROP("DROP verdict in the nat table"),
    /** A DROP verdict or policy in the raw table (PREROUTING, OUTPUT): before conntrack, so no connection is made. */
    RAW_DROP("DROP verdict in the raw table"),
    MANGLE_DROP("DROP verdict in the mangle table"),
    /** A DROP verdict or policy in the filter table at INPUT, FORWARD or OUTPUT. */
    FILTER_DROP("DROP verdict in the filter table"),
    SECURITY_DROP("DROP verdict in the security table"),
    /** A drop verdict or policy in an nf_tables filter chain (a nat chain's counts as NAT_DROP). */
    NFT_DROP("drop verdict in an nf_tables chain"),
    NAT_UNMAPPABLE("NAT target could not bind (no address on the device)"),
    NAT_ICMP_ERROR("ICMP error could not be translated"),
    NAT_OIF_CHANGED("masqueraded connection left through another device"),
    /** ipv4_synproxy_hook's NF_DROP: a cut header or options, or a retransmitted ACK whose cookie is not good. */
    SYNPROXY_DROP("dropped by SYNPROXY's hook (cut TCP header or options, or a bad cookie)"),
    /** nf_confirm: nf_ct_seq_adjust failed on a cut header. */
    SEQADJ_DROP("sequence adjustment failed (cut TCP header)");

    private final String text;
    private final boolean beforeHooks;

    DropReason(String text) {
        this(text, false);
    }

    DropReason(String text, boolean beforeHooks) {
        this.text = text;
        this.beforeHooks = beforeHooks;
    }

    /**
     * Dropped before the packet reached the hooks (link layer, ip_rcv's checks, reassembly): the
     * trace has not named it yet, so its drop line names the interface it came in on.
     */
    public boolean beforeHooks() {
        return beforeHooks;
    }

    public String text() {
        return text;
    }

    /** The short name used as a metrics label and in summaries: lower-case, dashes. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

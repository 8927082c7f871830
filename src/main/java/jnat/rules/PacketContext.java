package jnat.rules;

/**
 * What rule matching reads from (and MARK writes to) a packet: the engine implements it over
 * its own packet views and connection entry. Getters are primitive so matching allocates nothing.
 * Addresses are IPv4 addresses as big-endian ints (10.0.0.1 is 0x0a000001).
 *
 * <p>IPv6: a context for an IPv6 packet answers {@link #ipv6()} true and the 128-bit accessors
 * below (each address as hi = bytes 0-7 and lo = bytes 8-15, as jnat.wire.Ipv6Address holds it);
 * for it {@link #protocol()} is the upper-layer protocol after the extension headers (what
 * ipv6_find_hdr(skb, &protoff, -1, ...) finds, as ip6_packet_match compares it),
 * {@link #nonFirstFragment()} says the fragment header's offset is not 0, and
 * {@link #icmpType()}/{@link #icmpCode()} are the ICMPv6 header's. The defaults describe an IPv4
 * packet, so an IPv4-only context implements none of them.
 */
public interface PacketContext {
    // xt_conntrack state bits (XT_CONNTRACK_STATE_BIT(ctinfo) and friends)
    int CT_INVALID = 1;
    int CT_ESTABLISHED = 1 << 1;
    int CT_RELATED = 1 << 2;
    int CT_NEW = 1 << 3;
    int CT_UNTRACKED = 1 << 8;
    int CT_SNAT = 1 << 9;
    int CT_DNAT = 1 << 10;

    int DIR_ORIGINAL = 0;
    int DIR_REPLY = 1;

    // RTN_* route types, as bits (1 << RTN_x) for addressType()
    int RTN_UNSPEC = 1;
    int RTN_UNICAST = 1 << 1;
    int RTN_LOCAL = 1 << 2;
    int RTN_BROADCAST = 1 << 3;
    int RTN_ANYCAST = 1 << 4;
    int RTN_MULTICAST = 1 << 5;
    int RTN_BLACKHOLE = 1 << 6;
    int RTN_UNREACHABLE = 1 << 7;
    int RTN_PROHIBIT = 1 << 8;
    int RTN_THROW = 1 << 9;
    int RTN_NAT = 1 << 10;
    int RTN_XRESOLVE = 1 << 11;

    /** Input interface name, or "" where the hook has none (OUTPUT, POSTROUTING). */
    String inInterface();

    /** Output interface name, or "" where the hook has none (PREROUTING, INPUT). */
    String outInterface();

    int srcAddress();

    int dstAddress();

    /** IP protocol number (6 tcp, 17 udp, 1 icmp). */
    int protocol();

    /** True for a fragment other than the first (fragment offset != 0): no transport header. */
    boolean nonFirstFragment();

    int srcPort();

    int dstPort();

    /** TCP flags byte (FIN 0x01 .. URG 0x20). */
    int tcpFlags();

    int icmpType();

    int icmpCode();

    /** The packet's length for byte counters: the IP total length, as skb->len. */
    int length();

    int mark();

    void setMark(int mark);

    /**
     * NOTRACK / CT --notrack: the packet goes on untracked (nf_ct_set(skb, NULL, IP_CT_UNTRACKED)),
     * unless it already carries a connection. Contexts without conntrack ignore it.
     */
    default void notrack() {}

    /** xt_conntrack state bits: one of INVALID/NEW/ESTABLISHED/RELATED/UNTRACKED, plus SNAT/DNAT. */
    int ctState();

    /** DIR_ORIGINAL or DIR_REPLY: the direction of this packet in its connection. */
    int ctDirection();

    int ctOrigSrc();

    int ctOrigDst();

    int ctOrigSrcPort();

    int ctOrigDstPort();

    int ctReplySrc();

    int ctReplyDst();

    int ctReplySrcPort();

    int ctReplyDstPort();

    /**
     * The route type of {@code addr} as a bit (1 << RTN_x), as inet_dev_addr_type() answers it;
     * {@code limitIface} is the interface to restrict the lookup to, or null for any.
     */
    int addressType(int addr, String limitIface);

    // ---- what the xt_* modules beyond the NAT ruleset read and write; defaults: no such fact ----

    /** skb->pkt_type values (-m pkttype). */
    int PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3, PACKET_OUTGOING = 4;

    /** The engine's clock at this packet, in nanoseconds (jiffies for -m limit and -m recent). */
    default long now() {
        return 0;
    }

    /** The real time (CLOCK_REALTIME) at this packet, in nanoseconds since the epoch: -m time. */
    default long realTime() {
        return now();
    }

    /** The kernel's timezone, sys_tz.tz_minuteswest (-m time --kerneltz). */
    default int tzMinutesWest() {
        return 0;
    }

    /** A match found the packet malformed (par->hotdrop): the walk stops and the packet is dropped. */
    default void hotdrop() {
        throw new UnsupportedOperationException("this packet context cannot drop a packet");
    }

    /** Whether a match called {@link #hotdrop} during this walk. */
    default boolean hotdropped() {
        return false;
    }

    /** skb->pkt_type: {@link #PACKET_HOST} and friends; PACKET_OUTGOING for the host's own packets. */
    default int pktType() {
        return PACKET_HOST;
    }

    /** -m cluster: a packet sent to a multicast MAC (PACKET_MULTICAST) becomes PACKET_HOST. */
    default void setPktTypeHost() {}

    /** The NF_INET_* hook whose table is walking the packet ({@link Hook#ordinal}), -1 outside a walk. */
    default int hookNumber() {
        return -1;
    }

    /** skb->nf_trace: a -j TRACE rule marked the packet, so every later rule and policy it hits is traced. */
    default boolean nfTrace() {
        return false;
    }

    /** -j TRACE: sets skb->nf_trace (kept through the packet's hooks and lo, as the sk_buff keeps it). */
    default void setNfTrace() {
        throw new UnsupportedOperationException("this packet context cannot be traced");
    }

    /**
     * The trace id the nf_tables trace gave this sk_buff (nft_trace_init's skbid), 0 before its first
     * trace event; a packet back in through lo is a new sk_buff (another skb_iif) and starts at 0 again.
     */
    default int nfTraceId() {
        return 0;
    }

    default void setNfTraceId(int id) {}

    /** The ifindex of the device the packet came in on, 0 for none (-j NFLOG's NFULA_IFINDEX_INDEV). */
    default int inIfindex() {
        return 0;
    }

    /** The ifindex of the device the packet leaves by, 0 before routing or for none. */
    default int outIfindex() {
        return 0;
    }

    /**
     * Copies the link-layer header the packet came in with into {@code dst} and returns its
     * length, or -1 when it has none (the host's own packets, layer-3 devices): -j NFLOG's
     * NFULA_HWHEADER. The loopback device's is 12 zero bytes and the ethertype, as eth_header leaves it.
     */
    default int macHeader(byte[] dst) {
        return -1;
    }

    /** The in device's ARPHRD_* type (1 Ethernet, 772 loopback, 65534 none), 0 without one. */
    default int inDeviceType() {
        return 0;
    }

    /**
     * -j CT with a zone: the connection this packet makes or finds is in zone {@code id} (with
     * {@code fromMark}, the low 16 bits of the mark conntrack sees) for the directions {@code dirs}
     * (1 original, 2 reply, 3 both); a packet that already has its connection keeps it.
     */
    default void ctZoneTemplate(int id, int dirs, boolean fromMark) {}

    /** The packet's route's tclassid (skb_dst(skb)->tclassid: source realm << 16 | destination realm), 0 without one (-m realm). */
    default int routeClassid() {
        return 0;
    }

    /** The in device's group (net_device.group, ip link's "group"), 0 without one (-m devgroup). */
    default int inDeviceGroup() {
        return 0;
    }

    /** The out device's group, 0 without one. */
    default int outDeviceGroup() {
        return 0;
    }

    /** Copies the packet from its network header into {@code dst} (as much as fits); returns its length (-j NFLOG). */
    default int packetBytes(byte[] dst) {
        return 0;
    }

    /**
     * xt_owner's socket: skb->sk is a full socket of a process (sk->sk_socket->file), which the
     * host's own packets from a user's socket have and forwarded ones and the kernel's own do not.
     */
    default boolean hasSocketFile() {
        return false;
    }

    /** The owner of that socket's file (f_cred->fsuid), or -1 without one. */
    default int socketUid() {
        return -1;
    }

    /** Its group (f_cred->fsgid), or -1 without one. */
    default int socketGid() {
        return -1;
    }

    /** What {@link #socketLookup} found: a socket, bound to the wildcard address, with IP_TRANSPARENT. */
    int SK_FOUND = 1, SK_WILDCARD = 2, SK_TRANSPARENT = 4;

    /**
     * xt_socket's lookup: skb->sk, else nf_sk_lookup_slow_v4/v6 (the TCP or UDP connection's socket,
     * then a listener): 0 for none, else SK_* bits with the socket's SO_MARK in the high 32 bits.
     */
    default long socketLookup() {
        return 0;
    }

    /**
     * -j TPROXY (tproxy_tg4/tproxy_tg6): give the packet to a transparent socket, the one of its
     * connection or the listener on laddr (0 / ::: the input device's address) and lport (0: its
     * own), setting mark = (mark & ~markMask) ^ markValue. False (drop) when there is none.
     */
    default boolean tproxy(int laddr, long laddrHi, long laddrLo, int lport, int markMask, int markValue) {
        return false;
    }

    /**
     * The lane walking the packet, 0 to the table's {@link Table#setCpus cpus} - 1: the kernel's
     * smp_processor_id() in ipt_do_table, which picks the CPU's counters and jump stack. Two
     * packets walking one table at once must be on different lanes.
     */
    default int cpu() {
        return 0;
    }

    /**
     * nf_skb_duplicated: the packet is a -j TEE copy on its way out (nf_dup_ipv4/nf_dup_ipv6 send it
     * from inside the original's walk): the tables walk it on their second jump stack, and TEE
     * copies it no further.
     */
    default boolean duplicated() {
        return false;
    }

    /**
     * -j TEE (tee_tg4 / tee_tg6): a copy of the packet, untracked, leaves for {@code tee}'s gateway
     * (through LOCAL_OUT and POSTROUTING) before the walk goes on with the original.
     */
    default void dup(TeeTarget tee) {}

    /** -j SYNPROXY (synproxy_tg4, synproxy_tg6): {@link SynproxyTarget#XT_CONTINUE}, or the verdict; no engine here: dropped. */
    default int synproxy(SynproxyTarget t) {
        return SynproxyTarget.NF_DROP;
    }

    /** The packet came from one of the host's sockets (skb->sk != NULL): -m recent's TTL is then not the forwarded one. */
    default boolean fromLocalSocket() {
        return false;
    }

    /** rpfilter's answers for the reverse lookup ({@link #reversePath}). */
    int RPF_NONE = 0, RPF_UNICAST_IN = 1, RPF_UNICAST_OTHER = 2, RPF_LOCAL = 3, RPF_LOCAL_OTHER = 4;

    /**
     * -m rpfilter's FIB lookup of the packet's source from the loopback device: {@link #RPF_NONE}
     * for no route or one of another type (an error route, broadcast, multicast, anycast),
     * {@link #RPF_LOCAL} for a local one ({@link #RPF_LOCAL_OTHER}: IPv4's, of an address of another device than
     * the one the packet came in on), {@link #RPF_UNICAST_IN} when a unicast route's nexthop
     * uses the device the packet came in on, else {@link #RPF_UNICAST_OTHER}.
     */
    default int reversePath() {
        return RPF_NONE;
    }

    /** The packet came in on the loopback device (rpfilter_is_loopback). */
    default boolean inLoopback() {
        return false;
    }

    /** IPv4's TTL (-m ttl); IPv6's hop limit is {@link #hopLimit}. */
    default int ttl() {
        return 0;
    }

    /** -j TTL: the new TTL, with the header checksum updated (csum_replace2). */
    default void setTtl(int ttl) {
        throw new UnsupportedOperationException("this packet context cannot set the TTL");
    }

    /** IPv4's TOS byte, IPv6's traffic class (ipv6_get_dsfield): DSCP in the upper six bits, ECN in the lower two. */
    default int tos() {
        return 0;
    }

    /** -j TOS, DSCP, ECN: the new TOS byte or traffic class (ipv4_change_dsfield, ipv6_change_dsfield). */
    default void setTos(int tos) {
        throw new UnsupportedOperationException("this packet context cannot set the TOS");
    }

    /**
     * The byte at {@code offset} from the start of the transport header (par->thoff: after IPv4's
     * header, after IPv6's extension headers), or -1 past the packet's end or without one.
     */
    default int transportByte(int offset) {
        return -1;
    }

    /** The big-endian 16-bit word at {@code offset} of the transport header, or -1 where a byte of it is missing. */
    default int transportU16(int offset) {
        int hi = transportByte(offset), lo = transportByte(offset + 1);
        return hi < 0 || lo < 0 ? -1 : hi << 8 | lo;
    }

    /** The big-endian 32-bit word at {@code offset} of the transport header (an SPI), or -1 where a byte of it is missing. */
    default long transportU32(int offset) {
        int hi = transportU16(offset), lo = transportU16(offset + 2);
        return hi < 0 || lo < 0 ? -1 : (long) hi << 16 | lo;
    }

    /** The bytes from the transport header to the packet's end (skb->len - thoff), -1 without one. */
    default int transportLength() {
        return -1;
    }

    /**
     * Writes the 16-bit word at {@code offset} (even) of the TCP header and fixes the TCP
     * checksum for it (inet_proto_csum_replace2 without the pseudo-header): -j ECN, -j TCPMSS.
     */
    default void setTcpWord(int offset, int value) {
        throw new UnsupportedOperationException("this packet context cannot rewrite TCP headers");
    }

    /**
     * Inserts the 4 bytes of {@code option} (an MSS option) right after the 20-byte TCP header of a
     * packet whose header has no room left, as tcpmss_mangle_packet does with skb_put and memmove:
     * doff, the IP length and every checksum follow. False when the packet cannot grow.
     */
    default boolean insertTcpOption(int option) {
        throw new UnsupportedOperationException("this packet context cannot grow packets");
    }

    /** -j CHECKSUM --checksum-fill: a checksum the sender left to the device (CHECKSUM_PARTIAL) is computed now. */
    default void checksumFill() {}

    /** The MTU of the route the packet leaves by (dst_mtu(skb_dst(skb))), 0 before routing. */
    default int routeMtu() {
        return 0;
    }

    /** The MTU of the route back to the packet's source (tcpmss_reverse_mtu), 0 when there is none. */
    default int reverseRouteMtu() {
        return 0;
    }

    /** A connection is attached (nf_ct_get() != NULL): not INVALID, not UNTRACKED. */
    default boolean hasConnection() {
        return false;
    }

    /** ct->mark (-m connmark, -j CONNMARK); 0 without a connection. */
    default int ctMark() {
        return 0;
    }

    /** -j CONNMARK: the new ct->mark; nothing without a connection. */
    default void setCtMark(int mark) {}

    /** The connection has nf_conn_acct counters (conntrack accounting was on when it was made): -m connbytes. */
    default boolean ctAccounting() {
        return false;
    }

    /** The connection's packets so far in direction {@code dir} (DIR_ORIGINAL, DIR_REPLY), this one counted. */
    default long ctPackets(int dir) {
        return 0;
    }

    /** Its bytes (IP lengths) so far in that direction. */
    default long ctBytes(int dir) {
        return 0;
    }

    /**
     * -m connlabel: whether the connection has label {@code bit}, setting it first with {@code set};
     * -1 without a connection or its labels (nf_ct_labels_find() == NULL).
     */
    default int ctLabel(int bit, boolean set) {
        return -1;
    }

    /** {@link #ctFindTuple}'s answers: no such confirmed connection, a live one, one TCP has closed (TIME_WAIT, CLOSE). */
    int CONN_GONE = 0, CONN_OPEN = 1, CONN_CLOSED = 2;

    /**
     * nf_conntrack_find_get for a tuple (an IPv4 one with its addresses in the low longs) in a
     * zone (as {@link #ctZone} gives it) and nf_conncount's already_closed: -m connlimit's garbage collection.
     */
    default int ctFindTuple(boolean ipv6, int proto, long srcHi, long srcLo, long dstHi, long dstLo, int sport, int dport, int zone) {
        return CONN_GONE;
    }

    /** The connection's conntrack zone (packed: id, directions << 16), 0 for the default zone or none. */
    default int ctZone() {
        return 0;
    }

    /** ct->status's IPS_* bits (-m conntrack --ctstatus). */
    default int ctStatus() {
        return 0;
    }

    /** The connection's layer-4 protocol (-m conntrack --ctproto). */
    default int ctProtocol() {
        return 0;
    }

    /** Seconds until the connection expires, as nf_ct_expires(ct) / HZ (-m conntrack --ctexpire). */
    default long ctExpiresSeconds() {
        return 0;
    }

    // ---- IPv6 (ip6_tables.c and the ip6t_* matches); defaults for an IPv4 packet ----

    /** True for an IPv6 packet (the table's family; an ip6tables rule never sees an IPv4 one). */
    default boolean ipv6() {
        return false;
    }

    default long srcAddressHi() {
        return 0;
    }

    default long srcAddressLo() {
        return 0;
    }

    default long dstAddressHi() {
        return 0;
    }

    default long dstAddressLo() {
        return 0;
    }

    /** The IPv6 header's hop limit (-m hl). */
    default int hopLimit() {
        return 0;
    }

    /**
     * ipv6_find_hdr(skb, &offset, target, NULL, NULL): the offset from the start of the IPv6
     * header of the first header of type {@code nexthdr} in the chain (0 hop-by-hop, 43 routing,
     * 44 fragment, 51 AH, 60 destination options, 135 mobility), or -1 when it is not there or
     * the chain cannot be walked. Read the header itself with {@link #networkByte}.
     */
    default int ipv6FindHeader(int nexthdr) {
        return -1;
    }

    /** The byte at {@code offset} from the start of the network header, or -1 past the packet's end. */
    default int networkByte(int offset) {
        return -1;
    }

    /** The Ethernet source address (48 bits), or -1 when the packet has no MAC header here (-m eui64). */
    default long sourceMac() {
        return -1;
    }

    /** addressType for an IPv6 address (ipv6_chk_addr / rt6_lookup, as xt_addrtype's match_type6). */
    default int addressType6(long hi, long lo, String limitIface) {
        return RTN_UNSPEC;
    }

    /**
     * The connection's IPv6 addresses for -m conntrack: {@code which} 0 original source, 1 original
     * destination, 2 reply source, 3 reply destination; bytes 0-7.
     */
    default long ctAddressHi(int which) {
        return 0;
    }

    /** As {@link #ctAddressHi}, bytes 8-15. */
    default long ctAddressLo(int which) {
        return 0;
    }

    /** -j HL: the new hop limit. A context that cannot rewrite IPv6 refuses. */
    default void setHopLimit(int hopLimit) {
        throw new UnsupportedOperationException("this packet context cannot set the hop limit");
    }

    /** The 128-bit address at {@code offset} from the network header (bytes 0-7); the bytes must be there. */
    default long address6Hi(int offset) {
        return 0;
    }

    /** As {@link #address6Hi}, bytes 8-15. */
    default long address6Lo(int offset) {
        return 0;
    }

    /**
     * -j SNPT/DNPT: writes the address at {@code offset} from the network header as it is, no
     * checksum following (the translation is checksum-neutral). A context that cannot rewrite refuses.
     */
    default void setAddress6(int offset, long hi, long lo) {
        throw new UnsupportedOperationException("this packet context cannot rewrite IPv6 addresses");
    }
}

package jnat.rules;

/**
 * What rule matching reads from (and MARK writes to) a packet: the engine implements it over
 * its own packet views and connection entry. Getters are primitive so matching allocates nothing.
 * Addresses are IPv4 addresses as big-endian ints (10.0.0.1 is 0x0a000001).
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
}

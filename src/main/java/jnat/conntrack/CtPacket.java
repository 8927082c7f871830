package jnat.conntrack;

/**
 * What conntrack needs to know about one packet, filled by the engine from its wire views (this
 * package never parses bytes) and reused for every packet. The results of
 * {@link Conntrack#in(CtPacket, long)} come back in {@link #id}, {@link #dir} and {@link #ctinfo}.
 *
 * <p>The engine is expected to have done what the kernel does before conntrack or in the
 * protocols' *_error functions on bytes: drop truncated headers, check checksums where it wants to,
 * and for ICMP errors fill {@link #quoted} from the quoted header (nf_ct_get_tuplepr).
 *
 * <p>IPv6 (ipv6_pkt_to_tuple after ipv6_skip_exthdr): {@link Tuple#set6} with the upper layer's
 * protocol and ports, {@link Tuple#setIcmp6} for ICMPv6 (identifier, type, code; MLD and NDP come
 * back {@link Conntrack#UNTRACKED}), and for an ICMPv6 error (type below 128) {@link #quoted} from
 * the quoted IPv6 header with {@code set6}/{@code setIcmp6}; {@link #ipLength} is skb->len, the
 * IPv6 header and its payload length. The TCP fields are filled as for IPv4.
 */
public final class CtPacket {
    /** TCP header flag bits as they sit in byte 13 of the header. */
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20,
            ECE = 0x40, CWR = 0x80;

    /** The packet's tuple as it travels (nf_ct_get_tuple); for ICMP, id/type/code. */
    public final Tuple tuple = new Tuple();
    /** IP total length, for the byte counters (skb->len at the hook). */
    public int ipLength;

    // TCP: the header fields tcp_in_window reads.
    public int tcpFlags;
    public int seq;
    public int ack;
    /** The raw 16-bit window field, unscaled. */
    public int window;
    /** TCP payload length (skb->len - dataoff - doff*4). */
    public int payloadLength;
    /** TCP header length in bytes (doff*4); above 20 the option fields below were parsed. */
    public int headerLength = 20;
    /** Window scale option value, or -1 when the option is absent (tcp_options). */
    public int wscale = -1;
    /** SACK-permitted option present (tcp_options). */
    public boolean sackPerm;
    /** Right edges of the SACK blocks of the first SACK option (tcp_sack), {@link #sackCount} used. */
    public final int[] sackRight = new int[4];
    public int sackCount;

    /** ICMP errors: the tuple of the quoted packet as it appears inside the error. */
    public final Tuple quoted = new Tuple();
    /** The zone the lookup and a new connection are in (ConnTable.zonePack; the CT template's), 0 the default. */
    public int zone;
    /** The packet carries SYNPROXY's template (snet->tmpl): a connection it makes gets the synproxy and seqadj extensions. */
    public boolean synproxyTemplate;

    // Results.
    /** The connection id, or -1 when the packet is INVALID (untracked). */
    public int id = -1;
    /** {@link Conntrack#ORIGINAL} or {@link Conntrack#REPLY}. */
    public int dir;
    /** The ip_conntrack_info, or a negative verdict ({@link Conntrack#INVALID}, {@link Conntrack#DROP}). */
    public int ctinfo;
    /**
     * With {@link ConntrackEvents} on: the entry's status, TCP state and mark before this packet
     * (what nf_conntrack_event_cache would have recorded is their change), for {@link Conntrack#deliver}.
     */
    int statusBefore, stateBefore, markBefore;
    /** The entry those were read from (-1: none this packet). */
    int snapId = -1;

    /** Clears the per-packet inputs that are optional (TCP options, SACK). */
    public CtPacket reset() {
        tcpFlags = seq = ack = window = payloadLength = 0;
        headerLength = 20;
        wscale = -1;
        sackPerm = false;
        sackCount = 0;
        ipLength = 0;
        synproxyTemplate = false;
        id = -1;
        dir = 0;
        ctinfo = 0;
        snapId = -1;
        return this;
    }

    /** Declares TCP options (sets {@link #headerLength} to hold them): wscale -1 for none. */
    public CtPacket tcpOptions(int wscale, boolean sackPerm) {
        this.wscale = wscale;
        this.sackPerm = sackPerm;
        this.headerLength = 40;
        return this;
    }

    /** Sets the TCP fields in one call (tests and the engine); no options. */
    public CtPacket tcp(int flags, int seq, int ack, int window, int payloadLength) {
        this.tcpFlags = flags & 0xff;
        this.seq = seq;
        this.ack = ack;
        this.window = window & 0xffff;
        this.payloadLength = payloadLength;
        this.headerLength = 20;
        this.wscale = -1;
        this.sackPerm = false;
        this.sackCount = 0;
        return this;
    }
}

package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Status;
import jnat.host.Host;
import jnat.host.LocalSockets;
import jnat.host.Interface;
import jnat.host.RouteDecision6;
import jnat.host.RouteResult;
import jnat.rules.PacketContext;
import jnat.rules.TcpmssTarget;
import jnat.wire.EthernetFrame;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6ExtHeaders;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;
import jnat.wire.UdpDatagram;

/**
 * One packet on its way through the stack: what the kernel keeps in its sk_buff and
 * nf_hook_state (the views over its headers, the devices, the route, the offload state,
 * frag_max_size, the packet type, the connection and ctinfo, the mark) and the time and
 * transmitter of the call that brought it. Every stage reads and writes the packet's facts here,
 * never on the engine, so the host's own packet (an ICMP error, a RST) is a second PacketState
 * beside the one that caused it, and a batch is an array of them. It is also what the tables'
 * matches see ({@link PacketContext}).
 */
final class PacketState extends PacketConntrack {
    final EthernetFrame eth = new EthernetFrame();
    final Ipv4Packet ip = new Ipv4Packet();
    /** The datagram an ICMP error quotes. */
    final Ipv4Packet inner = new Ipv4Packet();
    /** An IPv6 packet's view ({@link #ipv6}); {@link #ip} then means nothing. */
    final Ipv6Packet ip6 = new Ipv6Packet();
    /** The datagram an ICMPv6 error quotes. */
    final Ipv6Packet inner6 = new Ipv6Packet();
    /** ipv6_find_hdr's walk for the ip6tables matches. */
    private final Ipv6ExtHeaders findWalk = new Ipv6ExtHeaders();
    final TcpSegment tcp = new TcpSegment();
    final UdpDatagram udp = new UdpDatagram();

    private final Host host;
    /** The host's sockets, for -m socket and -j TPROXY (null for states that never walk PREROUTING). */
    private final LocalSockets sockets;

    /** The time of the call that brought the packet (ns) and where what it causes leaves. */
    long now;
    Transmit tx;
    Interface in;
    /*
     * The output device and skb_dst are read through out() and route(): a packet clears them by a
     * flag and a store writes only a changed reference, because each reference store into this
     * long-lived object is a G1 post-write barrier with a StoreLoad fence (14% of an in-cache
     * packet's time with four per packet, perfasm), while the same device and route repeat.
     */
    private Interface outDev;
    private boolean outSet;
    private RouteResult routeRes;
    private boolean routeSet;
    /** The route's next hop (rt_nexthop), for MASQUERADE and layer 2. */
    int nexthop;
    /** skb->protocol is ETH_P_IPV6: the packet is {@link #ip6}, routed by {@link #route6}. */
    boolean ipv6;
    /** An IPv6 packet's route (filled in place by the host's lookup) and its next hop (rt6_nexthop). */
    final RouteDecision6 route6 = new RouteDecision6();
    long nexthopHi, nexthopLo;
    /** The next hop's MAC when the packet brought it (a neighbour solicitation's source option), else NO_MAC: the host's table. */
    long neighMac;
    int mark;
    /**
     * skb->sk: the host's socket the packet came from (the raw socket of {@link NatEngine#send}, a
     * TCP or UDP one of {@link NatEngine#sendFromSocket}); null for a packet that arrived and for
     * the kernel's own (its ICMP and RSTs come from kernel sockets, which have no file: -m owner
     * sees no socket).
     */
    LocalSockets.Sock sk;
    /** ip_summed, csum_start/offset, gso_size/type: the caller's, or CHECKSUM_NONE. */
    Offload offload;
    /** IPCB(skb)->frag_max_size: 0 unless the packet was reassembled. */
    int fragMaxSize;
    /** skb->pkt_type == PACKET_HOST: not sent to a link-layer broadcast or multicast address. */
    boolean pktTypeHost;
    /** The engine lane (CPU) running the packet: the rules count on its counters and walk on its jump stack. */
    int cpu;
    /** Built by the host itself (its ICMP, a RST): nothing answers it. */
    boolean generated;
    /** nf_nat_setup_info found every tuple of the range taken: the clash at confirm is counted as exhaustion. */
    boolean natExhausted;
    /** A match found the packet malformed (par->hotdrop). */
    private boolean hotdrop;
    /** The hook whose table walks the packet now (state->hook), for -j NFLOG. */
    int hook = -1;
    /** A -j TEE copy being sent (nf_skb_duplicated while it goes out): TEE copies it no further. */
    boolean duplicated;
    /** Where -j TEE sends its copies (the engine's nf_dup_ipv4 and nf_dup_ipv6); null: a state that walks no table. */
    NfDup dup;
    /** The engine's SYNPROXY (null: a state that walks no table); {@link #stolen}: the packet it took (NF_STOLEN). */
    NfSynproxy synproxy;
    boolean stolen;
    /** The host's SYN to the server carries SYNPROXY's template (snet->tmpl) into conntrack. */
    boolean synproxyTemplate;
    /** pskb_expand_head's new data for a packet -j TCPMSS grew (allocated on first use, reused). */
    private byte[] expanded;
    /** tcpmss_reverse_mtu's route lookup. */
    private final jnat.host.RouteDecision reverseRoute = new jnat.host.RouteDecision();
    private final RouteDecision6 reverseRoute6 = new RouteDecision6();

    PacketState(Host host, ConnTable table) {
        this(host, table, null);
    }

    PacketState(Host host, ConnTable table, LocalSockets sockets) {
        super(table);
        this.host = host;
        this.sockets = sockets;
    }

    /** A new packet on {@code in} (null: the host's own), CHECKSUM_NONE unless {@code offload} says otherwise. */
    void reset(Interface in, long now, Offload offload, Transmit tx, boolean generated) {
        this.now = now;
        if (this.tx != tx) this.tx = tx;
        if (this.in != in) this.in = in;
        this.outSet = false;
        this.routeSet = false;
        this.nexthop = 0;
        this.ipv6 = false;
        this.neighMac = Interface.NO_MAC;
        this.mark = 0;
        this.sk = null;
        this.untracked = false;
        this.ctZone = 0;
        if (this.offload != offload) this.offload = offload;
        this.fragMaxSize = 0;
        this.pktTypeHost = true;
        this.generated = generated;
        this.duplicated = false;
        this.stolen = false;
        this.synproxyTemplate = false;
        this.natExhausted = false;
        this.hotdrop = false;
        this.nfTrace = false;
        this.nfTraceId = 0;
        this.ct.id = -1; // the raw table runs before conntrack: no connection of an earlier packet
    }

    /** The route the packet leaves by: its device and next hop. */
    void routeTo(RouteResult rt) {
        setRoute(rt);
        setOut(rt.out());
        this.nexthop = rt.nexthop();
    }

    /** The output device: null before routing and for a packet being received. */
    Interface out() {
        return outSet ? outDev : null;
    }

    void setOut(Interface dev) {
        if (dev != null && outDev != dev) outDev = dev;
        outSet = dev != null;
    }

    /** skb_dst: the route the packet took (null before routing). */
    RouteResult route() {
        return routeSet ? routeRes : null;
    }

    void setRoute(RouteResult rt) {
        if (rt != null && routeRes != rt) routeRes = rt;
        routeSet = rt != null;
    }

    /** The IPv6 route the packet leaves by: its device and next hop. */
    void routeTo6(RouteDecision6 rt) {
        setOut(rt.out());
        this.nexthopHi = rt.nexthopHi();
        this.nexthopLo = rt.nexthopLo();
    }

    /** The upper-layer protocol: ICMP for IPv4, ICMPv6 for IPv6. */
    boolean icmp() {
        return ipv6 ? ip6.upperProtocol() == IpProtocol.ICMPV6 : ip.protocol() == IpProtocol.ICMP;
    }

    /** nf_ct_attach: the host's own packet carries the connection of the packet it is about, as {@code ctinfo}. */
    void attach(int id, int ctinfo) {
        CtPacket c = ct.reset();
        c.id = id;
        c.ctinfo = ctinfo;
        c.dir = Conntrack.isReply(ctinfo) ? ConnTable.REPLY : ConnTable.ORIGINAL;
    }

    /**
     * A dropped packet frees the connection it created and never confirmed (nf_conntrack_put on
     * the last reference). A packet only attached to a connection (the host's ICMP error or RST,
     * in the reply direction of a new one) leaves it to the packet that created it.
     */
    void releaseUnconfirmed() {
        int id = ct.id;
        if (id >= 0 && ct.dir == ConnTable.ORIGINAL && !table.confirmed(id)) {
            table.release(id);
            ct.id = -1;
        }
    }

    @Override
    public String inInterface() {
        return in == null ? "" : in.name();
    }

    @Override
    public String outInterface() {
        Interface out = out();
        return out == null ? "" : out.name();
    }

    @Override
    public int srcAddress() {
        return ip.src();
    }

    @Override
    public int dstAddress() {
        return ip.dst();
    }

    @Override
    public int protocol() {
        return ipv6 ? ip6.upperProtocol() : ip.protocol();
    }

    @Override
    public boolean nonFirstFragment() {
        return ipv6 ? ip6.fragmentOffset() != 0 : ip.fragmentOffset() != 0;
    }

    @Override
    public int srcPort() {
        if (ipv6) return ip6.hasPorts() ? ip6.srcPort() : 0;
        return ip.hasPorts() ? ip.srcPort() : 0;
    }

    @Override
    public int dstPort() {
        if (ipv6) return ip6.hasPorts() ? ip6.dstPort() : 0;
        return ip.hasPorts() ? ip.dstPort() : 0;
    }

    @Override
    public int tcpFlags() {
        if (ipv6) {
            if (ip6.upperProtocol() != IpProtocol.TCP || ip6.fragmentOffset() != 0 || ip6.upperLength() <= TcpSegment.OFF_FLAGS) return 0;
            return ip6.buffer()[ip6.upperOffset() + TcpSegment.OFF_FLAGS] & 0xff;
        }
        if (ip.protocol() != IpProtocol.TCP || ip.fragmentOffset() != 0 || ip.payloadLength() <= TcpSegment.OFF_FLAGS) return 0;
        return ip.buffer()[ip.payloadOffset() + TcpSegment.OFF_FLAGS] & 0xff;
    }

    @Override
    public int icmpType() {
        if (ipv6) return icmp6Header(1) ? ip6.icmpType() : -1;
        return ip.protocol() == IpProtocol.ICMP && ip.payloadLength() >= 1 ? ip.icmpType() : -1;
    }

    @Override
    public int icmpCode() {
        if (ipv6) return icmp6Header(2) ? ip6.icmpCode() : -1;
        return ip.protocol() == IpProtocol.ICMP && ip.payloadLength() >= 2 ? ip.icmpCode() : -1;
    }

    /** The first {@code bytes} of an ICMPv6 header present (not a later fragment). */
    private boolean icmp6Header(int bytes) {
        return ip6.upperProtocol() == IpProtocol.ICMPV6 && ip6.fragmentOffset() == 0 && ip6.upperLength() >= bytes;
    }

    @Override
    public int length() {
        return ipv6 ? ip6.length() : ip.totalLength();
    }

    @Override
    public int mark() {
        return mark;
    }

    @Override
    public void setMark(int mark) {
        this.mark = mark;
    }

    @Override
    public void notrack() {
        if (!tracked()) untracked = true; // xt_CT: a packet with a connection attached keeps it
    }

    /** The CT template's zone for conntrack's lookup: packed as ConnTable.zonePack, FROM_MARK for "--zone mark". */
    int ctZone;
    static final int ZONE_FROM_MARK = 1 << 20;

    @Override
    public void ctZoneTemplate(int id, int dirs, boolean fromMark) {
        if (!tracked()) ctZone = fromMark ? ZONE_FROM_MARK | dirs << 16 : jnat.conntrack.NfConntrackZones.pack(id, dirs);
    }

    @Override
    public int ctState() {
        if (untracked) return CT_UNTRACKED;
        if (!tracked()) return CT_INVALID;
        int ctinfo = ct.ctinfo;
        // XT_CONNTRACK_STATE_BIT(ctinfo): 1 << (ctinfo % IP_CT_IS_REPLY + 1)
        int state = 1 << (ctinfo % Conntrack.IP_CT_IS_REPLY + 1);
        int status = table.status(ct.id);
        if ((status & Status.SRC_NAT) != 0) state |= CT_SNAT;
        if ((status & Status.DST_NAT) != 0) state |= CT_DNAT;
        return state;
    }

    @Override
    public int ctDirection() {
        return tracked() ? ct.dir : DIR_ORIGINAL;
    }

    @Override
    public int ctOrigSrc() {
        return tracked() ? table.srcAddr(ct.id, ConnTable.ORIGINAL) : 0;
    }

    @Override
    public int ctOrigDst() {
        return tracked() ? table.dstAddr(ct.id, ConnTable.ORIGINAL) : 0;
    }

    @Override
    public int ctOrigSrcPort() {
        return tracked() ? table.srcPort(ct.id, ConnTable.ORIGINAL) : 0;
    }

    @Override
    public int ctOrigDstPort() {
        return tracked() ? table.dstPort(ct.id, ConnTable.ORIGINAL) : 0;
    }

    @Override
    public int ctReplySrc() {
        return tracked() ? table.srcAddr(ct.id, ConnTable.REPLY) : 0;
    }

    @Override
    public int ctReplyDst() {
        return tracked() ? table.dstAddr(ct.id, ConnTable.REPLY) : 0;
    }

    @Override
    public int ctReplySrcPort() {
        return tracked() ? table.srcPort(ct.id, ConnTable.REPLY) : 0;
    }

    @Override
    public int ctReplyDstPort() {
        return tracked() ? table.dstPort(ct.id, ConnTable.REPLY) : 0;
    }

    @Override
    public int addressType(int addr, String limitIface) {
        Interface limit = limitIface == null ? null : host.device(limitIface);
        return 1 << host.addressType(addr, limit).rtn();
    }

    // ---- IPv6 (ip6_packet_match and the ip6t_* matches) ----

    @Override
    public boolean ipv6() {
        return ipv6;
    }

    @Override
    public long srcAddressHi() {
        return ip6.srcHi();
    }

    @Override
    public long srcAddressLo() {
        return ip6.srcLo();
    }

    @Override
    public long dstAddressHi() {
        return ip6.dstHi();
    }

    @Override
    public long dstAddressLo() {
        return ip6.dstLo();
    }

    @Override
    public int hopLimit() {
        return ip6.hopLimit();
    }

    @Override
    public int ipv6FindHeader(int nexthdr) {
        int at = ip6.offset();
        if (findWalk.find(ip6.buffer(), at, at + ip6.length(), nexthdr, 0) < 0) return -1;
        return findWalk.offset() - at;
    }

    @Override
    public int networkByte(int offset) {
        if (!ipv6) return offset < 0 || offset >= ip.length() ? -1 : ip.buffer()[ip.offset() + offset] & 0xff;
        return offset < 0 || offset >= ip6.length() ? -1 : ip6.buffer()[ip6.offset() + offset] & 0xff;
    }

    @Override
    public long sourceMac() {
        return in != null && in.hasMac() ? eth.src() : -1; // the host's own packets have no MAC header yet
    }

    @Override
    public int addressType6(long hi, long lo, String limitIface) {
        Interface limit = limitIface == null ? null : host.device(limitIface);
        return host.addressTypes6(hi, lo, limit);
    }

    @Override
    public long ctAddressHi(int which) {
        if (!tracked()) return 0;
        int dir = which >>> 1;
        return (which & 1) == 0 ? table.srcHi(ct.id, dir) : table.dstHi(ct.id, dir);
    }

    @Override
    public long ctAddressLo(int which) {
        if (!tracked()) return 0;
        int dir = which >>> 1;
        return (which & 1) == 0 ? table.srcLo(ct.id, dir) : table.dstLo(ct.id, dir);
    }

    @Override
    public long address6Hi(int offset) {
        return Ipv6Address.readHi(ip6.buffer(), ip6.offset() + offset);
    }

    @Override
    public long address6Lo(int offset) {
        return Ipv6Address.readLo(ip6.buffer(), ip6.offset() + offset);
    }

    @Override
    public void setAddress6(int offset, long hi, long lo) {
        Ipv6Address.write(ip6.buffer(), ip6.offset() + offset, hi, lo); // NPT: checksum-neutral, written as is
    }

    @Override
    public void setHopLimit(int hopLimit) {
        ip6.setHopLimit(hopLimit); // no header checksum, and the pseudo-header leaves it out
    }

    // ---- the xt_* modules beyond NAT (PacketContext) ----

    @Override
    public long now() {
        return now;
    }

    @Override
    public long realTime() {
        return now + host.realtimeOffset();
    }

    @Override
    public int tzMinutesWest() {
        return host.tzMinutesWest();
    }

    @Override
    public void hotdrop() {
        hotdrop = true;
    }

    @Override
    public boolean hotdropped() {
        return hotdrop;
    }

    /** skb->pkt_type: set by eth_type_trans from the destination MAC; the host's own packets are PACKET_HOST. */
    @Override
    public int pktType() {
        if (pktTypeHost || in == null || !in.hasMac()) return PACKET_HOST;
        return eth.dst() == 0xffff_ffff_ffffL ? PACKET_BROADCAST : PACKET_MULTICAST;
    }

    @Override
    public void setPktTypeHost() {
        pktTypeHost = true;
    }

    @Override
    public int hookNumber() {
        return hook;
    }

    /** skb->nf_trace (-j TRACE) and the trace's id for this sk_buff. */
    boolean nfTrace;
    int nfTraceId;

    @Override
    public boolean nfTrace() {
        return nfTrace;
    }

    @Override
    public void setNfTrace() {
        nfTrace = true;
    }

    @Override
    public int nfTraceId() {
        return nfTraceId;
    }

    @Override
    public void setNfTraceId(int id) {
        nfTraceId = id;
    }

    @Override
    public int inIfindex() {
        return in == null ? 0 : in.index();
    }

    @Override
    public int outIfindex() {
        Interface out = out();
        return out == null ? 0 : out.index();
    }

    @Override
    public int macHeader(byte[] dst) {
        if (in == null) return -1;
        if (in.isLoopback()) {
            java.util.Arrays.fill(dst, 0, 12, (byte) 0);
            dst[12] = (byte) (ipv6 ? 0x86 : 0x08);
            dst[13] = (byte) (ipv6 ? 0xdd : 0x00);
            return 14;
        }
        if (!in.hasMac()) return -1;
        System.arraycopy(eth.buffer(), eth.offset(), dst, 0, jnat.wire.EthernetFrame.HEADER_LENGTH);
        return jnat.wire.EthernetFrame.HEADER_LENGTH;
    }

    @Override
    public int inDeviceType() {
        if (in == null) return 0;
        return in.isLoopback() ? 772 : in.hasMac() ? 1 : 65534;
    }

    /** The host's own packets carry their route's realms; a received one's route is tagged with the source's (Host.inputClassid). */
    @Override
    public int routeClassid() {
        RouteResult route = route();
        if (ipv6 || route == null || route.isError()) return 0;
        if (in == null) return route.route() == null ? 0 : route.route().realms();
        return host.inputClassid(route.type(), route.route(), route.out(), ip.src(), ip.dst());
    }

    @Override
    public int cpu() {
        return cpu;
    }

    @Override
    public int ctZone() {
        return hasConnection() ? table.zone(ct.id) : 0;
    }

    @Override
    public int inDeviceGroup() {
        return in == null ? 0 : in.group();
    }

    @Override
    public int outDeviceGroup() {
        Interface out = out();
        return out == null ? 0 : out.group();
    }

    @Override
    public int packetBytes(byte[] dst) {
        int start = ipv6 ? ip6.offset() : ip.offset();
        int len = packetEnd() - start;
        System.arraycopy(ipv6 ? ip6.buffer() : ip.buffer(), start, dst, 0, Math.min(len, dst.length));
        return len;
    }

    @Override
    public boolean inLoopback() {
        return in != null && in == host.loopback();
    }

    /** rpfilter_lookup_reverse (fib_lookup of the source) and rpfilter_lookup_reverse6 (ip6_route_lookup). */
    @Override
    public int reversePath() {
        if (ipv6) {
            RouteDecision6 r = host.routeOutput6(ip6.srcHi(), ip6.srcLo(), reverseRoute6);
            if (r.isError()) return RPF_NONE;
            if (r.out() == host.loopback()) return RPF_LOCAL;
            return r.out() == in ? RPF_UNICAST_IN : RPF_UNICAST_OTHER;
        }
        jnat.host.Route r = host.fibLookup(ip.src());
        if (r == null) return RPF_NONE;
        // rpfilter_lookup_reverse: a local route (with --accept-local) still needs its nexthop on the in device, or --loose
        if (r.type() == jnat.host.RouteType.LOCAL) return r.device() == in ? RPF_LOCAL : RPF_LOCAL_OTHER;
        if (r.type() != jnat.host.RouteType.UNICAST) return RPF_NONE;
        return r.device() == in ? RPF_UNICAST_IN : RPF_UNICAST_OTHER;
    }

    /** The host's own packets (send, its ICMP errors) come from a socket; forwarded ones have none. */
    @Override
    public boolean fromLocalSocket() {
        return in == null;
    }

    @Override
    public long socketLookup() {
        return sockets == null ? 0 : NfTproxy.socketLookup(this, sockets);
    }

    @Override
    public boolean duplicated() {
        return duplicated;
    }

    @Override
    public int synproxy(jnat.rules.SynproxyTarget t) {
        int v = synproxy == null ? NfSynproxy.NF_DROP : synproxy.target(this, t);
        stolen = v == NfSynproxy.NF_STOLEN;
        return v;
    }

    @Override
    public void dup(jnat.rules.TeeTarget tee) {
        if (dup != null) dup.dup(this, tee);
    }

    @Override
    public boolean tproxy(int laddr, long laddrHi, long laddrLo, int lport, int markMask, int markValue) {
        return sockets != null && NfTproxy.tg(this, sockets, laddr, laddrHi, laddrLo, lport, markMask, markValue);
    }

    @Override
    public boolean hasSocketFile() {
        return sk != null;
    }

    @Override
    public int socketUid() {
        return sk == null ? -1 : sk.uid;
    }

    @Override
    public int socketGid() {
        return sk == null ? -1 : sk.gid;
    }

    @Override
    public int ttl() {
        return ipv6 ? ip6.hopLimit() : ip.ttl();
    }

    @Override
    public void setTtl(int ttl) {
        ip.setTtl(ttl);
    }

    @Override
    public int tos() {
        return ipv6 ? ip6.trafficClass() : ip.tos();
    }

    @Override
    public void setTos(int tos) {
        if (ipv6) ip6.setTrafficClass(tos);
        else ip.setTos(tos);
    }

    /** Where the transport header starts in the buffer (par->thoff), and where the packet ends. */
    private int thoff() {
        return ipv6 ? ip6.upperOffset() : ip.payloadOffset();
    }

    private int packetEnd() {
        return ipv6 ? ip6.offset() + ip6.length() : ip.offset() + Math.min(ip.length(), ip.totalLength());
    }

    @Override
    public int transportByte(int offset) {
        int t = thoff();
        if (t < 0 || offset < 0 || t + offset >= packetEnd()) return -1;
        return (ipv6 ? ip6.buffer() : ip.buffer())[t + offset] & 0xff;
    }

    @Override
    public int transportLength() {
        int t = thoff();
        return t < 0 ? -1 : Math.max(0, packetEnd() - t);
    }

    @Override
    public void setTcpWord(int offset, int value) {
        byte[] b = ipv6 ? ip6.buffer() : ip.buffer();
        int t = thoff();
        int old = jnat.wire.Bytes.u16(b, t + offset);
        jnat.wire.Bytes.put16(b, t + offset, value);
        // inet_proto_csum_replace2(..., false): a CHECKSUM_PARTIAL packet's field holds the pseudo-header sum only
        if (offload.ipSummed == Offload.CHECKSUM_PARTIAL) return;
        int c = jnat.wire.Bytes.u16(b, t + TcpSegment.OFF_CHECKSUM);
        jnat.wire.Bytes.put16(b, t + TcpSegment.OFF_CHECKSUM, jnat.wire.Checksum.update16(c, old, value));
    }

    /**
     * tcpmss_mangle_packet's insertion: the packet is copied into a buffer of the packet's own
     * (pskb_expand_head), the options move 4 bytes on, the option goes in after the fixed header,
     * doff and the IP length grow, and the checksums are updated as the kernel updates them (the
     * pseudo-header's length, the new option word, the doff word; IPv4's header for tot_len). A
     * CHECKSUM_PARTIAL packet (a SYN is never GSO) has its checksum completed first.
     */
    @Override
    public boolean insertTcpOption(int option) {
        byte[] b = ipv6 ? ip6.buffer() : ip.buffer();
        int start = ipv6 ? ip6.offset() : ip.offset();
        int end = packetEnd();
        if (end - start + 4 > 0xffff) return false;
        offload.checksumHelp(b, start, end - start);
        if (!ipv6) ip.setChecksumPartial(false);
        else ip6.setChecksumPartial(false);
        if (expanded == null) expanded = new byte[HEADROOM + 0x10000];
        int len = end - start;
        System.arraycopy(b, start, expanded, HEADROOM, len);
        TcpmssTarget.growByOption(expanded, HEADROOM, len, thoff() - start, option, ipv6);
        if (ipv6) ip6.wrap(expanded, HEADROOM, len + 4);
        else ip.wrap(expanded, HEADROOM, len + 4);
        return true;
    }

    /** Room before a grown packet for its link-layer header. */
    private static final int HEADROOM = 64;

    /** checksum_tg: skb_checksum_help for a CHECKSUM_PARTIAL packet that is not GSO. */
    @Override
    public void checksumFill() {
        if (offload.ipSummed != Offload.CHECKSUM_PARTIAL || offload.isGso()) return;
        int start = ipv6 ? ip6.offset() : ip.offset();
        offload.checksumHelp(ipv6 ? ip6.buffer() : ip.buffer(), start, packetEnd() - start);
        if (ipv6) ip6.setChecksumPartial(false);
        else ip.setChecksumPartial(false);
    }

    @Override
    public int routeMtu() {
        Interface out = out();
        return out == null ? 0 : out.mtu();
    }

    /** tcpmss_reverse_mtu: the MTU of the route to the packet's source, ~0U when there is none. */
    @Override
    public int reverseRouteMtu() {
        Interface dev;
        if (ipv6) {
            RouteDecision6 r = host.routeOutput6(ip6.srcHi(), ip6.srcLo(), reverseRoute6);
            dev = r.isError() ? null : r.out();
        } else {
            jnat.host.RouteDecision r = host.routeOutput(ip.src(), reverseRoute);
            dev = r.isError() ? null : r.out();
        }
        return dev == null ? -1 : dev.mtu();
    }
}

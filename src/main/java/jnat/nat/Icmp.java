package jnat.nat;

import jnat.conntrack.Conntrack;
import jnat.host.Host;
import jnat.host.RouteResult;
import jnat.host.RouteType;
import jnat.host.Scope;
import jnat.wire.Bytes;
import jnat.wire.Checksum;
import jnat.wire.IcmpPacket;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Offload;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The host's own ICMP (net/ipv4/icmp.c): __icmp_send's errors about the packet being processed,
 * icmp_rcv's echo replies, route.c's ip_error, with the kernel's rate limits
 * ({@link IcmpRateLimit}) and sysctls ({@link IcmpConfig}). A message is laid out in the output
 * path's buffer for the host's own packets and leaves through ip_local_out
 * ({@link IpOutput#sendOwn}).
 */
final class Icmp {
    private static final int NR_ICMP_TYPES = 18;
    /** INADDR_DUMMY (192.0.0.8): the source of an error when the host has no address to send it from. */
    private static final int INADDR_DUMMY = 0xc0000008;
    private static final int ICMP_PKT_FILTERED = 13;
    /** RFC 1812: an error with its IP header fits in 576 bytes. */
    private static final int MAX_ERROR_LENGTH = 576;
    private static final int TTL = 64;

    private final Host host;
    private final IpOutput output;
    private final IcmpConfig config;
    private final RandomGenerator random;
    private final IcmpRateLimit limit;
    /** Whose IP id counter this uses: itself, or a lane's engine's (one counter for the host). */
    private final Icmp ident;
    /** The ICMP socket's IP id counter. */
    private int ipIdent;
    long errorsSent, echoRepliesSent, rateLimited;

    Icmp(Host host, IpOutput output, IcmpConfig config, long seed) {
        this(host, output, config, seed, null);
    }

    /** A lane's ICMP ({@code shared} its engine's, null for the engine's own): the rate limits, random and IP ids shared. */
    Icmp(Host host, IpOutput output, IcmpConfig config, long seed, Icmp shared) {
        this.host = host;
        this.output = output;
        this.config = config;
        if (shared == null) {
            SplittableRandom r = new SplittableRandom(seed ^ 0x69636d70L);
            this.random = r;
            this.ipIdent = r.nextInt(1 << 16);
            this.limit = new IcmpRateLimit();
            this.ident = this;
        } else {
            this.random = shared.random;
            this.limit = shared.limit;
            this.ident = shared;
        }
    }

    IcmpConfig config() {
        return config;
    }

    /** icmp_global's credit and the choice its consume makes: shared with {@link Icmpv6}, as the kernel shares them. */
    IcmpRateLimit rateLimit() {
        return limit;
    }

    RandomGenerator random() {
        return random;
    }

    /** icmp_pointers[type].error: the types the kernel treats as errors (unknown ones too). */
    private static boolean isError(int type) {
        return switch (type) {
            case 0, 8, 13, 14, 15, 16, 17, 18 -> false;
            default -> true;
        };
    }

    /** icmpv4_mask_allow: types outside icmp_ratemask, and fragmentation needed, are never limited. */
    private boolean maskAllow(int type, int code) {
        if (type > NR_ICMP_TYPES) return true;
        if (type == IcmpPacket.DEST_UNREACH && code == IcmpPacket.FRAG_NEEDED) return true;
        return ((1 << type) & config.ratemask()) == 0;
    }

    /** icmp_global_allow when the mask says so: false (counted) when the host-wide credit is spent. */
    private boolean globalAllow(boolean masked, long ms) {
        if (!masked) return true;
        if (limit.globalAllow(ms, config)) return true;
        rateLimited++;
        return false;
    }

    /** icmpv4_xrlim_allow: the destination's token bucket, then the host-wide credit is taken. */
    private boolean xrlimAllow(boolean apply, RouteResult back, int daddr, long ms) {
        if (!apply) return true;
        boolean rc = config.ratelimitMs() == 0 || back.out().isLoopback() || limit.peerAllow(daddr, ms, config.ratelimitMs());
        if (rc) limit.globalConsume(random);
        else rateLimited++;
        return rc;
    }

    private static long millis(long now) {
        return Math.floorDiv(now, 1_000_000L);
    }

    /**
     * ip_error (route.c): a packet whose input route is an error gets a destination unreachable
     * as the errno maps: no route (ENETUNREACH) net unreachable, an {@code unreachable} route
     * (EHOSTUNREACH) host unreachable, {@code prohibit} (EACCES) communication administratively
     * prohibited; {@code blackhole} (EINVAL) nothing. Its own token bucket per source
     * (route/error_cost, error_burst) comes before icmp_send's limits.
     */
    void ipError(PacketState p) {
        RouteResult rt = p.route();
        int code;
        switch (rt.type()) {
            case UNREACHABLE -> code = rt.route() == null ? IcmpPacket.NET_UNREACH : IcmpPacket.HOST_UNREACH;
            case PROHIBIT -> code = ICMP_PKT_FILTERED;
            default -> {
                return;
            }
        }
        if (!limit.routeErrorAllow(p.ip.src(), millis(p.now), config.routeErrorCostMs(), config.routeErrorBurstMs())) {
            rateLimited++;
            return;
        }
        send(p, IcmpPacket.DEST_UNREACH, code, 0);
    }

    /**
     * __icmp_send: an ICMP error about the packet being processed, quoting it as it is now
     * (PREROUTING's DNAT applied, TTL not yet decremented): its IP header and as much of the rest
     * as fits in 576 bytes. Not about a packet sent to a link-layer broadcast or multicast address,
     * a non-first fragment, an ICMP error, or from a source that is not one unicast host. The source
     * address is the one the route back picks (icmp_errors_use_inbound_ifaddr=0), or the in
     * device's. The error belongs to the packet's connection (nf_ct_attach: RELATED in the other
     * direction), so OUTPUT and POSTROUTING translate it as nf_nat_icmp_reply_translation does,
     * and the sender sees it quote its own packet.
     */
    void send(PacketState p, int type, int code, int info) {
        send(p, type, code, info, Integer.MAX_VALUE);
    }

    /** As {@link #send(PacketState, int, int, int)}, quoting at most {@code quoteLimit} bytes of the packet (what is left of a trimmed skb). */
    void send(PacketState p, int type, int code, int info, int quoteLimit) {
        Ipv4Packet ip = p.ip;
        // the host's own packets are never answered (one level: its packet state is one)
        if (p.generated || !p.pktTypeHost || ip.fragmentOffset() != 0) return;
        if (isError(type) && ip.protocol() == IpProtocol.ICMP) {
            if (ip.payloadLength() < 1) return;
            int inner = ip.buffer()[ip.payloadOffset()] & 0xff;
            if (inner > NR_ICMP_TYPES || isError(inner)) return;
        }
        int daddr = ip.src();
        // ip_route_input's martian checks drop most other sources before, our own addresses too; but the
        // host's own packet (REJECT at OUTPUT, or at INPUT after lo) is answered to the host, through lo
        boolean own = p.in == null || p.in.isLoopback();
        RouteType srcType = host.addressType(daddr);
        if (srcType != RouteType.UNICAST && !(own && srcType == RouteType.LOCAL)) return;
        long ms = millis(p.now);
        boolean apply = !maskAllow(type, code) && (p.in == null || !p.in.isLoopback());
        if (!globalAllow(apply, ms)) return;
        // for a packet routed to the host (RTCF_LOCAL), from the address it was sent to
        int saddr = p.route() != null && p.route().type() == RouteType.LOCAL ? ip.dst() : 0;
        if (saddr == 0 && config.errorsUseInboundIfaddr() && p.in != null) saddr = host.selectSourceAddress(p.in, daddr, Scope.LINK);
        RouteResult back = host.routeOutput(daddr); // icmp_route_lookup
        if (back.isError() || back.type() != RouteType.UNICAST && !(own && back.type() == RouteType.LOCAL)) return;
        if (saddr == 0) saddr = back.source();
        if (!xrlimAllow(apply, back, daddr, ms)) return;
        int room = Math.min(back.out().mtu(), MAX_ERROR_LENGTH) - Ipv4Packet.MIN_HEADER_LENGTH - IcmpPacket.HEADER_LENGTH;
        if (room <= Ipv4Packet.MIN_HEADER_LENGTH) return;
        int dataLen = Math.min(Math.min(Math.min(ip.totalLength(), ip.length()), quoteLimit), room);
        if (saddr == 0) saddr = INADDR_DUMMY;
        int tos = (ip.tos() & 0x1e) | 0xc0; // RT_TOS | IPTOS_PREC_INTERNETCONTROL
        int len = build(tos, saddr, daddr, type, code, info, ip.buffer(), ip.offset(), dataLen);
        errorsSent++;
        int ctinfo = Conntrack.isReply(p.ct.ctinfo) ? Conntrack.IP_CT_RELATED : Conntrack.IP_CT_RELATED_REPLY;
        output.sendOwn(p, len, p.ct.id, ctinfo, back);
    }

    /**
     * icmp_rcv for a packet delivered to the host: an echo request gets its echo reply (icmp_echo,
     * icmp_reply) unless icmp_echo_ignore_all, or icmp_echo_ignore_broadcasts for one sent to a
     * broadcast or multicast address. A bad checksum or a short message is dropped silently.
     */
    void rcv(PacketState p) {
        Ipv4Packet ip = p.ip;
        if (ip.protocol() != IpProtocol.ICMP || ip.fragmentOffset() != 0) return;
        byte[] buf = ip.buffer();
        int l4 = ip.payloadOffset();
        int l4len = Math.min(ip.totalLength(), ip.length()) - ip.headerLength();
        if (l4len < IcmpPacket.HEADER_LENGTH) return;
        if (p.offload.ipSummed == Offload.CHECKSUM_NONE && !Checksum.verify(buf, l4, l4len)) return;
        if ((buf[l4] & 0xff) != IcmpPacket.ECHO_REQUEST) return;
        RouteType to = p.route().type();
        boolean toGroup = to == RouteType.BROADCAST || to == RouteType.MULTICAST;
        if (config.echoIgnoreAll() || toGroup && config.echoIgnoreBroadcasts()) return;
        // icmp_reply
        int code = buf[l4 + IcmpPacket.OFF_CODE] & 0xff;
        long ms = millis(p.now);
        boolean apply = !maskAllow(IcmpPacket.ECHO_REPLY, code);
        if (!globalAllow(apply, ms)) return;
        int daddr = ip.src();
        RouteResult back = host.routeOutput(daddr);
        // the host's own ping (in through lo) is answered through lo too
        boolean toSelf = back.type() == RouteType.LOCAL && p.in != null && p.in.isLoopback();
        if (back.isError() || back.type() != RouteType.UNICAST && !toSelf) return;
        int saddr = to == RouteType.LOCAL ? ip.dst() : back.source(); // fib_compute_spec_dst
        if (!xrlimAllow(apply, back, daddr, ms)) return;
        int len = build(ip.tos(), saddr, daddr, IcmpPacket.ECHO_REPLY, code, Bytes.i32(buf, l4 + IcmpPacket.OFF_REST),
                buf, l4 + IcmpPacket.HEADER_LENGTH, l4len - IcmpPacket.HEADER_LENGTH);
        echoRepliesSent++;
        output.sendOwn(p, len, -1, 0, back);
    }

    /**
     * A packet of the kernel's ICMP socket in the host's packet buffer: IPv4 (no options, no DF:
     * the socket is IP_PMTUDISC_DONT; TTL 64; the next IP id) and ICMP with {@code rest} as bytes
     * 4-7, then {@code dataLen} bytes of {@code data}. Returns the IP length.
     */
    private int build(int tos, int src, int dst, int type, int code, int rest, byte[] data, int dataOff, int dataLen) {
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM;
        int total = Ipv4Packet.MIN_HEADER_LENGTH + IcmpPacket.HEADER_LENGTH + dataLen;
        int id = ident.ipIdent = (ident.ipIdent + 1) & 0xffff;
        Ipv4Packet.writeHeader(b, o, tos, total, id, 0, TTL, IpProtocol.ICMP, src, dst);
        int i = o + Ipv4Packet.MIN_HEADER_LENGTH;
        System.arraycopy(data, dataOff, b, i + IcmpPacket.HEADER_LENGTH, dataLen);
        IcmpPacket.writeHeader(b, i, type, code, rest);
        IcmpPacket.fillChecksum(b, i, IcmpPacket.HEADER_LENGTH + dataLen);
        return total;
    }
}

package jnat.nat;

import jnat.wire.Bytes;
import jnat.wire.Checksum;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.TcpSegment;

import java.util.random.RandomGenerator;

/**
 * nf_synproxy_core.c's IPv6 half, the segments {@link NfSynproxy} sends for an IPv6 connection:
 * the cookie (nf_ipv6_cookie_init_sequence, nf_cookie_v6_check: {@link Syncookies6}), the header
 * (synproxy_build_ip_ipv6: traffic class and flow label 0, devconf_all's hop limit 64) and
 * synproxy_send_tcp_ipv6: routed by its destination (nf_ip6_route; no route, not sent), then
 * ip6_local_out, a segment to one of the host's addresses round through lo.
 */
final class NfSynproxyIpv6 {
    /** net->ipv6.devconf_all->hop_limit. */
    private static final int HOP_LIMIT = 64;

    private final NfSynproxy core;
    private final Syncookies6 cookies;
    private Ip6Output output;

    NfSynproxyIpv6(NfSynproxy core, RandomGenerator random) {
        this.core = core;
        this.cookies = new Syncookies6(random);
    }

    void setOutput(Ip6Output output) {
        this.output = output;
    }

    /** nf_ipv6_cookie_init_sequence: the cookie for the client's SYN, carrying {@code mss}. */
    int cookieInitSequence(Ipv6Packet ip, TcpSegment tcp, int mss, long now) {
        return cookies.initSequence(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo(), tcp.srcPort(), tcp.dstPort(), tcp.seq(),
                mss, now);
    }

    /** nf_cookie_v6_check on the client's ACK (its ack - 1): the MSS, or 0 for a cookie not ours. */
    int cookieCheck(Ipv6Packet ip, TcpSegment tcp, long now) {
        return cookies.check(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo(), tcp.srcPort(), tcp.dstPort(), tcp.seq(),
                tcp.ack(), now);
    }

    /**
     * synproxy_build_ip_ipv6 and the TCP header with the core's options, checksummed, from the
     * packet's source to its destination or, {@code back}, the other way; returns the IPv6 length.
     */
    int build(Ipv6Packet ip, boolean back, int sport, int dport, int seq, int ack, int flags, int window) {
        long sh = back ? ip.dstHi() : ip.srcHi(), sl = back ? ip.dstLo() : ip.srcLo();
        long dh = back ? ip.srcHi() : ip.dstHi(), dl = back ? ip.srcLo() : ip.dstLo();
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM, size = TcpSegment.MIN_HEADER_LENGTH + core.optionsSize();
        Ipv6Packet.writeHeader(b, o, 0, 0, size, IpProtocol.TCP, HOP_LIMIT, sh, sl, dh, dl);
        int t = o + Ipv6Packet.HEADER_LENGTH;
        TcpSegment.writeHeader(b, t, sport, dport, seq, ack, size / 4, flags, window, 0);
        core.buildOptions(b, t);
        Bytes.put16(b, t + TcpSegment.OFF_CHECKSUM, Checksum.transport6(b, t, size, sh, sl, dh, dl, IpProtocol.TCP));
        return Ipv6Packet.HEADER_LENGTH + size;
    }

    /** synproxy_send_tcp_ipv6: the segment in the output path's buffer, {@code len} bytes, routed and sent. */
    void send(PacketState cause, int len, int attachId, int ctinfo, boolean template) {
        byte[] b = output.ownBuffer();
        int d = IpOutput.OWN_HEADROOM + Ipv6Packet.OFF_DST;
        output.sendOwnRouted(cause, len, attachId, ctinfo, Ipv6Address.readHi(b, d), Ipv6Address.readLo(b, d), template);
    }
}

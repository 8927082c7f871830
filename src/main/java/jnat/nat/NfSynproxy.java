package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.NfConntrackSynproxy;
import jnat.conntrack.TcpTracker;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.RouteResult;
import jnat.rules.SynproxyTarget;
import jnat.wire.Bytes;
import jnat.wire.Checksum;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;

import java.util.random.RandomGenerator;

import static jnat.rules.SynproxyTarget.OPT_ECN;
import static jnat.rules.SynproxyTarget.OPT_MSS;
import static jnat.rules.SynproxyTarget.OPT_SACK_PERM;
import static jnat.rules.SynproxyTarget.OPT_TIMESTAMP;
import static jnat.rules.SynproxyTarget.OPT_WSCALE;

/**
 * SYNPROXY (nf_synproxy_core.c, with ipt_SYNPROXY.c's synproxy_tg4 and ip6t_SYNPROXY.c's
 * synproxy_tg6): the client's SYN is answered with a SYN/ACK whose ISN is a syncookie
 * ({@link Syncookies}, {@link Syncookies6}) and whose timestamp
 * carries the SYN's wscale, SACK and ECN; the client's ACK, its cookie good, becomes the SYN to the
 * server, made with the synproxy template so its connection gets the synproxy and seqadj
 * extensions; the server's SYN/ACK is answered with the ACK to the server and a window update to
 * the client, and from then on every packet's sequence numbers (seqadj, at the confirm hook) and
 * timestamps (here) are shifted between the cookie's space and the server's. The hook
 * (ipv4_synproxy_hook, ipv6_synproxy_hook) runs at LOCAL_IN and POST_ROUTING just before confirm
 * while the family's ruleset has the target (nf_synproxy_ipv4_init, _ipv6_init). Both families
 * share the handshake here and /proc/net/stat/synproxy's counters; the IPv4 segments leave as
 * synproxy_send_tcp sends them (ip_local_out, id 0, DF, TTL 64), the IPv6 ones as
 * {@link NfSynproxyIpv6} builds them.
 */
final class NfSynproxy {
    static final int XT_CONTINUE = SynproxyTarget.XT_CONTINUE, NF_DROP = SynproxyTarget.NF_DROP,
            NF_STOLEN = SynproxyTarget.NF_STOLEN, NF_ACCEPT = 1;
    private static final int TCPOPT_EOL = 0, TCPOPT_NOP = 1, TCPOPT_MSS = 2, TCPOPT_WINDOW = 3, TCPOPT_SACK_PERM = 4,
            TCPOPT_TIMESTAMP = 8;
    private static final int TCPOLEN_MSS = 4, TCPOLEN_WINDOW = 3, TCPOLEN_SACK_PERM = 2, TCPOLEN_TIMESTAMP = 10;
    private static final int TCP_MAX_WSCALE = 14;
    /** sysctl_ip_default_ttl. */
    private static final int TTL = 64;

    private final Host host;
    private final ConnTable table;
    private final Syncookies cookies;
    private final NfSynproxyIpv6 ipv6;
    private IpOutput output;

    // struct synproxy_options: one packet's at a time (the engine runs one packet at a time)
    private int options, wscale, mssOption, mssEncode, tsval, tsecr;

    /** /proc/net/stat/synproxy's counters. */
    long synReceived, cookieInvalid, cookieValid, cookieRetrans, connReopened;

    NfSynproxy(Host host, ConnTable table, RandomGenerator random) {
        this.host = host;
        this.table = table;
        this.cookies = new Syncookies(random);
        this.ipv6 = new NfSynproxyIpv6(this, random);
    }

    /** The output paths the host's packets leave by (bound late: they run the hooks this class is in). */
    void setOutput(IpOutput output, Ip6Output output6) {
        this.output = output;
        ipv6.setOutput(output6);
    }

    private void clearOptions() {
        options = wscale = mssOption = mssEncode = tsval = tsecr = 0;
    }

    /** The TCP header's offset in the packet's buffer (ip_hdrlen's, or ipv6_skip_exthdr's past the extension headers). */
    private static int thoff(PacketState p) {
        return p.ipv6 ? p.ip6.upperOffset() : p.ip.payloadOffset();
    }

    private static byte[] buffer(PacketState p) {
        return p.ipv6 ? p.ip6.buffer() : p.ip.buffer();
    }

    /** skb_header_pointer(skb, thoff, sizeof(_th)): p.tcp over the segment; false when its header is cut. */
    private static boolean wrapTcp(PacketState p) {
        int len = p.ipv6 ? p.ip6.upperLength() : p.ip.payloadLength();
        return p.tcp.wrap(buffer(p), thoff(p), len) == WireError.OK;
    }

    /**
     * synproxy_tg4, synproxy_tg6: a SYN (no ACK, FIN or RST) is answered with the cookie SYN/ACK and
     * stolen; an ACK (no FIN, RST or SYN) whose cookie is good becomes the SYN to the server and is
     * stolen, else dropped; anything else goes on (XT_CONTINUE). A bad checksum or options header drops it.
     */
    int target(PacketState p, SynproxyTarget info) {
        clearOptions();
        TcpSegment tcp = p.tcp;
        if (p.ipv6) {
            // nf_ip6_checksum at par->thoff (the rule's -p tcp found it), then the header
            Ipv6Packet ip = p.ip6;
            if (p.offload.ipSummed == Offload.CHECKSUM_NONE && !ip.verifyTransportChecksum()) return NF_DROP;
            if (ip.upperProtocol() != IpProtocol.TCP || ip.fragmentOffset() != 0 || !wrapTcp(p)) return NF_DROP;
        } else {
            Ipv4Packet ip = p.ip;
            if (ip.protocol() != IpProtocol.TCP || !wrapTcp(p)) return NF_DROP;
            // nf_ip_checksum: a CHECKSUM_NONE segment's checksum is verified
            if (p.offload.ipSummed == Offload.CHECKSUM_NONE && !tcp.verifyChecksum(ip.src(), ip.dst())) return NF_DROP;
        }
        if (!parseOptions(buffer(p), thoff(p), tcp.headerLength())) return NF_DROP;
        int f = tcp.flags();
        if ((f & TcpSegment.SYN) != 0 && (f & (TcpSegment.ACK | TcpSegment.FIN | TcpSegment.RST)) == 0) {
            synReceived++; // Initial SYN from client
            if ((f & (TcpSegment.ECE | TcpSegment.CWR)) == (TcpSegment.ECE | TcpSegment.CWR)) options |= OPT_ECN;
            options &= info.options;
            mssEncode = mssOption;
            mssOption = info.mss;
            if ((options & OPT_TIMESTAMP) != 0) initTimestampCookie(info, p.now);
            else options &= ~(OPT_WSCALE | OPT_SACK_PERM | OPT_ECN);
            sendClientSynack(p, tcp);
            return NF_STOLEN;
        }
        if ((f & TcpSegment.ACK) != 0 && (f & (TcpSegment.FIN | TcpSegment.RST | TcpSegment.SYN)) == 0) {
            return recvClientAck(p, tcp, tcp.seq()) ? NF_STOLEN : NF_DROP; // ACK from client
        }
        return XT_CONTINUE;
    }

    /**
     * ipv4_synproxy_hook, ipv6_synproxy_hook on a connection with the synproxy extension: the
     * server's SYN records the cookie ISN and timestamp (a retransmitted client ACK makes it
     * again); the server's SYN/ACK is answered and stolen; a RST from the server in CLOSE sets the
     * offset it needs; every other packet has its timestamps shifted. Returns NF_ACCEPT, NF_DROP or
     * NF_STOLEN.
     */
    int hook(PacketState p, Interface dev) {
        if (!p.tracked() || p.untracked) return NF_ACCEPT;
        int id = p.ct.id;
        NfConntrackSynproxy ext = table.synproxy();
        if (!ext.has(id)) return NF_ACCEPT;
        if (dev != null && dev.isLoopback()) return NF_ACCEPT; // nf_is_loopback_packet
        if (p.ipv6) {
            // ipv6_skip_exthdr: walked, not a later fragment (it stops at its header), TCP
            Ipv6Packet ip = p.ip6;
            if (ip.extHeaderError() != WireError.OK || ip.fragmentOffset() != 0 || ip.upperProtocol() != IpProtocol.TCP) {
                return NF_ACCEPT;
            }
        } else if (p.ip.protocol() != IpProtocol.TCP) {
            return NF_ACCEPT;
        }
        TcpSegment tcp = p.tcp;
        if (!wrapTcp(p)) return NF_DROP;
        byte[] b = buffer(p);
        int t = thoff(p);
        clearOptions();
        int dir = p.ct.dir;
        int f = tcp.flags();
        boolean syn = (f & TcpSegment.SYN) != 0, ack = (f & TcpSegment.ACK) != 0;
        switch (table.tcpState(id)) {
            case TcpTracker.CLOSE:
                if ((f & TcpSegment.RST) != 0 && dir != ConnTable.ORIGINAL) {
                    table.seqadjInit(id, dir, ext.isn(id) - tcp.seq() + 1);
                    break;
                }
                if (!syn || ack || dir != ConnTable.ORIGINAL) break;
                // Reopened connection: the adjustments are set again once it is reestablished
                // (nf_ct_seqadj_init with 0 changes nothing)
                ext.setTsoff(id, 0);
                connReopened++;
                // fallthrough
            case TcpTracker.SYN_SENT:
                if (!parseOptions(b, t, tcp.headerLength())) return NF_DROP;
                if (!syn && ack && dir == ConnTable.ORIGINAL) {
                    // Keep-Alives are sent with SEG.SEQ = SND.NXT-1: + 1 makes it the first SYN's
                    if (recvClientAck(p, tcp, tcp.seq() + 1)) {
                        cookieRetrans++;
                        return NF_STOLEN;
                    }
                    return NF_DROP;
                }
                ext.setIsn(id, tcp.ack());
                if ((options & OPT_TIMESTAMP) != 0) ext.setIts(id, tsecr);
                break;
            case TcpTracker.SYN_RECV:
                if (!syn || !ack) break;
                if (!parseOptions(b, t, tcp.headerLength())) return NF_DROP;
                if ((options & OPT_TIMESTAMP) != 0) ext.setTsoff(id, tsval - ext.its(id));
                options &= ~(OPT_MSS | OPT_WSCALE | OPT_SACK_PERM);
                swapTimestamps();
                sendServerAck(p, tcp, id);
                table.seqadjInit(id, dir, ext.isn(id) - tcp.seq());
                swapTimestamps();
                sendClientAck(p, tcp);
                return NF_STOLEN;
            default:
                break;
        }
        tstampAdjust(p, b, t, tcp, dir, ext.tsoff(id));
        return NF_ACCEPT;
    }

    private void swapTimestamps() {
        int t = tsval;
        tsval = tsecr;
        tsecr = t;
    }

    /** synproxy_recv_client_ack, _ipv6: the cookie's MSS, then the SYN to the server; false for a cookie not ours. */
    private boolean recvClientAck(PacketState p, TcpSegment tcp, int recvSeq) {
        int mss = p.ipv6 ? ipv6.cookieCheck(p.ip6, tcp, p.now)
                : cookies.check(p.ip.src(), p.ip.dst(), tcp.srcPort(), tcp.dstPort(), tcp.seq(), tcp.ack(), p.now);
        if (mss == 0) {
            cookieInvalid++;
            return false;
        }
        cookieValid++;
        mssOption = mss;
        options |= OPT_MSS;
        if ((options & OPT_TIMESTAMP) != 0) checkTimestampCookie();
        sendServerSyn(p, tcp, recvSeq);
        return true;
    }

    /** synproxy_parse_options over the TCP header at {@code t}, {@code doff} bytes long; false when the header is short. */
    private boolean parseOptions(byte[] b, int t, int doff) {
        int length = doff - TcpSegment.MIN_HEADER_LENGTH;
        if (length < 0) return false;
        int o = t + TcpSegment.MIN_HEADER_LENGTH;
        options = 0;
        while (length > 0) {
            int opcode = b[o++] & 0xff;
            if (opcode == TCPOPT_EOL) return true;
            if (opcode == TCPOPT_NOP) {
                length--;
                continue;
            }
            if (length < 2) return true;
            int opsize = b[o++] & 0xff;
            if (opsize < 2 || opsize > length) return true;
            switch (opcode) {
                case TCPOPT_MSS -> {
                    if (opsize == TCPOLEN_MSS) {
                        mssOption = Bytes.u16(b, o);
                        options |= OPT_MSS;
                    }
                }
                case TCPOPT_WINDOW -> {
                    if (opsize == TCPOLEN_WINDOW) {
                        wscale = Math.min(b[o] & 0xff, TCP_MAX_WSCALE);
                        options |= OPT_WSCALE;
                    }
                }
                case TCPOPT_TIMESTAMP -> {
                    if (opsize == TCPOLEN_TIMESTAMP) {
                        tsval = Bytes.i32(b, o);
                        tsecr = Bytes.i32(b, o + 4);
                        options |= OPT_TIMESTAMP;
                    }
                }
                case TCPOPT_SACK_PERM -> {
                    if (opsize == TCPOLEN_SACK_PERM) options |= OPT_SACK_PERM;
                }
                default -> { }
            }
            o += opsize - 2;
            length -= opsize;
        }
        return true;
    }

    /** synproxy_options_size: MSS 4, timestamps 12 (SACK_PERM folded in) or SACK_PERM 4, wscale 4. */
    int optionsSize() {
        int size = 0;
        if ((options & OPT_MSS) != 0) size += 4;
        if ((options & OPT_TIMESTAMP) != 0) size += 12;
        else if ((options & OPT_SACK_PERM) != 0) size += 4;
        if ((options & OPT_WSCALE) != 0) size += 4;
        return size;
    }

    /** synproxy_build_options after the 20-byte header at {@code t}. */
    void buildOptions(byte[] b, int t) {
        int o = t + TcpSegment.MIN_HEADER_LENGTH;
        if ((options & OPT_MSS) != 0) {
            Bytes.put32(b, o, TCPOPT_MSS << 24 | TCPOLEN_MSS << 16 | mssOption & 0xffff);
            o += 4;
        }
        if ((options & OPT_TIMESTAMP) != 0) {
            int first = (options & OPT_SACK_PERM) != 0 ? TCPOPT_SACK_PERM << 24 | TCPOLEN_SACK_PERM << 16
                    : TCPOPT_NOP << 24 | TCPOPT_NOP << 16;
            Bytes.put32(b, o, first | TCPOPT_TIMESTAMP << 8 | TCPOLEN_TIMESTAMP);
            Bytes.put32(b, o + 4, tsval);
            Bytes.put32(b, o + 8, tsecr);
            o += 12;
        } else if ((options & OPT_SACK_PERM) != 0) {
            Bytes.put32(b, o, TCPOPT_NOP << 24 | TCPOPT_NOP << 16 | TCPOPT_SACK_PERM << 8 | TCPOLEN_SACK_PERM);
            o += 4;
        }
        if ((options & OPT_WSCALE) != 0) {
            Bytes.put32(b, o, TCPOPT_NOP << 24 | TCPOPT_WINDOW << 16 | TCPOLEN_WINDOW << 8 | wscale & 0xff);
        }
    }

    /**
     * synproxy_init_timestamp_cookie: the SYN's tsval becomes tsecr; tsval is tcp_clock_ms() with
     * its low 6 bits the SYN's wscale (0xf for none), SACK_PERM and ECN; the wscale sent is the rule's.
     */
    private void initTimestampCookie(SynproxyTarget info, long now) {
        tsecr = tsval;
        tsval = (int) (now / 1_000_000) & ~0x3f;
        if ((options & OPT_WSCALE) != 0) {
            tsval |= wscale;
            wscale = info.wscale;
        } else {
            tsval |= 0xf;
        }
        if ((options & OPT_SACK_PERM) != 0) tsval |= 1 << 4;
        if ((options & OPT_ECN) != 0) tsval |= 1 << 5;
    }

    /** synproxy_check_timestamp_cookie: the client's wscale, SACK_PERM and ECN back from the ACK's tsecr. */
    private void checkTimestampCookie() {
        wscale = tsecr & 0xf;
        if (wscale != 0xf) options |= OPT_WSCALE;
        if ((tsecr & 1 << 4) != 0) options |= OPT_SACK_PERM;
        if ((tsecr & 1 << 5) != 0) options |= OPT_ECN;
    }

    /**
     * synproxy_tstamp_adjust on the TCP header at {@code t}: a reply's tsval less tsoff, an original
     * packet's tsecr plus it, in the first timestamp option; a malformed option list stops the walk.
     */
    private static void tstampAdjust(PacketState p, byte[] b, int t, TcpSegment tcp, int dir, int tsoff) {
        if (tsoff == 0) return;
        int o = t + TcpSegment.MIN_HEADER_LENGTH, end = t + tcp.headerLength();
        while (o < end) {
            int kind = b[o] & 0xff;
            if (kind == TCPOPT_EOL) return;
            if (kind == TCPOPT_NOP) {
                o++;
                continue;
            }
            int len = b[o + 1 < end ? o + 1 : o] & 0xff;
            if (o + 1 == end || o + len > end || len < 2) return;
            if (kind == TCPOPT_TIMESTAMP && len == TCPOLEN_TIMESTAMP) {
                int at = dir == ConnTable.REPLY ? o + 2 : o + 6;
                int old = Bytes.i32(b, at);
                replace4(p, b, t, at, dir == ConnTable.REPLY ? old - tsoff : old + tsoff);
                return;
            }
            o += len;
        }
    }

    /** inet_proto_csum_replace4(&th->check, skb, old, new, false): the field and, unless CHECKSUM_PARTIAL, the checksum. */
    static void replace4(PacketState p, byte[] b, int t, int at, int value) {
        int old = Bytes.i32(b, at);
        Bytes.put32(b, at, value);
        if (p.offload.ipSummed == Offload.CHECKSUM_PARTIAL) return;
        int c = Bytes.u16(b, t + TcpSegment.OFF_CHECKSUM);
        Bytes.put16(b, t + TcpSegment.OFF_CHECKSUM, Checksum.update32(c, old, value));
    }

    // ---- the host's segments (synproxy_send_*) ---------------------------------------------------

    /** synproxy_send_client_synack: from the SYN's destination, the cookie as ISN, window 0; carries the SYN's connection if it has one. */
    private void sendClientSynack(PacketState p, TcpSegment tcp) {
        int cookie = p.ipv6 ? ipv6.cookieInitSequence(p.ip6, tcp, mssEncode, p.now)
                : cookies.initSequence(p.ip.src(), p.ip.dst(), tcp.srcPort(), tcp.dstPort(), tcp.seq(), mssEncode, p.now);
        int flags = TcpSegment.SYN | TcpSegment.ACK | ((options & OPT_ECN) != 0 ? TcpSegment.ECE : 0);
        int len = build(p, true, tcp.dstPort(), tcp.srcPort(), cookie, tcp.seq() + 1, flags, 0);
        send(p, len, p.tracked() && !p.untracked ? p.ct.id : -1, Conntrack.IP_CT_ESTABLISHED_REPLY, false);
    }

    /** synproxy_send_server_syn: the client's ISN, our ISN relayed in ack_seq (no ACK flag), the ACK's window; the synproxy template. */
    private void sendServerSyn(PacketState p, TcpSegment tcp, int recvSeq) {
        int flags = TcpSegment.SYN | ((options & OPT_ECN) != 0 ? TcpSegment.ECE | TcpSegment.CWR : 0);
        int len = build(p, false, tcp.srcPort(), tcp.dstPort(), recvSeq - 1, tcp.ack() - 1, flags, tcp.window());
        send(p, len, -1, Conntrack.IP_CT_NEW, true);
    }

    /** synproxy_send_server_ack: acknowledges the server's SYN/ACK with the client's td_maxwin; no connection attached. */
    private void sendServerAck(PacketState p, TcpSegment tcp, int id) {
        int len = build(p, true, tcp.dstPort(), tcp.srcPort(), tcp.ack(), tcp.seq() + 1, TcpSegment.ACK,
                table.tcpMaxWin(id, ConnTable.ORIGINAL) & 0xffff);
        send(p, len, -1, 0, false);
    }

    /** synproxy_send_client_ack: the window update to the client, the server's window unscaled; the SYN/ACK's connection. */
    private void sendClientAck(PacketState p, TcpSegment tcp) {
        int len = build(p, false, tcp.srcPort(), tcp.dstPort(), tcp.seq() + 1, tcp.ack(), TcpSegment.ACK,
                tcp.window() >>> wscale);
        send(p, len, p.ct.id, Conntrack.IP_CT_ESTABLISHED_REPLY, false);
    }

    /**
     * synproxy_build_ip (_ipv6) and the TCP header with the current options, checksummed, from the
     * packet's source to its destination or, {@code back}, from its destination to its source;
     * returns the IP length.
     */
    private int build(PacketState p, boolean back, int sport, int dport, int seq, int ack, int flags, int window) {
        if (p.ipv6) return ipv6.build(p.ip6, back, sport, dport, seq, ack, flags, window);
        int saddr = back ? p.ip.dst() : p.ip.src(), daddr = back ? p.ip.src() : p.ip.dst();
        byte[] b = output.ownBuffer();
        int o = IpOutput.OWN_HEADROOM, size = TcpSegment.MIN_HEADER_LENGTH + optionsSize();
        int total = Ipv4Packet.MIN_HEADER_LENGTH + size;
        Ipv4Packet.writeHeader(b, o, 0, total, 0, Ipv4Packet.FLAG_DF, TTL, IpProtocol.TCP, saddr, daddr);
        int t = o + Ipv4Packet.MIN_HEADER_LENGTH;
        TcpSegment.writeHeader(b, t, sport, dport, seq, ack, size / 4, flags, window, 0);
        buildOptions(b, t);
        TcpSegment.fillChecksum(b, t, size, saddr, daddr);
        return total;
    }

    /**
     * synproxy_send_tcp: rerouted by its destination (ip_route_me_harder), then ip_local_out; an
     * IPv6 segment as synproxy_send_tcp_ipv6 sends it.
     */
    private void send(PacketState cause, int len, int attachId, int ctinfo, boolean template) {
        RouteResult rt = null;
        if (!cause.ipv6) {
            rt = host.routeOutput(Bytes.i32(output.ownBuffer(), IpOutput.OWN_HEADROOM + Ipv4Packet.OFF_DST));
            if (rt.isError()) return;
        }
        // the segment runs the hooks, this class's among them: this packet's options are kept (the kernel's are on its stack)
        int o = options, w = wscale, mo = mssOption, me = mssEncode, tv = tsval, te = tsecr;
        if (cause.ipv6) ipv6.send(cause, len, attachId, ctinfo, template);
        else output.sendOwn(cause, len, attachId, ctinfo, rt, template);
        options = o;
        wscale = w;
        mssOption = mo;
        mssEncode = me;
        tsval = tv;
        tsecr = te;
    }
}

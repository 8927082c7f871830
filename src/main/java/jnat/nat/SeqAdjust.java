package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.NfConntrackSeqadj;
import jnat.wire.Bytes;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Packet;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;

/**
 * nf_ct_seq_adjust and nf_ct_sack_adjust (nf_conntrack_seqadj.c), the packet's half of
 * {@link NfConntrackSeqadj}: at the confirm hook a connection with IPS_SEQ_ADJUST has the
 * segment's sequence number shifted by its direction's offset, its acknowledgement and SACK
 * blocks back by the other direction's, each with the checksum updated.
 */
final class SeqAdjust {
    private static final int TCPOPT_EOL = 0, TCPOPT_NOP = 1, TCPOPT_SACK = 5, TCPOLEN_SACK_PERBLOCK = 8;

    private SeqAdjust() {}

    private static boolean after(int a, int b) {
        return b - a < 0;
    }

    /**
     * nf_ct_seq_adjust on a TCP segment of connection {@code id}, at the protoff nf_confirm finds
     * (after the IPv4 header, or past IPv6's extension headers: a later fragment or a walk that
     * fails is left alone); true unless its header is cut.
     */
    static boolean adjust(PacketState p, ConnTable table, int id, int dir) {
        byte[] b;
        int t, len;
        if (p.ipv6) {
            Ipv6Packet ip = p.ip6;
            if (ip.extHeaderError() != WireError.OK || ip.fragmentOffset() != 0 || ip.upperProtocol() != IpProtocol.TCP) {
                return true;
            }
            b = ip.buffer();
            t = ip.upperOffset();
            len = ip.upperLength();
        } else {
            Ipv4Packet ip = p.ip;
            if (ip.protocol() != IpProtocol.TCP || ip.fragmentOffset() != 0) return true;
            b = ip.buffer();
            t = ip.payloadOffset();
            len = ip.payloadLength();
        }
        if (len < TcpSegment.MIN_HEADER_LENGTH) return false; // skb_ensure_writable
        NfConntrackSeqadj s = table.seqadj();
        int other = dir ^ 1;
        int seq = Bytes.i32(b, t + TcpSegment.OFF_SEQ);
        int seqoff = after(seq, s.correctionPos(id, dir)) ? s.offsetAfter(id, dir) : s.offsetBefore(id, dir);
        NfSynproxy.replace4(p, b, t, t + TcpSegment.OFF_SEQ, seq + seqoff);
        if ((b[t + TcpSegment.OFF_FLAGS] & TcpSegment.ACK) == 0) return true;
        int ack = Bytes.i32(b, t + TcpSegment.OFF_ACK);
        int ackoff = after(ack - s.offsetBefore(id, other), s.correctionPos(id, other))
                ? s.offsetAfter(id, other) : s.offsetBefore(id, other);
        NfSynproxy.replace4(p, b, t, t + TcpSegment.OFF_ACK, ack - ackoff);
        return sackAdjust(p, b, t, len, s, id, other);
    }

    /** nf_ct_sack_adjust: each SACK block's edges by the other direction's offsets; false for a partial option. */
    private static boolean sackAdjust(PacketState p, byte[] b, int t, int len, NfConntrackSeqadj s, int id, int other) {
        int end = t + Math.min(len, ((b[t + TcpSegment.OFF_DATA_OFFSET] & 0xff) >>> 4) * 4);
        int o = t + TcpSegment.MIN_HEADER_LENGTH;
        while (o < end) {
            int kind = b[o] & 0xff;
            if (kind == TCPOPT_EOL) return true;
            if (kind == TCPOPT_NOP) {
                o++;
                continue;
            }
            if (o + 1 == end) return false; // no partial options
            int olen = b[o + 1] & 0xff;
            if (o + olen > end || olen < 2) return false;
            if (kind == TCPOPT_SACK && olen >= 2 + TCPOLEN_SACK_PERBLOCK && (olen - 2) % TCPOLEN_SACK_PERBLOCK == 0) {
                for (int blk = o + 2; blk < o + olen; blk += TCPOLEN_SACK_PERBLOCK) {
                    for (int edge = blk; edge < blk + TCPOLEN_SACK_PERBLOCK; edge += 4) {
                        int v = Bytes.i32(b, edge);
                        int off = after(v - s.offsetBefore(id, other), s.correctionPos(id, other))
                                ? s.offsetAfter(id, other) : s.offsetBefore(id, other);
                        NfSynproxy.replace4(p, b, t, edge, v - off);
                    }
                }
            }
            o += olen;
        }
        return true;
    }
}

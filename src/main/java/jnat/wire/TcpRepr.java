package jnat.wire;

import java.util.Arrays;
import java.util.List;

/**
 * A TCP segment as plain values. Start from {@link #of(int, int)} and add flags and options with the
 * {@code with...} methods. Options are emitted in the order and with the NOP padding Linux uses
 * ({@code tcp_options_write}): MSS, SACK-permitted + timestamps (or NOP NOP timestamps, or NOP NOP
 * SACK-permitted), NOP window scale, NOP NOP SACK blocks; so tcpdump prints them as it does Linux's.
 * Absent options: {@code mss} and {@code windowScale} -1, {@code timestamps} null, no SACK blocks.
 */
public record TcpRepr(int srcPort, int dstPort, int seq, int ack, int flags, int window, int urgentPointer,
                      int mss, int windowScale, boolean sackPermitted, Timestamps timestamps,
                      List<SackBlock> sackBlocks, byte[] payload) implements TransportRepr, Transport6Repr {

    /** The timestamps option: TSval and TSecr. */
    public record Timestamps(int val, int ecr) {}

    /** A SACK block: left and right edge (sequence numbers). */
    public record SackBlock(int left, int right) {}

    public TcpRepr {
        Reprs.u16(srcPort, "source port");
        Reprs.u16(dstPort, "destination port");
        Reprs.u8(flags, "flags");
        Reprs.u16(window, "window");
        Reprs.u16(urgentPointer, "urgent pointer");
        if (mss < -1 || mss > 0xffff) throw new IllegalArgumentException("mss " + mss);
        if (windowScale < -1 || windowScale > 0xff) throw new IllegalArgumentException("window scale " + windowScale);
        sackBlocks = sackBlocks == null ? List.of() : List.copyOf(sackBlocks);
        if (sackBlocks.size() > 4) throw new IllegalArgumentException("at most 4 SACK blocks");
        payload = payload == null ? Reprs.EMPTY : payload.clone();
        if (optionsLength(mss, windowScale, sackPermitted, timestamps, sackBlocks) > 40) {
            throw new IllegalArgumentException("TCP options longer than 40 bytes");
        }
    }

    /** A segment with no flags, seq 0, window 64240 (Linux's initial window), no options, no data. */
    public static TcpRepr of(int srcPort, int dstPort) {
        return new TcpRepr(srcPort, dstPort, 0, 0, 0, 64240, 0, -1, -1, false, null, null, null);
    }

    public TcpRepr withSrcPort(int p) { return new TcpRepr(p, dstPort, seq, ack, flags, window, urgentPointer, mss, windowScale, sackPermitted, timestamps, sackBlocks, payload); }
    public TcpRepr withDstPort(int p) { return new TcpRepr(srcPort, p, seq, ack, flags, window, urgentPointer, mss, windowScale, sackPermitted, timestamps, sackBlocks, payload); }
    public TcpRepr withSeq(int s) { return new TcpRepr(srcPort, dstPort, s, ack, flags, window, urgentPointer, mss, windowScale, sackPermitted, timestamps, sackBlocks, payload); }
    public TcpRepr withAck(int a) { return new TcpRepr(srcPort, dstPort, seq, a, flags, window, urgentPointer, mss, windowScale, sackPermitted, timestamps, sackBlocks, payload); }
    /** Sets the flag bits, e.g. {@code TcpSegment.SYN | TcpSegment.ACK}. */
    public TcpRepr withFlags(int f) { return new TcpRepr(srcPort, dstPort, seq, ack, f, window, urgentPointer, mss, windowScale, sackPermitted, timestamps, sackBlocks, payload); }
    public TcpRepr withWindow(int w) { return new TcpRepr(srcPort, dstPort, seq, ack, flags, w, urgentPointer, mss, windowScale, sackPermitted, timestamps, sackBlocks, payload); }
    public TcpRepr withUrgentPointer(int u) { return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, u, mss, windowScale, sackPermitted, timestamps, sackBlocks, payload); }
    public TcpRepr withMss(int m) { return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, urgentPointer, m, windowScale, sackPermitted, timestamps, sackBlocks, payload); }
    public TcpRepr withWindowScale(int ws) { return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, urgentPointer, mss, ws, sackPermitted, timestamps, sackBlocks, payload); }
    public TcpRepr withSackPermitted(boolean s) { return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, urgentPointer, mss, windowScale, s, timestamps, sackBlocks, payload); }
    public TcpRepr withTimestamps(int val, int ecr) { return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, urgentPointer, mss, windowScale, sackPermitted, new Timestamps(val, ecr), sackBlocks, payload); }
    public TcpRepr withoutTimestamps() { return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, urgentPointer, mss, windowScale, sackPermitted, null, sackBlocks, payload); }
    public TcpRepr withSackBlocks(List<SackBlock> b) { return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, urgentPointer, mss, windowScale, sackPermitted, timestamps, b, payload); }
    public TcpRepr withPayload(byte[] p) { return new TcpRepr(srcPort, dstPort, seq, ack, flags, window, urgentPointer, mss, windowScale, sackPermitted, timestamps, sackBlocks, p); }

    /** The SYN Linux sends by default: MSS 1460, SACK permitted, timestamps, window scale 7. */
    public TcpRepr withLinuxSynOptions(int tsVal) {
        return withMss(1460).withSackPermitted(true).withTimestamps(tsVal, 0).withWindowScale(7);
    }

    @Override
    public byte[] payload() { return payload.clone(); }

    @Override
    public int protocol() { return IpProtocol.TCP; }

    public int headerLength() {
        return TcpSegment.MIN_HEADER_LENGTH + optionsLength(mss, windowScale, sackPermitted, timestamps, sackBlocks);
    }

    @Override
    public int length() { return headerLength() + payload.length; }

    private static int optionsLength(int mss, int ws, boolean sackOk, Timestamps ts, List<SackBlock> sack) {
        int n = 0;
        if (mss >= 0) n += TcpSegment.OPTLEN_MSS;
        if (ts != null) n += 2 + TcpSegment.OPTLEN_TIMESTAMP;           // sackOK+TS, or NOP NOP TS
        else if (sackOk) n += 2 + TcpSegment.OPTLEN_SACK_PERM;          // NOP NOP sackOK
        if (ws >= 0) n += 1 + TcpSegment.OPTLEN_WSCALE;                 // NOP wscale
        if (!sack.isEmpty()) n += 2 + sackLength(sack.size());          // NOP NOP SACK
        return n;
    }

    @Override
    public void emit(byte[] buf, int off, int src, int dst) {
        writeSegment(buf, off);
        TcpSegment.fillChecksum(buf, off, length(), src, dst);
    }

    @Override
    public void emit6(byte[] buf, int off, long srcHi, long srcLo, long dstHi, long dstLo) {
        writeSegment(buf, off);
        TcpSegment.fillChecksum6(buf, off, length(), srcHi, srcLo, dstHi, dstLo);
    }

    /** Header, options and payload, checksum 0. */
    private void writeSegment(byte[] buf, int off) {
        int hlen = headerLength();
        TcpSegment.writeHeader(buf, off, srcPort, dstPort, seq, ack, hlen / 4, flags, window, urgentPointer);
        int p = off + TcpSegment.MIN_HEADER_LENGTH;
        if (mss >= 0) {
            p = opt(buf, p, TcpSegment.OPT_MSS, TcpSegment.OPTLEN_MSS);
            Bytes.put16(buf, p, mss);
            p += 2;
        }
        if (timestamps != null) {
            if (sackPermitted) {
                p = opt(buf, p, TcpSegment.OPT_SACK_PERM, TcpSegment.OPTLEN_SACK_PERM);
            } else {
                buf[p++] = TcpSegment.OPT_NOP;
                buf[p++] = TcpSegment.OPT_NOP;
            }
            p = opt(buf, p, TcpSegment.OPT_TIMESTAMP, TcpSegment.OPTLEN_TIMESTAMP);
            Bytes.put32(buf, p, timestamps.val());
            Bytes.put32(buf, p + 4, timestamps.ecr());
            p += 8;
        } else if (sackPermitted) {
            buf[p++] = TcpSegment.OPT_NOP;
            buf[p++] = TcpSegment.OPT_NOP;
            p = opt(buf, p, TcpSegment.OPT_SACK_PERM, TcpSegment.OPTLEN_SACK_PERM);
        }
        if (windowScale >= 0) {
            buf[p++] = TcpSegment.OPT_NOP;
            p = opt(buf, p, TcpSegment.OPT_WSCALE, TcpSegment.OPTLEN_WSCALE);
            buf[p++] = (byte) windowScale;
        }
        if (!sackBlocks.isEmpty()) {
            buf[p++] = TcpSegment.OPT_NOP;
            buf[p++] = TcpSegment.OPT_NOP;
            p = opt(buf, p, TcpSegment.OPT_SACK, sackLength(sackBlocks.size()));
            for (SackBlock b : sackBlocks) {
                Bytes.put32(buf, p, b.left());
                Bytes.put32(buf, p + 4, b.right());
                p += TcpSegment.SACK_BLOCK_LENGTH;
            }
        }
        System.arraycopy(payload, 0, buf, off + hlen, payload.length);
    }

    private static int sackLength(int blocks) {
        return TcpSegment.OPTLEN_SACK_BASE + TcpSegment.SACK_BLOCK_LENGTH * blocks;
    }

    private static int opt(byte[] buf, int p, int kind, int size) {
        buf[p] = (byte) kind;
        buf[p + 1] = (byte) size;
        return p + 2;
    }

    /** The segment a view shows; options Linux does not send (and malformed ones) are dropped. */
    public static TcpRepr parse(TcpSegment s) {
        Timestamps ts = s.hasTimestamps() ? new Timestamps(s.tsVal(), s.tsEcr()) : null;
        SackBlock[] blocks = new SackBlock[s.sackBlockCount()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = new SackBlock(s.sackLeft(i), s.sackRight(i));
        return new TcpRepr(s.srcPort(), s.dstPort(), s.seq(), s.ack(), s.flags(), s.window(), s.urgentPointer(),
                s.mss(), s.windowScale(), s.sackPermitted(), ts, List.of(blocks),
                Reprs.copy(s.buffer(), s.payloadOffset(), s.payloadLength()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpRepr r && srcPort == r.srcPort && dstPort == r.dstPort && seq == r.seq && ack == r.ack
                && flags == r.flags && window == r.window && urgentPointer == r.urgentPointer && mss == r.mss
                && windowScale == r.windowScale && sackPermitted == r.sackPermitted
                && java.util.Objects.equals(timestamps, r.timestamps) && sackBlocks.equals(r.sackBlocks)
                && Arrays.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return ((srcPort * 31 + dstPort) * 31 + seq) * 31 + ack + flags + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "TcpRepr[" + srcPort + " > " + dstPort + " flags 0x" + Integer.toHexString(flags)
                + " seq " + Integer.toUnsignedString(seq) + " ack " + Integer.toUnsignedString(ack)
                + " win " + window + (urgentPointer != 0 ? " urg " + urgentPointer : "")
                + (mss >= 0 ? " mss " + mss : "") + (sackPermitted ? " sackOK" : "")
                + (timestamps != null ? " TS val " + Integer.toUnsignedString(timestamps.val())
                        + " ecr " + Integer.toUnsignedString(timestamps.ecr()) : "")
                + (windowScale >= 0 ? " wscale " + windowScale : "")
                + (sackBlocks.isEmpty() ? "" : " sack " + sackBlocks)
                + " length " + payload.length + "]";
    }
}

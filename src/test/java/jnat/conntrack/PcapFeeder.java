package jnat.conntrack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only: reads a classic pcap of Ethernet frames (as tcpdump -w writes them) and fills
 * {@link CtPacket}s from the IPv4 and IPv6 packets in it, as the engine would from its wire views,
 * so the kernel's own traffic can be replayed through our tracker. IPv6 packets with extension
 * headers (the kernel's MLD reports, untracked anyway) are skipped.
 */
final class PcapFeeder {
    record Frame(long timeNanos, byte[] data) {}

    static List<Frame> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        if (b.limit() < 24) return List.of();
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        boolean nanos;
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
        }
        nanos = magic == 0xa1b23c4d;
        int linktype = b.getInt(20);
        if (linktype != 1) throw new IOException("not Ethernet: linktype " + linktype);
        List<Frame> out = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            long sec = b.getInt(pos) & 0xffffffffL;
            long frac = b.getInt(pos + 4) & 0xffffffffL;
            int caplen = b.getInt(pos + 8);
            if (pos + 16 + caplen > b.limit()) break; // still being written
            byte[] d = new byte[caplen];
            b.get(pos + 16, d);
            out.add(new Frame(sec * 1_000_000_000L + (nanos ? frac : frac * 1000), d));
            pos += 16 + caplen;
        }
        return out;
    }

    private static int u8(byte[] d, int o) { return d[o] & 0xff; }
    private static int u16(byte[] d, int o) { return (d[o] & 0xff) << 8 | (d[o + 1] & 0xff); }
    private static int u32(byte[] d, int o) { return u16(d, o) << 16 | u16(d, o + 2); }

    private static long u64(byte[] d, int o) { return (long) u32(d, o) << 32 | (u32(d, o + 4) & 0xffffffffL); }

    /** Fills {@code p} from an Ethernet frame; false if it is neither IPv4 nor IPv6 without extension headers. */
    static boolean fill(byte[] d, CtPacket p) {
        p.reset();
        if (d.length >= 54 && u16(d, 12) == 0x86dd) return fill6(d, p);
        if (d.length < 34 || u16(d, 12) != 0x0800) return false;
        int ip = 14;
        int ihl = (u8(d, ip) & 0x0f) * 4;
        int total = u16(d, ip + 2);
        int proto = u8(d, ip + 9);
        int src = u32(d, ip + 12), dst = u32(d, ip + 16);
        int l4 = ip + ihl;
        p.ipLength = total;
        switch (proto) {
            case 6 -> {
                p.tuple.set(6, src, dst, u16(d, l4), u16(d, l4 + 2));
                int doff = (u8(d, l4 + 12) >>> 4) * 4;
                p.tcp(u8(d, l4 + 13), u32(d, l4 + 4), u32(d, l4 + 8), u16(d, l4 + 14), total - ihl - doff);
                p.headerLength = doff;
                tcpOptions(d, l4 + 20, l4 + doff, p);
            }
            case 17 -> p.tuple.set(17, src, dst, u16(d, l4), u16(d, l4 + 2));
            case 1 -> {
                int type = u8(d, l4), code = u8(d, l4 + 1);
                p.tuple.setIcmp(src, dst, u16(d, l4 + 4), type, code);
                if (Tuple.isIcmpError(type)) {
                    int in = l4 + 8;
                    int iproto = u8(d, in + 9);
                    int il4 = in + (u8(d, in) & 0x0f) * 4;
                    int isrc = u32(d, in + 12), idst = u32(d, in + 16);
                    if (iproto == 1) p.quoted.setIcmp(isrc, idst, u16(d, il4 + 4), u8(d, il4), u8(d, il4 + 1));
                    else if (iproto == 6 || iproto == 17) p.quoted.set(iproto, isrc, idst, u16(d, il4), u16(d, il4 + 2));
                    else p.quoted.set(iproto, isrc, idst, 0, 0);
                }
            }
            default -> p.tuple.set(proto, src, dst, 0, 0);
        }
        return true;
    }

    private static boolean fill6(byte[] d, CtPacket p) {
        int ip = 14, l4 = ip + 40;
        int plen = u16(d, ip + 4), nh = u8(d, ip + 6);
        long sh = u64(d, ip + 8), sl = u64(d, ip + 16), dh = u64(d, ip + 24), dl = u64(d, ip + 32);
        p.ipLength = 40 + plen;
        switch (nh) {
            case 0, 43, 44, 50, 51, 60, 135 -> { return false; } // extension headers
            case 6 -> {
                p.tuple.set6(6, sh, sl, dh, dl, u16(d, l4), u16(d, l4 + 2));
                int doff = (u8(d, l4 + 12) >>> 4) * 4;
                p.tcp(u8(d, l4 + 13), u32(d, l4 + 4), u32(d, l4 + 8), u16(d, l4 + 14), plen - doff);
                p.headerLength = doff;
                tcpOptions(d, l4 + 20, l4 + doff, p);
            }
            case 17 -> p.tuple.set6(17, sh, sl, dh, dl, u16(d, l4), u16(d, l4 + 2));
            case 58 -> {
                int type = u8(d, l4);
                p.tuple.setIcmp6(sh, sl, dh, dl, u16(d, l4 + 4), type, u8(d, l4 + 1));
                if (Tuple.isIcmpv6Error(type)) {
                    int in = l4 + 8, il4 = in + 40, inh = u8(d, in + 6);
                    long ish = u64(d, in + 8), isl = u64(d, in + 16), idh = u64(d, in + 24), idl = u64(d, in + 32);
                    if (inh == 58) p.quoted.setIcmp6(ish, isl, idh, idl, u16(d, il4 + 4), u8(d, il4), u8(d, il4 + 1));
                    else if (inh == 6 || inh == 17) p.quoted.set6(inh, ish, isl, idh, idl, u16(d, il4), u16(d, il4 + 2));
                    else p.quoted.set6(inh, ish, isl, idh, idl, 0, 0);
                }
            }
            default -> p.tuple.set6(nh, sh, sl, dh, dl, 0, 0);
        }
        return true;
    }

    /** What tcp_options and tcp_sack read: wscale, SACK-permitted, SACK right edges. */
    private static void tcpOptions(byte[] d, int o, int end, CtPacket p) {
        while (o < end) {
            int kind = u8(d, o);
            if (kind == 0) return;
            if (kind == 1) { o++; continue; }
            if (o + 1 >= end) return;
            int len = u8(d, o + 1);
            if (len < 2 || o + len > end) return;
            if (kind == 3 && len == 3) p.wscale = u8(d, o + 2);
            else if (kind == 4 && len == 2) p.sackPerm = true;
            else if (kind == 5 && len >= 10 && (len - 2) % 8 == 0 && p.sackCount == 0) {
                for (int i = o + 2; i < o + len && p.sackCount < 4; i += 8) p.sackRight[p.sackCount++] = u32(d, i + 4);
            }
            o += len;
        }
    }
}

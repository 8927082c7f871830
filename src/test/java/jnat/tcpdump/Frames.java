package jnat.tcpdump;

import java.io.ByteArrayOutputStream;

/**
 * Builds frames byte by byte for tests (independent of jnat's own packet code, so a bug there cannot hide
 * one here). Each builder takes the fields as numbers and computes lengths and checksums unless told to
 * get them wrong.
 */
final class Frames {
    private Frames() {}

    static byte[] mac(int... b) {
        byte[] m = new byte[6];
        for (int i = 0; i < 6; i++) m[i] = (byte) b[i];
        return m;
    }

    static byte[] mac(String s) {
        String[] p = s.split(":");
        byte[] m = new byte[6];
        for (int i = 0; i < 6; i++) m[i] = (byte) Integer.parseInt(p[i], 16);
        return m;
    }

    static byte[] ip(String dotted) {
        String[] p = dotted.split("\\.");
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) a[i] = (byte) Integer.parseInt(p[i]);
        return a;
    }

    static byte[] ip6(String s) {
        try {
            return java.net.InetAddress.getByName(s).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.write(p, 0, p.length);
        return o.toByteArray();
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, long v) {
        b[off] = (byte) (v >> 24);
        b[off + 1] = (byte) (v >> 16);
        b[off + 2] = (byte) (v >> 8);
        b[off + 3] = (byte) v;
    }

    /** RFC 1071 sum (not complemented) of b[off..off+len) plus {@code sum}. */
    static long sum(long sum, byte[] b, int off, int len) {
        for (int i = 0; i + 1 < len; i += 2) sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if ((len & 1) != 0) sum += (b[off + len - 1] & 0xff) << 8;
        return sum;
    }

    static int fold(long sum) {
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    static byte[] ethernet(byte[] dst, byte[] src, int type, byte[] payload) {
        byte[] h = new byte[14];
        System.arraycopy(dst, 0, h, 0, 6);
        System.arraycopy(src, 0, h, 6, 6);
        put16(h, 12, type);
        return concat(h, payload);
    }

    /** An 802.1Q tag (TPID given) followed by the inner type. */
    static byte[] vlan(int tpid, int tci, int innerType, byte[] payload) {
        byte[] t = new byte[4];
        put16(t, 0, tci);
        put16(t, 2, innerType);
        return concat(t, payload);
    }

    /** Fields of an IPv4 header; adjust and call {@link #build}. */
    static final class Ip4 {
        int version = 4;
        int ihl = -1; // -1: from the options
        int tos = 0;
        int totalLength = -1; // -1: computed
        int id = 1;
        int flagsOffset = 0x4000; // DF
        int ttl = 64;
        int proto;
        byte[] src;
        byte[] dst;
        byte[] options = new byte[0];
        boolean badChecksum;

        Ip4(String src, String dst, int proto) {
            this.src = ip(src);
            this.dst = ip(dst);
            this.proto = proto;
        }

        byte[] build(byte[] payload) {
            int optLen = (options.length + 3) & ~3;
            byte[] h = new byte[20 + optLen];
            int hl = ihl >= 0 ? ihl : h.length / 4;
            h[0] = (byte) ((version << 4) | (hl & 0xf));
            h[1] = (byte) tos;
            put16(h, 2, totalLength >= 0 ? totalLength : h.length + payload.length);
            put16(h, 4, id);
            put16(h, 6, flagsOffset);
            h[8] = (byte) ttl;
            h[9] = (byte) proto;
            System.arraycopy(src, 0, h, 12, 4);
            System.arraycopy(dst, 0, h, 16, 4);
            System.arraycopy(options, 0, h, 20, options.length);
            int c = fold(sum(0, h, 0, h.length));
            put16(h, 10, badChecksum ? c ^ 0x1234 : c);
            return concat(h, payload);
        }
    }

    /** Pseudo-header sum for TCP/UDP over IPv4. */
    static long pseudo4(byte[] src, byte[] dst, int proto, int len) {
        long s = sum(0, src, 0, 4);
        s = sum(s, dst, 0, 4);
        return s + proto + len;
    }

    static long pseudo6(byte[] src, byte[] dst, int proto, int len) {
        long s = sum(0, src, 0, 16);
        s = sum(s, dst, 0, 16);
        return s + proto + len;
    }

    /** Fields of a TCP header. */
    static final class Tcp {
        int sport, dport;
        long seq, ack;
        int flags;
        int window = 65535;
        int urgent;
        byte[] options = new byte[0];
        int dataOffset = -1; // -1: from the options (padded with NOPs... as given: zero bytes)
        boolean badChecksum;

        Tcp(int sport, int dport, long seq, long ack, int flags) {
            this.sport = sport;
            this.dport = dport;
            this.seq = seq;
            this.ack = ack;
            this.flags = flags;
        }

        byte[] build(long pseudoSum, byte[] payload) {
            int optLen = (options.length + 3) & ~3;
            byte[] h = new byte[20 + optLen];
            put16(h, 0, sport);
            put16(h, 2, dport);
            put32(h, 4, seq);
            put32(h, 8, ack);
            int off = dataOffset >= 0 ? dataOffset : h.length / 4;
            h[12] = (byte) (off << 4);
            h[13] = (byte) flags;
            put16(h, 14, window);
            put16(h, 18, urgent);
            System.arraycopy(options, 0, h, 20, options.length);
            byte[] seg = concat(h, payload);
            int c = fold(sum(pseudoSum, seg, 0, seg.length));
            put16(seg, 16, badChecksum ? c ^ 0x0f0f : c);
            return seg;
        }
    }

    static byte[] tcp4(Ip4 ip, Tcp tcp, byte[] payload) {
        int len = 20 + ((tcp.options.length + 3) & ~3) + payload.length;
        return ip.build(tcp.build(pseudo4(ip.src, ip.dst, 6, len), payload));
    }

    static byte[] udp(byte[] src, byte[] dst, boolean v6, int sport, int dport, byte[] payload, int lengthField) {
        byte[] h = new byte[8];
        put16(h, 0, sport);
        put16(h, 2, dport);
        put16(h, 4, lengthField >= 0 ? lengthField : 8 + payload.length);
        byte[] seg = concat(h, payload);
        long ps = v6 ? pseudo6(src, dst, 17, seg.length) : pseudo4(src, dst, 17, seg.length);
        int c = fold(sum(ps, seg, 0, seg.length));
        put16(seg, 6, c == 0 ? 0xffff : c);
        return seg;
    }

    static byte[] udp4(Ip4 ip, int sport, int dport, byte[] payload) {
        return ip.build(udp(ip.src, ip.dst, false, sport, dport, payload, -1));
    }

    /** ICMP with its second 32-bit word ({@code rest}) and body; checksum computed. */
    static byte[] icmp(int type, int code, long rest, byte[] body) {
        byte[] h = new byte[8];
        h[0] = (byte) type;
        h[1] = (byte) code;
        put32(h, 4, rest);
        byte[] m = concat(h, body);
        put16(m, 2, fold(sum(0, m, 0, m.length)));
        return m;
    }

    static byte[] arp(int op, byte[] sha, byte[] spa, byte[] tha, byte[] tpa) {
        byte[] h = new byte[8];
        put16(h, 0, 1);
        put16(h, 2, 0x0800);
        h[4] = 6;
        h[5] = 4;
        put16(h, 6, op);
        return concat(h, sha, spa, tha, tpa);
    }

    static byte[] ip6Header(String src, String dst, int nextHeader, int payloadLength, int hopLimit) {
        byte[] h = new byte[40];
        h[0] = 0x60;
        put16(h, 4, payloadLength);
        h[6] = (byte) nextHeader;
        h[7] = (byte) hopLimit;
        System.arraycopy(ip6(src), 0, h, 8, 16);
        System.arraycopy(ip6(dst), 0, h, 24, 16);
        return h;
    }

    /**
     * Fields of an IPv6 header and the extension-header bytes after it (each already carrying its next
     * header); adjust and call {@link #build}. The upper-layer checksums over it use {@link #finalDst}.
     */
    static final class Ip6 {
        int version = 6;
        int trafficClass;
        int flowLabel;
        int payloadLength = -1; // -1: computed
        int nextHeader;
        int hopLimit = 64;
        byte[] src;
        byte[] dst;
        /** The destination of the pseudo-header (a routing header's last address), or null for {@link #dst}. */
        byte[] finalDst;
        byte[] ext = new byte[0];

        Ip6(String src, String dst, int nextHeader) {
            this.src = ip6(src);
            this.dst = ip6(dst);
            this.nextHeader = nextHeader;
        }

        long pseudo(int proto, int len) {
            return pseudo6(src, finalDst != null ? finalDst : dst, proto, len);
        }

        byte[] build(byte[] upper) {
            byte[] h = new byte[40];
            put32(h, 0, ((long) version << 28) | ((long) trafficClass << 20) | flowLabel);
            put16(h, 4, payloadLength >= 0 ? payloadLength : ext.length + upper.length);
            h[6] = (byte) nextHeader;
            h[7] = (byte) hopLimit;
            System.arraycopy(src, 0, h, 8, 16);
            System.arraycopy(dst, 0, h, 24, 16);
            return concat(h, ext, upper);
        }
    }

    static byte[] tcp6(Ip6 ip, Tcp tcp, byte[] payload) {
        int len = 20 + ((tcp.options.length + 3) & ~3) + payload.length;
        return ip.build(tcp.build(ip.pseudo(6, len), payload));
    }

    static byte[] udp6(Ip6 ip, int sport, int dport, byte[] payload) {
        return ip.build(udp(ip.src, ip.finalDst != null ? ip.finalDst : ip.dst, true, sport, dport, payload, -1));
    }

    /** ICMPv6 with its second 32-bit word and body; checksum over {@code ip}'s pseudo-header. */
    static byte[] icmp6(Ip6 ip, int type, int code, long rest, byte[] body) {
        byte[] m = concat(bytes(type, code, 0, 0, 0, 0, 0, 0), body);
        put32(m, 4, rest);
        put16(m, 2, fold(sum(ip.pseudo(58, m.length), m, 0, m.length)));
        return ip.build(m);
    }

    /** A DNS name in wire format (no compression). */
    static byte[] dnsName(String name) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) continue;
            o.write(label.length());
            o.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        o.write(0);
        return o.toByteArray();
    }
}

package jnat.wire;

import java.util.HexFormat;

/** Shared bits of the repr records. */
final class Reprs {
    private Reprs() {}

    static final byte[] EMPTY = new byte[0];

    static void check(int wireError, String what) {
        if (wireError != WireError.OK) throw new IllegalArgumentException(what + ": " + WireError.text(wireError));
    }

    /** The TCP segment at {@code b[p, p+n)} as a repr; throws IllegalArgumentException when malformed. */
    static TcpRepr tcp(byte[] b, int p, int n) {
        TcpSegment t = new TcpSegment();
        check(t.wrap(b, p, n), "TCP");
        return TcpRepr.parse(t);
    }

    /** The UDP datagram at {@code b[p, p+n)} as a repr; throws IllegalArgumentException when malformed. */
    static UdpRepr udp(byte[] b, int p, int n) {
        UdpDatagram u = new UdpDatagram();
        check(u.wrap(b, p, n), "UDP");
        return UdpRepr.parse(u);
    }

    static byte[] copy(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, off, out, 0, len);
        return out;
    }

    static String hex(byte[] b) {
        return b.length <= 32 ? HexFormat.of().formatHex(b) : HexFormat.of().formatHex(b, 0, 32) + "...(" + b.length + " bytes)";
    }

    static int u16(int v, String name) {
        if (v < 0 || v > 0xffff) throw new IllegalArgumentException(name + " out of range 0..65535: " + v);
        return v;
    }

    static int u8(int v, String name) {
        if (v < 0 || v > 0xff) throw new IllegalArgumentException(name + " out of range 0..255: " + v);
        return v;
    }
}

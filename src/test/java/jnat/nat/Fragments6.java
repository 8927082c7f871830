package jnat.nat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test helper: cuts real IPv6 packets into fragments as a sending host does (RFC 8200 4.5: the
 * 40-byte header repeated, a fragment header naming the original next header, the payload as the
 * fragmentable part), and reads fragments back.
 */
final class Fragments6 {
    private Fragments6() {}

    static final int FRAGMENT = 44;

    /**
     * {@code packet} (an IPv6 packet without extension headers) cut into fragments carrying
     * {@code sizes} bytes of data each (all but the last a multiple of 8), the last the rest.
     */
    static List<byte[]> cut(byte[] packet, int id, int... sizes) {
        int data = packet.length - 40;
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        for (int i = 0; at < data; i++) {
            int n = i < sizes.length ? Math.min(sizes[i], data - at) : data - at;
            boolean last = at + n >= data;
            if (!last && n % 8 != 0) throw new IllegalArgumentException("fragment size " + n + " not a multiple of 8");
            out.add(fragment(packet, id, at, n, !last));
            at += n;
        }
        return out;
    }

    /** One fragment of {@code packet}: payload bytes [at, at+n), M as {@code more}. */
    static byte[] fragment(byte[] packet, int id, int at, int n, boolean more) {
        byte[] f = new byte[48 + n];
        System.arraycopy(packet, 0, f, 0, 40);
        f[6] = FRAGMENT;
        put16(f, 4, 8 + n);
        f[40] = packet[6];
        f[41] = 0;
        put16(f, 42, at | (more ? 1 : 0));
        put32(f, 44, id);
        System.arraycopy(packet, 40 + at, f, 48, n);
        return f;
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, int v) {
        put16(b, i, v >>> 16);
        put16(b, i + 2, v);
    }

    /** The fragment header's fields of a fragment without other extension headers. */
    static int offset(byte[] f) {
        return u16(f, 42) & 0xfff8;
    }

    static boolean more(byte[] f) {
        return (u16(f, 42) & 1) != 0;
    }

    static int id(byte[] f) {
        return (u16(f, 44) << 16) | u16(f, 46);
    }

    /** Fragments (no other extension headers) put back together, for comparing. */
    static byte[] join(List<byte[]> fragments) {
        int end = 0;
        for (byte[] f : fragments) end = Math.max(end, offset(f) + f.length - 48);
        byte[] out = Arrays.copyOf(fragments.get(0), 40 + end);
        out[6] = fragments.get(0)[40];
        put16(out, 4, end);
        for (byte[] f : fragments) System.arraycopy(f, 48, out, 40 + offset(f), f.length - 48);
        return out;
    }
}

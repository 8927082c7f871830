package jnat.nat;

import jnat.wire.Checksum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: cuts real IPv4 packets into fragments as a sending host does, and reads them back. */
final class Fragments {
    private Fragments() {}

    /**
     * {@code packet} (a whole IPv4 packet) cut into fragments carrying {@code sizes} bytes of data
     * each (all but the last a multiple of 8), the last taking the rest; every fragment has the
     * packet's full header (options too), its own length, offset and MF, DF as {@code df}.
     */
    static List<byte[]> cut(byte[] packet, boolean df, int... sizes) {
        int hl = (packet[0] & 0x0f) * 4;
        int data = u16(packet, 2) - hl;
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        for (int i = 0; at < data; i++) {
            int n = i < sizes.length ? Math.min(sizes[i], data - at) : data - at;
            boolean last = at + n >= data;
            if (!last && n % 8 != 0) throw new IllegalArgumentException("fragment size " + n + " not a multiple of 8");
            out.add(fragment(packet, hl, at, n, !last, df));
            at += n;
        }
        return out;
    }

    /** One fragment of {@code packet}: data [at, at+n), MF as {@code more}. */
    static byte[] fragment(byte[] packet, int hl, int at, int n, boolean more, boolean df) {
        byte[] f = new byte[hl + n];
        System.arraycopy(packet, 0, f, 0, hl);
        System.arraycopy(packet, hl + at, f, hl, n);
        put16(f, 2, hl + n);
        put16(f, 6, (df ? 0x4000 : 0) | (more ? 0x2000 : 0) | at >>> 3);
        put16(f, 10, 0);
        put16(f, 10, Checksum.compute(f, 0, hl));
        return f;
    }

    /** The fragments' data put back together under the first fragment's header (offset 0, MF off), for comparing. */
    static byte[] join(List<byte[]> fragments) {
        byte[] first = fragments.stream().filter(f -> (u16(f, 6) & 0x1fff) == 0).findFirst().orElseThrow();
        int hl = (first[0] & 0x0f) * 4;
        int end = 0;
        for (byte[] f : fragments) end = Math.max(end, (u16(f, 6) & 0x1fff) * 8 + u16(f, 2) - (f[0] & 0x0f) * 4);
        byte[] out = Arrays.copyOf(first, hl + end);
        for (byte[] f : fragments) {
            int fhl = (f[0] & 0x0f) * 4;
            System.arraycopy(f, fhl, out, hl + (u16(f, 6) & 0x1fff) * 8, u16(f, 2) - fhl);
        }
        put16(out, 2, hl + end);
        put16(out, 6, u16(out, 6) & 0x4000);
        put16(out, 10, 0);
        put16(out, 10, Checksum.compute(out, 0, hl));
        return out;
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static int offset(byte[] f) {
        return (u16(f, 6) & 0x1fff) * 8;
    }

    static boolean more(byte[] f) {
        return (u16(f, 6) & 0x2000) != 0;
    }

    static boolean df(byte[] f) {
        return (u16(f, 6) & 0x4000) != 0;
    }

    static int dataLength(byte[] f) {
        return u16(f, 2) - (f[0] & 0x0f) * 4;
    }
}

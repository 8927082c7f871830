package jnat.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The one big-endian (network order) byte helper: reads and writes at an absolute index. No bounds
 * checks beyond Java's own; static and allocation-free, for the per-packet path. The 16- and 32-bit
 * reads are one load each through a byte-array view (a load and a byte swap, as the kernel's
 * ntohs/ntohl), not two or four byte loads put together; an index past the end throws
 * IndexOutOfBoundsException as an array access does.
 */
public final class Bytes {
    private Bytes() {}

    private static final VarHandle SHORT_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    public static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    public static int u16(byte[] b, int i) {
        return (short) SHORT_BE.get(b, i) & 0xffff;
    }

    public static int i32(byte[] b, int i) {
        return (int) INT_BE.get(b, i);
    }

    public static long u48(byte[] b, int i) {
        return (long) u16(b, i) << 32 | (i32(b, i + 2) & 0xffffffffL);
    }

    public static void put8(byte[] b, int i, int v) {
        b[i] = (byte) v;
    }

    public static void put16(byte[] b, int i, int v) {
        SHORT_BE.set(b, i, (short) v);
    }

    public static void put32(byte[] b, int i, int v) {
        INT_BE.set(b, i, v);
    }

    public static void put48(byte[] b, int i, long v) {
        put16(b, i, (int) (v >>> 32));
        put32(b, i + 2, (int) v);
    }
}

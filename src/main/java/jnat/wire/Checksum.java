package jnat.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum: the one's complement of the one's complement sum of 16-bit words
 * (RFC 1071), the TCP/UDP pseudo-header, and incremental update after a field changes (RFC 1624).
 *
 * <p>Two kinds of value appear here. A <em>sum</em> is a partial one's complement sum, an {@code int}
 * that may exceed 16 bits until {@link #fold folded}; sums over several ranges simply add (each range
 * but the last of even length). A <em>checksum</em> is the 16-bit field value, {@code ~fold(sum)}.
 */
public final class Checksum {
    private Checksum() {}

    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /**
     * The one's complement sum of {@code len} bytes from {@code off} added to {@code initial}, folded to
     * 16 bits. An odd last byte is padded with a zero byte, as RFC 1071 says.
     */
    public static int sum(byte[] buf, int off, int len, int initial) {
        long acc = initial & 0xffffffffL;
        int i = off;
        int end = off + len;
        // 64 bits at a time, each 32-bit half added into a 64-bit accumulator: carries pile up in the
        // high half and are folded once at the end (one's complement addition is associative).
        for (; i + 8 <= end; i += 8) {
            long v = (long) LONG_BE.get(buf, i);
            acc += (v >>> 32) + (v & 0xffffffffL);
        }
        if (i + 4 <= end) {
            acc += (int) INT_BE.get(buf, i) & 0xffffffffL;
            i += 4;
        }
        if (i + 2 <= end) {
            acc += Bytes.u16(buf, i);
            i += 2;
        }
        if (i < end) {
            acc += (buf[i] & 0xff) << 8;
        }
        return foldLong(acc);
    }

    /** The checksum field value for {@code len} bytes from {@code off}: {@code ~sum}, 16 bits. */
    public static int compute(byte[] buf, int off, int len) {
        return ~sum(buf, off, len, 0) & 0xffff;
    }

    /** Folds a sum to 16 bits with end-around carry (never 0 unless every word was 0). */
    public static int fold(int sum) {
        return foldLong(sum & 0xffffffffL);
    }

    private static int foldLong(long acc) {
        acc = (acc & 0xffffffffL) + (acc >>> 32);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
        return (int) acc;
    }

    /**
     * The sum of the TCP/UDP pseudo-header: source and destination address, zero, protocol and the
     * transport length (header plus data), as {@code csum_tcpudp_nofold} adds them.
     */
    public static int pseudoHeaderSum(int src, int dst, int protocol, int transportLength) {
        long acc = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff)
                + (protocol & 0xff) + (transportLength & 0xffff);
        return foldLong(acc);
    }

    /**
     * The TCP or UDP checksum field value for the segment at {@code off..off+len} (its checksum field must
     * be zero, or be subtracted by the caller). For UDP a result of 0 is to be sent as 0xffff
     * (see {@link #udpField}).
     */
    public static int transport(byte[] buf, int off, int len, int src, int dst, int protocol) {
        return ~sum(buf, off, len, pseudoHeaderSum(src, dst, protocol, len)) & 0xffff;
    }

    /** UDP sends a computed checksum of 0 as 0xffff, since 0 in the field means "no checksum" (RFC 768). */
    public static int udpField(int checksum) {
        return checksum == 0 ? 0xffff : checksum;
    }

    /** True when bytes that include their checksum field sum to 0xffff, i.e. the checksum verifies. */
    public static boolean verify(byte[] buf, int off, int len) {
        return sum(buf, off, len, 0) == 0xffff;
    }

    /** True when a TCP/UDP segment (checksum field included) verifies against its pseudo-header. */
    public static boolean verifyTransport(byte[] buf, int off, int len, int src, int dst, int protocol) {
        return sum(buf, off, len, pseudoHeaderSum(src, dst, protocol, len)) == 0xffff;
    }

    /**
     * RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}: the new checksum after a 16-bit word of the
     * covered data changed from {@code oldWord} to {@code newWord}. Unlike eqn. 2 it never turns a
     * checksum into 0x0000 where a full recomputation would give 0xffff or vice versa (the kernel's
     * {@code csum_replace2} computes the same). Equal to recomputation unless the covered data is all
     * zero before or after the change (an ICMP echo reply with id and seq 0 and no data): then the
     * update gives 0x0000 where recomputation gives 0xffff, as the kernel's update does too.
     */
    public static int update16(int checksum, int oldWord, int newWord) {
        int s = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return ~s & 0xffff;
    }

    /** As {@link #update16} for a 32-bit field (an address) that changed from {@code oldValue} to {@code newValue}. */
    public static int update32(int checksum, int oldValue, int newValue) {
        int s = (~checksum & 0xffff)
                + (~oldValue >>> 16 & 0xffff) + (~oldValue & 0xffff)
                + (newValue >>> 16) + (newValue & 0xffff);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return ~s & 0xffff;
    }

    /**
     * Writes a 16-bit word at {@code pos} and, when {@code checksumPos >= 0}, updates the checksum there
     * (an ICMP or ICMPv6 error's, over a quoted datagram that starts an even number of bytes into it).
     */
    static void put16Covered(byte[] buf, int pos, int value, int checksumPos) {
        if (checksumPos < 0) {
            Bytes.put16(buf, pos, value);
            return;
        }
        int old = Bytes.u16(buf, pos);
        Bytes.put16(buf, pos, value);
        Bytes.put16(buf, checksumPos, update16(Bytes.u16(buf, checksumPos), old, value & 0xffff));
    }

    // ---- IPv6 (RFC 8200 8.1) ----

    /** The sum of the 32-bit halves of a 64-bit value, unfolded (a long accumulator has room). */
    private static long halves(long v) {
        return (v >>> 32) + (v & 0xffffffffL);
    }

    /**
     * The sum of the IPv6 pseudo-header (RFC 8200 8.1): source and destination address, the 32-bit
     * upper-layer packet length and the next header value, as {@code csum_ipv6_magic} adds them.
     */
    public static int pseudoHeaderSum6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int upperLength) {
        return foldLong(halves(srcHi) + halves(srcLo) + halves(dstHi) + halves(dstLo)
                + (upperLength & 0xffffffffL) + (nextHeader & 0xff));
    }

    /**
     * The TCP, UDP or ICMPv6 checksum field value for {@code buf[off, off+len)} over IPv6 (its checksum
     * field must be zero). For UDP a result of 0 is to be sent as 0xffff ({@link #udpField}).
     */
    public static int transport6(byte[] buf, int off, int len, long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader) {
        return ~sum(buf, off, len, pseudoHeaderSum6(srcHi, srcLo, dstHi, dstLo, nextHeader, len)) & 0xffff;
    }

    /** True when a TCP, UDP or ICMPv6 message (checksum field included) verifies against its IPv6 pseudo-header. */
    public static boolean verifyTransport6(byte[] buf, int off, int len, long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader) {
        return sum(buf, off, len, pseudoHeaderSum6(srcHi, srcLo, dstHi, dstLo, nextHeader, len)) == 0xffff;
    }

    /**
     * As {@link #update16} for a 128-bit field (an IPv6 address, eight 16-bit words) that changed from
     * {@code oldHi:oldLo} to {@code newHi:newLo}: {@code inet_proto_csum_replace16}'s sum of the
     * complemented old words and the new ones.
     */
    public static int update128(int checksum, long oldHi, long oldLo, long newHi, long newLo) {
        long s = (~checksum & 0xffff) + halves(~oldHi) + halves(~oldLo) + halves(newHi) + halves(newLo);
        return ~foldLong(s) & 0xffff;
    }
}

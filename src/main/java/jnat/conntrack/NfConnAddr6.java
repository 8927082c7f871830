package jnat.conntrack;

import java.util.Arrays;

/**
 * The 128-bit addresses of IPv6 connections (tuplehash[dir].tuple.src.u3.ip6 and dst.u3.ip6),
 * beside {@link NfConn}'s rows: 8 longs per connection id, both directions' source and
 * destination as {@link jnat.wire.Ipv6Address}'s hi/lo pairs. The row keeps a 32-bit fold of each
 * address, which the hash and the probe filter use; a probe reads here only once a fold, the
 * ports and the protocol-and-family int matched, so an IPv4 packet never touches this array.
 *
 * <p>Allocated with the first IPv6 connection, as the nf_conn_acct counters are with accounting,
 * and grown with the rows, so an IPv4-only table pays nothing. A slot belongs to its id: freeing
 * the id (expiry, gc, kill, release) frees it, and the id's next connection overwrites it.
 * <pre>
 * long  0        1        2        3        4        5        6        7
 *     +--------+--------+--------+--------+--------+--------+--------+--------+
 *     |        tuplehash[ORIGINAL]        |          tuplehash[REPLY]         |
 *     | src hi | src lo | dst hi | dst lo | src hi | src lo | dst hi | dst lo |
 *     +--------+--------+--------+--------+--------+--------+--------+--------+
 * </pre>
 */
final class NfConnAddr6 {
    /** Longs per connection id. */
    static final int LONGS = 8;
    private static final int DIR = 4, SRC_HI = 0, SRC_LO = 1, DST_HI = 2, DST_LO = 3;

    private long[] a;

    /** Whether any IPv6 connection was ever made (the array exists). */
    boolean allocated() {
        return a != null;
    }

    /** Makes the array for {@code capacity} ids, on the first IPv6 connection. */
    void ensure(int capacity) {
        if (a == null) a = new long[capacity * LONGS];
    }

    /** The rows grew to {@code capacity} ids. */
    void grow(int capacity) {
        if (a != null) a = Arrays.copyOf(a, capacity * LONGS);
    }

    /** Ids the array holds (tests: gc must let ids, and so slots, be reused). */
    int capacity() {
        return a == null ? 0 : a.length / LONGS;
    }

    private static int at(int id, int dir) {
        return id * LONGS + dir * DIR;
    }

    void set(int id, int dir, Tuple t) {
        set(id, dir, t.srcHi, t.srcLo, t.dstHi, t.dstLo);
    }

    void set(int id, int dir, long srcHi, long srcLo, long dstHi, long dstLo) {
        int i = at(id, dir);
        a[i + SRC_HI] = srcHi;
        a[i + SRC_LO] = srcLo;
        a[i + DST_HI] = dstHi;
        a[i + DST_LO] = dstLo;
    }

    /** nf_ct_tuple_equal's address part, once the folds matched. */
    boolean matches(int id, int dir, long srcHi, long srcLo, long dstHi, long dstLo) {
        int i = at(id, dir);
        return a[i + SRC_HI] == srcHi && a[i + SRC_LO] == srcLo && a[i + DST_HI] == dstHi && a[i + DST_LO] == dstLo;
    }

    /** One read of the id's line (both directions' addresses share it), for a batch's touch pass. */
    long touch(int id) {
        long[] x = a;
        return x == null ? 0 : x[id * LONGS];
    }

    long srcHi(int id, int dir) { return a[at(id, dir) + SRC_HI]; }
    long srcLo(int id, int dir) { return a[at(id, dir) + SRC_LO]; }
    long dstHi(int id, int dir) { return a[at(id, dir) + DST_HI]; }
    long dstLo(int id, int dir) { return a[at(id, dir) + DST_LO]; }
}

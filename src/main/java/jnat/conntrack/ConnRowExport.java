package jnat.conntrack;

import static jnat.conntrack.NfConn.*;

import java.util.Arrays;

/**
 * The state file's row ("JNATCT1", written by jnat.gateway.ConntrackState): one connection as
 * {@link #LONGS} longs and {@link #INTS} ints, the layout of the files jnat wrote before the rows
 * were packed, so those files stay readable. It is not {@link NfConn}'s row and never changes with
 * it: it is read and written here, field by field, through NfConn's accessors. Every clock value
 * (the expiry, UDP's stream_ts) is relative to the exporter's now, so a row means the same on
 * another clock.
 * <pre>
 * longs  0..3 both packed tuples (addrs, l4 of ORIGINAL then REPLY)   4 time left (ns)
 *        5 the zone (ConnTable.zonePack; 0, the default, in files from before zones: a former NAT long)
 *        6..7 packets per direction   8..9 bytes per direction
 * ints   0 status (IPS_*)   1 mark   2 NAT int
 *        3..7, 8..12 seen[dir]: td_end, td_maxend, td_maxwin, td_maxack, flags | td_scale << 8
 *          (UDP: ints 3..4 hold stream_ts)
 *        13 state  14 last_dir  15 last_index  16 retrans  17 last_wscale  18 last_flags
 *        19 last_seq  20 last_ack  21 last_end  22 last_win
 * IPv6   l4 has Tuple.L4_IPV6 (bit 40) and addrs the folds; longs 10..17 follow: src hi, src lo,
 *        dst hi, dst lo of ORIGINAL then REPLY (NfConnAddr6's order)
 * </pre>
 * An IPv4 row is unchanged, so "JNATCT1" files stay as they were; an IPv6 row is the same row
 * with its addresses after it ({@link #LONGS_IPV6} longs), told apart by the family bit.
 */
public final class ConnRowExport {
    private ConnRowExport() {}

    /** Longs and ints of one exported row; an IPv6 row's longs go on to {@link #LONGS_IPV6} (see {@link #ipv6}). */
    public static final int LONGS = 10, INTS = 23, LONGS_IPV6 = LONGS + NfConnAddr6.LONGS;
    /** Where an IPv6 row's addresses start: NfConnAddr6's 8 longs, ORIGINAL then REPLY. */
    private static final int X_ADDR6 = LONGS;
    // The numbers are the file format: written out, not derived, so that nothing moves them.
    private static final int X_TUPLE = 0, X_TIMEOUT = 4, X_ZONE = 5, X_PACKETS = 6, X_BYTES = 8;
    private static final int X_STATUS = 0, X_MARK = 1, X_NAT = 2, X_SEEN = 3, X_SEEN_INTS = 5, X_STATE = 13,
            X_LAST_DIR = 14, X_LAST_INDEX = 15, X_RETRANS = 16, X_LAST_WSCALE = 17, X_LAST_FLAGS = 18,
            X_LAST_SEQ = 19, X_LAST_ACK = 20, X_LAST_END = 21, X_LAST_WIN = 22;
    /** In seen[dir] of the exported row. */
    private static final int X_TD_END = 0, X_TD_MAXEND = 1, X_TD_MAXWIN = 2, X_TD_MAXACK = 3, X_TD_FLAGS = 4;

    private static final long NS_PER_MS = 1_000_000L;

    /**
     * Copies confirmed entry {@code id} of {@code t} into {@code l} ({@link #LONGS}) and {@code i}
     * ({@link #INTS}): both tuples, status, mark, NAT data, counters, struct ip_ct_tcp, with every
     * clock value (the expiry, UDP's stream_ts) made relative to {@code now}, so the row means the
     * same on another clock. An IPv6 connection's row needs {@code l} of {@link #LONGS_IPV6}: its
     * addresses follow the IPv4 row's longs. Given only {@link #LONGS}, an IPv6 connection is
     * written as an empty row with no time left, which {@link #importRow} skips, and false is
     * returned (a writer of IPv4-length rows drops IPv6 connections rather than failing).
     */
    public static boolean exportRow(ConnTable t, int id, long now, long[] l, int[] i) {
        t.checkInUse(id);
        int[] ct = t.ints;
        int row = ConnTable.row(id);
        boolean v6 = NfConn.ipv6(ct, row);
        Arrays.fill(l, 0, v6 && l.length >= LONGS_IPV6 ? LONGS_IPV6 : LONGS, 0L);
        Arrays.fill(i, 0, INTS, 0);
        if (v6 && l.length < LONGS_IPV6) return false; // no room for the addresses: no time left, skipped on import
        for (int d = 0; d < 2; d++) {
            l[X_TUPLE + 2 * d] = t.tupleAddrs(ConnTable.ref(id, d));
            l[X_TUPLE + 2 * d + 1] = t.tupleL4(ConnTable.ref(id, d));
            l[X_PACKETS + d] = t.packets(id, d);
            l[X_BYTES + d] = t.bytes(id, d);
            if (v6) {
                int x = X_ADDR6 + d * 4;
                l[x] = t.srcHi(id, d);
                l[x + 1] = t.srcLo(id, d);
                l[x + 2] = t.dstHi(id, d);
                l[x + 3] = t.dstLo(id, d);
            }
        }
        l[X_TIMEOUT] = t.expiresIn(id, now);
        l[X_ZONE] = t.zone(id);
        i[X_STATUS] = status(ct, row) & STATUS_MASK;
        i[X_MARK] = t.mark(id);
        i[X_NAT] = t.masqIndex(id);
        for (int d = 0; d < 2; d++) {
            int x = X_SEEN + d * X_SEEN_INTS;
            i[x + X_TD_END] = tdEnd(ct, row, d);
            i[x + X_TD_MAXEND] = tdMaxEnd(ct, row, d);
            i[x + X_TD_MAXWIN] = tdMaxWin(ct, row, d);
            i[x + X_TD_MAXACK] = tdMaxAck(ct, row, d);
            i[x + X_TD_FLAGS] = flags(ct, row, d) | tdScale(ct, row, d) << 8;
        }
        i[X_STATE] = state(ct, row);
        i[X_LAST_DIR] = lastDir(ct, row);
        i[X_LAST_INDEX] = lastIndex(ct, row);
        i[X_RETRANS] = retrans(ct, row);
        i[X_LAST_SEQ] = lastSeq(ct, row);
        i[X_LAST_ACK] = lastAck(ct, row);
        i[X_LAST_END] = lastEnd(ct, row);
        i[X_LAST_WIN] = lastWin(ct, row);
        i[X_LAST_WSCALE] = lastWscale(ct, row);
        i[X_LAST_FLAGS] = lastFlags(ct, row);
        if (protonum(ct, row) == Tuple.IPPROTO_UDP) {
            long rel = streamTs(ct, row) - now;
            i[X_SEEN] = (int) (rel >>> 32);
            i[X_SEEN + 1] = (int) rel;
        }
        return true;
    }

    /** The time the exported connection had left (ns). */
    static long timeLeft(long[] l) {
        return l[X_TIMEOUT];
    }

    /** The packed tuple of direction {@code dir}, as {@link Tuple#addrs()} and {@link Tuple#l4()} pack it. */
    private static long addrs(long[] l, int dir) {
        return l[X_TUPLE + 2 * dir];
    }

    private static long l4(long[] l, int dir) {
        return l[X_TUPLE + 2 * dir + 1];
    }

    /** Whether an exported row is an IPv6 connection's (the family bit by the protocol): its longs go on to {@link #LONGS_IPV6}. */
    public static boolean ipv6(long[] l) {
        return (l4(l, ConnTable.ORIGINAL) >>> 32 & Tuple.L4_IPV6) != 0;
    }

    /** The row's tuple of direction {@code dir} into {@code out}; an IPv6 row's folds are made again. */
    static Tuple tuple(long[] l, int dir, Tuple out) {
        long l4 = l4(l, dir);
        if (!ipv6(l)) return out.unpack(addrs(l, dir), l4);
        if (l.length < LONGS_IPV6) throw new IllegalArgumentException("an IPv6 row takes " + LONGS_IPV6 + " longs");
        int x = X_ADDR6 + dir * 4;
        return out.set6((int) (l4 >>> 32), l[x], l[x + 1], l[x + 2], l[x + 3], (int) (l4 >>> 16), (int) l4);
    }

    /**
     * Puts back into {@code t} a row {@link #exportRow} made, as a confirmed entry expiring the
     * row's time left after {@code now}. Returns its id, or -1 when the row's time ran out, the
     * table is full (no early drop: live traffic comes first) or a live entry holds either tuple
     * already. Listeners are not told; NAT re-files what it keeps per connection itself.
     */
    public static int importRow(ConnTable t, long[] l, int[] i, long now) {
        t.reapDying();
        if (timeLeft(l) <= 0 || t.count() >= t.max()) return -1;
        Tuple[] tuples = {new Tuple(), new Tuple()}; // a restart's path, not the packet's
        for (int d = 0; d < 2; d++) {
            if (t.find(tuple(l, d, tuples[d]), (int) l[X_ZONE], now) != ConnTable.NOT_FOUND) return -1;
        }
        int id = t.allocRow(tuples[ConnTable.ORIGINAL], tuples[ConnTable.REPLY]); // room checked above, no early drop
        if (id < 0) return -1;
        t.setZone(id, (int) l[X_ZONE]);
        importInto(t, t.ints, id, l, i, now);
        t.insertImported(id);
        return id;
    }

    /**
     * Fills new entry {@code id}, whose tuples the table has set from {@link #tuple}, from an
     * exported row, as a confirmed entry expiring the row's time left after {@code now} (rounded
     * up to the table's millisecond tick).
     */
    private static void importInto(ConnTable t, int[] ct, int id, long[] l, int[] i, long now) {
        int row = ConnTable.row(id);
        int protoFamily = (int) (l4(l, ConnTable.ORIGINAL) >>> 32) & (0xff | Tuple.L4_IPV6);
        int proto = protoFamily & 0xff;
        setStatus(ct, row, (i[X_STATUS] & STATUS_MASK & ~Status.DYING) | Status.CONFIRMED | ALLOCATED | protoFamily << PROTO_SHIFT);
        t.setMark(id, i[X_MARK]);
        t.setMasqIndex(id, i[X_NAT]);
        for (int d = 0; d < 2; d++) {
            int x = X_SEEN + d * X_SEEN_INTS;
            setTdEnd(ct, row, d, i[x + X_TD_END]);
            setTdMaxEnd(ct, row, d, i[x + X_TD_MAXEND]);
            setTdMaxWin(ct, row, d, i[x + X_TD_MAXWIN]);
            setTdMaxAck(ct, row, d, i[x + X_TD_MAXACK]);
            setFlags(ct, row, d, i[x + X_TD_FLAGS]);
            setTdScale(ct, row, d, i[x + X_TD_FLAGS] >>> 8);
        }
        setState(ct, row, i[X_STATE]);
        setLastDir(ct, row, i[X_LAST_DIR]);
        setLastIndex(ct, row, i[X_LAST_INDEX]);
        setRetrans(ct, row, i[X_RETRANS]);
        setLastSeq(ct, row, i[X_LAST_SEQ]);
        setLastAck(ct, row, i[X_LAST_ACK]);
        setLastEnd(ct, row, i[X_LAST_END]);
        setLastWin(ct, row, i[X_LAST_WIN]);
        setLastWscale(ct, row, i[X_LAST_WSCALE]);
        setLastFlags(ct, row, i[X_LAST_FLAGS]);
        long left = timeLeft(l);
        setTimeout(ct, row, ConnTable.ticks(now) + (int) Math.min(Integer.MAX_VALUE / 2, (left + NS_PER_MS - 1) / NS_PER_MS));
        for (int d = 0; d < 2; d++) t.setCounters(id, d, l[X_PACKETS + d], l[X_BYTES + d]);
        if (proto == Tuple.IPPROTO_UDP) {
            setStreamTs(ct, row, now + ((long) i[X_SEEN] << 32 | (i[X_SEEN + 1] & 0xffffffffL)));
        }
    }
}

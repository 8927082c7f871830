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
 *        5 a former NAT long (0)   6..7 packets per direction   8..9 bytes per direction
 * ints   0 status (IPS_*)   1 mark   2 NAT int
 *        3..7, 8..12 seen[dir]: td_end, td_maxend, td_maxwin, td_maxack, flags | td_scale << 8
 *          (UDP: ints 3..4 hold stream_ts)
 *        13 state  14 last_dir  15 last_index  16 retrans  17 last_wscale  18 last_flags
 *        19 last_seq  20 last_ack  21 last_end  22 last_win
 * </pre>
 */
final class ConnRowExport {
    private ConnRowExport() {}

    static final int LONGS = 10, INTS = 23;
    // The numbers are the file format: written out, not derived, so that nothing moves them.
    private static final int X_TUPLE = 0, X_TIMEOUT = 4, X_PACKETS = 6, X_BYTES = 8;
    private static final int X_STATUS = 0, X_MARK = 1, X_NAT = 2, X_SEEN = 3, X_SEEN_INTS = 5, X_STATE = 13,
            X_LAST_DIR = 14, X_LAST_INDEX = 15, X_RETRANS = 16, X_LAST_WSCALE = 17, X_LAST_FLAGS = 18,
            X_LAST_SEQ = 19, X_LAST_ACK = 20, X_LAST_END = 21, X_LAST_WIN = 22;
    /** In seen[dir] of the exported row. */
    private static final int X_TD_END = 0, X_TD_MAXEND = 1, X_TD_MAXWIN = 2, X_TD_MAXACK = 3, X_TD_FLAGS = 4;

    private static final long NS_PER_MS = 1_000_000L;

    /** Copies entry {@code id} (its row at {@code row} of {@code ct}) into {@code l} and {@code i}. */
    static void export(ConnTable t, int[] ct, int id, long now, long[] l, int[] i) {
        int row = ConnTable.row(id);
        Arrays.fill(l, 0, LONGS, 0L);
        Arrays.fill(i, 0, INTS, 0);
        for (int d = 0; d < 2; d++) {
            l[X_TUPLE + 2 * d] = t.tupleAddrs(ConnTable.ref(id, d));
            l[X_TUPLE + 2 * d + 1] = t.tupleL4(ConnTable.ref(id, d));
            l[X_PACKETS + d] = t.packets(id, d);
            l[X_BYTES + d] = t.bytes(id, d);
        }
        l[X_TIMEOUT] = t.expiresIn(id, now);
        i[X_STATUS] = status(ct, row) & STATUS_MASK;
        i[X_MARK] = mark(ct, row);
        i[X_NAT] = natInt(ct, row);
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
    }

    /** The time the exported connection had left (ns). */
    static long timeLeft(long[] l) {
        return l[X_TIMEOUT];
    }

    /** The packed tuple of direction {@code dir}, as {@link Tuple#addrs()} and {@link Tuple#l4()} pack it. */
    static long addrs(long[] l, int dir) {
        return l[X_TUPLE + 2 * dir];
    }

    static long l4(long[] l, int dir) {
        return l[X_TUPLE + 2 * dir + 1];
    }

    /**
     * Fills the zeroed row of new entry {@code id} from an exported row, as a confirmed entry
     * expiring the row's time left after {@code now} (rounded up to the table's millisecond tick).
     */
    static void importInto(ConnTable t, int[] ct, int id, long[] l, int[] i, long now) {
        int row = ConnTable.row(id);
        for (int d = 0; d < 2; d++) {
            long addrs = addrs(l, d), l4 = l4(l, d);
            setTupleSrc(ct, row, d, (int) (addrs >>> 32));
            setTupleDst(ct, row, d, (int) addrs);
            setTuplePorts(ct, row, d, (int) l4);
        }
        int proto = (int) (l4(l, ConnTable.ORIGINAL) >>> 32) & 0xff;
        setStatus(ct, row, (i[X_STATUS] & STATUS_MASK & ~Status.DYING) | Status.CONFIRMED | ALLOCATED | proto << PROTO_SHIFT);
        setMark(ct, row, i[X_MARK]);
        setNatInt(ct, row, i[X_NAT]);
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

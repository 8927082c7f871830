package jnat.conntrack;

import java.util.Arrays;

/**
 * The one owner of a connection's packed row: struct nf_conn as {@link ConnTable} keeps it, one
 * row of {@link #ROW} ints per connection id in one int array, with struct ip_ct_tcp (the
 * {@code ct->proto} union) at its end. Nothing else knows an offset: {@link ConnTable},
 * {@link TcpTracker} and {@link ConnRowExport} read and write the row through these static
 * accessors, each taking the array, the row's first int ({@code ConnTable.row(id)}) and, for a
 * per-direction field, the direction. They are small and static, so the JIT inlines them into the
 * same loads and stores the raw offsets were.
 *
 * <p>Offsets are derived in order, each field's offset the previous one's plus its size, so a
 * field that grows moves everything after it (as Aeron's LogBufferDescriptor derives its own).
 * Fields narrower than an int share one, low byte first:
 * <pre>
 * int  0          1          2          3          4
 *    +----------+----------+----------+----------+----------+
 *    |        tuplehash[ORIGINAL]     | tuplehash[REPLY]    |
 *    | src.u3   | dst.u3   | ports    | dst.u3   | ports    |  ports: src.u.all << 16 | dst.u.all
 *    +----------+----------+----------+----------+----------+  (the reply's src.u3: see below)
 * int  5          6
 *    +----------+----------+
 *    | status   | timeout  |  status: IPS_* 0-15, protonum 16-23, (family 24), masq slot 25-30, ALLOCATED 31
 *    +----------+----------+  timeout: the free-list link while the id is free
 * int  7          8          9          10         11         12         13         14
 *    +----------+----------+----------+----------+----------+----------+----------+----------+
 *    |                 seen[0]                   |                 seen[1]                   |
 *    | td_end   | td_maxend| td_maxwin| td_maxack| td_end   | td_maxend| td_maxwin| td_maxack|
 *    +----------+----------+----------+----------+----------+----------+----------+----------+
 *      (UDP: ct->proto.udp.stream_ts, a long, in 7-8: the union)
 * int  15                                    16
 *    +---------+---------+---------+---------+-------+--------+----------+--------+
 *    | flags 0 | scale 0 | flags 1 | scale 1 | state | last_  | last_    | retrans|
 *    |  seen[0]          |  seen[1]          |       | dir    | index    |        |
 *    +---------+---------+---------+---------+-------+--------+----------+--------+
 * int  17         18         19         20
 *    +----------+----------+----------+-------------------+------------+-----------+
 *    | last_seq | last_ack | last_end | last_win (16 bits)| last_wscale| last_flags|
 *    +----------+----------+----------+-------------------+------------+-----------+
 * </pre>
 * 21 ints, 84 bytes. The nat extension's bysource node is not here: NAT's by-source index is an
 * array of its own (jnat.nat.NfNatBySource). The reply's source address is the original's
 * destination, which is what it is unless DNAT moved it: {@link ConnTable} keeps the difference in {@link NfConntrackExtend#replySrc}.
 * ct->mark is a side array by id ({@link NfConntrackExtend#marks}, made with the first
 * connection given a mark), and nf_conn_nat's masq_index a 6-bit slot in the status int naming one
 * of the masquerading devices the table has seen ({@link ConnTable#masqIndex}).
 *
 * <p>IPv6 (ARCHITECTURE.md, "conntrack"): rows keep this width. An IPv6 connection sets
 * {@link #FAMILY_IPV6} in the status int, read with the protocol ({@link #protoFamily}), so an
 * IPv4 probe still makes one comparison and never matches an IPv6 row; it holds a 32-bit fold of
 * each address ({@link Tuple#fold}) in the tuple's address ints, and its 128-bit addresses in
 * {@link NfConnAddr6}, a side array by id allocated with the first IPv6 connection as the
 * nf_conn_acct counters are. {@link #ADDR} is the width an address takes in the row: 4 widens
 * every row by 9 ints, to 30 (120 bytes), the fallback measured there.
 */
final class NfConn {
    private NfConn() {}

    // ---- offsets, in order -------------------------------------------------------------------

    /** Ints of one address (tuple.src.u3, a __be32 for IPv4). */
    static final int ADDR = 1;
    /** In a tuple: source address, destination address, both ports (or the ICMP id, type and code). */
    static final int T_SRC = 0, T_DST = T_SRC + ADDR, T_PORTS = T_DST + ADDR, TUPLE = T_PORTS + 1;
    /** tuplehash[IP_CT_DIR_ORIGINAL] then tuplehash[IP_CT_DIR_REPLY] without its source address. */
    static final int TUPLEHASH = 0, REPLY_TUPLE = TUPLE - ADDR;
    static final int STATUS = TUPLEHASH + TUPLE + REPLY_TUPLE;
    /** The expiry in ms ticks once confirmed; the relative timeout (ms) while unconfirmed (ct->timeout). */
    static final int TIMEOUT = STATUS + 1;
    /** union nf_conntrack_proto: struct ip_ct_tcp, or UDP's stream_ts. */
    static final int PROTO = TIMEOUT + 1;
    /** struct ip_ct_tcp_state seen[2]: its u32 fields, then both directions' u8 fields in one int. */
    static final int TD_END = 0, TD_MAXEND = TD_END + 1, TD_MAXWIN = TD_MAXEND + 1, TD_MAXACK = TD_MAXWIN + 1,
            TCP_STATE = TD_MAXACK + 1;
    static final int SEEN = PROTO, SEEN_FLAGS = SEEN + 2 * TCP_STATE;
    /** state, last_dir, last_index and retrans: the u8 fields of struct ip_ct_tcp, in one int. */
    static final int TCP_BYTES = SEEN_FLAGS + 1;
    static final int LAST_SEQ = TCP_BYTES + 1, LAST_ACK = LAST_SEQ + 1, LAST_END = LAST_ACK + 1;
    /** last_win (u16), last_wscale and last_flags (u8), in one int. */
    static final int LAST_WIN = LAST_END + 1;
    static final int ROW = LAST_WIN + 1;
    /** ct->proto.udp.stream_ts (ns), where TCP keeps seen[ORIGINAL].td_end and td_maxend. */
    static final int UDP_STREAM_TS = PROTO;

    // bit positions inside the shared ints, also in order
    static final int STATUS_MASK = 0xffff, PROTO_SHIFT = 16;
    /** Not IPS_* bits: the masq_index's slot (0 none), 6 bits above the family bit. */
    static final int MASQ_SHIFT = PROTO_SHIFT + 9, MASQ_MASK = 0x3f;
    /** Not an IPS_* bit: marks allocated ids. */
    static final int ALLOCATED = 1 << 31;
    /** The bit above protonum an IPv6 connection sets (src.l3num NFPROTO_IPV6); Tuple.L4_IPV6 in a packed l4. */
    static final int FAMILY_IPV6 = 1 << PROTO_SHIFT + 8;
    /** protonum and the family bit, as {@link #protoFamily} reads them. */
    private static final int PROTO_FAMILY_MASK = 0x1ff;
    /** In SEEN_FLAGS: seen[dir] takes 16 bits from dir * DIR_SHIFT, flags then td_scale. */
    private static final int FLAGS_SHIFT = 0, TD_SCALE_SHIFT = FLAGS_SHIFT + 8, DIR_SHIFT = TD_SCALE_SHIFT + 8;
    private static final int STATE_SHIFT = 0, LAST_DIR_SHIFT = STATE_SHIFT + 8, LAST_INDEX_SHIFT = LAST_DIR_SHIFT + 8,
            RETRANS_SHIFT = LAST_INDEX_SHIFT + 8;
    private static final int LAST_WIN_SHIFT = 0, LAST_WSCALE_SHIFT = LAST_WIN_SHIFT + 16,
            LAST_FLAGS_SHIFT = LAST_WSCALE_SHIFT + 8;
    private static final int U8 = 0xff, U16 = 0xffff;

    /** Writes the low bits of {@code v} (the kernel's u8/u16 truncation) into bits shift.. of int {@code i}. */
    private static void put(int[] ct, int i, int shift, int mask, int v) {
        ct[i] = ct[i] & ~(mask << shift) | (v & mask) << shift;
    }

    /** Where the tuple of direction {@code dir} would start: the reply's starts an address early, having no source. */
    private static int tuple(int row, int dir) {
        return row + TUPLEHASH + dir * REPLY_TUPLE;
    }

    private static int seen(int row, int dir) {
        return row + SEEN + dir * TCP_STATE;
    }

    /** Zeroes the row (the allocation's memset). */
    static void clear(int[] ct, int row) {
        Arrays.fill(ct, row, row + ROW, 0);
    }

    /** Zeroes ct->proto (tcp_new's memset of struct ip_ct_tcp). */
    static void clearProto(int[] ct, int row) {
        Arrays.fill(ct, row + PROTO, row + ROW, 0);
    }

    // ---- nf_conn -----------------------------------------------------------------------------

    /**
     * tuplehash[ORIGINAL].tuple.src.u3.ip; for REPLY the original's destination, the reply's source
     * before {@link NfConntrackExtend#replySrc}'s difference (ConnTable applies it).
     */
    static int tupleSrc(int[] ct, int row, int dir) { return ct[dir == 0 ? row + TUPLEHASH + T_SRC : row + TUPLEHASH + T_DST]; }
    static void setOrigSrc(int[] ct, int row, int v) { ct[row + TUPLEHASH + T_SRC] = v; }
    /** tuplehash[dir].tuple.dst.u3.ip */
    static int tupleDst(int[] ct, int row, int dir) { return ct[tuple(row, dir) + T_DST]; }
    static void setTupleDst(int[] ct, int row, int dir, int v) { ct[tuple(row, dir) + T_DST] = v; }
    /** tuplehash[dir].tuple.src.u.all << 16 | dst.u.all */
    static int tuplePorts(int[] ct, int row, int dir) { return ct[tuple(row, dir) + T_PORTS]; }
    static void setTuplePorts(int[] ct, int row, int dir, int v) { ct[tuple(row, dir) + T_PORTS] = v; }

    /** ct->status (IPS_* in bits 0-15) with the row's own bits: protonum 16-23, {@link #ALLOCATED}. */
    static int status(int[] ct, int row) { return ct[row + STATUS]; }
    static void setStatus(int[] ct, int row, int v) { ct[row + STATUS] = v; }
    /** tuple.dst.protonum, kept once for both tuples. */
    static int protonum(int[] ct, int row) { return ct[row + STATUS] >>> PROTO_SHIFT & U8; }
    /** protonum with the family bit above it: what a packed l4's protocol part holds (Tuple#l4). */
    static int protoFamily(int[] ct, int row) { return ct[row + STATUS] >>> PROTO_SHIFT & PROTO_FAMILY_MASK; }
    static boolean ipv6(int[] ct, int row) { return (ct[row + STATUS] & FAMILY_IPV6) != 0; }

    /** ct->timeout: the expiry tick (ms) of a confirmed entry, the relative timeout (ms) before. */
    static int timeout(int[] ct, int row) { return ct[row + TIMEOUT]; }
    static void setTimeout(int[] ct, int row, int v) { ct[row + TIMEOUT] = v; }

    /** The next free id, while the id is free (in the timeout int: a free row has none). */
    static int freeLink(int[] ct, int row) { return ct[row + TIMEOUT]; }
    static void setFreeLink(int[] ct, int row, int v) { ct[row + TIMEOUT] = v; }

    /** The slot of nf_conn_nat's masq_index (0: not masqueraded), in the status int's bits 25-30. */
    static int masqSlot(int[] ct, int row) { return ct[row + STATUS] >>> MASQ_SHIFT & MASQ_MASK; }
    static void setMasqSlot(int[] ct, int row, int v) { put(ct, row + STATUS, MASQ_SHIFT, MASQ_MASK, v); }

    /** ct->proto.udp.stream_ts */
    static long streamTs(int[] ct, int row) {
        return (long) ct[row + UDP_STREAM_TS] << 32 | (ct[row + UDP_STREAM_TS + 1] & 0xffffffffL);
    }

    static void setStreamTs(int[] ct, int row, long ts) {
        ct[row + UDP_STREAM_TS] = (int) (ts >>> 32);
        ct[row + UDP_STREAM_TS + 1] = (int) ts;
    }

    // ---- struct ip_ct_tcp_state seen[dir] ----------------------------------------------------

    static int tdEnd(int[] ct, int row, int dir) { return ct[seen(row, dir) + TD_END]; }
    static void setTdEnd(int[] ct, int row, int dir, int v) { ct[seen(row, dir) + TD_END] = v; }
    static int tdMaxEnd(int[] ct, int row, int dir) { return ct[seen(row, dir) + TD_MAXEND]; }
    static void setTdMaxEnd(int[] ct, int row, int dir, int v) { ct[seen(row, dir) + TD_MAXEND] = v; }
    static int tdMaxWin(int[] ct, int row, int dir) { return ct[seen(row, dir) + TD_MAXWIN]; }
    static void setTdMaxWin(int[] ct, int row, int dir, int v) { ct[seen(row, dir) + TD_MAXWIN] = v; }
    static int tdMaxAck(int[] ct, int row, int dir) { return ct[seen(row, dir) + TD_MAXACK]; }
    static void setTdMaxAck(int[] ct, int row, int dir, int v) { ct[seen(row, dir) + TD_MAXACK] = v; }

    static int tdScale(int[] ct, int row, int dir) {
        return ct[row + SEEN_FLAGS] >>> (dir * DIR_SHIFT + TD_SCALE_SHIFT) & U8;
    }

    static void setTdScale(int[] ct, int row, int dir, int v) {
        put(ct, row + SEEN_FLAGS, dir * DIR_SHIFT + TD_SCALE_SHIFT, U8, v);
    }

    /** seen[dir].flags: IP_CT_TCP_FLAG_* */
    static int flags(int[] ct, int row, int dir) {
        return ct[row + SEEN_FLAGS] >>> (dir * DIR_SHIFT + FLAGS_SHIFT) & U8;
    }

    static void setFlags(int[] ct, int row, int dir, int v) {
        put(ct, row + SEEN_FLAGS, dir * DIR_SHIFT + FLAGS_SHIFT, U8, v);
    }

    // ---- struct ip_ct_tcp --------------------------------------------------------------------

    /** enum tcp_conntrack */
    static int state(int[] ct, int row) { return ct[row + TCP_BYTES] >>> STATE_SHIFT & U8; }
    static void setState(int[] ct, int row, int v) { put(ct, row + TCP_BYTES, STATE_SHIFT, U8, v); }
    static int lastDir(int[] ct, int row) { return ct[row + TCP_BYTES] >>> LAST_DIR_SHIFT & U8; }
    static void setLastDir(int[] ct, int row, int v) { put(ct, row + TCP_BYTES, LAST_DIR_SHIFT, U8, v); }
    static int lastIndex(int[] ct, int row) { return ct[row + TCP_BYTES] >>> LAST_INDEX_SHIFT & U8; }
    static void setLastIndex(int[] ct, int row, int v) { put(ct, row + TCP_BYTES, LAST_INDEX_SHIFT, U8, v); }
    static int retrans(int[] ct, int row) { return ct[row + TCP_BYTES] >>> RETRANS_SHIFT & U8; }
    static void setRetrans(int[] ct, int row, int v) { put(ct, row + TCP_BYTES, RETRANS_SHIFT, U8, v); }

    static int lastSeq(int[] ct, int row) { return ct[row + LAST_SEQ]; }
    static void setLastSeq(int[] ct, int row, int v) { ct[row + LAST_SEQ] = v; }
    static int lastAck(int[] ct, int row) { return ct[row + LAST_ACK]; }
    static void setLastAck(int[] ct, int row, int v) { ct[row + LAST_ACK] = v; }
    static int lastEnd(int[] ct, int row) { return ct[row + LAST_END]; }
    static void setLastEnd(int[] ct, int row, int v) { ct[row + LAST_END] = v; }

    static int lastWin(int[] ct, int row) { return ct[row + LAST_WIN] >>> LAST_WIN_SHIFT & U16; }
    static void setLastWin(int[] ct, int row, int v) { put(ct, row + LAST_WIN, LAST_WIN_SHIFT, U16, v); }
    static int lastWscale(int[] ct, int row) { return ct[row + LAST_WIN] >>> LAST_WSCALE_SHIFT & U8; }
    static void setLastWscale(int[] ct, int row, int v) { put(ct, row + LAST_WIN, LAST_WSCALE_SHIFT, U8, v); }
    static int lastFlags(int[] ct, int row) { return ct[row + LAST_WIN] >>> LAST_FLAGS_SHIFT & U8; }
    static void setLastFlags(int[] ct, int row, int v) { put(ct, row + LAST_WIN, LAST_FLAGS_SHIFT, U8, v); }
}

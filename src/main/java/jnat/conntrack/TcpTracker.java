package jnat.conntrack;

import static jnat.conntrack.ConnTable.*;
import static jnat.conntrack.CtPacket.ACK;
import static jnat.conntrack.CtPacket.CWR;
import static jnat.conntrack.CtPacket.ECE;
import static jnat.conntrack.CtPacket.FIN;
import static jnat.conntrack.CtPacket.PSH;
import static jnat.conntrack.CtPacket.RST;
import static jnat.conntrack.CtPacket.SYN;
import static jnat.conntrack.CtPacket.URG;

/**
 * TCP connection tracking as net/netfilter/nf_conntrack_proto_tcp.c of Linux 6.x does it (read
 * from a recent mainline copy: the three-way {@code enum nf_ct_tcp_action}, tcp_init_sender, the
 * REPLY SYN in TIME_WAIT reopening, the RST check
 * against td_maxack with the challenge-ACK and "RST in a train" exceptions, mid-stream pickup
 * that marks both sides BE_LIBERAL and caps the timeout until a reply), with the default sysctls:
 * nf_conntrack_tcp_loose=1, nf_conntrack_tcp_be_liberal=0 (both settable on the table),
 * nf_conntrack_tcp_max_retrans=3, nf_conntrack_tcp_ignore_invalid_rst=0. KernelComparisonTest checks it against the running
 * kernel (6.18 here) on real traffic. Not here: synproxy, seqadj (helpers), per-rule timeouts.
 *
 * <p>State lives in {@link ConnTable}'s int rows (struct ip_ct_tcp); this class is the functions.
 */
public final class TcpTracker {
    private TcpTracker() {}

    // enum tcp_conntrack
    public static final int NONE = 0, SYN_SENT = 1, SYN_RECV = 2, ESTABLISHED = 3, FIN_WAIT = 4,
            CLOSE_WAIT = 5, LAST_ACK = 6, TIME_WAIT = 7, CLOSE = 8, SYN_SENT2 = 9, MAX = 10,
            IGNORE = 11, RETRANS = 12, UNACK = 13;

    static final String[] NAMES = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
            "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"};

    public static String name(int state) {
        return state >= 0 && state < NAMES.length ? NAMES[state] : NAMES[NONE];
    }

    private static final long SEC = 1_000_000_000L;

    /** tcp_timeouts[], in nanoseconds, indexed by state (RETRANS and UNACK included). */
    static final long[] TIMEOUTS = {
            0,              // NONE
            120 * SEC,      // SYN_SENT
            60 * SEC,       // SYN_RECV
            432000 * SEC,   // ESTABLISHED: 5 days
            120 * SEC,      // FIN_WAIT
            60 * SEC,       // CLOSE_WAIT
            30 * SEC,       // LAST_ACK
            120 * SEC,      // TIME_WAIT
            10 * SEC,       // CLOSE
            120 * SEC,      // SYN_SENT2
            0, 0,           // MAX, IGNORE
            300 * SEC,      // RETRANS
            300 * SEC,      // UNACK
    };

    /** The default timeout of a state, in nanoseconds. */
    public static long timeout(int state) {
        return TIMEOUTS[state];
    }

    // enum tcp_bit_set
    static final int SYN_SET = 0, SYNACK_SET = 1, FIN_SET = 2, ACK_SET = 3, RST_SET = 4, NONE_SET = 5;

    // ip_ct_tcp_state.flags and ip_ct_tcp.last_flags
    static final int FLAG_WINDOW_SCALE = 0x01, FLAG_SACK_PERM = 0x02, FLAG_CLOSE_INIT = 0x04,
            FLAG_BE_LIBERAL = 0x08, FLAG_DATA_UNACKNOWLEDGED = 0x10, FLAG_MAXACK_SET = 0x20,
            EXP_CHALLENGE_ACK = 0x40, SIMULTANEOUS_OPEN = 0x80;

    static final int TCP_MAX_WSCALE = 14;
    static final int MAXACKWINCONST = 66000;
    static final int MAX_RETRANS = 3;

    // Results of tcp_packet.
    static final int PKT_ACCEPT = 1, PKT_INVALID = 0, PKT_REPEAT = -1;
    // enum nf_ct_tcp_action
    private static final int ACT_IGNORE = 0, ACT_INVALID = 1, ACT_ACCEPT = 2;

    private static final int sNO = NONE, sSS = SYN_SENT, sSR = SYN_RECV, sES = ESTABLISHED,
            sFW = FIN_WAIT, sCW = CLOSE_WAIT, sLA = LAST_ACK, sTW = TIME_WAIT, sCL = CLOSE,
            sS2 = SYN_SENT2, sIV = MAX, sIG = IGNORE;

    /** tcp_conntracks[dir][index][old state]; the kernel's comments explain each cell. */
    static final byte[][][] CONNTRACKS = {
        { // ORIGINAL
            /*            sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
            /*syn*/    b(sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2),
            /*synack*/ b(sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR),
            /*fin*/    b(sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV),
            /*ack*/    b(sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV),
            /*rst*/    b(sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL),
            /*none*/   b(sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV),
        },
        { // REPLY
            /*            sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
            /*syn*/    b(sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2),
            /*synack*/ b(sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR),
            /*fin*/    b(sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV),
            /*ack*/    b(sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG),
            /*rst*/    b(sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL),
            /*none*/   b(sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV),
        },
    };

    private static byte[] b(int... v) {
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (byte) v[i];
        return r;
    }

    /** tcp_valid_flags: the flag combinations (ignoring PSH, ECE, CWR) tcp_error lets through. */
    static boolean validFlags(int flags) {
        int f = flags & ~(ECE | CWR | PSH) & 0xff;
        return switch (f) {
            case SYN, SYN | URG, SYN | ACK, RST, RST | ACK, FIN | ACK, FIN | ACK | URG, ACK, ACK | URG -> true;
            default -> false;
        };
    }

    /** get_conntrack_index. */
    static int index(int flags) {
        if ((flags & RST) != 0) return RST_SET;
        if ((flags & SYN) != 0) return (flags & ACK) != 0 ? SYNACK_SET : SYN_SET;
        if ((flags & FIN) != 0) return FIN_SET;
        if ((flags & ACK) != 0) return ACK_SET;
        return NONE_SET;
    }

    /** tcp_can_early_drop: closing states may be evicted even when ASSURED. */
    static boolean canEarlyDrop(int state) {
        return switch (state) {
            case FIN_WAIT, LAST_ACK, TIME_WAIT, CLOSE, CLOSE_WAIT -> true;
            default -> false;
        };
    }

    // The u8/u16 fields of struct ip_ct_tcp, packed in the row's ints: offset << 16 | shift << 8 | width.
    static final int F_STATE = I_TCP << 16 | 0 << 8 | 8, F_LAST_DIR = I_TCP << 16 | 8 << 8 | 8,
            F_LAST_INDEX = I_TCP << 16 | 16 << 8 | 8, F_RETRANS = I_TCP << 16 | 24 << 8 | 8,
            F_LAST_WIN = I_LAST_WIN << 16 | 0 << 8 | 16, F_LAST_WSCALE = I_LAST_WIN << 16 | 16 << 8 | 8,
            F_LAST_FLAGS = I_LAST_WIN << 16 | 24 << 8 | 8;

    /** Field {@code f} (an F_* constant) of the row at {@code row}. */
    static int get(ConnTable t, int row, int f) {
        return t.ints[row + (f >>> 16)] >>> (f >>> 8 & 0xff) & (int) ((1L << (f & 0xff)) - 1);
    }

    /** Sets field {@code f} to the low bits of {@code v} (the kernel's u8/u16 truncation). */
    static void set(ConnTable t, int row, int f, int v) {
        int shift = f >>> 8 & 0xff, mask = (int) ((1L << (f & 0xff)) - 1) << shift;
        int i = row + (f >>> 16);
        t.ints[i] = t.ints[i] & ~mask | v << shift & mask;
    }

    static boolean before(int a, int b) { return a - b < 0; }
    static boolean after(int a, int b) { return b - a < 0; }

    /** segment_seq_plus_len: the sequence number after this segment (SYN and FIN count one). */
    static int end(CtPacket p) {
        return p.seq + p.payloadLength + ((p.tcpFlags & SYN) != 0 ? 1 : 0) + ((p.tcpFlags & FIN) != 0 ? 1 : 0);
    }

    /** seen[d].flags | seen[d].td_scale << 8: the two directions share one int of the row. */
    static int td(ConnTable t, int row, int d) {
        return t.ints[row + I_TD_FLAGS] >>> (d << 4) & 0xffff;
    }

    static void setTd(ConnTable t, int row, int d, int v) {
        int shift = d << 4, i = row + I_TD_FLAGS;
        t.ints[i] = t.ints[i] & ~(0xffff << shift) | (v & 0xffff) << shift;
    }

    /** seen[d].td_scale. */
    private static int scale(ConnTable t, int row, int d) {
        return td(t, row, d) >>> 8 & 0xff;
    }

    /** tcp_options into seen[d]; without options the kernel leaves scale and flags alone. */
    static void options(ConnTable t, int row, int d, CtPacket p) {
        if (p.headerLength <= 20) return;
        int flags = td(t, row, d) & FLAG_BE_LIBERAL;
        int scale = 0;
        if (p.sackPerm) flags |= FLAG_SACK_PERM;
        if (p.wscale >= 0) {
            scale = Math.min(p.wscale, TCP_MAX_WSCALE);
            flags |= FLAG_WINDOW_SCALE;
        }
        setTd(t, row, d, scale << 8 | flags);
    }

    /** tcp_new: whether this first packet may create a connection, and the initial window data. */
    static boolean newConn(ConnTable t, int id, CtPacket p) {
        final int row = ConnTable.row(id);
        int newState = CONNTRACKS[0][index(p.tcpFlags)][NONE];
        if (newState >= MAX) return false; // "invalid new"
        if (newState != SYN_SENT && !t.tcpLoose) return false; // don't pick up connections
        int o = ConnTable.seen(id, 0);
        t.clearTcp(id);
        int end = end(p);
        int win = p.window == 0 ? 1 : p.window;
        if (newState == SYN_SENT) {
            t.ints[o + TD_END] = end;
            t.ints[o + TD_MAXWIN] = win;
            t.ints[o + TD_MAXEND] = end;
            options(t, row, 0, p);
        } else {
            // nf_conntrack_tcp_loose=1: in the middle of a connection whose history we lost; the
            // window scale is unknown, so both sides are checked liberally.
            t.ints[o + TD_END] = end;
            t.ints[o + TD_MAXWIN] = win;
            t.ints[o + TD_MAXEND] = end + win;
            setTd(t, row, 0, FLAG_SACK_PERM | FLAG_BE_LIBERAL); // td_scale 0
            setTd(t, row, 1, FLAG_SACK_PERM | FLAG_BE_LIBERAL);
        }
        set(t, row, F_LAST_INDEX, NONE_SET);
        return true;
    }

    /** tcp_init_sender: a SYN-ACK answering a SYN, or a SYN from the reply side (simultaneous open). */
    private static void initSender(ConnTable t, int row, int sender, CtPacket p, int end, int win, int dir) {
        t.ints[sender + TD_END] = end;
        t.ints[sender + TD_MAXEND] = end;
        t.ints[sender + TD_MAXWIN] = win == 0 ? 1 : win;
        options(t, row, dir, p);
        // RFC 1323: scaling only when both sides send the option.
        if (dir == ConnTable.REPLY && !((td(t, row, dir) & FLAG_WINDOW_SCALE) != 0
                && (td(t, row, dir ^ 1) & FLAG_WINDOW_SCALE) != 0)) {
            setTd(t, row, dir, td(t, row, dir) & 0xff); // td_scale = 0
            setTd(t, row, dir ^ 1, td(t, row, dir ^ 1) & 0xff);
        }
    }

    /** nf_tcp_log_invalid: a liberal sender (or nf_conntrack_tcp_be_liberal) gets everything accepted. */
    private static int logInvalid(ConnTable t, int row, int dir, int action) {
        return (td(t, row, dir) & FLAG_BE_LIBERAL) != 0 || t.tcpBeLiberal ? ACT_ACCEPT : action;
    }

    private static int maxAckWindow(ConnTable t, int sender) {
        int w = t.ints[sender + TD_MAXWIN];
        return Integer.compareUnsigned(w, MAXACKWINCONST) > 0 ? w : MAXACKWINCONST;
    }

    /** tcp_in_window: the window checks that decide ACCEPT, IGNORE or INVALID, and the window updates. */
    static int inWindow(ConnTable t, int id, int dir, int index, CtPacket p) {
        final int row = ConnTable.row(id);
        int sender = ConnTable.seen(id, dir), receiver = ConnTable.seen(id, dir ^ 1);
        int flags = p.tcpFlags;
        boolean syn = (flags & SYN) != 0, ackFlag = (flags & ACK) != 0, rst = (flags & RST) != 0;
        int seq = p.seq;
        int ack = p.ack, sack = ack;
        int winRaw = p.window;
        int win = winRaw;
        int end = end(p);

        if ((td(t, row, dir ^ 1) & FLAG_SACK_PERM) != 0) {
            for (int i = 0; i < p.sackCount; i++) {
                if (after(p.sackRight[i], sack)) sack = p.sackRight[i];
            }
        }
        // No seqadj (helpers) in jnat: receiver_offset is 0.

        if (t.ints[sender + TD_MAXWIN] == 0) {
            // Initialize sender data.
            if (syn) {
                initSender(t, row, sender, p, end, win, dir);
                if (!ackFlag) return ACT_ACCEPT; // simultaneous open
            } else {
                // Mid-connection: its history is lost for us; use the data from the packet.
                t.ints[sender + TD_END] = end;
                int swin = win << scale(t, row, dir);
                t.ints[sender + TD_MAXWIN] = swin == 0 ? 1 : swin;
                t.ints[sender + TD_MAXEND] = end + t.ints[sender + TD_MAXWIN];
                if (t.ints[receiver + TD_MAXWIN] == 0) {
                    // No traffic the other way yet: let III and IV pass until there is.
                    t.ints[receiver + TD_END] = t.ints[receiver + TD_MAXEND] = sack;
                } else if (sack == t.ints[receiver + TD_END] + 1) {
                    // Likely a reply to a keepalive; needed for III.
                    t.ints[receiver + TD_END]++;
                }
            }
        } else if (syn && after(end, t.ints[sender + TD_END])
                && (get(t, row, F_STATE) == SYN_SENT || get(t, row, F_STATE) == SYN_RECV)) {
            // RFC 793: a reinitialized TCP may reuse the connection with higher sequence numbers.
            initSender(t, row, sender, p, end, win, dir);
            if (dir == ConnTable.REPLY && !ackFlag) return ACT_ACCEPT;
        }

        if (!ackFlag) {
            // No ACK: pretend it was set and fine.
            ack = sack = t.ints[receiver + TD_END];
        } else if ((flags & (ACK | RST)) == (ACK | RST) && ack == 0) {
            // Broken stacks that set ACK in RST with a zero ack value.
            ack = sack = t.ints[receiver + TD_END];
        }

        if (rst && seq == 0 && get(t, row, F_STATE) == SYN_SENT) {
            // RST answering a SYN.
            seq = end = t.ints[sender + TD_END];
        }

        boolean seqOk = before(seq, t.ints[sender + TD_MAXEND] + 1);
        if (!seqOk) {
            int overshot = end - t.ints[sender + TD_MAXEND] + 1;
            boolean ackOk = after(sack, t.ints[receiver + TD_END] - maxAckWindow(t, sender) - 1);
            boolean inRecvWin = t.ints[receiver + TD_MAXWIN] != 0
                    && after(end, t.ints[sender + TD_END] - t.ints[receiver + TD_MAXWIN] - 1);
            if (inRecvWin && ackOk && Integer.compareUnsigned(overshot, t.ints[receiver + TD_MAXWIN]) <= 0
                    && before(sack, t.ints[receiver + TD_END] + 1)) {
                // A TCP sending more than the receive window allows: remember the data so its ACK
                // does not trip "ACK is over upper bound" later.
                t.ints[sender + TD_END] = end;
                setTd(t, row, dir, td(t, row, dir) | FLAG_DATA_UNACKNOWLEDGED);
                return logInvalid(t, row, dir, ACT_IGNORE);
            }
            return logInvalid(t, row, dir, ACT_INVALID); // SEQ is over upper bound
        }

        if (!before(sack, t.ints[receiver + TD_END] + 1)) {
            return logInvalid(t, row, dir, ACT_INVALID); // ACK is over upper bound (ACKed data not seen yet)
        }

        boolean inRecvWin = t.ints[receiver + TD_MAXWIN] == 0
                || after(end, t.ints[sender + TD_END] - t.ints[receiver + TD_MAXWIN] - 1);
        if (!inRecvWin) {
            return logInvalid(t, row, dir, ACT_IGNORE); // SEQ under lower bound: retransmitted, already ACKed
        }
        if (!after(sack, t.ints[receiver + TD_END] - maxAckWindow(t, sender) - 1)) {
            return logInvalid(t, row, dir, ACT_IGNORE); // ACK under lower bound (possibly overly delayed)
        }

        if (!syn) win <<= scale(t, row, dir);

        // Update sender data.
        int swin = win + (sack - ack);
        if (Integer.compareUnsigned(t.ints[sender + TD_MAXWIN], swin) < 0) t.ints[sender + TD_MAXWIN] = swin;
        if (after(end, t.ints[sender + TD_END])) {
            t.ints[sender + TD_END] = end;
            setTd(t, row, dir, td(t, row, dir) | FLAG_DATA_UNACKNOWLEDGED);
        }
        if (ackFlag) {
            if ((td(t, row, dir) & FLAG_MAXACK_SET) == 0) {
                t.ints[sender + TD_MAXACK] = ack;
                setTd(t, row, dir, td(t, row, dir) | FLAG_MAXACK_SET);
            } else if (after(ack, t.ints[sender + TD_MAXACK])) {
                t.ints[sender + TD_MAXACK] = ack;
            }
        }

        // Update receiver data.
        if (t.ints[receiver + TD_MAXWIN] != 0 && after(end, t.ints[sender + TD_MAXEND])) {
            t.ints[receiver + TD_MAXWIN] += end - t.ints[sender + TD_MAXEND];
        }
        if (after(sack + win, t.ints[receiver + TD_MAXEND] - 1)) {
            t.ints[receiver + TD_MAXEND] = sack + win;
            if (win == 0) t.ints[receiver + TD_MAXEND]++;
        }
        if (ack == t.ints[receiver + TD_END]) setTd(t, row, dir ^ 1, td(t, row, dir ^ 1) & ~FLAG_DATA_UNACKNOWLEDGED);

        // Check retransmissions.
        if (index == ACK_SET) {
            if (get(t, row, F_LAST_DIR) == dir && t.ints[row + I_LAST_SEQ] == seq && t.ints[row + I_LAST_ACK] == ack
                    && t.ints[row + I_LAST_END] == end && get(t, row, F_LAST_WIN) == winRaw) {
                set(t, row, F_RETRANS, get(t, row, F_RETRANS) + 1); // u8
            } else {
                set(t, row, F_LAST_DIR, dir);
                t.ints[row + I_LAST_SEQ] = seq;
                t.ints[row + I_LAST_ACK] = ack;
                t.ints[row + I_LAST_END] = end;
                set(t, row, F_LAST_WIN, winRaw);
                set(t, row, F_RETRANS, 0);
            }
        }
        return ACT_ACCEPT;
    }

    /** nf_tcp_handle_invalid: an ASSURED connection answering an out-of-window FIN/RST gets a short timeout. */
    private static void handleInvalid(ConnTable t, int id, int dir, int index, long now) {
        final int row = ConnTable.row(id);
        if ((t.ints[row + I_STATUS] & Status.ASSURED) == 0 || (t.ints[row + I_STATUS] & Status.FIXED_TIMEOUT) != 0) return;
        if (index != RST_SET && index != FIN_SET) return;
        if (get(t, row, F_LAST_DIR) != dir && (get(t, row, F_LAST_INDEX) == FIN_SET || get(t, row, F_LAST_INDEX) == RST_SET)) {
            long expires = t.expiresIn(id, now);
            if (expires < 120 * SEC) return;
            if (expires > TIMEOUTS[UNACK]) {
                t.refresh(id, TIMEOUTS[UNACK], now);
            }
        } else {
            set(t, row, F_LAST_INDEX, index);
            set(t, row, F_LAST_DIR, dir);
        }
    }

    private static boolean established(ConnTable t, int id) {
        final int row = ConnTable.row(id);
        return get(t, row, F_STATE) == ESTABLISHED && (t.ints[row + I_STATUS] & Status.ASSURED) != 0;
    }

    /**
     * nf_conntrack_tcp_packet: ACCEPT (tracked; includes the packets the kernel "ignores"),
     * INVALID (-NF_ACCEPT: not tracked, not NATed) or REPEAT (the connection was killed to be
     * reopened by this SYN: look up again).
     */
    static int packet(ConnTable t, int id, int dir, CtPacket p, long now) {
        final int row = ConnTable.row(id);
        if (!validFlags(p.tcpFlags)) return PKT_INVALID; // tcp_error: invalid tcp flag combination
        if (!t.confirmed(id) && !newConn(t, id, p)) return PKT_INVALID;

        int flags = p.tcpFlags;
        int oldState = get(t, row, F_STATE);
        int index = index(flags);
        int newState = CONNTRACKS[dir][index][oldState];
        int other = dir ^ 1;
        boolean skipWindow = false;

        sw:
        switch (newState) {
            case SYN_SENT:
                if (oldState < TIME_WAIT) break;
                // RFC 1122: a SYN may reopen a connection from TIME_WAIT; also a client aborting and
                // starting over. Delete this connection and look up again.
                if ((((td(t, row, dir) | td(t, row, other)) & FLAG_CLOSE_INIT) != 0)
                        || (get(t, row, F_LAST_DIR) == dir && get(t, row, F_LAST_INDEX) == RST_SET)) {
                    t.killDeferred(id);
                    return PKT_REPEAT;
                }
                // fall through: ignored
            case IGNORE: {
                // Our entry may be out of sync: let through packets that may signal the real
                // connection (a) SYN in ORIGINAL, b) SYN/ACK in REPLY, c) ACK in REPLY after a SYN).
                if (index == SYNACK_SET && get(t, row, F_LAST_INDEX) == SYN_SET && get(t, row, F_LAST_DIR) != dir
                        && p.ack == t.ints[row + I_LAST_END]) {
                    // b) answers a SYN we ignored: client and server are in sync, we are not.
                    int ld = get(t, row, F_LAST_DIR);
                    int ls = ConnTable.seen(id, ld);
                    oldState = SYN_SENT;
                    newState = SYN_RECV;
                    t.ints[ls + TD_END] = t.ints[row + I_LAST_END];
                    t.ints[ls + TD_MAXEND] = t.ints[row + I_LAST_END];
                    t.ints[ls + TD_MAXWIN] = get(t, row, F_LAST_WIN) == 0 ? 1 : get(t, row, F_LAST_WIN);
                    set(t, row, F_LAST_FLAGS, get(t, row, F_LAST_FLAGS) & ~EXP_CHALLENGE_ACK);
                    setTd(t, row, ld, (get(t, row, F_LAST_FLAGS) & 0xff)
                            | get(t, row, F_LAST_WSCALE) << 8);
                    int s = ConnTable.seen(id, dir);
                    t.ints[s + TD_END] = t.ints[s + TD_MAXEND] = t.ints[s + TD_MAXWIN] = t.ints[s + TD_MAXACK] = 0;
                    setTd(t, row, dir, td(t, row, dir) & FLAG_BE_LIBERAL);
                    break sw;
                }
                set(t, row, F_LAST_INDEX, index);
                set(t, row, F_LAST_DIR, dir);
                t.ints[row + I_LAST_SEQ] = p.seq;
                t.ints[row + I_LAST_END] = end(p);
                set(t, row, F_LAST_WIN, p.window);
                // a) a SYN in ORIGINAL: note its options; if valid, the SYN/ACK puts us in sync.
                if (index == SYN_SET && dir == ConnTable.ORIGINAL) {
                    int lf = 0, lw = 0;
                    if (p.headerLength > 20) {
                        if (p.wscale >= 0) {
                            lf |= FLAG_WINDOW_SCALE;
                            lw = Math.min(p.wscale, TCP_MAX_WSCALE);
                        }
                        if (p.sackPerm) lf |= FLAG_SACK_PERM;
                    }
                    // RFC 5961 challenge ACK possible: in LAST_ACK an ACK would look like the last ACK.
                    if (oldState == LAST_ACK) lf |= EXP_CHALLENGE_ACK;
                    set(t, row, F_LAST_FLAGS, lf);
                    set(t, row, F_LAST_WSCALE, lw);
                }
                // A possible challenge ACK answering a SYN.
                if (oldState == SYN_SENT && index == ACK_SET && dir == ConnTable.REPLY) {
                    t.ints[row + I_LAST_ACK] = p.ack;
                }
                return PKT_ACCEPT; // ignored: no state change, no timeout refresh
            }
            case MAX:
                return PKT_INVALID; // "packet (index %d) in dir %d invalid" (no synproxy here)
            case TIME_WAIT:
                // RFC 5961 challenge ACK after a SYN we let through in LAST_ACK is not the last ACK.
                if (oldState == LAST_ACK && index == ACK_SET && get(t, row, F_LAST_DIR) != dir
                        && get(t, row, F_LAST_INDEX) == SYN_SET && (get(t, row, F_LAST_FLAGS) & EXP_CHALLENGE_ACK) != 0) {
                    set(t, row, F_LAST_FLAGS, get(t, row, F_LAST_FLAGS) & ~EXP_CHALLENGE_ACK);
                    return PKT_ACCEPT;
                }
                break;
            case SYN_SENT2:
                set(t, row, F_LAST_FLAGS, get(t, row, F_LAST_FLAGS) | SIMULTANEOUS_OPEN);
                break;
            case SYN_RECV:
                if (dir == ConnTable.REPLY && index == ACK_SET && (get(t, row, F_LAST_FLAGS) & SIMULTANEOUS_OPEN) != 0) {
                    newState = ESTABLISHED;
                }
                break;
            case CLOSE: {
                if (index != RST_SET) break;
                // Closing: the tuple may have been reused already and window data is stale.
                if (canEarlyDrop(get(t, row, F_STATE))) {
                    skipWindow = true;
                    break;
                }
                int otherRef = ConnTable.seen(id, other);
                if ((td(t, row, other) & FLAG_MAXACK_SET) != 0 && get(t, row, F_LAST_INDEX) != SYN_SET) {
                    int seq = p.seq;
                    // Not established and SEQ 0: most likely the answer to a SYN we let through.
                    if (seq == 0 && !established(t, id)) break;
                    if (before(seq, t.ints[otherRef + TD_MAXACK])) return PKT_INVALID; // invalid rst
                    if (!established(t, id) || seq == t.ints[otherRef + TD_MAXACK]) break;
                    // An RST that is part of a train (data then RST at its end).
                    if (get(t, row, F_LAST_INDEX) == ACK_SET && get(t, row, F_LAST_DIR) == dir && seq == t.ints[row + I_LAST_END]) break;
                    // Sequence doesn't match exactly: keep the state for a possible challenge ACK.
                    newState = oldState;
                }
                if ((((t.ints[row + I_STATUS] & Status.SEEN_REPLY) != 0 && get(t, row, F_LAST_INDEX) == SYN_SET)
                        || ((t.ints[row + I_STATUS] & Status.ASSURED) == 0 && get(t, row, F_LAST_INDEX) == ACK_SET))
                        && p.ack == t.ints[row + I_LAST_END]) {
                    // RST to a SYN or ACK we let through above: delete, skipping window checks.
                    skipWindow = true;
                    break;
                }
                // RST answering a challenge ACK we let through.
                if (oldState == SYN_SENT && get(t, row, F_LAST_INDEX) == ACK_SET
                        && get(t, row, F_LAST_DIR) == ConnTable.REPLY && p.seq == t.ints[row + I_LAST_ACK]) {
                    skipWindow = true;
                }
                break;
            }
            default:
                break;
        }

        if (!skipWindow) {
            int res = inWindow(t, id, dir, index, p);
            if (res == ACT_IGNORE) return PKT_ACCEPT;
            if (res == ACT_INVALID) {
                handleInvalid(t, id, dir, index, now);
                return PKT_INVALID;
            }
        }

        // From now on the packet is in window.
        set(t, row, F_LAST_INDEX, index);
        set(t, row, F_LAST_DIR, dir);
        set(t, row, F_STATE, newState);
        if (oldState != newState && newState == FIN_WAIT) {
            setTd(t, row, dir, td(t, row, dir) | FLAG_CLOSE_INIT);
        }

        long timeout;
        if ((get(t, row, F_RETRANS) & 0xff) >= MAX_RETRANS && TIMEOUTS[newState] > TIMEOUTS[RETRANS]) {
            timeout = TIMEOUTS[RETRANS];
        } else if (index == RST_SET) {
            timeout = TIMEOUTS[CLOSE];
        } else if (((td(t, row, 0) | td(t, row, 1)) & FLAG_DATA_UNACKNOWLEDGED) != 0
                && TIMEOUTS[newState] > TIMEOUTS[UNACK]) {
            timeout = TIMEOUTS[UNACK];
        } else if (get(t, row, F_LAST_WIN) == 0 && TIMEOUTS[newState] > TIMEOUTS[RETRANS]) {
            timeout = TIMEOUTS[RETRANS];
        } else {
            timeout = TIMEOUTS[newState];
        }

        if ((t.ints[row + I_STATUS] & Status.SEEN_REPLY) == 0) {
            // If the only reply is an RST, there is no connection to keep (--RR).
            if ((flags & RST) != 0) {
                t.acct(id, dir, p.ipLength);
                t.killDeferred(id);
                return PKT_ACCEPT;
            }
            // A SYN retransmit does not renew the timeout, or port reuse could keep it forever.
            if (index == SYN_SET && oldState == SYN_SENT) {
                return PKT_ACCEPT;
            }
            // Picked up mid-stream without a reply yet: no 5-day ESTABLISHED timeout.
            if (newState == ESTABLISHED && timeout > TIMEOUTS[UNACK]) timeout = TIMEOUTS[UNACK];
        } else if ((t.ints[row + I_STATUS] & Status.ASSURED) == 0
                && (oldState == SYN_RECV || oldState == ESTABLISHED) && newState == ESTABLISHED) {
            // A valid ACK in ESTABLISHED after SYN_RECV, or an answer on a picked-up connection.
            t.ints[row + I_STATUS] |= Status.ASSURED;
        }
        t.refreshAcct(id, dir, p.ipLength, timeout, now);
        return PKT_ACCEPT;
    }
}

package jnat.conntrack;

import static jnat.conntrack.ConnTable.ORIGINAL;
import static jnat.conntrack.ConnTable.REPLY;
import static jnat.conntrack.NfConn.*;
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
 * <p>State lives in {@link ConnTable}'s int rows (struct ip_ct_tcp, read and written only through
 * {@link NfConn}'s accessors); this class is the functions. Each takes the connection as the
 * kernel's {@code struct nf_conn *ct}: the row array {@code ct} and the row's first int.
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

    static boolean before(int a, int b) { return a - b < 0; }
    static boolean after(int a, int b) { return b - a < 0; }

    /** segment_seq_plus_len: the sequence number after this segment (SYN and FIN count one). */
    static int end(CtPacket p) {
        return p.seq + p.payloadLength + ((p.tcpFlags & SYN) != 0 ? 1 : 0) + ((p.tcpFlags & FIN) != 0 ? 1 : 0);
    }


    /** tcp_options into seen[dir]; without options the kernel leaves td_scale and flags alone. */
    static void options(int[] ct, int row, int dir, CtPacket p) {
        if (p.headerLength <= 20) return;
        int flags = flags(ct, row, dir) & FLAG_BE_LIBERAL;
        int scale = 0;
        if (p.sackPerm) flags |= FLAG_SACK_PERM;
        if (p.wscale >= 0) {
            scale = Math.min(p.wscale, TCP_MAX_WSCALE);
            flags |= FLAG_WINDOW_SCALE;
        }
        setTdScale(ct, row, dir, scale);
        setFlags(ct, row, dir, flags);
    }

    /** nf_ct_tcp_state_reset */
    private static void stateReset(int[] ct, int row, int dir) {
        setTdEnd(ct, row, dir, 0);
        setTdMaxEnd(ct, row, dir, 0);
        setTdMaxWin(ct, row, dir, 0);
        setTdMaxAck(ct, row, dir, 0);
        setTdScale(ct, row, dir, 0);
        setFlags(ct, row, dir, flags(ct, row, dir) & FLAG_BE_LIBERAL);
    }

    /** tcp_new: whether this first packet may create a connection, and the initial window data. */
    static boolean newConn(ConnTable t, int[] ct, int row, CtPacket p) {
        int newState = CONNTRACKS[0][index(p.tcpFlags)][NONE];
        if (newState >= MAX) return false; // "invalid new"
        if (newState != SYN_SENT && !t.tcpLoose) return false; // don't pick up connections
        clearProto(ct, row);
        int end = end(p);
        int win = p.window == 0 ? 1 : p.window;
        setTdEnd(ct, row, ORIGINAL, end);
        setTdMaxWin(ct, row, ORIGINAL, win);
        if (newState == SYN_SENT) {
            setTdMaxEnd(ct, row, ORIGINAL, end);
            options(ct, row, ORIGINAL, p);
        } else {
            // nf_conntrack_tcp_loose=1: in the middle of a connection whose history we lost; the
            // window scale is unknown, so both sides are checked liberally.
            setTdMaxEnd(ct, row, ORIGINAL, end + win);
            setFlags(ct, row, ORIGINAL, FLAG_SACK_PERM | FLAG_BE_LIBERAL); // td_scale 0
            setFlags(ct, row, REPLY, FLAG_SACK_PERM | FLAG_BE_LIBERAL);
        }
        setLastIndex(ct, row, NONE_SET);
        return true;
    }

    /** tcp_init_sender: a SYN-ACK answering a SYN, or a SYN from the reply side (simultaneous open). */
    private static void initSender(int[] ct, int row, int sender, int receiver, CtPacket p, int end, int win, int dir) {
        setTdEnd(ct, row, sender, end);
        setTdMaxEnd(ct, row, sender, end);
        setTdMaxWin(ct, row, sender, win == 0 ? 1 : win);
        options(ct, row, sender, p);
        // RFC 1323: scaling only when both sides send the option.
        if (dir == REPLY && !((flags(ct, row, sender) & FLAG_WINDOW_SCALE) != 0
                && (flags(ct, row, receiver) & FLAG_WINDOW_SCALE) != 0)) {
            setTdScale(ct, row, sender, 0);
            setTdScale(ct, row, receiver, 0);
        }
    }

    /** tcp_sack: the highest right edge of the SACK blocks, if above {@code sack}. */
    private static int tcpSack(CtPacket p, int sack) {
        for (int i = 0; i < p.sackCount; i++) {
            if (after(p.sackRight[i], sack)) sack = p.sackRight[i];
        }
        return sack;
    }

    /** nf_tcp_log_invalid: a liberal sender (or nf_conntrack_tcp_be_liberal) gets everything accepted. */
    private static int logInvalid(ConnTable t, int[] ct, int row, int sender, int action) {
        return (flags(ct, row, sender) & FLAG_BE_LIBERAL) != 0 || t.tcpBeLiberal ? ACT_ACCEPT : action;
    }

    /** MAXACKWINDOW(sender) */
    private static int maxAckWindow(int[] ct, int row, int sender) {
        int w = tdMaxWin(ct, row, sender);
        return Integer.compareUnsigned(w, MAXACKWINCONST) > 0 ? w : MAXACKWINCONST;
    }

    /** tcp_in_window: the window checks that decide ACCEPT, IGNORE or INVALID, and the window updates. */
    static int inWindow(ConnTable t, int[] ct, int row, int dir, int index, CtPacket p) {
        final int sender = dir, receiver = dir ^ 1; // &state->seen[dir], &state->seen[!dir]
        final int flags = p.tcpFlags;
        final boolean syn = (flags & SYN) != 0, ackFlag = (flags & ACK) != 0, rst = (flags & RST) != 0;
        int seq, ack, sack, end, win, swin;
        boolean inRecvWin, seqOk;
        int winRaw;

        // Get the required data from the packet.
        seq = p.seq;
        ack = sack = p.ack;
        winRaw = p.window;
        win = winRaw;
        end = end(p);

        if ((flags(ct, row, receiver) & FLAG_SACK_PERM) != 0) sack = tcpSack(p, sack);
        // Take into account NAT sequence number mangling (SYNPROXY's seqadj; 0 for every other connection)
        if ((status(ct, row) & Status.SEQ_ADJUST) != 0) {
            int receiverOffset = t.seqadj().offset(row / ROW, receiver, ack - 1);
            ack -= receiverOffset;
            sack -= receiverOffset;
        }

        if (tdMaxWin(ct, row, sender) == 0) {
            // Initialize sender data.
            if (syn) {
                initSender(ct, row, sender, receiver, p, end, win, dir);
                if (!ackFlag) return ACT_ACCEPT; // simultaneous open
            } else {
                // Mid-connection: its history is lost for us; use the data from the packet.
                setTdEnd(ct, row, sender, end);
                swin = win << tdScale(ct, row, sender);
                setTdMaxWin(ct, row, sender, swin == 0 ? 1 : swin);
                setTdMaxEnd(ct, row, sender, end + tdMaxWin(ct, row, sender));
                if (tdMaxWin(ct, row, receiver) == 0) {
                    // No traffic the other way yet: let III and IV pass until there is.
                    setTdEnd(ct, row, receiver, sack);
                    setTdMaxEnd(ct, row, receiver, sack);
                } else if (sack == tdEnd(ct, row, receiver) + 1) {
                    // Likely a reply to a keepalive; needed for III.
                    setTdEnd(ct, row, receiver, tdEnd(ct, row, receiver) + 1);
                }
            }
        } else if (syn && after(end, tdEnd(ct, row, sender))
                && (state(ct, row) == SYN_SENT || state(ct, row) == SYN_RECV)) {
            // RFC 793: a reinitialized TCP may reuse the connection with higher sequence numbers.
            initSender(ct, row, sender, receiver, p, end, win, dir);
            if (dir == REPLY && !ackFlag) return ACT_ACCEPT;
        }

        if (!ackFlag) {
            // No ACK: pretend it was set and fine.
            ack = sack = tdEnd(ct, row, receiver);
        } else if ((flags & (ACK | RST)) == (ACK | RST) && ack == 0) {
            // Broken stacks that set ACK in RST with a zero ack value.
            ack = sack = tdEnd(ct, row, receiver);
        }

        if (rst && seq == 0 && state(ct, row) == SYN_SENT) {
            // RST answering a SYN.
            seq = end = tdEnd(ct, row, sender);
        }

        seqOk = before(seq, tdMaxEnd(ct, row, sender) + 1);
        if (!seqOk) {
            int overshot = end - tdMaxEnd(ct, row, sender) + 1;
            boolean ackOk = after(sack, tdEnd(ct, row, receiver) - maxAckWindow(ct, row, sender) - 1);
            inRecvWin = tdMaxWin(ct, row, receiver) != 0
                    && after(end, tdEnd(ct, row, sender) - tdMaxWin(ct, row, receiver) - 1);
            if (inRecvWin && ackOk && Integer.compareUnsigned(overshot, tdMaxWin(ct, row, receiver)) <= 0
                    && before(sack, tdEnd(ct, row, receiver) + 1)) {
                // A TCP sending more than the receive window allows: remember the data so its ACK
                // does not trip "ACK is over upper bound" later.
                setTdEnd(ct, row, sender, end);
                setFlags(ct, row, sender, flags(ct, row, sender) | FLAG_DATA_UNACKNOWLEDGED);
                return logInvalid(t, ct, row, sender, ACT_IGNORE);
            }
            return logInvalid(t, ct, row, sender, ACT_INVALID); // SEQ is over upper bound
        }

        if (!before(sack, tdEnd(ct, row, receiver) + 1)) {
            return logInvalid(t, ct, row, sender, ACT_INVALID); // ACK is over upper bound (ACKed data not seen yet)
        }

        // Is the ending sequence in the receive window (if available)?
        inRecvWin = tdMaxWin(ct, row, receiver) == 0
                || after(end, tdEnd(ct, row, sender) - tdMaxWin(ct, row, receiver) - 1);
        if (!inRecvWin) {
            return logInvalid(t, ct, row, sender, ACT_IGNORE); // SEQ under lower bound: retransmitted, already ACKed
        }
        if (!after(sack, tdEnd(ct, row, receiver) - maxAckWindow(ct, row, sender) - 1)) {
            return logInvalid(t, ct, row, sender, ACT_IGNORE); // ACK under lower bound (possibly overly delayed)
        }

        // Take into account window scaling (RFC 1323).
        if (!syn) win <<= tdScale(ct, row, sender);

        // Update sender data.
        swin = win + (sack - ack);
        if (Integer.compareUnsigned(tdMaxWin(ct, row, sender), swin) < 0) setTdMaxWin(ct, row, sender, swin);
        if (after(end, tdEnd(ct, row, sender))) {
            setTdEnd(ct, row, sender, end);
            setFlags(ct, row, sender, flags(ct, row, sender) | FLAG_DATA_UNACKNOWLEDGED);
        }
        if (ackFlag) {
            if ((flags(ct, row, sender) & FLAG_MAXACK_SET) == 0) {
                setTdMaxAck(ct, row, sender, ack);
                setFlags(ct, row, sender, flags(ct, row, sender) | FLAG_MAXACK_SET);
            } else if (after(ack, tdMaxAck(ct, row, sender))) {
                setTdMaxAck(ct, row, sender, ack);
            }
        }

        // Update receiver data.
        if (tdMaxWin(ct, row, receiver) != 0 && after(end, tdMaxEnd(ct, row, sender))) {
            setTdMaxWin(ct, row, receiver, tdMaxWin(ct, row, receiver) + (end - tdMaxEnd(ct, row, sender)));
        }
        if (after(sack + win, tdMaxEnd(ct, row, receiver) - 1)) {
            setTdMaxEnd(ct, row, receiver, sack + win);
            if (win == 0) setTdMaxEnd(ct, row, receiver, tdMaxEnd(ct, row, receiver) + 1);
        }
        if (ack == tdEnd(ct, row, receiver)) {
            setFlags(ct, row, receiver, flags(ct, row, receiver) & ~FLAG_DATA_UNACKNOWLEDGED);
        }

        // Check retransmissions.
        if (index == ACK_SET) {
            if (lastDir(ct, row) == dir && lastSeq(ct, row) == seq && lastAck(ct, row) == ack
                    && lastEnd(ct, row) == end && lastWin(ct, row) == winRaw) {
                setRetrans(ct, row, retrans(ct, row) + 1); // u8
            } else {
                setLastDir(ct, row, dir);
                setLastSeq(ct, row, seq);
                setLastAck(ct, row, ack);
                setLastEnd(ct, row, end);
                setLastWin(ct, row, winRaw);
                setRetrans(ct, row, 0);
            }
        }
        return ACT_ACCEPT;
    }

    /** nf_tcp_handle_invalid: an ASSURED connection answering an out-of-window FIN/RST gets a short timeout. */
    private static void handleInvalid(ConnTable t, int[] ct, int row, int id, int dir, int index, long now) {
        if ((status(ct, row) & Status.ASSURED) == 0 || (status(ct, row) & Status.FIXED_TIMEOUT) != 0) return;
        if (index != RST_SET && index != FIN_SET) return;
        if (lastDir(ct, row) != dir && (lastIndex(ct, row) == FIN_SET || lastIndex(ct, row) == RST_SET)) {
            long expires = t.expiresIn(id, now);
            if (expires < 120 * SEC) return;
            if (expires > TIMEOUTS[UNACK]) {
                t.refresh(id, TIMEOUTS[UNACK], now);
            }
        } else {
            setLastIndex(ct, row, index);
            setLastDir(ct, row, dir);
        }
    }

    private static boolean established(int[] ct, int row) {
        return state(ct, row) == ESTABLISHED && (status(ct, row) & Status.ASSURED) != 0;
    }

    /**
     * nf_conntrack_tcp_packet: ACCEPT (tracked; includes the packets the kernel "ignores"),
     * INVALID (-NF_ACCEPT: not tracked, not NATed) or REPEAT (the connection was killed to be
     * reopened by this SYN: look up again). {@code ct} is the table's row array, handed over by
     * {@link ConnTable#tcpPacket}.
     */
    static int packet(ConnTable t, int[] ct, int id, int dir, CtPacket p, long now) {
        final int row = ConnTable.row(id);
        if (!validFlags(p.tcpFlags)) return PKT_INVALID; // tcp_error: invalid tcp flag combination
        if ((status(ct, row) & Status.CONFIRMED) == 0 && !newConn(t, ct, row, p)) return PKT_INVALID;

        int flags = p.tcpFlags;
        int oldState = state(ct, row);
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
                if ((((flags(ct, row, dir) | flags(ct, row, other)) & FLAG_CLOSE_INIT) != 0)
                        || (lastDir(ct, row) == dir && lastIndex(ct, row) == RST_SET)) {
                    t.killDeferred(id);
                    return PKT_REPEAT;
                }
                // fall through: ignored
            case IGNORE: {
                // Our entry may be out of sync: let through packets that may signal the real
                // connection (a) SYN in ORIGINAL, b) SYN/ACK in REPLY, c) ACK in REPLY after a SYN).
                if (index == SYNACK_SET && lastIndex(ct, row) == SYN_SET && lastDir(ct, row) != dir
                        && p.ack == lastEnd(ct, row)) {
                    // b) answers a SYN we ignored: client and server are in sync, we are not.
                    int ld = lastDir(ct, row);
                    oldState = SYN_SENT;
                    newState = SYN_RECV;
                    setTdEnd(ct, row, ld, lastEnd(ct, row));
                    setTdMaxEnd(ct, row, ld, lastEnd(ct, row));
                    setTdMaxWin(ct, row, ld, lastWin(ct, row) == 0 ? 1 : lastWin(ct, row));
                    setTdScale(ct, row, ld, lastWscale(ct, row));
                    setLastFlags(ct, row, lastFlags(ct, row) & ~EXP_CHALLENGE_ACK);
                    setFlags(ct, row, ld, lastFlags(ct, row));
                    stateReset(ct, row, dir);
                    break sw;
                }
                setLastIndex(ct, row, index);
                setLastDir(ct, row, dir);
                setLastSeq(ct, row, p.seq);
                setLastEnd(ct, row, end(p));
                setLastWin(ct, row, p.window);
                // a) a SYN in ORIGINAL: note its options; if valid, the SYN/ACK puts us in sync.
                if (index == SYN_SET && dir == ORIGINAL) {
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
                    setLastFlags(ct, row, lf);
                    setLastWscale(ct, row, lw);
                }
                // A possible challenge ACK answering a SYN.
                if (oldState == SYN_SENT && index == ACK_SET && dir == REPLY) {
                    setLastAck(ct, row, p.ack);
                }
                return PKT_ACCEPT; // ignored: no state change, no timeout refresh
            }
            case MAX:
                return PKT_INVALID; // "packet (index %d) in dir %d invalid" (no synproxy here)
            case TIME_WAIT:
                // RFC 5961 challenge ACK after a SYN we let through in LAST_ACK is not the last ACK.
                if (oldState == LAST_ACK && index == ACK_SET && lastDir(ct, row) != dir
                        && lastIndex(ct, row) == SYN_SET && (lastFlags(ct, row) & EXP_CHALLENGE_ACK) != 0) {
                    setLastFlags(ct, row, lastFlags(ct, row) & ~EXP_CHALLENGE_ACK);
                    return PKT_ACCEPT;
                }
                break;
            case SYN_SENT2:
                setLastFlags(ct, row, lastFlags(ct, row) | SIMULTANEOUS_OPEN);
                break;
            case SYN_RECV:
                if (dir == REPLY && index == ACK_SET && (lastFlags(ct, row) & SIMULTANEOUS_OPEN) != 0) {
                    newState = ESTABLISHED;
                }
                break;
            case CLOSE: {
                if (index != RST_SET) break;
                // Closing: the tuple may have been reused already and window data is stale.
                if (canEarlyDrop(state(ct, row))) {
                    skipWindow = true;
                    break;
                }
                if ((flags(ct, row, other) & FLAG_MAXACK_SET) != 0 && lastIndex(ct, row) != SYN_SET) {
                    int seq = p.seq;
                    // Not established and SEQ 0: most likely the answer to a SYN we let through.
                    if (seq == 0 && !established(ct, row)) break;
                    if (before(seq, tdMaxAck(ct, row, other))) return PKT_INVALID; // invalid rst
                    if (!established(ct, row) || seq == tdMaxAck(ct, row, other)) break;
                    // An RST that is part of a train (data then RST at its end).
                    if (lastIndex(ct, row) == ACK_SET && lastDir(ct, row) == dir && seq == lastEnd(ct, row)) break;
                    // Sequence doesn't match exactly: keep the state for a possible challenge ACK.
                    newState = oldState;
                }
                if ((((status(ct, row) & Status.SEEN_REPLY) != 0 && lastIndex(ct, row) == SYN_SET)
                        || ((status(ct, row) & Status.ASSURED) == 0 && lastIndex(ct, row) == ACK_SET))
                        && p.ack == lastEnd(ct, row)) {
                    // RST to a SYN or ACK we let through above: delete, skipping window checks.
                    skipWindow = true;
                    break;
                }
                // RST answering a challenge ACK we let through.
                if (oldState == SYN_SENT && lastIndex(ct, row) == ACK_SET
                        && lastDir(ct, row) == REPLY && p.seq == lastAck(ct, row)) {
                    skipWindow = true;
                }
                break;
            }
            default:
                break;
        }

        if (!skipWindow) {
            int res = inWindow(t, ct, row, dir, index, p);
            if (res == ACT_IGNORE) return PKT_ACCEPT;
            if (res == ACT_INVALID) {
                handleInvalid(t, ct, row, id, dir, index, now);
                return PKT_INVALID;
            }
        }

        // From now on the packet is in window.
        setLastIndex(ct, row, index);
        setLastDir(ct, row, dir);
        setState(ct, row, newState);
        if (oldState != newState && newState == FIN_WAIT) {
            setFlags(ct, row, dir, flags(ct, row, dir) | FLAG_CLOSE_INIT);
        }

        long timeout;
        if (retrans(ct, row) >= MAX_RETRANS && TIMEOUTS[newState] > TIMEOUTS[RETRANS]) {
            timeout = TIMEOUTS[RETRANS];
        } else if (index == RST_SET) {
            timeout = TIMEOUTS[CLOSE];
        } else if (((flags(ct, row, ORIGINAL) | flags(ct, row, REPLY)) & FLAG_DATA_UNACKNOWLEDGED) != 0
                && TIMEOUTS[newState] > TIMEOUTS[UNACK]) {
            timeout = TIMEOUTS[UNACK];
        } else if (lastWin(ct, row) == 0 && TIMEOUTS[newState] > TIMEOUTS[RETRANS]) {
            timeout = TIMEOUTS[RETRANS];
        } else {
            timeout = TIMEOUTS[newState];
        }

        if ((status(ct, row) & Status.SEEN_REPLY) == 0) {
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
        } else if ((status(ct, row) & Status.ASSURED) == 0
                && (oldState == SYN_RECV || oldState == ESTABLISHED) && newState == ESTABLISHED) {
            // A valid ACK in ESTABLISHED after SYN_RECV, or an answer on a picked-up connection.
            setStatus(ct, row, status(ct, row) | Status.ASSURED);
        }
        t.refreshAcct(id, dir, p.ipLength, timeout, now);
        return PKT_ACCEPT;
    }
}

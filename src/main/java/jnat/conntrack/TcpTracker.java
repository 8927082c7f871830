package jnat.conntrack;

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
 * from a 6.1x tree: the three-way {@code enum nf_ct_tcp_action}, tcp_init_sender, the RST check
 * against td_maxack with the challenge-ACK and "RST in a train" exceptions, mid-stream pickup
 * that marks both sides BE_LIBERAL and caps the timeout until a reply), with the default sysctls:
 * nf_conntrack_tcp_loose=1, nf_conntrack_tcp_be_liberal=0, nf_conntrack_tcp_max_retrans=3,
 * nf_conntrack_tcp_ignore_invalid_rst=0.
 *
 * <p>State lives in {@link ConnTable}'s arrays (struct ip_ct_tcp); this class is the functions.
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

    /** tcp_options into seen[ref]; without options the kernel leaves scale and flags alone. */
    static void options(ConnTable t, int ref, CtPacket p) {
        if (p.headerLength <= 20) return;
        int flags = t.tdFlags[ref] & FLAG_BE_LIBERAL;
        int scale = 0;
        if (p.sackPerm) flags |= FLAG_SACK_PERM;
        if (p.wscale >= 0) {
            scale = Math.min(p.wscale, TCP_MAX_WSCALE);
            flags |= FLAG_WINDOW_SCALE;
        }
        t.tdScale[ref] = (byte) scale;
        t.tdFlags[ref] = (byte) flags;
    }

    /** tcp_new: whether this first packet may create a connection, and the initial window data. */
    static boolean newConn(ConnTable t, int id, CtPacket p) {
        int newState = CONNTRACKS[0][index(p.tcpFlags)][NONE];
        if (newState >= MAX) return false; // "invalid new"
        int o = id << 1, r = o | 1;
        t.clearTcp(id);
        int end = end(p);
        int win = p.window == 0 ? 1 : p.window;
        if (newState == SYN_SENT) {
            t.tdEnd[o] = end;
            t.tdMaxwin[o] = win;
            t.tdMaxend[o] = end;
            options(t, o, p);
        } else {
            // nf_conntrack_tcp_loose=1: in the middle of a connection whose history we lost; the
            // window scale is unknown, so both sides are checked liberally.
            t.tdEnd[o] = end;
            t.tdMaxwin[o] = win;
            t.tdMaxend[o] = end + win;
            t.tdFlags[o] = t.tdFlags[r] = (byte) (FLAG_SACK_PERM | FLAG_BE_LIBERAL);
        }
        t.lastIndex[id] = NONE_SET;
        return true;
    }

    /** tcp_init_sender: a SYN-ACK answering a SYN, or a SYN from the reply side (simultaneous open). */
    private static void initSender(ConnTable t, int sender, int receiver, CtPacket p, int end, int win, int dir) {
        t.tdEnd[sender] = end;
        t.tdMaxend[sender] = end;
        t.tdMaxwin[sender] = win == 0 ? 1 : win;
        options(t, sender, p);
        // RFC 1323: scaling only when both sides send the option.
        if (dir == ConnTable.REPLY && !((t.tdFlags[sender] & FLAG_WINDOW_SCALE) != 0
                && (t.tdFlags[receiver] & FLAG_WINDOW_SCALE) != 0)) {
            t.tdScale[sender] = 0;
            t.tdScale[receiver] = 0;
        }
    }

    /** nf_tcp_log_invalid: a liberal sender gets everything accepted. */
    private static int logInvalid(ConnTable t, int sender, int action) {
        return (t.tdFlags[sender] & FLAG_BE_LIBERAL) != 0 ? ACT_ACCEPT : action;
    }

    private static int maxAckWindow(ConnTable t, int sender) {
        int w = t.tdMaxwin[sender];
        return Integer.compareUnsigned(w, MAXACKWINCONST) > 0 ? w : MAXACKWINCONST;
    }

    /** tcp_in_window: the window checks that decide ACCEPT, IGNORE or INVALID, and the window updates. */
    static int inWindow(ConnTable t, int id, int dir, int index, CtPacket p) {
        int sender = id << 1 | dir, receiver = id << 1 | (dir ^ 1);
        int flags = p.tcpFlags;
        boolean syn = (flags & SYN) != 0, ackFlag = (flags & ACK) != 0, rst = (flags & RST) != 0;
        int seq = p.seq;
        int ack = p.ack, sack = ack;
        int winRaw = p.window;
        int win = winRaw;
        int end = end(p);

        if ((t.tdFlags[receiver] & FLAG_SACK_PERM) != 0) {
            for (int i = 0; i < p.sackCount; i++) {
                if (after(p.sackRight[i], sack)) sack = p.sackRight[i];
            }
        }
        // No seqadj (helpers) in jnat: receiver_offset is 0.

        if (t.tdMaxwin[sender] == 0) {
            // Initialize sender data.
            if (syn) {
                initSender(t, sender, receiver, p, end, win, dir);
                if (!ackFlag) return ACT_ACCEPT; // simultaneous open
            } else {
                // Mid-connection: its history is lost for us; use the data from the packet.
                t.tdEnd[sender] = end;
                int swin = win << t.tdScale[sender];
                t.tdMaxwin[sender] = swin == 0 ? 1 : swin;
                t.tdMaxend[sender] = end + t.tdMaxwin[sender];
                if (t.tdMaxwin[receiver] == 0) {
                    // No traffic the other way yet: let III and IV pass until there is.
                    t.tdEnd[receiver] = t.tdMaxend[receiver] = sack;
                } else if (sack == t.tdEnd[receiver] + 1) {
                    // Likely a reply to a keepalive; needed for III.
                    t.tdEnd[receiver]++;
                }
            }
        } else if (syn && after(end, t.tdEnd[sender])
                && (t.tcpState[id] == SYN_SENT || t.tcpState[id] == SYN_RECV)) {
            // RFC 793: a reinitialized TCP may reuse the connection with higher sequence numbers.
            initSender(t, sender, receiver, p, end, win, dir);
            if (dir == ConnTable.REPLY && !ackFlag) return ACT_ACCEPT;
        }

        if (!ackFlag) {
            // No ACK: pretend it was set and fine.
            ack = sack = t.tdEnd[receiver];
        } else if ((flags & (ACK | RST)) == (ACK | RST) && ack == 0) {
            // Broken stacks that set ACK in RST with a zero ack value.
            ack = sack = t.tdEnd[receiver];
        }

        if (rst && seq == 0 && t.tcpState[id] == SYN_SENT) {
            // RST answering a SYN.
            seq = end = t.tdEnd[sender];
        }

        boolean seqOk = before(seq, t.tdMaxend[sender] + 1);
        if (!seqOk) {
            int overshot = end - t.tdMaxend[sender] + 1;
            boolean ackOk = after(sack, t.tdEnd[receiver] - maxAckWindow(t, sender) - 1);
            boolean inRecvWin = t.tdMaxwin[receiver] != 0
                    && after(end, t.tdEnd[sender] - t.tdMaxwin[receiver] - 1);
            if (inRecvWin && ackOk && Integer.compareUnsigned(overshot, t.tdMaxwin[receiver]) <= 0
                    && before(sack, t.tdEnd[receiver] + 1)) {
                // A TCP sending more than the receive window allows: remember the data so its ACK
                // does not trip "ACK is over upper bound" later.
                t.tdEnd[sender] = end;
                t.tdFlags[sender] |= FLAG_DATA_UNACKNOWLEDGED;
                return logInvalid(t, sender, ACT_IGNORE);
            }
            return logInvalid(t, sender, ACT_INVALID); // SEQ is over upper bound
        }

        if (!before(sack, t.tdEnd[receiver] + 1)) {
            return logInvalid(t, sender, ACT_INVALID); // ACK is over upper bound (ACKed data not seen yet)
        }

        boolean inRecvWin = t.tdMaxwin[receiver] == 0
                || after(end, t.tdEnd[sender] - t.tdMaxwin[receiver] - 1);
        if (!inRecvWin) {
            return logInvalid(t, sender, ACT_IGNORE); // SEQ under lower bound: retransmitted, already ACKed
        }
        if (!after(sack, t.tdEnd[receiver] - maxAckWindow(t, sender) - 1)) {
            return logInvalid(t, sender, ACT_IGNORE); // ACK under lower bound (possibly overly delayed)
        }

        if (!syn) win <<= t.tdScale[sender];

        // Update sender data.
        int swin = win + (sack - ack);
        if (Integer.compareUnsigned(t.tdMaxwin[sender], swin) < 0) t.tdMaxwin[sender] = swin;
        if (after(end, t.tdEnd[sender])) {
            t.tdEnd[sender] = end;
            t.tdFlags[sender] |= FLAG_DATA_UNACKNOWLEDGED;
        }
        if (ackFlag) {
            if ((t.tdFlags[sender] & FLAG_MAXACK_SET) == 0) {
                t.tdMaxack[sender] = ack;
                t.tdFlags[sender] |= FLAG_MAXACK_SET;
            } else if (after(ack, t.tdMaxack[sender])) {
                t.tdMaxack[sender] = ack;
            }
        }

        // Update receiver data.
        if (t.tdMaxwin[receiver] != 0 && after(end, t.tdMaxend[sender])) {
            t.tdMaxwin[receiver] += end - t.tdMaxend[sender];
        }
        if (after(sack + win, t.tdMaxend[receiver] - 1)) {
            t.tdMaxend[receiver] = sack + win;
            if (win == 0) t.tdMaxend[receiver]++;
        }
        if (ack == t.tdEnd[receiver]) t.tdFlags[receiver] &= ~FLAG_DATA_UNACKNOWLEDGED;

        // Check retransmissions.
        if (index == ACK_SET) {
            if (t.lastDir[id] == dir && t.lastSeq[id] == seq && t.lastAck[id] == ack
                    && t.lastEnd[id] == end && t.lastWin[id] == winRaw) {
                t.retrans[id]++;
            } else {
                t.lastDir[id] = (byte) dir;
                t.lastSeq[id] = seq;
                t.lastAck[id] = ack;
                t.lastEnd[id] = end;
                t.lastWin[id] = (char) winRaw;
                t.retrans[id] = 0;
            }
        }
        return ACT_ACCEPT;
    }

    /** nf_tcp_handle_invalid: an ASSURED connection answering an out-of-window FIN/RST gets a short timeout. */
    private static void handleInvalid(ConnTable t, int id, int dir, int index, long now) {
        if ((t.status[id] & Status.ASSURED) == 0 || (t.status[id] & Status.FIXED_TIMEOUT) != 0) return;
        if (index != RST_SET && index != FIN_SET) return;
        if (t.lastDir[id] != dir && (t.lastIndex[id] == FIN_SET || t.lastIndex[id] == RST_SET)) {
            long expires = t.expiresIn(id, now);
            if (expires < 120 * SEC) return;
            if (expires > TIMEOUTS[UNACK]) {
                t.timeout[id] = confirmedTime(t, id, TIMEOUTS[UNACK], now);
            }
        } else {
            t.lastIndex[id] = (byte) index;
            t.lastDir[id] = (byte) dir;
        }
    }

    private static long confirmedTime(ConnTable t, int id, long extra, long now) {
        return (t.status[id] & Status.CONFIRMED) != 0 ? now + extra : extra;
    }

    private static boolean established(ConnTable t, int id) {
        return t.tcpState[id] == ESTABLISHED && (t.status[id] & Status.ASSURED) != 0;
    }

    /**
     * nf_conntrack_tcp_packet: ACCEPT (tracked; includes the packets the kernel "ignores"),
     * INVALID (-NF_ACCEPT: not tracked, not NATed) or REPEAT (the connection was killed to be
     * reopened by this SYN: look up again).
     */
    static int packet(ConnTable t, int id, int dir, CtPacket p, long now) {
        if (!validFlags(p.tcpFlags)) return PKT_INVALID; // tcp_error: invalid tcp flag combination
        if (!t.confirmed(id) && !newConn(t, id, p)) return PKT_INVALID;

        int flags = p.tcpFlags;
        int oldState = t.tcpState[id];
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
                if ((((t.tdFlags[id << 1 | dir] | t.tdFlags[id << 1 | other]) & FLAG_CLOSE_INIT) != 0)
                        || (t.lastDir[id] == dir && t.lastIndex[id] == RST_SET)) {
                    t.killDeferred(id);
                    return PKT_REPEAT;
                }
                // fall through: ignored
            case IGNORE: {
                // Our entry may be out of sync: let through packets that may signal the real
                // connection (a) SYN in ORIGINAL, b) SYN/ACK in REPLY, c) ACK in REPLY after a SYN).
                if (index == SYNACK_SET && t.lastIndex[id] == SYN_SET && t.lastDir[id] != dir
                        && p.ack == t.lastEnd[id]) {
                    // b) answers a SYN we ignored: client and server are in sync, we are not.
                    int ld = t.lastDir[id];
                    int ls = id << 1 | ld;
                    oldState = SYN_SENT;
                    newState = SYN_RECV;
                    t.tdEnd[ls] = t.lastEnd[id];
                    t.tdMaxend[ls] = t.lastEnd[id];
                    t.tdMaxwin[ls] = t.lastWin[id] == 0 ? 1 : t.lastWin[id];
                    t.tdScale[ls] = t.lastWscale[id];
                    t.lastFlags[id] &= ~EXP_CHALLENGE_ACK;
                    t.tdFlags[ls] = t.lastFlags[id];
                    int s = id << 1 | dir;
                    t.tdEnd[s] = t.tdMaxend[s] = t.tdMaxwin[s] = t.tdMaxack[s] = 0;
                    t.tdScale[s] = 0;
                    t.tdFlags[s] &= FLAG_BE_LIBERAL;
                    break sw;
                }
                t.lastIndex[id] = (byte) index;
                t.lastDir[id] = (byte) dir;
                t.lastSeq[id] = p.seq;
                t.lastEnd[id] = end(p);
                t.lastWin[id] = (char) p.window;
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
                    t.lastFlags[id] = (byte) lf;
                    t.lastWscale[id] = (byte) lw;
                }
                // A possible challenge ACK answering a SYN.
                if (oldState == SYN_SENT && index == ACK_SET && dir == ConnTable.REPLY) {
                    t.lastAck[id] = p.ack;
                }
                return PKT_ACCEPT; // ignored: no state change, no timeout refresh
            }
            case MAX:
                return PKT_INVALID; // "packet (index %d) in dir %d invalid" (no synproxy here)
            case TIME_WAIT:
                // RFC 5961 challenge ACK after a SYN we let through in LAST_ACK is not the last ACK.
                if (oldState == LAST_ACK && index == ACK_SET && t.lastDir[id] != dir
                        && t.lastIndex[id] == SYN_SET && (t.lastFlags[id] & EXP_CHALLENGE_ACK) != 0) {
                    t.lastFlags[id] &= ~EXP_CHALLENGE_ACK;
                    return PKT_ACCEPT;
                }
                break;
            case SYN_SENT2:
                t.lastFlags[id] |= SIMULTANEOUS_OPEN;
                break;
            case SYN_RECV:
                if (dir == ConnTable.REPLY && index == ACK_SET && (t.lastFlags[id] & SIMULTANEOUS_OPEN) != 0) {
                    newState = ESTABLISHED;
                }
                break;
            case CLOSE: {
                if (index != RST_SET) break;
                // Closing: the tuple may have been reused already and window data is stale.
                if (canEarlyDrop(t.tcpState[id])) {
                    skipWindow = true;
                    break;
                }
                int otherRef = id << 1 | other;
                if ((t.tdFlags[otherRef] & FLAG_MAXACK_SET) != 0 && t.lastIndex[id] != SYN_SET) {
                    int seq = p.seq;
                    // Not established and SEQ 0: most likely the answer to a SYN we let through.
                    if (seq == 0 && !established(t, id)) break;
                    if (before(seq, t.tdMaxack[otherRef])) return PKT_INVALID; // invalid rst
                    if (!established(t, id) || seq == t.tdMaxack[otherRef]) break;
                    // An RST that is part of a train (data then RST at its end).
                    if (t.lastIndex[id] == ACK_SET && t.lastDir[id] == dir && seq == t.lastEnd[id]) break;
                    // Sequence doesn't match exactly: keep the state for a possible challenge ACK.
                    newState = oldState;
                }
                if ((((t.status[id] & Status.SEEN_REPLY) != 0 && t.lastIndex[id] == SYN_SET)
                        || ((t.status[id] & Status.ASSURED) == 0 && t.lastIndex[id] == ACK_SET))
                        && p.ack == t.lastEnd[id]) {
                    // RST to a SYN or ACK we let through above: delete, skipping window checks.
                    skipWindow = true;
                    break;
                }
                // RST answering a challenge ACK we let through.
                if (oldState == SYN_SENT && t.lastIndex[id] == ACK_SET
                        && t.lastDir[id] == ConnTable.REPLY && p.seq == t.lastAck[id]) {
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
        t.lastIndex[id] = (byte) index;
        t.lastDir[id] = (byte) dir;
        t.tcpState[id] = (byte) newState;
        if (oldState != newState && newState == FIN_WAIT) {
            t.tdFlags[id << 1 | dir] |= FLAG_CLOSE_INIT;
        }

        long timeout;
        if ((t.retrans[id] & 0xff) >= MAX_RETRANS && TIMEOUTS[newState] > TIMEOUTS[RETRANS]) {
            timeout = TIMEOUTS[RETRANS];
        } else if (index == RST_SET) {
            timeout = TIMEOUTS[CLOSE];
        } else if (((t.tdFlags[id << 1] | t.tdFlags[id << 1 | 1]) & FLAG_DATA_UNACKNOWLEDGED) != 0
                && TIMEOUTS[newState] > TIMEOUTS[UNACK]) {
            timeout = TIMEOUTS[UNACK];
        } else if (t.lastWin[id] == 0 && TIMEOUTS[newState] > TIMEOUTS[RETRANS]) {
            timeout = TIMEOUTS[RETRANS];
        } else {
            timeout = TIMEOUTS[newState];
        }

        if ((t.status[id] & Status.SEEN_REPLY) == 0) {
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
        } else if ((t.status[id] & Status.ASSURED) == 0
                && (oldState == SYN_RECV || oldState == ESTABLISHED) && newState == ESTABLISHED) {
            // A valid ACK in ESTABLISHED after SYN_RECV, or an answer on a picked-up connection.
            t.status[id] |= Status.ASSURED;
        }
        t.refreshAcct(id, dir, p.ipLength, timeout, now);
        return PKT_ACCEPT;
    }
}

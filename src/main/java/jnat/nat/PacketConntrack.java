package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.CtPacket;
import jnat.rules.PacketContext;

/**
 * The packet's connection as the xt and nft modules read it (nf_ct_get and the conntrack
 * extensions: nf_conn_labels, nf_conn_acct, ct->mark, ct->status): {@link PacketState}'s conntrack
 * half, kept apart so the packet state's other facts (devices, routes, headers) stay in one file
 * of their own. A packet has a connection when conntrack gave it one and NOTRACK did not take it.
 */
abstract class PacketConntrack implements PacketContext {
    final CtPacket ct = new CtPacket();
    final ConnTable table;
    /** Set by NOTRACK in the raw table (IP_CT_UNTRACKED): conntrack skips the packet, NAT does not apply. */
    boolean untracked;

    PacketConntrack(ConnTable table) {
        this.table = table;
    }

    boolean tracked() {
        return ct.id >= 0;
    }

    @Override
    public boolean hasConnection() {
        return tracked() && !untracked;
    }

    /** The tuple -m connlimit looks up (reused: one lookup at a time). */
    private final jnat.conntrack.Tuple findTuple = new jnat.conntrack.Tuple();

    @Override
    public int ctFindTuple(boolean v6, int proto, long srcHi, long srcLo, long dstHi, long dstLo, int sport, int dport, int zone) {
        if (v6) findTuple.set6(proto, srcHi, srcLo, dstHi, dstLo, sport, dport);
        else findTuple.set(proto, (int) srcLo, (int) dstLo, sport, dport);
        int ref = table.find(findTuple, zone, now());
        if (ref == ConnTable.NOT_FOUND) return CONN_GONE;
        int id = ConnTable.id(ref), state = proto == 6 ? table.tcpState(id) : 0;
        return state == jnat.conntrack.TcpTracker.TIME_WAIT || state == jnat.conntrack.TcpTracker.CLOSE ? CONN_CLOSED : CONN_OPEN;
    }

    @Override
    public int ctLabel(int bit, boolean set) {
        if (!hasConnection() || !table.labelsUsed()) return -1;
        if (set) table.setLabel(ct.id, bit);
        return table.label(ct.id, bit) ? 1 : 0;
    }

    @Override
    public boolean ctAccounting() {
        return hasConnection() && table.accounting();
    }

    @Override
    public long ctPackets(int dir) {
        return hasConnection() ? table.packets(ct.id, dir) : 0;
    }

    @Override
    public long ctBytes(int dir) {
        return hasConnection() ? table.bytes(ct.id, dir) : 0;
    }

    @Override
    public int ctMark() {
        return hasConnection() ? table.mark(ct.id) : 0;
    }

    @Override
    public void setCtMark(int mark) {
        if (hasConnection()) table.setMark(ct.id, mark);
    }

    @Override
    public int ctStatus() {
        return hasConnection() ? table.status(ct.id) : 0;
    }

    @Override
    public int ctProtocol() {
        return hasConnection() ? table.protocol(ct.id) : 0;
    }

    @Override
    public long ctExpiresSeconds() {
        return hasConnection() ? table.expiresIn(ct.id, now()) / 1_000_000_000L : 0;
    }
}

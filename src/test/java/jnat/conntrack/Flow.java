package jnat.conntrack;

import static jnat.conntrack.CtPacket.ACK;

/**
 * Drives one connection through a {@link Conntrack} the way the engine would: fills a packet,
 * calls in(), confirms NEW entries as POSTROUTING does. Sequence numbers are tracked per side so
 * tests read like the packet exchange they describe.
 */
final class Flow {
    static final long SEC = 1_000_000_000L;
    static final int CLIENT = Tuple.parseIp("172.17.0.2");
    static final int SERVER = Tuple.parseIp("198.51.100.8");

    final ConnTable table;
    final Conntrack ct;
    final CtPacket p = new CtPacket();
    long now = 1_000 * SEC;
    int protocol = Tuple.IPPROTO_TCP;
    int cport = 40000, sport = 80;
    /** Next sequence number each side sends. */
    int cseq = 1_000_000, sseq = 2_000_000_000;
    int lastId = -1;

    Flow() {
        this(new ConnTable(1024));
    }

    Flow(ConnTable table) {
        this.table = table;
        this.ct = new Conntrack(table);
    }

    /** A packet from the client; returns ctinfo or INVALID/DROP. */
    int orig(int flags, int seq, int ack, int win, int len) {
        p.reset();
        p.tuple.set(protocol, CLIENT, SERVER, cport, sport);
        p.tcp(flags, seq, ack, win, len);
        p.ipLength = 40 + len;
        return run();
    }

    int reply(int flags, int seq, int ack, int win, int len) {
        p.reset();
        p.tuple.set(protocol, SERVER, CLIENT, sport, cport);
        p.tcp(flags, seq, ack, win, len);
        p.ipLength = 40 + len;
        return run();
    }

    int run() {
        int r = ct.in(p, now);
        if (r == Conntrack.IP_CT_NEW && !table.confirmed(p.id)) {
            if (!table.confirm(p.id, now)) return Conntrack.DROP;
        }
        if (p.id >= 0) lastId = p.id;
        return r;
    }

    /** The client's SYN, the server's SYN/ACK and the client's ACK; returns the connection id. */
    int handshake() {
        orig(CtPacket.SYN, cseq, 0, 64240, 0);
        reply(CtPacket.SYN | ACK, sseq, cseq + 1, 65160, 0);
        cseq++;
        sseq++;
        orig(ACK, cseq, sseq, 502, 0);
        return lastId;
    }

    int clientData(int len) {
        int r = orig(ACK | CtPacket.PSH, cseq, sseq, 502, len);
        cseq += len;
        return r;
    }

    int serverData(int len) {
        int r = reply(ACK | CtPacket.PSH, sseq, cseq, 509, len);
        sseq += len;
        return r;
    }

    int state() {
        return table.tcpState(lastId);
    }

    long timeoutSec() {
        return table.expiresIn(lastId, now) / SEC;
    }

    boolean status(int bits) {
        return table.hasStatus(lastId, bits);
    }

    void advance(long nanos) {
        now += nanos;
    }

    int lookupOrig() {
        return table.find(new Tuple(protocol, CLIENT, SERVER, cport, sport), now);
    }
}

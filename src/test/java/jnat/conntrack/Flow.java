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
    /** The IPv6 client and server ({@link #ipv6}): 2001:db8:1::2 and 2001:db8:2::8, as hi/lo. */
    static final long CLIENT6_HI = 0x20010db800010000L, CLIENT6_LO = 2, SERVER6_HI = 0x20010db800020000L, SERVER6_LO = 8;

    final ConnTable table;
    final Conntrack ct;
    final CtPacket p = new CtPacket();
    long now = 1_000 * SEC;
    int protocol = Tuple.IPPROTO_TCP;
    int cport = 40000, sport = 80;
    /** Next sequence number each side sends. */
    int cseq = 1_000_000, sseq = 2_000_000_000;
    int lastId = -1;
    /** Packets go between CLIENT6 and SERVER6 instead. */
    boolean ipv6;

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
        if (ipv6) p.tuple.set6(protocol, CLIENT6_HI, CLIENT6_LO, SERVER6_HI, SERVER6_LO, cport, sport);
        else p.tuple.set(protocol, CLIENT, SERVER, cport, sport);
        p.tcp(flags, seq, ack, win, len);
        p.ipLength = 40 + len;
        return run();
    }

    int reply(int flags, int seq, int ack, int win, int len) {
        p.reset();
        if (ipv6) p.tuple.set6(protocol, SERVER6_HI, SERVER6_LO, CLIENT6_HI, CLIENT6_LO, sport, cport);
        else p.tuple.set(protocol, SERVER, CLIENT, sport, cport);
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
        if (ipv6) return table.find(new Tuple().set6(protocol, CLIENT6_HI, CLIENT6_LO, SERVER6_HI, SERVER6_LO, cport, sport), now);
        return table.find(new Tuple(protocol, CLIENT, SERVER, cport, sport), now);
    }

    /** An IPv6 address's hi and lo (tests). */
    static long[] addr6(String text) {
        byte[] b = jnat.wire.Ipv6Address.parse(text);
        return new long[] {jnat.wire.Ipv6Address.readHi(b, 0), jnat.wire.Ipv6Address.readLo(b, 0)};
    }

    /** An IPv6 tuple from text (tests). */
    static Tuple tuple6(int protocol, String src, String dst, int sport, int dport) {
        long[] s = addr6(src), d = addr6(dst);
        return new Tuple().set6(protocol, s[0], s[1], d[0], d[1], sport, dport);
    }
}

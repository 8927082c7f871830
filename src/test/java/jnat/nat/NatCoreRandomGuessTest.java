package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Tuple;
import jnat.rules.NatRange;
import org.junit.jupiter.api.Test;

import static jnat.nat.NatCore.MANIP_DST;
import static jnat.nat.NatCore.MANIP_SRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service's DNAT guesses the reply tuple the MASQUERADE --random-fully after it will choose
 * (kube-proxy's KUBE-SEP DNAT, then KUBE-POSTROUTING): the tuple it names is the one the
 * connection ends with, so the slot it touches is the one nf_nat_used_tuple reads.
 */
class NatCoreRandomGuessTest {
    static final long NOW = 1_000_000_000_000L;
    static final int NODE = Tuple.parseIp("192.168.1.10"), ENDPOINT = Tuple.parseIp("10.244.1.5"),
            SERVICE = Tuple.parseIp("10.96.0.20");

    final ConnTable table = new ConnTable(1 << 12, 16, ConnTable.DEFAULT_SEED);
    final NatCore core = new NatCore(table, new Prandom(7));
    final Conntrack conntrack = new Conntrack(table);

    final InetNatRange dnat = new InetNatRange().set4(NatRange.MAP_IPS | NatRange.PROTO_SPECIFIED, ENDPOINT, ENDPOINT, 8080, 8080);
    final InetNatRange masquerade = new InetNatRange().set4(NatRange.MAP_IPS | NatRange.PROTO_RANDOM_FULLY, NODE, NODE, 0, 0);

    int open(int client, int sport) {
        CtPacket p = new CtPacket().reset();
        p.tuple.copyFrom(new Tuple(Tuple.IPPROTO_TCP, client, SERVICE, sport, 80));
        p.tcp(CtPacket.SYN, 1000, 0, 64240, 0);
        p.ipLength = 60;
        assertEquals(Conntrack.IP_CT_NEW, conntrack.in(p, NOW));
        return p.id;
    }

    @Test
    void dnatGuessNamesTheReplyTupleTheRandomFullyMasqueradeThenChooses() {
        int first = open(Tuple.parseIp("10.244.2.7"), 40000);
        core.setupInfo(first, dnat, MANIP_DST, NOW);
        core.setupInfo(first, masquerade, MANIP_SRC, NOW); // the last random source: NODE, ports 1024-65535
        assertTrue(table.confirm(first, NOW));

        for (int k = 0; k < 50; k++) {
            int id = open(Tuple.parseIp("10.244.2.7"), 40001 + k);
            Tuple orig = table.tuple(id, ConnTable.ORIGINAL, new Tuple());
            long addrs = core.randomSourceGuessAddrs(orig, dnat), l4 = core.randomSourceGuessL4(orig, dnat);
            core.setupInfo(id, dnat, MANIP_DST, NOW);
            core.setupInfo(id, masquerade, MANIP_SRC, NOW);
            Tuple reply = table.tuple(id, ConnTable.REPLY, new Tuple());
            assertEquals(reply.addrs(), addrs, "the reply comes from the endpoint to the node");
            assertEquals(reply.l4(), l4, "to the port the draw gave");
            assertTrue(table.confirm(id, NOW));
        }
    }
}

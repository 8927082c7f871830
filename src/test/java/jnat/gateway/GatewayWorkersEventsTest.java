package jnat.gateway;

import jnat.conntrack.ConntrackPrinter;
import jnat.nat.NatEngine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GatewayWorkersTest}'s script while a conntrack -E listener is attached: the packets that
 * can change no event bit (an assured connection's, a TCP one ESTABLISHED, no FIN) still share the
 * lanes, and every event is delivered as with one worker (the same lines, the same order per
 * connection, since a flow's packets stay in order), none from a shared packet.
 */
class GatewayWorkersEventsTest {
    record Run(Map<Integer, List<String>> frames, List<String> events, long concurrent) {}

    static Run run(int workers) throws Exception {
        NatEngine engine = GatewayWorkersTest.engine();
        ConntrackPrinter printer = new ConntrackPrinter();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        engine.connections().setEvents((bits, t, id) -> events.add(printer.event(bits, t, id, 1_000_000_000L)));
        Map<Integer, List<String>> frames = new TreeMap<>();
        GatewayWorkersTest.run(GatewayWorkersTest.script(40, 30, 7), workers, frames, engine);
        return new Run(frames, events, workers > 1 ? GatewayWorkersTest.concurrent.get() : 0);
    }

    /** The events of each connection in order, the connections sorted (their interleaving is the workers'). */
    static Map<String, List<String>> byConnection(List<String> events) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String e : events) {
            int src = e.indexOf("src="), end = e.indexOf(' ', e.indexOf("dport=", src));
            out.computeIfAbsent(e.substring(src, end), k -> new ArrayList<>()).add(e);
        }
        return out;
    }

    @Test
    void twoWorkersDeliverOneWorkersEventsAndShareThePacketsThatChangeNone() throws Exception {
        Run one = run(1), two = run(2);
        assertEquals(one.frames(), two.frames());
        assertEquals(byConnection(one.events()), byConnection(two.events()));
        // each TCP connection: NEW, the SYN/ACK's UPDATE, the ACK's (assured); each UDP flow: NEW and the first reply's
        assertEquals(30 * 3 + 40 * 2, one.events().size(), String.join("\n", one.events()));
        // the TCP connections' two data segments, assured and ESTABLISHED, ran on both lanes at once
        assertTrue(two.concurrent() > 0 && two.concurrent() <= 60, "packets run concurrently: " + two.concurrent());
    }
}

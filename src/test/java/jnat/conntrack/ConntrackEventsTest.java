package jnat.conntrack;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.conntrack.Flow.SEC;
import static org.junit.jupiter.api.Assertions.*;

/**
 * conntrack -E's events from the tracker, one behaviour each (the comparison with the kernel's own
 * events for real traffic is KernelComparisonTest.ourEventsOfReplayedTrafficAreTheKernels).
 */
class ConntrackEventsTest {
    static final int A = Tuple.parseIp("172.17.0.2"), B = Tuple.parseIp("198.51.100.8");
    final ConnTable table = new ConnTable(16);
    final Conntrack ct = new Conntrack(table);
    final List<String> events = new ArrayList<>();
    long now = 1_000 * SEC;

    ConntrackEventsTest() {
        ConntrackPrinter printer = new ConntrackPrinter();
        table.setEvents((bits, t, id) -> events.add(printer.event(bits, t, id, now)));
    }

    private void packet(Tuple t) {
        CtPacket p = new CtPacket();
        p.tuple.copyFrom(t);
        int r = ct.in(p, now);
        if (r == Conntrack.IP_CT_NEW && !table.confirmed(p.id)) table.confirm(p.id, now);
        ct.deliver(p);
    }

    @Test
    void anEchoRequestIsNewAndItsReplyAnUpdate() {
        packet(new Tuple().setIcmp(A, B, 7, Tuple.ICMP_ECHO, 0));
        packet(new Tuple().setIcmp(B, A, 7, Tuple.ICMP_ECHOREPLY, 0));
        assertEquals(List.of(
                "    [NEW] icmp     1 30 src=172.17.0.2 dst=198.51.100.8 type=8 code=0 id=7 [UNREPLIED] src=198.51.100.8 dst=172.17.0.2 type=0 code=0 id=7",
                " [UPDATE] icmp     1 30 src=172.17.0.2 dst=198.51.100.8 type=8 code=0 id=7 src=198.51.100.8 dst=172.17.0.2 type=0 code=0 id=7"),
                events);
    }

    @Test
    void aPacketThatChangesNothingHasNoEvent() {
        packet(new Tuple().set(Tuple.IPPROTO_UDP, A, B, 1000, 53));
        packet(new Tuple().set(Tuple.IPPROTO_UDP, A, B, 1000, 53));
        assertEquals(1, events.size(), events.toString());
    }

    @Test
    void deletingAnEntryIsItsDestroy() {
        packet(new Tuple().set(Tuple.IPPROTO_UDP, A, B, 1000, 53));
        table.flush();
        assertEquals("[DESTROY] udp      17 30 src=172.17.0.2 dst=198.51.100.8 sport=1000 dport=53 [UNREPLIED] "
                + "src=198.51.100.8 dst=172.17.0.2 sport=53 dport=1000", events.getLast());
    }

    @Test
    void nobodyListeningCostsNoSnapshot() {
        table.setEvents(null);
        CtPacket p = new CtPacket();
        p.tuple.copyFrom(new Tuple().set(Tuple.IPPROTO_UDP, A, B, 1000, 53));
        ct.in(p, now);
        assertEquals(-1, p.snapId);
    }
}

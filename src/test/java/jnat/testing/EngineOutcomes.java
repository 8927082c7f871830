package jnat.testing;

import jnat.nat.DropReason;
import jnat.nat.NatEngine;

import java.util.ArrayList;
import java.util.List;

/**
 * The fuzzers' one-outcome accounting: a frame handed to a {@link NatEngine} leaves (one
 * transmission), is delivered, waits for reassembly, or is counted in one drop counter. Snapshot
 * the counters before and after; exactly one of them must move by one.
 */
public final class EngineOutcomes {
    private EngineOutcomes() {}

    /** Outcome names, in the order of {@link #counters}. */
    public static final List<String> NAMES = names();

    private static List<String> names() {
        List<String> names = new ArrayList<>(List.of("transmitted", "delivered", "queued for reassembly", "waiting for its neighbour"));
        for (DropReason r : DropReason.values()) names.add("drop " + r.label());
        return names;
    }

    /** The counters, {@code transmitted} being the frames the test's transmitter saw. */
    public static long[] counters(NatEngine e, long transmitted) {
        long[] c = new long[4 + DropReason.values().length];
        // What the host builds itself (ICMP and ICMPv6 errors, echo replies, the RST for a closed
        // TCP port, neighbour advertisements, ARP requests, neighbour solicitations, redirects) comes on top of the
        // frame's outcome; each is transmitted or dropped with a reason, so it nets out here. A
        // datagram sent as fragments is one outcome; a packet that waited for its neighbour had its
        // outcome when it was queued (it leaves, or is dropped and counted, later), and the one a
        // full queue gave up for the new one is counted once, as its drop.
        long released = e.snmp().neighbourPacketsReleased(false) + e.snmp().neighbourPacketsReleased(true);
        c[0] = transmitted - e.snmp().icmpErrorsSent() - e.snmp().icmpEchoRepliesSent() - e.snmp().icmpv6ErrorsSent() - e.snmp().icmpv6RepliesSent()
                - e.snmp().fragmentsCreated() + e.snmp().fragmented() - e.snmp().fragmentsCreated6() + e.snmp().fragmented6()
                - e.snmp().tcpResetsSent(false) - e.snmp().tcpResetsSent(true)
                - e.snmp().neighbourSolicitationsSent(false) - e.snmp().neighbourSolicitationsSent(true) - e.snmp().redirectsSent() - released;
        c[1] = e.snmp().deliveredLocally();
        c[2] = e.defrag().queued() + e.defrag6().queued();
        c[3] = e.snmp().neighbourPacketsQueued(false) + e.snmp().neighbourPacketsQueued(true) - e.drops(DropReason.NEIGH_QUEUEFULL);
        for (DropReason r : DropReason.values()) c[4 + r.ordinal()] = e.drops(r);
        return c;
    }

    /** How many outcomes moved between two snapshots (1 for a frame with one outcome). */
    public static long moved(long[] before, long[] after) {
        long total = 0;
        for (int i = 0; i < after.length; i++) total += after[i] - before[i];
        return total;
    }

    /** The name of the last outcome that moved, or null. */
    public static String which(long[] before, long[] after) {
        String outcome = null;
        for (int i = 0; i < after.length; i++) if (after[i] != before[i]) outcome = NAMES.get(i);
        return outcome;
    }
}

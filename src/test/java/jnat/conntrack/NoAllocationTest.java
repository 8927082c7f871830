package jnat.conntrack;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** The per-packet path allocates nothing: measured with the thread's allocation counter. */
class NoAllocationTest {
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    @Test
    void trackingEstablishedTcpUdpAndIcmpPacketsAllocatesNothing() {
        Flow f = new Flow();
        f.handshake();
        Tuple udpOrig = new Tuple(Tuple.IPPROTO_UDP, Flow.CLIENT, Flow.SERVER, 5000, 53);
        Tuple udpReply = new Tuple(Tuple.IPPROTO_UDP, Flow.SERVER, Flow.CLIENT, 53, 5000);
        Tuple lookup = new Tuple(Tuple.IPPROTO_TCP, Flow.SERVER, Flow.CLIENT, 80, 40000);
        assertRoundsAllocateNothing(round(f, udpOrig, udpReply, lookup, t -> t.setIcmp(Flow.SERVER, Flow.CLIENT, 0, 3, 3)),
                "5 packets and 2 lookups");
    }

    @Test
    void trackingEstablishedIpv6TcpUdpAndIcmpv6PacketsAllocatesNothing() {
        Flow f = new Flow();
        f.ipv6 = true;
        f.handshake();
        Tuple udpOrig = Flow.tuple6(Tuple.IPPROTO_UDP, "2001:db8:1::2", "2001:db8:2::8", 5000, 53);
        Tuple udpReply = Flow.tuple6(Tuple.IPPROTO_UDP, "2001:db8:2::8", "2001:db8:1::2", 53, 5000);
        Tuple lookup = Flow.tuple6(Tuple.IPPROTO_TCP, "2001:db8:2::8", "2001:db8:1::2", 80, 40000);
        assertRoundsAllocateNothing(round(f, udpOrig, udpReply, lookup,
                t -> t.setIcmp6(Flow.SERVER6_HI, Flow.SERVER6_LO, Flow.CLIENT6_HI, Flow.CLIENT6_LO, 0, 1, 4)),
                "5 IPv6 packets and 2 lookups");
    }

    /** One round: TCP both ways, UDP both ways, an ICMP error ({@code error} sets its tuple) quoting the UDP, two lookups, gc. */
    private static Runnable round(Flow f, Tuple udpOrig, Tuple udpReply, Tuple lookup, Consumer<Tuple> error) {
        int[] sink = new int[1];
        return () -> {
            f.clientData(10);
            f.serverData(10);
            f.p.reset();
            f.p.tuple.copyFrom(udpOrig);
            sink[0] += f.ct.in(f.p, f.now);
            f.p.reset();
            f.p.tuple.copyFrom(udpReply);
            sink[0] += f.ct.in(f.p, f.now);
            f.p.reset();
            error.accept(f.p.tuple);
            f.p.quoted.copyFrom(udpOrig);
            sink[0] += f.ct.in(f.p, f.now);
            sink[0] += f.table.find(lookup, f.now);
            sink[0] += f.table.tupleTaken(udpReply, -1, f.now) ? 1 : 0;
            f.table.gc(f.now, 8);
        };
    }

    private static void assertRoundsAllocateNothing(Runnable round, String what) {
        for (int i = 0; i < 20_000; i++) round.run(); // let the JIT settle
        long before = allocated();
        long overhead = allocated() - before; // what asking costs
        before = allocated();
        for (int i = 0; i < 10_000; i++) round.run();
        long bytes = allocated() - before - overhead;
        // One 16-byte object per packet would be 800 000 bytes; allow stray bytes from the JIT/runtime.
        assertTrue(bytes < 10_000, "bytes allocated by 10 000 rounds of " + what + ": " + bytes);
    }
}

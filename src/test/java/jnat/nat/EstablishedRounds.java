package jnat.nat;

import jnat.host.Interface;
import jnat.wire.Checksum;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the established-path allocation tests share ({@link EstablishedPathAllocationTest} for
 * IPv4, {@link Ipv6EstablishedPathAllocationTest}): the round of frames handed in again and again
 * on the seed's Docker host (three flows, a packet each way), a transmitter that only counts, and
 * the thread's allocation counter around {@link #MEASURED_ROUNDS} rounds after the JIT has compiled
 * the path. An object that never leaves a compiled method is scalar-replaced and does not count;
 * one that escapes (a per-packet {@code new byte[1]} kept by the transmitter) makes the tests fail
 * (288 000 bytes for each run of 12 000 packets, checked by hand for both families).
 */
final class EstablishedRounds {
    /** Each round is one packet each way of each flow: 6 packets. */
    static final int PACKETS_PER_ROUND = 6, WARM_UP_ROUNDS = 20_000, MEASURED_ROUNDS = 2_000, RUNS = 5;
    /** Bytes of data in each TCP segment of the round. */
    static final int DATA = 100;

    /** A frame handed in again and again: a TCP one's (header at {@code tcp}, else -1) sequence and acknowledgment numbers move on, the checksum with them. */
    record Template(Interface in, byte[] frame, int tcp) {
        void advance(int bytes) {
            if (tcp < 0) return;
            move(tcp + 4, bytes);
            move(tcp + 8, bytes);
        }

        private void move(int at, int by) {
            int old = u32(at), moved = old + by;
            for (int i = 0; i < 4; i++) frame[at + i] = (byte) (moved >>> (24 - 8 * i));
            int sum = Checksum.update32((frame[tcp + 16] & 0xff) << 8 | (frame[tcp + 17] & 0xff), old, moved);
            frame[tcp + 16] = (byte) (sum >>> 8);
            frame[tcp + 17] = (byte) sum;
        }

        private int u32(int at) {
            return (frame[at] & 0xff) << 24 | (frame[at + 1] & 0xff) << 16 | (frame[at + 2] & 0xff) << 8 | (frame[at + 3] & 0xff);
        }
    }

    /** Counts what leaves, by interface, and allocates nothing. */
    final class CountingTransmit implements Transmit {
        long toEth0, toDocker0, delivered;

        @Override
        public void transmit(Interface out, byte[] buf, int off, int len) {
            if (out == eth0) toEth0++;
            else if (out == docker0) toDocker0++;
        }

        @Override
        public void deliver(byte[] buf, int off, int len) {
            delivered++;
        }
    }

    private final EngineRig rig;
    private final NatEngine engine;
    final Interface eth0, docker0;
    /** Where a TCP header starts in the frames: Ethernet plus the family's IP header. */
    private final int tcpOffset;
    final CountingTransmit counting = new CountingTransmit();
    final List<Template> round = new ArrayList<>();
    private final byte[] work = new byte[2048];
    private long now;

    EstablishedRounds(EngineRig rig, int tcpOffset) {
        this.rig = rig;
        this.engine = rig.engine();
        this.eth0 = rig.device("eth0");
        this.docker0 = rig.device("docker0");
        this.tcpOffset = tcpOffset;
    }

    /** Adds a frame arriving on {@code in} to the round (a TCP segment's numbers advance each round). */
    void add(Interface in, byte[] frame, boolean tcp) {
        round.add(new Template(in, frame, tcp ? tcpOffset : -1));
    }

    /** The round is complete: the engine's clock from here on is the rounds'. */
    void start() {
        assertEquals(PACKETS_PER_ROUND, round.size());
        now = rig.now;
    }

    /** Rounds hand their frames to {@link NatEngine#receive(PacketBatch, Transmit)}, a round a batch, from here on. */
    void batched() {
        batch = new PacketBatch(PACKETS_PER_ROUND);
    }

    private PacketBatch batch;
    /** A work buffer per frame of a batched round, each with 16 bytes of headroom. */
    private final byte[] batchWork = new byte[PACKETS_PER_ROUND * 256];

    /**
     * {@code n} rounds, each frame copied from its template into one work buffer (the engine rewrites
     * in place), or with {@link #batched()} into a buffer of its own and the round received as one batch.
     */
    void rounds(int n, Transmit tx) {
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < PACKETS_PER_ROUND; i++) {
                Template t = round.get(i);
                now += 1000;
                if (batch != null) {
                    System.arraycopy(t.frame(), 0, batchWork, i * 256 + 16, t.frame().length);
                    batch.add(t.in(), batchWork, i * 256 + 16, t.frame().length, now);
                } else {
                    System.arraycopy(t.frame(), 0, work, 16, t.frame().length);
                    engine.receive(t.in(), work, 16, t.frame().length, now, tx);
                }
                t.advance(DATA);
            }
            if (batch != null) {
                engine.receive(batch, tx);
                batch.clear();
            }
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Warms the path up (the JIT compiles it), then returns the bytes this thread allocated while {@link #MEASURED_ROUNDS} rounds ran. */
    long measuredRun() {
        for (int i = 0; i < WARM_UP_ROUNDS / 1000; i++) rounds(1000, counting);
        counting.toEth0 = counting.toDocker0 = 0;
        // What reading the counter itself costs, measured the same way and subtracted (0 on
        // HotSpot, whose counter is a read of the thread's TLAB bookkeeping, but not promised).
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long overhead = THREADS.getCurrentThreadAllocatedBytes() - before;
        before = THREADS.getCurrentThreadAllocatedBytes();
        rounds(MEASURED_ROUNDS, counting);
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - before - overhead;

        assertEquals(3L * MEASURED_ROUNDS, counting.toEth0, "packets out of eth0");
        assertEquals(3L * MEASURED_ROUNDS, counting.toDocker0, "packets out of docker0");
        assertEquals(0, counting.delivered, "none for the host");
        assertEquals(0, engine.invalid(), "every packet in its connection's window");
        assertEquals("", rig.dropSummary());
        assertEquals(3, engine.connections().count());
        return bytes;
    }

    /**
     * Asserts that a run of {@link #MEASURED_ROUNDS} rounds allocates 0 bytes, measuring up to
     * {@link #RUNS} runs until one does. More than one because in a JVM shared with the other
     * tests (and a busy machine) a one-off can land in a run: a deoptimization materialising
     * scalar-replaced objects, a method still waiting for its C2 compile (seen: 152 bytes once in
     * 12 000 packets, in the full nat run). An allocation per packet (at least 16 bytes each), or
     * one every few thousand packets, lands in every run.
     */
    void assertARunAllocatesNothing(String what) {
        List<Long> runs = new ArrayList<>();
        do runs.add(measuredRun()); while (runs.getLast() != 0 && runs.size() < RUNS);
        assertEquals(0L, runs.getLast(), "bytes allocated by each run of " + MEASURED_ROUNDS * PACKETS_PER_ROUND + " " + what + ": " + runs);
    }
}

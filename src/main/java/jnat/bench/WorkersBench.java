package jnat.bench;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.NatEngine;
import jnat.nat.PacketBatch;
import jnat.nat.Transmit;
import jnat.rules.Ruleset;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code jnat bench --workers N}: N threads, each sending the established packets of its share of
 * the flows (flow i belongs to worker i mod N), in batches, measured together. Two ways to hold
 * the state, the candidates of ARCHITECTURE.md's "All the cores":
 * <ul>
 * <li>{@code lock}: one engine for all workers, each batch under its lock (one conntrack table, the
 *     kernel's answers; the gateway's design before lanes);</li>
 * <li>{@code lanes}: one engine with a lane per worker ({@link NatEngine#setLanes}), as {@code jnat
 *     gateway --workers N} runs it: the established
 *     packets of the workers run concurrently under a shared lock, anything else with the engine to
 *     itself, as the kernel's CPUs share one conntrack table;</li>
 * <li>{@code none}: an engine per worker holding only its own flows, nothing shared: what state
 *     partitioned per worker (VPP's per-thread sessions) could reach at best, without the owner
 *     lookup and handoff a live gateway would need on top.</li>
 * </ul>
 * The packets are IPv4 64-byte ACKs of MASQUERADEd connections, as in {@link EngineBench}.
 */
public final class WorkersBench {
    /** One worker's figures: packets, wall seconds, CPU seconds. */
    public record Worker(long packets, double seconds, double cpuSeconds) {
        double pps() { return packets / seconds; }
        double cpuPps() { return cpuSeconds > 0 ? packets / cpuSeconds : 0; }
    }

    public record Figures(int workers, String share, long flows, List<Worker> perWorker, double totalPps) {
        public String json() {
            StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "{\"workers\":%d,\"share\":\"%s\",\"flows\":%d,\"total_pps\":%.0f,\"per_worker\":[",
                    workers, share, flows, totalPps));
            for (int i = 0; i < perWorker.size(); i++) {
                Worker w = perWorker.get(i);
                b.append(i == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT,
                        "{\"packets\":%d,\"pps\":%.0f,\"cpu_pps\":%.0f}", w.packets(), w.pps(), w.cpuPps()));
            }
            return b.append("]}").toString();
        }
    }

    private final Host host;
    private final Ruleset rules;
    private final Interface docker0, eth0;

    public WorkersBench(Host host, Ruleset rules) {
        this.host = host;
        this.rules = rules;
        this.docker0 = host.device("docker0");
        this.eth0 = host.device("eth0");
    }

    /** How the workers hold the state: {@code lock}, {@code lanes} or {@code none} (see the class comment). */
    public Figures run(int workers, String share, int flows, double seconds, int batch) throws InterruptedException {
        NatEngine[] engines = new NatEngine[workers];
        boolean shared = share.equals("lock");
        ReentrantLock lock = shared ? new ReentrantLock() : null;
        if (shared) {
            NatEngine e = engine(flows);
            for (int i = 0; i < flows; i++) open(e, i);
            java.util.Arrays.fill(engines, e);
        } else if (share.equals("lanes")) {
            NatEngine e = engine(flows);
            e.setLanes(workers);
            e.startConcurrent();
            for (int w = 0; w < workers; w++) engines[w] = e.lane(w);
            concurrent = true;
            // each flow opened by the lane that carries it, as a multi-queue TUN device hands a flow's SYN to the
            // worker its later packets go to: its conntrack entry comes from that lane's slab
            for (int i = 0; i < flows; i++) open(engines[i % workers], i);
        } else {
            for (int w = 0; w < workers; w++) {
                engines[w] = engine(flows / workers + 1);
                for (int i = w; i < flows; i += workers) open(engines[w], i);
            }
        }
        Worker[] result = new Worker[workers];
        CyclicBarrier start = new CyclicBarrier(workers);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int me = w;
            threads.add(Thread.ofPlatform().name("bench-worker-" + w).start(() -> {
                try {
                    result[me] = established(engines[me], lock, me, workers, flows, seconds, batch, start);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        double total = 0;
        for (Worker r : result) total += r.pps();
        return new Figures(workers, share, flows, List.of(result), total);
    }

    private NatEngine engine(int max) {
        max = Math.max(max, 1024);
        NatEngine e = new NatEngine(host, rules, new NatEngine.Config(max, NatEngine.Config.DEFAULT_SEED, true, max));
        if (nft != null) e.setNftRuleset(jnat.nft.Nft.load(nft));
        return e;
    }

    /** An nft ruleset's text (nft -f) the engines run beside the iptables rules; null: none. */
    private String nft;

    /** Runs {@code text} (an nft -f file) in every engine as well. */
    public WorkersBench nft(String text) {
        this.nft = text;
        return this;
    }

    private final Transmit discard = (out, buf, off, len) -> { };

    /** Flow i's handshake: SYN from its container, SYN/ACK from the server to the reply tuple, the ACK. */
    private void open(NatEngine e, int i) {
        byte[] f = new byte[EngineBench.FRAME];
        EngineBench.tcpFrame(f, EngineBench.CONTAINER_MAC, EngineBench.DOCKER0_MAC, EngineBench.container(i),
                EngineBench.server(i), EngineBench.port(i), 80, 1000, 0, 0x02);
        receive(e, docker0, f);
        var t = e.connections();
        int ref = t.find(new jnat.conntrack.Tuple(6, EngineBench.container(i), EngineBench.server(i), EngineBench.port(i), 80), 0);
        if (ref < 0) return;
        jnat.conntrack.Tuple reply = new jnat.conntrack.Tuple();
        t.tuple(jnat.conntrack.ConnTable.id(ref), jnat.conntrack.ConnTable.REPLY, reply);
        EngineBench.tcpFrame(f, EngineBench.ROUTER_MAC, EngineBench.ETH0_MAC, reply.src, reply.dst, reply.srcPort,
                reply.dstPort, 5000, 1001, 0x12);
        receive(e, eth0, f);
        EngineBench.tcpFrame(f, EngineBench.CONTAINER_MAC, EngineBench.DOCKER0_MAC, EngineBench.container(i),
                EngineBench.server(i), EngineBench.port(i), 80, 1001, 5001, 0x10);
        receive(e, docker0, f);
    }

    private void receive(NatEngine e, Interface in, byte[] f) {
        if (concurrent) e.receiveConcurrent(in, f, 0, f.length, 1_000_000_000L, null, discard);
        else e.receive(in, f, 0, f.length, 1_000_000_000L, discard);
    }

    private Worker established(NatEngine e, ReentrantLock lock, int me, int workers, int flows, double seconds, int batchSize,
                               CyclicBarrier start) throws Exception {
        int mine = (flows - me + workers - 1) / workers;
        int frame = EngineBench.FRAME;
        byte[] templates = new byte[mine * frame], scratch = new byte[frame];
        for (int k = 0; k < mine; k++) {
            int i = me + k * workers;
            EngineBench.tcpFrame(scratch, EngineBench.CONTAINER_MAC, EngineBench.DOCKER0_MAC, EngineBench.container(i),
                    EngineBench.server(i), EngineBench.port(i), 80, 1001, 5001, 0x10);
            System.arraycopy(scratch, 0, templates, k * frame, frame);
        }
        PacketBatch batch = new PacketBatch(batchSize);
        byte[] work = new byte[batchSize * 128];
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long now = 2_000_000_000L;
        int k = 0;
        // warm-up, then the timed phase: all workers start together
        long warm = System.nanoTime() + (long) (Math.min(0.5, seconds / 2) * 1e9);
        while (System.nanoTime() < warm) {
            k = fill(batch, work, templates, k, mine, frame, now++);
            send(e, lock, batch);
        }
        start.await();
        long packets = 0;
        long cpu0 = threads.getCurrentThreadCpuTime(), t0 = System.nanoTime(), deadline = t0 + (long) (seconds * 1e9);
        long t;
        do {
            for (int r = 0; r < 64; r++) {
                k = fill(batch, work, templates, k, mine, frame, now++);
                packets += batch.size();
                send(e, lock, batch);
            }
            t = System.nanoTime();
        } while (t < deadline);
        return new Worker(packets, (t - t0) / 1e9, (threads.getCurrentThreadCpuTime() - cpu0) / 1e9);
    }

    /** The next frames of the worker's flows, copied into the batch's work buffer (the engine rewrites in place). */
    private int fill(PacketBatch batch, byte[] work, byte[] templates, int k, int mine, int frame, long now) {
        batch.clear();
        while (!batch.full()) {
            int off = batch.size() * 128 + 16;
            System.arraycopy(templates, k * frame, work, off, frame);
            batch.add(docker0, work, off, frame, now);
            if (++k == mine) k = 0;
        }
        return k;
    }

    /** The workers run their lanes of one engine ({@link NatEngine#receiveConcurrent}). */
    private boolean concurrent;

    private void send(NatEngine e, ReentrantLock lock, PacketBatch batch) {
        if (concurrent) {
            e.receiveConcurrent(batch, discard);
            return;
        }
        if (lock == null) {
            e.receive(batch, discard);
            return;
        }
        lock.lock();
        try {
            e.receive(batch, discard);
        } finally {
            lock.unlock();
        }
    }
}

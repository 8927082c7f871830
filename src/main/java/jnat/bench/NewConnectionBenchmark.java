package jnat.bench;

import jnat.demo.SeedDemo;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.NatEngine;
import jnat.nat.PacketBatch;
import jnat.nat.Transmit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A new connection's SYN through Docker's rules (nat PREROUTING, MASQUERADE, conntrack's insert),
 * or with {@code -p rules=kube} to one of 10,000 kube-proxy services (as {@code jnat bench
 * --kube-services 10000}: the service chain's DNAT to an endpoint, KUBE-POSTROUTING's MASQUERADE),
 * {@link PacketBatch#DEFAULT_CAPACITY} at a time as {@code jnat bench} sends them: the score is
 * the time of a million. Each iteration fills a fresh table built for {@link #MAX} connections (hash
 * presized), as {@code jnat bench --flows 1000000} does, in {@link #BATCHES} batches.
 * For profiles of the path: {@code ./jnat jmh NewConnectionBenchmark -prof perfasm}; the rates are
 * {@code jnat bench}'s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, batchSize = NewConnectionBenchmark.BATCHES)
@Measurement(iterations = 5, batchSize = NewConnectionBenchmark.BATCHES)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class NewConnectionBenchmark {
    static final int MAX = 1_000_000;
    /** Invocations per iteration: {@link #MAX} SYNs, a batch each. */
    static final int BATCHES = MAX / PacketBatch.DEFAULT_CAPACITY;

    /** The containers' source ports: distinct per server ({@code jnat bench}'s default) or clashing ({@code --port-clashes}). */
    @Param({"distinct", "clashing"})
    String ports;
    boolean clashing;

    /** The nat table: Docker's ({@code docker}) or kube-proxy's for {@link #SERVICES} services ({@code kube}). */
    @Param({"docker"})
    String rules;
    static final int SERVICES = 10_000;
    String kubeRules;
    EngineBench.Destinations destinations;

    Host host;
    Interface docker0;
    NatEngine engine;
    final PacketBatch batch = new PacketBatch();
    final byte[] work = new byte[PacketBatch.DEFAULT_CAPACITY * 128];
    final byte[] syn = new byte[EngineBench.FRAME];
    int next;
    long now = 1_000_000_000L;
    final Transmit tx = (out, buf, off, len) -> { };

    @Setup(Level.Trial)
    public void setUpHost() {
        host = SeedDemo.host();
        docker0 = host.device("docker0");
        EngineBench.resolveContainers(host, docker0, MAX);
        switch (rules) {
            case "docker" -> destinations = EngineBench.SERVERS;
            case "kube" -> { kubeRules = KubeProxyRules.generate(SERVICES); destinations = EngineBench.services(SERVICES); }
            default -> throw new IllegalArgumentException("rules: docker or kube, not " + rules);
        }
    }

    @Setup(Level.Iteration)
    public void freshTable() {
        // each engine its own ruleset, parsed again (off the clock), as each bench run parses its own
        jnat.rules.Ruleset ruleset = kubeRules == null ? SeedDemo.rules() : jnat.rules.Ruleset.parse(kubeRules);
        engine = new NatEngine(host, ruleset, new NatEngine.Config(MAX, NatEngine.Config.DEFAULT_SEED, true, MAX));
        next = 0;
        clashing = ports.equals("clashing");
    }

    @Benchmark
    public void synThroughRules() {
        PacketBatch b = batch;
        for (int k = 0; k < PacketBatch.DEFAULT_CAPACITY; k++, next++) {
            int off = k * 128 + 16;
            EngineBench.tcpFrame(syn, EngineBench.CONTAINER_MAC, EngineBench.DOCKER0_MAC, EngineBench.container(next),
                    destinations.address(next), EngineBench.sourcePort(next, clashing), destinations.port(next), 1000, 0, 0x02);
            System.arraycopy(syn, 0, work, off, EngineBench.FRAME);
            b.add(docker0, work, off, EngineBench.FRAME, now++);
        }
        engine.receive(b, tx);
        b.clear();
    }
}

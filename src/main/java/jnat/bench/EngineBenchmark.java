package jnat.bench;

import jnat.demo.SeedDemo;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.NatEngine;
import jnat.nat.Transmit;
import jnat.rules.Hook;
import jnat.rules.Ruleset;
import jnat.rules.Table;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The engine's parts under JMH: one established 64-byte TCP packet through the whole path
 * (parse, conntrack lookup and window check, NAT rewrite with checksums, route, L2), the same
 * over IPv6 (a 74-byte frame through Docker's ip6tables MASQUERADE), and a nat
 * chain walk for a new connection through Docker's and a 10,000-service kube-proxy table.
 * Run: {@code ./jnat jmh EngineBenchmark -prof gc} (allocation per packet: gc.alloc.rate.norm).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class EngineBenchmark {
    @Param({"10000"})
    int flows;

    /**
     * The order the IPv4 benchmarks visit the flows in: creation, or random (a fixed permutation,
     * as {@code jnat bench --order random}); with {@code -p flows=1000000 -p order=random} the
     * batch path's overlapped misses are what is measured.
     */
    @Param({"creation"})
    String order;

    NatEngine engine;
    Interface docker0;
    byte[] templates;
    final byte[] work = new byte[2048];
    int next;
    long now = 2_000_000_000L;
    final Transmit tx = (out, buf, off, len) -> { };

    NatEngine engine6;
    Interface docker0v6;
    byte[] templates6;
    int next6;

    Table docker;
    Table kube;
    FakePacket newToDocker;
    FakePacket newToKube;

    @Setup(Level.Trial)
    public void setUp() {
        Host host = SeedDemo.host();
        docker0 = host.device("docker0");
        Interface eth0 = host.device("eth0");
        engine = new NatEngine(host, SeedDemo.rules(), new NatEngine.Config(flows * 4, 1, true));
        byte[] f = new byte[EngineBench.FRAME];
        jnat.conntrack.Tuple reply = new jnat.conntrack.Tuple();
        templates = new byte[flows * EngineBench.FRAME];
        for (int i = 0; i < flows; i++) {
            int c = EngineBench.container(i), s = EngineBench.server(i), p = EngineBench.port(i);
            EngineBench.tcpFrame(f, EngineBench.CONTAINER_MAC, EngineBench.DOCKER0_MAC, c, s, p, 80, 1000, 0, 0x02);
            engine.receive(docker0, f.clone(), 0, f.length, now++, tx);
            int ref = engine.connections().find(new jnat.conntrack.Tuple(6, c, s, p, 80), now);
            engine.connections().tuple(jnat.conntrack.ConnTable.id(ref), jnat.conntrack.ConnTable.REPLY, reply);
            EngineBench.tcpFrame(f, EngineBench.ROUTER_MAC, EngineBench.ETH0_MAC, reply.src, reply.dst, reply.srcPort,
                    reply.dstPort, 5000, 1001, 0x12);
            engine.receive(eth0, f.clone(), 0, f.length, now++, tx);
            EngineBench.tcpFrame(f, EngineBench.CONTAINER_MAC, EngineBench.DOCKER0_MAC, c, s, p, 80, 1001, 5001, 0x10);
            System.arraycopy(f, 0, templates, i * EngineBench.FRAME, EngineBench.FRAME);
        }
        if (order.equals("random")) { // the templates laid out in the order they are sent, so reading them streams
            int[] visit = EngineBench.permutation(flows);
            byte[] sent = new byte[templates.length];
            for (int k = 0; k < flows; k++) System.arraycopy(templates, visit[k] * EngineBench.FRAME, sent, k * EngineBench.FRAME, EngineBench.FRAME);
            templates = sent;
        } else if (!order.equals("creation")) {
            throw new IllegalArgumentException("order: creation or random, not " + order);
        }
        setUpIpv6();
        docker = SeedDemo.rules().existing("nat");
        kube = Ruleset.parse(KubeProxyRules.generate(10_000)).existing("nat");
        newToDocker = new FakePacket(host, "eth0", 0xc6336407, 0x2d4dc8b4, 40000, 10000); // 198.51.100.7 -> 45.77.200.180:10000
        newToKube = new FakePacket(host, "docker0", 0xac110002, KubeProxyRules.clusterIp(9_999), 40000, 80);
    }

    /**
     * {@link #flows} IPv6 connections of containers (fd49:efd7:54aa::/64) to 2001:db8:8::/64 port 80
     * through the nat table of Docker's ip6tables rules, each past its handshake.
     */
    private void setUpIpv6() {
        Host host = jnat.demo.SeedDemo6.host();
        docker0v6 = host.device("docker0");
        Interface eth0 = host.device("eth0");
        engine6 = new NatEngine(host, new Ruleset(), new NatEngine.Config(flows * 4, 1, true));
        engine6.setRuleset6(jnat.demo.SeedDemo6.natRules6());
        byte[] f = new byte[EngineBench.FRAME6];
        jnat.conntrack.Tuple t = new jnat.conntrack.Tuple(), reply = new jnat.conntrack.Tuple();
        templates6 = new byte[flows * EngineBench.FRAME6];
        long ch = EngineBench.CONTAINER6_HI, sh = EngineBench.SERVER6_HI;
        for (int i = 0; i < flows; i++) {
            long c = EngineBench.container6(i), s = EngineBench.server6(i);
            int p = EngineBench.port(i);
            EngineBench.tcpFrame6(f, EngineBench.CONTAINER_MAC, EngineBench.DOCKER0_MAC, ch, c, sh, s, p, 80, 1000, 0, 0x02);
            engine6.receive(docker0v6, f.clone(), 0, f.length, now++, tx);
            int ref = engine6.connections().find(t.set6(6, ch, c, sh, s, p, 80), now);
            engine6.connections().tuple(jnat.conntrack.ConnTable.id(ref), jnat.conntrack.ConnTable.REPLY, reply);
            EngineBench.tcpFrame6(f, EngineBench.ROUTER_MAC, EngineBench.ETH0_MAC, reply.srcHi, reply.srcLo, reply.dstHi,
                    reply.dstLo, reply.srcPort, reply.dstPort, 5000, 1001, 0x12);
            engine6.receive(eth0, f.clone(), 0, f.length, now++, tx);
            EngineBench.tcpFrame6(f, EngineBench.CONTAINER_MAC, EngineBench.DOCKER0_MAC, ch, c, sh, s, p, 80, 1001, 5001, 0x10);
            System.arraycopy(f, 0, templates6, i * EngineBench.FRAME6, EngineBench.FRAME6);
        }
    }

    /** One established packet, container to internet, MASQUERADEd (the 64-byte template copy included). */
    @Benchmark
    public void establishedPacket() {
        System.arraycopy(templates, next * EngineBench.FRAME, work, 16, EngineBench.FRAME);
        engine.receive(docker0, work, 16, EngineBench.FRAME, now++, tx);
        if (++next == flows) next = 0;
    }

    final jnat.nat.PacketBatch batch = new jnat.nat.PacketBatch();
    final byte[] batchWork = new byte[jnat.nat.PacketBatch.DEFAULT_CAPACITY * 128];

    /**
     * {@link #establishedPacket}'s packets, {@link jnat.nat.PacketBatch#DEFAULT_CAPACITY} at a time
     * through {@link NatEngine#receive(jnat.nat.PacketBatch, Transmit)} (the template copies
     * included, each into a buffer of its own): the score is per packet.
     */
    @Benchmark
    @OperationsPerInvocation(jnat.nat.PacketBatch.DEFAULT_CAPACITY)
    public void establishedBatch() {
        jnat.nat.PacketBatch b = batch;
        for (int k = 0; k < jnat.nat.PacketBatch.DEFAULT_CAPACITY; k++) {
            int off = k * 128 + 16;
            System.arraycopy(templates, next * EngineBench.FRAME, batchWork, off, EngineBench.FRAME);
            b.add(docker0, batchWork, off, EngineBench.FRAME, now++);
            if (++next == flows) next = 0;
        }
        engine.receive(b, tx);
        b.clear();
    }

    /** {@link #establishedPacket} over IPv6: Docker's ip6tables MASQUERADE, 74-byte frames (the template copy included). */
    @Benchmark
    public void establishedPacket6() {
        System.arraycopy(templates6, next6 * EngineBench.FRAME6, work, 16, EngineBench.FRAME6);
        engine6.receive(docker0v6, work, 16, EngineBench.FRAME6, now++, tx);
        if (++next6 == flows) next6 = 0;
    }

    /** A new connection's walk of Docker's nat PREROUTING (addrtype, DOCKER chain, DNAT). */
    @Benchmark
    public void dockerPreroutingWalk(Blackhole bh) {
        bh.consume(docker.traverse(Hook.PREROUTING, newToDocker));
    }

    /** A new connection's walk of a 10,000-service kube-proxy table to its last service (iptables is linear). */
    @Benchmark
    public void kubeProxyPreroutingWalk10kServices(Blackhole bh) {
        bh.consume(kube.traverse(Hook.PREROUTING, newToKube));
    }

    /** A packet as the rules see it, for walking a table on its own. */
    static final class FakePacket implements jnat.rules.PacketContext {
        final Host host;
        final String in;
        final int src, dst, sport, dport;
        int mark;

        FakePacket(Host host, String in, int src, int dst, int sport, int dport) {
            this.host = host;
            this.in = in;
            this.src = src;
            this.dst = dst;
            this.sport = sport;
            this.dport = dport;
        }

        public String inInterface() { return in; }
        public String outInterface() { return ""; }
        public int srcAddress() { return src; }
        public int dstAddress() { return dst; }
        public int protocol() { return 6; }
        public boolean nonFirstFragment() { return false; }
        public int srcPort() { return sport; }
        public int dstPort() { return dport; }
        public int tcpFlags() { return 0x02; }
        public int icmpType() { return -1; }
        public int icmpCode() { return -1; }
        public int length() { return 60; }
        public int mark() { return mark; }
        public void setMark(int m) { mark = m; }
        public int ctState() { return CT_NEW; }
        public int ctDirection() { return DIR_ORIGINAL; }
        public int ctOrigSrc() { return src; }
        public int ctOrigDst() { return dst; }
        public int ctOrigSrcPort() { return sport; }
        public int ctOrigDstPort() { return dport; }
        public int ctReplySrc() { return dst; }
        public int ctReplyDst() { return src; }
        public int ctReplySrcPort() { return dport; }
        public int ctReplyDstPort() { return sport; }
        public int addressType(int addr, String limitIface) {
            return 1 << host.addressType(addr, limitIface == null ? null : host.device(limitIface)).rtn();
        }
    }
}

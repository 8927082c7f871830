package jnat.bench;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.NatEngine;
import jnat.nat.Transmit;
import jnat.rules.Ruleset;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Packet;
import jnat.wire.TcpSegment;

/**
 * Measures the engine on the seed's Docker host: established-flow packets per second (64-byte
 * TCP frames from containers, MASQUERADEd, conntrack refresh included), new connections per
 * second (SYNs walking the nat chains), and memory per tracked connection. One thread: the
 * figures are per core. {@link #ipv6} runs the same over IPv6 (74-byte frames) through the
 * ip6tables ruleset.
 *
 * <p>The engine rewrites frames in place, so each measured packet is first copied from its
 * template (64 or 74 bytes); that copy is part of the measured time.
 */
public final class EngineBench {
    /** The figures, as {@code jnat bench --json} prints them. */
    public record Figures(long flows, int rules, double establishedPps, double newConnectionsPerSecond,
                          double bytesPerConnection, long establishedPackets, long newConnections, double seconds,
                          int conntrackMax, String family, int frameBytes, long transmittedPackets, String order, int batch,
                          double establishedCpuPps, double newConnectionsCpuPerSecond, double newConnectionAllocatedBytes,
                          String ports) {
        public String json() {
            return String.format(java.util.Locale.ROOT,
                    "{\"established_pps\":%.0f,\"new_connections_per_s\":%.0f,\"bytes_per_connection\":%.1f,"
                            + "\"flows\":%d,\"rules\":%d,\"established_packets\":%d,\"new_connections\":%d,\"seconds\":%.2f,"
                            + "\"conntrack_max\":%d,\"family\":\"%s\",\"frame_bytes\":%d,\"transmitted_packets\":%d,"
                            + "\"order\":\"%s\",\"batch\":%d,\"established_cpu_pps\":%.0f,\"new_connections_cpu_per_s\":%.0f,"
                            + "\"new_connection_allocated_bytes\":%.1f,\"ports\":\"%s\"}",
                    establishedPps, newConnectionsPerSecond, bytesPerConnection, flows, rules, establishedPackets,
                    newConnections, seconds, conntrackMax, family, frameBytes, transmittedPackets, order, batch,
                    establishedCpuPps, newConnectionsCpuPerSecond, newConnectionAllocatedBytes, ports);
        }
    }

    static final int FRAME = 64;
    /** The smallest Ethernet/IPv6/TCP frame: 14 + 40 + 20 bytes, no payload. */
    static final int FRAME6 = 74;
    static final long CONTAINER_MAC = 0x0242ac110002L, DOCKER0_MAC = 0x0242d5353a3cL;
    static final long ROUTER_MAC = 0x067c1688fe87L, ETH0_MAC = 0x5600047c7c23L;
    static final int HOST = Ipv4Address.parse("45.77.200.180"), SERVER_BASE = Ipv4Address.parse("198.51.100.0");
    /** The containers' /64 (fd49:efd7:54aa::/64, Docker's --ipv6 bridge) and the servers' (2001:db8:8::/64), upper halves. */
    static final long CONTAINER6_HI = 0xfd49efd754aa0000L, SERVER6_HI = 0x20010db800080000L;

    private final Host host;
    private final Ruleset rules;
    private final int ruleCount;
    private final Interface docker0, eth0;
    private long sink, transmitted;

    /** Where flow i goes: its destination address and port. */
    public interface Destinations {
        int address(int flow);

        int port(int flow);
    }

    /** 250 servers at 198.51.100.1-250, port 80. */
    public static final Destinations SERVERS = new Destinations() {
        public int address(int i) { return server(i); }
        public int port(int i) { return 80; }
    };

    /** kube-proxy cluster IPs of {@code services} services, port 80. */
    public static Destinations services(int services) {
        return new Destinations() {
            public int address(int i) { return KubeProxyRules.clusterIp(i % services); }
            public int port(int i) { return 80; }
        };
    }

    private Destinations destinations = SERVERS;
    private boolean ipv6;
    private boolean randomOrder;
    private boolean portClashes;
    private int batch = jnat.nat.PacketBatch.DEFAULT_CAPACITY;

    /**
     * The established packets visit the flows in a random order (a fixed permutation, seeded)
     * instead of the order the connections were made in: the connections' rows, allocated in
     * that order, then lie nowhere near each other in memory for consecutive packets, as with
     * live traffic, where creation order lets the hardware prefetcher stream them.
     */
    public EngineBench randomOrder(boolean on) {
        this.randomOrder = on;
        return this;
    }

    /** The containers' source ports clash: {@link #clashingPort}, instead of {@link #port}. */
    public EngineBench portClashes(boolean on) {
        this.portClashes = on;
        return this;
    }

    /**
     * Frames per {@link NatEngine#receive(jnat.nat.PacketBatch, Transmit)} call in the timed phases
     * (new connections and established packets); 1 gives each frame to the single-frame receive.
     */
    public EngineBench batch(int n) {
        if (n < 1) throw new IllegalArgumentException("a batch of at least one frame");
        this.batch = n;
        return this;
    }
    private int conntrackMax;
    private int hashsize = -1;

    /** The conntrack hashsize for the run (NatEngine.Config#conntrackHashsize); -1 (the default): the max. */
    public EngineBench hashsize(int n) {
        this.hashsize = n;
        return this;
    }

    /**
     * nf_conntrack_max for the run; 0 (the default) makes it the number of flows, so the table
     * ends full and its arrays, which grow by doubling up to the max, hold no slack.
     */
    public EngineBench conntrackMax(int max) {
        this.conntrackMax = max;
        return this;
    }

    /** Told how far a run is, every 4096 packets (jnat bench's progress line). */
    @FunctionalInterface
    public interface ProgressListener {
        /** {@code total} -1 for the timed phase, whose {@code nanosLeft} is known (-1 otherwise). */
        void progress(String phase, long done, long total, long nanosLeft);
    }

    private ProgressListener progress;

    public EngineBench progress(ProgressListener l) {
        this.progress = l;
        return this;
    }

    public EngineBench destinations(Destinations d) {
        this.destinations = d;
        return this;
    }

    /**
     * IPv6 flows instead (container fd49:efd7:54aa::2 and up to 2001:db8:8::1-fa, port 80, 74-byte
     * frames): the rules are then the engine's ip6tables ruleset (its iptables one empty), the host
     * needs IPv6 on docker0 and eth0. The destinations are the 250 servers.
     */
    public EngineBench ipv6(boolean on) {
        this.ipv6 = on;
        return this;
    }

    public EngineBench(Host host, Ruleset rules) {
        this.host = host;
        this.rules = rules;
        this.docker0 = host.device("docker0");
        this.eth0 = host.device("eth0");
        int n = 0;
        for (var t : rules.tables()) for (var c : t.chains()) n += c.rules().size();
        this.ruleCount = n;
        if (docker0 == null || eth0 == null) throw new IllegalArgumentException("the bench host needs docker0 and eth0");
    }

    /**
     * The containers' neighbour entries on docker0 (Docker's MACs, 02:42 and the IPv4 address), as a
     * Docker host has them resolved after the containers' first packets: the bench measures NAT and
     * conntrack, not ARP; without them every reply would wait in a neighbour queue.
     */
    private void resolveContainers(int flows) {
        if (!docker0.hasMac()) return;
        if (!ipv6) {
            resolveContainers(host, docker0, flows);
            return;
        }
        for (int i = 0; i < Math.min(flows, 65000); i++) {
            host.addNeighbour6(new jnat.host.Neighbour6(CONTAINER6_HI, container6(i), containerMac(i), docker0, "PERMANENT"), true);
        }
    }

    /** The IPv4 containers of the first {@code flows} flows as permanent neighbours on {@code docker0}. */
    static void resolveContainers(Host host, Interface docker0, int flows) {
        for (int i = 0; i < Math.min(flows, 65000); i++) {
            host.addNeighbour(new jnat.host.Neighbour(container(i), containerMac(i), docker0, "PERMANENT"), true);
        }
    }

    /** Container i's MAC: 02:42 and its IPv4 address, as Docker gives them. */
    private static long containerMac(int i) {
        return 0x0242_0000_0000L | (container(i) & 0xffff_ffffL);
    }

    private static final int CONTAINER_BASE = Ipv4Address.parse("172.17.0.2");

    /** Container i's address: 172.17.0.0/16 from .0.2 upwards. */
    static int container(int i) {
        return CONTAINER_BASE + (i % 65000);
    }

    /** Flow i's server: 198.51.100.1-.250 port 80, so that the public address has ports for every flow. */
    static int server(int i) {
        return SERVER_BASE + 1 + i % 250;
    }

    /** Container i's IPv6 address, lower half: fd49:efd7:54aa::2 upwards, as {@link #container}. */
    static long container6(int i) {
        return 2 + i % 65000;
    }

    /** Flow i's IPv6 server, lower half: 2001:db8:8::1 to ::fa, as {@link #server}. */
    static long server6(int i) {
        return 1 + i % 250;
    }

    /**
     * Flow i's source port: no two flows to one server share one (flows i and i' to a server differ
     * by a multiple of 250, and their ports by i/250), so MASQUERADE keeps every port, as it does
     * for nearly every connection of containers whose kernels pick ephemeral ports at random. Up to
     * 16 million flows.
     */
    static int port(int i) {
        return 1024 + (i / 250) % 64000;
    }

    /**
     * Flow i's source port with {@link #portClashes}: each container's flows use ports 1024, 1025,
     * ... in turn, so the 260 containers that share a server (65,000 over 250) all come with the
     * same port, and all but the first connection on a port need nf_nat_l4proto_unique_tuple's
     * search for a free one.
     */
    static int clashingPort(int i) {
        return 1024 + (i / 65000) % 60000;
    }

    /** Flow i's source port in this run. */
    private int sourcePort(int i) {
        return sourcePort(i, portClashes);
    }

    /** Flow i's source port, {@link #clashingPort} or {@link #port}. */
    static int sourcePort(int i, boolean clashes) {
        return clashes ? clashingPort(i) : port(i);
    }

    /** SYNs built at a time, off the clock, in the new-connection phase. */
    private static final int SYN_CHUNK = 4096;

    /** An nft ruleset's text (nft -f) the engine runs beside the iptables rules; null: none. */
    private String nft;
    private jnat.nft.NftRuleset nftParsed;

    /** Runs {@code text} (an nft -f file) in the engine as well. */
    public EngineBench nft(String text) {
        this.nft = text;
        this.nftParsed = null;
        return this;
    }

    /**
     * Connections of the untimed warm-up run on a throwaway engine before a larger run's timed
     * phases: with 65,536 the first million SYNs still ran partly in code the JIT had not finished
     * (1.39-1.96 M new connections per CPU second against 1.63-1.97 M with this many, alternating;
     * JMH's NewConnectionBenchmark, warmed over three million, 2.0-2.2 M).
     */
    static final int WARM_UP_FLOWS = 262_144;

    public Figures run(int flows, double seconds) {
        return run(flows, seconds, rules);
    }

    private Figures run(int flows, double seconds, Ruleset rules) {
        resolveContainers(flows);
        if (flows > WARM_UP_FLOWS) warmUp();
        long before = usedAfterGc();
        int max = conntrackMax > 0 ? conntrackMax : Math.max(flows, 1024);
        NatEngine.Config config = new NatEngine.Config(max, NatEngine.Config.DEFAULT_SEED, true, hashsize < 0 ? max : hashsize);
        NatEngine engine = new NatEngine(host, ipv6 ? new Ruleset() : rules, config);
        if (ipv6) engine.setRuleset6(rules);
        if (nft != null) {
            if (nftParsed == null) nftParsed = jnat.nft.Nft.load(nft); // once: a large table takes seconds to load
            engine.setNftRuleset(nftParsed.copy()); // each engine its own tables (their expressions, counters included, shared)
        }
        Transmit tx = (out, buf, off, len) -> {
            sink += buf[off + 29];
            transmitted++;
        };
        byte[] work = new byte[2048];
        int frame = ipv6 ? FRAME6 : FRAME;

        // New connections: each flow's SYN from its container, then the server's SYN/ACK and the ACK.
        byte[] syn = new byte[frame], synAck = new byte[frame];
        jnat.conntrack.Tuple reply = new jnat.conntrack.Tuple();
        long now = 1_000_000_000L;
        Frames frames = new Frames(engine, tx, batch, frame);
        // The SYNs are built a chunk at a time off the clock, so that the figure is the engine's, not
        // the frame builder's (which costs about what the engine's NAT rewrite does).
        byte[] chunk = new byte[SYN_CHUNK * frame];
        long newNanos = 0, newAllocatedBytes = 0;
        double newCpuNanos = 0;
        for (int first = 0; first < flows; first += SYN_CHUNK) {
            int n = Math.min(SYN_CHUNK, flows - first);
            for (int k = 0; k < n; k++) {
                fromContainer(syn, first + k, 1000, 0, 0x02);
                System.arraycopy(syn, 0, chunk, k * frame, frame);
            }
            long cpu0 = threadCpuNanos(), allocated0 = threadAllocatedBytes(), t0 = System.nanoTime();
            for (int k = 0; k < n; k++) frames.add(docker0, chunk, k * frame, now++);
            frames.flush();
            newNanos += System.nanoTime() - t0;
            newCpuNanos += threadCpuNanos() - cpu0;
            newAllocatedBytes += threadAllocatedBytes() - allocated0;
            if (progress != null) progress.progress("new connections", first + n, flows, -1);
        }
        for (int i = 0; i < flows; i++) {
            // the reply comes from the reply tuple's source to its destination (DNAT and SNAT undone there)
            if (!replyTuple(engine, i, reply)) continue;
            if (ipv6) {
                tcpFrame6(synAck, ROUTER_MAC, ETH0_MAC, reply.srcHi, reply.srcLo, reply.dstHi, reply.dstLo, reply.srcPort,
                        reply.dstPort, 5000, 1001, 0x12);
            } else {
                tcpFrame(synAck, ROUTER_MAC, ETH0_MAC, reply.src, reply.dst, reply.srcPort, reply.dstPort, 5000, 1001, 0x12);
            }
            System.arraycopy(synAck, 0, work, 16, frame);
            engine.receive(eth0, work, 16, frame, now++, tx);
            if (progress != null && (i & 4095) == 4095) progress.progress("replies", i + 1, flows, -1);
        }
        // Memory per connection, with every flow tracked: the heap the engine holds (growth slack
        // included), over the connections.
        double perConnection = (usedAfterGc() - before) / (double) Math.max(1, engine.connections().count());

        // Established: ACKs with data-free frames, round robin over the flows in the order they
        // were opened or, with randomOrder, in a fixed random permutation of it. The templates are
        // laid out in the order they are sent, so reading them streams and only the engine's own
        // memory is touched out of order.
        byte[] templates = new byte[flows * frame];
        byte[] one = new byte[frame];
        int[] order = order(flows);
        for (int k = 0; k < flows; k++) {
            fromContainer(one, order[k], 1001, 5001, 0x10);
            System.arraycopy(one, 0, templates, k * frame, frame);
        }
        // Untimed: each flow's first ACK (the handshake's third packet, which makes it ESTABLISHED),
        // then up to half a second more so the JIT has compiled the steady path before the clock runs.
        int i = 0;
        long warm = System.nanoTime() + (long) (Math.min(0.5, seconds / 2) * 1e9);
        for (long n = 0; n < flows || System.nanoTime() < warm; n++) {
            frames.add(docker0, templates, i * frame, now++);
            if (++i == flows) i = 0;
        }
        frames.flush();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long packets = 0;
        transmitted = 0;
        long cpuStart = threadCpuNanos();
        long start = System.nanoTime();
        while (true) {
            for (int k = 0; k < 4096; k++) {
                frames.add(docker0, templates, i * frame, now++);
                if (++i == flows) i = 0;
            }
            frames.flush();
            packets += 4096;
            long t = System.nanoTime();
            if (t >= deadline) break;
            if (progress != null) progress.progress("established", packets, -1, deadline - t);
        }
        double estNanos = System.nanoTime() - start;
        double cpuNanos = threadCpuNanos() - cpuStart;
        return new Figures(flows, ruleCount, packets / (estNanos / 1e9), flows / (newNanos / 1e9), perConnection,
                packets, flows, estNanos / 1e9, max, ipv6 ? "ipv6" : "ipv4", frame, transmitted,
                randomOrder ? "random" : "creation", batch, cpuNanos > 0 ? packets / (cpuNanos / 1e9) : 0,
                newCpuNanos > 0 ? flows / (newCpuNanos / 1e9) : 0, (double) newAllocatedBytes / flows,
                portClashes ? "clashing" : "distinct");
    }

    /**
     * The whole run, untimed, over {@link #WARM_UP_FLOWS} connections of a throwaway engine, so that
     * the JIT has compiled the new-connection path before its clock runs (the established phase
     * warms up on its own engine as well); without it the first seconds of a run are the
     * interpreter's and C1's, and the rate depends on how many flows the run has.
     */
    private void warmUp() {
        ProgressListener p = progress;
        progress = null;
        try {
            // on a copy of the rules: an engine binds its ruleset (the compiled tables' counters, the
            // namespace's xt state), so the warm-up engine would live on, in the heap measured
            // before the run, until the run's engine took the rules over
            run(WARM_UP_FLOWS, 0.1, rules.copy());
        } finally {
            progress = p;
        }
    }

    /**
     * The bench thread's CPU time (ns; -1 where the JVM cannot tell): on a machine shared with
     * other jobs, packets per CPU second say what the engine costs, packets per wall second also
     * how often it was scheduled.
     */
    /** The bytes the bench thread has allocated (the connection table's growth included). */
    private static long threadAllocatedBytes() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.getCurrentThreadAllocatedBytes();
    }

    private static long threadCpuNanos() {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }

    /** The flows in the order their established packets are sent: 0..flows-1, or a seeded shuffle of it. */
    private int[] order(int flows) {
        if (randomOrder) return permutation(flows);
        int[] order = new int[flows];
        for (int k = 0; k < flows; k++) order[k] = k;
        return order;
    }

    /** 0 to {@code flows - 1} in a fixed random order (Fisher-Yates, seeded): {@code --order random}'s. */
    static int[] permutation(int flows) {
        int[] order = new int[flows];
        for (int k = 0; k < flows; k++) order[k] = k;
        java.util.SplittableRandom r = new java.util.SplittableRandom(0x6f72646572L);
        for (int k = flows - 1; k > 0; k--) {
            int j = r.nextInt(k + 1), t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The frames of a timed phase on their way into the engine: each copied from its template
     * into a work buffer of its own (the engine rewrites frames in place), {@code batch} at a time
     * into {@link NatEngine#receive(jnat.nat.PacketBatch, Transmit)}, or one at a time into the
     * single-frame receive when the batch is 1. The copy is part of the measured time.
     */
    static final class Frames {
        /** Room per frame in the work buffer: 16 bytes of headroom and the frame. */
        private static final int STRIDE = 128;
        private final NatEngine engine;
        private final Transmit tx;
        private final int frame;
        private final jnat.nat.PacketBatch batch;
        private final byte[] work;

        Frames(NatEngine engine, Transmit tx, int batch, int frame) {
            this.engine = engine;
            this.tx = tx;
            this.frame = frame;
            this.batch = batch > 1 ? new jnat.nat.PacketBatch(batch) : null;
            this.work = new byte[batch * STRIDE];
        }

        void add(Interface in, byte[] template, int at, long now) {
            if (batch == null) {
                System.arraycopy(template, at, work, 16, frame);
                engine.receive(in, work, 16, frame, now, tx);
                return;
            }
            int off = batch.size() * STRIDE + 16;
            System.arraycopy(template, at, work, off, frame);
            batch.add(in, work, off, frame, now);
            if (batch.full()) flush();
        }

        void flush() {
            if (batch == null || batch.size() == 0) return;
            engine.receive(batch, tx);
            batch.clear();
        }
    }

    /** Flow i's frame from its container to its server, as a template: IPv4 or IPv6 as the run's family. */
    private void fromContainer(byte[] f, int i, int seq, int ack, int flags) {
        if (ipv6) {
            tcpFrame6(f, CONTAINER_MAC, DOCKER0_MAC, CONTAINER6_HI, container6(i), SERVER6_HI, server6(i), sourcePort(i), 80, seq, ack, flags);
        } else {
            tcpFrame(f, CONTAINER_MAC, DOCKER0_MAC, container(i), destinations.address(i), sourcePort(i), destinations.port(i), seq, ack,
                    flags);
        }
    }

    private boolean replyTuple(NatEngine engine, int i, jnat.conntrack.Tuple out) {
        var t = engine.connections();
        var tuple = ipv6 ? new jnat.conntrack.Tuple().set6(6, CONTAINER6_HI, container6(i), SERVER6_HI, server6(i), sourcePort(i), 80)
                : new jnat.conntrack.Tuple(6, container(i), destinations.address(i), sourcePort(i), destinations.port(i));
        int ref = t.find(tuple, 0);
        if (ref < 0) return false;
        t.tuple(jnat.conntrack.ConnTable.id(ref), jnat.conntrack.ConnTable.REPLY, out);
        return true;
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** A 64-byte Ethernet/IPv4/TCP frame (no options, 10 bytes of padding-free payload), checksums filled. */
    static void tcpFrame(byte[] f, long srcMac, long dstMac, int src, int dst, int sport, int dport, int seq, int ack, int flags) {
        java.util.Arrays.fill(f, (byte) 0);
        EthernetFrame.writeHeader(f, 0, dstMac, srcMac, EtherType.IPV4);
        int ip = EthernetFrame.HEADER_LENGTH;
        int total = FRAME - ip;
        Ipv4Packet.writeHeader(f, ip, 0, total, 0, Ipv4Packet.FLAG_DF, 64, IpProtocol.TCP, src, dst);
        int t = ip + Ipv4Packet.MIN_HEADER_LENGTH;
        TcpSegment.writeHeader(f, t, sport, dport, seq, ack, flags, 0xffff);
        TcpSegment.fillChecksum(f, t, total - Ipv4Packet.MIN_HEADER_LENGTH, src, dst);
    }

    /** A 74-byte Ethernet/IPv6/TCP frame (hop limit 64, flow label 0, no options or payload), checksum filled. */
    static void tcpFrame6(byte[] f, long srcMac, long dstMac, long srcHi, long srcLo, long dstHi, long dstLo, int sport, int dport,
                          int seq, int ack, int flags) {
        java.util.Arrays.fill(f, 0, FRAME6, (byte) 0);
        EthernetFrame.writeHeader(f, 0, dstMac, srcMac, EtherType.IPV6);
        int ip = EthernetFrame.HEADER_LENGTH, t = ip + Ipv6Packet.HEADER_LENGTH, len = FRAME6 - t;
        Ipv6Packet.writeHeader(f, ip, 0, 0, len, IpProtocol.TCP, 64, srcHi, srcLo, dstHi, dstLo);
        TcpSegment.writeHeader(f, t, sport, dport, seq, ack, flags, 0xffff);
        TcpSegment.fillChecksum6(f, t, len, srcHi, srcLo, dstHi, dstLo);
    }

    long sink() {
        return sink;
    }
}

package jnat.gateway;

import jnat.conntrack.ConntrackTool;
import jnat.host.Host;
import jnat.linux.PacketHandler;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.TcpSegment;
import jnat.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway with two workers gives what it gives with one: the lab's rules (MASQUERADE out of
 * eth0, Docker's DNAT of port 10000), UDP flows from the container and TCP connections from the
 * internet to the published port, each packet handed to a worker at random (as the kernel's queue
 * choice may), the two workers running at once. Every packet's output frames and the conntrack
 * table afterwards must equal the one-worker run's over the same packets in the same order.
 */
class GatewayWorkersTest {
    static final int CONTAINER = Ipv4Address.parse("172.17.0.2"), GW = Ipv4Address.parse("203.0.113.10");

    /** One packet of the script: its flow, its interface (0 docker0, 1 eth0) and its bytes. */
    record Step(int flow, int ifIndex, byte[] packet) {}

    @Test
    void twoWorkersSendTheFramesAndKeepTheConntrackTableOfOne() throws Exception {
        List<Step> script = script(40, 30, 7);
        Map<Integer, List<String>> one = new TreeMap<>(), two = new TreeMap<>();
        String ctOne = run(script, 1, one), ctTwo = run(script, 2, two);
        assertEquals(one, two);
        assertEquals(sorted(ctOne), sorted(ctTwo)); // listed by id, which follows the order the workers created them
        assertTrue(ctOne.lines().count() == 70, ctOne); // every flow tracked
        assertTrue(one.values().stream().allMatch(l -> l.size() == 1), "every packet forwarded once");
        // with two workers, the packets of established flows ran on both lanes at once
        assertTrue(concurrent.get() >= 100, "packets run concurrently: " + concurrent.get());
    }

    /** The last two-worker run's {@link NatEngine#concurrentPackets}. */
    static final java.util.concurrent.atomic.AtomicLong concurrent = new java.util.concurrent.atomic.AtomicLong();

    static List<String> sorted(String listing) {
        return listing.lines().sorted().toList();
    }

    @Test
    void conntrackStatisticsHaveOneLinePerWorker() throws Exception {
        NatEngine engine = engine();
        Gateway g = new Gateway(engine, attachments(engine), 2);
        String s = g.withEngine(e -> ConntrackTool.run(e.connections(), List.of("-S"), 0).stdout());
        assertEquals(2, s.lines().count(), s);
        assertTrue(s.startsWith("cpu=0   \t") && s.contains("\ncpu=1   \t"), s);
    }

    static NatEngine engine() throws Exception {
        Host host = Host.fromFile(Path.of("scripts/lab-host.ip"));
        return new NatEngine(host, Ruleset.parse(Files.readString(Path.of("scripts/lab.rules"))));
    }

    static List<Gateway.Attachment> attachments(NatEngine e) {
        return List.of(new Gateway.Attachment(e.host().device("docker0"), "jnat-docker0"),
                new Gateway.Attachment(e.host().device("eth0"), "jnat-eth0"));
    }

    /** Runs the script through a gateway of {@code workers} workers; each packet's frames into {@code out}; returns conntrack -L. */
    static String run(List<Step> script, int workers, Map<Integer, List<String>> out) throws Exception {
        return run(script, workers, out, engine());
    }

    /** {@link #run(List, int, Map)} through {@code engine}. */
    static String run(List<Step> script, int workers, Map<Integer, List<String>> out, NatEngine engine) throws Exception {
        Gateway g = new Gateway(engine, attachments(engine), workers);
        Map<Integer, List<String>> frames = new ConcurrentHashMap<>();
        int[] owner = new int[script.size()];
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < owner.length; i++) owner[i] = workers == 1 ? 0 : r.nextInt(workers);
        int flows = script.stream().mapToInt(Step::flow).max().orElse(0) + 1;
        AtomicIntegerArray lastDone = new AtomicIntegerArray(flows); // per flow: 1 + the index of its last packet done
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int w = 0; w < workers; w++) {
            int me = w;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    Out tx = new Out(me, frames);
                    int[] previous = new int[flows]; // per flow: 1 + the index of its packet before this one
                    int[] seen = new int[flows];
                    for (int i = 0; i < script.size(); i++) {
                        Step s = script.get(i);
                        int before = seen[s.flow()];
                        seen[s.flow()] = i + 1;
                        if (owner[i] != me) continue;
                        while (lastDone.get(s.flow()) != before) Thread.onSpinWait(); // the flow's order, as one queue keeps it
                        byte[] buf = new byte[64 + s.packet().length];
                        System.arraycopy(s.packet(), 0, buf, 32, s.packet().length);
                        tx.current = i;
                        g.receive(s.ifIndex(), buf, 32, s.packet().length, 1_000_000_000L + i * 1000L, tx);
                        lastDone.set(s.flow(), i + 1);
                        previous[s.flow()] = i + 1;
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(List.of(), failures);
        if (workers > 1) concurrent.set(engine.concurrentPackets());
        out.putAll(frames);
        return g.withEngine(e -> ConntrackTool.run(e.connections(), List.of("-L"), 1_000_000_000L + script.size() * 1000L).stdout());
    }

    /** A loop worker stand-in: records what it writes under the index of the packet being received. */
    static final class Out implements PacketHandler.Transmit {
        final int worker;
        final Map<Integer, List<String>> frames;
        int current;

        Out(int worker, Map<Integer, List<String>> frames) {
            this.worker = worker;
            this.frames = frames;
        }

        @Override
        public int worker() {
            return worker;
        }

        @Override
        public void transmit(int ifIndex, byte[] buf, int off, int len) {
            frames.computeIfAbsent(current, k -> new ArrayList<>())
                    .add(ifIndex + ":" + HexFormat.of().formatHex(Arrays.copyOfRange(buf, off, off + len)));
        }
    }

    /**
     * {@code udp} UDP flows from the container (three datagrams out, three answers) and {@code tcp}
     * TCP connections from the internet to port 10000 (handshake, data both ways), interleaved at
     * random but in order within each flow.
     */
    static List<Step> script(int udp, int tcp, long seed) {
        List<List<Step>> flows = new ArrayList<>();
        for (int f = 0; f < udp; f++) {
            int server = Ipv4Address.parse("198.51.100.1") + f % 5, port = 40000 + f;
            List<Step> s = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                s.add(new Step(f, 0, udp(CONTAINER, server, port, 53, k)));
                s.add(new Step(f, 1, udp(server, GW, 53, port, k))); // MASQUERADE keeps a free port
            }
            flows.add(s);
        }
        for (int c = 0; c < tcp; c++) {
            int f = udp + c, client = Ipv4Address.parse("198.51.100.50") + c % 3, port = 50000 + c;
            List<Step> s = new ArrayList<>();
            s.add(new Step(f, 1, tcp(client, GW, port, 10000, 100, 0, TcpSegment.SYN, 0)));
            s.add(new Step(f, 0, tcp(CONTAINER, client, 8000, port, 900, 101, TcpSegment.SYN | TcpSegment.ACK, 0)));
            s.add(new Step(f, 1, tcp(client, GW, port, 10000, 101, 901, TcpSegment.ACK, 0)));
            s.add(new Step(f, 1, tcp(client, GW, port, 10000, 101, 901, TcpSegment.ACK | TcpSegment.PSH, 20)));
            s.add(new Step(f, 0, tcp(CONTAINER, client, 8000, port, 901, 121, TcpSegment.ACK | TcpSegment.PSH, 30)));
            flows.add(s);
        }
        SplittableRandom r = new SplittableRandom(seed);
        int[] next = new int[flows.size()];
        List<Step> out = new ArrayList<>();
        int left = flows.stream().mapToInt(List::size).sum();
        while (left-- > 0) {
            int f;
            do f = r.nextInt(flows.size()); while (next[f] == flows.get(f).size());
            out.add(flows.get(f).get(next[f]++));
        }
        return out;
    }

    static byte[] udp(int src, int dst, int sport, int dport, int k) {
        int len = 28 + 8;
        byte[] b = new byte[len];
        Ipv4Packet.writeHeader(b, 0, 0, len, 1000 + k, 0, 64, IpProtocol.UDP, src, dst);
        UdpDatagram.writeHeader(b, 20, sport, dport, len - 20);
        b[28] = (byte) k;
        UdpDatagram.fillChecksum(b, 20, len - 20, src, dst);
        return b;
    }

    static byte[] tcp(int src, int dst, int sport, int dport, int seq, int ack, int flags, int payload) {
        int len = 40 + payload;
        byte[] b = new byte[len];
        Ipv4Packet.writeHeader(b, 0, 0, len, 0, Ipv4Packet.FLAG_DF, 64, IpProtocol.TCP, src, dst);
        TcpSegment.writeHeader(b, 20, sport, dport, seq, ack, flags, 0xffff);
        TcpSegment.fillChecksum(b, 20, len - 20, src, dst);
        return b;
    }
}

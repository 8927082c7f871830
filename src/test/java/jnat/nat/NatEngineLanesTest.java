package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Tuple;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.Ruleset;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Engine lanes running concurrently ({@link NatEngine#setLanes}, {@link NatEngine#receiveConcurrent}):
 * two threads, each on its lane, send the established packets of the same MASQUERADEd connections
 * at once, as two CPUs may get one flow's packets. What must hold is what holds on the kernel's
 * CPUs: every packet leaves rewritten as one engine rewrites it, the connection's counters
 * (updated under its lock, ct->lock) count every packet, the table stays consistent, and a packet
 * that needs the table changed (a new connection) runs with the engine to itself.
 */
class NatEngineLanesTest {
    static final String MASQUERADE = "*nat\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n";
    static final String CONTAINER = "172.17.0.2", SERVER = "198.51.100.7";
    static final int FLOWS = 16, PACKETS = 20_000;
    static final long T0 = 1_000_000_000L;

    static NatEngine engine() {
        NatEngine e = new NatEngine(Host.fromResource("/hosts/seed-docker-host.ip"), Ruleset.parse(MASQUERADE),
                new NatEngine.Config(1024, NatEngine.Config.DEFAULT_SEED, true));
        e.connections().setAccounting(true);
        return e;
    }

    static byte[] ack(int flow) {
        return EngineRig.fromContainer(CONTAINER, SERVER, TcpRepr.of(40000 + flow, 80).withSeq(1001).withAck(5001)
                .withFlags(TcpSegment.ACK).withWindow(64240));
    }

    /** The handshake of each flow, one thread, as one engine runs it. */
    static void open(NatEngine e, int flows) {
        Interface docker0 = e.host().device("docker0"), eth0 = e.host().device("eth0");
        Transmit none = (out, buf, off, len) -> { };
        for (int f = 0; f < flows; f++) {
            byte[] syn = EngineRig.fromContainer(CONTAINER, SERVER, TcpRepr.of(40000 + f, 80).withSeq(1000)
                    .withFlags(TcpSegment.SYN).withWindow(64240));
            e.receive(docker0, syn, 0, syn.length, T0, none);
            byte[] synAck = EngineRig.fromInternet(SERVER, "45.77.200.180", TcpRepr.of(80, 40000 + f).withSeq(5000)
                    .withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240));
            e.receive(eth0, synAck, 0, synAck.length, T0, none);
            byte[] ack = ack(f);
            e.receive(docker0, ack, 0, ack.length, T0, none);
        }
    }

    static int id(NatEngine e, int flow) {
        int ref = e.connections().find(new Tuple(6, EngineRig.ip(CONTAINER), EngineRig.ip(SERVER), 40000 + flow, 80), T0);
        assertTrue(ref >= 0, "flow " + flow + " tracked");
        return ConnTable.id(ref);
    }

    /** One address family's version of the rig: its engine, its handshakes, its ACKs, its lookups. */
    interface Family {
        NatEngine engine();

        void open(NatEngine e, int flows);

        byte[] ack(int flow);

        int id(NatEngine e, int flow);
    }

    static final Family IPV4 = new Family() {
        public NatEngine engine() { return NatEngineLanesTest.engine(); }
        public void open(NatEngine e, int flows) { NatEngineLanesTest.open(e, flows); }
        public byte[] ack(int flow) { return NatEngineLanesTest.ack(flow); }
        public int id(NatEngine e, int flow) { return NatEngineLanesTest.id(e, flow); }
    };

    /** Docker's --ipv6 bridge: fd49:efd7:54aa::2 to 2001:db8:8::7, MASQUERADEd by ip6tables' nat table. */
    static final Family IPV6 = new Family() {
        static final String C6 = "fd49:efd7:54aa::2", S6 = "2001:db8:8::7", PUBLIC6 = "2001:db8::10";

        public NatEngine engine() {
            NatEngine e = new NatEngine(Host.parse(EngineRig.resource("/hosts/seed-docker-host.ip") + EngineRig.DOCKER6_HOST, "rig.ip"),
                    new Ruleset(), new NatEngine.Config(1024, NatEngine.Config.DEFAULT_SEED, true));
            e.setRuleset6(Ruleset.parse(EngineRig.DOCKER6_RULES, true));
            e.connections().setAccounting(true);
            return e;
        }

        public void open(NatEngine e, int flows) {
            Interface docker0 = e.host().device("docker0"), eth0 = e.host().device("eth0");
            Transmit none = (out, buf, off, len) -> { };
            for (int f = 0; f < flows; f++) {
                byte[] syn = EngineRig.fromContainer6(C6, S6, TcpRepr.of(40000 + f, 80).withSeq(1000)
                        .withFlags(TcpSegment.SYN).withWindow(64240));
                e.receive(docker0, syn, 0, syn.length, T0, none);
                byte[] synAck = EngineRig.fromInternet6(S6, PUBLIC6, TcpRepr.of(80, 40000 + f).withSeq(5000)
                        .withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240));
                e.receive(eth0, synAck, 0, synAck.length, T0, none);
                byte[] ack = ack(f);
                e.receive(docker0, ack, 0, ack.length, T0, none);
            }
        }

        public byte[] ack(int flow) {
            return EngineRig.fromContainer6(C6, S6, TcpRepr.of(40000 + flow, 80).withSeq(1001).withAck(5001)
                    .withFlags(TcpSegment.ACK).withWindow(64240));
        }

        public int id(NatEngine e, int flow) {
            long[] c = EngineRig.ip6(C6), s = EngineRig.ip6(S6);
            int ref = e.connections().find(new Tuple().set6(6, c[0], c[1], s[0], s[1], 40000 + flow, 80), T0);
            assertTrue(ref >= 0, "flow " + flow + " tracked");
            return ConnTable.id(ref);
        }
    };

    @Test
    void twoLanesSendingOneConnectionsPacketsCountEveryPacketAndRewriteEachAsOneEngine() throws Exception {
        twoLanesOnTheSameConnections(IPV4);
    }

    @Test
    void twoLanesSendingOneIpv6ConnectionsPacketsCountEveryPacketAndRewriteEachAsOneEngine() throws Exception {
        twoLanesOnTheSameConnections(IPV6);
    }

    static void twoLanesOnTheSameConnections(Family family) throws Exception {
        NatEngine reference = family.engine();
        family.open(reference, FLOWS);
        List<String> expected = new ArrayList<>();
        for (int f = 0; f < FLOWS; f++) expected.add(sendOne(reference, family.ack(f), T0 + 1));
        assertTrue(expected.stream().allMatch(x -> x != null && x.startsWith("eth0 ")), "forwarded: " + expected.get(0));

        NatEngine e = family.engine();
        family.open(e, FLOWS);
        long[] before = new long[FLOWS];
        for (int f = 0; f < FLOWS; f++) before[f] = e.connections().packets(family.id(e, f), ConnTable.ORIGINAL);
        e.setLanes(2);
        e.startConcurrent();
        List<String> wrong = new CopyOnWriteArrayList<>();
        runOnTwoLanes(e, PACKETS, family::ack, (out, f) -> {
            if (!expected.get(f).equals(out)) wrong.add(f + ": " + out);
        });
        assertEquals(List.of(), wrong.stream().limit(3).toList());
        assertEquals(2L * PACKETS, e.concurrentPackets(), "every packet ran beside the other lane's");
        for (int f = 0; f < FLOWS; f++) {
            assertEquals(before[f] + 2L * PACKETS / FLOWS, e.connections().packets(family.id(e, f), ConnTable.ORIGINAL), "flow " + f);
        }
        e.connections().checkConsistency();
    }

    @Test
    void aNewConnectionFromALaneRunsWithTheEngineToItself() {
        NatEngine e = engine();
        open(e, 1);
        e.setLanes(2);
        e.startConcurrent();
        Interface docker0 = e.host().device("docker0");
        byte[] syn = EngineRig.fromContainer(CONTAINER, SERVER, TcpRepr.of(41000, 80).withSeq(1000)
                .withFlags(TcpSegment.SYN).withWindow(64240));
        List<String> out = new ArrayList<>();
        e.lane(1).receiveConcurrent(docker0, syn, 0, syn.length, T0 + 1, null, (o, buf, off, len) -> out.add(o.name()));
        assertEquals(List.of("eth0"), out);
        assertEquals(0, e.concurrentPackets());
        assertEquals(2, e.connections().count());
        e.connections().checkConsistency();
    }

    @Test
    void dockersFilterTableRunsOnBothLanesAndCountsEveryPacket() throws Exception {
        // Docker's FORWARD (DOCKER-USER, both isolation stages, the conntrack and docker0 rules): every match stateless
        NatEngine e = new NatEngine(Host.fromResource("/hosts/seed-docker-host.ip"),
                Ruleset.parse(EngineRig.SEED_RULES + EngineRig.resource("/filter/docker-filter.rules")));
        open(e, FLOWS);
        e.setLanes(2);
        e.startConcurrent();
        long before = outOfDocker0(e);
        runOnTwoLanes(e, 5_000);
        assertEquals(10_000, e.concurrentPackets());
        assertEquals(before + 10_000, outOfDocker0(e), "-i docker0 ! -o docker0 -j ACCEPT counts both lanes' packets");
    }

    /** The packets FORWARD's -i docker0 ! -o docker0 -j ACCEPT counted. */
    static long outOfDocker0(NatEngine e) {
        return e.exclusive(() -> {
            for (jnat.rules.Rule r : e.ruleset().existing("filter").chain("FORWARD").rules()) {
                if (r.inIface.equals("docker0") && r.outIface.equals("docker0") && r.jump() == null) return r.packets;
            }
            throw new AssertionError("no -i docker0 ! -o docker0 rule");
        });
    }

    @Test
    void aGsoPacketWhoseSegmentsFitTheDeviceRunsConcurrently() {
        // a TUN device with offloads hands in 64 KB TCP segments with DF: ip_exceeds_mtu counts their segments
        NatEngine e = engine();
        open(e, 1);
        e.setLanes(2);
        e.startConcurrent();
        byte[] big = EngineRig.fromContainer(jnat.wire.Ipv4Repr.of(CONTAINER, SERVER).withDontFragment(true),
                TcpRepr.of(40000, 80).withSeq(1001).withAck(5001).withFlags(TcpSegment.ACK | TcpSegment.PSH)
                        .withWindow(64240).withPayload(EngineRig.payload(4000)));
        jnat.wire.Offload gso = new jnat.wire.Offload();
        gso.gsoType = jnat.wire.Offload.GSO_TCPV4;
        gso.gsoSize = 1448;
        List<Integer> out = new ArrayList<>();
        e.lane(1).receiveConcurrent(e.host().device("docker0"), big, 0, big.length, T0 + 1, gso, (o, buf, off, len) -> out.add(len));
        assertEquals(List.of(big.length), out);
        assertEquals(1, e.concurrentPackets());
    }

    @Test
    void aRuleWithStateKeepsTheLanesExclusive() throws Exception {
        // -m limit's bucket is the rule's: two lanes at once would race on it
        NatEngine e = new NatEngine(Host.fromResource("/hosts/seed-docker-host.ip"), Ruleset.parse(MASQUERADE
                + "*filter\n-A FORWARD -m limit --limit 1000/s -j ACCEPT\nCOMMIT\n"));
        open(e, FLOWS);
        e.setLanes(2);
        e.startConcurrent();
        runOnTwoLanes(e, 1_000);
        assertEquals(0, e.concurrentPackets());
        e.connections().checkConsistency();
    }

    /** Two threads, lane 0 and lane 1, each sending {@code packets} ACKs of the flows at once. */
    static void runOnTwoLanes(NatEngine e, int packets) throws Exception {
        runOnTwoLanes(e, packets, NatEngineLanesTest::ack, (out, f) -> { });
    }

    /**
     * Two threads, lane 0 and lane 1, each sending {@code packets} frames at once (packet k is flow
     * k mod {@link #FLOWS}'s {@code frame}), each packet's output (device and bytes in hex, null:
     * none) given to {@code check} with its flow.
     */
    static void runOnTwoLanes(NatEngine e, int packets, java.util.function.IntFunction<byte[]> frame,
                              java.util.function.ObjIntConsumer<String> check) throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CyclicBarrier start = new CyclicBarrier(2);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            NatEngine lane = e.lane(w);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    Interface docker0 = lane.host().device("docker0");
                    String[] out = new String[1];
                    Transmit tx = (o, buf, off, len) -> out[0] = o.name() + " " + HexFormat.of().formatHex(buf, off, off + len);
                    start.await();
                    for (int k = 0; k < packets; k++) {
                        byte[] b = frame.apply(k % FLOWS);
                        out[0] = null;
                        lane.receiveConcurrent(docker0, b, 0, b.length, T0 + 1, null, tx);
                        check.accept(out[0], k % FLOWS);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(List.of(), failures);
    }

    static String sendOne(NatEngine e, byte[] b, long now) {
        String[] out = new String[1];
        e.receive(e.host().device("docker0"), b, 0, b.length, now,
                (o, buf, off, len) -> out[0] = o.name() + " " + HexFormat.of().formatHex(buf, off, off + len));
        return out[0];
    }
}

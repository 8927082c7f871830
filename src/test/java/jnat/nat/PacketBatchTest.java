package jnat.nat;

import jnat.conntrack.ConntrackPrinter;
import jnat.host.Interface;
import jnat.wire.ArpRepr;
import jnat.wire.EthernetRepr;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Packet;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromContainer6;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.fromInternet6;
import static jnat.nat.EngineRig.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NatEngine#receive(PacketBatch, Transmit)} is receiving the frames one by one, in order:
 * the same frames go into two engines on the seed's dual-stack Docker host, one frame per call
 * into the first and in batches into the second, and both must send the same frames byte for
 * byte in the same order, deliver the same packets, drop the same and end with the same
 * conntrack table. The frames are the cases where running a stage over a whole batch first would
 * differ: a SYN and its retransmission in one batch (the first's connection must be confirmed
 * before the second is looked up), fragments completing a datagram, the host's own answers (an
 * echo reply, ARP), and packets conntrack refuses.
 */
class PacketBatchTest {
    static final String CONTAINER = "172.17.0.2", SERVER = "198.51.100.8", DNS = "8.8.8.8";
    static final String CLIENT = "114.246.99.100", PUBLIC = "45.77.200.180";
    static final String CONTAINER6 = "fd49:efd7:54aa::2", SERVER6 = "2001:db8:8::1";

    final EngineRig one = EngineRig.seedDocker6(), batched = EngineRig.seedDocker6();
    final Interface eth0 = one.device("eth0"), docker0 = one.device("docker0");
    final List<Interface> ins = new ArrayList<>();
    final List<byte[]> frames = new ArrayList<>();

    void add(Interface in, byte[] frame) {
        ins.add(in);
        frames.add(frame);
    }

    /** The first packets of new flows, and the cases around them. */
    void firstPackets() {
        TcpRepr syn = TcpRepr.of(40000, 80).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240);
        add(docker0, fromContainer(CONTAINER, SERVER, syn));
        add(docker0, fromContainer(CONTAINER, SERVER, syn)); // its retransmission, in the same batch
        add(docker0, fromContainer(CONTAINER, SERVER, TcpRepr.of(40001, 80).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240)));
        add(docker0, fromContainer(CONTAINER, DNS, UdpRepr.of(5353, 53).withPayload(payload(40))));
        add(docker0, fromContainer(Ipv4Repr.of(CONTAINER, DNS), IcmpRepr.echoRequest(7, 1, new byte[8])));
        add(eth0, fromInternet(CLIENT, PUBLIC, TcpRepr.of(60677, 10000).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240)));
        add(eth0, fromInternet(Ipv4Repr.of(CLIENT, PUBLIC), IcmpRepr.echoRequest(9, 1, new byte[8]))); // answered by the host
        add(eth0, Arrays.copyOf(fromInternet(CLIENT, PUBLIC, TcpRepr.of(1, 2)), 20)); // truncated
        add(docker0, EthernetRepr.of(EngineRig.CONTAINER_MAC, "ff:ff:ff:ff:ff:ff")
                .frame(ArpRepr.request(EngineRig.CONTAINER_MAC, CONTAINER, "172.17.0.1")));
        byte[] bad = fromContainer(CONTAINER, SERVER, TcpRepr.of(40002, 80).withSeq(1000).withFlags(TcpSegment.SYN));
        bad[bad.length - 1] ^= 0x5a; // the TCP checksum no longer holds: INVALID
        add(docker0, bad);
        byte[] datagram = Ipv4Repr.of(CONTAINER, SERVER).withIdentification(0x4242).withTtl(64)
                .packet(UdpRepr.of(40000, 4789).withPayload(payload(2000)));
        for (byte[] f : Fragments.cut(datagram, false, 1480)) add(docker0, EthernetRepr.of(EngineRig.CONTAINER_MAC, EngineRig.DOCKER0_MAC).frame(f));
        add(docker0, fromContainer6(CONTAINER6, SERVER6, TcpRepr.of(41000, 443).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240)));
    }

    /** The servers' SYN-ACKs to every SYN the one-by-one engine sent out of eth0, to the address it left with. */
    void synAcks() {
        for (EngineRig.Sent s : one.sent()) {
            if (!s.dev().equals("eth0")) continue;
            if (s.etherType() == jnat.wire.EtherType.IPV6) {
                Ipv6Packet p = s.ip6();
                TcpRepr back = TcpRepr.of(p.dstPort(), p.srcPort()).withSeq(5000).withAck(1001)
                        .withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240);
                add(eth0, fromInternet6(jnat.wire.Ipv6Repr.of(p.dstHi(), p.dstLo(), p.srcHi(), p.srcLo()), back));
                continue;
            }
            Ipv4Packet p = s.ip();
            if (p.protocol() != 6) continue;
            add(eth0, fromInternet(Ipv4Repr.of(p.dst(), p.src()), TcpRepr.of(p.dstPort(), p.srcPort()).withSeq(5000)
                    .withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240)));
        }
    }

    /** Runs the frames gathered so far through both engines (and forgets them), {@code batchSize} a call for the second. */
    void run(int batchSize) {
        run(one, batched, batchSize);
    }

    void run(EngineRig one, EngineRig batched, int batchSize) {
        for (int i = 0; i < frames.size(); i++) one.receive(ins.get(i), frames.get(i));
        batched.receiveBatch(ins, frames, batchSize);
        ins.clear();
        frames.clear();
    }

    void assertSame() {
        assertSame(one, batched);
    }

    static void assertSame(EngineRig one, EngineRig batched) {
        assertEquals(render(one.sent()), render(batched.sent()), "the frames sent, in order");
        assertEquals(one.delivered().stream().map(Arrays::toString).toList(),
                batched.delivered().stream().map(Arrays::toString).toList(), "the packets delivered");
        assertEquals(one.dropSummary(), batched.dropSummary(), "the drops");
        assertEquals(one.engine().invalid(), batched.engine().invalid(), "INVALID packets");
        ConntrackPrinter printer = new ConntrackPrinter();
        assertEquals(printer.list(one.engine().connections(), one.now), printer.list(batched.engine().connections(), batched.now));
    }

    static List<String> render(List<EngineRig.Sent> sent) {
        return sent.stream().map(s -> s.dev() + " " + Arrays.toString(s.frame())).toList();
    }

    @Test
    void aBatchSendsWhatTheFramesOneByOneSend() {
        firstPackets();
        run(PacketBatch.DEFAULT_CAPACITY);
        assertSame();
        assertEquals(0, one.drops(DropReason.CONNTRACK_CLASH), "the retransmitted SYN found its connection");
        // three SYNs (one a retransmission), the DNS query, the ping, the host's echo reply, the SYN with
        // the bad checksum (INVALID: forwarded un-NATed), the datagram in two fragments, the IPv6 SYN
        assertEquals(10, one.sent().stream().filter(s -> s.dev().equals("eth0")).count(), "frames out of eth0");
    }

    @Test
    void connectionsOpenedAndUsedInBatchesEndAsOpenedOneByOne() {
        firstPackets();
        run(PacketBatch.DEFAULT_CAPACITY);
        synAcks();
        run(PacketBatch.DEFAULT_CAPACITY);
        // 70 established packets from the container on each of its two IPv4 flows: more than one batch
        for (EngineRig.Sent s : one.sent()) {
            if (!s.dev().equals("docker0") || s.etherType() != jnat.wire.EtherType.IPV4 || s.ip().protocol() != 6) continue;
            Ipv4Packet p = s.ip();
            for (int k = 0; k < 70; k++) {
                add(docker0, fromContainer(Ipv4Repr.of(p.dst(), p.src()), TcpRepr.of(p.dstPort(), p.srcPort())
                        .withSeq(1001 + 10 * k).withAck(5001).withFlags(TcpSegment.ACK | TcpSegment.PSH).withPayload(payload(10))
                        .withWindow(64240)));
            }
        }
        assertTrue(frames.size() >= 140, "established frames: " + frames.size());
        int before = one.sent().size(), established = frames.size();
        run(PacketBatch.DEFAULT_CAPACITY);
        assertSame();
        assertEquals(established, one.sent().size() - before, "every established packet forwarded");
    }

    @Test
    void batchesOfOneAndOfSevenSendTheSame() {
        firstPackets();
        for (int i = 0; i < frames.size(); i++) one.receive(ins.get(i), frames.get(i));
        batched.receiveBatch(ins, frames, 7);
        assertSame();
    }

    @Test
    void aBatchIsTracedPacketByPacketInOrder() {
        List<String> a = new ArrayList<>(), b = new ArrayList<>();
        one.tracer(a::add);
        batched.tracer(b::add);
        firstPackets();
        run(PacketBatch.DEFAULT_CAPACITY);
        assertTrue(a.size() > frames.size(), "the trace has lines");
        assertEquals(a, b);
    }

    /**
     * New connections to kube-proxy services (40 of them: KUBE-SERVICES is an indexed run, each
     * service DNATs to its endpoint, then MASQUERADE --random-fully), several to a service in one
     * batch: what the batch's touches read ahead (the indexed run's rules and chains, the slot of
     * the port --random-fully will draw) changes nothing the packets do.
     */
    @Test
    void aBatchThroughKubeProxyRulesSendsWhatTheFramesOneByOneSend() {
        String kube = jnat.bench.KubeProxyRules.generate(40);
        EngineRig a = EngineRig.seedDockerHost().rules(kube), b = EngineRig.seedDockerHost().rules(kube);
        for (int k = 0; k < 150; k++) {
            String service = jnat.wire.Ipv4Address.format(jnat.bench.KubeProxyRules.clusterIp(k % 40));
            add(docker0, fromContainer("172.17.0." + (2 + k % 7), service,
                    TcpRepr.of(40000 + k, 80).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240)));
        }
        run(a, b, PacketBatch.DEFAULT_CAPACITY);
        assertSame(a, b);
        long masqueraded = a.sent().stream().filter(s -> s.dev().equals("eth0") && s.ip().src() == jnat.wire.Ipv4Address.parse(PUBLIC))
                .count();
        assertEquals(150, masqueraded, "every SYN DNATed to its endpoint and masqueraded out of eth0");
    }
}

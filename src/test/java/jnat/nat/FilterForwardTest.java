package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.Ruleset;
import jnat.wire.EthernetFrame;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static jnat.nat.NatEngineTest.fromContainer;
import static jnat.nat.NatEngineTest.fromInternet;
import static jnat.nat.NatEngineTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The filter table at FORWARD, with the rules dockerd writes beside its nat rules (FORWARD policy
 * DROP, only published ports and established traffic let in to docker0): a packet from the
 * internet routed straight to the container's address is dropped, as in the kernel.
 */
class FilterForwardTest {
    static final String DOCKER_FILTER = resource("/filter/docker-filter.rules");

    NatEngine engine;
    Interface eth0, docker0;
    final List<String> sent = new ArrayList<>();
    long now = 1000_000_000_000L;

    @BeforeEach
    void dockerHost() {
        Host host = Host.fromResource("/hosts/seed-docker-host.ip");
        engine = new NatEngine(host, Ruleset.parse(resource("/demo/seed-docker.rules") + DOCKER_FILTER));
        eth0 = host.device("eth0");
        docker0 = host.device("docker0");
    }

    /** Where the frame left and the packet's "src:sport > dst:dport", or nothing when dropped. */
    void receive(Interface in, byte[] frame) {
        now += 1_000_000;
        engine.receive(in, frame, 0, frame.length, now, (out, buf, off, len) -> {
            Ipv4Packet p = new Ipv4Packet();
            byte[] b = Arrays.copyOfRange(buf, off, off + len);
            assertEquals(WireError.OK, p.wrap(b, EthernetFrame.HEADER_LENGTH, len - EthernetFrame.HEADER_LENGTH));
            sent.add(out.name() + " " + Ipv4Address.format(p.src()) + ":" + p.srcPort() + " > "
                    + Ipv4Address.format(p.dst()) + ":" + p.dstPort());
        });
    }

    static TcpRepr syn(int sport, int dport) {
        return TcpRepr.of(sport, dport).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240);
    }

    @Test
    void unsolicitedPacketToTheContainersAddressIsDroppedAtForward() {
        receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "172.17.0.2"), syn(40000, 22)));
        assertEquals(List.of(), sent);
        assertEquals(1, engine.drops(DropReason.FILTER_DROP));
        assertEquals(0, engine.connections().count(), "the dropped packet's connection is never confirmed");
    }

    @Test
    void publishedPortIsLetInAndItsRepliesOut() {
        receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), syn(40000, 10000)));
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "114.246.99.100"), TcpRepr.of(8000, 40000)
                .withSeq(5000).withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240)));
        receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), TcpRepr.of(40000, 10000)
                .withSeq(1001).withAck(5001).withFlags(TcpSegment.ACK).withWindow(64240)));
        assertEquals(List.of("docker0 114.246.99.100:40000 > 172.17.0.2:8000",
                "eth0 45.77.200.180:10000 > 114.246.99.100:40000",
                "docker0 114.246.99.100:40000 > 172.17.0.2:8000"), sent);
        assertEquals(0, engine.drops(DropReason.FILTER_DROP));
    }

    @Test
    void containersOwnTrafficGoesOutAndItsRepliesComeBack() {
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), IcmpRepr.echoRequest(7, 1, new byte[8])));
        receive(eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180"), IcmpRepr.echoReply(7, 1, new byte[8])));
        assertEquals(2, sent.size(), sent.toString());
        assertEquals(0, engine.drops(DropReason.FILTER_DROP));
    }

    @Test
    void forwardPolicyCountsWhatItDropped() {
        receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "172.17.0.2"), syn(40000, 8080)));
        var forward = engine.ruleset().existing("filter").chain("FORWARD");
        assertEquals(1, forward.rules().get(3).packets, "-o docker0 -j DOCKER saw it");
        assertEquals(1, forward.policyPackets, "the DROP policy counted it");
    }
}

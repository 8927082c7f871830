package jnat.nat;

import jnat.host.Interface;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.resource;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The filter table at FORWARD, with the rules dockerd writes beside its nat rules (FORWARD policy
 * DROP, only published ports and established traffic let in to docker0): a packet from the
 * internet routed straight to the container's address is dropped, as in the kernel.
 */
class FilterForwardTest {
    static final String DOCKER_FILTER = resource("/filter/docker-filter.rules");

    final EngineRig rig = EngineRig.seedDockerHost().ipv4Only().rules(EngineRig.SEED_RULES + DOCKER_FILTER);
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final NatEngine engine = rig.engine();

    @Test
    void unsolicitedPacketToTheContainersAddressIsDroppedAtForward() {
        rig.receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "172.17.0.2"), syn(40000, 22)));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
        assertEquals(0, engine.connections().count(), "the dropped packet's connection is never confirmed");
    }

    @Test
    void publishedPortIsLetInAndItsRepliesOut() {
        rig.receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), syn(40000, 10000)));
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "114.246.99.100"), TcpRepr.of(8000, 40000)
                .withSeq(5000).withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240)));
        rig.receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), TcpRepr.of(40000, 10000)
                .withSeq(1001).withAck(5001).withFlags(TcpSegment.ACK).withWindow(64240)));
        assertEquals(List.of("docker0 114.246.99.100:40000 > 172.17.0.2:8000",
                "eth0 45.77.200.180:10000 > 114.246.99.100:40000",
                "docker0 114.246.99.100:40000 > 172.17.0.2:8000"), rig.summaries());
        assertEquals(0, rig.drops(DropReason.FILTER_DROP));
    }

    @Test
    void containersOwnTrafficGoesOutAndItsRepliesComeBack() {
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), IcmpRepr.echoRequest(7, 1, new byte[8])));
        rig.receive(eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180"), IcmpRepr.echoReply(7, 1, new byte[8])));
        assertEquals(2, rig.sent().size(), rig.summaries().toString());
        assertEquals(0, rig.drops(DropReason.FILTER_DROP));
    }

    @Test
    void forwardPolicyCountsWhatItDropped() {
        rig.receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "172.17.0.2"), syn(40000, 8080)));
        var forward = engine.ruleset().existing("filter").chain("FORWARD");
        assertEquals(1, forward.rules().get(3).packets, "-o docker0 -j DOCKER saw it");
        assertEquals(1, forward.policyPackets, "the DROP policy counted it");
    }
}

package jnat.nat;

import jnat.host.Host;
import jnat.rules.Iptables;
import jnat.rules.Ruleset;
import jnat.wire.EthernetFrame;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.MacAddress;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NatEngine#send}: packets the host itself sends (OUTPUT, then POSTROUTING), on a Docker host. */
class LocalOutputTest {
    static final String RULES = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :DOCKER - [0:0]
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
            -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
            -A DOCKER -i docker0 -j RETURN
            -A DOCKER ! -i docker0 -p tcp -m tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000
            COMMIT
            """;

    final Host host = Host.parse(KernelConformanceRegressionTest.HOST, "local.ip");
    final NatEngine engine = new NatEngine(host, Ruleset.parse(RULES));
    final List<String> devices = new ArrayList<>();
    final List<byte[]> frames = new ArrayList<>();
    long now = 1_000_000_000_000L;

    void send(byte[] packet) {
        now += 1_000_000;
        engine.send(packet, 0, packet.length, now, (out, b, off, len) -> {
            devices.add(out.name());
            frames.add(Arrays.copyOfRange(b, off, off + len));
        });
    }

    static Ipv4Packet ip(byte[] frame) {
        Ipv4Packet p = new Ipv4Packet();
        assertEquals(WireError.OK, p.wrap(frame, EthernetFrame.HEADER_LENGTH, frame.length - EthernetFrame.HEADER_LENGTH));
        return p;
    }

    @Test
    void connectionToTheHostsOwnPublishedPortIsDnatedInOutputAndLeavesOnTheBridge() {
        send(Ipv4Repr.of("203.0.113.2", "203.0.113.2").packet(TcpRepr.of(45000, 10000).withFlags(TcpSegment.SYN)));
        assertEquals(List.of("docker0"), devices);
        byte[] f = frames.getFirst();
        assertEquals(MacAddress.parse("02:42:ac:11:00:02"), MacAddress.read(f, 0));
        Ipv4Packet p = ip(f);
        assertEquals(Ipv4Address.parse("172.17.0.2"), p.dst());
        assertEquals(8000, p.dstPort());
        assertEquals(Ipv4Address.parse("203.0.113.2"), p.src());
        assertEquals(64, p.ttl(), "a local packet is not forwarded: no TTL decrement");
        assertTrue(p.verifyChecksum() && p.verifyTransportChecksum());
        String listing = Iptables.run(engine.ruleset(), List.of("-t", "nat", "-nvxL", "OUTPUT")).output();
        assertTrue(listing.contains("       1       40 DOCKER "), listing);
    }

    @Test
    void localPingToTheInternetLeavesUnchangedAndItsReplyIsDelivered() {
        byte[] echo = Ipv4Repr.of("203.0.113.2", "198.51.100.7").withDontFragment(false)
                .packet(IcmpRepr.echoRequest(77, 1, new byte[8]));
        send(echo);
        assertEquals(List.of("eth0"), devices);
        assertEquals(Arrays.toString(echo), Arrays.toString(Arrays.copyOfRange(frames.getFirst(), 14, frames.getFirst().length)));
        assertEquals(1, engine.connections().count());

        byte[] reply = jnat.wire.EthernetRepr.of(KernelConformanceRegressionTest.ROUTER, KernelConformanceRegressionTest.ETH0)
                .frame(Ipv4Repr.of("198.51.100.7", "203.0.113.2").withDontFragment(false), IcmpRepr.echoReply(77, 1, new byte[8]));
        engine.receive(host.device("eth0"), reply, 0, reply.length, now + 1_000_000, (out, b, off, len) -> frames.add(b));
        assertEquals(1, frames.size(), "the reply is for the host: nothing leaves");
        assertEquals(1, engine.deliveredLocally());
    }

    @Test
    void localUdpToAContainerIsTrackedAndConfirmed() {
        send(Ipv4Repr.of("172.17.0.1", "172.17.0.3").withDontFragment(false).packet(UdpRepr.of(41000, 53).withPayload(new byte[4])));
        assertEquals(List.of("docker0"), devices);
        assertEquals(1, engine.connections().count());
    }
}

package jnat.nat;

import jnat.nat.EngineRig.Sent;
import jnat.rules.Iptables;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.MacAddress;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

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

    final EngineRig rig = EngineRig.host(KernelConformanceRegressionTest.HOST).rules(RULES);
    final NatEngine engine = rig.engine();

    @Test
    void connectionToTheHostsOwnPublishedPortIsDnatedInOutputAndLeavesOnTheBridge() {
        rig.send(Ipv4Repr.of("203.0.113.2", "203.0.113.2").packet(TcpRepr.of(45000, 10000).withFlags(TcpSegment.SYN)));
        assertEquals(List.of("docker0"), rig.devices());
        Sent s = rig.sent().getFirst();
        assertEquals(MacAddress.parse("02:42:ac:11:00:02"), MacAddress.read(s.frame(), 0));
        Ipv4Packet p = s.ip();
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
        rig.send(echo);
        assertEquals(List.of("eth0"), rig.devices());
        assertEquals(Arrays.toString(echo), Arrays.toString(rig.sent().getFirst().packet()));
        assertEquals(1, engine.connections().count());

        byte[] reply = jnat.wire.EthernetRepr.of(KernelConformanceRegressionTest.ROUTER, KernelConformanceRegressionTest.ETH0)
                .frame(Ipv4Repr.of("198.51.100.7", "203.0.113.2").withDontFragment(false), IcmpRepr.echoReply(77, 1, new byte[8]));
        rig.receive("eth0", reply);
        assertEquals(1, rig.sent().size(), "the reply is for the host: nothing leaves");
        assertEquals(1, engine.snmp().deliveredLocally());
    }

    @Test
    void localUdpToAContainerIsTrackedAndConfirmed() {
        rig.send(Ipv4Repr.of("172.17.0.1", "172.17.0.3").withDontFragment(false).packet(UdpRepr.of(41000, 53).withPayload(new byte[4])));
        assertEquals(List.of("docker0"), rig.devices());
        assertEquals(1, engine.connections().count());
    }

    /** ping of the host's own address: out through lo and back in, delivered, answered through lo (icmp_reply). */
    @Test
    void pingOfTheHostsOwnAddressIsDeliveredAndAnsweredThroughLo() {
        byte[] echo = Ipv4Repr.of("203.0.113.2", "203.0.113.2").withDontFragment(false)
                .packet(IcmpRepr.echoRequest(78, 1, new byte[8]));
        rig.send(echo);
        assertEquals(List.of(), rig.devices(), "nothing leaves a device");
        List<byte[]> got = rig.delivered();
        assertEquals(2, got.size(), "the request, then the host's own echo reply");
        Ipv4Packet reply = new Ipv4Packet();
        assertEquals(jnat.wire.WireError.OK, reply.wrap(got.get(1), 0, got.get(1).length));
        assertEquals(jnat.wire.IcmpPacket.ECHO_REPLY, reply.icmpType());
        assertEquals(78, reply.icmpId());
        assertEquals(Ipv4Address.parse("203.0.113.2"), reply.dst());
        assertEquals(1, engine.snmp().icmpEchoRepliesSent());
    }
}

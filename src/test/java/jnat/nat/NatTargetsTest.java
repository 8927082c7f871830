package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.EngineRig.Sent;
import jnat.wire.EthernetFrame;
import jnat.wire.IcmpPacket;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static jnat.nat.EngineRig.SEC;
import static jnat.nat.EngineRig.assertChecksums;
import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.ip;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each NAT target and the kernel behaviours around them, on the seed's Docker host. */
class NatTargetsTest {
    final EngineRig rig = EngineRig.seedDockerHost().ipv4Only().clock(5000 * SEC, SEC / 100);
    final Host host = rig.host();
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final List<Sent> sent = rig.sent();
    NatEngine engine;

    void rules(String... lines) {
        engine = rig.rules("*nat\n" + String.join("\n", lines) + "\nCOMMIT\n").engine();
    }

    @Test
    void snatToAnAddressRangeStaysInRangeAndKeepsTheAddressForTheSameDestination() {
        rules("-A POSTROUTING -s 172.17.0.0/16 -o eth0 -p udp -j SNAT --to-source 45.77.200.180-45.77.200.183:2000-2999");
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8", UdpRepr.of(40000, 53).withPayload(new byte[8])));
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8", UdpRepr.of(40001, 53).withPayload(new byte[8])));
        Sent a = sent.get(0), b = sent.get(1);
        for (Sent o : List.of(a, b)) {
            int src = o.ip().src();
            assertTrue(src >= ip("45.77.200.180") && src <= ip("45.77.200.183"), Ipv4Address.format(src));
            assertTrue(o.ip().srcPort() >= 2000 && o.ip().srcPort() <= 2999, "port " + o.ip().srcPort());
            assertChecksums(o.ip());
        }
        assertEquals(a.ip().src(), b.ip().src(), "find_best_ips_proto hashes source and destination only");
        assertNotEquals(a.ip().srcPort(), b.ip().srcPort());
    }

    @Test
    void repliesToAnSnatRangeAddressThatIsNotLocalAreStillTranslatedBack() {
        rules("-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j SNAT --to-source 45.77.200.200");
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8", UdpRepr.of(40000, 53).withPayload(new byte[8])));
        assertEquals(ip("45.77.200.200"), rig.only().ip().src());
        rig.receive(eth0, fromInternet("198.51.100.8", "45.77.200.200", UdpRepr.of(53, 40000).withPayload(new byte[8])));
        Sent back = rig.only("docker0");
        assertEquals(ip("172.17.0.2"), back.ip().dst());
    }

    @Test
    void randomFullyPicksAPortInTheRangeEvenWhenTheOriginalIsFree() {
        rules("-A POSTROUTING -s 172.17.0.0/16 -o eth0 -p tcp -j MASQUERADE --to-ports 30000-30009 --random-fully");
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8", syn(40000, 80)));
        Sent o = rig.only();
        assertEquals(ip("45.77.200.180"), o.ip().src());
        assertTrue(o.ip().srcPort() >= 30000 && o.ip().srcPort() <= 30009);
        assertChecksums(o.ip());
    }

    @Test
    void redirectSendsToTheFirstAddressOfTheIncomingInterface() {
        rules("-A PREROUTING -i docker0 -p tcp --dport 80 -j REDIRECT --to-ports 3128");
        rig.engine().sockets().listen("tcp:3128"); // the proxy's socket: no RST
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8", syn(40000, 80)));
        assertEquals(0, sent.size());
        assertEquals(1, rig.delivered().size());
        Ipv4Packet p = EngineRig.wrap(rig.delivered().getFirst(), 0);
        assertEquals(ip("172.17.0.1"), p.dst());
        assertEquals(3128, p.dstPort());
        assertChecksums(p);
    }

    @Test
    void netmapKeepsTheHostPartAndReplacesTheNetwork() {
        rules("-A PREROUTING -i eth0 -d 10.10.0.0/16 -j NETMAP --to 172.17.0.0/16");
        rig.receive(eth0, fromInternet("198.51.100.8", "10.10.0.2", syn(5555, 22)));
        Sent o = rig.only("docker0");
        assertEquals(ip("172.17.0.2"), o.ip().dst());
        assertChecksums(o.ip());
    }

    @Test
    void hairpinContainerReachesItsOwnPublishedPortThroughTheHostAddress() {
        // Docker without the userland proxy: DNAT for any input interface, and the hairpin MASQUERADE.
        rules("-N DOCKER",
                "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
                "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
                "-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 8000 -j MASQUERADE",
                "-A DOCKER -p tcp -m tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000");
        rig.receive(docker0, fromContainer("172.17.0.2", "45.77.200.180", syn(5555, 10000)));
        Sent in = rig.only("docker0");
        assertEquals(ip("172.17.0.2"), in.ip().dst());
        assertEquals(8000, in.ip().dstPort());
        assertEquals(ip("172.17.0.1"), in.ip().src(), "masqueraded to docker0's address, so the reply comes back");
        assertChecksums(in.ip());

        TcpRepr synAck = TcpRepr.of(8000, in.ip().srcPort()).withSeq(9000).withAck(1001)
                .withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240);
        rig.receive(docker0, fromContainer("172.17.0.2", "172.17.0.1", synAck));
        Sent back = rig.only();
        assertEquals(ip("45.77.200.180"), back.ip().src());
        assertEquals(10000, back.ip().srcPort());
        assertEquals(ip("172.17.0.2"), back.ip().dst());
        assertEquals(5555, back.ip().dstPort());
        assertChecksums(back.ip());
    }

    @Test
    void icmpErrorFromTheContainerAboutADnatedPacketIsTranslatedInTheOriginalDirection() {
        rules("-A PREROUTING -i eth0 -p udp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000");
        rig.receive(eth0, fromInternet("198.51.100.8", "45.77.200.180", UdpRepr.of(33000, 10000).withPayload(new byte[4])));
        Sent fwd = rig.only();
        byte[] quoted = Arrays.copyOfRange(fwd.frame(), EthernetFrame.HEADER_LENGTH, fwd.frame().length);
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8",
                IcmpRepr.destUnreachable(IcmpPacket.PORT_UNREACH, IcmpRepr.quote(quoted, 548))));
        Sent err = rig.only("eth0");
        Ipv4Packet outer = err.ip();
        assertEquals(ip("45.77.200.180"), outer.src(), "the error seems to come from the published address");
        assertChecksums(outer);
        Ipv4Packet inner = new Ipv4Packet();
        assertEquals(WireError.OK, inner.wrapQuoted(err.frame(), outer.payloadOffset() + 8, outer.payloadLength() - 8));
        assertEquals(ip("45.77.200.180"), inner.dst());
        assertEquals(10000, inner.dstPort());
        assertTrue(inner.verifyChecksum());
    }

    @Test
    void icmpErrorQuotingAnUnknownConnectionIsForwardedUntranslated() {
        rules("-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE");
        byte[] neverSent = Ipv4Repr.of("45.77.200.180", "198.51.100.8").packet(UdpRepr.of(1234, 53).withPayload(new byte[4]));
        rig.receive(eth0, fromInternet("198.51.100.8", "172.17.0.2", IcmpRepr.destUnreachable(IcmpPacket.PORT_UNREACH, neverSent)));
        Sent o = rig.only();
        assertEquals(ip("172.17.0.2"), o.ip().dst());
        assertEquals(1, engine.invalid(), "conntrack found no connection: INVALID");
    }

    @Test
    void afterTimeWaitExpiresTheSameTupleStartsANewConnectionThatWalksTheChainsAgain() {
        rules("-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE");
        String c = "172.17.0.2", s = "198.51.100.8", h = "45.77.200.180";
        rig.receive(docker0, fromContainer(c, s, syn(40000, 80)));
        rig.receive(eth0, fromInternet(s, h, TcpRepr.of(80, 40000).withSeq(5000).withAck(1001).withFlags(0x12).withWindow(64240)));
        rig.receive(docker0, fromContainer(c, s, TcpRepr.of(40000, 80).withSeq(1001).withAck(5001).withFlags(0x10).withWindow(502)));
        rig.receive(docker0, fromContainer(c, s, TcpRepr.of(40000, 80).withSeq(1001).withAck(5001).withFlags(0x11).withWindow(502)));
        rig.receive(eth0, fromInternet(s, h, TcpRepr.of(80, 40000).withSeq(5001).withAck(1002).withFlags(0x11).withWindow(502)));
        rig.receive(docker0, fromContainer(c, s, TcpRepr.of(40000, 80).withSeq(1002).withAck(5002).withFlags(0x10).withWindow(502)));
        assertEquals(6, sent.size());
        // a Rule's counters are what the table showed when it was read (the walk counts in the compiled form)
        java.util.function.Supplier<jnat.rules.Rule> masq = () -> engine.ruleset().existing("nat").chain("POSTROUTING").rules().getFirst();
        assertEquals(1, masq.get().packets);
        int id = engine.connections().nextConfirmed(0);
        assertEquals("TIME_WAIT", jnat.conntrack.TcpTracker.name(engine.connections().tcpState(id)));
        rig.now += 121 * SEC; // nf_conntrack_tcp_timeout_time_wait is 120 s
        engine.expire(rig.now, 1000);
        assertEquals(0, engine.connections().count());
        rig.receive(docker0, fromContainer(c, s, syn(40000, 80)));
        assertEquals(2, masq.get().packets, "a new connection walks POSTROUTING again");
    }

    @Test
    void markTargetSetsTheMarkThatALaterRuleMatches() {
        rules("-A PREROUTING -i docker0 -j MARK --set-mark 0x7",
                "-A PREROUTING -m mark --mark 0x7 -p udp -j DNAT --to-destination 172.17.0.9");
        host.addNeighbour(new jnat.host.Neighbour(ip("172.17.0.9"), jnat.wire.MacAddress.parse("02:42:ac:11:00:09"), docker0, "permanent"), true);
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8", UdpRepr.of(1, 2).withPayload(new byte[2])));
        assertEquals(ip("172.17.0.9"), rig.only().ip().dst());
    }

    @Test
    void policyCountersCountNewConnectionsThatNoRuleTook() {
        rules("-A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE");
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8", UdpRepr.of(1, 2).withPayload(new byte[2])));
        rig.receive(docker0, fromContainer("172.17.0.2", "198.51.100.8", UdpRepr.of(1, 2).withPayload(new byte[2])));
        var post = engine.ruleset().existing("nat").chain("POSTROUTING");
        assertEquals(1, post.policyPackets, "one connection, one walk");
        assertEquals(30, post.policyBytes);
        assertEquals(0, post.rules().getFirst().packets);
    }
}

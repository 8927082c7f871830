package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Status;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.EngineRig.Sent;
import jnat.wire.EthernetRepr;
import jnat.wire.IcmpPacket;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.MacAddress;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER_MAC;
import static jnat.nat.EngineRig.DOCKER0_MAC;
import static jnat.nat.EngineRig.ETH0_MAC;
import static jnat.nat.EngineRig.GATEWAY_MAC;
import static jnat.nat.EngineRig.assertChecksums;
import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine on the seed's Docker host: MASQUERADE, DNAT, conntrack and the counters. */
class NatEngineTest {
    final EngineRig rig = EngineRig.seedDocker();
    final Host host = rig.host();
    final NatEngine engine = rig.engine();
    final Interface eth0 = host.device("eth0"), docker0 = host.device("docker0");
    final List<Sent> sent = rig.sent();

    @Test
    void containerPingIsMasqueradedToTheUplinkAddressAndTheReplyComesBack() {
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), IcmpRepr.echoRequest(28, 265, new byte[56])));
        Sent out = rig.only("eth0");
        assertEquals(MacAddress.parse(ETH0_MAC), MacAddress.read(out.frame(), 6));
        assertEquals(MacAddress.parse(GATEWAY_MAC), MacAddress.read(out.frame(), 0));
        Ipv4Packet p = out.ip();
        assertEquals(ip("45.77.200.180"), p.src());
        assertEquals(ip("8.8.8.8"), p.dst());
        assertEquals(28, p.icmpId());
        assertEquals(63, p.ttl());
        assertChecksums(p);
        assertEquals(98, out.frame().length);

        rig.receive(eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180"), IcmpRepr.echoReply(28, 265, new byte[56])));
        Sent back = rig.only("docker0");
        assertEquals(MacAddress.parse(CONTAINER_MAC), MacAddress.read(back.frame(), 0));
        Ipv4Packet r = back.ip();
        assertEquals(ip("172.17.0.2"), r.dst());
        assertEquals(ip("8.8.8.8"), r.src());
        assertChecksums(r);
    }

    @Test
    void onlyTheFirstPacketOfAConnectionWalksTheNatChains() {
        for (int seq = 1; seq <= 3; seq++) {
            rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), IcmpRepr.echoRequest(28, seq, new byte[56])));
            rig.receive(eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180"), IcmpRepr.echoReply(28, seq, new byte[56])));
        }
        var post = engine.ruleset().existing("nat").chain("POSTROUTING");
        var masq = post.rules().getFirst();
        assertEquals(1, masq.packets);
        assertEquals(84, masq.bytes);
        assertEquals(6, sent.size());
    }

    @Test
    void publishedPortIsDnatedToTheContainerAndTheReplyIsSourceNatedBack() {
        TcpRepr syn = TcpRepr.of(60677, 10000).withSeq((int) 2189230313L).withFlags(TcpSegment.SYN).withWindow(65535)
                .withMss(1440).withWindowScale(6).withSackPermitted(true).withTimestamps((int) 3976681198L, 0);
        rig.receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), syn));
        Sent in = rig.only("docker0");
        Ipv4Packet p = in.ip();
        assertEquals(ip("172.17.0.2"), p.dst());
        assertEquals(8000, p.dstPort());
        assertEquals(60677, p.srcPort());
        assertChecksums(p);

        TcpRepr synAck = TcpRepr.of(8000, 60677).withSeq((int) 3797373137L).withAck((int) 2189230314L)
                .withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(28960).withMss(1460).withWindowScale(10)
                .withSackPermitted(true).withTimestamps((int) 2686973908L, (int) 3976681198L);
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "114.246.99.100"), synAck));
        Sent out = rig.only("eth0");
        Ipv4Packet r = out.ip();
        assertEquals(ip("45.77.200.180"), r.src());
        assertEquals(10000, r.srcPort());
        assertChecksums(r);

        var docker = engine.ruleset().existing("nat").chain("DOCKER");
        assertEquals(1, docker.rules().get(1).packets, "DNAT rule counted the SYN");
        assertEquals(0, docker.rules().get(0).packets, "RETURN rule for docker0 did not match");
    }

    @Test
    void twoContainersWithTheSameSourcePortGetDistinctStableMappings() {
        UdpRepr q = UdpRepr.of(40000, 53).withPayload(new byte[20]);
        rig.receive(docker0, EthernetRepr.of("02:42:ac:11:00:03", DOCKER0_MAC).frame(Ipv4Repr.of("172.17.0.3", "8.8.8.8"), q));
        host.addNeighbour(new jnat.host.Neighbour(ip("172.17.0.3"), MacAddress.parse("02:42:ac:11:00:03"), docker0, "permanent"), true);
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), q));
        assertEquals(2, sent.size());
        int first = sent.get(0).ip().srcPort(), second = sent.get(1).ip().srcPort();
        assertEquals(40000, first, "the first keeps its port");
        assertNotEquals(40000, second, "the second is moved");
        assertTrue(second >= 1024 && second <= 65535);
        sent.clear();
        // the same flow again keeps its mapping
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), q));
        assertEquals(second, rig.only().ip().srcPort());
        // and the reply to the moved port reaches the second container
        rig.receive(eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180"), UdpRepr.of(53, second).withPayload(new byte[40])));
        Sent back = rig.only();
        assertEquals(ip("172.17.0.2"), back.ip().dst());
        assertEquals(40000, back.ip().dstPort());
        assertChecksums(back.ip());
    }

    @Test
    void aReplacedNeighbourIsUsedFromTheNextPacketOn() {
        UdpRepr q = UdpRepr.of(40000, 53).withPayload(new byte[20]);
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), q));
        assertEquals(MacAddress.parse(GATEWAY_MAC), MacAddress.read(rig.only().frame(), 0));
        // the uplink router is replaced (ip neigh replace 45.77.200.1 lladdr ... dev eth0)
        long newRouter = MacAddress.parse("06:7c:16:88:fe:99");
        host.addNeighbour(new jnat.host.Neighbour(ip("45.77.200.1"), newRouter, eth0, "permanent"), true);
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), q));
        assertEquals(newRouter, MacAddress.read(rig.only().frame(), 0));
    }

    @Test
    void aRouteAddedWhileTrafficFlowsIsUsedFromTheNextPacketOn() {
        UdpRepr q = UdpRepr.of(40000, 53).withPayload(new byte[20]);
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.3", "8.8.8.8"), q));
        rig.only("eth0");
        // ip route add 8.8.8.0/24 dev docker0 (and its neighbour): 8.8.8.8 is now on the bridge
        host.addRoute(new jnat.host.Route(jnat.host.Route.TABLE_MAIN, jnat.host.RouteType.UNICAST, ip("8.8.8.0"), 24, 0,
                docker0, 0, 0, jnat.host.Route.PROTO_BOOT, jnat.host.Scope.LINK, false), Host.RouteMode.ADD);
        long neighbour = MacAddress.parse("02:42:08:08:08:08");
        host.addNeighbour(new jnat.host.Neighbour(ip("8.8.8.8"), neighbour, docker0, "permanent"), false);
        // a new flow (the masqueraded one would be dropped and killed: its out device changed, nf_nat_oif_changed)
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.3", "8.8.8.8"), UdpRepr.of(40001, 53).withPayload(new byte[20])));
        Sent s = rig.only("docker0");
        assertEquals(neighbour, MacAddress.read(s.frame(), 0));
    }

    @Test
    void icmpErrorQuotingAMasqueradedDatagramIsTranslatedInsideAndOut() {
        UdpRepr q = UdpRepr.of(51000, 33434).withPayload(new byte[12]);
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), q));
        byte[] sentPacket = Arrays.copyOf(rig.only().packet(), 40);
        IcmpRepr unreachable = IcmpRepr.destUnreachable(IcmpPacket.PORT_UNREACH, IcmpRepr.quote(sentPacket, 548));
        rig.receive(eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180"), unreachable));
        Sent back = rig.only("docker0");
        Ipv4Packet outer = back.ip();
        assertEquals(ip("172.17.0.2"), outer.dst());
        assertChecksums(outer);
        Ipv4Packet inner = new Ipv4Packet();
        assertEquals(WireError.OK, inner.wrapQuoted(back.frame(), outer.payloadOffset() + 8, outer.payloadLength() - 8));
        assertEquals(ip("172.17.0.2"), inner.src());
        assertEquals(51000, inner.srcPort());
        assertTrue(inner.verifyChecksum(), "quoted header checksum");
        assertTrue(inner.verifyTransportChecksum(), "quoted UDP checksum");
    }

    @Test
    void unsolicitedInboundPacketIsDeliveredLocallyNotToTheContainer() {
        engine.sockets().listen("tcp:22"); // a listener: the host sends no RST
        rig.receive(eth0, fromInternet(Ipv4Repr.of("198.51.100.7", "45.77.200.180"),
                TcpRepr.of(5555, 22).withFlags(TcpSegment.SYN).withSeq(1)));
        assertEquals(0, sent.size());
        assertEquals(1, engine.snmp().deliveredLocally());
    }

    @Test
    void connectionIsTrackedWithItsNatBindingAndStatus() {
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), IcmpRepr.echoRequest(28, 1, new byte[8])));
        ConnTable t = engine.connections();
        assertEquals(1, t.count());
        int id = t.nextConfirmed(0);
        assertTrue(t.hasStatus(id, Status.SRC_NAT | Status.CONFIRMED));
        assertEquals(ip("45.77.200.180"), t.dstAddr(id, ConnTable.REPLY));
    }

    @Test
    void ttlOfOneIsNotForwardedButAnsweredTimeExceeded() {
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), IcmpRepr.echoRequest(1, 1, new byte[8])));
        Sent e = rig.only("docker0");
        assertEquals(ip("172.17.0.2"), e.ip().dst());
        assertEquals(IcmpPacket.TIME_EXCEEDED, e.ip().icmpType());
        assertEquals(1, engine.drops(DropReason.TTL_EXCEEDED));
        assertEquals(0, engine.connections().count(), "the unconfirmed connection is released");
    }

    @Test
    void arpRequestForTheHostAddressIsAnswered() {
        byte[] req = EthernetRepr.of(GATEWAY_MAC, "ff:ff:ff:ff:ff:ff")
                .frame(jnat.wire.ArpRepr.request(GATEWAY_MAC, "45.77.200.1", "45.77.200.180"));
        rig.receive(eth0, req);
        Sent reply = rig.only("eth0");
        assertEquals(MacAddress.parse(GATEWAY_MAC), MacAddress.read(reply.frame(), 0));
        assertEquals(MacAddress.parse(ETH0_MAC), MacAddress.read(reply.frame(), 6));
    }
}

package jnat.nat;

import jnat.rules.Ruleset;
import jnat.wire.EtherType;
import jnat.wire.EthernetRepr;
import jnat.wire.Icmpv6Repr;
import jnat.wire.EthernetFrame;
import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.MacAddress;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER6;
import static jnat.nat.EngineRig.CONTAINER6_B;
import static jnat.nat.EngineRig.PUBLIC6;
import static jnat.nat.EngineRig.assertChecksums;
import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromContainer6;
import static jnat.nat.EngineRig.fromInternet6;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPv6 path end to end on the seed's Docker host with IPv6 ({@link EngineRig#seedDocker6}):
 * Ethernet frames in on docker0 and eth0, Docker's ip6tables rules, what leaves checked field by
 * field and its checksums summed from scratch.
 */
class Ipv6PathTest {
    static final String SERVER6 = "2001:db8:1::8", CLIENT6 = "2001:db8:2::99";

    final EngineRig rig = EngineRig.seedDocker6();

    /** The one frame sent, on {@code dev}: an IPv6 one with its checksums right. */
    EngineRig.Sent out6(String dev) {
        EngineRig.Sent s = rig.only(dev);
        assertEquals(EtherType.IPV6, s.etherType(), "IPv6's ethertype");
        assertChecksums(s.ip6());
        return s;
    }

    @Test
    void containersTcpHandshakeIsMasqueradedOutOfEth0AndTheRepliesTranslatedBack() {
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, syn(40000, 443)));
        EngineRig.Sent syn = out6("eth0");
        assertEquals("eth0 [" + PUBLIC6 + "]:40000 > [" + SERVER6 + "]:443", syn.summary6());
        assertEquals(MacAddress.parse(EngineRig.GATEWAY_MAC), dstMac(syn), "to the router's MAC");
        assertEquals(63, syn.ip6().hopLimit(), "one hop fewer");

        TcpRepr fromServer = TcpRepr.of(443, 40000).withSeq(5000).withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240);
        rig.receive("eth0", fromInternet6(SERVER6, PUBLIC6, fromServer));
        EngineRig.Sent synAck = out6("docker0");
        assertEquals("docker0 [" + SERVER6 + "]:443 > [" + CONTAINER6 + "]:40000", synAck.summary6());
        assertEquals(MacAddress.parse(EngineRig.CONTAINER_MAC), dstMac(synAck), "to the container's MAC");

        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6,
                TcpRepr.of(40000, 443).withSeq(1001).withAck(5001).withFlags(TcpSegment.ACK).withWindow(64240)));
        assertEquals("eth0 [" + PUBLIC6 + "]:40000 > [" + SERVER6 + "]:443", out6("eth0").summary6());
        assertEquals(1, rig.engine().connections().count());
    }

    @Test
    void clientsConnectionToThePublishedPortIsDnatedToTheContainerAndBack() {
        rig.receive("eth0", fromInternet6(CLIENT6, PUBLIC6, syn(50000, 8080)));
        assertEquals("docker0 [" + CLIENT6 + "]:50000 > [" + CONTAINER6 + "]:80", out6("docker0").summary6());
        rig.receive("docker0", fromContainer6(CONTAINER6, CLIENT6,
                TcpRepr.of(80, 50000).withSeq(7000).withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240)));
        assertEquals("eth0 [" + PUBLIC6 + "]:8080 > [" + CLIENT6 + "]:50000", out6("eth0").summary6());
    }

    @Test
    void aNewConnectionToAnUnpublishedPortIsDroppedByTheFilterForwardPolicy() {
        rig.receive("eth0", fromInternet6(CLIENT6, CONTAINER6, syn(50000, 22)));
        assertEquals(List.of(), rig.sent());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
        assertEquals(0, rig.engine().connections().count(), "the dropped packet's connection freed");
    }

    @Test
    void echoRequestsOfTwoContainersWithOneIdentifierLeaveWithTwoAndTheRepliesFindTheirWayBack() {
        byte[] data = EngineRig.payload(16);
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, Icmpv6Repr.echoRequest(7, 1, data)));
        EngineRig.Sent first = out6("eth0");
        rig.receive("docker0", EthernetRepr.of("02:42:ac:11:00:03", EngineRig.DOCKER0_MAC)
                .frame(Ipv6Repr.of(CONTAINER6_B, SERVER6), Icmpv6Repr.echoRequest(7, 1, data)));
        EngineRig.Sent second = out6("eth0");
        assertEquals("eth0 " + PUBLIC6 + " > " + SERVER6 + " icmp6 128 id 7", first.summary6());
        int secondId = second.ip6().icmpId();
        assertTrue(secondId != 7, "the second echo's identifier is remapped: " + secondId);

        rig.receive("eth0", fromInternet6(SERVER6, PUBLIC6, Icmpv6Repr.echoReply(secondId, 1, data)));
        assertEquals("docker0 " + SERVER6 + " > " + CONTAINER6_B + " icmp6 129 id 7", out6("docker0").summary6());
        rig.receive("eth0", fromInternet6(SERVER6, PUBLIC6, Icmpv6Repr.echoReply(7, 1, data)));
        assertEquals("docker0 " + SERVER6 + " > " + CONTAINER6 + " icmp6 129 id 7", out6("docker0").summary6());
    }

    @Test
    void udpIsMasqueradedAndTheAnswerTranslatedBack() {
        rig.receive("docker0", fromContainer6(CONTAINER6, "2001:4860:4860::8888", UdpRepr.of(5353, 53).withPayload(EngineRig.payload(40))));
        EngineRig.Sent query = out6("eth0");
        assertEquals("eth0 [" + PUBLIC6 + "]:5353 > [2001:4860:4860::8888]:53", query.summary6());
        rig.receive("eth0", fromInternet6("2001:4860:4860::8888", PUBLIC6, UdpRepr.of(53, 5353).withPayload(EngineRig.payload(80))));
        assertEquals("docker0 [2001:4860:4860::8888]:53 > [" + CONTAINER6 + "]:5353", out6("docker0").summary6());
    }

    @Test
    void anIcmpv6ErrorAboutAMasqueradedConnectionReachesTheContainerWithItsQuoteTranslated() {
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, syn(40000, 443)));
        byte[] left = out6("eth0").packet();
        rig.receive("eth0", fromInternet6("2001:db8:1::1", PUBLIC6, Icmpv6Repr.timeExceeded(0, Icmpv6Repr.quote(left))));
        EngineRig.Sent error = out6("docker0");
        assertEquals("docker0 2001:db8:1::1 > " + CONTAINER6 + " icmp6 3", error.summary6());
        Ipv6Packet quoted = new Ipv6Packet();
        byte[] b = error.frame();
        int at = error.ip6().upperOffset() + 8;
        quoted.wrapQuoted(b, at, b.length - at);
        assertEquals("[" + CONTAINER6 + "]:40000 > [" + SERVER6 + "]:443",
                "[" + jnat.wire.Ipv6Address.format(quoted.srcHi(), quoted.srcLo()) + "]:" + quoted.srcPort()
                        + " > [" + jnat.wire.Ipv6Address.format(quoted.dstHi(), quoted.dstLo()) + "]:" + quoted.dstPort(),
                "the quoted SYN as the container sent it");
    }

    @Test
    void aPacketWithHopLimitOneIsDroppedNotForwarded() {
        rig.receive("docker0", fromContainer6(Ipv6Repr.of(CONTAINER6, SERVER6).withHopLimit(1), syn(40000, 443)));
        assertEquals(List.of("docker0"), rig.devices(), "only the host's answer (Icmpv6Test), nothing out of eth0");
        assertEquals(1, rig.drops(DropReason.HOP_LIMIT_EXCEEDED));
    }

    @Test
    void aPacketLargerThanTheOutMtuIsDroppedAsTooBig() {
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, UdpRepr.of(5353, 53).withPayload(EngineRig.payload(1500))));
        assertEquals(List.of("docker0"), rig.devices(), "only the host's answer (Icmpv6Test), nothing out of eth0");
        assertEquals(1, rig.drops(DropReason.PACKET_TOO_BIG));
    }

    @Test
    void aMulticastSourceIsDroppedOnArrival() {
        rig.receive("docker0", fromContainer6("ff02::1", SERVER6, syn(40000, 443)));
        assertEquals(1, rig.drops(DropReason.IPV6_BAD_ADDRESS));
    }

    @Test
    void aLinkLocalSourceIsNotForwarded() {
        rig.receive("docker0", fromContainer6("fe80::42:acff:fe11:2", SERVER6, syn(40000, 443)));
        assertEquals(List.of("docker0"), rig.devices(), "only the host's answer (Icmpv6Test), nothing out of eth0");
        assertEquals(1, rig.drops(DropReason.IPV6_SOURCE_NOT_FORWARDED));
    }

    @Test
    void aNeighbourSolicitationForTheHostIsDeliveredUntracked() {
        long[] target = EngineRig.ip6("fd49:efd7:54aa::1");
        rig.receive("docker0", EthernetRepr.of(EngineRig.CONTAINER_MAC, "33:33:ff:00:00:01").frame(
                Ipv6Repr.of(CONTAINER6, "ff02::1:ff00:1").withHopLimit(255),
                Icmpv6Repr.neighbourSolicitation(target[0], target[1],
                        Icmpv6Repr.linkLayerOption(1, MacAddress.parse(EngineRig.CONTAINER_MAC)))));
        assertEquals(1, rig.delivered().size());
        assertEquals(0, rig.engine().connections().count(), "NDP is not tracked");
        assertEquals(0, rig.engine().invalid(), "nor INVALID");
    }

    @Test
    void anIpv4FlowAndAnIpv6FlowCrossOneEngineSideBySide() {
        rig.receive("docker0", fromContainer("172.17.0.2", "198.51.100.8", syn(40000, 80)));
        EngineRig.Sent v4 = rig.only("eth0");
        assertEquals(EtherType.IPV4, v4.etherType());
        assertEquals("eth0 45.77.200.180:40000 > 198.51.100.8:80", v4.summary());
        EngineRig.assertChecksums(v4.ip());
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, syn(40000, 80)));
        assertEquals("eth0 [" + PUBLIC6 + "]:40000 > [" + SERVER6 + "]:80", out6("eth0").summary6());
        assertEquals(2, rig.engine().connections().count());
    }

    @Test
    void onLayer3DevicesTheVersionNibbleSendsAnIpv6PacketThroughTheIpv6Path() {
        EngineRig l3 = EngineRig.labHost(); // scripts/lab-host.ip gives docker0 fd49:efd7:54aa::1/64
        l3.host().addAddress6(l3.device("eth0"), EngineRig.ip6(PUBLIC6)[0], EngineRig.ip6(PUBLIC6)[1], 64, true, false, 256);
        l3.rules(EngineRig.file("scripts/lab.rules")).rules6(EngineRig.DOCKER6_RULES);
        l3.receive("docker0", Ipv6Repr.of(CONTAINER6, "2001:db8::99").packet(syn(40000, 443)));
        EngineRig.Sent s = l3.only("eth0");
        assertEquals(0, s.ipOffset(), "no link header on a TUN device");
        assertEquals("eth0 [" + PUBLIC6 + "]:40000 > [2001:db8::99]:443", s.summary6());
        assertChecksums(s.ip6());
    }

    @Test
    void theHostsOwnConnectionToItsPublishedPortIsDnatedAtOutputAndRouted() {
        rig.send(Ipv6Repr.of(PUBLIC6, PUBLIC6).packet(syn(43000, 8080)));
        assertEquals("docker0 [" + PUBLIC6 + "]:43000 > [" + CONTAINER6 + "]:80", out6("docker0").summary6());
    }

    @Test
    void theHostsOwnPacketToItselfComesBackInThroughLoAndIsDelivered() {
        rig.send(Ipv6Repr.of(PUBLIC6, PUBLIC6).packet(syn(43000, 22)));
        assertEquals(List.of(), rig.sent());
        assertEquals(1, rig.delivered().size());
        assertEquals(1, rig.engine().connections().count(), "confirmed at INPUT");
    }

    @Test
    void theTraceFollowsAnIpv6PacketThroughTheRulesAndTheTranslation() {
        List<String> trace = new ArrayList<>();
        rig.tracer(trace::add);
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, syn(40000, 443)));
        assertEquals(List.of(
                "docker0 in: TCP fd49:efd7:54aa::2 port 40000 > 2001:db8:1::8 port 443 len 60",
                "  conntrack: NEW",
                "  nat:PREROUTING:policy:2 ACCEPT",
                "  route: forward out eth0 via fe80::1",
                "  filter:FORWARD:rule:3 ACCEPT",
                "  nat:POSTROUTING:rule:1 MASQUERADE",
                "  SNAT: TCP 2001:db8::10 port 40000 > 2001:db8:1::8 port 443 len 60",
                "eth0 out: TCP 2001:db8::10 port 40000 > 2001:db8:1::8 port 443 len 60"), trace);
    }

    @Test
    void snptTranslatesTheContainersPrefixChecksumNeutrallyAndDnptTranslatesTheAnswerBack() {
        EngineRig rig = EngineRig.host(EngineRig.resource("/hosts/seed-docker-host.ip") + EngineRig.DOCKER6_HOST).rules6("""
                *mangle
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -i eth0 -d 2001:db8:5::/64 -j DNPT --src-pfx 2001:db8:5::/64 --dst-pfx fd49:efd7:54aa::/64
                -A POSTROUTING -o eth0 -s fd49:efd7:54aa::/64 -j SNPT --src-pfx fd49:efd7:54aa::/64 --dst-pfx 2001:db8:5::/64
                COMMIT
                """).rules(EngineRig.SEED_RULES);
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, UdpRepr.of(5353, 53).withPayload(EngineRig.payload(40))));
        Ipv6Packet out = rig.only("eth0").ip6();
        String src = jnat.wire.Ipv6Address.format(out.srcHi(), out.srcLo());
        assertTrue(src.startsWith("2001:db8:5:"), src);
        assertEquals(5353, out.srcPort(), "stateless: the port is left alone");
        assertTrue(out.verifyTransportChecksum(), "the UDP checksum untouched and right");
        rig.receive("eth0", fromInternet6(SERVER6, src, UdpRepr.of(53, 5353).withPayload(EngineRig.payload(8))));
        Ipv6Packet back = rig.only("docker0").ip6();
        assertEquals(CONTAINER6, jnat.wire.Ipv6Address.format(back.dstHi(), back.dstLo()));
        assertTrue(back.verifyTransportChecksum());
    }

    @Test
    void anIpv4RulesetIsNotTakenAsTheIpv6One() {
        assertThrows(IllegalArgumentException.class, () -> rig.engine().setRuleset6(Ruleset.parse(EngineRig.SEED_RULES)));
    }

    /** The destination MAC of a frame sent. */
    private static long dstMac(EngineRig.Sent s) {
        EthernetFrame f = new EthernetFrame();
        f.wrap(s.frame(), 0, s.frame().length);
        return f.dst();
    }
}

package jnat.nat;

import jnat.host.Interface;
import jnat.nat.EngineRig.Sent;
import jnat.wire.Checksum;
import jnat.wire.EthernetFrame;
import jnat.wire.EthernetRepr;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.MacAddress;
import jnat.wire.TcpRepr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER_MAC;
import static jnat.nat.EngineRig.DOCKER0_MAC;
import static jnat.nat.EngineRig.GATEWAY_MAC;
import static jnat.nat.EngineRig.MS;
import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.ip;
import static jnat.nat.EngineRig.ipOf;
import static jnat.nat.EngineRig.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packets the host sends itself, as the kernel's icmp_send and icmp_echo do: time exceeded,
 * fragmentation needed, unreachables from the input route, echo replies; their fields byte by
 * byte, the checks that suppress them, and the rate limits. (ConformanceTest compares them with
 * the kernel's on generated scenarios.)
 */
class IcmpSendTest {
    /** The seed's Docker host with a 1400-byte uplink and routes of each error type. */
    static final String HOST = """
            link set dev eth0 address 56:00:04:7c:7c:23 mtu 1400 up
            addr add 45.77.200.180/23 dev eth0
            route add default via 45.77.200.1 dev eth0
            neigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0
            link add docker0 type bridge
            link set dev docker0 address 02:42:d5:35:3a:3c mtu 1500 up
            addr add 172.17.0.1/16 brd + dev docker0
            neigh add 172.17.0.2 lladdr 02:42:ac:11:00:02 dev docker0
            neigh add 172.17.0.9 lladdr 02:42:ac:11:00:09 dev docker0
            route add unreachable 10.9.0.0/16
            route add prohibit 10.8.0.0/16
            route add blackhole 10.7.0.0/16
            """;

    final EngineRig rig = EngineRig.host(HOST).rules(EngineRig.SEED_RULES);
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final List<Sent> sent = rig.sent();
    final List<byte[]> delivered = rig.delivered();

    /** The header of a packet of the kernel's ICMP socket: no options, TTL 64, no DF, protocol 1, checksums right. */
    static void assertIcmpSocketPacket(Sent s, int src, int dst, int tos, int type, int code) {
        Ipv4Packet p = s.ip();
        assertEquals(0x45, s.u8(0), "version and IHL");
        assertEquals(tos, p.tos(), "tos");
        assertEquals(s.frame().length - EthernetFrame.HEADER_LENGTH, p.totalLength(), "total length");
        assertEquals(0, s.u16(6), "flags and fragment offset: DF clear (IP_PMTUDISC_DONT)");
        assertEquals(64, p.ttl(), "ttl");
        assertEquals(1, p.protocol(), "protocol");
        assertEquals(Ipv4Address.format(src), Ipv4Address.format(p.src()), "source");
        assertEquals(Ipv4Address.format(dst), Ipv4Address.format(p.dst()), "destination");
        assertTrue(p.verifyChecksum(), "IP header checksum");
        assertEquals(type, s.u8(20), "ICMP type");
        assertEquals(code, s.u8(21), "ICMP code");
        assertTrue(Checksum.verify(s.frame(), EthernetFrame.HEADER_LENGTH + 20, p.totalLength() - 20), "ICMP checksum");
    }

    // ---- time exceeded ------------------------------------------------------------------------

    @Test
    void ttlOneFromTheContainerIsAnsweredTimeExceededFromTheDocker0Address() {
        byte[] probe = fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1).withTos(0x10).withIdentification(777),
                UdpRepr.of(40000, 33434).withPayload(payload(32)));
        rig.receive(docker0, probe);
        Sent e = rig.only("docker0");
        assertEquals(MacAddress.parse(CONTAINER_MAC), MacAddress.read(e.frame(), 0));
        assertEquals(MacAddress.parse(DOCKER0_MAC), MacAddress.read(e.frame(), 6));
        // tos: RT_TOS(0x10) | IPTOS_PREC_INTERNETCONTROL
        assertIcmpSocketPacket(e, ip("172.17.0.1"), ip("172.17.0.2"), 0xd0, 11, 0);
        assertEquals(0, e.u16(24), "unused");
        assertEquals(0, e.u16(26), "unused");
        assertArrayEquals(ipOf(probe), e.quoted(), "the whole probe, TTL 1, un-NATed");
        assertEquals(1, rig.drops(DropReason.TTL_EXCEEDED), "still counted as a drop of the probe");
        assertEquals(1, rig.engine().snmp().icmpErrorsSent());
        assertEquals(0, rig.engine().connections().count(), "the probe's connection was never confirmed");
    }

    @Test
    void theQuoteStopsAt576BytesOfError() {
        byte[] probe = fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1),
                UdpRepr.of(40000, 33434).withPayload(payload(1000)));
        rig.receive(docker0, probe);
        Sent e = rig.only();
        assertEquals(576, e.ip().totalLength());
        assertArrayEquals(Arrays.copyOf(ipOf(probe), 576 - 28), e.quoted());
    }

    @Test
    void anEchoRequestWithTtlOneGetsTimeExceededButAnIcmpErrorDoesNot() {
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), IcmpRepr.echoRequest(5, 1, payload(56))));
        assertIcmpSocketPacket(rig.only(), ip("172.17.0.1"), ip("172.17.0.2"), 0xc0, 11, 0);

        byte[] original = Ipv4Repr.of("8.8.8.8", "172.17.0.2").packet(UdpRepr.of(53, 40000).withPayload(payload(10)));
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), IcmpRepr.destUnreachable(3, original)));
        assertEquals(0, sent.size(), "never an error about an error");
        assertEquals(2, rig.drops(DropReason.TTL_EXCEEDED));
    }

    @Test
    void noErrorAboutAFrameSentToTheLinkLayerBroadcastAddress() {
        byte[] frame = EthernetRepr.of(MacAddress.parse(CONTAINER_MAC), 0xffffffffffffL)
                .frame(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 33434).withPayload(payload(8)));
        rig.receive(docker0, frame);
        assertEquals(0, sent.size());
    }

    @Test
    void aDnatedPacketExpiringIsAnsweredQuotingThePacketAsTheClientSentIt() {
        byte[] syn = fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180").withTtl(1),
                TcpRepr.of(60677, 10000).withSeq(1000).withFlags(0x02).withWindow(64240));
        rig.receive(eth0, syn);
        Sent e = rig.only("eth0");
        assertEquals(MacAddress.parse(GATEWAY_MAC), MacAddress.read(e.frame(), 0));
        assertIcmpSocketPacket(e, ip("45.77.200.180"), ip("114.246.99.100"), 0xc0, 11, 0);
        // PREROUTING made it 172.17.0.2:8000; the error, RELATED, is translated back on its way out
        assertArrayEquals(ipOf(syn), e.quoted());
        assertEquals(0, rig.engine().connections().count());
    }

    @Test
    void theServersAnswerExpiringInAMasqueradedConnectionQuotesItAsTheServerSentIt() {
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), UdpRepr.of(40000, 53).withPayload(payload(20))));
        Sent out = rig.only();
        int port = out.ip().srcPort();
        byte[] answer = fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180").withTtl(1), UdpRepr.of(53, port).withPayload(payload(40)));
        rig.receive(eth0, answer);
        Sent e = rig.only("eth0");
        assertIcmpSocketPacket(e, ip("45.77.200.180"), ip("8.8.8.8"), 0xc0, 11, 0);
        assertArrayEquals(ipOf(answer), e.quoted(), "the quote is translated back to the masqueraded address and port");
        assertEquals(1, rig.engine().connections().count());
    }

    @Test
    void theSourceIsTheRouteBacksUnlessIcmpErrorsUseInboundIfaddr() {
        // Asymmetric: from 172.17.0.9 but arriving on eth0; the route back is docker0.
        byte[] probe = fromInternet(Ipv4Repr.of("172.17.0.9", "8.8.4.4").withTtl(1), UdpRepr.of(1, 2).withPayload(payload(4)));
        rig.receive(eth0, probe);
        Sent e = rig.only("docker0");
        assertEquals(ip("172.17.0.1"), e.ip().src());

        rig.icmp(IcmpConfig.defaults().with("net.ipv4.icmp_errors_use_inbound_ifaddr", "1"));
        rig.receive(eth0, probe);
        e = rig.only();
        assertEquals("docker0", e.dev());
        assertEquals(ip("45.77.200.180"), e.ip().src());
    }

    // ---- fragmentation needed -----------------------------------------------------------------

    @Test
    void aDfPacketLargerThanTheUplinkMtuGetsFragmentationNeededWithTheNextHopMtu() {
        byte[] big = fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withDontFragment(true),
                UdpRepr.of(40000, 5004).withPayload(payload(1450)));
        rig.receive(docker0, big);
        Sent e = rig.only("docker0");
        assertIcmpSocketPacket(e, ip("172.17.0.1"), ip("172.17.0.2"), 0xc0, 3, 4);
        assertEquals(0, e.u16(24), "unused");
        assertEquals(1400, e.u16(26), "next-hop MTU");
        byte[] quote = Arrays.copyOf(ipOf(big), 548);
        assertArrayEquals(quote, e.quoted(), "TTL 64 (not yet decremented), source not yet masqueraded");
        assertEquals(1, rig.drops(DropReason.FRAG_NEEDED));
    }

    @Test
    void fragmentationNeededIsNeverRateLimited() {
        for (int i = 0; i < 100; i++) {
            rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withDontFragment(true),
                    UdpRepr.of(40000 + i, 5004).withPayload(payload(1450))));
        }
        assertEquals(100, sent.size());
        assertEquals(0, rig.engine().snmp().icmpRateLimited());
    }

    // ---- ip_error -----------------------------------------------------------------------------

    @Test
    void routeErrorsAreAnsweredAsIpErrorMapsThem() {
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "10.9.0.1"), UdpRepr.of(1, 2).withPayload(payload(4))));
        assertIcmpSocketPacket(rig.only(), ip("172.17.0.1"), ip("172.17.0.2"), 0xc0, 3, 1); // unreachable: host unreachable
        rig.now += 2000 * MS; // ip_error's bucket: 1 s a message
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "10.8.0.1"), UdpRepr.of(1, 2).withPayload(payload(4))));
        assertIcmpSocketPacket(rig.only(), ip("172.17.0.1"), ip("172.17.0.2"), 0xc0, 3, 13); // prohibit: filtered
        rig.now += 2000 * MS;
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "10.7.0.1"), UdpRepr.of(1, 2).withPayload(payload(4))));
        assertEquals(0, sent.size(), "blackhole: silently");
        assertEquals(3, rig.drops(DropReason.ROUTE_UNREACHABLE));
    }

    @Test
    void noRouteAtAllIsNetUnreachable() {
        EngineRig noDefault = EngineRig.host("""
                link set dev eth0 address 56:00:04:7c:7c:23 mtu 1500 up
                addr add 45.77.200.180/23 dev eth0
                neigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0
                """).rules(EngineRig.SEED_RULES);
        noDefault.receive("eth0", fromInternet(Ipv4Repr.of("45.77.200.1", "8.8.8.8"), UdpRepr.of(1, 2).withPayload(payload(4))));
        Sent e = noDefault.only("eth0");
        assertIcmpSocketPacket(e, ip("45.77.200.180"), ip("45.77.200.1"), 0xc0, 3, 0);
    }

    @Test
    void ipErrorsOwnBucketLetsTwoUnreachablesThroughAtOnceThenOneASecond() {
        // error_burst 5 s, error_cost 1 s, then icmp_send's own bucket on the same peer: 2 go at once
        for (int i = 0; i < 5; i++) rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "10.9.0.1"), UdpRepr.of(1, 2 + i).withPayload(payload(4))));
        assertEquals(2, sent.size());
    }

    // ---- rate limits --------------------------------------------------------------------------

    @Test
    void timeExceededToOneDestinationIsLimitedToABurstOfSixThenOneASecond() {
        for (int i = 0; i < 10; i++) {
            rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 33434 + i).withPayload(payload(8))));
        }
        assertEquals(6, sent.size());
        assertEquals(4, rig.engine().snmp().icmpRateLimited());
        assertEquals(10, rig.drops(DropReason.TTL_EXCEEDED));
        sent.clear();
        rig.now += 1000 * MS;
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 1).withPayload(payload(8))));
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 2).withPayload(payload(8))));
        assertEquals(1, sent.size());
    }

    @Test
    void anotherDestinationHasItsOwnBucket() {
        for (int i = 0; i < 10; i++) {
            rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 33434 + i).withPayload(payload(8))));
        }
        sent.clear();
        rig.receive(eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "172.17.0.2").withTtl(1), UdpRepr.of(1, 2).withPayload(payload(8))));
        assertEquals(1, sent.size());
    }

    @Test
    void theHostWideLimitHoldsWhenThePerDestinationOneIsOff() {
        rig.icmp(IcmpConfig.defaults().with("net.ipv4.icmp_ratelimit", "0"));
        for (int i = 0; i < 200; i++) {
            rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, i + 1).withPayload(payload(8))));
            rig.now -= MS / 2; // 200 packets in 100 ms: the bucket (50) refills by at most 100
        }
        assertTrue(sent.size() > 50 && sent.size() < 200, "sent " + sent.size());
        assertEquals(200 - sent.size(), rig.engine().snmp().icmpRateLimited());
    }

    @Test
    void aRatemaskWithoutTimeExceededLimitsNothing() {
        rig.icmp(IcmpConfig.defaults().with("net.ipv4.icmp_ratemask", "0"));
        for (int i = 0; i < 100; i++) {
            rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, i + 1).withPayload(payload(8))));
        }
        assertEquals(100, sent.size());
    }

    // ---- echo ---------------------------------------------------------------------------------

    @Test
    void aPingToTheHostIsDeliveredAndAnswered() {
        byte[] ping = fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180").withTos(0x28).withDontFragment(true),
                IcmpRepr.echoRequest(0x1234, 7, payload(56)));
        rig.receive(eth0, ping);
        assertEquals(1, delivered.size(), "local.pcap still gets the request");
        assertArrayEquals(ipOf(ping), delivered.getFirst());
        Sent r = rig.only("eth0");
        assertEquals(MacAddress.parse(GATEWAY_MAC), MacAddress.read(r.frame(), 0));
        assertIcmpSocketPacket(r, ip("45.77.200.180"), ip("114.246.99.100"), 0x28, 0, 0);
        assertEquals(0x1234, r.u16(24), "echo id");
        assertEquals(7, r.u16(26), "echo sequence");
        assertArrayEquals(payload(56), r.quoted(), "the request's data");
        assertEquals(1, rig.engine().snmp().icmpEchoRepliesSent());
        assertEquals(1, rig.engine().snmp().deliveredLocally());
    }

    @Test
    void aContainerPingingTheUplinkAddressIsAnsweredFromThatAddressThroughDocker0() {
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "45.77.200.180"), IcmpRepr.echoRequest(9, 1, payload(8))));
        Sent r = rig.only("docker0");
        assertIcmpSocketPacket(r, ip("45.77.200.180"), ip("172.17.0.2"), 0, 0, 0);
    }

    @Test
    void echoRepliesAreNotRateLimited() {
        for (int i = 0; i < 100; i++) {
            rig.receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), IcmpRepr.echoRequest(1, i, payload(8))));
        }
        assertEquals(100, sent.size());
    }

    @Test
    void echoIgnoreAllSilencesTheHost() {
        rig.icmp(IcmpConfig.defaults().with("net.ipv4.icmp_echo_ignore_all", "1"));
        rig.receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), IcmpRepr.echoRequest(1, 1, payload(8))));
        assertEquals(0, sent.size());
        assertEquals(1, delivered.size());
    }

    @Test
    void aPingToTheBridgesBroadcastAddressIsIgnoredUnlessEchoIgnoreBroadcastsIsOff() {
        byte[] ping = EthernetRepr.of(MacAddress.parse(CONTAINER_MAC), 0xffffffffffffL)
                .frame(Ipv4Repr.of("172.17.0.2", "172.17.255.255"), IcmpRepr.echoRequest(1, 1, payload(8)));
        rig.receive(docker0, ping);
        assertEquals(0, sent.size());
        rig.icmp(IcmpConfig.defaults().with("net.ipv4.icmp_echo_ignore_broadcasts", "0"));
        rig.receive(docker0, ping);
        assertIcmpSocketPacket(rig.only(), ip("172.17.0.1"), ip("172.17.0.2"), 0, 0, 0);
    }

    @Test
    void aPingWithABadChecksumIsNotAnswered() {
        byte[] ping = fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), IcmpRepr.echoRequest(1, 1, payload(8)));
        ping[EthernetFrame.HEADER_LENGTH + 20 + 2] ^= 0x01;
        rig.receive(eth0, ping);
        assertEquals(0, sent.size());
    }

    @Test
    void anEchoReplyToTheHostIsNotAnswered() {
        rig.receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), IcmpRepr.echoReply(1, 1, payload(8))));
        assertEquals(0, sent.size());
        assertEquals(1, delivered.size());
    }

    // ---- settings -----------------------------------------------------------------------------

    @Test
    void sysctlsAreTheKernelsDefaultsAndChangeByName() {
        IcmpConfig d = IcmpConfig.defaults();
        assertEquals(1000, d.ratelimitMs());
        assertEquals(6168, d.ratemask());
        assertEquals(1000, d.msgsPerSec());
        assertEquals(50, d.msgsBurst());
        assertFalse(d.echoIgnoreAll());
        assertTrue(d.echoIgnoreBroadcasts());
        assertFalse(d.errorsUseInboundIfaddr());
        assertEquals(250, d.with("net/ipv4/icmp_ratelimit", "250").ratelimitMs());
        assertThrows(IllegalArgumentException.class, () -> d.with("net.ipv4.icmp_nonsense", "1"));
        assertThrows(IllegalArgumentException.class, () -> d.with("net.ipv4.icmp_echo_ignore_all", "2"));
        assertThrows(IllegalArgumentException.class, () -> d.with("net.ipv4.icmp_ratelimit", "-1"));
    }
}

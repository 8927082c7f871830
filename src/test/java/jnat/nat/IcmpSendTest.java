package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.Ruleset;
import jnat.wire.Checksum;
import jnat.wire.EthernetFrame;
import jnat.wire.EthernetRepr;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.MacAddress;
import jnat.wire.TcpRepr;
import jnat.wire.TransportRepr;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    static final String CONTAINER_MAC = "02:42:ac:11:00:02", DOCKER0_MAC = "02:42:d5:35:3a:3c";
    static final String ETH0_MAC = "56:00:04:7c:7c:23", GATEWAY_MAC = "06:7c:16:88:fe:87";
    static final long MS = 1_000_000L;

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

    record Sent(String dev, byte[] frame) {
        Ipv4Packet ip() {
            Ipv4Packet p = new Ipv4Packet();
            assertEquals(WireError.OK, p.wrap(frame, EthernetFrame.HEADER_LENGTH, frame.length - EthernetFrame.HEADER_LENGTH));
            return p;
        }

        int u8(int ipOffset) {
            return frame[EthernetFrame.HEADER_LENGTH + ipOffset] & 0xff;
        }

        int u16(int ipOffset) {
            return u8(ipOffset) << 8 | u8(ipOffset + 1);
        }

        /** The bytes the ICMP message quotes (after its 8-byte header). */
        byte[] quoted() {
            int from = EthernetFrame.HEADER_LENGTH + 20 + 8;
            return Arrays.copyOfRange(frame, from, frame.length);
        }
    }

    Host host = Host.parse(HOST, "icmp-host.ip");
    Interface eth0 = host.device("eth0"), docker0 = host.device("docker0");
    NatEngine engine = engine(IcmpConfig.defaults());
    final List<Sent> sent = new ArrayList<>();
    final List<byte[]> delivered = new ArrayList<>();
    long now = 1_000_000 * MS;

    NatEngine engine(IcmpConfig icmp) {
        return new NatEngine(host, Ruleset.parse(NatEngineTest.resource("/demo/seed-docker.rules")),
                NatEngine.Config.defaults().withIcmp(icmp));
    }

    void receive(Interface in, byte[] frame) {
        now += MS;
        engine.receive(in, frame.clone(), 0, frame.length, now, new NatEngine.Transmit() {
            @Override
            public void transmit(Interface out, byte[] buf, int off, int len) {
                sent.add(new Sent(out.name(), Arrays.copyOfRange(buf, off, off + len)));
            }

            @Override
            public void deliver(byte[] buf, int off, int len) {
                delivered.add(Arrays.copyOfRange(buf, off, off + len));
            }
        });
    }

    Sent only() {
        assertEquals(1, sent.size(), "frames sent: " + sent.size());
        Sent s = sent.getFirst();
        sent.clear();
        return s;
    }

    static byte[] fromContainer(Ipv4Repr ip, TransportRepr l4) {
        return EthernetRepr.of(CONTAINER_MAC, DOCKER0_MAC).frame(ip, l4);
    }

    static byte[] fromInternet(Ipv4Repr ip, TransportRepr l4) {
        return EthernetRepr.of(GATEWAY_MAC, ETH0_MAC).frame(ip, l4);
    }

    static byte[] ipOf(byte[] frame) {
        return Arrays.copyOfRange(frame, EthernetFrame.HEADER_LENGTH, frame.length);
    }

    static int ip(String a) {
        return Ipv4Address.parse(a);
    }

    static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('a' + i % 26);
        return b;
    }

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
        receive(docker0, probe);
        Sent e = only();
        assertEquals("docker0", e.dev());
        assertEquals(MacAddress.parse(CONTAINER_MAC), MacAddress.read(e.frame(), 0));
        assertEquals(MacAddress.parse(DOCKER0_MAC), MacAddress.read(e.frame(), 6));
        // tos: RT_TOS(0x10) | IPTOS_PREC_INTERNETCONTROL
        assertIcmpSocketPacket(e, ip("172.17.0.1"), ip("172.17.0.2"), 0xd0, 11, 0);
        assertEquals(0, e.u16(24), "unused");
        assertEquals(0, e.u16(26), "unused");
        assertArrayEquals(ipOf(probe), e.quoted(), "the whole probe, TTL 1, un-NATed");
        assertEquals(1, engine.drops(DropReason.TTL_EXCEEDED), "still counted as a drop of the probe");
        assertEquals(1, engine.icmpErrorsSent());
        assertEquals(0, engine.connections().count(), "the probe's connection was never confirmed");
    }

    @Test
    void theQuoteStopsAt576BytesOfError() {
        byte[] probe = fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1),
                UdpRepr.of(40000, 33434).withPayload(payload(1000)));
        receive(docker0, probe);
        Sent e = only();
        assertEquals(576, e.ip().totalLength());
        assertArrayEquals(Arrays.copyOf(ipOf(probe), 576 - 28), e.quoted());
    }

    @Test
    void anEchoRequestWithTtlOneGetsTimeExceededButAnIcmpErrorDoesNot() {
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), IcmpRepr.echoRequest(5, 1, payload(56))));
        assertIcmpSocketPacket(only(), ip("172.17.0.1"), ip("172.17.0.2"), 0xc0, 11, 0);

        byte[] original = Ipv4Repr.of("8.8.8.8", "172.17.0.2").packet(UdpRepr.of(53, 40000).withPayload(payload(10)));
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), IcmpRepr.destUnreachable(3, original)));
        assertEquals(0, sent.size(), "never an error about an error");
        assertEquals(2, engine.drops(DropReason.TTL_EXCEEDED));
    }

    @Test
    void noErrorAboutAFrameSentToTheLinkLayerBroadcastAddress() {
        byte[] frame = EthernetRepr.of(MacAddress.parse(CONTAINER_MAC), 0xffffffffffffL)
                .frame(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 33434).withPayload(payload(8)));
        receive(docker0, frame);
        assertEquals(0, sent.size());
    }

    @Test
    void aDnatedPacketExpiringIsAnsweredQuotingThePacketAsTheClientSentIt() {
        byte[] syn = fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180").withTtl(1),
                TcpRepr.of(60677, 10000).withSeq(1000).withFlags(0x02).withWindow(64240));
        receive(eth0, syn);
        Sent e = only();
        assertEquals("eth0", e.dev());
        assertEquals(MacAddress.parse(GATEWAY_MAC), MacAddress.read(e.frame(), 0));
        assertIcmpSocketPacket(e, ip("45.77.200.180"), ip("114.246.99.100"), 0xc0, 11, 0);
        // PREROUTING made it 172.17.0.2:8000; the error, RELATED, is translated back on its way out
        assertArrayEquals(ipOf(syn), e.quoted());
        assertEquals(0, engine.connections().count());
    }

    @Test
    void theServersAnswerExpiringInAMasqueradedConnectionQuotesItAsTheServerSentIt() {
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), UdpRepr.of(40000, 53).withPayload(payload(20))));
        Sent out = only();
        int port = out.ip().srcPort();
        byte[] answer = fromInternet(Ipv4Repr.of("8.8.8.8", "45.77.200.180").withTtl(1), UdpRepr.of(53, port).withPayload(payload(40)));
        receive(eth0, answer);
        Sent e = only();
        assertEquals("eth0", e.dev());
        assertIcmpSocketPacket(e, ip("45.77.200.180"), ip("8.8.8.8"), 0xc0, 11, 0);
        assertArrayEquals(ipOf(answer), e.quoted(), "the quote is translated back to the masqueraded address and port");
        assertEquals(1, engine.connections().count());
    }

    @Test
    void theSourceIsTheRouteBacksUnlessIcmpErrorsUseInboundIfaddr() {
        // Asymmetric: from 172.17.0.9 but arriving on eth0; the route back is docker0.
        byte[] probe = fromInternet(Ipv4Repr.of("172.17.0.9", "8.8.4.4").withTtl(1), UdpRepr.of(1, 2).withPayload(payload(4)));
        receive(eth0, probe);
        Sent e = only();
        assertEquals("docker0", e.dev());
        assertEquals(ip("172.17.0.1"), e.ip().src());

        engine = engine(IcmpConfig.defaults().with("net.ipv4.icmp_errors_use_inbound_ifaddr", "1"));
        receive(eth0, probe);
        e = only();
        assertEquals("docker0", e.dev());
        assertEquals(ip("45.77.200.180"), e.ip().src());
    }

    // ---- fragmentation needed -----------------------------------------------------------------

    @Test
    void aDfPacketLargerThanTheUplinkMtuGetsFragmentationNeededWithTheNextHopMtu() {
        byte[] big = fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withDontFragment(true),
                UdpRepr.of(40000, 5004).withPayload(payload(1450)));
        receive(docker0, big);
        Sent e = only();
        assertEquals("docker0", e.dev());
        assertIcmpSocketPacket(e, ip("172.17.0.1"), ip("172.17.0.2"), 0xc0, 3, 4);
        assertEquals(0, e.u16(24), "unused");
        assertEquals(1400, e.u16(26), "next-hop MTU");
        byte[] quote = Arrays.copyOf(ipOf(big), 548);
        assertArrayEquals(quote, e.quoted(), "TTL 64 (not yet decremented), source not yet masqueraded");
        assertEquals(1, engine.drops(DropReason.FRAG_NEEDED));
    }

    @Test
    void fragmentationNeededIsNeverRateLimited() {
        for (int i = 0; i < 100; i++) {
            receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withDontFragment(true),
                    UdpRepr.of(40000 + i, 5004).withPayload(payload(1450))));
        }
        assertEquals(100, sent.size());
        assertEquals(0, engine.icmpRateLimited());
    }

    // ---- ip_error -----------------------------------------------------------------------------

    @Test
    void routeErrorsAreAnsweredAsIpErrorMapsThem() {
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "10.9.0.1"), UdpRepr.of(1, 2).withPayload(payload(4))));
        assertIcmpSocketPacket(only(), ip("172.17.0.1"), ip("172.17.0.2"), 0xc0, 3, 1); // unreachable: host unreachable
        now += 2000 * MS; // ip_error's bucket: 1 s a message
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "10.8.0.1"), UdpRepr.of(1, 2).withPayload(payload(4))));
        assertIcmpSocketPacket(only(), ip("172.17.0.1"), ip("172.17.0.2"), 0xc0, 3, 13); // prohibit: filtered
        now += 2000 * MS;
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "10.7.0.1"), UdpRepr.of(1, 2).withPayload(payload(4))));
        assertEquals(0, sent.size(), "blackhole: silently");
        assertEquals(3, engine.drops(DropReason.ROUTE_UNREACHABLE));
    }

    @Test
    void noRouteAtAllIsNetUnreachable() {
        host = Host.parse("""
                link set dev eth0 address 56:00:04:7c:7c:23 mtu 1500 up
                addr add 45.77.200.180/23 dev eth0
                neigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0
                """, "no-default.ip");
        eth0 = host.device("eth0");
        engine = engine(IcmpConfig.defaults());
        receive(eth0, fromInternet(Ipv4Repr.of("45.77.200.1", "8.8.8.8"), UdpRepr.of(1, 2).withPayload(payload(4))));
        Sent e = only();
        assertEquals("eth0", e.dev());
        assertIcmpSocketPacket(e, ip("45.77.200.180"), ip("45.77.200.1"), 0xc0, 3, 0);
    }

    @Test
    void ipErrorsOwnBucketLetsTwoUnreachablesThroughAtOnceThenOneASecond() {
        // error_burst 5 s, error_cost 1 s, then icmp_send's own bucket on the same peer: 2 go at once
        for (int i = 0; i < 5; i++) receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "10.9.0.1"), UdpRepr.of(1, 2 + i).withPayload(payload(4))));
        assertEquals(2, sent.size());
    }

    // ---- rate limits --------------------------------------------------------------------------

    @Test
    void timeExceededToOneDestinationIsLimitedToABurstOfSixThenOneASecond() {
        for (int i = 0; i < 10; i++) {
            receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 33434 + i).withPayload(payload(8))));
        }
        assertEquals(6, sent.size());
        assertEquals(4, engine.icmpRateLimited());
        assertEquals(10, engine.drops(DropReason.TTL_EXCEEDED));
        sent.clear();
        now += 1000 * MS;
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 1).withPayload(payload(8))));
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 2).withPayload(payload(8))));
        assertEquals(1, sent.size());
    }

    @Test
    void anotherDestinationHasItsOwnBucket() {
        for (int i = 0; i < 10; i++) {
            receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, 33434 + i).withPayload(payload(8))));
        }
        sent.clear();
        receive(eth0, fromInternet(Ipv4Repr.of("8.8.8.8", "172.17.0.2").withTtl(1), UdpRepr.of(1, 2).withPayload(payload(8))));
        assertEquals(1, sent.size());
    }

    @Test
    void theHostWideLimitHoldsWhenThePerDestinationOneIsOff() {
        engine = engine(IcmpConfig.defaults().with("net.ipv4.icmp_ratelimit", "0"));
        for (int i = 0; i < 200; i++) {
            receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, i + 1).withPayload(payload(8))));
            now -= MS / 2; // 200 packets in 100 ms: the bucket (50) refills by at most 100
        }
        assertTrue(sent.size() > 50 && sent.size() < 200, "sent " + sent.size());
        assertEquals(200 - sent.size(), engine.icmpRateLimited());
    }

    @Test
    void aRatemaskWithoutTimeExceededLimitsNothing() {
        engine = engine(IcmpConfig.defaults().with("net.ipv4.icmp_ratemask", "0"));
        for (int i = 0; i < 100; i++) {
            receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), UdpRepr.of(40000, i + 1).withPayload(payload(8))));
        }
        assertEquals(100, sent.size());
    }

    // ---- echo ---------------------------------------------------------------------------------

    @Test
    void aPingToTheHostIsDeliveredAndAnswered() {
        byte[] ping = fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180").withTos(0x28).withDontFragment(true),
                IcmpRepr.echoRequest(0x1234, 7, payload(56)));
        receive(eth0, ping);
        assertEquals(1, delivered.size(), "local.pcap still gets the request");
        assertArrayEquals(ipOf(ping), delivered.getFirst());
        Sent r = only();
        assertEquals("eth0", r.dev());
        assertEquals(MacAddress.parse(GATEWAY_MAC), MacAddress.read(r.frame(), 0));
        assertIcmpSocketPacket(r, ip("45.77.200.180"), ip("114.246.99.100"), 0x28, 0, 0);
        assertEquals(0x1234, r.u16(24), "echo id");
        assertEquals(7, r.u16(26), "echo sequence");
        assertArrayEquals(payload(56), r.quoted(), "the request's data");
        assertEquals(1, engine.icmpEchoRepliesSent());
        assertEquals(1, engine.deliveredLocally());
    }

    @Test
    void aContainerPingingTheUplinkAddressIsAnsweredFromThatAddressThroughDocker0() {
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", "45.77.200.180"), IcmpRepr.echoRequest(9, 1, payload(8))));
        Sent r = only();
        assertEquals("docker0", r.dev());
        assertIcmpSocketPacket(r, ip("45.77.200.180"), ip("172.17.0.2"), 0, 0, 0);
    }

    @Test
    void echoRepliesAreNotRateLimited() {
        for (int i = 0; i < 100; i++) {
            receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), IcmpRepr.echoRequest(1, i, payload(8))));
        }
        assertEquals(100, sent.size());
    }

    @Test
    void echoIgnoreAllSilencesTheHost() {
        engine = engine(IcmpConfig.defaults().with("net.ipv4.icmp_echo_ignore_all", "1"));
        receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), IcmpRepr.echoRequest(1, 1, payload(8))));
        assertEquals(0, sent.size());
        assertEquals(1, delivered.size());
    }

    @Test
    void aPingToTheBridgesBroadcastAddressIsIgnoredUnlessEchoIgnoreBroadcastsIsOff() {
        byte[] ping = EthernetRepr.of(MacAddress.parse(CONTAINER_MAC), 0xffffffffffffL)
                .frame(Ipv4Repr.of("172.17.0.2", "172.17.255.255"), IcmpRepr.echoRequest(1, 1, payload(8)));
        receive(docker0, ping);
        assertEquals(0, sent.size());
        engine = engine(IcmpConfig.defaults().with("net.ipv4.icmp_echo_ignore_broadcasts", "0"));
        receive(docker0, ping);
        assertIcmpSocketPacket(only(), ip("172.17.0.1"), ip("172.17.0.2"), 0, 0, 0);
    }

    @Test
    void aPingWithABadChecksumIsNotAnswered() {
        byte[] ping = fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), IcmpRepr.echoRequest(1, 1, payload(8)));
        ping[EthernetFrame.HEADER_LENGTH + 20 + 2] ^= 0x01;
        receive(eth0, ping);
        assertEquals(0, sent.size());
    }

    @Test
    void anEchoReplyToTheHostIsNotAnswered() {
        receive(eth0, fromInternet(Ipv4Repr.of("114.246.99.100", "45.77.200.180"), IcmpRepr.echoReply(1, 1, payload(8))));
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

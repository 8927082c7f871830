package jnat.nat;

import jnat.host.Interface;
import jnat.nat.EngineRig.Sent;
import jnat.wire.Checksum;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.Offload;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static jnat.nat.EngineRig.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packets with offload state, as a TUN device with IFF_VNET_HDR hands them over: CHECKSUM_PARTIAL
 * (the L4 checksum field holds the pseudo-header sum), CHECKSUM_UNNECESSARY, and GSO packets of up to
 * 64 KB, on the lab's gateway host (layer-3 docker0 and eth0, MTU 1500).
 */
class OffloadTest {
    static final String WAN = "203.0.113.1", GW_WAN = "203.0.113.10", CTR = "172.17.0.2", GW_CTR = "172.17.0.1";
    /** DNAT with a port change in, SNAT with a port change out: both addresses and both ports of every packet change. */
    static final String RULES = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -i eth0 -p tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000
            -A PREROUTING -i eth0 -p udp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000
            -A POSTROUTING -o docker0 -p tcp -j SNAT --to-source 172.17.0.1:30000
            -A POSTROUTING -o docker0 -p udp -j SNAT --to-source 172.17.0.1:30000
            -A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE
            COMMIT
            """;

    final EngineRig rig = EngineRig.labHost().rules(RULES).keepOffload(true);
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final List<Sent> sent = rig.sent();
    final Offload offload = new Offload();

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * Turns a packet with a full L4 checksum into what a sending Linux stack hands a device with
     * NETIF_F_HW_CSUM: the field holds the folded pseudo-header sum (__tcp_v4_send_check, udp4_hwcsum).
     */
    static byte[] partial(byte[] p, Offload o) {
        Ipv4Packet v = new Ipv4Packet();
        assertEquals(WireError.OK, v.wrap(p, 0, p.length));
        int field = v.protocol() == IpProtocol.TCP ? 16 : 6;
        int pseudo = Checksum.pseudoHeaderSum(v.src(), v.dst(), v.protocol(), v.payloadLength());
        p[v.payloadOffset() + field] = (byte) (pseudo >>> 8);
        p[v.payloadOffset() + field + 1] = (byte) pseudo;
        o.clear();
        o.ipSummed = Offload.CHECKSUM_PARTIAL;
        o.csumStart = v.headerLength();
        o.csumOffset = field;
        return p;
    }

    /** The TCP handshake of 203.0.113.1:40000 -> 203.0.113.10:10000 (DNAT 172.17.0.2:8000, SNAT 172.17.0.1:30000), every packet partial. */
    void handshake() {
        rig.receive(eth0, partial(Ipv4Repr.of(WAN, GW_WAN).packet(TcpRepr.of(40000, 10000).withSeq(1000)
                .withFlags(TcpSegment.SYN).withWindow(64240).withLinuxSynOptions(1)), offload), offload);
        rig.only();
        rig.receive(docker0, partial(Ipv4Repr.of(CTR, GW_CTR).packet(TcpRepr.of(8000, 30000).withSeq(5000).withAck(1001)
                .withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(65160).withLinuxSynOptions(2)), offload), offload);
        rig.only();
        rig.receive(eth0, partial(Ipv4Repr.of(WAN, GW_WAN).packet(TcpRepr.of(40000, 10000).withSeq(1001).withAck(5001)
                .withFlags(TcpSegment.ACK).withWindow(2048).withTimestamps(3, 2)), offload), offload);
        rig.only();
    }

    @Test
    void partialTcpWithDnatAndSnatPortChangesIsValidOnceTheChecksumIsCompleted() {
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7 + 3);
        Ipv4Repr in = Ipv4Repr.of(WAN, GW_WAN).withDontFragment(true);
        TcpRepr l4 = TcpRepr.of(40000, 10000).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240).withPayload(data);
        rig.receive(eth0, partial(in.packet(l4), offload), offload);

        Sent s = rig.only("docker0");
        assertEquals(Offload.CHECKSUM_PARTIAL, s.offload().ipSummed);
        assertEquals(20, s.offload().csumStart);
        assertEquals(16, s.offload().csumOffset);
        Ipv4Packet out = s.ip();
        assertEquals(ip(GW_CTR), out.src());
        assertEquals(ip(CTR), out.dst());
        assertEquals(30000, out.srcPort());
        assertEquals(8000, out.dstPort());
        // inet_proto_csum_replace4 with pseudohdr: the field is the new pseudo-header's sum, ports not in it
        int field = (s.packet()[36] & 0xff) << 8 | (s.packet()[37] & 0xff);
        assertEquals(Checksum.pseudoHeaderSum(ip(GW_CTR), ip(CTR), IpProtocol.TCP, out.payloadLength()), field);
        assertFalse(out.verifyTransportChecksum(), "still partial");

        byte[] done = s.completed();
        Ipv4Packet v = new Ipv4Packet();
        v.wrap(done, 0, done.length);
        assertTrue(v.verifyChecksum());
        assertTrue(v.verifyTransportChecksum(), "the completed checksum verifies");
        byte[] expected = in.withSrc(GW_CTR).withDst(CTR).withTtl(63).packet(l4.withSrcPort(30000).withDstPort(8000));
        assertEquals(hex(expected), hex(done));
    }

    @Test
    void partialTcpReplyIsTranslatedBackAndValidOnceCompleted() {
        handshake();
        byte[] data = "reply from the container".getBytes();
        TcpRepr l4 = TcpRepr.of(8000, 30000).withSeq(5001).withAck(1001).withFlags(TcpSegment.ACK | TcpSegment.PSH)
                .withWindow(509).withTimestamps(4, 3).withPayload(data);
        rig.receive(docker0, partial(Ipv4Repr.of(CTR, GW_CTR).packet(l4), offload), offload);
        Sent s = rig.only("eth0");
        byte[] expected = Ipv4Repr.of(GW_WAN, WAN).withTtl(63).packet(l4.withSrcPort(10000).withDstPort(40000));
        assertEquals(hex(expected), hex(s.completed()));
    }

    @Test
    void partialUdpIsMasqueradedAndValidOnceCompleted() {
        UdpRepr l4 = UdpRepr.of(5353, 53).withPayload("query".getBytes());
        rig.receive(docker0, partial(Ipv4Repr.of(CTR, "198.51.100.8").packet(l4), offload), offload);
        Sent s = rig.only("eth0");
        assertEquals(Offload.CHECKSUM_PARTIAL, s.offload().ipSummed);
        byte[] expected = Ipv4Repr.of(GW_WAN, "198.51.100.8").withTtl(63).packet(l4);
        assertEquals(hex(expected), hex(s.completed()));
    }

    @Test
    void conntrackVerifiesTheChecksumOfAPlainPacket() {
        byte[] bad = Ipv4Repr.of(WAN, GW_WAN).packet(TcpRepr.of(40000, 10000).withFlags(TcpSegment.SYN));
        bad[36] ^= 0x55;
        rig.receive(eth0, bad, offload.clear());
        assertEquals(1, rig.engine().invalid());
        assertEquals(0, rig.engine().connections().count());
        assertEquals(0, sent.size());
        assertEquals(1, rig.engine().snmp().deliveredLocally(), "INVALID passes untracked, not DNATed: the gateway's own address");
    }

    @Test
    void checksumUnnecessarySkipsConntracksVerification() {
        byte[] bad = Ipv4Repr.of(WAN, GW_WAN).packet(TcpRepr.of(40000, 10000).withFlags(TcpSegment.SYN));
        bad[36] ^= 0x55;
        offload.clear().ipSummed = Offload.CHECKSUM_UNNECESSARY;
        rig.receive(eth0, bad, offload);
        assertEquals(0, rig.engine().invalid());
        assertEquals(1, rig.engine().connections().count());
        Sent s = rig.only();
        assertEquals(ip(CTR), s.ip().dst());
        assertEquals(Offload.CHECKSUM_UNNECESSARY, s.offload().ipSummed);
    }

    @Test
    void partialPacketIsNotVerifiedEither() {
        byte[] p = partial(Ipv4Repr.of(WAN, GW_WAN).packet(TcpRepr.of(40000, 10000).withFlags(TcpSegment.SYN)), offload);
        assertFalse(Checksum.verifyTransport(p, 20, p.length - 20, ip(WAN), ip(GW_WAN), IpProtocol.TCP));
        rig.receive(eth0, p, offload);
        assertEquals(0, rig.engine().invalid());
        assertEquals(ip(CTR), rig.only().ip().dst());
    }

    /** A TSO packet of the container's: 45 segments of 1448 bytes behind a 32-byte TCP header (timestamps). */
    byte[] gsoReply(int segments, int gsoSize, boolean df) {
        byte[] data = new byte[segments * 1448];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i % 251);
        TcpRepr l4 = TcpRepr.of(8000, 30000).withSeq(5001).withAck(1001).withFlags(TcpSegment.ACK)
                .withWindow(509).withTimestamps(4, 3).withPayload(data);
        byte[] p = partial(Ipv4Repr.of(CTR, GW_CTR).withDontFragment(df).packet(l4), offload);
        offload.gsoType = Offload.GSO_TCPV4;
        offload.gsoSize = gsoSize;
        return p;
    }

    @Test
    void gsoPacketOf64KbWhoseSegmentsFitTheMtuIsForwarded() {
        handshake();
        byte[] p = gsoReply(45, 1448, true);
        assertEquals(65212, p.length);
        assertEquals(1500, eth0.mtu());
        rig.receive(docker0, p, offload);
        Sent s = rig.only("eth0");
        assertEquals(65212, s.packet().length);
        assertEquals(1448, s.offload().gsoSize);
        assertEquals(Offload.GSO_TCPV4, s.offload().gsoType);
        assertEquals(Offload.CHECKSUM_PARTIAL, s.offload().ipSummed);
        Ipv4Packet out = s.ip();
        assertEquals(ip(GW_WAN), out.src());
        assertEquals(10000, out.srcPort());
        assertEquals(ip(WAN), out.dst());
        assertEquals(40000, out.dstPort());
        assertTrue(out.verifyChecksum());
        byte[] done = s.completed();
        Ipv4Packet v = new Ipv4Packet();
        v.wrap(done, 0, done.length);
        assertTrue(v.verifyTransportChecksum());
        assertEquals(0, rig.engine().invalid(), "conntrack's window took the 64 KB segment");
    }

    /** The one packet sent is the host's ICMP fragmentation needed, to the sender, with the next-hop MTU. */
    private void assertFragmentationNeededBackTo(String dev, int mtu) {
        assertEquals(1, sent.size(), "packets sent: " + sent.size());
        Sent e = sent.removeFirst();
        assertEquals(dev, e.dev());
        assertEquals(1, e.packet()[9], "ICMP");
        assertEquals(3, e.packet()[20], "destination unreachable");
        assertEquals(4, e.packet()[21], "fragmentation needed");
        assertEquals(mtu, (e.packet()[26] & 0xff) << 8 | (e.packet()[27] & 0xff), "next-hop MTU");
        assertEquals(Offload.CHECKSUM_NONE, e.offload().ipSummed);
    }

    @Test
    void gsoPacketWhoseSegmentsExceedTheMtuIsRefused() {
        handshake();
        rig.receive(docker0, gsoReply(45, 1449, true), offload); // 20 + 32 + 1449 = 1501
        assertFragmentationNeededBackTo("docker0", 1500); // ip_forward answers the sender (icmp_send)
        assertEquals(1, rig.drops(DropReason.FRAG_NEEDED));
    }

    @Test
    void non64KbDfPacketWithoutGsoIsStillRefused() {
        handshake();
        byte[] p = gsoReply(45, 0, true);
        offload.gsoType = Offload.GSO_NONE;
        rig.receive(docker0, p, offload);
        assertFragmentationNeededBackTo("docker0", 1500); // ip_forward answers the sender (icmp_send)
        assertEquals(1, rig.drops(DropReason.FRAG_NEEDED));
    }

    @Test
    void gsoTypeThatIsNotThePacketsProtocolIsRefused() {
        handshake();
        byte[] p = gsoReply(45, 1448, true);
        offload.gsoType = Offload.GSO_UDP_L4;
        rig.receive(docker0, p, offload);
        assertFragmentationNeededBackTo("docker0", 1500); // ip_forward answers the sender (icmp_send)
        assertEquals(1, rig.drops(DropReason.FRAG_NEEDED));
    }

    @Test
    void transmitterWithoutOffloadsGetsTheChecksumCompleted() {
        rig.keepOffload(false);
        byte[] p = partial(Ipv4Repr.of(CTR, "198.51.100.8").packet(UdpRepr.of(5353, 53).withPayload("q".getBytes())), offload);
        rig.receive(docker0, p, offload);
        assertTrue(rig.only().ip().verifyTransportChecksum());
        assertEquals(Offload.CHECKSUM_NONE, offload.ipSummed, "skb_checksum_help leaves CHECKSUM_NONE");
    }

    @Test
    void packetWithoutOffloadStateLeavesAsBefore() {
        byte[] p = Ipv4Repr.of(CTR, "198.51.100.8").packet(UdpRepr.of(5353, 53).withPayload("q".getBytes()));
        rig.receive(docker0, p);
        Sent s = rig.only();
        assertEquals(Offload.CHECKSUM_NONE, s.offload().ipSummed);
        assertEquals(0, s.offload().gsoSize);
        assertTrue(s.ip().verifyTransportChecksum());
    }
}

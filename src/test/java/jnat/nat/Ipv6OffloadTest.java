package jnat.nat;

import jnat.host.Interface;
import jnat.nat.EngineRig.Sent;
import jnat.wire.Checksum;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.Offload;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.Transport6Repr;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static jnat.nat.EngineRig.file;
import static jnat.nat.EngineRig.ip6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 packets with offload state, as a TUN device with IFF_VNET_HDR and TUN_F_TSO6 hands them over
 * (CHECKSUM_PARTIAL with the IPv6 pseudo-header sum in the field, GSO_TCPV6 packets of up to 64 KB),
 * on the lab's gateway host (scripts/lab-host.ip, layer-3 docker0 and eth0, MTU 1500) with the lab's
 * Docker ip6tables rules (scripts/lab6.rules: MASQUERADE out, 8080 DNATed to [fd49:efd7:54aa::2]:80).
 */
class Ipv6OffloadTest {
    static final String WAN = "2001:db8:1::1", GW_WAN = "2001:db8:1::10", CTR = "fd49:efd7:54aa::2",
            SERVER = "2001:db8:2::8";

    final EngineRig rig = EngineRig.labHost().rules(file("scripts/lab.rules")).rules6(file("scripts/lab6.rules")).keepOffload(true);
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final List<Sent> sent = rig.sent();
    final Offload offload = new Offload();

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * What a sending Linux stack hands a device with NETIF_F_HW_CSUM: the field holds the folded IPv6
     * pseudo-header sum (__tcp_v6_send_check, udp6_hwcsum_outgoing's partial case).
     */
    static byte[] partial(byte[] p, Offload o) {
        Ipv6Packet v = new Ipv6Packet();
        assertEquals(WireError.OK, v.wrap(p, 0, p.length));
        int field = v.upperProtocol() == IpProtocol.TCP ? 16 : 6;
        int pseudo = Checksum.pseudoHeaderSum6(v.srcHi(), v.srcLo(), v.dstHi(), v.dstLo(), v.upperProtocol(), v.upperLength());
        p[v.upperOffset() + field] = (byte) (pseudo >>> 8);
        p[v.upperOffset() + field + 1] = (byte) pseudo;
        o.clear();
        o.ipSummed = Offload.CHECKSUM_PARTIAL;
        o.csumStart = v.upperOffset();
        o.csumOffset = field;
        return p;
    }

    static byte[] packet(String src, String dst, Transport6Repr l4) {
        return Ipv6Repr.of(src, dst).packet(l4);
    }

    /** The container's connection to the server's port 5201: SYN, SYN-ACK, ACK, every packet partial. */
    void handshake() {
        rig.receive(docker0, partial(packet(CTR, SERVER, TcpRepr.of(40000, 5201).withSeq(1000)
                .withFlags(TcpSegment.SYN).withWindow(64800).withLinuxSynOptions(1)), offload), offload);
        rig.only("eth0");
        rig.receive(eth0, partial(packet(SERVER, GW_WAN, TcpRepr.of(5201, 40000).withSeq(5000).withAck(1001)
                .withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64260).withLinuxSynOptions(2)), offload), offload);
        rig.only("docker0");
        rig.receive(docker0, partial(packet(CTR, SERVER, TcpRepr.of(40000, 5201).withSeq(1001).withAck(5001)
                .withFlags(TcpSegment.ACK).withWindow(2048).withTimestamps(3, 2)), offload), offload);
        rig.only("eth0");
    }

    /** A TSO packet of the container's: {@code segments} of 1428 bytes behind a 32-byte TCP header (timestamps), GSO_TCPV6. */
    byte[] gso(int segments, int gsoSize) {
        byte[] data = new byte[segments * 1428];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i % 251);
        byte[] p = partial(packet(CTR, SERVER, TcpRepr.of(40000, 5201).withSeq(1001).withAck(5001)
                .withFlags(TcpSegment.ACK).withWindow(2048).withTimestamps(4, 2).withPayload(data)), offload);
        offload.gsoType = Offload.GSO_TCPV6;
        offload.gsoSize = gsoSize;
        return p;
    }

    @Test
    void partialTcpIsMasqueradedWithThePseudoHeaderSumMovedAndValidOnceCompleted() {
        byte[] data = "GET / HTTP/1.1\r\n\r\n".getBytes();
        TcpRepr l4 = TcpRepr.of(40000, 5201).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64800).withPayload(data);
        rig.receive(docker0, partial(packet(CTR, SERVER, l4), offload), offload);

        Sent s = rig.only("eth0");
        assertEquals(Offload.CHECKSUM_PARTIAL, s.offload().ipSummed);
        assertEquals(40, s.offload().csumStart);
        assertEquals(16, s.offload().csumOffset);
        Ipv6Packet out = s.ip6();
        assertArrayEquals(ip6(GW_WAN), new long[] {out.srcHi(), out.srcLo()});
        // inet_proto_csum_replace16 with pseudohdr: the field is the new pseudo-header's sum
        long[] src = ip6(GW_WAN), dst = ip6(SERVER);
        assertEquals(Checksum.pseudoHeaderSum6(src[0], src[1], dst[0], dst[1], IpProtocol.TCP, out.upperLength()), s.u16(56));
        assertFalse(out.verifyTransportChecksum(), "still partial");

        byte[] expected = Ipv6Repr.of(GW_WAN, SERVER).withHopLimit(63).packet(l4);
        assertEquals(hex(expected), hex(s.completed()));
    }

    @Test
    void partialTcpToThePublishedPortIsDnatedAndValidOnceCompleted() {
        TcpRepr l4 = TcpRepr.of(41000, 8080).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64800).withLinuxSynOptions(9);
        rig.receive(eth0, partial(packet(WAN, GW_WAN, l4), offload), offload);
        Sent s = rig.only("docker0");
        assertEquals(Offload.CHECKSUM_PARTIAL, s.offload().ipSummed);
        byte[] expected = Ipv6Repr.of(WAN, CTR).withHopLimit(63).packet(l4.withDstPort(80));
        assertEquals(hex(expected), hex(s.completed()));
    }

    @Test
    void partialUdpIsMasqueradedAndValidOnceCompleted() {
        UdpRepr l4 = UdpRepr.of(5353, 53).withPayload("query".getBytes());
        rig.receive(docker0, partial(packet(CTR, SERVER, l4), offload), offload);
        Sent s = rig.only("eth0");
        assertEquals(Offload.CHECKSUM_PARTIAL, s.offload().ipSummed);
        assertEquals(hex(Ipv6Repr.of(GW_WAN, SERVER).withHopLimit(63).packet(l4)), hex(s.completed()));
    }

    @Test
    void partialPacketIsNotVerifiedByConntrack() {
        byte[] p = partial(packet(CTR, SERVER, TcpRepr.of(40000, 5201).withFlags(TcpSegment.SYN)), offload);
        Ipv6Packet v = new Ipv6Packet();
        v.wrap(p, 0, p.length);
        assertFalse(v.verifyTransportChecksum());
        rig.receive(docker0, p, offload);
        assertEquals(0, rig.engine().invalid());
        assertEquals(1, rig.engine().connections().count());
    }

    @Test
    void gsoTcpv6PacketOf64KbWhoseSegmentsFitTheMtuIsForwardedWhole() {
        handshake();
        byte[] p = gso(45, 1428); // 40 + 32 + 1428 = 1500 a segment
        assertEquals(40 + 32 + 45 * 1428, p.length);
        rig.receive(docker0, p, offload);
        Sent s = rig.only("eth0");
        assertEquals(p.length, s.packet().length);
        assertEquals(1428, s.offload().gsoSize);
        assertEquals(Offload.GSO_TCPV6, s.offload().gsoType);
        assertEquals(Offload.CHECKSUM_PARTIAL, s.offload().ipSummed);
        Ipv6Packet out = s.ip6();
        assertArrayEquals(ip6(GW_WAN), new long[] {out.srcHi(), out.srcLo()});
        assertEquals(40000, out.srcPort());
        byte[] done = s.completed();
        Ipv6Packet v = new Ipv6Packet();
        v.wrap(done, 0, done.length);
        assertTrue(v.verifyTransportChecksum());
        assertEquals(0, rig.engine().invalid(), "conntrack's window took the 64 KB segment");
    }

    @Test
    void gsoTcpv6PacketWhoseSegmentsExceedTheMtuGetsPacketTooBig() {
        handshake();
        rig.receive(docker0, gso(45, 1429), offload); // 40 + 32 + 1429 = 1501
        Sent e = rig.only("docker0");
        Ipv6Packet icmp = e.ip6();
        assertEquals(IpProtocol.ICMPV6, icmp.upperProtocol());
        assertEquals(2, icmp.icmpType(), "packet too big");
        assertEquals(1500, e.u16(40 + 6), "the MTU (low half of the 32-bit field)");
        assertEquals(1, rig.drops(DropReason.PACKET_TOO_BIG));
    }

    @Test
    void largePacketWithoutGsoGetsPacketTooBig() {
        handshake();
        byte[] p = gso(45, 0);
        offload.gsoType = Offload.GSO_NONE;
        rig.receive(docker0, p, offload);
        assertEquals(2, rig.only("docker0").ip6().icmpType());
        assertEquals(1, rig.drops(DropReason.PACKET_TOO_BIG));
    }

    @Test
    void gsoTypeOfTheOtherFamilyIsRefused() {
        handshake();
        byte[] p = gso(45, 1428);
        offload.gsoType = Offload.GSO_TCPV4;
        rig.receive(docker0, p, offload);
        assertEquals(2, rig.only("docker0").ip6().icmpType());
        assertEquals(1, rig.drops(DropReason.PACKET_TOO_BIG));
    }

    @Test
    void gsoUdpOverIpv6WhoseSegmentsFitIsForwardedWhole() {
        byte[] data = new byte[10240];
        byte[] p = partial(packet(CTR, SERVER, UdpRepr.of(6000, 7000).withPayload(data)), offload);
        offload.gsoType = Offload.GSO_UDP_L4;
        offload.gsoSize = 1400;
        rig.receive(docker0, p, offload);
        Sent s = rig.only("eth0");
        assertEquals(p.length, s.packet().length);
        assertEquals(Offload.GSO_UDP_L4, s.offload().gsoType);
        assertTrue(s.ip6().upperLength() == 10248);
    }
}

package jnat.wire;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static jnat.wire.HandBytes.A6;
import static jnat.wire.HandBytes.A6_HI;
import static jnat.wire.HandBytes.A6_LO;
import static jnat.wire.HandBytes.B6;
import static jnat.wire.HandBytes.B6_HI;
import static jnat.wire.HandBytes.B6_LO;
import static jnat.wire.HandBytes.concat;
import static jnat.wire.HandBytes.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPv6 view, its extension header walk, the repr and the writer against packets written by hand
 * from RFC 8200's figures; the checksums were summed apart from jnat (RFC 1071, a few lines of python3
 * over the same bytes) and agree with scapy's.
 */
class Ipv6BytesTest {
    static final int EXPERIMENT = 253;

    /** 2001:db8::1 > 2001:db8::2, traffic class 0xb8 (EF), flow label 0x12345, hop limit 64, 4 bytes of data. */
    static final byte[] PACKET_BYTES = concat(of(
            0x6b, 0x81, 0x23, 0x45,   // version 6; traffic class 0xb8; flow label 0x12345
            0x00, 0x04, 0xfd, 0x40),  // payload length 4; next header 253; hop limit 64
            A6, B6,                   // source; destination
            of(0xde, 0xad, 0xbe, 0xef));

    /** 2001:db8::1:53000 > 2001:db8::2:53 UDP "jnat". */
    static final byte[] UDP_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,   // version 6; class 0; flow 0
            0x00, 0x0c, 0x11, 0x40),  // payload length 12; UDP; hop limit 64
            A6, B6, of(
            0xcf, 0x08, 0x00, 0x35,   // source port 53000; destination port 53
            0x00, 0x0c, 0x09, 0x41,   // length 12; checksum (IPv6 pseudo-header)
            'j', 'n', 'a', 't'));

    /** 2001:db8::1:40000 > 2001:db8::2:80 SYN, seq 0x01020304, window 64800, MSS 1440. */
    static final byte[] TCP_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x18, 0x06, 0x40),  // payload length 24; TCP; hop limit 64
            A6, B6, of(
            0x9c, 0x40, 0x00, 0x50,   // ports 40000 > 80
            0x01, 0x02, 0x03, 0x04,   // sequence number
            0x00, 0x00, 0x00, 0x00,   // acknowledgment number
            0x60, 0x02, 0xfd, 0x20,   // data offset 6; SYN; window 64800
            0x9f, 0x0e, 0x00, 0x00,   // checksum; urgent pointer
            0x02, 0x04, 0x05, 0xa0)); // MSS 1440

    /** {@link #UDP_BYTES}'s datagram behind hop-by-hop, routing and destination options headers. */
    static final byte[] EXT_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x24, 0x00, 0x40),  // payload length 36; hop-by-hop; hop limit 64
            A6, B6, of(
            0x2b, 0x00, 0x05, 0x02,   // next: routing; 8 bytes; router alert, length 2
            0x00, 0x00, 0x01, 0x00,   // value 0 (MLD); PadN of 0
            0x3c, 0x00, 0x00, 0x00,   // next: destination options; 8 bytes; type 0; segments left 0
            0x00, 0x00, 0x00, 0x00,   // reserved
            0x11, 0x00, 0x01, 0x04,   // next: UDP; 8 bytes; PadN of 4
            0x00, 0x00, 0x00, 0x00,
            0xcf, 0x08, 0x00, 0x35,   // the UDP datagram, checksum as above (same pseudo-header)
            0x00, 0x0c, 0x09, 0x41,
            'j', 'n', 'a', 't'));

    /** A later fragment: offset 185 (1480 bytes), no more fragments, identification 0xdeadbeef, 8 bytes of UDP data. */
    static final byte[] FRAGMENT_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x10, 0x2c, 0x40),  // payload length 16; fragment; hop limit 64
            A6, B6, of(
            0x11, 0x00, 0x05, 0xc8,   // next: UDP; reserved; offset 185, M 0
            0xde, 0xad, 0xbe, 0xef,   // identification
            0, 1, 2, 3, 4, 5, 6, 7));

    /** AH (length 4: 24 bytes) then ESP, which ends the walk. */
    static final byte[] AH_ESP_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x20, 0x33, 0x40),  // payload length 32; AH; hop limit 64
            A6, B6, of(
            0x32, 0x04, 0x00, 0x00,   // next: ESP; payload length 4 (6 words); reserved
            0x00, 0x00, 0x01, 0x00,   // SPI
            0x00, 0x00, 0x00, 0x01,   // sequence number
            0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,  // ICV
            0x00, 0x00, 0x02, 0x00,   // ESP: SPI
            0x00, 0x00, 0x00, 0x01)); // sequence number

    private final Ipv6Packet ip = new Ipv6Packet();

    private static Ipv6Repr repr() {
        return Ipv6Repr.of(A6_HI, A6_LO, B6_HI, B6_LO).withTrafficClass(0xb8).withFlowLabel(0x12345).withProtocol(EXPERIMENT);
    }

    private static UdpRepr udp() {
        return UdpRepr.of(53000, 53).withPayload(of('j', 'n', 'a', 't'));
    }

    private static Ipv6Repr extRepr() {
        return Ipv6Repr.of("2001:db8::1", "2001:db8::2").withExtHeaders(
                Ipv6Repr.ExtHeader.options(Ipv6ExtHeaders.NEXTHDR_HOP, of(0x05, 0x02, 0x00, 0x00)),
                new Ipv6Repr.ExtHeader(Ipv6ExtHeaders.NEXTHDR_ROUTING, new byte[6]),
                Ipv6Repr.ExtHeader.options(Ipv6ExtHeaders.NEXTHDR_DEST, new byte[0]));
    }

    private static Ipv6Repr fragmentRepr() {
        return Ipv6Repr.of("2001:db8::1", "2001:db8::2").withProtocol(IpProtocol.UDP)
                .withExtHeaders(Ipv6Repr.ExtHeader.fragment(185, false, 0xdeadbeef));
    }

    @Test
    void viewReadsEveryFieldOfTheHandWrittenHeader() {
        assertEquals(WireError.OK, ip.wrap(PACKET_BYTES, 0, PACKET_BYTES.length));
        assertEquals(6, ip.version());
        assertEquals(0xb8, ip.trafficClass());
        assertEquals(46, ip.dscp());
        assertEquals(0, ip.ecn());
        assertEquals(0x12345, ip.flowLabel());
        assertEquals(4, ip.payloadLengthField());
        assertEquals(EXPERIMENT, ip.nextHeader());
        assertEquals(64, ip.hopLimit());
        assertEquals(A6_HI, ip.srcHi());
        assertEquals(A6_LO, ip.srcLo());
        assertEquals(B6_HI, ip.dstHi());
        assertEquals(B6_LO, ip.dstLo());
        assertEquals(8, ip.srcOffset());
        assertEquals(24, ip.dstOffset());
        assertEquals(40, ip.payloadOffset());
        assertEquals(4, ip.payloadLength());
        assertEquals(WireError.OK, ip.extHeaderError());
        assertEquals(EXPERIMENT, ip.upperProtocol());
        assertEquals(40, ip.upperOffset());
        assertFalse(ip.isFragment());
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void reprAndWriterEmitTheHandWrittenHeader() {
        assertArrayEquals(PACKET_BYTES, repr().packet(of(0xde, 0xad, 0xbe, 0xef)));
        assertEquals(repr(), Ipv6Repr.parse(PACKET_BYTES));
        byte[] b = HandBytes.garbage(50);
        Ipv6Packet.writeHeader(b, 5, 0xb8, 0x12345, 4, EXPERIMENT, 64, A6_HI, A6_LO, B6_HI, B6_LO);
        assertArrayEquals(Arrays.copyOf(PACKET_BYTES, 40), Arrays.copyOfRange(b, 5, 45));
        assertArrayEquals(HandBytes.garbage(5), Arrays.copyOf(b, 5));
        assertArrayEquals(HandBytes.garbage(5), HandBytes.from(b, 45));
    }

    @Test
    void wrapRefusesWhatIp6RcvCoreRefuses() {
        assertEquals(WireError.TRUNCATED, ip.wrap(PACKET_BYTES, 0, 39));
        assertEquals(WireError.TRUNCATED, ip.wrap(PACKET_BYTES, 0, 43));     // payload length 4 past the bytes
        assertEquals(WireError.OK, ip.wrapQuoted(PACKET_BYTES, 0, 43));      // quoted: fine, and truncated
        assertTrue(ip.isTruncated());
        byte[] v4 = PACKET_BYTES.clone();
        v4[0] = 0x45;
        assertEquals(WireError.BAD_VERSION, ip.wrap(v4, 0, v4.length));
        byte[] padded = Arrays.copyOf(PACKET_BYTES, 60);
        assertEquals(WireError.OK, ip.wrap(padded, 0, padded.length));
        assertEquals(44, ip.length());
    }

    @Test
    void viewReadsTheHandWrittenUdpAndItsChecksum() {
        assertEquals(WireError.OK, ip.wrap(UDP_BYTES, 0, UDP_BYTES.length));
        assertEquals(IpProtocol.UDP, ip.upperProtocol());
        assertTrue(ip.hasPorts());
        assertEquals(53000, ip.srcPort());
        assertEquals(53, ip.dstPort());
        assertTrue(ip.verifyTransportChecksum());
        UdpDatagram u = new UdpDatagram();
        assertEquals(WireError.OK, u.wrap(UDP_BYTES, ip.upperOffset(), ip.upperLength()));
        assertEquals(0x0941, u.checksum());
        assertTrue(u.verifyChecksum6(A6_HI, A6_LO, B6_HI, B6_LO));
    }

    @Test
    void thePseudoHeaderSumAndANat66RewriteMatchSumsDoneApart() {
        // 2001 + 0db8 + 0001 + 2001 + 0db8 + 0002 + 000c (length) + 0011 (UDP) = 0x5b92
        assertEquals(0x5b92, Checksum.pseudoHeaderSum6(A6_HI, A6_LO, B6_HI, B6_LO, IpProtocol.UDP, 12));
        byte[] b = UDP_BYTES.clone();
        Ipv6Packet v = wrapped(b);
        v.setSrc(0xfd00000000000000L, 0x100);
        v.setSrcPort(1024);
        // fd00::100:1024 > 2001:db8::2:53 "jnat", summed apart: 0x0403
        assertEquals(0x0403, Bytes.u16(b, 40 + UdpDatagram.OFF_CHECKSUM));
        assertEquals(0xfd00000000000000L, v.srcHi());
        assertEquals(0x100, v.srcLo());
        assertEquals(1024, v.srcPort());
    }

    @Test
    void aZeroUdpChecksumIsInvalidOverIpv6() {
        byte[] b = UDP_BYTES.clone();
        b[46] = 0;
        b[47] = 0;
        ip.wrap(b, 0, b.length);
        assertFalse(ip.verifyTransportChecksum());
        UdpDatagram u = new UdpDatagram();
        u.wrap(b, 40, 12);
        assertFalse(u.verifyChecksum6(A6_HI, A6_LO, B6_HI, B6_LO));
    }

    @Test
    void reprAndWritersEmitTheHandWrittenUdp() {
        assertArrayEquals(UDP_BYTES, Ipv6Repr.of("2001:db8::1", "2001:db8::2").packet(udp()));
        byte[] b = HandBytes.garbage(UDP_BYTES.length);
        Ipv6Packet.writeHeader(b, 0, 0, 0, 12, IpProtocol.UDP, 64, A6_HI, A6_LO, B6_HI, B6_LO);
        UdpDatagram.writeHeader(b, 40, 53000, 53, 12);
        System.arraycopy(of('j', 'n', 'a', 't'), 0, b, 48, 4);
        UdpDatagram.fillChecksum6(b, 40, 12, A6_HI, A6_LO, B6_HI, B6_LO);
        assertArrayEquals(UDP_BYTES, b);
        assertEquals(udp(), Transport6Repr.parse(wrapped(UDP_BYTES)));
    }

    @Test
    void theHandWrittenTcpSynRoundTrips() {
        TcpRepr syn = TcpRepr.of(40000, 80).withSeq(0x01020304).withFlags(TcpSegment.SYN).withWindow(64800).withMss(1440);
        assertArrayEquals(TCP_BYTES, Ipv6Repr.of("2001:db8::1", "2001:db8::2").packet(syn));
        Ipv6Packet v = wrapped(TCP_BYTES);
        assertTrue(v.verifyTransportChecksum());
        assertEquals(syn, Transport6Repr.parse(v));
        TcpSegment t = new TcpSegment();
        t.wrap(TCP_BYTES, 40, 24);
        assertEquals(0x9f0e, t.checksum());
        assertTrue(t.verifyChecksum6(A6_HI, A6_LO, B6_HI, B6_LO));
        byte[] b = TCP_BYTES.clone();
        TcpSegment.fillChecksum6(b, 40, 24, A6_HI, A6_LO, B6_HI, B6_LO);
        assertArrayEquals(TCP_BYTES, b);
    }

    @Test
    void theWalkSkipsHopByHopRoutingAndDestinationOptions() {
        assertEquals(WireError.OK, ip.wrap(EXT_BYTES, 0, EXT_BYTES.length));
        assertEquals(Ipv6ExtHeaders.NEXTHDR_HOP, ip.nextHeader());
        assertEquals(WireError.OK, ip.extHeaderError());
        assertEquals(IpProtocol.UDP, ip.upperProtocol());
        assertEquals(64, ip.upperOffset());
        assertEquals(12, ip.upperLength());
        assertEquals(53000, ip.srcPort());
        assertTrue(ip.verifyTransportChecksum());
        assertArrayEquals(EXT_BYTES, extRepr().packet(udp()));
        assertEquals(extRepr().withProtocol(IpProtocol.UDP), Ipv6Repr.parse(EXT_BYTES));
    }

    @Test
    void findHdrFindsEachHeaderOfTheHandWrittenChain() {
        Ipv6ExtHeaders w = new Ipv6ExtHeaders();
        assertEquals(Ipv6ExtHeaders.NEXTHDR_ROUTING, w.find(EXT_BYTES, 0, EXT_BYTES.length, Ipv6ExtHeaders.NEXTHDR_ROUTING, 0));
        assertEquals(48, w.offset());
        assertEquals(Ipv6ExtHeaders.NEXTHDR_DEST, w.find(EXT_BYTES, 0, EXT_BYTES.length, Ipv6ExtHeaders.NEXTHDR_DEST, 0));
        assertEquals(56, w.offset());
        assertEquals(IpProtocol.UDP, w.find(EXT_BYTES, 0, EXT_BYTES.length, -1, 0));
        assertEquals(64, w.offset());
        assertEquals(Ipv6ExtHeaders.NOT_FOUND, w.find(EXT_BYTES, 0, EXT_BYTES.length, Ipv6ExtHeaders.NEXTHDR_FRAGMENT, 0));
        // segments left 0: IP6_FH_F_SKIP_RH does not count the routing header
        assertEquals(Ipv6ExtHeaders.NOT_FOUND, w.find(EXT_BYTES, 0, EXT_BYTES.length, Ipv6ExtHeaders.NEXTHDR_ROUTING,
                Ipv6ExtHeaders.IP6_FH_F_SKIP_RH));
        assertEquals(Ipv6ExtHeaders.BAD_MESSAGE, w.find(EXT_BYTES, 0, 49, -1, 0));
    }

    @Test
    void aLaterFragmentReportsItsNextHeaderAndOffset() {
        assertEquals(WireError.OK, ip.wrap(FRAGMENT_BYTES, 0, FRAGMENT_BYTES.length));
        assertEquals(WireError.OK, ip.extHeaderError());
        assertTrue(ip.isFragment());
        assertEquals(185, ip.fragmentOffset());
        assertFalse(ip.moreFragments());
        assertEquals(40, ip.fragmentHeaderOffset());
        assertEquals(IpProtocol.UDP, ip.upperProtocol());
        assertEquals(48, ip.upperOffset());
        assertFalse(ip.hasPorts());
        assertFalse(ip.verifyTransportChecksum());
        Ipv6FragmentHeader f = new Ipv6FragmentHeader();
        assertEquals(WireError.OK, f.wrap(FRAGMENT_BYTES, 40, 16));
        assertEquals(IpProtocol.UDP, f.nextHeader());
        assertEquals(185, f.fragmentOffset());
        assertEquals(1480, f.byteOffset());
        assertFalse(f.moreFragments());
        assertEquals(0xdeadbeef, f.identification());
        // ipv6_skip_exthdr stops at the fragment header itself; ipv6_find_hdr gives its next header
        Ipv6ExtHeaders w = new Ipv6ExtHeaders();
        assertEquals(WireError.OK, w.skip(FRAGMENT_BYTES, 40, FRAGMENT_BYTES.length, Ipv6ExtHeaders.NEXTHDR_FRAGMENT));
        assertEquals(Ipv6ExtHeaders.NEXTHDR_FRAGMENT, w.nextHeader());
        assertEquals(40, w.offset());
        assertEquals(0x05c8, w.fragOff());
        assertEquals(IpProtocol.UDP, w.find(FRAGMENT_BYTES, 0, FRAGMENT_BYTES.length, -1, 0));
        assertEquals(1480, w.fragOff());
        assertEquals(Ipv6ExtHeaders.IP6_FH_F_FRAG, w.flags());
        assertArrayEquals(FRAGMENT_BYTES, fragmentRepr().packet(of(0, 1, 2, 3, 4, 5, 6, 7)));
        assertEquals(fragmentRepr(), Ipv6Repr.parse(FRAGMENT_BYTES));
        byte[] b = HandBytes.garbage(8);
        Ipv6FragmentHeader.write(b, 0, IpProtocol.UDP, 185, false, 0xdeadbeef);
        assertArrayEquals(Arrays.copyOfRange(FRAGMENT_BYTES, 40, 48), b);
    }

    @Test
    void ahIsCountedInFourOctetUnitsAndEspEndsTheWalk() {
        assertEquals(WireError.OK, ip.wrap(AH_ESP_BYTES, 0, AH_ESP_BYTES.length));
        assertEquals(Ipv6ExtHeaders.NEXTHDR_ESP, ip.upperProtocol());
        assertEquals(64, ip.upperOffset());
        assertFalse(ip.hasPorts());
        Ipv6ExtHeaders w = new Ipv6ExtHeaders();
        assertEquals(Ipv6ExtHeaders.NEXTHDR_AUTH, w.find(AH_ESP_BYTES, 0, AH_ESP_BYTES.length, -1, Ipv6ExtHeaders.IP6_FH_F_AUTH));
        assertEquals(40, w.offset());
        Ipv6Repr r = Ipv6Repr.parse(AH_ESP_BYTES);
        assertEquals(Ipv6ExtHeaders.NEXTHDR_ESP, r.protocol());
        assertArrayEquals(AH_ESP_BYTES, r.packet(HandBytes.from(AH_ESP_BYTES, 64)));
    }

    @Test
    void chainsThatRunPastThePacketOrEndInNoNextHeaderAreReported() {
        // the hop-by-hop header says 16 bytes where 8 are
        byte[] b = EXT_BYTES.clone();
        b[41] = 1;
        Ipv6Packet v = wrapped(Arrays.copyOf(b, 48), 8);
        assertEquals(WireError.BAD_EXT_HEADER, v.extHeaderError());
        assertEquals(-1, v.upperProtocol());
        assertFalse(v.hasPorts());
        assertFalse(v.verifyTransportChecksum());
        // destination options naming No Next Header: walked, no upper layer
        byte[] none = EXT_BYTES.clone();
        none[56] = (byte) Ipv6ExtHeaders.NEXTHDR_NONE;
        v = wrapped(none);
        assertEquals(WireError.OK, v.extHeaderError());
        assertEquals(Ipv6ExtHeaders.NEXTHDR_NONE, v.upperProtocol());
        assertFalse(v.hasPorts());
        // every header names hop-by-hop again: the walk ends with the bytes
        byte[] loop = Arrays.copyOf(EXT_BYTES, EXT_BYTES.length);
        for (int i = 40; i < loop.length; i += 8) {
            loop[i] = 0;
            loop[i + 1] = 0;
        }
        v = wrapped(loop);
        assertEquals(WireError.BAD_EXT_HEADER, v.extHeaderError());
    }

    private static Ipv6Packet wrapped(byte[] b) {
        Ipv6Packet v = new Ipv6Packet();
        assertEquals(WireError.OK, v.wrap(b, 0, b.length));
        return v;
    }

    /** Wraps the first 40 + payloadLength bytes, the payload length field set to it. */
    private static Ipv6Packet wrapped(byte[] b, int payloadLength) {
        Bytes.put16(b, Ipv6Packet.OFF_PAYLOAD_LENGTH, payloadLength);
        return wrapped(b);
    }
}

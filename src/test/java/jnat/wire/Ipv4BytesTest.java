package jnat.wire;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static jnat.wire.HandBytes.A;
import static jnat.wire.HandBytes.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IPv4 view, repr and writer against headers written by hand from RFC 791's figure. */
class Ipv4BytesTest {
    /** Protocol 253 (RFC 3692 experiments): no transport checksum to get in the way. */
    static final int EXPERIMENT = 253;

    /** 10.0.0.1 > 10.0.0.2, TOS 0x10, id 0x1234, DF, TTL 64, no options, 4 bytes of data. */
    static final byte[] PACKET_BYTES = HandBytes.of(
            0x45, 0x10, 0x00, 0x18,   // version 4, IHL 5; TOS 0x10; total length 24
            0x12, 0x34, 0x40, 0x00,   // identification 0x1234; DF, fragment offset 0
            0x40, 0xfd, 0x13, 0xa3,   // TTL 64; protocol 253; header checksum
            0x0a, 0x00, 0x00, 0x01,   // source 10.0.0.1
            0x0a, 0x00, 0x00, 0x02,   // destination 10.0.0.2
            0xde, 0xad, 0xbe, 0xef);  // data

    /** A non-first fragment with a Router Alert option (RFC 2113): MF, offset 185 (1480 bytes), TTL 1. */
    static final byte[] OPTIONS_PACKET_BYTES = HandBytes.of(
            0x46, 0x00, 0x00, 0x1c,   // version 4, IHL 6; TOS 0; total length 28
            0xbe, 0xef, 0x20, 0xb9,   // identification 0xbeef; MF, fragment offset 185
            0x01, 0xfd, 0x30, 0x36,   // TTL 1; protocol 253; header checksum
            0x0a, 0x00, 0x00, 0x01,   // source 10.0.0.1
            0x0a, 0x00, 0x00, 0x02,   // destination 10.0.0.2
            0x94, 0x04, 0x00, 0x00,   // Router Alert, length 4, value 0
            0xde, 0xad, 0xbe, 0xef);  // data

    static final byte[] DATA = HandBytes.of(0xde, 0xad, 0xbe, 0xef);

    private final Ipv4Packet ip = new Ipv4Packet();

    private static Ipv4Repr repr() {
        return Ipv4Repr.of(A, B).withTos(0x10).withIdentification(0x1234).withProtocol(EXPERIMENT);
    }

    private static Ipv4Repr optionsRepr() {
        return Ipv4Repr.of(A, B).withIdentification(0xbeef).withDontFragment(false).withMoreFragments(true)
                .withFragmentOffset(185).withTtl(1).withProtocol(EXPERIMENT).withOptions(HandBytes.of(0x94, 0x04, 0x00, 0x00));
    }

    @Test
    void viewReadsEveryFieldOfTheHandWrittenHeader() {
        assertEquals(WireError.OK, ip.wrap(PACKET_BYTES, 0, PACKET_BYTES.length));
        assertEquals(4, ip.version());
        assertEquals(5, ip.ihl());
        assertEquals(0x10, ip.tos());
        assertEquals(24, ip.totalLength());
        assertEquals(0x1234, ip.identification());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertEquals(0, ip.fragmentOffset());
        assertEquals(64, ip.ttl());
        assertEquals(EXPERIMENT, ip.protocol());
        assertEquals(0x13a3, ip.checksum());
        assertEquals(A, ip.src());
        assertEquals(B, ip.dst());
        assertEquals(20, ip.payloadOffset());
        assertEquals(4, ip.payloadLength());
        assertTrue(ip.verifyChecksum());
    }

    @Test
    void viewReadsTheOptionsAndFragmentFieldsOfTheHandWrittenHeader() {
        assertEquals(WireError.OK, ip.wrap(OPTIONS_PACKET_BYTES, 0, OPTIONS_PACKET_BYTES.length));
        assertEquals(6, ip.ihl());
        assertEquals(24, ip.headerLength());
        assertEquals(4, ip.optionsLength());
        assertEquals(0x94, OPTIONS_PACKET_BYTES[ip.optionsOffset()] & 0xff);
        assertEquals(0xbeef, ip.identification());
        assertFalse(ip.dontFragment());
        assertTrue(ip.moreFragments());
        assertEquals(185, ip.fragmentOffset());
        assertTrue(ip.isFragment());
        assertEquals(1, ip.ttl());
        assertEquals(24, ip.payloadOffset());
        assertTrue(ip.verifyChecksum());
    }

    @Test
    void reprEmitsTheHandWrittenPacket() {
        assertArrayEquals(PACKET_BYTES, repr().packet(DATA));
    }

    @Test
    void reprEmitsTheHandWrittenPacketWithOptions() {
        assertArrayEquals(OPTIONS_PACKET_BYTES, optionsRepr().packet(DATA));
    }

    @Test
    void reprParsesTheHandWrittenPacketWithOptions() {
        assertEquals(optionsRepr(), Ipv4Repr.parse(OPTIONS_PACKET_BYTES));
    }

    @Test
    void writeHeaderEmitsTheHandWrittenHeader() {
        byte[] b = HandBytes.garbage(20);
        Ipv4Packet.writeHeader(b, 0, 0x10, 24, 0x1234, Ipv4Packet.FLAG_DF, 64, EXPERIMENT, A, B);
        assertArrayEquals(Arrays.copyOf(PACKET_BYTES, 20), b);
    }

    @Test
    void writeHeaderTouchesOnlyTheTwentyBytesAtTheOffset() {
        byte[] b = HandBytes.garbage(30);
        Ipv4Packet.writeHeader(b, 5, 0x10, 24, 0x1234, Ipv4Packet.FLAG_DF, 64, EXPERIMENT, A, B);
        assertArrayEquals(Arrays.copyOf(PACKET_BYTES, 20), Arrays.copyOfRange(b, 5, 25));
        assertArrayEquals(HandBytes.garbage(5), Arrays.copyOf(b, 5));
        assertArrayEquals(HandBytes.garbage(5), HandBytes.from(b, 25));
    }

    @Test
    void writeHeaderAgreesWithTheReprOnAFragment() {
        Ipv4Repr r = Ipv4Repr.of(B, A).withDontFragment(false).withMoreFragments(true).withFragmentOffset(0x1fff)
                .withTtl(255).withTos(0xff).withIdentification(0xffff).withProtocol(IpProtocol.UDP);
        byte[] expected = new byte[20];
        r.emit(expected, 0, 100);
        byte[] b = HandBytes.garbage(20);
        Ipv4Packet.writeHeader(b, 0, 0xff, 120, 0xffff, Ipv4Packet.FLAG_MF | 0x1fff, 255, IpProtocol.UDP, B, A);
        assertArrayEquals(expected, b);
    }

    @Test
    void staticFillChecksumCoversTheOptions() {
        byte[] b = OPTIONS_PACKET_BYTES.clone();
        b[Ipv4Packet.OFF_CHECKSUM] = 0x55;
        Ipv4Packet.fillChecksum(b, 0);
        assertArrayEquals(OPTIONS_PACKET_BYTES, b);
    }
}

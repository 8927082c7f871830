package jnat.wire;

import org.junit.jupiter.api.Test;

import static jnat.wire.HandBytes.A;
import static jnat.wire.HandBytes.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ICMP view, repr and writers against messages written by hand from RFC 792's figures. */
class IcmpBytesTest {
    /** Echo request, id 0x1234, sequence 1, data "ping". */
    static final byte[] ECHO_BYTES = HandBytes.of(
            0x08, 0x00, 0x06, 0xfa,   // type 8; code 0; checksum
            0x12, 0x34, 0x00, 0x01,   // identifier; sequence number
            'p', 'i', 'n', 'g');      // data

    /** The datagram the error below quotes: 10.0.0.1:53000 > 10.0.0.2:53 UDP "jnat", id 1, DF, TTL 64. */
    static final byte[] QUOTED_BYTES = HandBytes.of(
            0x45, 0x00, 0x00, 0x20,   // version 4, IHL 5; TOS 0; total length 32
            0x00, 0x01, 0x40, 0x00,   // identification 1; DF
            0x40, 0x11, 0x26, 0xca,   // TTL 64; UDP; header checksum
            0x0a, 0x00, 0x00, 0x01,   // source 10.0.0.1
            0x0a, 0x00, 0x00, 0x02,   // destination 10.0.0.2
            0xcf, 0x08, 0x00, 0x35,   // UDP: source port 53000; destination port 53
            0x00, 0x0c, 0x50, 0xb3,   // length 12; checksum
            'j', 'n', 'a', 't');      // data

    /** Port unreachable (type 3 code 3) quoting all of {@link #QUOTED_BYTES}. */
    static final byte[] ERROR_BYTES = concat(HandBytes.of(
            0x03, 0x03, 0x11, 0x1d,   // type 3; code 3; checksum (over the quote too)
            0x00, 0x00, 0x00, 0x00),  // unused
            QUOTED_BYTES);

    private final IcmpPacket icmp = new IcmpPacket();

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void viewReadsEveryFieldOfTheHandWrittenEchoRequest() {
        assertEquals(WireError.OK, icmp.wrap(ECHO_BYTES, 0, ECHO_BYTES.length));
        assertEquals(IcmpPacket.ECHO_REQUEST, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x06fa, icmp.checksum());
        assertEquals(0x12340001, icmp.restOfHeader());
        assertEquals(0x1234, icmp.echoId());
        assertEquals(1, icmp.echoSeq());
        assertEquals(8, icmp.payloadOffset());
        assertEquals(4, icmp.payloadLength());
        assertTrue(icmp.verifyChecksum());
    }

    @Test
    void reprEmitsTheHandWrittenEchoRequest() {
        assertArrayEquals(ECHO_BYTES, IcmpRepr.echoRequest(0x1234, 1, HandBytes.of('p', 'i', 'n', 'g')).bytes());
    }

    @Test
    void writersEmitTheHandWrittenEchoRequest() {
        byte[] b = HandBytes.garbage(12);
        IcmpPacket.writeHeader(b, 0, IcmpPacket.ECHO_REQUEST, 0, 0x12340001);
        System.arraycopy(ECHO_BYTES, IcmpPacket.HEADER_LENGTH, b, IcmpPacket.HEADER_LENGTH, 4);
        IcmpPacket.fillChecksum(b, 0, 12);
        assertArrayEquals(ECHO_BYTES, b);
    }

    @Test
    void writeHeaderLeavesTheChecksumZero() {
        byte[] b = HandBytes.garbage(8);
        IcmpPacket.writeHeader(b, 0, IcmpPacket.ECHO_REQUEST, 0, 0x12340001);
        assertArrayEquals(HandBytes.of(0x08, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01), b);
    }

    @Test
    void viewReadsTheHandWrittenPortUnreachable() {
        assertEquals(WireError.OK, icmp.wrap(ERROR_BYTES, 0, ERROR_BYTES.length));
        assertEquals(IcmpPacket.DEST_UNREACH, icmp.type());
        assertEquals(IcmpPacket.PORT_UNREACH, icmp.code());
        assertEquals(0, icmp.restOfHeader());
        assertTrue(icmp.isError());
        assertFalse(icmp.hasId());
        assertEquals(32, icmp.quotedLength());
        assertTrue(icmp.verifyChecksum());
    }

    @Test
    void viewReadsTheDatagramTheHandWrittenErrorQuotes() {
        icmp.wrap(ERROR_BYTES, 0, ERROR_BYTES.length);
        Ipv4Packet inner = new Ipv4Packet();
        assertEquals(WireError.OK, icmp.quoted(inner));
        assertFalse(inner.isTruncated());
        assertEquals(A, inner.src());
        assertEquals(B, inner.dst());
        assertEquals(IpProtocol.UDP, inner.protocol());
        assertEquals(53000, inner.srcPort());
        assertEquals(53, inner.dstPort());
        assertTrue(inner.verifyChecksum());
        assertTrue(inner.verifyTransportChecksum());
    }

    @Test
    void reprEmitsTheHandWrittenPortUnreachable() {
        assertArrayEquals(ERROR_BYTES, IcmpRepr.destUnreachable(IcmpPacket.PORT_UNREACH, QUOTED_BYTES).bytes());
    }

    @Test
    void writersEmitTheHandWrittenPortUnreachable() {
        byte[] b = HandBytes.garbage(ERROR_BYTES.length);
        IcmpPacket.writeHeader(b, 0, IcmpPacket.DEST_UNREACH, IcmpPacket.PORT_UNREACH, 0);
        int q = IcmpPacket.HEADER_LENGTH;
        Ipv4Packet.writeHeader(b, q, 0, 32, 1, Ipv4Packet.FLAG_DF, 64, IpProtocol.UDP, A, B);
        int u = q + Ipv4Packet.MIN_HEADER_LENGTH;
        UdpDatagram.writeHeader(b, u, 53000, 53, 12);
        System.arraycopy(HandBytes.of('j', 'n', 'a', 't'), 0, b, u + UdpDatagram.HEADER_LENGTH, 4);
        UdpDatagram.fillChecksum(b, u, 12, A, B);
        IcmpPacket.fillChecksum(b, 0, b.length);
        assertArrayEquals(ERROR_BYTES, b);
    }
}

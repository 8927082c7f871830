package jnat.wire;

import org.junit.jupiter.api.Test;

import static jnat.wire.HandBytes.A;
import static jnat.wire.HandBytes.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The UDP view, repr and writers against a datagram written by hand from RFC 768's figure. */
class UdpBytesTest {
    /** 10.0.0.1:53000 > 10.0.0.2:53 carrying "jnat". */
    static final byte[] PACKET_BYTES = HandBytes.of(
            0xcf, 0x08, 0x00, 0x35,   // source port 53000; destination port 53
            0x00, 0x0c, 0x50, 0xb3,   // length 12; checksum (pseudo-header 10.0.0.1 > 10.0.0.2)
            'j', 'n', 'a', 't');      // data

    private final UdpDatagram udp = new UdpDatagram();

    @Test
    void viewReadsEveryFieldOfTheHandWrittenDatagram() {
        assertEquals(WireError.OK, udp.wrap(PACKET_BYTES, 0, PACKET_BYTES.length));
        assertEquals(53000, udp.srcPort());
        assertEquals(53, udp.dstPort());
        assertEquals(12, udp.length());
        assertEquals(0x50b3, udp.checksum());
        assertEquals(8, udp.payloadOffset());
        assertEquals(4, udp.payloadLength());
        assertTrue(udp.verifyChecksum(A, B));
    }

    @Test
    void reprEmitsTheHandWrittenDatagram() {
        UdpRepr r = UdpRepr.of(53000, 53).withPayload(HandBytes.of('j', 'n', 'a', 't'));
        byte[] b = new byte[r.length()];
        r.emit(b, 0, A, B);
        assertArrayEquals(PACKET_BYTES, b);
    }

    @Test
    void writersEmitTheHandWrittenDatagram() {
        byte[] b = HandBytes.garbage(12);
        UdpDatagram.writeHeader(b, 0, 53000, 53, 12);
        System.arraycopy(PACKET_BYTES, UdpDatagram.HEADER_LENGTH, b, UdpDatagram.HEADER_LENGTH, 4);
        UdpDatagram.fillChecksum(b, 0, 12, A, B);
        assertArrayEquals(PACKET_BYTES, b);
    }

    @Test
    void writeHeaderLeavesTheChecksumZeroForNone() {
        byte[] b = HandBytes.garbage(8);
        UdpDatagram.writeHeader(b, 0, 53000, 53, 12);
        assertArrayEquals(HandBytes.of(0xcf, 0x08, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00), b);
    }
}

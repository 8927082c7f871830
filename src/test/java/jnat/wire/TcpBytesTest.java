package jnat.wire;

import org.junit.jupiter.api.Test;

import static jnat.wire.HandBytes.A;
import static jnat.wire.HandBytes.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TCP view, repr and writers against segments written by hand from RFC 9293's figure. */
class TcpBytesTest {
    /** 10.0.0.1:40000 > 10.0.0.2:80 SYN with Linux's options: mss 1460, sackOK, TS val 0xabcd ecr 0, nop, wscale 7. */
    static final byte[] SYN_BYTES = HandBytes.of(
            0x9c, 0x40, 0x00, 0x50,   // source port 40000; destination port 80
            0x01, 0x02, 0x03, 0x04,   // sequence number
            0x00, 0x00, 0x00, 0x00,   // acknowledgment number
            0xa0, 0x02, 0xfa, 0xf0,   // data offset 10; SYN; window 64240
            0xec, 0xa8, 0x00, 0x00,   // checksum (pseudo-header 10.0.0.1 > 10.0.0.2, length 40); urgent pointer 0
            0x02, 0x04, 0x05, 0xb4,   // MSS 1460
            0x04, 0x02, 0x08, 0x0a,   // SACK permitted; timestamps, length 10
            0x00, 0x00, 0xab, 0xcd,   // TSval
            0x00, 0x00, 0x00, 0x00,   // TSecr
            0x01, 0x03, 0x03, 0x07);  // NOP; window scale 7

    /** 10.0.0.2:80 > 10.0.0.1:40000 RST|ACK acknowledging that SYN, as nf_reject_ip_tcphdr_put answers it. */
    static final byte[] RST_BYTES = HandBytes.of(
            0x00, 0x50, 0x9c, 0x40,   // source port 80; destination port 40000
            0x00, 0x00, 0x00, 0x00,   // sequence number 0
            0x01, 0x02, 0x03, 0x05,   // acknowledgment number: the SYN's plus 1
            0x50, 0x14, 0x00, 0x00,   // data offset 5; RST ACK; window 0
            0xfb, 0x36, 0x00, 0x00);  // checksum (pseudo-header 10.0.0.2 > 10.0.0.1, length 20); urgent pointer 0

    private final TcpSegment tcp = new TcpSegment();

    @Test
    void viewReadsEveryFieldOfTheHandWrittenSyn() {
        assertEquals(WireError.OK, tcp.wrap(SYN_BYTES, 0, SYN_BYTES.length));
        assertEquals(40000, tcp.srcPort());
        assertEquals(80, tcp.dstPort());
        assertEquals(0x01020304, tcp.seq());
        assertEquals(0, tcp.ack());
        assertEquals(10, tcp.dataOffset());
        assertEquals(TcpSegment.SYN, tcp.flags());
        assertEquals(64240, tcp.window());
        assertEquals(0xeca8, tcp.checksum());
        assertEquals(0, tcp.urgentPointer());
        assertEquals(0, tcp.payloadLength());
        assertTrue(tcp.verifyChecksum(A, B));
    }

    @Test
    void viewReadsTheOptionsOfTheHandWrittenSyn() {
        tcp.wrap(SYN_BYTES, 0, SYN_BYTES.length);
        assertEquals(1460, tcp.mss());
        assertTrue(tcp.sackPermitted());
        assertTrue(tcp.hasTimestamps());
        assertEquals(0xabcd, tcp.tsVal());
        assertEquals(0, tcp.tsEcr());
        assertEquals(7, tcp.windowScale());
    }

    @Test
    void reprEmitsTheHandWrittenSyn() {
        TcpRepr syn = TcpRepr.of(40000, 80).withSeq(0x01020304).withFlags(TcpSegment.SYN).withLinuxSynOptions(0xabcd);
        byte[] b = new byte[syn.length()];
        syn.emit(b, 0, A, B);
        assertArrayEquals(SYN_BYTES, b);
    }

    @Test
    void viewReadsEveryFieldOfTheHandWrittenReset() {
        assertEquals(WireError.OK, tcp.wrap(RST_BYTES, 0, RST_BYTES.length));
        assertEquals(80, tcp.srcPort());
        assertEquals(40000, tcp.dstPort());
        assertEquals(0, tcp.seq());
        assertEquals(0x01020305, tcp.ack());
        assertEquals(5, tcp.dataOffset());
        assertEquals(TcpSegment.RST | TcpSegment.ACK, tcp.flags());
        assertEquals(0, tcp.window());
        assertEquals(0, tcp.urgentPointer());
        assertTrue(tcp.verifyChecksum(B, A));
    }

    @Test
    void reprEmitsTheHandWrittenReset() {
        TcpRepr rst = TcpRepr.of(80, 40000).withAck(0x01020305).withFlags(TcpSegment.RST | TcpSegment.ACK).withWindow(0);
        byte[] b = new byte[rst.length()];
        rst.emit(b, 0, B, A);
        assertArrayEquals(RST_BYTES, b);
    }

    @Test
    void writeHeaderEmitsTheHandWrittenResetWithChecksumZero() {
        byte[] b = HandBytes.garbage(20);
        TcpSegment.writeHeader(b, 0, 80, 40000, 0, 0x01020305, TcpSegment.RST | TcpSegment.ACK, 0);
        byte[] expected = RST_BYTES.clone();
        expected[TcpSegment.OFF_CHECKSUM] = 0;
        expected[TcpSegment.OFF_CHECKSUM + 1] = 0;
        assertArrayEquals(expected, b);
    }

    @Test
    void fillChecksumCompletesTheHandWrittenReset() {
        byte[] b = HandBytes.garbage(20);
        TcpSegment.writeHeader(b, 0, 80, 40000, 0, 0x01020305, TcpSegment.RST | TcpSegment.ACK, 0);
        TcpSegment.fillChecksum(b, 0, 20, B, A);
        assertArrayEquals(RST_BYTES, b);
    }

    @Test
    void writersAgreeWithTheReprOnASegmentWithData() {
        byte[] data = HandBytes.of('j', 'n', 'a', 't', '!');
        TcpRepr r = TcpRepr.of(1, 65535).withSeq(-1).withAck(0x7fffffff).withFlags(TcpSegment.PSH | TcpSegment.ACK)
                .withWindow(502).withPayload(data);
        byte[] expected = new byte[r.length()];
        r.emit(expected, 0, A, B);
        byte[] b = HandBytes.garbage(r.length() + 3);
        TcpSegment.writeHeader(b, 3, 1, 65535, -1, 0x7fffffff, TcpSegment.PSH | TcpSegment.ACK, 502);
        System.arraycopy(data, 0, b, 3 + TcpSegment.MIN_HEADER_LENGTH, data.length);
        TcpSegment.fillChecksum(b, 3, r.length(), A, B);
        assertArrayEquals(expected, HandBytes.from(b, 3));
    }
}

package jnat.wire;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpDatagramTest {
    static final int SRC = Ipv4Address.parse("172.17.0.10");
    static final int DST = Ipv4Address.parse("8.8.8.8");

    private final UdpDatagram udp = new UdpDatagram();

    private static byte[] datagram(String payload) {
        byte[] b = new byte[8 + payload.length()];
        UdpRepr.of(53199, 53).withPayload(payload.getBytes()).emit(b, 0, SRC, DST);
        return b;
    }

    @Test
    void readsPortsLengthAndPayload() {
        byte[] d = datagram("hello");
        assertEquals(WireError.OK, udp.wrap(d, 0, d.length));
        assertEquals(53199, udp.srcPort());
        assertEquals(53, udp.dstPort());
        assertEquals(13, udp.length());
        assertEquals(8, udp.payloadOffset());
        assertEquals(5, udp.payloadLength());
        assertTrue(udp.verifyChecksum(SRC, DST));
    }

    @Test
    void fewerThanEightBytesIsTruncated() {
        assertEquals(WireError.TRUNCATED, udp.wrap(new byte[7], 0, 7));
    }

    @Test
    void lengthBelowEightIsBadUdpLength() {
        byte[] d = datagram("hello");
        Bytes.put16(d, 4, 7);
        assertEquals(WireError.BAD_UDP_LENGTH, udp.wrap(d, 0, d.length));
    }

    @Test
    void lengthBeyondTheBytesPresentIsBadUdpLength() {
        byte[] d = datagram("hello");
        assertEquals(WireError.BAD_UDP_LENGTH, udp.wrap(d, 0, d.length - 1));
    }

    @Test
    void bytesAfterTheLengthAreNotPartOfTheDatagram() {
        byte[] d = Arrays.copyOf(datagram("hello"), 20);
        assertEquals(WireError.OK, udp.wrap(d, 0, d.length));
        assertEquals(13, udp.length());
        assertTrue(udp.verifyChecksum(SRC, DST));
    }

    @Test
    void zeroChecksumMeansNoneAndVerifies() {
        byte[] d = datagram("hello");
        Bytes.put16(d, 6, 0);
        udp.wrap(d, 0, d.length);
        assertFalse(udp.hasChecksum());
        assertTrue(udp.verifyChecksum(SRC, DST));
    }

    @Test
    void portRewriteLeavesAZeroChecksumZero() {
        byte[] d = datagram("hello");
        Bytes.put16(d, 6, 0);
        udp.wrap(d, 0, d.length);
        udp.setSrcPort(1);
        udp.replaceAddressInChecksum(SRC, DST);
        assertEquals(0, udp.checksum());
    }

    @Test
    void aComputedZeroIsWrittenAsFfff() {
        // Payload word chosen so the datagram sums to 0xffff: the checksum computes to 0.
        byte[] d = datagram("\0\0");
        int c = udp.wrap(d, 0, d.length) == 0 ? Bytes.u16(d, 6) : -1;
        Bytes.put16(d, 8, c);
        udp.fillChecksum(SRC, DST);
        assertEquals(0xffff, udp.checksum());
        assertTrue(udp.verifyChecksum(SRC, DST));
    }

    @Test
    void settersKeepTheChecksumRight() {
        byte[] d = datagram("hello");
        udp.wrap(d, 0, d.length);
        udp.setSrcPort(1024);
        udp.setDstPort(5353);
        int newSrc = Ipv4Address.parse("203.0.113.9");
        udp.replaceAddressInChecksum(SRC, newSrc);
        assertTrue(udp.verifyChecksum(newSrc, DST));
    }
}

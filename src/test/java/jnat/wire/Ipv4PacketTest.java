package jnat.wire;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4PacketTest {
    static final int CONTAINER = Ipv4Address.parse("172.17.0.2");
    static final int GOOGLE = Ipv4Address.parse("8.8.8.8");
    static final int HOST = Ipv4Address.parse("10.0.2.15");

    private final Ipv4Packet ip = new Ipv4Packet();

    private static byte[] tcpSyn() {
        return Ipv4Repr.of(CONTAINER, GOOGLE).packet(TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN).withLinuxSynOptions(1));
    }

    private static byte[] udp(byte[] payload) {
        return Ipv4Repr.of(CONTAINER, GOOGLE).packet(UdpRepr.of(53000, 53).withPayload(payload));
    }

    @Test
    void readsTheHeaderFields() {
        byte[] p = Ipv4Repr.of(CONTAINER, GOOGLE).withTtl(63).withTos(0x10).withIdentification(0xbeef)
                .packet(UdpRepr.of(1, 2).withPayload(new byte[5]));
        assertEquals(WireError.OK, ip.wrap(p, 0, p.length));
        assertEquals(4, ip.version());
        assertEquals(5, ip.ihl());
        assertEquals(0x10, ip.tos());
        assertEquals(33, ip.totalLength());
        assertEquals(0xbeef, ip.identification());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertFalse(ip.isFragment());
        assertEquals(63, ip.ttl());
        assertEquals(IpProtocol.UDP, ip.protocol());
        assertEquals(CONTAINER, ip.src());
        assertEquals(GOOGLE, ip.dst());
        assertEquals(20, ip.payloadOffset());
        assertEquals(13, ip.payloadLength());
        assertTrue(ip.verifyChecksum());
    }

    @Test
    void fewerThanTwentyBytesIsTruncated() {
        byte[] p = tcpSyn();
        assertEquals(WireError.TRUNCATED, ip.wrap(p, 0, 19));
    }

    @Test
    void versionOtherThanFourIsBadVersion() {
        byte[] p = tcpSyn();
        p[0] = 0x65;
        assertEquals(WireError.BAD_VERSION, ip.wrap(p, 0, p.length));
    }

    @Test
    void ihlBelowFiveIsBadIhl() {
        byte[] p = tcpSyn();
        p[0] = 0x44;
        assertEquals(WireError.BAD_IHL, ip.wrap(p, 0, p.length));
    }

    @Test
    void optionsBeyondTheBufferAreTruncated() {
        byte[] p = Arrays.copyOf(tcpSyn(), 30);
        p[0] = 0x4f; // 60-byte header in 30 bytes
        assertEquals(WireError.TRUNCATED, ip.wrap(p, 0, p.length));
    }

    @Test
    void totalLengthBelowTheHeaderIsBadTotalLength() {
        byte[] p = tcpSyn();
        Bytes.put16(p, 2, 19);
        assertEquals(WireError.BAD_TOTAL_LENGTH, ip.wrap(p, 0, p.length));
    }

    @Test
    void totalLengthBeyondTheBytesPresentIsTruncated() {
        byte[] p = tcpSyn();
        assertEquals(WireError.TRUNCATED, ip.wrap(p, 0, p.length - 1));
    }

    @Test
    void ethernetPaddingAfterTheTotalLengthIsNotPartOfThePacket() {
        byte[] p = Arrays.copyOf(udp(new byte[0]), 46); // 28-byte packet padded to Ethernet's 46
        assertEquals(WireError.OK, ip.wrap(p, 0, p.length));
        assertEquals(28, ip.length());
        assertEquals(8, ip.payloadLength());
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void wrapsAtAnOffsetInsideALargerBuffer() {
        byte[] p = tcpSyn();
        byte[] b = new byte[p.length + 17];
        System.arraycopy(p, 0, b, 17, p.length);
        assertEquals(WireError.OK, ip.wrap(b, 17, p.length));
        assertEquals(37, ip.payloadOffset());
        assertTrue(ip.verifyChecksum());
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void rangeOutsideTheBufferIsTruncatedNotAnException() {
        byte[] p = tcpSyn();
        assertEquals(WireError.TRUNCATED, ip.wrap(p, 10, p.length));
        assertEquals(WireError.TRUNCATED, ip.wrap(p, -1, 20));
    }

    @Test
    void optionsAreExposedAndCountedInTheHeaderLength() {
        byte[] rr = {7, 7, 4, 0, 0, 0, 0, 1}; // record route with one slot, then EOL padding
        byte[] p = Ipv4Repr.of(CONTAINER, GOOGLE).withOptions(rr).packet(UdpRepr.of(1, 2));
        assertEquals(WireError.OK, ip.wrap(p, 0, p.length));
        assertEquals(7, ip.ihl());
        assertEquals(8, ip.optionsLength());
        assertEquals(7, p[ip.optionsOffset()]);
        assertEquals(28, ip.payloadOffset());
        assertTrue(ip.verifyChecksum());
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void fragmentFlagsAndOffsetAreRead() {
        byte[] p = Ipv4Repr.of(CONTAINER, GOOGLE).withDontFragment(false).withMoreFragments(true).withFragmentOffset(185)
                .withProtocol(IpProtocol.UDP).packet(new byte[16]);
        assertEquals(WireError.OK, ip.wrap(p, 0, p.length));
        assertTrue(ip.moreFragments());
        assertFalse(ip.dontFragment());
        assertEquals(185, ip.fragmentOffset());
        assertTrue(ip.isFragment());
        assertFalse(ip.hasPorts());
    }

    @Test
    void aCorruptedHeaderFailsChecksumVerification() {
        byte[] p = tcpSyn();
        p[15] ^= 1;
        ip.wrap(p, 0, p.length);
        assertFalse(ip.verifyChecksum());
    }

    @Test
    void setSrcKeepsHeaderAndTcpChecksumsRight() {
        byte[] p = tcpSyn();
        ip.wrap(p, 0, p.length);
        ip.setSrc(HOST);
        assertEquals(HOST, ip.src());
        assertTrue(ip.verifyChecksum());
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void setDstKeepsHeaderAndUdpChecksumsRight() {
        byte[] p = udp("hello".getBytes());
        ip.wrap(p, 0, p.length);
        ip.setDst(HOST);
        assertEquals(HOST, ip.dst());
        assertTrue(ip.verifyChecksum());
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void portRewritesKeepTheTransportChecksumRight() {
        byte[] p = tcpSyn();
        ip.wrap(p, 0, p.length);
        ip.setSrcPort(1024);
        ip.setDstPort(8000);
        assertEquals(1024, ip.srcPort());
        assertEquals(8000, ip.dstPort());
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void udpWithoutChecksumKeepsZeroAcrossNat() {
        byte[] p = udp("hello".getBytes());
        Bytes.put16(p, 26, 0);
        ip.wrap(p, 0, p.length);
        ip.setSrc(HOST);
        ip.setSrcPort(1);
        assertEquals(0, Bytes.u16(p, 26));
        assertTrue(ip.verifyChecksum());
    }

    @Test
    void udpRewriteThatComputesZeroWritesFfff() {
        // Choose the new port so that the recomputed checksum is 0: it must be sent as 0xffff.
        byte[] p = udp(new byte[] {1, 2, 3, 4});
        ip.wrap(p, 0, p.length);
        int oldPort = ip.srcPort();
        int check = Bytes.u16(p, 26);
        // With the port word contributing w the sum is S - old + w; a sum of 0xffff (checksum 0) needs
        // w = old + check (one's complement), since check = ~S.
        int w = Checksum.fold(oldPort + check);
        ip.setSrcPort(w);
        assertEquals(0xffff, Bytes.u16(p, 26));
        Bytes.put16(p, 26, 0);
        assertEquals(0, Checksum.transport(p, 20, 12, CONTAINER, GOOGLE, IpProtocol.UDP));
    }

    @Test
    void udpAddressRewriteThatComputesZeroWritesFfff() {
        byte[] p = udp(new byte[] {1, 2, 3, 4});
        ip.wrap(p, 0, p.length);
        int check = Bytes.u16(p, 26);
        // Only the low word of the source address changes, to old + check: the new sum is 0xffff.
        int newSrc = (CONTAINER & 0xffff0000) | Checksum.fold((CONTAINER & 0xffff) + check);
        ip.setSrc(newSrc);
        assertEquals(0xffff, Bytes.u16(p, 26));
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void decrementTtlKeepsTheHeaderChecksumRight() {
        byte[] p = tcpSyn();
        ip.wrap(p, 0, p.length);
        assertEquals(63, ip.decrementTtl());
        assertEquals(63, ip.ttl());
        assertTrue(ip.verifyChecksum());
    }

    @Test
    void decrementTtlMatchesTheKernelsIpDecreaseTtl() {
        // ip_decrease_ttl: check += htons(0x0100); check += (check >= 0xffff).
        byte[] p = tcpSyn();
        ip.wrap(p, 0, p.length);
        for (int i = 0; i < 64; i++) {
            int check = ip.checksum() + 0x0100;
            int expected = (check + (check >= 0xffff ? 1 : 0)) & 0xffff;
            ip.decrementTtl();
            assertEquals(expected, ip.checksum(), "ttl " + ip.ttl());
        }
    }

    @Test
    void icmpEchoIdRewriteKeepsTheIcmpChecksumRight() {
        byte[] p = Ipv4Repr.of(CONTAINER, GOOGLE).packet(IcmpRepr.echoRequest(0x1c, 1, new byte[56]));
        ip.wrap(p, 0, p.length);
        assertTrue(ip.hasIcmpId());
        ip.setIcmpId(0x4242);
        assertEquals(0x4242, ip.icmpId());
        assertTrue(ip.verifyTransportChecksum());
    }

    @Test
    void quotedDatagramMayClaimMoreThanIsPresent() {
        byte[] original = udp(new byte[100]);
        byte[] quote = IcmpRepr.quoteMinimal(original);
        assertEquals(WireError.TRUNCATED, ip.wrap(quote, 0, quote.length));
        assertEquals(WireError.OK, ip.wrapQuoted(quote, 0, quote.length));
        assertTrue(ip.isTruncated());
        assertEquals(28, ip.length());
        assertEquals(128, ip.totalLength());
        assertTrue(ip.hasPorts());
        assertEquals(53000, ip.srcPort());
        assertEquals(53, ip.dstPort());
        assertTrue(ip.verifyChecksum());
    }

    @Test
    void quotedDatagramStillNeedsItsWholeHeader() {
        byte[] quote = Arrays.copyOf(udp(new byte[100]), 19);
        assertEquals(WireError.TRUNCATED, ip.wrapQuoted(quote, 0, quote.length));
    }

    @Test
    void quotedTcpPortRewriteLeavesTheAbsentChecksumAlone() {
        // tcp_manip_pkt: with only 8 bytes of TCP quoted, the ports change and the checksum (absent) cannot.
        byte[] quote = IcmpRepr.quoteMinimal(tcpSyn());
        ip.wrapQuoted(quote, 0, quote.length);
        ip.setSrcPort(1234);
        assertEquals(1234, ip.srcPort());
        assertEquals(28, quote.length);
    }
}

package jnat.wire;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpSegmentTest {
    /**
     * Real frames from captures/dnscap_dnso1tcp.pcap ({@code tcpdump -xx}): a container's SYN, captured on
     * the sending host before checksum offload filled in the checksum (tcpdump: "cksum 0xbc57 (incorrect
     * -> 0xc118)"), and 8.8.8.8's SYN-ACK ("cksum 0xcbe5 (correct)", options [mss 1288,sackOK,TS val
     * 2408574605 ecr 1022106786,nop,wscale 8]).
     */
    static final byte[] SYN = HexFormat.of().parseHex(
            "0242c53d491d0242ac11000808004500" +
            "003c4bf14000400632a2ac1100080808" +
            "0808c8bc00355f51d6dc00000000a002" +
            "7210bc570000020405b40402080a3cec" +
            "1ca20000000001030307");
    static final byte[] SYN_ACK = HexFormat.of().parseHex(
            "0242ac1100080242c53d491d08004500" +
            "003c550c00003606738708080808ac11" +
            "00080035c8bc5b1e1fb15f51d6dda012" +
            "6ef0cbe50000020405080402080a8f8f" +
            "ee8d3cec1ca201030308");

    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment tcp = new TcpSegment();

    private void wrapFrame(byte[] frame) {
        assertEquals(WireError.OK, ip.wrap(frame, 14, frame.length - 14));
        assertEquals(WireError.OK, tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength()));
    }

    @Test
    void readsARealSynAck() {
        wrapFrame(SYN_ACK.clone());
        assertEquals(53, tcp.srcPort());
        assertEquals(51388, tcp.dstPort());
        assertEquals(1528700849L, Integer.toUnsignedLong(tcp.seq()));
        assertEquals(1599198941L, Integer.toUnsignedLong(tcp.ack()));
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, tcp.flags());
        assertTrue(tcp.syn());
        assertTrue(tcp.isAck());
        assertFalse(tcp.fin());
        assertEquals(28400, tcp.window());
        assertEquals(40, tcp.headerLength());
        assertEquals(0, tcp.payloadLength());
    }

    @Test
    void readsTheOptionsOfARealSynAck() {
        wrapFrame(SYN_ACK.clone());
        assertEquals(1288, tcp.mss());
        assertTrue(tcp.sackPermitted());
        assertTrue(tcp.hasTimestamps());
        assertEquals(2408574605L, Integer.toUnsignedLong(tcp.tsVal()));
        assertEquals(1022106786L, Integer.toUnsignedLong(tcp.tsEcr()));
        assertEquals(8, tcp.windowScale());
        assertEquals(0, tcp.sackBlockCount());
    }

    @Test
    void walksOptionsInWireOrder() {
        wrapFrame(SYN_ACK.clone());
        StringBuilder kinds = new StringBuilder();
        for (int p = tcp.firstOption(); p >= 0; p = tcp.nextOption(p)) kinds.append(tcp.optionKind(p)).append(' ');
        assertEquals("2 4 8 1 3 ", kinds.toString());
    }

    @Test
    void verifiesTheChecksumTcpdumpCallsCorrect() {
        wrapFrame(SYN_ACK.clone());
        assertTrue(tcp.verifyChecksum(ip.src(), ip.dst()));
    }

    @Test
    void refusesTheOffloadedChecksumAndComputesWhatTcpdumpExpects() {
        wrapFrame(SYN.clone());
        assertFalse(tcp.verifyChecksum(ip.src(), ip.dst()));
        tcp.fillChecksum(ip.src(), ip.dst());
        assertEquals(0xc118, tcp.checksum());
    }

    @Test
    void fewerThanTwentyBytesIsTruncated() {
        assertEquals(WireError.TRUNCATED, tcp.wrap(new byte[19], 0, 19));
    }

    @Test
    void dataOffsetBelowFiveIsBadDataOffset() {
        byte[] s = new byte[20];
        s[12] = 0x40;
        assertEquals(WireError.BAD_DATA_OFFSET, tcp.wrap(s, 0, 20));
    }

    @Test
    void dataOffsetPastTheSegmentIsBadDataOffset() {
        byte[] s = new byte[20];
        s[12] = 0x60; // 24-byte header in 20 bytes
        assertEquals(WireError.BAD_DATA_OFFSET, tcp.wrap(s, 0, 20));
    }

    @Test
    void anOptionWithLengthBelowTwoEndsTheWalk() {
        byte[] s = TcpRepr.of(1, 2).withMss(1460).withWindowScale(7).bytes();
        s[21] = 1; // MSS length 1: malformed, as tcp_parse_options the walk stops
        tcp.wrap(s, 0, s.length);
        assertEquals(-1, tcp.mss());
        assertEquals(-1, tcp.windowScale());
    }

    @Test
    void anOptionRunningPastTheHeaderEndsTheWalk() {
        byte[] s = TcpRepr.of(1, 2).withWindowScale(7).bytes(); // NOP, WS(3 bytes)
        s[22] = 9;
        tcp.wrap(s, 0, s.length);
        assertEquals(-1, tcp.windowScale());
        assertEquals(1, tcp.optionKind(tcp.firstOption()));
        assertEquals(-1, tcp.nextOption(tcp.firstOption()));
    }

    @Test
    void anOptionOfTheWrongSizeIsIgnored() {
        byte[] s = TcpRepr.of(1, 2).withMss(1460).bytes();
        s[21] = 3; // MSS with length 3, then one byte left: not an MSS
        tcp.wrap(s, 0, s.length);
        assertEquals(-1, tcp.mss());
    }

    @Test
    void readsSackBlocks() {
        byte[] s = TcpRepr.of(1, 2).withFlags(TcpSegment.ACK).withTimestamps(5, 6)
                .withSackBlocks(List.of(new TcpRepr.SackBlock(100, 200), new TcpRepr.SackBlock(-300, -200))).bytes();
        tcp.wrap(s, 0, s.length);
        assertEquals(2, tcp.sackBlockCount());
        assertEquals(100, tcp.sackLeft(0));
        assertEquals(200, tcp.sackRight(0));
        assertEquals(-300, tcp.sackLeft(1));
        assertEquals(-200, tcp.sackRight(1));
    }

    @Test
    void linuxSynOptionsAreTwentyBytesInLinuxOrder() {
        byte[] s = TcpRepr.of(1, 2).withFlags(TcpSegment.SYN).withLinuxSynOptions(1).bytes();
        tcp.wrap(s, 0, s.length);
        assertEquals(40, tcp.headerLength());
        StringBuilder kinds = new StringBuilder();
        for (int p = tcp.firstOption(); p >= 0; p = tcp.nextOption(p)) kinds.append(tcp.optionKind(p)).append(' ');
        assertEquals("2 4 8 1 3 ", kinds.toString());
    }

    @Test
    void settersKeepTheChecksumRight() {
        byte[] f = SYN_ACK.clone();
        wrapFrame(f);
        tcp.setSrcPort(8000);
        tcp.setSeq(0x80000000);
        tcp.setAck(12345);
        tcp.setWindow(1);
        tcp.setFlags(TcpSegment.RST);
        assertTrue(tcp.verifyChecksum(ip.src(), ip.dst()));
        assertEquals(8000, tcp.srcPort());
        assertTrue(tcp.rst());
    }

    @Test
    void replacingAnAddressInTheChecksumMatchesTheNewPseudoHeader() {
        byte[] f = SYN_ACK.clone();
        wrapFrame(f);
        int newDst = Ipv4Address.parse("10.0.2.15");
        tcp.replaceAddressInChecksum(ip.dst(), newDst);
        assertTrue(tcp.verifyChecksum(ip.src(), newDst));
    }
}

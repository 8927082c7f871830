package jnat.wire;

import org.junit.jupiter.api.Test;

import static jnat.wire.HandBytes.A;
import static jnat.wire.HandBytes.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Ethernet and ARP views, reprs and writers against frames written by hand (IEEE 802.3, 802.1Q, RFC 826). */
class LinkLayerBytesTest {
    static final long MAC_A = 0x020000000001L;
    static final long MAC_B = 0x020000000002L;

    /** 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4, 4 bytes of payload. */
    static final byte[] FRAME_BYTES = HandBytes.of(
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02,   // destination
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01,   // source
            0x08, 0x00,                           // ethertype IPv4
            0xde, 0xad, 0xbe, 0xef);              // payload

    /** The same in VLAN 11 with priority 5 (an 802.1Q tag). */
    static final byte[] VLAN_FRAME_BYTES = HandBytes.of(
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02,   // destination
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01,   // source
            0x81, 0x00, 0xa0, 0x0b,               // TPID 802.1Q; PCP 5, DEI 0, VLAN id 11
            0x08, 0x00,                           // ethertype IPv4
            0xde, 0xad, 0xbe, 0xef);              // payload

    /** "who-has 10.0.0.2 tell 10.0.0.1" from 02:00:00:00:00:01. */
    static final byte[] ARP_REQUEST_BYTES = HandBytes.of(
            0x00, 0x01, 0x08, 0x00,               // hardware Ethernet; protocol IPv4
            0x06, 0x04, 0x00, 0x01,               // address lengths 6 and 4; request
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01,   // sender MAC
            0x0a, 0x00, 0x00, 0x01,               // sender IP
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,   // target MAC (unknown)
            0x0a, 0x00, 0x00, 0x02);              // target IP

    static final byte[] PAYLOAD = HandBytes.of(0xde, 0xad, 0xbe, 0xef);

    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();

    @Test
    void viewReadsEveryFieldOfTheHandWrittenFrame() {
        assertEquals(WireError.OK, eth.wrap(FRAME_BYTES, 0, FRAME_BYTES.length));
        assertEquals(MAC_B, eth.dst());
        assertEquals(MAC_A, eth.src());
        assertEquals(EtherType.IPV4, eth.etherType());
        assertEquals(0, eth.vlanTagCount());
        assertEquals(14, eth.payloadOffset());
        assertEquals(4, eth.payloadLength());
    }

    @Test
    void viewReadsEveryFieldOfTheHandWrittenTaggedFrame() {
        assertEquals(WireError.OK, eth.wrap(VLAN_FRAME_BYTES, 0, VLAN_FRAME_BYTES.length));
        assertEquals(MAC_B, eth.dst());
        assertEquals(MAC_A, eth.src());
        assertEquals(1, eth.vlanTagCount());
        assertEquals(11, eth.vlanId());
        assertEquals(5, eth.vlanPriority());
        assertEquals(EtherType.IPV4, eth.etherType());
        assertEquals(18, eth.payloadOffset());
    }

    @Test
    void reprEmitsTheHandWrittenFrame() {
        assertArrayEquals(FRAME_BYTES, EthernetRepr.of(MAC_A, MAC_B).frame(PAYLOAD));
    }

    @Test
    void reprEmitsTheHandWrittenTaggedFrameButPriorityZero() {
        byte[] expected = VLAN_FRAME_BYTES.clone();
        expected[EthernetFrame.OFF_VLAN_TCI] = 0; // the repr carries the VLAN id only
        assertArrayEquals(expected, EthernetRepr.of(MAC_A, MAC_B).withVlan(11).frame(PAYLOAD));
    }

    @Test
    void writeHeaderEmitsTheHandWrittenFrameHeader() {
        byte[] b = HandBytes.garbage(14);
        EthernetFrame.writeHeader(b, 0, MAC_B, MAC_A, EtherType.IPV4);
        assertArrayEquals(java.util.Arrays.copyOf(FRAME_BYTES, 14), b);
    }

    @Test
    void writeVlanHeaderEmitsTheHandWrittenTaggedHeader() {
        byte[] b = HandBytes.garbage(18);
        EthernetFrame.writeVlanHeader(b, 0, MAC_B, MAC_A, 5 << EthernetFrame.VLAN_PRIO_SHIFT | 11, EtherType.IPV4);
        assertArrayEquals(java.util.Arrays.copyOf(VLAN_FRAME_BYTES, 18), b);
    }

    @Test
    void viewReadsEveryFieldOfTheHandWrittenArpRequest() {
        assertEquals(WireError.OK, arp.wrap(ARP_REQUEST_BYTES, 0, ARP_REQUEST_BYTES.length));
        assertEquals(ArpPacket.REQUEST, arp.operation());
        assertEquals(MAC_A, arp.senderMac());
        assertEquals(A, arp.senderIp());
        assertEquals(0L, arp.targetMac());
        assertEquals(B, arp.targetIp());
    }

    @Test
    void reprEmitsTheHandWrittenArpRequest() {
        assertArrayEquals(ARP_REQUEST_BYTES, ArpRepr.request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.2").bytes());
    }

    @Test
    void writeEmitsTheHandWrittenArpRequest() {
        byte[] b = HandBytes.garbage(ArpPacket.LENGTH);
        ArpPacket.write(b, 0, ArpPacket.REQUEST, MAC_A, A, 0L, B);
        assertArrayEquals(ARP_REQUEST_BYTES, b);
    }
}

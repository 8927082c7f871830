package jnat.wire;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ethernet, 802.1Q and ARP, on real frames from the dnscap captures ({@code tcpdump -e -xx}). */
class LinkLayerTest {
    /** captures/dnscap_dns.pcap: "02:42:ac:11:00:0a > 56:84:7a:fe:97:99, ARP, Request who-has 172.17.42.1 tell 172.17.0.10". */
    static final byte[] ARP_REQUEST = HexFormat.of().parseHex(
            "56847afe97990242ac11000a08060001" +
            "0800060400010242ac11000aac11000a" +
            "000000000000ac112a01");
    /** captures/dnscap_vlan11.pcap: "vlan 11, p 0, ethertype IPv4, 172.17.0.10.53199 > 8.8.8.8.53: [udp sum ok] A? google.com." */
    static final byte[] VLAN_DNS = HexFormat.of().parseHex(
            "56847afe97990242ac11000a8100000b" +
            "0800450000381fc2400040115ec8ac11" +
            "000a08080808cfcf00350024780de7af" +
            "0100000100000000000006676f6f676c" +
            "6503636f6d0000010001");

    private final EthernetFrame eth = new EthernetFrame();

    @Test
    void readsAddressesAndEthertype() {
        assertEquals(WireError.OK, eth.wrap(ARP_REQUEST, 0, ARP_REQUEST.length));
        assertEquals("56:84:7a:fe:97:99", MacAddress.format(eth.dst()));
        assertEquals("02:42:ac:11:00:0a", MacAddress.format(eth.src()));
        assertEquals(EtherType.ARP, eth.etherType());
        assertEquals(-1, eth.vlanId());
        assertEquals(14, eth.payloadOffset());
    }

    @Test
    void fewerThanFourteenBytesIsTruncated() {
        assertEquals(WireError.TRUNCATED, eth.wrap(ARP_REQUEST, 0, 13));
    }

    @Test
    void recognisesAn8021QTag() {
        assertEquals(WireError.OK, eth.wrap(VLAN_DNS, 0, VLAN_DNS.length));
        assertEquals(1, eth.vlanTagCount());
        assertEquals(11, eth.vlanId());
        assertEquals(0, eth.vlanPriority());
        assertEquals(EtherType.IPV4, eth.etherType());
        assertEquals(18, eth.payloadOffset());
        Ipv4Packet ip = new Ipv4Packet();
        assertEquals(WireError.OK, ip.wrap(VLAN_DNS, eth.payloadOffset(), eth.payloadLength()));
        assertTrue(ip.verifyChecksum());
        assertTrue(ip.verifyTransportChecksum());
        assertEquals(53199, ip.srcPort());
    }

    @Test
    void aTagWithoutItsEthertypeIsTruncated() {
        assertEquals(WireError.TRUNCATED, eth.wrap(VLAN_DNS, 0, 17));
    }

    @Test
    void recognisesTwoStackedTags() {
        byte[] f = EthernetRepr.of("02:00:00:00:00:01", "02:00:00:00:00:02").withVlan(5).frame(new byte[4]);
        byte[] qinq = new byte[f.length + 4];
        System.arraycopy(f, 0, qinq, 0, 12);
        Bytes.put16(qinq, 12, EtherType.QINQ);
        Bytes.put16(qinq, 14, 100);
        System.arraycopy(f, 12, qinq, 16, f.length - 12);
        assertEquals(WireError.OK, eth.wrap(qinq, 0, qinq.length));
        assertEquals(2, eth.vlanTagCount());
        assertEquals(100, eth.vlanId());
        assertEquals(EtherType.IPV4, eth.etherType());
        assertEquals(22, eth.payloadOffset());
    }

    @Test
    void settersRewriteTheAddresses() {
        byte[] f = ARP_REQUEST.clone();
        eth.wrap(f, 0, f.length);
        eth.setSrc(MacAddress.parse("02:42:7b:9a:3c:01"));
        eth.setDst(MacAddress.BROADCAST);
        assertEquals("02:42:7b:9a:3c:01", MacAddress.format(eth.src()));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.format(eth.dst()));
    }

    @Test
    void readsARealArpRequest() {
        eth.wrap(ARP_REQUEST, 0, ARP_REQUEST.length);
        ArpPacket arp = new ArpPacket();
        assertEquals(WireError.OK, arp.wrap(ARP_REQUEST, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(ArpPacket.REQUEST, arp.operation());
        assertEquals("02:42:ac:11:00:0a", MacAddress.format(arp.senderMac()));
        assertEquals("172.17.0.10", Ipv4Address.format(arp.senderIp()));
        assertEquals(0L, arp.targetMac());
        assertEquals("172.17.42.1", Ipv4Address.format(arp.targetIp()));
    }

    @Test
    void arpRequestBuiltFromAReprEqualsTheRealFrame() {
        byte[] built = EthernetRepr.of("02:42:ac:11:00:0a", "56:84:7a:fe:97:99")
                .frame(ArpRepr.request("02:42:ac:11:00:0a", "172.17.0.10", "172.17.42.1"));
        assertEquals(HexFormat.of().formatHex(ARP_REQUEST), HexFormat.of().formatHex(built));
    }

    @Test
    void arpForOtherThanEthernetAndIpv4IsUnsupported() {
        byte[] a = ArpRepr.request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.2").bytes();
        a[1] = 6; // IEEE 802 hardware
        assertEquals(WireError.UNSUPPORTED_ARP, new ArpPacket().wrap(a, 0, a.length));
    }

    @Test
    void arpShorterThanTwentyEightBytesIsTruncated() {
        byte[] a = ArpRepr.request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.2").bytes();
        assertEquals(WireError.TRUNCATED, new ArpPacket().wrap(a, 0, 27));
    }
}

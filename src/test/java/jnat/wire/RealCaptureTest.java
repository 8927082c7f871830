package jnat.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The views on every frame of real captures (captures/SOURCES.md). */
class RealCaptureTest {
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();

    /** Counts IPv4 packets that wrap and whose header checksum verifies. */
    private int[] scan(String file) {
        int ipv4 = 0;
        int good = 0;
        for (byte[] f : PcapFile.resource(file).frames()) {
            if (eth.wrap(f, 0, f.length) != WireError.OK || eth.etherType() != EtherType.IPV4) continue;
            ipv4++;
            assertEquals(WireError.OK, ip.wrap(f, eth.payloadOffset(), eth.payloadLength()), file);
            if (ip.verifyChecksum()) good++;
        }
        return new int[] {ipv4, good};
    }

    @Test
    void everyIpv4PacketOfTheDnscapCaptureWrapsAndVerifies() {
        int[] n = scan("dnscap_dns.pcap");
        assertTrue(n[0] > 100, "IPv4 packets: " + n[0]);
        assertEquals(n[0], n[1]);
    }

    @Test
    void theVlanTaggedCopyReadsTheSameAsTheUntagged() {
        assertEquals(scan("dnscap_dns.pcap")[0], scan("dnscap_vlan11.pcap")[0]);
    }

    @Test
    void icmpPortUnreachablesQuoteTheDnsDatagramsPorts() {
        IcmpPacket icmp = new IcmpPacket();
        Ipv4Packet inner = new Ipv4Packet();
        int errors = 0;
        for (byte[] f : PcapFile.resource("tcpreplay_test.pcap").frames()) {
            if (eth.wrap(f, 0, f.length) != WireError.OK || eth.etherType() != EtherType.IPV4) continue;
            if (ip.wrap(f, eth.payloadOffset(), eth.payloadLength()) != WireError.OK || ip.protocol() != IpProtocol.ICMP) continue;
            assertEquals(WireError.OK, icmp.wrap(f, ip.payloadOffset(), ip.payloadLength()));
            if (icmp.type() != IcmpPacket.DEST_UNREACH) continue;
            errors++;
            assertEquals(IcmpPacket.PORT_UNREACH, icmp.code());
            assertTrue(icmp.verifyChecksum());
            assertEquals(WireError.OK, icmp.quoted(inner));
            assertTrue(inner.isTruncated());
            assertTrue(inner.verifyChecksum());
            assertEquals(IpProtocol.UDP, inner.protocol());
            assertTrue(inner.hasPorts());
            assertEquals(53, inner.srcPort());
            assertEquals(ip.src(), inner.dst());
        }
        assertEquals(6, errors);
    }

    @Test
    void icmpErrorWithNothingQuotedIsReadButHasNoQuote() {
        // captures/dnscap_icmp.pcap, second frame: ICMP 3/0 from 172.17.0.9, 8 bytes, nothing quoted.
        byte[] f = PcapFile.resource("dnscap_icmp.pcap").frames().get(1);
        assertEquals(WireError.OK, eth.wrap(f, 0, f.length));
        assertEquals(WireError.OK, ip.wrap(f, eth.payloadOffset(), eth.payloadLength()));
        IcmpPacket icmp = new IcmpPacket();
        assertEquals(WireError.OK, icmp.wrap(f, ip.payloadOffset(), ip.payloadLength()));
        assertEquals(IcmpPacket.DEST_UNREACH, icmp.type());
        assertEquals(0, icmp.payloadLength());
        assertEquals(WireError.TRUNCATED, icmp.quoted(new Ipv4Packet()));
    }
}

package jnat.wire;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** parse(emit(repr)) == repr for every layer, and what is emitted always verifies. */
class RoundTripPropertiesTest {
    @Provide Arbitrary<Ipv4Repr> ipv4() { return Generators.ipv4(); }
    @Provide Arbitrary<Ipv4Repr> fragmentedIpv4() { return Generators.ipv4WithFragments(); }
    @Provide Arbitrary<TcpRepr> tcp() { return Generators.tcp(); }
    @Provide Arbitrary<UdpRepr> udp() { return Generators.udp(); }
    @Provide Arbitrary<IcmpRepr> icmp() { return Generators.icmpAny(); }
    @Provide Arbitrary<EthernetRepr> ethernet() { return Generators.ethernet(); }
    @Provide Arbitrary<ArpRepr> arp() { return Generators.arp(); }
    @Provide Arbitrary<TransportRepr> transport() { return Generators.transport(); }

    private static Ipv4Packet wrap(byte[] p) {
        Ipv4Packet ip = new Ipv4Packet();
        assertEquals(WireError.OK, ip.wrap(p, 0, p.length));
        return ip;
    }

    @Property
    void ipv4HeaderRoundTrips(@ForAll("fragmentedIpv4") Ipv4Repr ip, @ForAll("transport") TransportRepr l4) {
        Ipv4Packet view = wrap(ip.packet(l4));
        assertEquals(ip.withProtocol(l4.protocol()), Ipv4Repr.parse(view));
        assertTrue(view.verifyChecksum());
    }

    @Property
    void tcpRoundTripsAndVerifies(@ForAll("ipv4") Ipv4Repr ip, @ForAll("tcp") TcpRepr tcp) {
        Ipv4Packet view = wrap(ip.packet(tcp));
        assertEquals(tcp, TransportRepr.parse(view));
        assertTrue(view.verifyTransportChecksum());
    }

    @Property
    void udpRoundTripsAndVerifies(@ForAll("ipv4") Ipv4Repr ip, @ForAll("udp") UdpRepr udp) {
        Ipv4Packet view = wrap(ip.packet(udp));
        assertEquals(udp, TransportRepr.parse(view));
        assertTrue(view.verifyTransportChecksum());
    }

    @Property
    void icmpRoundTripsAndVerifies(@ForAll("ipv4") Ipv4Repr ip, @ForAll("icmp") IcmpRepr icmp) {
        Ipv4Packet view = wrap(ip.packet(icmp));
        assertEquals(icmp, TransportRepr.parse(view));
        assertTrue(view.verifyTransportChecksum());
    }

    @Property
    void ethernetRoundTrips(@ForAll("ethernet") EthernetRepr eth, @ForAll("arp") ArpRepr arp) {
        byte[] f = eth.frame(arp);
        EthernetFrame view = new EthernetFrame();
        assertEquals(WireError.OK, view.wrap(f, 0, f.length));
        assertEquals(eth.withEtherType(EtherType.ARP), EthernetRepr.parse(view));
        ArpPacket a = new ArpPacket();
        assertEquals(WireError.OK, a.wrap(f, view.payloadOffset(), view.payloadLength()));
        assertEquals(arp, ArpRepr.parse(a));
    }
}

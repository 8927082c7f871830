package jnat.wire;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * NAT on CHECKSUM_PARTIAL packets: the L4 checksum field holds the pseudo-header sum (TCP, UDP) or 0
 * (ICMP), the setters update it as inet_proto_csum_replace4/2 do for such a packet, and completing
 * it afterwards (skb_checksum_help) gives exactly the bytes of a fresh emission of the rewritten packet.
 */
class PartialChecksumPropertiesTest {
    @Provide Arbitrary<Ipv4Repr> ipv4() { return Generators.ipv4(); }
    @Provide Arbitrary<TransportRepr> transport() { return Generators.transport(); }
    @Provide Arbitrary<Integer> port() { return Generators.u16(); }

    @Property
    void natRewriteOfAPartialPacketCompletesToAFreshEmission(@ForAll("ipv4") Ipv4Repr ip, @ForAll("transport") TransportRepr l4,
                                                            @ForAll int newSrc, @ForAll int newDst,
                                                            @ForAll("port") int newSrcPort, @ForAll("port") int newDstPort) {
        byte[] p = ip.packet(l4);
        Ipv4Packet view = new Ipv4Packet();
        assertEquals(WireError.OK, view.wrap(p, 0, p.length));
        int field = switch (l4.protocol()) {
            case IpProtocol.TCP -> 16;
            case IpProtocol.UDP -> 6;
            default -> 2;
        };
        int at = view.payloadOffset() + field;
        Bytes.put16(p, at, l4.protocol() == IpProtocol.ICMP ? 0
                : Checksum.pseudoHeaderSum(view.src(), view.dst(), l4.protocol(), view.payloadLength()));
        Offload o = new Offload();
        o.ipSummed = Offload.CHECKSUM_PARTIAL;
        o.csumStart = view.headerLength();
        o.csumOffset = field;
        view.setChecksumPartial(true);

        view.setSrc(newSrc);
        view.setDst(newDst);
        IncrementalChecksumPropertiesTest.rewritePorts(view, l4, newSrcPort, newDstPort);
        o.checksumHelp(p, 0, p.length);

        byte[] expected = ip.withSrc(newSrc).withDst(newDst)
                .packet(IncrementalChecksumPropertiesTest.withPorts(l4, newSrcPort, newDstPort));
        if (Bytes.u16(expected, at) == 0) Bytes.put16(expected, at, 0xffff); // skb_checksum_help's CSUM_MANGLED_0
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(p));
        assertEquals(Offload.CHECKSUM_NONE, o.ipSummed);
    }
}

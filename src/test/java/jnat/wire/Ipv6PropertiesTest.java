package jnat.wire;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 as the IPv4 property tests do it: parse(emit(repr)) == repr and what is emitted verifies; NAT66
 * rewrites (addresses, ports, echo ids, hop limit) with incremental checksums give exactly the bytes
 * of a fresh emission, for plain packets, CHECKSUM_PARTIAL ones and ICMPv6 errors quoting them.
 */
class Ipv6PropertiesTest {
    @Provide Arbitrary<Ipv6Repr> ipv6() { return Generators.ipv6(); }
    @Provide Arbitrary<Transport6Repr> transport() { return Generators.transport6(); }
    @Provide Arbitrary<Icmpv6Repr> icmpv6() { return Generators.icmpv6Any(); }
    @Provide Arbitrary<Integer> port() { return Generators.u16(); }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static Ipv6Packet wrap(byte[] p) {
        Ipv6Packet ip = new Ipv6Packet();
        assertEquals(WireError.OK, ip.wrap(p, 0, p.length));
        assertEquals(WireError.OK, ip.extHeaderError());
        return ip;
    }

    static Transport6Repr withPorts(Transport6Repr l4, int srcPort, int dstPort) {
        return switch (l4) {
            case TcpRepr t -> t.withSrcPort(srcPort).withDstPort(dstPort);
            case UdpRepr u -> u.withSrcPort(srcPort).withDstPort(dstPort);
            case Icmpv6Repr i -> i.withDataWord(srcPort << 16 | i.echoSeq());
        };
    }

    static void rewritePorts(Ipv6Packet view, Transport6Repr l4, int srcPort, int dstPort) {
        if (l4 instanceof Icmpv6Repr) {
            view.setIcmpId(srcPort);
        } else {
            view.setSrcPort(srcPort);
            view.setDstPort(dstPort);
        }
    }

    @Property
    void ipv6RoundTripsAndVerifies(@ForAll("ipv6") Ipv6Repr ip, @ForAll("transport") Transport6Repr l4) {
        Ipv6Packet view = wrap(ip.packet(l4));
        assertEquals(ip.withProtocol(l4.protocol()), Ipv6Repr.parse(view));
        assertEquals(l4, Transport6Repr.parse(view));
        assertTrue(view.verifyTransportChecksum());
    }

    @Property
    void icmpv6RoundTripsAndVerifies(@ForAll("ipv6") Ipv6Repr ip, @ForAll("icmpv6") Icmpv6Repr icmp) {
        Ipv6Packet view = wrap(ip.packet(icmp));
        assertEquals(icmp, Transport6Repr.parse(view));
        assertTrue(view.verifyTransportChecksum());
    }

    @Property
    void nat66RewriteEqualsFreshEmission(@ForAll("ipv6") Ipv6Repr ip, @ForAll("transport") Transport6Repr l4,
                                         @ForAll long srcHi, @ForAll long srcLo, @ForAll long dstHi, @ForAll long dstLo,
                                         @ForAll("port") int newSrcPort, @ForAll("port") int newDstPort,
                                         @ForAll @IntRange(max = 3) int hopDecrements) {
        byte[] p = ip.packet(l4);
        Ipv6Packet view = wrap(p);
        view.setSrc(srcHi, srcLo);
        view.setDst(dstHi, dstLo);
        rewritePorts(view, l4, newSrcPort, newDstPort);
        for (int i = 0; i < hopDecrements; i++) view.decrementHopLimit();
        byte[] expected = ip.withSrc(srcHi, srcLo).withDst(dstHi, dstLo).withHopLimit((ip.hopLimit() - hopDecrements) & 0xff)
                .packet(withPorts(l4, newSrcPort, newDstPort));
        assertEquals(hex(expected), hex(p));
        assertTrue(view.verifyTransportChecksum());
    }

    @Property
    void update128EqualsRecomputation(@ForAll byte[] data, @ForAll long oldHi, @ForAll long oldLo,
                                      @ForAll long newHi, @ForAll long newLo) {
        byte[] b = new byte[16 + data.length];
        Ipv6Address.write(b, 0, oldHi, oldLo);
        System.arraycopy(data, 0, b, 16, data.length);
        int before = Checksum.compute(b, 0, b.length);
        Ipv6Address.write(b, 0, newHi, newLo);
        int after = Checksum.compute(b, 0, b.length);
        int updated = Checksum.update128(before, oldHi, oldLo, newHi, newLo);
        // ones' complement has two zeros: all-zero data before or after is the one case they differ in
        if (after == 0xffff && updated == 0) return;
        assertEquals(after, updated);
    }

    /**
     * nf_nat_icmpv6_reply_translation on an error quoting a random datagram (as Linux quotes, or just
     * the headers and 8 bytes, where a quoted TCP checksum is left out and so left alone, as
     * tcp_manip_pkt leaves it): rewrite the quoted source and port, then the outer destination.
     */
    @Property
    void natOfAnIcmpv6ErrorEqualsFreshEmission(@ForAll("ipv6") Ipv6Repr original, @ForAll("transport") Transport6Repr l4,
                                               @ForAll boolean minimalQuote, @ForAll long routerLo,
                                               @ForAll long newSrcLo, @ForAll("port") int newSrcPort, @ForAll long newOuterLo,
                                               @ForAll @IntRange(min = 1, max = 4) int type) {
        byte[] datagram = original.packet(l4);
        Ipv6Repr router = Ipv6Repr.of(0x20010db8ffff0000L, routerLo, original.srcHi(), original.srcLo());
        byte[] p = router.packet(new Icmpv6Repr(type, 0, 1280, quote(datagram, original, minimalQuote)));

        Ipv6Packet outer = wrap(p);
        Icmpv6Packet icmp = new Icmpv6Packet();
        Ipv6Packet inner = new Ipv6Packet();
        assertEquals(WireError.OK, icmp.wrap(p, outer.upperOffset(), outer.upperLength()));
        assertEquals(WireError.OK, icmp.quoted(inner));
        inner.setSrc(original.srcHi(), newSrcLo);
        int dstPort = inner.hasPorts() ? inner.dstPort() : 0;
        rewritePorts(inner, l4, newSrcPort, dstPort);
        outer.setDst(original.srcHi(), newOuterLo);

        Ipv6Repr originalAfter = original.withSrc(original.srcHi(), newSrcLo);
        byte[] datagramAfter = originalAfter.packet(withPorts(l4, newSrcPort, dstPort));
        byte[] expected = router.withDst(original.srcHi(), newOuterLo)
                .packet(new Icmpv6Repr(type, 0, 1280, quote(datagramAfter, originalAfter, minimalQuote)));
        assertEquals(hex(expected), hex(p));
    }

    private static byte[] quote(byte[] datagram, Ipv6Repr ip, boolean minimal) {
        return minimal ? java.util.Arrays.copyOf(datagram, ip.headerLength() + 8) : Icmpv6Repr.quote(datagram);
    }

    /**
     * CHECKSUM_PARTIAL: the L4 field holds the pseudo-header sum (over IPv6 ICMPv6's too); after the
     * rewrite, skb_checksum_help completes it to a fresh emission's bytes.
     */
    @Property
    void natRewriteOfAPartialPacketCompletesToAFreshEmission(@ForAll("ipv6") Ipv6Repr ip, @ForAll("transport") Transport6Repr l4,
                                                            @ForAll long srcLo, @ForAll long dstHi,
                                                            @ForAll("port") int newSrcPort, @ForAll("port") int newDstPort) {
        byte[] p = ip.packet(l4);
        Ipv6Packet view = wrap(p);
        int field = switch (l4.protocol()) {
            case IpProtocol.TCP -> TcpSegment.OFF_CHECKSUM;
            case IpProtocol.UDP -> UdpDatagram.OFF_CHECKSUM;
            default -> Icmpv6Packet.OFF_CHECKSUM;
        };
        int at = view.upperOffset() + field;
        Bytes.put16(p, at, Checksum.pseudoHeaderSum6(view.srcHi(), view.srcLo(), view.dstHi(), view.dstLo(),
                l4.protocol(), view.upperLength()));
        Offload o = new Offload();
        o.ipSummed = Offload.CHECKSUM_PARTIAL;
        o.csumStart = view.upperOffset();
        o.csumOffset = field;
        view.setChecksumPartial(true);

        view.setSrc(ip.srcHi(), srcLo);
        view.setDst(dstHi, ip.dstLo());
        rewritePorts(view, l4, newSrcPort, newDstPort);
        o.checksumHelp(p, 0, p.length);

        byte[] expected = ip.withSrc(ip.srcHi(), srcLo).withDst(dstHi, ip.dstLo()).packet(withPorts(l4, newSrcPort, newDstPort));
        if (Bytes.u16(expected, at) == 0) Bytes.put16(expected, at, 0xffff); // CSUM_MANGLED_0
        assertEquals(hex(expected), hex(p));
    }

    @Property
    void udpWithoutChecksumStaysWithoutAcrossNat66(@ForAll("ipv6") Ipv6Repr ip, @ForAll long newSrcLo,
                                                   @ForAll("port") int newSrcPort) {
        byte[] p = ip.packet(UdpRepr.of(1, 2).withPayload(new byte[] {1, 2, 3}));
        Ipv6Packet view = wrap(p);
        Bytes.put16(p, view.upperOffset() + UdpDatagram.OFF_CHECKSUM, 0);
        view.setSrc(ip.srcHi(), newSrcLo);
        view.setSrcPort(newSrcPort);
        assertEquals(0, Bytes.u16(p, view.upperOffset() + UdpDatagram.OFF_CHECKSUM));
    }
}

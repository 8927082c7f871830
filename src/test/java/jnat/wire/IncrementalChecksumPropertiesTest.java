package jnat.wire;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Incremental checksum updates (RFC 1624) give exactly the bytes a fresh emission with full checksum
 * computation gives, for random packets and random NAT rewrites.
 */
class IncrementalChecksumPropertiesTest {
    @Provide Arbitrary<Ipv4Repr> ipv4() { return Generators.ipv4(); }
    @Provide Arbitrary<TransportRepr> transport() { return Generators.transport(); }
    @Provide Arbitrary<Integer> port() { return Generators.u16(); }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** The repr with its ports (TCP, UDP) or identifier (ICMP echo) replaced, as NAT would. */
    static TransportRepr withPorts(TransportRepr l4, int srcPort, int dstPort) {
        return switch (l4) {
            case TcpRepr t -> t.withSrcPort(srcPort).withDstPort(dstPort);
            case UdpRepr u -> u.withSrcPort(srcPort).withDstPort(dstPort);
            case IcmpRepr i -> i.withRestOfHeader(srcPort << 16 | i.echoSeq());
        };
    }

    static void rewritePorts(Ipv4Packet view, TransportRepr l4, int srcPort, int dstPort) {
        if (l4 instanceof IcmpRepr) {
            view.setIcmpId(srcPort);
        } else {
            view.setSrcPort(srcPort);
            view.setDstPort(dstPort);
        }
    }

    @Property
    void natRewriteEqualsFreshEmission(@ForAll("ipv4") Ipv4Repr ip, @ForAll("transport") TransportRepr l4,
                                       @ForAll int newSrc, @ForAll int newDst,
                                       @ForAll("port") int newSrcPort, @ForAll("port") int newDstPort,
                                       @ForAll @IntRange(max = 3) int ttlDecrements) {
        byte[] p = ip.packet(l4);
        Ipv4Packet view = new Ipv4Packet();
        assertEquals(WireError.OK, view.wrap(p, 0, p.length));
        view.setSrc(newSrc);
        view.setDst(newDst);
        rewritePorts(view, l4, newSrcPort, newDstPort);
        for (int i = 0; i < ttlDecrements; i++) view.decrementTtl();

        Ipv4Repr expectedIp = ip.withSrc(newSrc).withDst(newDst).withTtl((ip.ttl() - ttlDecrements) & 0xff);
        byte[] expected = expectedIp.packet(withPorts(l4, newSrcPort, newDstPort));
        if (l4 instanceof IcmpRepr icmp && icmp.echoId() != newSrcPort && coveredIsZero(expected, view.payloadOffset(), 2)) {
            // An ICMP message rewritten (the id changed) to all zeros: a fresh sum gives 0xffff, the
            // incremental update 0x0000, as the kernel's csum_replace2 does (ones' complement's two zeros).
            Bytes.put16(expected, view.payloadOffset() + 2, 0);
        }
        assertEquals(hex(expected), hex(p));
    }

    /** True when every byte from {@code off} to the end is zero, the 16-bit checksum at off+csum aside. */
    static boolean coveredIsZero(byte[] b, int off, int csum) {
        for (int i = off; i < b.length; i++) {
            if (i != off + csum && i != off + csum + 1 && b[i] != 0) return false;
        }
        return true;
    }

    @org.junit.jupiter.api.Test
    void echoIdRewrittenToAnAllZeroMessageGivesTheKernelsZeroChecksum() {
        byte[] p = Ipv4Repr.of("10.0.0.1", "10.0.0.2").packet(IcmpRepr.echoReply(5, 0, new byte[0]));
        Ipv4Packet view = new Ipv4Packet();
        assertEquals(WireError.OK, view.wrap(p, 0, p.length));
        assertEquals(0xfffa, Bytes.u16(p, view.payloadOffset() + 2)); // ~5
        view.setIcmpId(0);
        // csum_replace2(0xfffa, 5 -> 0): ~(~0xfffa + ~5 + 0) = ~(5 + 0xfffa) = ~0xffff = 0x0000
        assertEquals(0x0000, Bytes.u16(p, view.payloadOffset() + 2));
    }

    @Property
    void udpWithoutChecksumStaysWithoutAcrossNat(@ForAll("ipv4") Ipv4Repr ip, @ForAll("port") int sp, @ForAll("port") int dp,
                                                 @ForAll int newSrc, @ForAll("port") int newSrcPort) {
        byte[] p = ip.packet(UdpRepr.of(sp, dp).withPayload(new byte[] {1, 2, 3}));
        Ipv4Packet view = new Ipv4Packet();
        view.wrap(p, 0, p.length);
        Bytes.put16(p, view.payloadOffset() + 6, 0);
        view.setSrc(newSrc);
        view.setSrcPort(newSrcPort);
        assertEquals(0, Bytes.u16(p, view.payloadOffset() + 6));
        assertEquals(true, view.verifyChecksum());
    }

    /**
     * nf_nat_icmp_reply_translation on an error quoting a random datagram (minimally or as much as
     * Linux quotes): rewrite the quoted addresses and ports, then the outer destination. The result is
     * byte for byte the error that would quote the rewritten datagram.
     */
    @Property
    void natOfAnIcmpErrorEqualsFreshEmission(@ForAll("ipv4") Ipv4Repr original, @ForAll("transport") TransportRepr l4,
                                             @ForAll boolean minimalQuote, @ForAll int router,
                                             @ForAll int newSrc, @ForAll("port") int newSrcPort, @ForAll int newOuterDst,
                                             @ForAll @IntRange(min = 3, max = 12) int type) {
        byte[] datagram = original.packet(l4);
        byte[] quote = minimalQuote ? IcmpRepr.quoteMinimal(datagram) : IcmpRepr.quote(datagram, IcmpRepr.LINUX_MAX_QUOTE);
        IcmpRepr error = new IcmpRepr(type, 0, 0, quote);
        byte[] p = Ipv4Repr.of(router, original.src()).packet(error);

        Ipv4Packet outer = new Ipv4Packet();
        IcmpPacket icmp = new IcmpPacket();
        Ipv4Packet inner = new Ipv4Packet();
        assertEquals(WireError.OK, outer.wrap(p, 0, p.length));
        assertEquals(WireError.OK, icmp.wrap(p, outer.payloadOffset(), outer.payloadLength()));
        assertEquals(WireError.OK, icmp.quoted(inner));
        inner.setSrc(newSrc);
        rewritePorts(inner, l4, newSrcPort, inner.hasPorts() ? inner.dstPort() : 0);
        outer.setDst(newOuterDst);

        TransportRepr l4After = l4 instanceof IcmpRepr ? withPorts(l4, newSrcPort, 0) : withPortsKeepingDst(l4, newSrcPort);
        byte[] datagramAfter = original.withSrc(newSrc).packet(l4After);
        if (l4 instanceof IcmpRepr echo && echo.echoId() != newSrcPort) {
            Ipv4Packet d = new Ipv4Packet();
            assertEquals(WireError.OK, d.wrap(datagramAfter, 0, datagramAfter.length));
            // the quoted echo rewritten to all zeros: 0x0000 from the update, as in natRewriteEqualsFreshEmission
            if (coveredIsZero(datagramAfter, d.payloadOffset(), 2)) Bytes.put16(datagramAfter, d.payloadOffset() + 2, 0);
        }
        byte[] quoteAfter = minimalQuote ? IcmpRepr.quoteMinimal(datagramAfter) : IcmpRepr.quote(datagramAfter, IcmpRepr.LINUX_MAX_QUOTE);
        byte[] expected = Ipv4Repr.of(router, newOuterDst).packet(new IcmpRepr(type, 0, 0, quoteAfter));
        assertEquals(hex(expected), hex(p));
    }

    private static TransportRepr withPortsKeepingDst(TransportRepr l4, int srcPort) {
        return switch (l4) {
            case TcpRepr t -> t.withSrcPort(srcPort);
            case UdpRepr u -> u.withSrcPort(srcPort);
            case IcmpRepr i -> i;
        };
    }
}

package jnat.wire;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static jnat.wire.HandBytes.A6;
import static jnat.wire.HandBytes.A6_HI;
import static jnat.wire.HandBytes.A6_LO;
import static jnat.wire.HandBytes.B6;
import static jnat.wire.HandBytes.B6_HI;
import static jnat.wire.HandBytes.B6_LO;
import static jnat.wire.HandBytes.concat;
import static jnat.wire.HandBytes.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ICMPv6 and NDP views, reprs and writers against messages written by hand from RFC 4443's and
 * RFC 4861's figures, each in its IPv6 packet; checksums (with the pseudo-header) summed apart from
 * jnat, and agreeing with scapy's.
 */
class Icmpv6BytesTest {
    static final byte[] FE80_1 = of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
    static final byte[] FE80_2 = of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02);
    static final byte[] FF02_1 = of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
    static final byte[] FF02_2 = of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02);
    /** The solicited-node multicast address of 2001:db8::2. */
    static final byte[] SOLICITED_B = of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x02);
    static final byte[] ROUTER_FF = of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff);
    static final long MAC_1 = 0x0242ac110001L, MAC_2 = 0x0242ac110002L, MAC_3 = 0x0242ac110003L;

    /** Echo request 2001:db8::1 > 2001:db8::2, id 0x1234, sequence 1, "ping". */
    static final byte[] ECHO_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x0c, 0x3a, 0x40),  // payload length 12; ICMPv6; hop limit 64
            A6, B6, of(
            0x80, 0x00, 0x33, 0x3e,   // type 128; code 0; checksum
            0x12, 0x34, 0x00, 0x01,   // identifier; sequence
            'p', 'i', 'n', 'g'));

    /** Neighbour solicitation for 2001:db8::2 from 2001:db8::1 to its solicited-node group, source link-layer option. */
    static final byte[] NS_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x20, 0x3a, 0xff),  // payload length 32; ICMPv6; hop limit 255
            A6, SOLICITED_B, of(
            0x87, 0x00, 0x6f, 0xd2,   // type 135; code 0; checksum
            0x00, 0x00, 0x00, 0x00),  // reserved
            B6, of(                   // target
            0x01, 0x01, 0x02, 0x42,   // source link-layer address, 8 bytes: 02:42:ac:11:00:02
            0xac, 0x11, 0x00, 0x02));

    /** Solicited, override neighbour advertisement of 2001:db8::2 with its target link-layer address. */
    static final byte[] NA_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x20, 0x3a, 0xff),
            B6, A6, of(
            0x88, 0x00, 0xde, 0x1c,   // type 136; code 0; checksum
            0x60, 0x00, 0x00, 0x00),  // S, O; reserved
            B6, of(
            0x02, 0x01, 0x02, 0x42,   // target link-layer address 02:42:ac:11:00:03
            0xac, 0x11, 0x00, 0x03));

    /** Router solicitation fe80::2 > ff02::2 with a source link-layer address. */
    static final byte[] RS_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x10, 0x3a, 0xff),
            FE80_2, FF02_2, of(
            0x85, 0x00, 0xcd, 0xd6,   // type 133; code 0; checksum
            0x00, 0x00, 0x00, 0x00,   // reserved
            0x01, 0x01, 0x02, 0x42, 0xac, 0x11, 0x00, 0x02));

    /** Router advertisement fe80::1 > ff02::1: hop limit 64, M, lifetime 1800; link-layer address, MTU 1500, prefix 2001:db8::/64. */
    static final byte[] RA_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x40, 0x3a, 0xff),  // payload length 64
            FE80_1, FF02_1, of(
            0x86, 0x00, 0x41, 0x16,   // type 134; code 0; checksum
            0x40, 0x80, 0x07, 0x08,   // current hop limit 64; M; router lifetime 1800
            0x00, 0x00, 0x00, 0x00,   // reachable time
            0x00, 0x00, 0x00, 0x00,   // retrans timer
            0x01, 0x01, 0x02, 0x42, 0xac, 0x11, 0x00, 0x01,   // source link-layer address
            0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc,   // MTU 1500
            0x03, 0x04, 0x40, 0xc0,   // prefix information, 32 bytes; /64; on-link, autonomous
            0x00, 0x27, 0x8d, 0x00,   // valid lifetime 2592000
            0x00, 0x09, 0x3a, 0x80,   // preferred lifetime 604800
            0x00, 0x00, 0x00, 0x00,   // reserved
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

    /** Packet too big (MTU 1280) from 2001:db8::ff to 2001:db8::1, quoting Ipv6BytesTest's UDP packet whole. */
    static final byte[] PTB_BYTES = concat(of(
            0x60, 0x00, 0x00, 0x00,
            0x00, 0x3c, 0x3a, 0x40),  // payload length 60
            ROUTER_FF, A6, of(
            0x02, 0x00, 0x2a, 0xe8,   // type 2; code 0; checksum (over the quote too)
            0x00, 0x00, 0x05, 0x00),  // MTU 1280
            Ipv6BytesTest.UDP_BYTES);

    private final Ipv6Packet ip = new Ipv6Packet();
    private final Icmpv6Packet icmp = new Icmpv6Packet();
    private final NdiscOptions opts = new NdiscOptions();

    private Icmpv6Packet wrap(byte[] b) {
        assertEquals(WireError.OK, ip.wrap(b, 0, b.length));
        assertEquals(IpProtocol.ICMPV6, ip.upperProtocol());
        assertTrue(ip.verifyTransportChecksum());
        assertEquals(WireError.OK, icmp.wrap(b, ip.upperOffset(), ip.upperLength()));
        return icmp;
    }

    private static Ipv6Repr ipOf(byte[] src, byte[] dst, int hopLimit) {
        return Ipv6Repr.of(Ipv6Address.readHi(src, 0), Ipv6Address.readLo(src, 0), Ipv6Address.readHi(dst, 0),
                Ipv6Address.readLo(dst, 0)).withHopLimit(hopLimit);
    }

    @Test
    void theHandWrittenEchoRequest() {
        wrap(ECHO_BYTES);
        assertEquals(Icmpv6Packet.ICMPV6_ECHO_REQUEST, icmp.type());
        assertEquals(0x333e, icmp.checksum());
        assertEquals(0x1234, icmp.echoId());
        assertEquals(1, icmp.echoSeq());
        assertFalse(icmp.isError());
        assertTrue(icmp.verifyChecksum(A6_HI, A6_LO, B6_HI, B6_LO));
        assertTrue(ip.hasIcmpId());
        assertEquals(0x1234, ip.icmpId());
        Icmpv6Repr r = Icmpv6Repr.echoRequest(0x1234, 1, of('p', 'i', 'n', 'g'));
        assertArrayEquals(ECHO_BYTES, ipOf(A6, B6, 64).packet(r));
        assertEquals(r, Transport6Repr.parse(ip));
        byte[] b = HandBytes.garbage(ECHO_BYTES.length);
        Ipv6Packet.writeHeader(b, 0, 0, 0, 12, IpProtocol.ICMPV6, 64, A6_HI, A6_LO, B6_HI, B6_LO);
        Icmpv6Packet.writeHeader(b, 40, Icmpv6Packet.ICMPV6_ECHO_REQUEST, 0, 0x12340001);
        System.arraycopy(of('p', 'i', 'n', 'g'), 0, b, 48, 4);
        Icmpv6Packet.fillChecksum(b, 40, 12, A6_HI, A6_LO, B6_HI, B6_LO);
        assertArrayEquals(ECHO_BYTES, b);
    }

    @Test
    void theHandWrittenNeighbourSolicitation() {
        wrap(NS_BYTES);
        assertEquals(Icmpv6Packet.NDISC_NEIGHBOUR_SOLICITATION, icmp.type());
        assertEquals(255, ip.hopLimit());
        assertTrue(icmp.isNdWhole());
        assertEquals(B6_HI, icmp.ndTargetHi());
        assertEquals(B6_LO, icmp.ndTargetLo());
        assertEquals(64, icmp.ndOptionsOffset());
        assertEquals(8, icmp.ndOptionsLength());
        assertEquals(WireError.OK, icmp.parseNdOptions(opts));
        assertEquals(64, opts.sourceLinkLayer());
        assertEquals(MAC_2, opts.macAddress(opts.sourceLinkLayer()));
        assertEquals(-1, opts.targetLinkLayer());
        Icmpv6Repr r = Icmpv6Repr.neighbourSolicitation(B6_HI, B6_LO,
                Icmpv6Repr.linkLayerOption(NdiscOptions.ND_OPT_SOURCE_LL_ADDR, MAC_2));
        assertArrayEquals(NS_BYTES, ipOf(A6, SOLICITED_B, 255).packet(r));
        assertEquals(r, Transport6Repr.parse(ip));
    }

    @Test
    void theHandWrittenNeighbourAdvertisement() {
        wrap(NA_BYTES);
        assertEquals(Icmpv6Packet.NDISC_NEIGHBOUR_ADVERTISEMENT, icmp.type());
        assertFalse(icmp.naRouter());
        assertTrue(icmp.naSolicited());
        assertTrue(icmp.naOverride());
        assertEquals(B6_LO, icmp.ndTargetLo());
        assertEquals(WireError.OK, icmp.parseNdOptions(opts));
        assertEquals(MAC_3, opts.macAddress(opts.targetLinkLayer()));
        Icmpv6Repr r = Icmpv6Repr.neighbourAdvertisement(Icmpv6Packet.NA_SOLICITED | Icmpv6Packet.NA_OVERRIDE, B6_HI, B6_LO,
                Icmpv6Repr.linkLayerOption(NdiscOptions.ND_OPT_TARGET_LL_ADDR, MAC_3));
        assertArrayEquals(NA_BYTES, ipOf(B6, A6, 255).packet(r));
        // the host's answer laid out with the writers
        byte[] b = HandBytes.garbage(NA_BYTES.length);
        Ipv6Packet.writeHeader(b, 0, 0, 0, 32, IpProtocol.ICMPV6, 255, B6_HI, B6_LO, A6_HI, A6_LO);
        Icmpv6Packet.writeHeader(b, 40, Icmpv6Packet.NDISC_NEIGHBOUR_ADVERTISEMENT, 0,
                (Icmpv6Packet.NA_SOLICITED | Icmpv6Packet.NA_OVERRIDE) << 24);
        Ipv6Address.write(b, 40 + Icmpv6Packet.OFF_ND_TARGET, B6_HI, B6_LO);
        assertEquals(72, NdiscOptions.writeLinkLayer(b, 64, NdiscOptions.ND_OPT_TARGET_LL_ADDR, MAC_3));
        Icmpv6Packet.fillChecksum(b, 40, 32, B6_HI, B6_LO, A6_HI, A6_LO);
        assertArrayEquals(NA_BYTES, b);
    }

    @Test
    void theHandWrittenRouterSolicitation() {
        wrap(RS_BYTES);
        assertEquals(Icmpv6Packet.NDISC_ROUTER_SOLICITATION, icmp.type());
        assertEquals(48, icmp.ndOptionsOffset());
        assertEquals(WireError.OK, icmp.parseNdOptions(opts));
        assertEquals(MAC_2, opts.macAddress(opts.sourceLinkLayer()));
        Icmpv6Repr r = Icmpv6Repr.routerSolicitation(Icmpv6Repr.linkLayerOption(NdiscOptions.ND_OPT_SOURCE_LL_ADDR, MAC_2));
        assertArrayEquals(RS_BYTES, ipOf(FE80_2, FF02_2, 255).packet(r));
    }

    @Test
    void theHandWrittenRouterAdvertisement() {
        wrap(RA_BYTES);
        assertEquals(Icmpv6Packet.NDISC_ROUTER_ADVERTISEMENT, icmp.type());
        assertEquals(64, icmp.raHopLimit());
        assertEquals(Icmpv6Packet.RA_MANAGED, icmp.raFlags());
        assertEquals(1800, icmp.raRouterLifetime());
        assertEquals(0, icmp.raReachableTime());
        assertEquals(0, icmp.raRetransTimer());
        assertEquals(56, icmp.ndOptionsOffset());
        assertEquals(WireError.OK, icmp.parseNdOptions(opts));
        assertEquals(MAC_1, opts.macAddress(opts.sourceLinkLayer()));
        assertEquals(1500, opts.mtu());
        int pi = opts.firstPrefixInfo();
        assertEquals(72, pi);
        assertEquals(pi, opts.lastPrefixInfo());
        assertTrue(opts.isPrefixInfo(pi));
        assertEquals(64, opts.prefixLength(pi));
        assertEquals(NdiscOptions.PREFIX_ONLINK | NdiscOptions.PREFIX_AUTOCONF, opts.prefixFlags(pi));
        assertEquals(2592000, opts.validLifetime(pi));
        assertEquals(604800, opts.preferredLifetime(pi));
        assertEquals(0x20010db800000000L, opts.prefixHi(pi));
        assertEquals(0, opts.prefixLo(pi));
        int n = 0;
        for (int p = opts.firstOption(); p >= 0; p = opts.nextOption(p)) n++;
        assertEquals(3, n);
        Icmpv6Repr r = Icmpv6Repr.routerAdvertisement(64, Icmpv6Packet.RA_MANAGED, 1800, 0, 0, Icmpv6Repr.options(
                Icmpv6Repr.linkLayerOption(NdiscOptions.ND_OPT_SOURCE_LL_ADDR, MAC_1),
                Icmpv6Repr.mtuOption(1500),
                Icmpv6Repr.prefixInfoOption(64, NdiscOptions.PREFIX_ONLINK | NdiscOptions.PREFIX_AUTOCONF,
                        2592000, 604800, 0x20010db800000000L, 0)));
        assertArrayEquals(RA_BYTES, ipOf(FE80_1, FF02_1, 255).packet(r));
    }

    @Test
    void ndOptionsOfLengthZeroOrPastTheMessageAreRefused() {
        byte[] zero = RA_BYTES.clone();
        zero[64 + 1] = 0;                                        // the MTU option's length
        assertEquals(WireError.BAD_ND_OPTION, opts.parse(zero, 56, 48));
        byte[] past = RA_BYTES.clone();
        past[72 + 1] = 5;                                        // prefix information claims 40 bytes of 32
        assertEquals(WireError.BAD_ND_OPTION, opts.parse(past, 56, 48));
        assertEquals(WireError.BAD_ND_OPTION, opts.parse(RA_BYTES, 56, 47));  // a byte short
        assertEquals(WireError.OK, opts.parse(RA_BYTES, 56, 0));
        assertEquals(-1, opts.firstOption());
        // a duplicate link-layer address is ignored: the first is kept
        byte[] dup = RA_BYTES.clone();
        dup[64] = NdiscOptions.ND_OPT_SOURCE_LL_ADDR;
        assertEquals(WireError.OK, opts.parse(dup, 56, 48));
        assertEquals(56, opts.sourceLinkLayer());
        assertEquals(-1, opts.mtuOption());
    }

    @Test
    void theHandWrittenPacketTooBigAndTheDatagramItQuotes() {
        wrap(PTB_BYTES);
        assertEquals(Icmpv6Packet.ICMPV6_PKT_TOOBIG, icmp.type());
        assertTrue(icmp.isError());
        assertEquals(1280, icmp.mtu());
        Ipv6Packet inner = new Ipv6Packet();
        assertEquals(WireError.OK, icmp.quoted(inner));
        assertFalse(inner.isTruncated());
        assertEquals(A6_LO, inner.srcLo());
        assertEquals(53000, inner.srcPort());
        assertTrue(inner.verifyTransportChecksum());
        Icmpv6Repr r = Icmpv6Repr.packetTooBig(1280, Ipv6BytesTest.UDP_BYTES);
        assertArrayEquals(PTB_BYTES, ipOf(ROUTER_FF, A6, 64).packet(r));
        // a quote cut after the ports: wrapped as truncated, the payload length claims more
        byte[] cut = Arrays.copyOf(PTB_BYTES, 40 + 8 + 44);
        Bytes.put16(cut, Ipv6Packet.OFF_PAYLOAD_LENGTH, 52);
        assertEquals(WireError.OK, icmp.wrap(cut, 40, 52));
        assertEquals(WireError.OK, icmp.quoted(inner));
        assertTrue(inner.isTruncated());
        assertTrue(inner.hasPorts());
        assertEquals(53, inner.dstPort());
        assertFalse(inner.verifyTransportChecksum());
    }

    @Test
    void writesThroughTheQuotedDatagramKeepTheErrorsChecksumRight() {
        byte[] b = PTB_BYTES.clone();
        wrap(b);
        Ipv6Packet inner = new Ipv6Packet();
        assertEquals(WireError.OK, icmp.quoted(inner));
        inner.setSrc(0xfd00000000000000L, 0x10);
        inner.setSrcPort(1024);
        inner.decrementHopLimit();
        assertTrue(inner.verifyTransportChecksum());
        assertTrue(icmp.verifyChecksum(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo()));
        ip.setDst(0xfd00000000000000L, 0x10);
        assertTrue(ip.verifyTransportChecksum());
    }
}

package jnat.wire;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No byte sequence makes an IPv6 view throw or walk forever: random bytes, damaged real packets
 * (bytes flipped, cut short), extension header chains made of random types and lengths (headers that
 * name themselves again, run past the end, have length 0), ICMPv6 errors quoting any of them, NDP
 * messages with random options; at any offset and length, some outside the buffer.
 */
class Ipv6MalformedInputPropertiesTest {

    record Input(byte[] buf, int off, int len) {}

    private static final int[] TYPES = {
            Ipv6ExtHeaders.NEXTHDR_HOP, Ipv6ExtHeaders.NEXTHDR_ROUTING, Ipv6ExtHeaders.NEXTHDR_FRAGMENT,
            Ipv6ExtHeaders.NEXTHDR_AUTH, Ipv6ExtHeaders.NEXTHDR_DEST, Ipv6ExtHeaders.NEXTHDR_NONE,
            Ipv6ExtHeaders.NEXTHDR_ESP, IpProtocol.TCP, IpProtocol.UDP, IpProtocol.ICMPV6};

    /** An IPv6 header followed by a chain of (type, length) pairs from {@link #TYPES} and random bytes. */
    static Arbitrary<byte[]> chain() {
        Arbitrary<int[]> pair = Combinators.combine(Arbitraries.integers().between(0, TYPES.length - 1),
                Arbitraries.oneOf(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 255)))
                .as((t, l) -> new int[] {TYPES[t], l});
        return Combinators.combine(Generators.ipv6(), pair.list().ofMaxSize(8), Generators.bytes(200),
                        Arbitraries.integers().between(0, 0xffff))
                .as((ip, pairs, filler, payloadLength) -> {
                    byte[] fixed = ip.withProtocol(pairs.isEmpty() ? 0 : pairs.getFirst()[0]).packet(new byte[0]);
                    byte[] b = Arrays.copyOf(fixed, Ipv6Packet.HEADER_LENGTH + filler.length);
                    System.arraycopy(filler, 0, b, Ipv6Packet.HEADER_LENGTH, filler.length);
                    // lay the pairs out as the walk would meet them, 8 bytes apart at least
                    int at = Ipv6Packet.HEADER_LENGTH;
                    for (int i = 0; i < pairs.size() && at + 2 <= b.length; i++) {
                        b[at] = (byte) (i + 1 < pairs.size() ? pairs.get(i + 1)[0] : pairs.get(i)[0]);
                        b[at + 1] = (byte) pairs.get(i)[1];
                        at += 8 * (1 + (pairs.get(i)[1] & 3));
                    }
                    b[Ipv6Packet.OFF_NEXT_HEADER] = (byte) (pairs.isEmpty() ? IpProtocol.UDP : pairs.getFirst()[0]);
                    if (payloadLength % 3 != 0) Bytes.put16(b, Ipv6Packet.OFF_PAYLOAD_LENGTH, b.length - Ipv6Packet.HEADER_LENGTH);
                    else Bytes.put16(b, Ipv6Packet.OFF_PAYLOAD_LENGTH, payloadLength);
                    return b;
                });
    }

    @Provide
    Arbitrary<Input> input() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(160);
        Arbitrary<Transport6Repr> l4s = Arbitraries.oneOf(Generators.transport6(), Generators.icmpv6Any().map(t -> (Transport6Repr) t));
        Arbitrary<byte[]> damaged = Combinators.combine(Generators.ipv6(), l4s,
                        Arbitraries.integers().between(0, 60).list().ofMaxSize(6), Arbitraries.bytes().list().ofMaxSize(6),
                        Arbitraries.integers().between(0, 600))
                .as((ip, l4, positions, values, cut) -> {
                    byte[] f = ip.packet(l4);
                    for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
                        int p = positions.get(i) * 5 % f.length;
                        f[p] = values.get(i);
                    }
                    return Arrays.copyOf(f, Math.min(f.length, cut));
                });
        Arbitrary<byte[]> quoting = Combinators.combine(Generators.ipv6(), Arbitraries.oneOf(chain(), random, damaged),
                        Arbitraries.integers().between(0, 4))
                .as((outer, quoted, type) -> outer.packet(new Icmpv6Repr(type, 0, 0, quoted)));
        Arbitrary<byte[]> nd = Combinators.combine(Generators.ipv6(), Arbitraries.integers().between(133, 137),
                        Generators.bytes(80))
                .as((ip, type, body) -> ip.packet(new Icmpv6Repr(type, 0, 0, body)));
        return Arbitraries.oneOf(random, damaged, chain(), quoting, nd).flatMap(b -> Combinators.combine(
                Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(-2, b.length + 2)),
                Arbitraries.oneOf(Arbitraries.just(b.length), Arbitraries.integers().between(-2, b.length + 2)))
                .as((off, len) -> new Input(b, off, len)));
    }

    @Property(tries = 2000)
    @StatisticsReport(onFailureOnly = true)
    void noIpv6ViewThrows(@ForAll("input") Input in) {
        byte[] b = in.buf();
        Ipv6Packet ip = new Ipv6Packet();
        int err = ip.wrap(b, in.off(), in.len());
        Statistics.collect(WireError.text(err), err == WireError.OK ? WireError.text(ip.extHeaderError()) : "-");
        if (err == WireError.OK) exercise(ip, true);
        Ipv6Packet quoted = new Ipv6Packet();
        if (quoted.wrapQuoted(b, in.off(), in.len()) == WireError.OK) exercise(quoted, false);
        Ipv6ExtHeaders w = new Ipv6ExtHeaders();
        for (int type : TYPES) {
            if (w.skip(b, in.off(), in.off() + in.len(), type) == WireError.OK) {
                assertTrue(w.offset() <= in.off() + in.len());
            }
            w.find(b, in.off(), in.off() + in.len(), type, Ipv6ExtHeaders.IP6_FH_F_SKIP_RH);
        }
        w.find(b, in.off(), in.off() + in.len(), -1, Ipv6ExtHeaders.IP6_FH_F_AUTH);
        exerciseIcmpv6(b, in.off(), in.len());
        NdiscOptions opts = new NdiscOptions();
        if (opts.parse(b, in.off(), in.len()) == WireError.OK) readOptions(opts);
        // the inputs reach both ends of the walk
        Statistics.coverage(c -> {
            c.check(WireError.text(WireError.OK), WireError.text(WireError.BAD_EXT_HEADER)).count(n -> n > 0);
            c.check(WireError.text(WireError.OK), WireError.text(WireError.OK)).count(n -> n > 0);
        });
    }

    private static void exercise(Ipv6Packet ip, boolean whole) {
        assertTrue(ip.payloadLength() >= 0);
        assertTrue(ip.upperLength() >= 0);
        if (ip.extHeaderError() == WireError.OK) {
            assertTrue(ip.upperOffset() >= ip.payloadOffset() && ip.upperOffset() <= ip.offset() + ip.length());
        } else {
            assertEquals(-1, ip.upperProtocol());
        }
        ip.verifyTransportChecksum();
        ip.trafficClass();
        ip.flowLabel();
        ip.isFragment();
        if (ip.hasPorts()) ip.setSrcPort(ip.dstPort() ^ 0x5555);
        if (ip.hasIcmpId()) ip.setIcmpId(ip.icmpId() + 1 & 0xffff);
        ip.setSrc(ip.dstHi(), ip.dstLo() + 1);
        ip.setDst(0x20010db800000000L, 1);
        ip.decrementHopLimit();
        ip.setTrafficClass(0xb8);
        if (whole) {
            try {
                Ipv6Repr.parse(ip);
            } catch (IllegalArgumentException expected) {
                // reprs refuse what does not walk; views never throw
            }
        }
        if (ip.extHeaderError() == WireError.OK && ip.fragmentOffset() == 0) {
            exerciseTransport(ip);
        }
    }

    private static void exerciseTransport(Ipv6Packet ip) {
        byte[] b = ip.buffer();
        int p = ip.upperOffset(), n = ip.upperLength();
        TcpSegment tcp = new TcpSegment();
        if (tcp.wrap(b, p, n) == WireError.OK) {
            tcp.verifyChecksum6(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
            tcp.mss();
        }
        UdpDatagram udp = new UdpDatagram();
        if (udp.wrap(b, p, n) == WireError.OK) udp.verifyChecksum6(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
        Icmpv6Packet icmp = new Icmpv6Packet();
        if (icmp.wrap(b, p, n) == WireError.OK) {
            icmp.verifyChecksum(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
            exerciseIcmpv6(b, p, n);
        }
    }

    private static void exerciseIcmpv6(byte[] b, int off, int len) {
        Icmpv6Packet icmp = new Icmpv6Packet();
        if (icmp.wrap(b, off, len) != WireError.OK) return;
        icmp.mtu();
        icmp.pointer();
        icmp.setEchoId(7);
        if (icmp.isNdWhole()) {
            switch (icmp.type()) {
                case Icmpv6Packet.NDISC_ROUTER_ADVERTISEMENT -> icmp.raRetransTimer();
                case Icmpv6Packet.NDISC_REDIRECT -> icmp.redirectDestLo();
                case Icmpv6Packet.NDISC_NEIGHBOUR_SOLICITATION, Icmpv6Packet.NDISC_NEIGHBOUR_ADVERTISEMENT -> icmp.ndTargetLo();
                default -> icmp.naFlags();
            }
        }
        NdiscOptions opts = new NdiscOptions();
        if (icmp.parseNdOptions(opts) == WireError.OK) readOptions(opts);
        Ipv6Packet inner = new Ipv6Packet();
        if (icmp.quoted(inner) == WireError.OK) exercise(inner, false);
    }

    private static void readOptions(NdiscOptions opts) {
        int steps = 0;
        for (int p = opts.firstOption(); p >= 0; p = opts.nextOption(p)) {
            assertTrue(opts.optionLength(p) > 0);
            opts.optionType(p);
            opts.macAddress(p);
            if (opts.isPrefixInfo(p)) {
                opts.prefixLo(p);
                opts.validLifetime(p);
            }
            assertTrue(++steps < 10_000);
        }
        opts.macAddress(opts.sourceLinkLayer());
        opts.macAddress(opts.targetLinkLayer());
        opts.mtu();
        for (int p : List.of(opts.firstPrefixInfo(), opts.lastPrefixInfo())) {
            if (opts.isPrefixInfo(p)) opts.preferredLifetime(p);
        }
    }
}

package jnat.wire;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.List;

/** jqwik generators of reprs for the wire property tests. */
final class Generators {
    private Generators() {}

    static Arbitrary<byte[]> bytes(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
    }

    static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xffff);
    }

    static Arbitrary<Integer> u8() {
        return Arbitraries.integers().between(0, 0xff);
    }

    /** An unfragmented IPv4 header, maybe with options (protocol set when a transport is attached). */
    static Arbitrary<Ipv4Repr> ipv4() {
        Arbitrary<byte[]> options = Arbitraries.integers().between(0, 10)
                .flatMap(words -> Arbitraries.bytes().array(byte[].class).ofSize(4 * words));
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers().between(1, 255),
                        u8(), u16(), Arbitraries.of(true, false), Arbitraries.oneOf(Arbitraries.just(new byte[0]), options))
                .as((src, dst, ttl, tos, id, df, opts) -> Ipv4Repr.of(src, dst).withTtl(ttl).withTos(tos)
                        .withIdentification(id).withDontFragment(df).withOptions(opts));
    }

    static Arbitrary<Ipv4Repr> ipv4WithFragments() {
        return Combinators.combine(ipv4(), Arbitraries.of(true, false), Arbitraries.integers().between(0, 0x1fff))
                .as((ip, mf, fo) -> ip.withMoreFragments(mf).withFragmentOffset(fo));
    }

    static Arbitrary<TcpRepr> tcp() {
        Arbitrary<TcpRepr> base = Combinators.combine(u16(), u16(), Arbitraries.integers(), Arbitraries.integers(),
                        u8(), u16(), u16(), bytes(300))
                .as((sp, dp, seq, ack, flags, win, urg, payload) -> TcpRepr.of(sp, dp).withSeq(seq).withAck(ack)
                        .withFlags(flags).withWindow(win).withUrgentPointer(urg).withPayload(payload));
        Arbitrary<Integer> mss = Arbitraries.oneOf(Arbitraries.just(-1), u16());
        Arbitrary<Integer> ws = Arbitraries.oneOf(Arbitraries.just(-1), u8());
        Arbitrary<int[]> ts = Arbitraries.oneOf(Arbitraries.just((int[]) null),
                Combinators.combine(Arbitraries.integers(), Arbitraries.integers()).as((a, b) -> new int[] {a, b}));
        Arbitrary<List<TcpRepr.SackBlock>> sack = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as(TcpRepr.SackBlock::new).list().ofMaxSize(4);
        return Combinators.combine(base, mss, ws, Arbitraries.of(true, false), ts, sack)
                .as((t, m, w, sok, tsv, blocks) -> {
                    TcpRepr r = t.withMss(m).withWindowScale(w).withSackPermitted(sok);
                    if (tsv != null) r = r.withTimestamps(tsv[0], tsv[1]);
                    int room = 40 - (r.headerLength() - 20) - 4;
                    int n = Math.max(0, Math.min(blocks.size(), room / 8));
                    return r.withSackBlocks(blocks.subList(0, n));
                });
    }

    static Arbitrary<UdpRepr> udp() {
        return Combinators.combine(u16(), u16(), bytes(300)).as((sp, dp, p) -> UdpRepr.of(sp, dp).withPayload(p));
    }

    static Arbitrary<IcmpRepr> icmpEcho() {
        return Combinators.combine(Arbitraries.of(IcmpPacket.ECHO_REQUEST, IcmpPacket.ECHO_REPLY), u16(), u16(), bytes(100))
                .as((type, id, seq, data) -> IcmpRepr.echoRequest(id, seq, data).withType(type));
    }

    static Arbitrary<IcmpRepr> icmpAny() {
        return Combinators.combine(u8(), u8(), Arbitraries.integers(), bytes(100)).as(IcmpRepr::new);
    }

    static Arbitrary<TransportRepr> transport() {
        return Arbitraries.oneOf(tcp(), udp(), icmpEcho());
    }

    static Arbitrary<EthernetRepr> ethernet() {
        Arbitrary<Long> mac = Arbitraries.longs().between(0, 0xffffffffffffL);
        return Combinators.combine(mac, mac, Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 0xfff)))
                .as((s, d, vlan) -> EthernetRepr.of(s, d).withVlan(vlan));
    }

    static Arbitrary<ArpRepr> arp() {
        Arbitrary<Long> mac = Arbitraries.longs().between(0, 0xffffffffffffL);
        return Combinators.combine(Arbitraries.of(ArpPacket.REQUEST, ArpPacket.REPLY), mac, Arbitraries.integers(), mac,
                Arbitraries.integers()).as(ArpRepr::new);
    }

    // ---- IPv6 ----

    /** Hop-by-hop, routing, destination options or AH of random length and contents. */
    static Arbitrary<Ipv6Repr.ExtHeader> extHeader() {
        Arbitrary<Ipv6Repr.ExtHeader> options = Combinators.combine(
                        Arbitraries.of(Ipv6ExtHeaders.NEXTHDR_HOP, Ipv6ExtHeaders.NEXTHDR_ROUTING, Ipv6ExtHeaders.NEXTHDR_DEST),
                        Arbitraries.integers().between(0, 4))
                .flatAs((type, words) -> Arbitraries.bytes().array(byte[].class).ofSize(6 + 8 * words)
                        .map(body -> new Ipv6Repr.ExtHeader(type, body)));
        Arbitrary<Ipv6Repr.ExtHeader> ah = Arbitraries.integers().between(0, 6)
                .flatMap(words -> Arbitraries.bytes().array(byte[].class).ofSize(6 + 4 * words))
                .map(body -> new Ipv6Repr.ExtHeader(Ipv6ExtHeaders.NEXTHDR_AUTH, body));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, options), net.jqwik.api.Tuple.of(1, ah));
    }

    /** An IPv6 header, maybe with extension headers (and maybe an atomic fragment header: offset 0, M clear). */
    static Arbitrary<Ipv6Repr> ipv6() {
        Arbitrary<List<Ipv6Repr.ExtHeader>> chain = Combinators.combine(extHeader().list().ofMaxSize(3),
                        Arbitraries.integers().between(-3, 3), Arbitraries.integers())
                .as((ext, fragAt, id) -> {
                    if (fragAt < 0 || fragAt > ext.size()) return ext;
                    List<Ipv6Repr.ExtHeader> l = new java.util.ArrayList<>(ext);
                    l.add(fragAt, Ipv6Repr.ExtHeader.fragment(0, false, id));
                    return l;
                });
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(),
                        u8(), Arbitraries.integers().between(0, 0xfffff), Arbitraries.integers().between(1, 255), chain)
                .as((sh, sl, dh, dl, tc, flow, hl, ext) -> Ipv6Repr.of(sh, sl, dh, dl).withTrafficClass(tc)
                        .withFlowLabel(flow).withHopLimit(hl).withExtHeaders(ext));
    }

    static Arbitrary<Icmpv6Repr> icmpv6Echo() {
        return Combinators.combine(Arbitraries.of(Icmpv6Packet.ICMPV6_ECHO_REQUEST, Icmpv6Packet.ICMPV6_ECHO_REPLY), u16(), u16(), bytes(100))
                .as((type, id, seq, data) -> Icmpv6Repr.echoRequest(id, seq, data).withType(type));
    }

    static Arbitrary<Icmpv6Repr> icmpv6Any() {
        return Combinators.combine(u8(), u8(), Arbitraries.integers(), bytes(100)).as(Icmpv6Repr::new);
    }

    static Arbitrary<Transport6Repr> transport6() {
        return Arbitraries.oneOf(tcp(), udp(), icmpv6Echo());
    }
}

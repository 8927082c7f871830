package jnat.nat;

import jnat.host.Interface;
import jnat.testing.EngineOutcomes;
import jnat.wire.Bytes;
import jnat.wire.Icmpv6Repr;
import jnat.wire.Ipv6Repr;
import jnat.wire.UdpRepr;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER6;
import static jnat.nat.EngineRig.PUBLIC6;
import static jnat.nat.EngineRig.fromContainer6;
import static jnat.nat.EngineRig.fromInternet6;
import static jnat.nat.EngineRig.ip6;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * IPv6 frames into {@link NatEngine#receive} on the seed's Docker host with IPv6 and Docker's
 * ip6tables rules (issue 13's fuzzing point): valid frames of every kind the path handles, and the
 * same with bytes flipped, cut, extended, with extension-header chains that loop or run past the
 * packet, fragments, ICMPv6 errors quoting garbage and NDP with bad options. Nothing throws, and
 * each frame has exactly one outcome (it leaves, is delivered, or is counted in one drop counter;
 * what the host sends itself nets out, as in jnat.fuzz.EngineFuzzTest for IPv4).
 */
class Ipv6EngineFuzzTest {
    static final String SERVER6 = "2001:db8:1::80", CLIENT6 = "2001:db8:2::7";

    /** A frame for docker0 (0) or eth0 (1). */
    record Arrival(int iface, byte[] frame) {}

    static final List<Arrival> SEEDS = seeds();

    static List<Arrival> seeds() {
        List<Arrival> s = new ArrayList<>();
        long[] host = ip6(PUBLIC6);
        byte[] quoted = Ipv6Repr.of(PUBLIC6, SERVER6).packet(syn(40000, 443));
        s.add(new Arrival(0, fromContainer6(CONTAINER6, SERVER6, syn(40000, 443))));
        s.add(new Arrival(0, fromContainer6(CONTAINER6, SERVER6, UdpRepr.of(5353, 53).withPayload(new byte[12]))));
        s.add(new Arrival(0, fromContainer6(CONTAINER6, SERVER6, Icmpv6Repr.echoRequest(9, 1, new byte[16]))));
        s.add(new Arrival(0, fromContainer6(Ipv6Repr.of(CONTAINER6, SERVER6).withHopLimit(1), syn(40001, 443))));
        s.add(new Arrival(0, fromContainer6(Ipv6Repr.of(CONTAINER6, SERVER6).withExtHeaders(
                Ipv6Repr.ExtHeader.options(0, new byte[6]), Ipv6Repr.ExtHeader.options(60, new byte[6])), syn(40002, 443))));
        s.add(new Arrival(0, fromContainer6(Ipv6Repr.of(CONTAINER6, SERVER6).withExtHeaders(
                Ipv6Repr.ExtHeader.fragment(0, true, 77)), UdpRepr.of(5000, 53).withPayload(new byte[40]))));
        s.add(new Arrival(0, fromContainer6(Ipv6Repr.of(CONTAINER6, "ff02::1:ff00:1").withHopLimit(255),
                Icmpv6Repr.neighbourSolicitation(ip6("fd49:efd7:54aa::1")[0], ip6("fd49:efd7:54aa::1")[1],
                        new byte[] {1, 1, 2, 0x42, (byte) 0xac, 0x11, 0, 2}))));
        s.add(new Arrival(1, fromInternet6(CLIENT6, PUBLIC6, syn(41000, 8080))));
        s.add(new Arrival(1, fromInternet6(CLIENT6, PUBLIC6, Icmpv6Repr.echoRequest(3, 1, new byte[8]))));
        s.add(new Arrival(1, fromInternet6(SERVER6, PUBLIC6, Icmpv6Repr.destUnreachable(4, quoted))));
        s.add(new Arrival(1, fromInternet6(SERVER6, PUBLIC6, Icmpv6Repr.packetTooBig(1280, quoted))));
        s.add(new Arrival(1, fromInternet6(CLIENT6, "2001:db8:dead::1", syn(41001, 80))));
        // a destination-options header whose length runs past the packet, and one naming itself next
        byte[] looping = fromInternet6(Ipv6Repr.of(CLIENT6, PUBLIC6).withExtHeaders(Ipv6Repr.ExtHeader.options(60, new byte[6])),
                syn(41002, 8080));
        looping[14 + 40] = 60;
        s.add(new Arrival(1, looping));
        byte[] pastEnd = fromInternet6(Ipv6Repr.of(CLIENT6, PUBLIC6).withExtHeaders(Ipv6Repr.ExtHeader.options(60, new byte[6])),
                syn(41003, 8080));
        pastEnd[14 + 41] = (byte) 200;
        s.add(new Arrival(1, pastEnd));
        assert host.length == 2;
        return s;
    }

    @Provide
    Arbitrary<List<Arrival>> arrivals() {
        Arbitrary<Arrival> valid = Arbitraries.of(SEEDS);
        Arbitrary<Arrival> damaged = Arbitraries.of(SEEDS).flatMap(a -> Arbitraries.integers().between(0, 1 << 20)
                .list().ofMinSize(1).ofMaxSize(6).map(edits -> new Arrival(a.iface(), mutate(a.frame(), edits))));
        // random bytes behind an IPv6 ethertype, and an IPv6 header with a random rest
        Arbitrary<Arrival> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(120).map(b -> {
            byte[] f = SEEDS.getFirst().frame().clone();
            int n = Math.min(b.length, f.length - 14);
            System.arraycopy(b, 0, f, 14 + Math.min(8, n), Math.max(0, n - 8));
            Bytes.put16(f, 12, 0x86dd);
            return new Arrival(0, f);
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, valid), net.jqwik.api.Tuple.of(6, damaged),
                net.jqwik.api.Tuple.of(1, random)).list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 500)
    void everyIpv6FrameLeavesIsDeliveredOrIsCountedInOneDropCounter(@ForAll("arrivals") List<Arrival> frames) {
        EngineRig rig = EngineRig.seedDocker6();
        NatEngine engine = rig.engine();
        Interface[] devs = {engine.host().device("docker0"), engine.host().device("eth0")};
        long[] transmitted = {0};
        Transmit tx = (out, buf, off, len) -> transmitted[0]++;
        long now = 1_000_000_000L;
        for (Arrival a : frames) {
            long[] before = EngineOutcomes.counters(engine, transmitted[0]);
            byte[] buf = a.frame().clone();
            engine.receive(devs[a.iface()], buf, 0, buf.length, now, tx);
            long[] after = EngineOutcomes.counters(engine, transmitted[0]);
            assertEquals(1, EngineOutcomes.moved(before, after),
                    "one outcome for the frame " + java.util.HexFormat.of().formatHex(a.frame()));
            Statistics.collect(EngineOutcomes.which(before, after));
            now += 50_000_000L;
            engine.expire(now, 64);
        }
    }

    /**
     * Each edit (20 bits) flips a byte past the Ethernet header to a value, cuts the frame there, or
     * extends it: lengths, next headers and option bytes are all hit.
     */
    static byte[] mutate(byte[] frame, List<Integer> edits) {
        byte[] f = frame.clone();
        for (int e : edits) {
            int at = 14 + (e >>> 10) % Math.max(1, f.length - 14);
            switch (e & 3) {
                case 0, 1 -> f[at] = (byte) (e >>> 2);
                case 2 -> f = java.util.Arrays.copyOf(f, Math.max(15, at));
                default -> f = java.util.Arrays.copyOf(f, f.length + (e >>> 2 & 63));
            }
        }
        return f;
    }
}

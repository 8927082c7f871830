package jnat.fuzz;

import jnat.demo.SeedDemo;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.nat.NatEngine;
import jnat.nat.Transmit;
import jnat.pcap.PcapRecord;
import jnat.testing.EngineOutcomes;
import jnat.wire.Checksum;
import jnat.wire.Ipv4Address;
import jnat.wire.MacAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Frames into {@link NatEngine#receive} on the seed article's Docker host with dockerd's rules:
 * random bytes, and real frames (the article's, and the IPv4 packets of the real captures
 * re-addressed to the host and framed for its interfaces) flipped, truncated and extended.
 * No exception escapes, and each frame has exactly one outcome: it leaves (a transmission), is
 * delivered to the host, or is counted in one drop counter. (INVALID is not an outcome: conntrack
 * passes such a packet on untracked, as the kernel does, and it then leaves, is delivered or dropped.)
 */
class EngineFuzzTest {
    static final int ETH0 = 0, DOCKER0 = 1;
    static final long ETH0_MAC = MacAddress.parse("56:00:04:7c:7c:23"), DOCKER0_MAC = MacAddress.parse("02:42:d5:35:3a:3c");

    /** A frame arriving on the seed host's eth0 or docker0. */
    record Arrival(int iface, byte[] frame) {}

    static final List<Arrival> SEEDS = seeds();

    static List<Arrival> seeds() {
        List<Arrival> all = new ArrayList<>();
        try {
            SeedDemo.Result demo = SeedDemo.run();
            for (SeedDemo.Capture c : List.of(demo.pingDocker0(), demo.pingEth0(), demo.tcpEth0(), demo.tcpDocker0())) {
                for (PcapRecord r : c.frames()) {
                    long dst = MacAddress.read(r.data(), 0);
                    byte[] f = java.util.Arrays.copyOf(r.data(), r.capturedLength());
                    if (dst == ETH0_MAC) all.add(new Arrival(ETH0, f));
                    if (dst == DOCKER0_MAC) all.add(new Arrival(DOCKER0, f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int host = Ipv4Address.parse("45.77.200.180"), container = Ipv4Address.parse("172.17.0.2");
        for (byte[] ip : Mutations.capturedIpv4Packets()) {
            // From the internet to the host's address (DNAT when it is TCP port 10000), and from the container out.
            all.add(new Arrival(ETH0, ethernet(ETH0_MAC, readdress(ip, -1, host))));
            all.add(new Arrival(DOCKER0, ethernet(DOCKER0_MAC, readdress(ip, container, -1))));
        }
        return all;
    }

    /** Replaces the source and/or destination address (-1: keep), TCP port 10000 for the host, fixes the header checksum. */
    static byte[] readdress(byte[] ip, int src, int dst) {
        byte[] p = ip.clone();
        int ihl = (p[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > p.length) return p;
        if (src != -1) putInt(p, 12, src);
        if (dst != -1) {
            putInt(p, 16, dst);
            if (p[9] == 6 && p.length >= ihl + 4) { // TCP: aim at the published port
                p[ihl + 2] = (byte) (10000 >> 8);
                p[ihl + 3] = (byte) 10000;
            }
        }
        p[10] = p[11] = 0;
        int sum = Checksum.compute(p, 0, ihl);
        p[10] = (byte) (sum >> 8);
        p[11] = (byte) sum;
        return p;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 24);
        b[at + 1] = (byte) (v >> 16);
        b[at + 2] = (byte) (v >> 8);
        b[at + 3] = (byte) v;
    }

    static byte[] ethernet(long dstMac, byte[] ip) {
        byte[] f = new byte[14 + ip.length];
        for (int i = 0; i < 6; i++) f[i] = (byte) (dstMac >>> (40 - 8 * i));
        f[6] = 0x02; // a locally administered source MAC
        f[11] = 0x01;
        f[12] = 0x08; // IPv4
        System.arraycopy(ip, 0, f, 14, ip.length);
        return f;
    }

    @Provide
    Arbitrary<List<Arrival>> arrivals() {
        Arbitrary<Arrival> random = Combinators.combine(Arbitraries.integers().between(0, 1), Mutations.randomBytes(120))
                .as(Arrival::new);
        Arbitrary<Arrival> valid = Arbitraries.of(SEEDS);
        Arbitrary<Arrival> damaged = Arbitraries.of(SEEDS).flatMap(a -> Mutations.mutated(List.of(a.frame()), 4)
                .map(f -> new Arrival(a.iface(), f)));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(2, valid), net.jqwik.api.Tuple.of(5, damaged))
                .list().ofMinSize(1).ofMaxSize(12);
    }

    @Property
    void everyFrameLeavesIsDeliveredOrIsCountedInOneDropCounter(
            @ForAll("arrivals") List<Arrival> frames,
            @ForAll boolean conntrackChecksum,
            @ForAll("conntrackMax") int conntrackMax) {
        Host host = SeedDemo.host();
        NatEngine engine = new NatEngine(host, SeedDemo.rules(), new NatEngine.Config(conntrackMax, 1, conntrackChecksum));
        Interface[] devs = {host.device("eth0"), host.device("docker0")};
        long[] transmitted = {0};
        Transmit tx = (out, buf, off, len) -> transmitted[0]++;
        long now = 1_000_000_000L;
        for (Arrival a : frames) {
            long[] before = EngineOutcomes.counters(engine, transmitted[0]);
            byte[] buf = a.frame().clone();
            engine.receive(devs[a.iface()], buf, 0, buf.length, now, tx);
            long[] after = EngineOutcomes.counters(engine, transmitted[0]);
            assertEquals(1, EngineOutcomes.moved(before, after), "one outcome for the frame " + hex(a.frame()));
            Statistics.collect(EngineOutcomes.which(before, after));
            now += 50_000_000L;
            engine.expire(now, 64);
        }
    }

    /** Packets the host sends itself (replay's --in local=): the captures' IPv4 packets from the host's address. */
    static final List<byte[]> LOCAL_SEEDS = Mutations.capturedIpv4Packets().stream()
            .map(ip -> readdress(ip, Ipv4Address.parse("45.77.200.180"), -1)).toList();

    @Provide
    Arbitrary<List<byte[]>> localPackets() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, Mutations.randomBytes(100)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.of(LOCAL_SEEDS)),
                        net.jqwik.api.Tuple.of(3, Mutations.mutated(LOCAL_SEEDS, 4)))
                .list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 300)
    void everyLocalPacketLeavesIsDeliveredOrIsCountedInOneDropCounter(@ForAll("localPackets") List<byte[]> packets) {
        NatEngine engine = new NatEngine(SeedDemo.host(), SeedDemo.rules());
        long[] transmitted = {0};
        Transmit tx = (out, buf, off, len) -> transmitted[0]++;
        long now = 1_000_000_000L;
        for (byte[] p : packets) {
            long[] before = EngineOutcomes.counters(engine, transmitted[0]);
            byte[] buf = p.clone();
            engine.send(buf, 0, buf.length, now, tx);
            long[] after = EngineOutcomes.counters(engine, transmitted[0]);
            assertEquals(1, EngineOutcomes.moved(before, after), "one outcome for the packet " + hex(p));
            now += 50_000_000L;
        }
    }

    /** The frame CI's seed 7925803628029150283 found: a FIN/ACK to the published port with no connection is INVALID, so not DNATed; the host has no socket on 10000 and answers a RST. Delivered is its one outcome. */
    @Example
    void aFinToAClosedPortIsDeliveredOnceAndAnsweredWithOneReset() {
        NatEngine engine = new NatEngine(SeedDemo.host(), SeedDemo.rules());
        byte[] frame = java.util.HexFormat.of().parseHex("5600047c7c23067c1688fe870800450000340000400040066e6872f663642d4dc8b4ed052710827d013de25752da80110800f61600000101080aed07592ea027f8e8");
        long[] transmitted = {0};
        long[] before = EngineOutcomes.counters(engine, 0);
        engine.receive(engine.host().device("eth0"), frame, 0, frame.length, 1_000_000_000L, (out, buf, off, len) -> transmitted[0]++);
        long[] after = EngineOutcomes.counters(engine, transmitted[0]);
        assertEquals(1, transmitted[0], "the RST");
        assertEquals(1, engine.snmp().tcpResetsSent(false));
        assertEquals(1, EngineOutcomes.moved(before, after));
        assertEquals("delivered", EngineOutcomes.which(before, after));
    }

    @Provide
    Arbitrary<Integer> conntrackMax() {
        return Arbitraries.of(2, 16, NatEngine.Config.DEFAULT_CONNTRACK_MAX);
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}

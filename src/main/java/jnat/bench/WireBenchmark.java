package jnat.bench;

import jnat.wire.EthernetFrame;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The per-packet cost of the wire layer: parsing and verifying an Ethernet + IPv4 + TCP frame, and the
 * incremental rewrite NAT does (address and port, with IP and TCP checksums). Run with
 * {@code ./jnat jmh WireBenchmark}; add {@code -prof gc} to see the allocation rate (should be ~0).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireBenchmark {

    /** Whole Ethernet frame length: 64 (minimum frame, 10 bytes of data) or 1514 (IPv4 total length 1500). */
    @Param({"64", "1514"})
    public int frameLength;

    private byte[] frame;
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment tcp = new TcpSegment();

    private static final int HOST_A = Ipv4Address.parse("203.0.113.5");
    private static final int HOST_B = Ipv4Address.parse("203.0.113.6");
    private boolean flip;

    @Setup
    public void setUp() {
        int payload = frameLength - 14 - 20 - 20;
        frame = EthernetRepr.of("02:42:ac:11:00:02", "02:42:7b:9a:3c:01")
                .frame(Ipv4Repr.of("172.17.0.2", "198.51.100.7"),
                        TcpRepr.of(40000, 80).withFlags(TcpSegment.ACK).withSeq(1).withAck(1).withPayload(new byte[payload]));
        if (frame.length != frameLength) throw new IllegalStateException("frame is " + frame.length);
    }

    /** Wrap Ethernet, IPv4 and TCP, verify the IP header and TCP checksums; returns a value so nothing is dead code. */
    @Benchmark
    public int parseAndVerify() {
        byte[] f = frame;
        if (eth.wrap(f, 0, f.length) != WireError.OK) return -1;
        if (ip.wrap(f, eth.payloadOffset(), eth.payloadLength()) != WireError.OK) return -2;
        if (!ip.verifyChecksum()) return -3;
        if (tcp.wrap(f, ip.payloadOffset(), ip.payloadLength()) != WireError.OK) return -4;
        if (!tcp.verifyChecksum(ip.src(), ip.dst())) return -5;
        return tcp.dstPort();
    }

    /** SNAT as MASQUERADE does it: new source address and port, IP and TCP checksums updated incrementally. */
    @Benchmark
    public int natRewrite() {
        byte[] f = frame;
        ip.wrap(f, 14, f.length - 14);
        flip = !flip;
        ip.setSrc(flip ? HOST_A : HOST_B);
        ip.setSrcPort(flip ? 1024 : 1025);
        return ip.checksum();
    }
}

package jnat.wire;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No byte sequence makes a view throw: not in wrap, and, once wrap said OK, not in the reads and
 * NAT writes the engine makes on what it accepted. Inputs are random bytes and damaged real packets
 * (bytes flipped, cut short), at any offset and length, some outside the buffer.
 */
class MalformedInputPropertiesTest {

    record Input(byte[] buf, int off, int len) {}

    @Provide
    Arbitrary<Input> input() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
        Arbitrary<byte[]> damaged = Combinators.combine(Generators.ethernet(), Generators.ipv4(), Generators.transport(),
                        Arbitraries.integers().between(0, 20).list().ofMaxSize(6), Arbitraries.bytes().list().ofMaxSize(6),
                        Arbitraries.integers().between(0, 400))
                .as((eth, ip, l4, positions, values, cut) -> {
                    byte[] f = eth.frame(ip, l4);
                    for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
                        int at = eth.headerLength() + positions.get(i) * 3 % Math.max(1, f.length - eth.headerLength());
                        if (at < f.length) f[at] = values.get(i);
                    }
                    return Arrays.copyOf(f, Math.min(f.length, cut));
                });
        return Arbitraries.oneOf(random, damaged).flatMap(b -> Combinators.combine(
                Arbitraries.integers().between(-2, b.length + 2), Arbitraries.integers().between(-2, b.length + 2))
                .as((off, len) -> new Input(b, off, len)));
    }

    @Property(tries = 1500)
    void noViewThrows(@ForAll("input") Input in) {
        byte[] b = in.buf();
        int off = in.off();
        int len = in.len();
        EthernetFrame eth = new EthernetFrame();
        if (eth.wrap(b, off, len) == WireError.OK) {
            eth.dst();
            eth.src();
            eth.etherType();
            eth.vlanId();
            assertTrue(eth.payloadLength() >= 0);
            exerciseIpv4(b, eth.payloadOffset(), eth.payloadLength());
            ArpPacket arp = new ArpPacket();
            if (arp.wrap(b, eth.payloadOffset(), eth.payloadLength()) == WireError.OK) {
                arp.senderIp();
                arp.targetMac();
            }
        }
        exerciseIpv4(b, off, len);
        exerciseTransport(b, off, len, 1, 2);
        ArpPacket arp = new ArpPacket();
        if (arp.wrap(b, off, len) == WireError.OK) arp.targetIp();
    }

    private static void exerciseIpv4(byte[] b, int off, int len) {
        Ipv4Packet ip = new Ipv4Packet();
        if (ip.wrap(b, off, len) == WireError.OK) {
            readAndRewrite(ip);
            exerciseTransport(b, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst());
        }
        Ipv4Packet quoted = new Ipv4Packet();
        if (quoted.wrapQuoted(b, off, len) == WireError.OK) readAndRewrite(quoted);
    }

    private static void readAndRewrite(Ipv4Packet ip) {
        assertTrue(ip.payloadLength() >= 0);
        ip.verifyChecksum();
        ip.verifyTransportChecksum();
        ip.isFragment();
        if (ip.hasPorts()) {
            ip.setSrcPort(ip.dstPort() ^ 0x5555);
        }
        if (ip.hasIcmpId()) ip.setIcmpId(ip.icmpId() + 1 & 0xffff);
        ip.setSrc(ip.dst() + 1);
        ip.setDst(0x0a000001);
        ip.decrementTtl();
    }

    private static void exerciseTransport(byte[] b, int off, int len, int src, int dst) {
        TcpSegment tcp = new TcpSegment();
        if (tcp.wrap(b, off, len) == WireError.OK) {
            assertTrue(tcp.payloadLength() >= 0);
            for (int p = tcp.firstOption(); p >= 0; p = tcp.nextOption(p)) tcp.optionKind(p);
            tcp.mss();
            tcp.windowScale();
            tcp.sackPermitted();
            tcp.tsVal();
            tcp.tsEcr();
            for (int i = 0; i < tcp.sackBlockCount(); i++) tcp.sackRight(i);
            tcp.verifyChecksum(src, dst);
            tcp.setSrcPort(1);
            tcp.setSeq(2);
        }
        UdpDatagram udp = new UdpDatagram();
        if (udp.wrap(b, off, len) == WireError.OK) {
            assertTrue(udp.payloadLength() >= 0);
            udp.verifyChecksum(src, dst);
            udp.setDstPort(3);
        }
        IcmpPacket icmp = new IcmpPacket();
        if (icmp.wrap(b, off, len) == WireError.OK) {
            icmp.verifyChecksum();
            icmp.nextHopMtu();
            icmp.setEchoId(4);
            Ipv4Packet inner = new Ipv4Packet();
            if (icmp.quoted(inner) == WireError.OK) readAndRewrite(inner);
        }
    }
}

package jnat.wire;

import jnat.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 packets built by scapy, an implementation that shares nothing with ours: the views parse them,
 * the walk finds the upper layer where scapy put it, and our checksums are scapy's (re-emitting the
 * parsed reprs gives scapy's bytes). Skipped without python3 and scapy (python3-scapy), unless
 * JNAT_REQUIRE_TOOLS is set.
 */
class ScapyIpv6AgreementTest {
    private static final String SCRIPT = """
            import logging
            logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
            from scapy.all import (IPv6, TCP, UDP, ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_RA,
                ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo, ICMPv6PacketTooBig,
                IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt, RouterAlert, fragment6, raw)
            from scapy.layers.ipsec import AH
            A, B = '2001:db8::1', '2001:db8::2'
            def out(name, p, upper):
                b = raw(p)
                print(name, len(b) - len(raw(p[upper])), b.hex())
            out('tcp', IPv6(src=A, dst=B, tc=0x28, fl=0xbeef)/TCP(sport=40000, dport=443, flags='S', seq=7,
                options=[('MSS', 1440), ('NOP', None), ('WScale', 7)]), TCP)
            out('udp', IPv6(src=A, dst=B)/UDP(sport=5353, dport=53)/b'scapy payload', UDP)
            out('echo', IPv6(src=A, dst=B)/ICMPv6EchoRequest(id=0x4242, seq=9, data=b'x'*56), ICMPv6EchoRequest)
            out('ns', IPv6(src=A, dst='ff02::1:ff00:2', hlim=255)/ICMPv6ND_NS(tgt=B)
                /ICMPv6NDOptSrcLLAddr(lladdr='02:42:ac:11:00:02'), ICMPv6ND_NS)
            out('na', IPv6(src=B, dst=A, hlim=255)/ICMPv6ND_NA(tgt=B, R=0, S=1, O=1)
                /ICMPv6NDOptDstLLAddr(lladdr='02:42:ac:11:00:03'), ICMPv6ND_NA)
            out('ra', IPv6(src='fe80::1', dst='ff02::1', hlim=255)/ICMPv6ND_RA(chlim=64, M=1, routerlifetime=1800)
                /ICMPv6NDOptSrcLLAddr(lladdr='02:42:ac:11:00:01')/ICMPv6NDOptMTU(mtu=1500)
                /ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=1, validlifetime=2592000, preferredlifetime=604800,
                prefix='2001:db8::'), ICMPv6ND_RA)
            out('ext', IPv6(src=A, dst=B)/IPv6ExtHdrHopByHop(options=[RouterAlert()])/IPv6ExtHdrRouting()
                /IPv6ExtHdrDestOpt()/UDP(sport=1, dport=2)/b'ext', UDP)
            out('ah', IPv6(src=A, dst=B)/AH(nh=17, payloadlen=4, spi=0x100, seq=1, icv=b'\\xaa'*12)
                /UDP(sport=3, dport=4)/b'ah', UDP)
            inner = IPv6(src=A, dst=B, hlim=1)/UDP(sport=40000, dport=53)/(b'q'*100)
            out('ptb', IPv6(src='2001:db8::ff', dst=A)/ICMPv6PacketTooBig(mtu=1280)/inner, ICMPv6PacketTooBig)
            frags = fragment6(IPv6(src=A, dst=B)/IPv6ExtHdrFragment(id=0xcafe)/UDP(sport=7, dport=8)/(b'f'*300), 200)
            for i, f in enumerate(frags):
                f = IPv6(raw(f))
                print('frag%d' % i, len(raw(f)) - len(raw(f[IPv6ExtHdrFragment].payload)), raw(f).hex())
            """;

    record Built(int upperOffset, byte[] bytes) {}

    private static final Map<String, Built> BUILT = new LinkedHashMap<>();

    @BeforeAll
    static void build() {
        String python = null;
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            if (candidate.startsWith("/") ? !java.nio.file.Files.isExecutable(java.nio.file.Path.of(candidate))
                    : Tools.which(candidate) == null) continue;
            if (Tools.run(List.of(candidate, "-c", "import scapy"), null).exitCode() == 0) {
                python = candidate;
                break;
            }
        }
        if (python == null && Tools.REQUIRED) throw new AssertionError("python3 with scapy is required (JNAT_REQUIRE_TOOLS is set)");
        Assumptions.assumeTrue(python != null, "python3-scapy not installed");
        for (String line : Tools.run(List.of(python, "-c", SCRIPT), null).checked().stdout().split("\n")) {
            String[] f = line.trim().split(" ");
            BUILT.put(f[0], new Built(Integer.parseInt(f[1]), HexFormat.of().parseHex(f[2])));
        }
    }

    private final Ipv6Packet ip = new Ipv6Packet();

    /** Wraps scapy's packet, checks the walk landed where scapy put the upper layer, and returns the bytes. */
    private byte[] wrap(String name, int protocol) {
        Built b = BUILT.get(name);
        assertEquals(WireError.OK, ip.wrap(b.bytes(), 0, b.bytes().length), name);
        assertEquals(WireError.OK, ip.extHeaderError(), name);
        assertEquals(protocol, ip.upperProtocol(), name);
        assertEquals(b.upperOffset(), ip.upperOffset(), name);
        return b.bytes();
    }

    /**
     * Our checksum is scapy's: the packet verifies, our writer's fill gives scapy's field, and parsing
     * it into reprs and emitting them gives its bytes (TCP options laid out as Linux lays them).
     */
    private void sameBytesAgain(String name, byte[] b) {
        assertTrue(ip.verifyTransportChecksum(), name);
        byte[] refilled = b.clone();
        int p = ip.upperOffset(), n = ip.upperLength();
        switch (ip.upperProtocol()) {
            case IpProtocol.TCP -> TcpSegment.fillChecksum6(refilled, p, n, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
            case IpProtocol.UDP -> UdpDatagram.fillChecksum6(refilled, p, n, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
            default -> Icmpv6Packet.fillChecksum(refilled, p, n, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
        }
        assertArrayEquals(b, refilled, name);
        assertArrayEquals(b, Ipv6Repr.parse(ip).packet(Transport6Repr.parse(ip)), name);
    }

    @Test
    void tcpUdpAndEcho() {
        byte[] b = wrap("tcp", IpProtocol.TCP);
        assertEquals(0x28, ip.trafficClass());
        assertEquals(0xbeef, ip.flowLabel());
        assertEquals(40000, ip.srcPort());
        assertEquals(443, ip.dstPort());
        sameBytesAgain("tcp", b);
        b = wrap("udp", IpProtocol.UDP);
        assertEquals(5353, ip.srcPort());
        sameBytesAgain("udp", b);
        b = wrap("echo", IpProtocol.ICMPV6);
        assertTrue(ip.hasIcmpId());
        assertEquals(0x4242, ip.icmpId());
        sameBytesAgain("echo", b);
    }

    @Test
    void neighbourDiscoveryWithOptions() {
        Icmpv6Packet icmp = new Icmpv6Packet();
        NdiscOptions opts = new NdiscOptions();
        byte[] b = wrap("ns", IpProtocol.ICMPV6);
        sameBytesAgain("ns", b);
        icmp.wrap(b, ip.upperOffset(), ip.upperLength());
        assertEquals(Icmpv6Packet.NDISC_NEIGHBOUR_SOLICITATION, icmp.type());
        assertEquals(2, icmp.ndTargetLo());
        assertEquals(WireError.OK, icmp.parseNdOptions(opts));
        assertEquals(0x0242ac110002L, opts.macAddress(opts.sourceLinkLayer()));

        b = wrap("na", IpProtocol.ICMPV6);
        sameBytesAgain("na", b);
        icmp.wrap(b, ip.upperOffset(), ip.upperLength());
        assertTrue(icmp.naSolicited() && icmp.naOverride() && !icmp.naRouter());
        assertEquals(WireError.OK, icmp.parseNdOptions(opts));
        assertEquals(0x0242ac110003L, opts.macAddress(opts.targetLinkLayer()));

        b = wrap("ra", IpProtocol.ICMPV6);
        sameBytesAgain("ra", b);
        icmp.wrap(b, ip.upperOffset(), ip.upperLength());
        assertEquals(64, icmp.raHopLimit());
        assertTrue((icmp.raFlags() & Icmpv6Packet.RA_MANAGED) != 0);
        assertEquals(1800, icmp.raRouterLifetime());
        assertEquals(WireError.OK, icmp.parseNdOptions(opts));
        assertEquals(0x0242ac110001L, opts.macAddress(opts.sourceLinkLayer()));
        assertEquals(1500, opts.mtu());
        int pi = opts.firstPrefixInfo();
        assertTrue(opts.isPrefixInfo(pi));
        assertEquals(64, opts.prefixLength(pi));
        assertEquals(2592000, opts.validLifetime(pi));
        assertEquals(0x20010db800000000L, opts.prefixHi(pi));
    }

    @Test
    void extensionHeadersAndAh() {
        byte[] b = wrap("ext", IpProtocol.UDP);
        assertEquals(Ipv6ExtHeaders.NEXTHDR_HOP, ip.nextHeader());
        sameBytesAgain("ext", b);
        wrap("ah", IpProtocol.UDP); // scapy leaves the UDP checksum behind AH 0: only the walk is compared
        assertEquals(3, ip.srcPort());
        assertEquals(4, ip.dstPort());
    }

    @Test
    void packetTooBigQuotingADatagram() {
        byte[] b = wrap("ptb", IpProtocol.ICMPV6);
        sameBytesAgain("ptb", b);
        Icmpv6Packet icmp = new Icmpv6Packet();
        icmp.wrap(b, ip.upperOffset(), ip.upperLength());
        assertEquals(1280, icmp.mtu());
        Ipv6Packet inner = new Ipv6Packet();
        assertEquals(WireError.OK, icmp.quoted(inner));
        assertEquals(1, inner.hopLimit());
        assertEquals(40000, inner.srcPort());
        assertEquals(53, inner.dstPort());
        assertTrue(inner.verifyTransportChecksum());
    }

    @Test
    void fragmentsCarryTheDatagramAtTheirOffsets() {
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        boolean more = true;
        for (int i = 0; more; i++) {
            String name = "frag" + i;
            byte[] b = wrap(name, IpProtocol.UDP);
            assertTrue(ip.isFragment(), name);
            assertEquals(data.size(), ip.fragmentOffset() * 8, name);
            assertEquals(i == 0, ip.hasPorts(), name);
            assertFalse(ip.verifyTransportChecksum(), name);
            Ipv6FragmentHeader f = new Ipv6FragmentHeader();
            f.wrap(b, ip.fragmentHeaderOffset(), 8);
            assertEquals(0xcafe, f.identification());
            assertArrayEquals(b, Ipv6Repr.parse(ip).packet(HandBytes.from(b, ip.upperOffset())), name);
            data.write(b, ip.upperOffset(), ip.upperLength());
            more = ip.moreFragments();
        }
        byte[] whole = data.toByteArray();
        assertEquals(8 + 300, whole.length);
        // the reassembled datagram's checksum, which scapy computed over all of it, verifies
        assertTrue(Checksum.verifyTransport6(whole, 0, whole.length, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo(), IpProtocol.UDP));
    }
}

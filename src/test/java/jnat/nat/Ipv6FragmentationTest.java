package jnat.nat;

import jnat.wire.EtherType;
import jnat.wire.EthernetRepr;
import jnat.wire.Icmpv6Packet;
import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER6;
import static jnat.nat.EngineRig.CONTAINER_MAC;
import static jnat.nat.EngineRig.DOCKER0_MAC;
import static jnat.nat.EngineRig.ETH0_MAC;
import static jnat.nat.EngineRig.GATEWAY_MAC;
import static jnat.nat.EngineRig.PUBLIC6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nf_defrag_ipv6 in the engine, on the Docker IPv6 host: fragments reassembled before conntrack,
 * NATed whole, and cut again on the way out (ip6_fragment with frag_max_size).
 */
class Ipv6FragmentationTest {
    static final String SERVER6 = "2001:db8:1::8", CLIENT6 = "2001:db8:2::9";
    EngineRig rig;

    @BeforeEach
    void setUp() {
        rig = EngineRig.seedDocker6();
    }

    static byte[] udp(String src, String dst, int sport, int dport, int bytes) {
        return Ipv6Repr.of(src, dst).packet(UdpRepr.of(sport, dport).withPayload(EngineRig.payload(bytes)));
    }

    void fromContainer(List<byte[]> fragments) {
        for (byte[] f : fragments) rig.receive("docker0", EthernetRepr.of(CONTAINER_MAC, DOCKER0_MAC).withEtherType(EtherType.IPV6).frame(f));
    }

    void fromInternet(List<byte[]> fragments) {
        for (byte[] f : fragments) rig.receive("eth0", EthernetRepr.of(GATEWAY_MAC, ETH0_MAC).withEtherType(EtherType.IPV6).frame(f));
    }

    List<byte[]> sentOn(String dev) {
        List<byte[]> out = new ArrayList<>();
        for (EngineRig.Sent s : rig.sent()) {
            assertEquals(dev, s.dev());
            out.add(s.packet());
        }
        rig.sent().clear();
        return out;
    }

    /** Each fragment's data length (the bytes after the 40-byte header and the fragment header). */
    static List<Integer> sizes(List<byte[]> fragments) {
        return fragments.stream().map(f -> f.length - 48).toList();
    }

    @Test
    void aFragmentedUdpDatagramIsMasqueradedWholeAndLeavesInTheFragmentsItCameIn() {
        byte[] d = udp(CONTAINER6, SERVER6, 5353, 53, 2992);
        List<byte[]> in = Fragments6.cut(d, 0x0abc0001, 1448, 1448);
        fromContainer(in);
        List<byte[]> out = sentOn("eth0");
        assertEquals(sizes(in), sizes(out), "cut where it was received (the frag_list fast path)");
        int id = Fragments6.id(out.get(0));
        assertNotEquals(0, id);
        assertNotEquals(0x0abc0001, id, "ipv6_select_ident: a new identification");
        for (byte[] f : out) assertEquals(id, Fragments6.id(f));
        byte[] whole = Fragments6.join(out);
        Ipv6Packet ip = new Ipv6Packet();
        ip.wrap(whole, 0, whole.length);
        assertEquals(PUBLIC6, jnat.wire.Ipv6Address.format(ip.srcHi(), ip.srcLo()), "MASQUERADE");
        assertEquals(63, ip.hopLimit());
        EngineRig.assertChecksums(ip);
        assertEquals(1, rig.engine().defrag6().reasmOks());
        assertEquals(1, rig.engine().connections().count());
        // the reply, fragmented too, comes back to the container
        byte[] reply = udp(SERVER6, PUBLIC6, 53, ip.srcPort(), 2000);
        fromInternet(Fragments6.cut(reply, 99, 1232));
        List<byte[]> back = sentOn("docker0");
        assertEquals(List.of(1232, 776), sizes(back));
        byte[] r = Fragments6.join(back);
        Ipv6Packet rp = new Ipv6Packet();
        rp.wrap(r, 0, r.length);
        assertEquals(CONTAINER6, jnat.wire.Ipv6Address.format(rp.dstHi(), rp.dstLo()));
        assertEquals(5353, rp.dstPort());
        EngineRig.assertChecksums(rp);
    }

    @Test
    void smallFragmentsLeaveAsReceived() {
        byte[] d = udp(CONTAINER6, SERVER6, 5353, 53, 1992);
        List<byte[]> in = Fragments6.cut(d, 5, 504, 504, 504);
        fromContainer(in);
        assertEquals(sizes(in), sizes(sentOn("eth0")), "below IPV6_MIN_MTU frag_max_size is raised to 1280; they fit as received");
    }

    @Test
    void aFragmentedSynToThePublishedPortIsDnatedAndLeavesFragmentedToTheContainer() {
        byte[] syn = Ipv6Repr.of(CLIENT6, PUBLIC6).packet(EngineRig.syn(50000, 8080).withPayload(EngineRig.payload(2500)));
        List<byte[]> in = Fragments6.cut(syn, 77, 1232, 1232);
        fromInternet(in);
        List<byte[]> out = sentOn("docker0");
        assertEquals(sizes(in), sizes(out));
        byte[] whole = Fragments6.join(out);
        Ipv6Packet ip = new Ipv6Packet();
        ip.wrap(whole, 0, whole.length);
        assertEquals(CONTAINER6, jnat.wire.Ipv6Address.format(ip.dstHi(), ip.dstLo()), "DNAT");
        assertEquals(80, ip.dstPort());
        EngineRig.assertChecksums(ip);
    }

    @Test
    void aReassembledPacketFromFragmentsLargerThanTheOutMtuGetsPacketTooBig() {
        rig = EngineRig.host(EngineRig.resource("/hosts/seed-docker-host.ip").replace("eth0 address 56:00:04:7c:7c:23 mtu 1500",
                "eth0 address 56:00:04:7c:7c:23 mtu 1400") + EngineRig.DOCKER6_HOST).rules6(EngineRig.DOCKER6_RULES).rules(EngineRig.SEED_RULES);
        byte[] d = udp(CONTAINER6, SERVER6, 5353, 53, 2992);
        fromContainer(Fragments6.cut(d, 8, 1448, 1448));
        EngineRig.Sent err = rig.only("docker0");
        Ipv6Packet ip = err.ip6();
        assertEquals(Icmpv6Packet.ICMPV6_PKT_TOOBIG, ip.icmpType());
        assertEquals(1400, jnat.wire.Bytes.i32(ip.buffer(), ip.upperOffset() + 4), "the out MTU");
        assertEquals(1, rig.drops(DropReason.PACKET_TOO_BIG));
        // fragments that fit the MTU pass, cut as received
        fromContainer(Fragments6.cut(udp(CONTAINER6, SERVER6, 5354, 53, 2992), 9, 1232, 1232));
        assertEquals(List.of(1232, 1232, 536), sizes(sentOn("eth0")));
    }

    @Test
    void anAtomicFragmentIsForwardedWithoutItsFragmentHeader() {
        byte[] d = udp(CONTAINER6, SERVER6, 5353, 53, 100);
        fromContainer(List.of(Fragments6.fragment(d, 10, 0, d.length - 40, false)));
        Ipv6Packet ip = rig.only("eth0").ip6();
        assertEquals(17, ip.nextHeader());
        assertEquals(d.length, ip.length());
    }

    @Test
    void aFragmentQueuedIsNeitherForwardedNorDropped() {
        byte[] d = udp(CONTAINER6, SERVER6, 5353, 53, 2992);
        fromContainer(Fragments6.cut(d, 11, 1448, 1448).subList(0, 2));
        assertTrue(rig.sent().isEmpty());
        assertEquals(2, rig.engine().defrag6().queued());
        assertEquals(1, rig.engine().defrag6().queues());
        rig.engine().expire(rig.now + 61 * EngineRig.SEC, 100);
        assertEquals(1, rig.drops(DropReason.IPV6_FRAG_TIMEOUT));
        assertEquals(0, rig.engine().defrag6().queues());
    }

    @Test
    void theHostsOwnFragmentsAreReassembledAtLocalOutAndSentCutAsItSentThem() {
        byte[] d = udp(PUBLIC6, SERVER6, 4000, 53, 2992);
        List<byte[]> in = Fragments6.cut(d, 12, 1448, 1448);
        for (byte[] f : in) rig.send(f);
        List<byte[]> out = sentOn("eth0");
        assertEquals(sizes(in), sizes(out));
        assertArrayEquals(java.util.Arrays.copyOfRange(d, 40, d.length), java.util.Arrays.copyOfRange(Fragments6.join(out), 40, d.length));
        assertEquals(1, rig.engine().connections().count(), "tracked as one datagram");
    }
}

package jnat.nat;

import jnat.host.Interface;
import jnat.wire.Checksum;
import jnat.wire.Ipv4Repr;
import jnat.wire.Offload;
import jnat.wire.UdpRepr;
import jnat.wire.IcmpRepr;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fragments through the engine on the lab's gateway host (Docker's rules, MASQUERADE out of eth0):
 * reassembled before conntrack, NATed whole, refragmented on output (ip_do_fragment).
 */
class FragmentationTest {
    static final String CTR = "172.17.0.2", SERVER = "198.51.100.8", GW_WAN = "203.0.113.10";

    EngineRig rig = labGateway("");
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");

    /** The lab's gateway with {@code hostLines} added to its host file; the clock stands still; packets come in with 32 bytes of headroom. */
    static EngineRig labGateway(String hostLines) {
        return EngineRig.host(EngineRig.file("scripts/lab-host.ip") + hostLines).rules(EngineRig.file("scripts/lab.rules"))
                .clock(1000 * EngineRig.SEC, 0).headroom(32);
    }

    /** The IPv4 packets sent so far. */
    List<byte[]> sent() {
        return rig.packets();
    }

    /** A UDP datagram from the container with {@code payload} bytes; DF as {@code df}. */
    static byte[] udp(int id, int payload, boolean df) {
        byte[] data = new byte[payload];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 13 + 5);
        return Ipv4Repr.of(CTR, SERVER).withIdentification(id).withDontFragment(df).withTtl(64)
                .packet(UdpRepr.of(40000, 4789).withPayload(data));
    }

    static int u16(byte[] b, int i) {
        return Fragments.u16(b, i);
    }

    static int u32(byte[] b, int i) {
        return u16(b, i) << 16 | u16(b, i + 2);
    }

    @Test
    void aMasqueradedFragmentedUdpDatagramLeavesAsFragmentsWithTheTranslatedPortAndAWholeChecksum() {
        byte[] d = udp(0x4242, 3972, false);
        List<byte[]> in = Fragments.cut(d, false, 1480, 1480);
        rig.receive(docker0, in.get(0));
        rig.receive(docker0, in.get(1));
        assertEquals(List.of(), sent(), "nothing leaves before the datagram is whole");
        rig.receive(docker0, in.get(2));
        assertEquals(3, sent().size());
        assertEquals(List.of("eth0", "eth0", "eth0"), rig.devices());
        for (int i = 0; i < 3; i++) {
            byte[] f = sent().get(i);
            assertEquals(jnat.wire.Ipv4Address.parse(GW_WAN), u32(f, 12), "masqueraded");
            assertEquals(0x4242, u16(f, 4), "the datagram's id");
            assertEquals(63, f[8] & 0xff, "TTL decremented once");
            assertTrue(Checksum.verify(f, 0, 20), "header checksum of fragment " + i);
            assertEquals(Fragments.offset(in.get(i)), Fragments.offset(f), "cut where it was received");
            assertEquals(Fragments.dataLength(in.get(i)), Fragments.dataLength(f));
            assertEquals(i < 2, Fragments.more(f));
            assertFalse(Fragments.df(f));
        }
        byte[] first = sent().get(0);
        int port = u16(first, 20);
        assertEquals(4789, u16(first, 22));
        byte[] whole = Fragments.join(sent());
        assertEquals(d.length, whole.length);
        assertTrue(Checksum.verifyTransport(whole, 20, whole.length - 20, u32(whole, 12), u32(whole, 16), 17),
                "the UDP checksum covers the whole translated datagram");
        // The datagram as it left is the original with the translated source address and port.
        byte[] expected = Ipv4Repr.of(GW_WAN, SERVER).withIdentification(0x4242).withDontFragment(false).withTtl(63)
                .packet(UdpRepr.of(port, 4789).withPayload(Arrays.copyOfRange(d, 28, d.length)));
        assertArrayEquals(expected, whole);
        assertEquals(1, rig.engine().connections().count());
    }

    @Test
    void theReplyFragmentsAreReassembledAndTranslatedBackToTheContainer() {
        List<byte[]> in = Fragments.cut(udp(1, 2000, false), false, 1480);
        in.forEach(f -> rig.receive(docker0, f));
        int port = u16(sent().get(0), 20);
        rig.sent().clear();
        byte[] reply = Ipv4Repr.of(SERVER, GW_WAN).withIdentification(77).withDontFragment(false)
                .packet(UdpRepr.of(4789, port).withPayload(new byte[2500]));
        List<byte[]> back = Fragments.cut(reply, false, 1480);
        rig.receive(eth0, back.get(1));
        rig.receive(eth0, back.get(0));
        assertEquals(List.of("docker0", "docker0"), rig.devices());
        byte[] whole = Fragments.join(sent());
        assertEquals(jnat.wire.Ipv4Address.parse(CTR), u32(whole, 16));
        assertEquals(40000, u16(whole, 22));
        assertTrue(Checksum.verifyTransport(whole, 20, whole.length - 20, u32(whole, 12), u32(whole, 16), 17));
    }

    @Test
    void aReassembledDatagramLeavesCutAsItWasReceivedWhateverTheOrder() {
        byte[] d = udp(2, 3000, false);
        List<byte[]> in = Fragments.cut(d, false, 504, 1480, 96);
        for (int i : new int[] {3, 1, 2, 0}) rig.receive(docker0, in.get(i));
        assertEquals(4, sent().size());
        int[] sizes = sent().stream().mapToInt(Fragments::dataLength).toArray();
        assertArrayEquals(new int[] {504, 1480, 96, 3008 - 504 - 1480 - 96}, sizes);
        int[] offsets = sent().stream().mapToInt(Fragments::offset).toArray();
        assertArrayEquals(new int[] {0, 504, 1984, 2080}, offsets);
    }

    @Test
    void fragmentsLargerThanTheOutMtuAreCutAgainToIt() {
        rig = labGateway("link set eth0 mtu 1280\n");
        List<byte[]> in = Fragments.cut(udp(3, 3000, false), false, 1480, 1480);
        in.forEach(f -> rig.receive("docker0", f));
        int[] sizes = sent().stream().mapToInt(Fragments::dataLength).toArray();
        // (1280 - 20) & ~7 = 1256 bytes a piece, the rest last.
        assertArrayEquals(new int[] {1256, 1256, 3008 - 2 * 1256}, sizes);
        for (byte[] f : sent()) assertTrue(f.length <= 1280);
    }

    @Test
    void aPacketWithoutDfLargerThanTheMtuIsFragmented() {
        byte[] d = udp(4, 3500, false);
        rig.receive(docker0, d);
        int[] sizes = sent().stream().mapToInt(Fragments::dataLength).toArray();
        assertArrayEquals(new int[] {1480, 1480, 3508 - 2960}, sizes);
        assertEquals(1, rig.engine().snmp().fragmented());
        assertEquals(3, rig.engine().snmp().fragmentsCreated());
        byte[] whole = Fragments.join(sent());
        assertTrue(Checksum.verifyTransport(whole, 20, whole.length - 20, u32(whole, 12), u32(whole, 16), 17));
    }

    @Test
    void aPacketWithDfLargerThanTheMtuIsStillRefused() {
        rig.receive(docker0, udp(5, 3500, true));
        assertFragmentationNeededOnly(1500);
        assertEquals(1, rig.drops(DropReason.FRAG_NEEDED));
    }

    @Test
    void aReassembledDatagramWithDfPassesWhenItsFragmentsFitAndLeavesWithoutDf() {
        List<byte[]> in = Fragments.cut(udp(6, 3000, true), true, 1480, 1480);
        in.forEach(f -> rig.receive(docker0, f));
        assertEquals(3, sent().size());
        for (byte[] f : sent()) assertFalse(Fragments.df(f), "the fast path clears DF");
        assertEquals(0, rig.drops(DropReason.FRAG_NEEDED));
    }

    @Test
    void aReassembledDatagramWithDfFragmentsLargerThanTheOutMtuIsRefused() {
        rig = labGateway("link set eth0 mtu 1280\n");
        Fragments.cut(udp(7, 3000, true), true, 1480, 1480).forEach(f -> rig.receive("docker0", f));
        assertFragmentationNeededOnly(1280); // ip_exceeds_mtu: frag_max_size 1500 > 1280
        assertEquals(1, rig.drops(DropReason.FRAG_NEEDED));
    }

    /** All that left is the host's ICMP fragmentation needed (3/4) with next-hop MTU {@code mtu}, back to the sender. */
    private void assertFragmentationNeededOnly(int mtu) {
        assertEquals(1, sent().size(), "only the host's ICMP error");
        byte[] icmp = sent().getFirst();
        assertEquals(1, icmp[9], "ICMP");
        int hl = (icmp[0] & 0x0f) * 4;
        assertEquals(3, icmp[hl] & 0xff, "destination unreachable");
        assertEquals(4, icmp[hl + 1] & 0xff, "fragmentation needed");
        assertEquals(mtu, (icmp[hl + 6] & 0xff) << 8 | (icmp[hl + 7] & 0xff), "next-hop MTU");
    }

    @Test
    void theTimeExceededForAReassembledDatagramLeavesWholeNotCutLikeItsFragments() {
        // TTL 1 in 200-byte fragments: the host's ICMP error (576 bytes at most) is its own packet,
        // sent whole, not cut at the offsets of the datagram it quotes
        byte[] d = Ipv4Repr.of(CTR, SERVER).withIdentification(9).withTtl(1)
                .packet(UdpRepr.of(40000, 4789).withPayload(new byte[1200]));
        Fragments.cut(d, false, 200, 200, 200, 200, 200).forEach(f -> rig.receive(docker0, f));
        assertEquals(1, sent().size(), "only the host's ICMP error");
        byte[] icmp = sent().getFirst();
        assertEquals(1, icmp[9], "ICMP");
        assertEquals(0, u16(icmp, 6) & 0x3fff, "neither MF nor an offset: not a fragment");
        assertEquals(11, icmp[(icmp[0] & 0x0f) * 4] & 0xff, "time exceeded");
        assertEquals(576, u16(icmp, 2), "the whole 576 bytes icmp_send allows");
        assertEquals(u16(icmp, 2), icmp.length);
    }

    @Test
    void onlyOptionsWithTheCopiedFlagAreRepeatedInLaterFragments() {
        // Record route (7, not copied), then router alert (148, copied), padded to 16 bytes.
        byte[] opts = {7, 7, 4, 0, 0, 0, 0, (byte) 148, 4, 0, 0, 1, 1, 1, 1, 0};
        byte[] d = Ipv4Repr.of(CTR, SERVER).withIdentification(8).withDontFragment(false).withOptions(opts)
                .packet(UdpRepr.of(1234, 53).withPayload(new byte[2000]));
        rig.receive(docker0, d);
        assertEquals(2, sent().size());
        byte[] first = sent().get(0), second = sent().get(1);
        assertEquals(36, (first[0] & 0x0f) * 4);
        assertEquals(36, (second[0] & 0x0f) * 4, "every fragment keeps the first's header length");
        assertArrayEquals(opts, Arrays.copyOfRange(first, 20, 36));
        byte[] later = {1, 1, 1, 1, 1, 1, 1, (byte) 148, 4, 0, 0, 1, 1, 1, 1, 0};
        assertArrayEquals(later, Arrays.copyOfRange(second, 20, 36));
        assertEquals((1500 - 36) & ~7, Fragments.dataLength(first));
        assertTrue(Checksum.verify(second, 0, 36));
    }

    @Test
    void theHostsOwnFragmentsAreReassembledAtLocalOut() {
        byte[] d = Ipv4Repr.of(GW_WAN, SERVER).withIdentification(9).withDontFragment(false)
                .packet(UdpRepr.of(5000, 53).withPayload(new byte[3000]));
        List<byte[]> frags = Fragments.cut(d, false, 1480, 1480);
        rig.headroom(0);
        for (byte[] f : frags) rig.send(f);
        assertEquals(3, sent().size());
        assertArrayEquals(d, Fragments.join(sent()));
        assertEquals(1, rig.engine().connections().count());
    }

    @Test
    void aFragmentedPingFromTheContainerIsMasqueradedWhole() {
        byte[] d = Ipv4Repr.of(CTR, SERVER).withIdentification(10).withDontFragment(false)
                .packet(IcmpRepr.echoRequest(0x77, 1, new byte[3992]));
        List<byte[]> in = Fragments.cut(d, false, 1480, 1480);
        in.forEach(f -> rig.receive(docker0, f));
        assertEquals(3, sent().size());
        byte[] whole = Fragments.join(sent());
        assertEquals(jnat.wire.Ipv4Address.parse(GW_WAN), u32(whole, 12));
        assertTrue(Checksum.verify(whole, 20, whole.length - 20), "the ICMP checksum covers the whole message");
    }

    @Test
    void fragmentQueuesExpireWithConntrackGarbageCollection() {
        List<byte[]> in = Fragments.cut(udp(11, 3000, false), false, 1480, 1480);
        rig.receive(docker0, in.get(0));
        assertEquals(1, rig.engine().defrag().queues());
        rig.engine().expire(rig.now + 30_000_000_000L, 64);
        assertEquals(0, rig.engine().defrag().queues());
        assertEquals(1, rig.drops(DropReason.FRAG_TIMEOUT));
    }

    @Test
    void ipfragHighThreshZeroRefusesEveryFragmentButNotWholePackets() {
        rig.defragConfig(IpDefrag.Config.defaults().with("net.ipv4.ipfrag_high_thresh", "0"));
        Fragments.cut(udp(14, 3000, false), false, 1480, 1480).forEach(f -> rig.receive(docker0, f));
        assertEquals(List.of(), sent(), "no datagram is ever reassembled");
        assertEquals(3, rig.drops(DropReason.FRAG_MEMORY_FULL));
        assertEquals(0, rig.engine().defrag().queues());
        rig.receive(docker0, udp(15, 1000, false));
        assertEquals(1, sent().size(), "an unfragmented packet is not held");
    }

    @Test
    void aGsoPacketIsNotFragmented() {
        byte[] d = Ipv4Repr.of(CTR, SERVER).withIdentification(12).withDontFragment(false)
                .packet(UdpRepr.of(40000, 4789).withPayload(new byte[8 * 1400]));
        Offload o = new Offload();
        o.gsoType = Offload.GSO_UDP_L4;
        o.gsoSize = 1400;
        rig.keepOffload(true).receive(docker0, d, o);
        assertEquals(List.of(d.length), rig.sent().stream().map(s -> s.frame().length).toList());
    }

    @Test
    void unfragmentedPacketsWithinTheMtuLeaveWhole() {
        rig.receive(docker0, udp(13, 1472, false));
        assertEquals(1, sent().size());
        assertEquals(1500, sent().get(0).length);
        assertEquals(0, rig.engine().snmp().fragmented());
    }
}

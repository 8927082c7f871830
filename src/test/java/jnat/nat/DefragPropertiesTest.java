package jnat.nat;

import jnat.wire.Checksum;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random datagrams cut into random fragments, delivered in random order (with duplicates), come back whole. */
class DefragPropertiesTest {
    static byte[] datagram(Random r, int payload, int id) {
        byte[] data = new byte[payload];
        r.nextBytes(data);
        return Ipv4Repr.of("172.17.0.2", "198.51.100.8").withIdentification(id).withDontFragment(false)
                .packet(UdpRepr.of(40000 + r.nextInt(1000), 53).withPayload(data));
    }

    /** Fragment sizes: multiples of 8 from 8 to 1480 until the data is covered. */
    static List<byte[]> randomCut(Random r, byte[] d) {
        int data = d.length - 20;
        List<Integer> sizes = new ArrayList<>();
        for (int at = 0; at < data; ) {
            int n = 8 * (1 + r.nextInt(185));
            sizes.add(n);
            at += n;
        }
        return Fragments.cut(d, false, sizes.stream().mapToInt(Integer::intValue).toArray());
    }

    @Property(tries = 300)
    void randomFragmentsInRandomOrderReassembleToTheOriginal(@ForAll @IntRange(min = 1, max = 9000) int payload,
                                                            @ForAll long seed) {
        Random r = new Random(seed);
        IpDefrag defrag = new IpDefrag();
        Ipv4Packet view = new Ipv4Packet();
        byte[] d = datagram(r, payload, r.nextInt(65536));
        List<byte[]> frags = randomCut(r, d);
        List<byte[]> order = new ArrayList<>(frags);
        Collections.shuffle(order, r);
        // Duplicates of fragments already sent, before the last one.
        int dups = r.nextInt(3);
        for (int k = 0; k < dups && order.size() > 1; k++) {
            int at = 1 + r.nextInt(order.size() - 1);
            order.add(at, order.get(r.nextInt(at)).clone());
        }
        int reassembled = 0;
        for (int i = 0; i < order.size(); i++) {
            byte[] f = order.get(i);
            view.wrap(f, 0, f.length);
            int result = defrag.queue(view, IpDefrag.USER_CONNTRACK_IN, 1, 0);
            if (frags.size() == 1) {
                // A "fragment" covering the whole datagram with MF clear is no fragment: not our case here.
                assertEquals(IpDefrag.REASSEMBLED, result);
            }
            if (result == IpDefrag.REASSEMBLED) {
                reassembled++;
                assertEquals(order.size() - 1, i, "complete only with the last fragment");
                byte[] got = Arrays.copyOfRange(defrag.buffer(), defrag.offset(), defrag.offset() + defrag.length());
                assertArrayEquals(d, got);
                int max = frags.stream().mapToInt(x -> x.length).max().orElseThrow();
                assertEquals(max, defrag.fragMaxSize());
            } else if (result == IpDefrag.DROPPED) {
                assertEquals(DropReason.FRAG_DUPLICATE, defrag.dropReason());
            }
        }
        assertEquals(1, reassembled);
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.memory());
    }

    @Property(tries = 100)
    void aRandomlyFragmentedDatagramCrossesTheEngineTranslatedWithTheSameDataAndFragmentsWithinItsLargest(
            @ForAll @IntRange(min = 1, max = 9000) int payload, @ForAll long seed) {
        Random r = new Random(seed);
        EngineRig rig = EngineRig.labGateway().clock(1, 0).headroom(16);
        byte[] d = datagram(r, payload, r.nextInt(65536));
        List<byte[]> frags = randomCut(r, d);
        if (frags.size() < 2) return;
        List<byte[]> order = new ArrayList<>(frags);
        Collections.shuffle(order, r);
        for (byte[] f : order) rig.receive("docker0", f);
        List<byte[]> sent = rig.packets();
        int max = frags.stream().mapToInt(x -> x.length).max().orElseThrow();
        for (byte[] f : sent) assertTrue(f.length <= Math.min(max, 1500), "fragment of " + f.length);
        byte[] whole = Fragments.join(sent);
        assertEquals(d.length, whole.length);
        assertArrayEquals(Arrays.copyOfRange(d, 28, d.length), Arrays.copyOfRange(whole, 28, whole.length));
        assertTrue(Checksum.verifyTransport(whole, 20, whole.length - 20, Fragments.u16(whole, 12) << 16 | Fragments.u16(whole, 14),
                Fragments.u16(whole, 16) << 16 | Fragments.u16(whole, 18), 17));
    }
}

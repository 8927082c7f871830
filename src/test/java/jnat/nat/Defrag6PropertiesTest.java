package jnat.nat;

import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
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

/** Random IPv6 datagrams cut into random fragments, in random order with duplicates, come back whole (nf_ct_frag6_gather). */
class Defrag6PropertiesTest {
    static byte[] datagram(Random r, int payload) {
        byte[] data = new byte[payload];
        r.nextBytes(data);
        return Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:1::8").packet(UdpRepr.of(40000 + r.nextInt(1000), 53).withPayload(data));
    }

    /** Fragment sizes: multiples of 8 from 8 to 1448 until the data is covered. */
    static List<byte[]> randomCut(Random r, byte[] d, int id) {
        int data = d.length - 40;
        List<Integer> sizes = new ArrayList<>();
        for (int at = 0; at < data; ) {
            int n = 8 * (1 + r.nextInt(181));
            sizes.add(n);
            at += n;
        }
        return Fragments6.cut(d, id, sizes.stream().mapToInt(Integer::intValue).toArray());
    }

    @Property(tries = 300)
    void anySplitInAnyOrderReassemblesToTheOriginal(@ForAll @IntRange(min = 1, max = 9000) int payload, @ForAll long seed) {
        Random r = new Random(seed);
        NfCtFrag6 defrag = new NfCtFrag6();
        Ipv6Packet view = new Ipv6Packet();
        byte[] d = datagram(r, payload);
        List<byte[]> frags = randomCut(r, d, r.nextInt());
        List<byte[]> order = new ArrayList<>(frags);
        Collections.shuffle(order, r);
        int dups = r.nextInt(3);
        for (int k = 0; k < dups && order.size() > 1; k++) {
            int at = 1 + r.nextInt(order.size() - 1);
            order.add(at, order.get(r.nextInt(at)).clone());
        }
        int reassembled = 0;
        for (int i = 0; i < order.size(); i++) {
            byte[] f = order.get(i);
            view.wrap(f, 0, f.length);
            int result = defrag.gather(view, NfCtFrag6.USER_CONNTRACK_IN, 1, 0);
            if (result == NfCtFrag6.REASSEMBLED) {
                reassembled++;
                assertEquals(order.size() - 1, i, "complete only with the last fragment");
                assertArrayEquals(d, Arrays.copyOfRange(defrag.buffer(), defrag.offset(), defrag.offset() + defrag.length()));
                assertEquals(frags.stream().mapToInt(x -> x.length).max().orElseThrow(), defrag.fragMaxSize());
                assertEquals(frags.size(), defrag.fragmentCount());
            } else if (result == NfCtFrag6.DROPPED) {
                assertEquals(DropReason.IPV6_FRAG_DUPLICATE, defrag.dropReason());
            } else {
                assertEquals(NfCtFrag6.QUEUED, result);
            }
        }
        assertEquals(1, reassembled);
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.memory());
    }

    @Property(tries = 100)
    void aFragmentedDatagramCrossesTheEngineMasqueradedWithItsDataAndFragmentsAsReceived(
            @ForAll @IntRange(min = 1300, max = 9000) int payload, @ForAll long seed) {
        Random r = new Random(seed);
        EngineRig rig = EngineRig.seedDocker6();
        byte[] d = datagram(r, payload);
        List<byte[]> frags = randomCut(r, d, r.nextInt());
        List<byte[]> order = new ArrayList<>(frags);
        Collections.shuffle(order, r);
        for (byte[] f : order) {
            rig.receive("docker0", jnat.wire.EthernetRepr.of(EngineRig.CONTAINER_MAC, EngineRig.DOCKER0_MAC)
                    .withEtherType(jnat.wire.EtherType.IPV6).frame(f));
        }
        List<byte[]> out = rig.packets();
        int largest = frags.stream().mapToInt(x -> x.length).max().orElseThrow();
        if (frags.size() == 1) {
            assertEquals(1, out.size(), "an atomic fragment leaves whole");
            return;
        }
        if (d.length <= largest) {
            // a first fragment of 8 bytes: the datagram is no longer than frag_max_size (40 + the largest
            // fragment's payload length), so __ip6_finish_output sends it whole, as the kernel does
            assertEquals(1, out.size(), "not longer than its frag_max_size: whole");
            assertEquals(d.length, out.getFirst().length);
            return;
        }
        assertEquals(frags.size(), out.size(), "cut where it was received");
        for (int i = 0; i < out.size(); i++) {
            assertEquals(frags.get(i).length, out.get(i).length);
            assertEquals(Fragments6.offset(frags.get(i)), Fragments6.offset(out.get(i)));
            assertEquals(i < out.size() - 1, Fragments6.more(out.get(i)));
            assertEquals(true, out.get(i).length <= Math.max(largest, 1280));
        }
        byte[] whole = Fragments6.join(out);
        assertArrayEquals(Arrays.copyOfRange(d, 48, d.length), Arrays.copyOfRange(whole, 48, whole.length), "the UDP data unchanged");
        Ipv6Packet ip = new Ipv6Packet();
        ip.wrap(whole, 0, whole.length);
        EngineRig.assertChecksums(ip);
    }
}

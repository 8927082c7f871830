package jnat.nat;

import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nf_defrag_ipv4's reassembly (ip_defrag), on real fragments of a UDP datagram. */
class IpDefragTest {
    static final long SECOND = 1_000_000_000L;
    final Ipv4Packet view = new Ipv4Packet();
    long now = 1_000 * SECOND;
    IpDefrag defrag = new IpDefrag();

    /** A 3000-byte UDP datagram (2980 bytes of IP payload) from a container to a server. */
    static byte[] datagram(int id, int payload) {
        byte[] data = new byte[payload];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7 + id);
        return Ipv4Repr.of("172.17.0.2", "198.51.100.8").withIdentification(id).withDontFragment(false).withTtl(64)
                .packet(UdpRepr.of(40000, 53).withPayload(data));
    }

    int feed(byte[] fragment) {
        return feed(fragment, IpDefrag.USER_CONNTRACK_IN);
    }

    int feed(byte[] fragment, int user) {
        assertEquals(WireError.OK, view.wrap(fragment, 0, fragment.length));
        return defrag.queue(view, user, 3, now);
    }

    byte[] result() {
        return Arrays.copyOfRange(defrag.buffer(), defrag.offset(), defrag.offset() + defrag.length());
    }

    @Test
    void fragmentsInOrderReassembleToTheOriginalDatagram() {
        byte[] d = datagram(0x1234, 2972);
        List<byte[]> f = Fragments.cut(d, false, 1480, 1480);
        assertEquals(3, f.size());
        assertEquals(IpDefrag.QUEUED, feed(f.get(0)));
        assertEquals(IpDefrag.QUEUED, feed(f.get(1)));
        assertEquals(1, defrag.queues());
        assertEquals(IpDefrag.REASSEMBLED, feed(f.get(2)));
        assertArrayEquals(d, result());
        assertEquals(1500, defrag.fragMaxSize());
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.memory());
        assertEquals(3, defrag.fragmentCount());
        assertEquals(1480, defrag.fragmentEnd(0));
        assertEquals(2960, defrag.fragmentEnd(1));
        assertEquals(2980, defrag.fragmentEnd(2));
    }

    @Test
    void fragmentsOutOfOrderReassembleToTheOriginalDatagram() {
        byte[] d = datagram(7, 4000);
        List<byte[]> f = Fragments.cut(d, false, 1000, 504, 1480, 8);
        for (int i : new int[] {4, 2, 0, 3}) assertEquals(IpDefrag.QUEUED, feed(f.get(i)), "fragment " + i);
        assertEquals(IpDefrag.REASSEMBLED, feed(f.get(1)));
        assertArrayEquals(d, result());
        assertEquals(1500, defrag.fragMaxSize());
        assertEquals(5, defrag.fragmentCount());
    }

    @Test
    void aDuplicateFragmentIsDroppedAndItsQueueKept() {
        byte[] d = datagram(9, 3000);
        List<byte[]> f = Fragments.cut(d, false, 1480, 1480);
        assertEquals(IpDefrag.QUEUED, feed(f.get(1)));
        assertEquals(IpDefrag.QUEUED, feed(f.get(0)));
        assertEquals(IpDefrag.DROPPED, feed(f.get(1)));
        assertEquals(DropReason.FRAG_DUPLICATE, defrag.dropReason());
        assertEquals(IpDefrag.REASSEMBLED, feed(f.get(2)));
        assertArrayEquals(d, result());
    }

    @Test
    void aFragmentInsideARunOfAdjacentFragmentsIsADuplicate() {
        // 0-8 and 8-16 arrive in order (one run); 0-16 lies within it: a duplicate, not an overlap.
        byte[] d = datagram(10, 40);
        assertEquals(IpDefrag.QUEUED, feed(Fragments.fragment(d, 20, 0, 8, true, false)));
        assertEquals(IpDefrag.QUEUED, feed(Fragments.fragment(d, 20, 8, 8, true, false)));
        assertEquals(IpDefrag.DROPPED, feed(Fragments.fragment(d, 20, 0, 16, true, false)));
        assertEquals(DropReason.FRAG_DUPLICATE, defrag.dropReason());
        assertEquals(1, defrag.queues());
    }

    @Test
    void anOverlappingFragmentDiscardsTheWholeDatagram() {
        byte[] d = datagram(11, 3000);
        List<byte[]> f = Fragments.cut(d, false, 1480, 1480);
        assertEquals(IpDefrag.QUEUED, feed(f.get(0)));
        assertEquals(IpDefrag.QUEUED, feed(f.get(2)));
        // 1000-2480 overlaps the first fragment's 0-1480 partly: the kernel drops everything (since 2018).
        assertEquals(IpDefrag.DROPPED, feed(Fragments.fragment(d, 20, 1000, 1480, true, false)));
        assertEquals(DropReason.FRAG_OVERLAP, defrag.dropReason());
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.memory());
        assertEquals(1, defrag.reasmOverlaps());
        // The middle fragment now starts a fresh queue, which cannot complete on its own.
        assertEquals(IpDefrag.QUEUED, feed(f.get(1)));
    }

    @Test
    void anOverlapWithTheLastFragmentReceivedDiscardsTheDatagram() {
        byte[] d = datagram(12, 3000);
        assertEquals(IpDefrag.QUEUED, feed(Fragments.fragment(d, 20, 0, 1480, true, false)));
        assertEquals(IpDefrag.DROPPED, feed(Fragments.fragment(d, 20, 1472, 1480, true, false)));
        assertEquals(DropReason.FRAG_OVERLAP, defrag.dropReason());
        assertEquals(0, defrag.queues());
    }

    @Test
    void aLastFragmentEndingElsewhereThanTheFirstLastOneDiscardsTheDatagram() {
        byte[] d = datagram(13, 3000);
        List<byte[]> f = Fragments.cut(d, false, 1480, 1480);
        assertEquals(IpDefrag.QUEUED, feed(f.get(2)));
        byte[] shorter = Fragments.fragment(d, 20, 2960, 12, false, false);
        assertEquals(IpDefrag.DROPPED, feed(shorter));
        assertEquals(DropReason.FRAG_INVALID, defrag.dropReason());
        assertEquals(0, defrag.queues());
    }

    @Test
    void aFragmentBeyondTheKnownEndDiscardsTheDatagram() {
        byte[] d = datagram(14, 3000);
        assertEquals(IpDefrag.QUEUED, feed(Fragments.fragment(d, 20, 1480, 520, false, false))); // ends at 2000
        assertEquals(IpDefrag.DROPPED, feed(Fragments.fragment(d, 20, 1480, 1480, true, false)));
        assertEquals(DropReason.FRAG_INVALID, defrag.dropReason());
    }

    @Test
    void aNonLastFragmentIsCutToAMultipleOfEight() {
        byte[] d = datagram(15, 100); // 108 bytes of IP payload
        byte[] first = Fragments.fragment(d, 20, 0, 20, true, false); // 20 bytes with MF: 16 count
        assertEquals(IpDefrag.QUEUED, feed(first));
        assertEquals(IpDefrag.REASSEMBLED, feed(Fragments.fragment(d, 20, 16, 92, false, false)));
        assertArrayEquals(d, result());
    }

    @Test
    void aDatagramOver65535BytesFails() {
        // Fragments can describe more than an IPv4 packet holds: 20 + 65628 bytes here.
        byte[] whole = new byte[20 + 65628];
        System.arraycopy(datagram(16, 100), 0, whole, 0, 20);
        assertEquals(IpDefrag.QUEUED, feed(Fragments.fragment(whole, 20, 65528, 100, false, false)));
        assertEquals(IpDefrag.QUEUED, feed(Fragments.fragment(whole, 20, 0, 32768, true, false)));
        assertEquals(IpDefrag.DROPPED, feed(Fragments.fragment(whole, 20, 32768, 32760, true, false)));
        assertEquals(DropReason.FRAG_OVERSIZE, defrag.dropReason());
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.memory());
    }

    @Test
    void aQueueExpiresIpfragTimeAfterItsFirstFragmentHoweverManyFollow() {
        List<String> expired = new ArrayList<>();
        defrag.setExpireListener((user, iif, buf, off, len) ->
                expired.add(user + " " + iif + " " + HexFormat.of().formatHex(buf, off, off + len)));
        byte[] d = datagram(17, 3000);
        List<byte[]> f = Fragments.cut(d, false, 1480, 1480);
        assertEquals(IpDefrag.QUEUED, feed(f.get(0)));
        now += 20 * SECOND;
        assertEquals(IpDefrag.QUEUED, feed(f.get(2)));
        now += 10 * SECOND - 1;
        assertEquals(0, defrag.expire(now));
        now += 1;
        assertEquals(1, defrag.expire(now));
        assertEquals(0, defrag.queues());
        assertEquals(1, defrag.reasmTimeouts());
        // The listener gets the first fragment's header and 8 bytes of it (what the ICMP error quotes).
        byte[] quote = Arrays.copyOf(f.get(0), 28);
        assertEquals(List.of(IpDefrag.USER_CONNTRACK_IN + " 3 " + HexFormat.of().formatHex(quote)), expired);
        // The middle fragment after the timeout starts a new queue.
        assertEquals(IpDefrag.QUEUED, feed(f.get(1)));
    }

    @Test
    void aQueueWithoutItsFirstFragmentExpiresWithNothingToQuote() {
        List<Integer> lengths = new ArrayList<>();
        defrag.setExpireListener((user, iif, buf, off, len) -> lengths.add(len));
        List<byte[]> f = Fragments.cut(datagram(18, 3000), false, 1480, 1480);
        feed(f.get(1));
        now += 30 * SECOND;
        defrag.expire(now);
        assertEquals(List.of(0), lengths);
    }

    @Test
    void aFragmentOfAnExpiredQueueStartsANewOneEvenBeforeGarbageCollection() {
        byte[] d = datagram(19, 3000);
        List<byte[]> f = Fragments.cut(d, false, 1480, 1480);
        feed(f.get(0));
        feed(f.get(1));
        now += 31 * SECOND;
        assertEquals(IpDefrag.QUEUED, feed(f.get(2))); // not completed: the old queue timed out
        assertEquals(1, defrag.reasmTimeouts());
        assertEquals(1, defrag.queues());
    }

    @Test
    void aboveIpfragHighThreshEveryFragmentIsRefusedUntilQueuesGo() {
        defrag = new IpDefrag(new IpDefrag.Config(64 * 1024, 30 * SECOND));
        List<List<byte[]>> datagrams = new ArrayList<>();
        int queued = 0;
        for (int id = 1; id <= 100; id++) {
            List<byte[]> f = Fragments.cut(datagram(id, 3000), false, 1480, 1480);
            datagrams.add(f);
            if (feed(f.get(0)) == IpDefrag.QUEUED) queued++;
            else assertEquals(DropReason.FRAG_MEMORY_FULL, defrag.dropReason());
        }
        // Each queue holds 256 + 256 + two 1 KB cells: 2560 bytes; refused once above 64 KB.
        assertEquals(26, queued);
        assertTrue(defrag.memory() > 64 * 1024);
        // Even a fragment of a queued datagram is refused now.
        assertEquals(IpDefrag.DROPPED, feed(datagrams.get(0).get(1)));
        assertEquals(DropReason.FRAG_MEMORY_FULL, defrag.dropReason());
        now += 30 * SECOND;
        assertEquals(26, defrag.expire(now));
        assertEquals(0, defrag.memory());
        List<byte[]> f = datagrams.get(50);
        feed(f.get(0));
        feed(f.get(1));
        assertEquals(IpDefrag.REASSEMBLED, feed(f.get(2)));
    }

    @Test
    void theSameIdFromConntrackInAndOutIsTwoQueues() {
        byte[] d = datagram(20, 3000);
        List<byte[]> f = Fragments.cut(d, false, 1480, 1480);
        feed(f.get(0), IpDefrag.USER_CONNTRACK_IN);
        feed(f.get(1), IpDefrag.USER_CONNTRACK_OUT);
        assertEquals(2, defrag.queues());
        assertEquals(IpDefrag.QUEUED, feed(f.get(2), IpDefrag.USER_CONNTRACK_IN));
    }

    @Test
    void dfIsKeptOnlyWhenTheLargestFragmentHadIt() {
        byte[] d = datagram(21, 3000);
        List<byte[]> df = Fragments.cut(d, true, 1480, 1480);
        df.forEach(this::feed);
        assertEquals(0x4000, Fragments.u16(result(), 6));
        // The small last fragment with DF, the large ones without: no DF.
        List<byte[]> mixed = Fragments.cut(datagram(22, 3000), false, 1480, 1480);
        mixed.set(2, Fragments.cut(datagram(22, 3000), true, 1480, 1480).get(2));
        mixed.forEach(this::feed);
        assertEquals(0, Fragments.u16(result(), 6));
        assertEquals(1500, defrag.fragMaxSize());
    }

    @Test
    void congestionExperiencedOnOneEctFragmentMarksTheDatagram() {
        byte[] d = Ipv4Repr.of("172.17.0.2", "198.51.100.8").withTos(0x02).withIdentification(23).withDontFragment(false)
                .packet(UdpRepr.of(1, 2).withPayload(new byte[2000]));
        List<byte[]> f = Fragments.cut(d, false, 1480);
        f.get(1)[1] = 0x03; // CE
        Fragments.put16(f.get(1), 10, 0);
        Fragments.put16(f.get(1), 10, jnat.wire.Checksum.compute(f.get(1), 0, 20));
        feed(f.get(0));
        assertEquals(IpDefrag.REASSEMBLED, feed(f.get(1)));
        assertEquals(0x03, result()[1] & 0x03);
        assertTrue(jnat.wire.Checksum.verify(result(), 0, 20));
    }

    @Test
    void notEctMixedWithEctDropsTheDatagram() {
        byte[] d = Ipv4Repr.of("172.17.0.2", "198.51.100.8").withTos(0x02).withIdentification(24).withDontFragment(false)
                .packet(UdpRepr.of(1, 2).withPayload(new byte[2000]));
        List<byte[]> f = Fragments.cut(d, false, 1480);
        f.get(1)[1] = 0x00; // not-ECT
        Fragments.put16(f.get(1), 10, 0);
        Fragments.put16(f.get(1), 10, jnat.wire.Checksum.compute(f.get(1), 0, 20));
        feed(f.get(0));
        assertEquals(IpDefrag.DROPPED, feed(f.get(1)));
        assertEquals(DropReason.FRAG_INVALID, defrag.dropReason());
        assertEquals(0, defrag.queues());
    }

    @Test
    void reassemblyAllocatesNothingOnceWarm() {
        List<byte[]> f = Fragments.cut(datagram(25, 8000), false, 1480, 1480, 1480, 1480, 1480);
        byte[][] frags = f.toArray(new byte[0][]);
        for (int i = 0; i < 2000; i++) for (byte[] x : frags) feed(x);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().threadId());
        int done = 0;
        for (int i = 0; i < 10_000; i++) {
            for (int k = frags.length - 1; k >= 0; k--) {
                view.wrap(frags[k], 0, frags[k].length);
                if (defrag.queue(view, IpDefrag.USER_CONNTRACK_IN, 3, now) == IpDefrag.REASSEMBLED) done++;
            }
        }
        long bytes = mx.getThreadAllocatedBytes(Thread.currentThread().threadId()) - before;
        assertEquals(10_000, done);
        assertTrue(bytes < 10_000, "bytes allocated by 10 000 reassemblies of 6 fragments: " + bytes);
    }
}

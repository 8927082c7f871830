package jnat.nat;

import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** nf_defrag_ipv6's reassembly (nf_ct_frag6_gather), on real fragments of a UDP datagram. */
class NfCtFrag6Test {
    static final long SECOND = 1_000_000_000L;
    final Ipv6Packet view = new Ipv6Packet();
    long now = 1_000 * SECOND;
    NfCtFrag6 defrag = new NfCtFrag6();

    /** A UDP datagram of {@code payload} bytes from a container to a server. */
    static byte[] datagram(int seed, int payload) {
        byte[] data = new byte[payload];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7 + seed);
        return Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:1::8").withHopLimit(64).packet(UdpRepr.of(40000, 53).withPayload(data));
    }

    int feed(byte[] packet) {
        return feed(packet, NfCtFrag6.USER_CONNTRACK_IN, 3);
    }

    int feed(byte[] packet, int user, int iif) {
        assertEquals(WireError.OK, view.wrap(packet, 0, packet.length));
        return defrag.gather(view, user, iif, now);
    }

    byte[] result() {
        return Arrays.copyOfRange(defrag.buffer(), defrag.offset(), defrag.offset() + defrag.length());
    }

    @Test
    void fragmentsInOrderReassembleToTheOriginalPacket() {
        byte[] d = datagram(1, 2992); // 3000 bytes of UDP
        List<byte[]> f = Fragments6.cut(d, 0x12345678, 1448, 1448);
        assertEquals(3, f.size());
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(1)));
        assertEquals(1, defrag.queues());
        assertEquals(NfCtFrag6.REASSEMBLED, feed(f.get(2)));
        assertArrayEquals(d, result());
        assertEquals(1496, defrag.fragMaxSize(), "40 + the largest fragment's payload length (8 + 1448)");
        assertEquals(3, defrag.fragmentCount());
        assertEquals(40, defrag.unfragmentableLength());
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.memory());
        assertEquals(1, defrag.reasmOks());
    }

    @Test
    void fragmentsInReverseOrderReassembleToo() {
        byte[] d = datagram(2, 4000);
        List<byte[]> f = Fragments6.cut(d, 7, 1232, 1232, 1232);
        for (int i = f.size() - 1; i > 0; i--) assertEquals(NfCtFrag6.QUEUED, feed(f.get(i)));
        assertEquals(NfCtFrag6.REASSEMBLED, feed(f.get(0)));
        assertArrayEquals(d, result());
    }

    @Test
    void aPacketWithoutAFragmentHeaderGoesOnAsItIs() {
        assertEquals(NfCtFrag6.ACCEPT, feed(datagram(3, 100)));
        assertEquals(0, defrag.reasmReqds());
    }

    @Test
    void aDuplicateIsDroppedAndTheQueueKept() {
        byte[] d = datagram(4, 3000);
        List<byte[]> f = Fragments6.cut(d, 9, 1448, 1448);
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        assertEquals(NfCtFrag6.DROPPED, feed(f.get(0).clone()));
        assertEquals(DropReason.IPV6_FRAG_DUPLICATE, defrag.dropReason());
        assertEquals(1, defrag.queues());
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(1)));
        assertEquals(NfCtFrag6.REASSEMBLED, feed(f.get(2)));
        assertArrayEquals(d, result());
    }

    @Test
    void anOverlappingFragmentDiscardsTheWholeQueue() {
        byte[] d = datagram(5, 3000);
        List<byte[]> f = Fragments6.cut(d, 10, 1448, 1448);
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        // data [1440, 2000): overlaps the first fragment's last 8 bytes (RFC 5722)
        byte[] overlap = Fragments6.fragment(d, 10, 1440, 560, true);
        assertEquals(NfCtFrag6.DROPPED, feed(overlap));
        assertEquals(DropReason.IPV6_FRAG_OVERLAP, defrag.dropReason());
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.memory());
        // the rest now starts a queue of its own that never completes
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(1)));
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(2)));
    }

    @Test
    void anAtomicFragmentIsReassembledAtOnceWithoutItsFragmentHeader() {
        byte[] d = datagram(6, 200);
        byte[] atomic = Fragments6.fragment(d, 11, 0, d.length - 40, false);
        assertEquals(NfCtFrag6.REASSEMBLED, feed(atomic));
        assertArrayEquals(d, result());
        assertEquals(atomic.length, defrag.fragMaxSize());
        assertEquals(0, defrag.queues());
    }

    @Test
    void aNonLastFragmentNotAMultipleOf8DiscardsItsQueueAndGoesOnAsItIs() {
        byte[] d = datagram(7, 3000);
        List<byte[]> f = Fragments6.cut(d, 12, 1448, 1448);
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        byte[] odd = Fragments6.fragment(d, 12, 1448, 1001, true);
        assertEquals(NfCtFrag6.ACCEPT, feed(odd), "-EPROTO: nf_ct_frag6_gather accepts it");
        assertEquals(0, defrag.queues());
    }

    @Test
    void aFirstFragmentWithoutItsWholeUdpHeaderGoesOnAsItIs() {
        byte[] d = datagram(8, 3000);
        byte[] cut = Fragments6.fragment(d, 13, 0, 4, true); // 4 bytes of an 8-byte UDP header: not a multiple of 8 either
        assertEquals(NfCtFrag6.ACCEPT, feed(cut), "ipv6frag_thdr_truncated");
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.reasmReqds());
    }

    @Test
    void aSecondLastFragmentWithAnotherEndIsDroppedAndTheQueueKept() {
        byte[] d = datagram(9, 3000);
        List<byte[]> f = Fragments6.cut(d, 14, 1448, 1448);
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(2)));
        byte[] shorter = Fragments6.fragment(d, 14, 2896, 8, false);
        assertEquals(NfCtFrag6.DROPPED, feed(shorter));
        assertEquals(DropReason.IPV6_FRAG_INVALID, defrag.dropReason());
        assertEquals(1, defrag.queues(), "IPv6 keeps the queue where IPv4 discards it");
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        assertEquals(NfCtFrag6.REASSEMBLED, feed(f.get(1)));
        assertArrayEquals(d, result());
    }

    @Test
    void fragmentsOfTheSameIdOnAnotherInterfaceOrUserQueueApart() {
        byte[] d = datagram(10, 3000);
        List<byte[]> f = Fragments6.cut(d, 15, 1448, 1448);
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0), NfCtFrag6.USER_CONNTRACK_IN, 3));
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(1), NfCtFrag6.USER_CONNTRACK_IN, 4));
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(2), NfCtFrag6.USER_CONNTRACK_OUT, 3));
        assertEquals(3, defrag.queues());
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(1), NfCtFrag6.USER_CONNTRACK_IN, 3));
        assertEquals(NfCtFrag6.REASSEMBLED, feed(f.get(2), NfCtFrag6.USER_CONNTRACK_IN, 3));
        assertArrayEquals(d, result());
    }

    @Test
    void aQueueExpiresSixtySecondsAfterItsFirstFragment() {
        byte[] d = datagram(11, 3000);
        List<byte[]> f = Fragments6.cut(d, 16, 1448, 1448);
        int[] expired = new int[1];
        defrag.setExpireListener((user, iif, buf, off, len) -> {
            expired[0]++;
            assertEquals(NfCtFrag6.USER_CONNTRACK_IN, user);
            assertEquals(3, iif);
            assertArrayEquals(f.get(0), Arrays.copyOfRange(buf, off, off + len), "the first fragment as received");
        });
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        now += 59 * SECOND;
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(1)));
        assertEquals(0, defrag.expire(now));
        now += SECOND;
        assertEquals(1, defrag.expire(now));
        assertEquals(1, expired[0]);
        assertEquals(1, defrag.reasmTimeouts());
        assertEquals(0, defrag.queues());
        assertEquals(0, defrag.memory());
        // the last fragment alone starts a new queue
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(2)));
    }

    @Test
    void aTimedOutQueueMetByAFragmentIsExpiredFirst() {
        byte[] d = datagram(12, 3000);
        List<byte[]> f = Fragments6.cut(d, 17, 1448, 1448);
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(1)));
        now += 60 * SECOND;
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(2)), "a new queue: the old one's timer has fired");
        assertEquals(1, defrag.reasmTimeouts());
    }

    @Test
    void aboveTheHighThresholdEveryFragmentIsRefused() {
        defrag = new NfCtFrag6(new NfCtFrag6.Config(3000, NfCtFrag6.Config.DEFAULT_TIMEOUT_NANOS));
        byte[] d = datagram(13, 3000);
        List<byte[]> f = Fragments6.cut(d, 18, 1448, 1448);
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(1)), "memory was below the threshold when it came");
        assertEquals(NfCtFrag6.DROPPED, feed(f.get(2)));
        assertEquals(DropReason.IPV6_FRAG_MEMORY_FULL, defrag.dropReason());
        NfCtFrag6 none = new NfCtFrag6(new NfCtFrag6.Config(0, NfCtFrag6.Config.DEFAULT_TIMEOUT_NANOS));
        assertEquals(WireError.OK, view.wrap(f.get(0), 0, f.get(0).length));
        assertEquals(NfCtFrag6.DROPPED, none.gather(view, NfCtFrag6.USER_CONNTRACK_IN, 3, now), "high_thresh 0 refuses every fragment");
    }

    @Test
    void aFragmentEndingBeyond65535IsDroppedAndTheQueueKept() {
        byte[] d = datagram(14, 3000);
        List<byte[]> f = Fragments6.cut(d, 19, 1448, 1448);
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        byte[] far = Fragments6.fragment(d, 19, 0, 16, false);
        Fragments6.put16(far, 42, 65528); // data [65528, 65544)
        assertEquals(NfCtFrag6.DROPPED, feed(far));
        assertEquals(DropReason.IPV6_FRAG_INVALID, defrag.dropReason());
        assertEquals(1, defrag.queues());
    }

    @Test
    void aCeMarkOnOneEctFragmentMarksTheWholePacket() {
        byte[] d = Ipv6Repr.of("fd49:efd7:54aa::2", "2001:db8:1::8").withTrafficClass(0x02) // ECT(0)
                .packet(UdpRepr.of(40000, 53).withPayload(new byte[2000]));
        List<byte[]> f = Fragments6.cut(d, 20, 1448);
        f.get(1)[1] |= 0x30; // CE
        assertEquals(NfCtFrag6.QUEUED, feed(f.get(0)));
        assertEquals(NfCtFrag6.REASSEMBLED, feed(f.get(1)));
        assertEquals(WireError.OK, view.wrap(defrag.buffer(), defrag.offset(), defrag.length()));
        assertEquals(3, view.ecn());
    }
}

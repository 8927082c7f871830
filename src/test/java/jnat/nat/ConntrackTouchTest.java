package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.Tuple;
import jnat.host.Interface;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.List;

import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromContainer6;
import static jnat.nat.EngineRig.ip6;
import static jnat.nat.EngineRig.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A batch's touch ({@link ConntrackHook#touch}) reads a frame's tuple from its bytes: the hash it
 * computes must be the one conntrack's lookup computes for the tuple ipv4_pkt_to_tuple and
 * ipv6_pkt_to_tuple give the packet, or the touch reads slots the lookup never uses (a wrong hash
 * changes no result, only the speed, so nothing else would catch it); frames it does not read hash to 0.
 */
class ConntrackTouchTest {
    final EngineRig rig = EngineRig.seedDocker6();
    final Interface docker0 = rig.device("docker0");
    final ConnTable table = new ConnTable(1024);
    final Trace trace = new Trace();
    final ConntrackHook hook = new ConntrackHook(table, new Conntrack(table), true, new NetStats(trace), trace);
    static final int CONTAINER = Ipv4Address.parse("172.17.0.2"), SERVER = Ipv4Address.parse("198.51.100.8");

    final PacketBatch batch = new PacketBatch(1);

    long hashOf(byte[] frame) {
        hook.frameKey(docker0, frame, 0, frame.length, batch, 0);
        return batch.hash[0];
    }

    long inverseHashOf(byte[] frame) {
        hook.frameKey(docker0, frame, 0, frame.length, batch, 0);
        return hook.inverseHash(batch.addrs[0], batch.l4[0]);
    }

    long lookupHash(Tuple t) {
        return table.touch().hash(t.addrs(), t.l4());
    }

    @Test
    void aTcpFrameHashesAsItsTuple() {
        byte[] f = fromContainer("172.17.0.2", "198.51.100.8", TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN));
        assertEquals(lookupHash(new Tuple(6, CONTAINER, SERVER, 40000, 80)), hashOf(f));
    }

    @Test
    void aUdpFrameHashesAsItsTuple() {
        byte[] f = fromContainer("172.17.0.2", "198.51.100.8", UdpRepr.of(5353, 53).withPayload(payload(20)));
        assertEquals(lookupHash(new Tuple(17, CONTAINER, SERVER, 5353, 53)), hashOf(f));
    }

    @Test
    void aTcpFramesInverseHashesAsItsReplyTuple() {
        byte[] f = fromContainer("172.17.0.2", "198.51.100.8", TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN));
        assertEquals(lookupHash(new Tuple(6, SERVER, CONTAINER, 80, 40000)), inverseHashOf(f));
    }

    @Test
    void anIpv6UdpFramesInverseHashesAsItsReplyTuple() {
        byte[] f = fromContainer6("fd49:efd7:54aa::2", "2001:db8:8::1", UdpRepr.of(5353, 53).withPayload(payload(20)));
        long[] s = ip6("fd49:efd7:54aa::2"), d = ip6("2001:db8:8::1");
        assertEquals(lookupHash(new Tuple().set6(17, d[0], d[1], s[0], s[1], 53, 5353)), inverseHashOf(f));
    }

    @Test
    void aTcpFramesSnatGuessHashesAsTheReplyTupleOfItsMasqueradedTuple() {
        byte[] f = fromContainer("172.17.0.2", "198.51.100.8", TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN));
        int wan = jnat.wire.Ipv4Address.parse("203.0.113.10");
        hook.frameKey(docker0, f, 0, f.length, batch, 0);
        assertEquals(lookupHash(new Tuple(6, SERVER, wan, 80, 40000)), hook.snatGuessHash(batch.addrs[0], batch.l4[0], wan));
    }

    @Test
    void anIpv6FramesSnatGuessHashesAsTheReplyTupleOfItsMasqueradedTuple() {
        byte[] f = fromContainer6("fd49:efd7:54aa::2", "2001:db8:8::1", UdpRepr.of(5353, 53).withPayload(payload(20)));
        long[] d = ip6("2001:db8:8::1"), wan = ip6("2001:db8:45:77::180");
        hook.frameKey(docker0, f, 0, f.length, batch, 0);
        assertEquals(lookupHash(new Tuple().set6(17, d[0], d[1], wan[0], wan[1], 53, 5353)),
                hook.snatGuessHash(batch.addrs[0], batch.l4[0], Tuple.fold(wan[0], wan[1])));
    }

    long bySourceHashOf(byte[] frame) {
        hook.frameKey(docker0, frame, 0, frame.length, batch, 0);
        return ConntrackHook.bySourceHash(batch.addrs[0], batch.l4[0]);
    }

    static long indexHash(Tuple t) {
        return NfNatBySource.hash((int) (t.l4() >>> 32), t.src, t.srcPort);
    }

    @Test
    void aTcpFramesBySourceHashIsTheIndexsForItsSource() {
        byte[] f = fromContainer("172.17.0.2", "198.51.100.8", TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN));
        assertEquals(indexHash(new Tuple(6, CONTAINER, SERVER, 40000, 80)), bySourceHashOf(f));
    }

    @Test
    void anEchoRequestsBySourceHashIsTheIndexsForItsId() {
        byte[] f = fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.8"), IcmpRepr.echoRequest(0x1234, 1, new byte[8]));
        assertEquals(indexHash(new Tuple().setIcmp(CONTAINER, SERVER, 0x1234, 8, 0)), bySourceHashOf(f));
    }

    @Test
    void anIpv6FramesBySourceHashIsTheIndexsForItsFoldedSource() {
        byte[] f = fromContainer6("fd49:efd7:54aa::2", "2001:db8:8::1", UdpRepr.of(5353, 53).withPayload(payload(20)));
        long[] s = ip6("fd49:efd7:54aa::2"), d = ip6("2001:db8:8::1");
        assertEquals(indexHash(new Tuple().set6(17, s[0], s[1], d[0], d[1], 5353, 53)), bySourceHashOf(f));
    }

    @Test
    void anEchoRequestHasNoInverseToTouch() {
        byte[] f = fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.8"), IcmpRepr.echoRequest(0x1234, 1, new byte[8]));
        assertEquals(0, inverseHashOf(f));
    }

    @Test
    void anEchoRequestHashesAsItsIdTypeAndCode() {
        byte[] f = fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.8"), IcmpRepr.echoRequest(0x1234, 1, new byte[8]));
        assertEquals(lookupHash(new Tuple().setIcmp(CONTAINER, SERVER, 0x1234, 8, 0)), hashOf(f));
    }

    @Test
    void anIpv6TcpFrameHashesAsItsTupleWithTheFoldedAddresses() {
        byte[] f = fromContainer6("fd49:efd7:54aa::2", "2001:db8:8::1", TcpRepr.of(41000, 443).withFlags(TcpSegment.SYN));
        long[] s = ip6("fd49:efd7:54aa::2"), d = ip6("2001:db8:8::1");
        assertEquals(lookupHash(new Tuple().set6(6, s[0], s[1], d[0], d[1], 41000, 443)), hashOf(f));
    }

    @Test
    void theFramesTheTouchDoesNotReadHashToZero() {
        byte[] quoted = Ipv4Repr.of("198.51.100.8", "172.17.0.2").packet(UdpRepr.of(53, 5353).withPayload(payload(8)));
        byte[] fragment = Fragments.cut(Ipv4Repr.of("172.17.0.2", "198.51.100.8").packet(UdpRepr.of(1, 2).withPayload(payload(100))),
                false, 48).get(1);
        List<byte[]> frames = List.of(
                fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.8"), IcmpRepr.destUnreachable(3, quoted)), // an error: RELATED, by its quote
                jnat.wire.EthernetRepr.of(EngineRig.CONTAINER_MAC, EngineRig.DOCKER0_MAC).frame(fragment),   // no ports in a later fragment
                java.util.Arrays.copyOf(fromContainer("172.17.0.2", "198.51.100.8", TcpRepr.of(1, 2)), 30));   // truncated
        for (byte[] f : frames) assertEquals(0, hashOf(f));
    }
}

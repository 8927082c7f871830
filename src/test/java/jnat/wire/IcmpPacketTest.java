package jnat.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IcmpPacketTest {
    static final int CONTAINER = Ipv4Address.parse("172.17.0.2");
    static final int HOST = Ipv4Address.parse("203.0.113.5");
    static final int SERVER = Ipv4Address.parse("198.51.100.7");
    static final int ROUTER = Ipv4Address.parse("198.51.100.1");

    private final Ipv4Packet outer = new Ipv4Packet();
    private final Ipv4Packet inner = new Ipv4Packet();
    private final IcmpPacket icmp = new IcmpPacket();

    @Test
    void readsEchoIdAndSequence() {
        byte[] p = IcmpRepr.echoRequest(0x1c, 7, new byte[56]).withType(IcmpPacket.ECHO_REQUEST).bytes();
        assertEquals(WireError.OK, icmp.wrap(p, 0, p.length));
        assertEquals(IcmpPacket.ECHO_REQUEST, icmp.type());
        assertEquals(0x1c, icmp.echoId());
        assertEquals(7, icmp.echoSeq());
        assertTrue(icmp.hasId());
        assertFalse(icmp.isError());
        assertTrue(icmp.verifyChecksum());
    }

    @Test
    void fewerThanEightBytesIsTruncated() {
        assertEquals(WireError.TRUNCATED, icmp.wrap(new byte[7], 0, 7));
    }

    @Test
    void setEchoIdKeepsTheChecksumRight() {
        byte[] p = IcmpRepr.echoReply(1, 1, "abc".getBytes()).bytes();
        icmp.wrap(p, 0, p.length);
        icmp.setEchoId(0xffff);
        assertEquals(0xffff, icmp.echoId());
        assertTrue(icmp.verifyChecksum());
    }

    @Test
    void fragNeededCarriesTheNextHopMtu() {
        byte[] original = Ipv4Repr.of(CONTAINER, SERVER).packet(TcpRepr.of(40000, 80).withPayload(new byte[1460]));
        byte[] p = IcmpRepr.fragNeeded(1400, original).bytes();
        icmp.wrap(p, 0, p.length);
        assertTrue(icmp.isError());
        assertEquals(IcmpPacket.FRAG_NEEDED, icmp.code());
        assertEquals(1400, icmp.nextHopMtu());
        assertEquals(IcmpRepr.LINUX_MAX_QUOTE, icmp.payloadLength());
    }

    @Test
    void errorWithoutAQuotedHeaderWrapsButItsQuoteDoesNot() {
        byte[] p = new IcmpRepr(IcmpPacket.DEST_UNREACH, 0, 0, null).bytes();
        assertEquals(WireError.OK, icmp.wrap(p, 0, p.length));
        assertEquals(WireError.TRUNCATED, icmp.quoted(inner));
    }

    /**
     * What nf_nat_icmp_reply_translation does to a port unreachable coming back to a MASQUERADEd
     * UDP flow: the quoted datagram (host:1024 > server:53) becomes container:53000 > server:53 again, and
     * the outer destination becomes the container. Every checksum must equal a fresh computation.
     */
    @Test
    void natOfAnIcmpErrorRewritesTheQuoteAndKeepsEveryChecksumRight() {
        byte[] sentByHost = Ipv4Repr.of(HOST, SERVER).packet(UdpRepr.of(1024, 53).withPayload("query".getBytes()));
        byte[] error = Ipv4Repr.of(SERVER, HOST).packet(IcmpRepr.destUnreachable(IcmpPacket.PORT_UNREACH, sentByHost));

        assertEquals(WireError.OK, outer.wrap(error, 0, error.length));
        assertEquals(WireError.OK, icmp.wrap(error, outer.payloadOffset(), outer.payloadLength()));
        assertEquals(WireError.OK, icmp.quoted(inner));
        inner.setSrc(CONTAINER);
        inner.setSrcPort(53000);
        outer.setDst(CONTAINER);

        byte[] sentByContainer = Ipv4Repr.of(CONTAINER, SERVER).packet(UdpRepr.of(53000, 53).withPayload("query".getBytes()));
        byte[] expected = Ipv4Repr.of(SERVER, CONTAINER).packet(IcmpRepr.destUnreachable(IcmpPacket.PORT_UNREACH, sentByContainer));
        assertArrayEquals(expected, error);
    }

    @Test
    void natOfAMinimalQuoteKeepsTheIcmpChecksumRight() {
        byte[] sentByHost = Ipv4Repr.of(HOST, SERVER).packet(TcpRepr.of(1024, 80).withFlags(TcpSegment.SYN));
        byte[] error = Ipv4Repr.of(ROUTER, HOST).packet(
                new IcmpRepr(IcmpPacket.TIME_EXCEEDED, 0, 0, IcmpRepr.quoteMinimal(sentByHost)));
        outer.wrap(error, 0, error.length);
        icmp.wrap(error, outer.payloadOffset(), outer.payloadLength());
        assertEquals(WireError.OK, icmp.quoted(inner));
        assertTrue(inner.isTruncated());
        inner.setSrc(CONTAINER);
        inner.setSrcPort(40000);
        outer.setDst(CONTAINER);
        assertTrue(inner.verifyChecksum());
        assertTrue(icmp.verifyChecksum());
        assertTrue(outer.verifyChecksum());
        assertEquals(40000, inner.srcPort());
    }

    @Test
    void natOfAQuotedEchoRewritesItsIdAndBothIcmpChecksums() {
        byte[] echo = Ipv4Repr.of(HOST, SERVER).withTtl(1).packet(IcmpRepr.echoRequest(0x4242, 3, new byte[56]));
        byte[] error = Ipv4Repr.of(ROUTER, HOST).packet(IcmpRepr.timeExceeded(0, echo));
        outer.wrap(error, 0, error.length);
        icmp.wrap(error, outer.payloadOffset(), outer.payloadLength());
        icmp.quoted(inner);
        inner.setSrc(CONTAINER);
        inner.setIcmpId(0x1c);
        outer.setDst(CONTAINER);

        byte[] echoFromContainer = Ipv4Repr.of(CONTAINER, SERVER).withTtl(1).packet(IcmpRepr.echoRequest(0x1c, 3, new byte[56]));
        assertArrayEquals(Ipv4Repr.of(ROUTER, CONTAINER).packet(IcmpRepr.timeExceeded(0, echoFromContainer)), error);
    }
}

package jnat.nat;

import jnat.host.Host;
import jnat.rules.Ruleset;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.EthernetRepr;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6ExtHeaders;
import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static jnat.nat.SynproxyKernelTest.CL_MAC;
import static jnat.nat.SynproxyKernelTest.FC_MAC;
import static jnat.nat.SynproxyKernelTest.FS_MAC;
import static jnat.nat.SynproxyKernelTest.SV_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 SYNPROXY with the client's segments behind a destination options header: ipv6_skip_exthdr
 * (the hook, nf_confirm's seqadj) and the rule's thoff (the target) find the TCP header past it.
 * SynproxyKernelTest's router and rules; the values expected follow from the handshake: the
 * client's ISN 1000, the server's 7000000, the client's timestamps from 5000, the server's from 9000.
 */
class SynproxyExtHeadersTest {
    static final SynproxyKernelTest.Family V6 = SynproxyKernelTest.Family.IPV6;
    static final int CPORT = 40000, CISN = 1000, SISN = 7_000_000;
    static final Ipv6Repr.ExtHeader DSTOPTS = Ipv6Repr.ExtHeader.options(Ipv6ExtHeaders.NEXTHDR_DEST, new byte[] {1, 2, 0, 0});

    private final Host host = Host.parse(V6.host(), "synproxy-router.ip");
    private final NatEngine engine = new NatEngine(host, new Ruleset());
    private final List<String> links = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();
    private long now = 1_000_000_000_000L;

    SynproxyExtHeadersTest() {
        engine.setRuleset6(Ruleset.parse(SynproxyKernelTest.RULES, true));
        engine.connections().setTcpLoose(false);
    }

    /** Sends a segment in on {@code link} (from the client on fc, the server on fs); returns the frames sent meanwhile. */
    private List<byte[]> in(String link, TcpRepr tcp, boolean dstopts) {
        boolean fromClient = link.equals("fc");
        Ipv6Repr ip = Ipv6Repr.of(fromClient ? V6.client : V6.server, fromClient ? V6.server : V6.client).withHopLimit(64)
                .withFlowLabel(0x12345);
        if (dstopts) ip = ip.withExtHeaders(DSTOPTS);
        byte[] f = EthernetRepr.of(fromClient ? CL_MAC : SV_MAC, fromClient ? FC_MAC : FS_MAC).withEtherType(EtherType.IPV6)
                .frame(ip.packet(tcp));
        byte[] buf = new byte[16 + f.length];
        System.arraycopy(f, 0, buf, 16, f.length);
        int before = frames.size();
        engine.receive(host.device(link), buf, 16, f.length, now += 1_000_000, (dev, b, off, len) -> {
            links.add(dev.name());
            frames.add(Arrays.copyOfRange(b, off, off + len));
        });
        return frames.subList(before, frames.size());
    }

    private static TcpRepr client(int seq, int ack, int flags) {
        return TcpRepr.of(CPORT, 80).withSeq(seq).withAck(ack).withFlags(flags).withWindow(502);
    }

    /** The one frame sent on {@code link} among {@code sent}, as an IPv6 packet whose TCP checksum is right. */
    private Ipv6Packet one(List<byte[]> sent, String link) {
        List<Ipv6Packet> on = new ArrayList<>();
        for (int i = frames.size() - sent.size(); i < frames.size(); i++) {
            if (!links.get(i).equals(link)) continue;
            Ipv6Packet p = new Ipv6Packet();
            byte[] f = frames.get(i);
            p.wrap(f, EthernetFrame.HEADER_LENGTH, f.length - EthernetFrame.HEADER_LENGTH);
            on.add(p);
        }
        assertEquals(1, on.size(), "frames on " + link);
        Ipv6Packet p = on.get(0);
        assertEquals(IpProtocol.TCP, p.upperProtocol());
        assertTrue(p.verifyTransportChecksum(), "TCP checksum");
        return p;
    }

    private static TcpSegment tcp(Ipv6Packet p) {
        TcpSegment t = new TcpSegment();
        t.wrap(p.buffer(), p.upperOffset(), p.upperLength());
        return t;
    }

    private static TcpRepr repr(Ipv6Packet p) {
        return TcpRepr.parse(tcp(p));
    }

    /** The client's SYN behind the header; the proxy's SYN/ACK. */
    private Ipv6Packet syn() {
        return one(in("fc", client(CISN, 0, TcpSegment.SYN).withWindow(64800).withLinuxSynOptions(5000).withMss(1440), true),
                "fc");
    }

    /** The client's ACK of the cookie behind the header; the SYN to the server. */
    private Ipv6Packet ack(TcpRepr synack) {
        return one(in("fc", client(CISN + 1, synack.seq() + 1, TcpSegment.ACK).withTimestamps(5001, synack.timestamps().val()),
                true), "fs");
    }

    /** The server's SYN/ACK to the proxy's SYN (no header): answered on both links. */
    private List<byte[]> serverSynack(TcpRepr serverSyn) {
        return in("fs", TcpRepr.of(80, CPORT).withSeq(SISN).withAck(CISN + 1).withFlags(TcpSegment.SYN | TcpSegment.ACK)
                .withWindow(64260).withMss(1440).withSackPermitted(true).withTimestamps(9000, serverSyn.timestamps().val())
                .withWindowScale(7), false);
    }

    @Test
    void aSynBehindADestinationOptionsHeaderIsAnsweredWithTheCookieSynAck() {
        Ipv6Packet p = syn();
        assertEquals(V6.server, Ipv6Address.format(p.srcHi(), p.srcLo()));
        assertEquals(V6.client, Ipv6Address.format(p.dstHi(), p.dstLo()));
        assertEquals(0, p.flowLabel());
        assertEquals(64, p.hopLimit());
        assertEquals(IpProtocol.TCP, p.nextHeader(), "the proxy's own segment has no extension header");
        TcpRepr t = repr(p);
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, t.flags());
        assertEquals(CISN + 1, t.ack());
        assertEquals(0, t.window());
        // the rule's --mss and --wscale; the SYN's options found past the header: SACK and timestamps echoed
        assertEquals(1460, t.mss());
        assertEquals(7, t.windowScale());
        assertTrue(t.sackPermitted());
        assertEquals(5000, t.timestamps().ecr());
    }

    @Test
    void theClientsAckBehindOneBecomesTheSynToTheServer() {
        TcpRepr synack = repr(syn());
        Ipv6Packet p = ack(synack);
        assertEquals(V6.client, Ipv6Address.format(p.srcHi(), p.srcLo()));
        assertEquals(64, p.hopLimit());
        TcpRepr t = repr(p);
        assertEquals(TcpSegment.SYN, t.flags());
        assertEquals(CISN, t.seq());
        assertEquals(synack.seq(), t.ack(), "our ISN relayed in ack_seq");
        assertEquals(1440, t.mss(), "the cookie's MSS");
        assertEquals(7, t.windowScale(), "the client's wscale back from the timestamp cookie");
        assertEquals(5001, t.timestamps().val());
        assertEquals(List.of(1L, 0L, 1L, 0L, 0L), Arrays.stream(engine.synproxyStat()).boxed().toList());
    }

    @Test
    void aClientSegmentBehindOneHasItsAckAndTsecrShiftedIntoTheServersSpace() {
        TcpRepr synack = repr(syn());
        TcpRepr serverSyn = repr(ack(synack));
        List<byte[]> answers = serverSynack(serverSyn);
        assertEquals(SISN + 1, repr(one(answers, "fs")).ack(), "the proxy's ACK to the server");
        assertEquals(synack.seq() + 1, repr(one(answers, "fc")).seq(), "the window update to the client, in cookie space");
        byte[] get = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        Ipv6Packet p = one(in("fc", client(CISN + 1, synack.seq() + 1, TcpSegment.ACK | TcpSegment.PSH)
                .withTimestamps(5002, synack.timestamps().val()).withPayload(get), true), "fs");
        assertEquals(Ipv6ExtHeaders.NEXTHDR_DEST, p.nextHeader(), "forwarded with its header");
        assertEquals(63, p.hopLimit());
        TcpRepr t = repr(p);
        assertEquals(CISN + 1, t.seq());
        assertEquals(SISN + 1, t.ack());
        assertEquals(9000, t.timestamps().ecr(), "tsecr plus tsoff: the server's own tsval");
        assertArrayEquals(get, t.payload());
    }

    @Test
    void aServerSegmentBehindOneHasItsSeqAndTsvalShiftedIntoTheCookiesSpace() {
        TcpRepr synack = repr(syn());
        serverSynack(repr(ack(synack)));
        byte[] page = "HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        Ipv6Packet p = one(in("fs", TcpRepr.of(80, CPORT).withSeq(SISN + 1).withAck(CISN + 1)
                .withFlags(TcpSegment.ACK | TcpSegment.PSH).withWindow(502).withTimestamps(9001, 5001).withPayload(page), true),
                "fc");
        assertEquals(Ipv6ExtHeaders.NEXTHDR_DEST, p.nextHeader());
        TcpRepr t = repr(p);
        assertEquals(synack.seq() + 1, t.seq());
        assertEquals(CISN + 1, t.ack());
        assertEquals(synack.timestamps().val() + 1, t.timestamps().val(), "tsval less tsoff");
        assertArrayEquals(page, t.payload());
    }
}

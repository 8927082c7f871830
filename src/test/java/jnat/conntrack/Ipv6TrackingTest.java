package jnat.conntrack;

import org.junit.jupiter.api.Test;

import static jnat.conntrack.Conntrack.*;
import static jnat.conntrack.CtPacket.ACK;
import static jnat.conntrack.CtPacket.SYN;
import static jnat.conntrack.Flow.CLIENT6_HI;
import static jnat.conntrack.Flow.CLIENT6_LO;
import static jnat.conntrack.Flow.SEC;
import static jnat.conntrack.Flow.SERVER6_HI;
import static jnat.conntrack.Flow.SERVER6_LO;
import static org.junit.jupiter.api.Assertions.*;

/** nf_conntrack_in over IPv6: TCP and UDP as for IPv4, ICMPv6 as nf_conntrack_proto_icmpv6.c. */
class Ipv6TrackingTest {
    final Flow f = new Flow();

    Ipv6TrackingTest() {
        f.ipv6 = true;
    }

    private int icmp6(boolean fromClient, int type, int code, int id) {
        f.p.reset();
        if (fromClient) f.p.tuple.setIcmp6(CLIENT6_HI, CLIENT6_LO, SERVER6_HI, SERVER6_LO, id, type, code);
        else f.p.tuple.setIcmp6(SERVER6_HI, SERVER6_LO, CLIENT6_HI, CLIENT6_LO, id, type, code);
        f.p.ipLength = 104;
        return f.run();
    }

    private int udp(boolean fromClient) {
        f.protocol = Tuple.IPPROTO_UDP;
        f.cport = 5000;
        f.sport = 53;
        return fromClient ? f.orig(0, 0, 0, 0, 0) : f.reply(0, 0, 0, 0, 0);
    }

    /** An ICMPv6 error from {@code srcHi/srcLo} to the client quoting the client's UDP datagram. */
    private int errorQuotingClientUdp(int type, long dstHi, long dstLo) {
        f.p.reset();
        f.p.tuple.setIcmp6(0x20010db8ffff0000L, 1, dstHi, dstLo, 0, type, 0);
        f.p.quoted.set6(Tuple.IPPROTO_UDP, CLIENT6_HI, CLIENT6_LO, SERVER6_HI, SERVER6_LO, 5000, 53);
        return f.ct.in(f.p, f.now);
    }

    @Test
    void echoRequestIsNewAndItsReplyEstablishedReply() {
        assertEquals(IP_CT_NEW, icmp6(true, Tuple.ICMPV6_ECHO_REQUEST, 0, 77));
        assertEquals(IP_CT_ESTABLISHED_REPLY, icmp6(false, Tuple.ICMPV6_ECHO_REPLY, 0, 77));
        assertEquals(IP_CT_ESTABLISHED, icmp6(true, Tuple.ICMPV6_ECHO_REQUEST, 0, 77));
    }

    @Test
    void echoIsTrackedByItsId() {
        icmp6(true, Tuple.ICMPV6_ECHO_REQUEST, 0, 77);
        assertEquals(IP_CT_NEW, icmp6(true, Tuple.ICMPV6_ECHO_REQUEST, 0, 78));
        assertEquals(2, f.table.count());
    }

    @Test
    void icmpv6TimeoutIs30Seconds() {
        icmp6(true, Tuple.ICMPV6_ECHO_REQUEST, 0, 77);
        assertEquals(30, f.timeoutSec());
    }

    @Test
    void echoReplyWithoutARequestIsInvalid() {
        assertEquals(INVALID, icmp6(false, Tuple.ICMPV6_ECHO_REPLY, 0, 77));
        assertEquals(0, f.table.count());
    }

    @Test
    void nodeInformationQueryIsTrackedAndItsReplyMatches() {
        assertEquals(IP_CT_NEW, icmp6(true, Tuple.ICMPV6_NI_QUERY, 0, 5));
        assertEquals(IP_CT_ESTABLISHED_REPLY, icmp6(false, Tuple.ICMPV6_NI_REPLY, 0, 5));
    }

    @Test
    void neighbourDiscoveryAndMldAreUntracked() {
        int[] types = {130, 131, 132, 133, 134, 135, 136, 143};
        for (int type : types) assertEquals(UNTRACKED, icmp6(true, type, 0, 0), "type " + type);
        assertEquals(0, f.table.count());
    }

    @Test
    void informationalTypeWithoutAnInverseIsInvalid() {
        assertEquals(INVALID, icmp6(true, 137, 0, 0)); // redirect: no invmap entry
        assertEquals(INVALID, icmp6(true, 200, 0, 0));
    }

    @Test
    void errorQuotingAConnectionsDatagramIsRelated() {
        udp(true);
        assertEquals(IP_CT_RELATED_REPLY, errorQuotingClientUdp(1, CLIENT6_HI, CLIENT6_LO)); // destination unreachable
        assertEquals(f.lastId, f.p.id);
    }

    @Test
    void packetTooBigAndTimeExceededAreRelatedToo() {
        udp(true);
        assertEquals(IP_CT_RELATED_REPLY, errorQuotingClientUdp(2, CLIENT6_HI, CLIENT6_LO));
        assertEquals(IP_CT_RELATED_REPLY, errorQuotingClientUdp(3, CLIENT6_HI, CLIENT6_LO));
        assertEquals(IP_CT_RELATED_REPLY, errorQuotingClientUdp(4, CLIENT6_HI, CLIENT6_LO));
    }

    @Test
    void errorSentElsewhereThanTheQuotedDirectionsDestinationIsInvalid() {
        udp(true);
        assertEquals(INVALID, errorQuotingClientUdp(1, CLIENT6_HI, CLIENT6_LO + 1));
    }

    @Test
    void errorQuotingNoConnectionIsInvalid() {
        assertEquals(INVALID, errorQuotingClientUdp(1, CLIENT6_HI, CLIENT6_LO));
    }

    @Test
    void errorQuotingAnEchoRequestIsRelated() {
        icmp6(true, Tuple.ICMPV6_ECHO_REQUEST, 0, 9);
        f.p.reset();
        f.p.tuple.setIcmp6(SERVER6_HI, SERVER6_LO, CLIENT6_HI, CLIENT6_LO, 0, 1, 4);
        f.p.quoted.setIcmp6(CLIENT6_HI, CLIENT6_LO, SERVER6_HI, SERVER6_LO, 9, Tuple.ICMPV6_ECHO_REQUEST, 0);
        assertEquals(IP_CT_RELATED_REPLY, f.ct.in(f.p, f.now));
    }

    @Test
    void tcpHandshakeOverIpv6IsEstablished() {
        f.handshake();
        assertEquals(TcpTracker.ESTABLISHED, f.state());
        assertTrue(f.status(Status.ASSURED));
        assertEquals(IP_CT_ESTABLISHED, f.clientData(100));
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.serverData(100));
    }

    @Test
    void tcpSynAckWithoutASynOverIpv6IsInvalidUnderStrictRules() {
        f.table.setTcpLoose(false);
        assertEquals(INVALID, f.reply(SYN | ACK, 5, 6, 65535, 0));
    }

    @Test
    void udpOverIpv6BecomesAnAssuredStream() {
        assertEquals(IP_CT_NEW, udp(true));
        assertEquals(30, f.timeoutSec());
        assertEquals(IP_CT_ESTABLISHED_REPLY, udp(false));
        f.advance(3 * SEC);
        assertEquals(IP_CT_ESTABLISHED, udp(true));
        assertTrue(f.status(Status.ASSURED));
        assertEquals(120, f.timeoutSec());
    }

    @Test
    void unknownProtocolOverIpv6IsGenericFor600Seconds() {
        f.protocol = 253;
        f.cport = f.sport = 0;
        assertEquals(IP_CT_NEW, f.orig(0, 0, 0, 0, 0));
        assertEquals(600, f.timeoutSec());
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.reply(0, 0, 0, 0, 0));
    }

    @Test
    void icmpv4EchoInsideIpv6IsInvalid() {
        f.p.reset();
        f.p.tuple.set6(Tuple.IPPROTO_ICMP, CLIENT6_HI, CLIENT6_LO, SERVER6_HI, SERVER6_LO, 1, Tuple.ICMP_ECHO << 8);
        assertEquals(INVALID, f.run());
        assertEquals(0, f.table.count());
    }

    @Test
    void icmpv6EchoInsideIpv4IsInvalid() {
        f.p.reset();
        f.p.tuple.set(Tuple.IPPROTO_ICMPV6, Flow.CLIENT, Flow.SERVER, 1, Tuple.ICMPV6_ECHO_REQUEST << 8);
        assertEquals(INVALID, f.run());
        assertEquals(0, f.table.count());
    }

    @Test
    void ipv4AndIpv6FlowsWithTheSamePortsAreSeparateConnections() {
        udp(true);
        f.ipv6 = false;
        assertEquals(IP_CT_NEW, udp(true));
        assertEquals(2, f.table.count());
    }
}

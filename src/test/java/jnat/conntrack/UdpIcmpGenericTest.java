package jnat.conntrack;

import org.junit.jupiter.api.Test;

import static jnat.conntrack.Conntrack.*;
import static jnat.conntrack.Flow.CLIENT;
import static jnat.conntrack.Flow.SEC;
import static jnat.conntrack.Flow.SERVER;
import static org.junit.jupiter.api.Assertions.*;

class UdpIcmpGenericTest {
    final Flow f = new Flow();

    private int udp(boolean fromClient) {
        f.p.reset();
        if (fromClient) f.p.tuple.set(Tuple.IPPROTO_UDP, CLIENT, SERVER, 5000, 53);
        else f.p.tuple.set(Tuple.IPPROTO_UDP, SERVER, CLIENT, 53, 5000);
        f.p.ipLength = 60;
        return f.run();
    }

    private int icmp(int src, int dst, int type, int code, int id) {
        f.p.reset();
        f.p.tuple.setIcmp(src, dst, id, type, code);
        f.p.ipLength = 84;
        return f.run();
    }

    @Test
    void udpFirstPacketIsNewAndUnrepliedFor30s() {
        assertEquals(IP_CT_NEW, udp(true));
        assertFalse(f.status(Status.SEEN_REPLY));
        assertEquals(30, f.timeoutSec());
    }

    @Test
    void udpSecondPacketWithoutReplyIsStillNew() {
        udp(true);
        assertEquals(IP_CT_NEW, udp(true));
    }

    @Test
    void udpReplyWithinTwoSecondsIsSeenButNotAssured() {
        udp(true);
        f.advance(SEC);
        assertEquals(IP_CT_ESTABLISHED_REPLY, udp(false));
        assertTrue(f.status(Status.SEEN_REPLY));
        assertFalse(f.status(Status.ASSURED));
        assertEquals(30, f.timeoutSec());
        assertEquals(IP_CT_ESTABLISHED, udp(true));
        assertFalse(f.status(Status.ASSURED), "a reply and an answer within 2 s: not yet a stream");
    }

    @Test
    void udpReplyAfterTwoSecondsOfTrafficMakesAnAssuredStreamFor120s() {
        udp(true);
        f.advance(SEC);
        udp(false);
        f.advance(SEC + 1);
        assertEquals(IP_CT_ESTABLISHED, udp(true));
        assertTrue(f.status(Status.ASSURED));
        assertEquals(120, f.timeoutSec());
    }

    @Test
    void udpUnrepliedExpiresAfter30s() {
        udp(true);
        f.advance(30 * SEC - 1);
        assertNotEquals(ConnTable.NOT_FOUND, f.table.find(new Tuple(17, CLIENT, SERVER, 5000, 53), f.now));
        f.advance(1);
        assertEquals(ConnTable.NOT_FOUND, f.table.find(new Tuple(17, CLIENT, SERVER, 5000, 53), f.now));
    }

    @Test
    void echoRequestCreatesAndEchoReplyMatchesTheReplyDirection() {
        assertEquals(IP_CT_NEW, icmp(CLIENT, SERVER, 8, 0, 6842));
        int id = f.lastId;
        Tuple reply = f.table.tuple(id, REPLY, new Tuple());
        assertEquals(new Tuple().setIcmp(SERVER, CLIENT, 6842, 0, 0), reply);
        assertEquals(IP_CT_ESTABLISHED_REPLY, icmp(SERVER, CLIENT, 0, 0, 6842));
        assertEquals(id, f.p.id);
        assertEquals(30, f.timeoutSec());
    }

    @Test
    void echoWithAnotherIdIsAnotherConnection() {
        icmp(CLIENT, SERVER, 8, 0, 1);
        int first = f.lastId;
        assertEquals(IP_CT_NEW, icmp(CLIENT, SERVER, 8, 0, 2));
        assertNotEquals(first, f.lastId);
    }

    @Test
    void echoReplyWithoutRequestIsInvalid() {
        assertEquals(INVALID, icmp(SERVER, CLIENT, 0, 0, 6842));
        assertEquals(0, f.table.count());
    }

    @Test
    void icmpTypeWithoutInverseIsInvalid() {
        assertEquals(INVALID, icmp(CLIENT, SERVER, 9, 0, 0)); // router advertisement
    }

    @Test
    void icmpTypeAbove18IsInvalid() {
        assertEquals(INVALID, icmp(CLIENT, SERVER, 40, 0, 0));
    }

    @Test
    void icmpEchoExpiresAfter30s() {
        icmp(CLIENT, SERVER, 8, 0, 7);
        f.advance(30 * SEC);
        assertEquals(IP_CT_NEW, icmp(CLIENT, SERVER, 8, 0, 7));
    }

    @Test
    void portUnreachableQuotingAUdpPacketIsRelatedReply() {
        udp(true);
        int id = f.lastId;
        f.p.reset();
        f.p.tuple.setIcmp(SERVER, CLIENT, 0, 3, 3);
        f.p.quoted.set(Tuple.IPPROTO_UDP, CLIENT, SERVER, 5000, 53);
        assertEquals(IP_CT_RELATED_REPLY, f.ct.in(f.p, f.now));
        assertEquals(id, f.p.id);
        assertEquals(REPLY, f.p.dir);
    }

    @Test
    void timeExceededFromARouterOnTheWayIsRelatedReply() {
        udp(true);
        f.p.reset();
        f.p.tuple.setIcmp(Tuple.parseIp("203.0.113.1"), CLIENT, 0, 11, 0);
        f.p.quoted.set(Tuple.IPPROTO_UDP, CLIENT, SERVER, 5000, 53);
        assertEquals(IP_CT_RELATED_REPLY, f.ct.in(f.p, f.now));
    }

    @Test
    void errorQuotingAReplyPacketIsRelatedInTheOriginalDirection() {
        udp(true);
        udp(false);
        f.p.reset();
        f.p.tuple.setIcmp(CLIENT, SERVER, 0, 3, 3);
        f.p.quoted.set(Tuple.IPPROTO_UDP, SERVER, CLIENT, 53, 5000);
        assertEquals(IP_CT_RELATED, f.ct.in(f.p, f.now));
    }

    @Test
    void errorToAnotherHostThanTheConnectionsIsInvalid() {
        udp(true);
        f.p.reset();
        f.p.tuple.setIcmp(SERVER, Tuple.parseIp("172.17.0.99"), 0, 3, 3);
        f.p.quoted.set(Tuple.IPPROTO_UDP, CLIENT, SERVER, 5000, 53);
        assertEquals(INVALID, f.ct.in(f.p, f.now));
    }

    @Test
    void errorQuotingNoKnownConnectionIsInvalid() {
        f.p.reset();
        f.p.tuple.setIcmp(SERVER, CLIENT, 0, 3, 1);
        f.p.quoted.set(Tuple.IPPROTO_TCP, CLIENT, SERVER, 1234, 80);
        assertEquals(INVALID, f.ct.in(f.p, f.now));
        assertEquals(0, f.table.count());
    }

    @Test
    void errorQuotingAnEchoRequestIsRelated() {
        icmp(CLIENT, SERVER, 8, 0, 99);
        f.p.reset();
        f.p.tuple.setIcmp(SERVER, CLIENT, 0, 3, 1);
        f.p.quoted.setIcmp(CLIENT, SERVER, 99, 8, 0);
        assertEquals(IP_CT_RELATED_REPLY, f.ct.in(f.p, f.now));
    }

    @Test
    void relatedKeyIsTheInvertedQuotedTuple() {
        Tuple key = new Tuple();
        assertTrue(Conntrack.relatedKey(new Tuple(6, CLIENT, SERVER, 1234, 80), key));
        assertEquals(new Tuple(6, SERVER, CLIENT, 80, 1234), key);
    }

    @Test
    void otherProtocolsAreTrackedByAddressFor600s() {
        f.p.reset();
        f.p.tuple.set(47, CLIENT, SERVER, 0, 0);
        assertEquals(IP_CT_NEW, f.run());
        assertEquals(600, f.timeoutSec());
        f.p.reset();
        f.p.tuple.set(47, SERVER, CLIENT, 0, 0);
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.run());
    }
}

package jnat.conntrack;

import org.junit.jupiter.api.Test;

import static jnat.conntrack.Conntrack.*;
import static jnat.conntrack.CtPacket.*;
import static jnat.conntrack.Flow.SEC;
import static jnat.conntrack.TcpTracker.*;
import static org.junit.jupiter.api.Assertions.*;

class TcpTrackerTest {
    final Flow f = new Flow();

    @Test
    void synCreatesUnrepliedSynSentFor120s() {
        assertEquals(IP_CT_NEW, f.orig(SYN, f.cseq, 0, 64240, 0));
        assertEquals(SYN_SENT, f.state());
        assertFalse(f.status(Status.SEEN_REPLY));
        assertEquals(120, f.timeoutSec());
    }

    @Test
    void synAckInReplyGoesToSynRecvFor60s() {
        f.orig(SYN, f.cseq, 0, 64240, 0);
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.reply(SYN | ACK, f.sseq, f.cseq + 1, 65160, 0));
        assertEquals(SYN_RECV, f.state());
        assertTrue(f.status(Status.SEEN_REPLY));
        assertFalse(f.status(Status.ASSURED));
        assertEquals(60, f.timeoutSec());
    }

    @Test
    void handshakeReachesEstablishedAndAssuredFor5Days() {
        f.handshake();
        assertEquals(ESTABLISHED, f.state());
        assertTrue(f.status(Status.ASSURED));
        assertEquals(432000, f.timeoutSec());
        assertEquals(IP_CT_ESTABLISHED, f.clientData(100));
    }

    @Test
    void unacknowledgedDataShortensEstablishedTimeoutTo300s() {
        f.handshake();
        f.clientData(100);
        assertEquals(300, f.timeoutSec());
        f.reply(ACK, f.sseq, f.cseq, 509, 0);
        assertEquals(432000, f.timeoutSec());
    }

    @Test
    void synRetransmitKeepsSynSentAndDoesNotRenewTimeout() {
        f.orig(SYN, f.cseq, 0, 64240, 0);
        f.advance(50 * SEC);
        assertEquals(IP_CT_NEW, f.orig(SYN, f.cseq, 0, 64240, 0));
        assertEquals(SYN_SENT, f.state());
        assertEquals(70, f.timeoutSec());
    }

    @Test
    void synAckAsFirstPacketIsInvalidAndCreatesNothing() {
        assertEquals(INVALID, f.orig(SYN | ACK, f.cseq, 5, 64240, 0));
        assertEquals(0, f.table.count());
    }

    @Test
    void synAckFromTheOriginatorIsInvalid() {
        f.orig(SYN, f.cseq, 0, 64240, 0);
        assertEquals(INVALID, f.orig(SYN | ACK, f.cseq, f.sseq, 64240, 0));
        assertEquals(SYN_SENT, f.state());
    }

    @Test
    void ackFromOriginatorBeforeSynAckIsInvalid() {
        f.orig(SYN, f.cseq, 0, 64240, 0);
        assertEquals(INVALID, f.orig(ACK, f.cseq + 1, f.sseq, 502, 0));
        assertEquals(SYN_SENT, f.state());
    }

    @Test
    void invalidFlagCombinationIsInvalid() {
        assertEquals(INVALID, f.orig(SYN | FIN, f.cseq, 0, 64240, 0));
        assertEquals(INVALID, f.orig(0, f.cseq, 0, 64240, 0));
        assertEquals(0, f.table.count());
    }

    @Test
    void clientCloseWalksFinWaitCloseWaitLastAckTimeWait() {
        f.handshake();
        f.orig(FIN | ACK, f.cseq, f.sseq, 502, 0);
        f.cseq++;
        assertEquals(FIN_WAIT, f.state());
        assertEquals(120, f.timeoutSec());
        f.reply(ACK, f.sseq, f.cseq, 509, 0);
        assertEquals(CLOSE_WAIT, f.state());
        assertEquals(60, f.timeoutSec());
        f.reply(FIN | ACK, f.sseq, f.cseq, 509, 0);
        f.sseq++;
        assertEquals(LAST_ACK, f.state());
        assertEquals(30, f.timeoutSec());
        f.orig(ACK, f.cseq, f.sseq, 502, 0);
        assertEquals(TIME_WAIT, f.state());
        assertEquals(120, f.timeoutSec());
    }

    @Test
    void finsCrossingGoStraightToLastAck() {
        f.handshake();
        f.orig(FIN | ACK, f.cseq, f.sseq, 502, 0);
        f.reply(FIN | ACK, f.sseq, f.cseq, 509, 0);
        assertEquals(LAST_ACK, f.state());
        f.cseq++;
        f.sseq++;
        f.orig(ACK, f.cseq, f.sseq, 502, 0);
        assertEquals(TIME_WAIT, f.state());
    }

    @Test
    void rstAtTheAckedSequenceClosesFor10s() {
        f.handshake();
        f.clientData(10);
        f.serverData(20);
        // The server's RST at exactly what the client acknowledged last (td_maxack).
        f.orig(ACK, f.cseq, f.sseq, 502, 0);
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.reply(RST, f.sseq, 0, 0, 0));
        assertEquals(CLOSE, f.state());
        assertEquals(10, f.timeoutSec());
    }

    @Test
    void rstBeforeTheAckedSequenceIsInvalid() {
        f.handshake();
        f.serverData(1000);
        f.orig(ACK, f.cseq, f.sseq, 502, 0);
        assertEquals(INVALID, f.reply(RST, f.sseq - 500, 0, 0, 0));
        assertEquals(ESTABLISHED, f.state());
        assertEquals(432000, f.timeoutSec());
    }

    @Test
    void rstInWindowButNotExactKeepsEstablishedForAChallengeAck() {
        f.handshake();
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.reply(RST, f.sseq + 100, 0, 0, 0));
        assertEquals(ESTABLISHED, f.state());
        assertEquals(10, f.timeoutSec());
    }

    @Test
    void rstEndingADataTrainCloses() {
        f.handshake();
        f.serverData(19);
        // foo:80 > bar: R at the end of the data it just sent, before the client acked it.
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.reply(RST, f.sseq, 0, 0, 0));
        assertEquals(CLOSE, f.state());
    }

    @Test
    void rstAnsweringTheSynRemovesTheConnection() {
        f.orig(SYN, f.cseq, 0, 64240, 0);
        int id = f.lastId;
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.reply(RST | ACK, 0, f.cseq + 1, 0, 0));
        assertEquals(id, f.p.id);
        assertEquals(ConnTable.NOT_FOUND, f.lookupOrig());
        f.ct.table().reapDying();
        assertEquals(0, f.table.count());
    }

    @Test
    void outOfWindowDataIsInvalidAndChangesNothing() {
        f.handshake();
        long before = f.table.timeout(f.lastId);
        assertEquals(INVALID, f.orig(ACK | PSH, f.cseq + 10_000_000, f.sseq, 502, 100));
        assertEquals(ESTABLISHED, f.state());
        assertEquals(before, f.table.timeout(f.lastId));
    }

    @Test
    void ackForDataNeverSentIsInvalid() {
        f.handshake();
        assertEquals(INVALID, f.orig(ACK, f.cseq, f.sseq + 5000, 502, 0));
    }

    @Test
    void retransmittedOldDataIsIgnoredButTracked() {
        f.handshake();
        f.advance(SEC);
        f.clientData(1000);
        f.reply(ACK, f.sseq, f.cseq, 509, 0);
        long expiry = f.table.timeout(f.lastId);
        f.advance(SEC);
        // Data far below what the server already acknowledged (SEQ under lower bound).
        assertEquals(IP_CT_ESTABLISHED, f.orig(ACK | PSH, f.cseq - 300_000, f.sseq, 502, 100));
        assertEquals(expiry, f.table.timeout(f.lastId), "ignored packets do not refresh the timeout");
    }

    @Test
    void midStreamAckIsPickedUpEstablishedWith300sUntilReplied() {
        assertEquals(IP_CT_NEW, f.orig(ACK, f.cseq, f.sseq, 502, 0));
        assertEquals(ESTABLISHED, f.state());
        assertEquals(300, f.timeoutSec());
        assertFalse(f.status(Status.ASSURED));
        f.reply(ACK | PSH, f.sseq, f.cseq, 509, 10);
        f.sseq += 10;
        assertFalse(f.status(Status.ASSURED));
        assertEquals(300, f.timeoutSec());
        f.orig(ACK, f.cseq, f.sseq, 502, 0);
        assertTrue(f.status(Status.ASSURED));
        assertEquals(432000, f.timeoutSec());
    }

    @Test
    void midStreamPickupChecksWindowsLiberally() {
        f.orig(ACK, f.cseq, f.sseq, 502, 0);
        f.reply(ACK, f.sseq, f.cseq, 509, 0);
        // Far outside any window we could know: accepted because scaling is unknown.
        assertEquals(IP_CT_ESTABLISHED, f.orig(ACK | PSH, f.cseq + 50_000_000, f.sseq, 502, 100));
    }

    @Test
    void withTcpLooseOffMidStreamPacketsAreInvalid() {
        f.table.setTcpLoose(false);
        assertEquals(INVALID, f.orig(ACK, f.cseq, f.sseq, 502, 0));
        assertEquals(0, f.table.count());
        assertEquals(IP_CT_NEW, f.orig(SYN, f.cseq, 0, 64240, 0));
    }

    @Test
    void withTcpBeLiberalOutOfWindowDataIsAccepted() {
        f.table.setTcpBeLiberal(true);
        f.handshake();
        assertEquals(IP_CT_ESTABLISHED, f.orig(ACK | PSH, f.cseq + 10_000_000, f.sseq, 502, 100));
    }

    @Test
    void midStreamFinIsNotPickedUp() {
        assertEquals(INVALID, f.orig(FIN | ACK, f.cseq, f.sseq, 502, 0));
        assertEquals(0, f.table.count());
    }

    @Test
    void synInTimeWaitReopensAsANewConnection() {
        int first = f.handshake();
        f.orig(FIN | ACK, f.cseq, f.sseq, 502, 0);
        f.cseq++;
        f.reply(FIN | ACK, f.sseq, f.cseq, 509, 0);
        f.sseq++;
        f.orig(ACK, f.cseq, f.sseq, 502, 0);
        assertEquals(TIME_WAIT, f.state());
        f.advance(5 * SEC);
        assertEquals(IP_CT_NEW, f.orig(SYN, f.cseq + 100_000, 0, 64240, 0));
        assertEquals(SYN_SENT, f.state());
        assertEquals(120, f.timeoutSec());
        assertFalse(f.status(Status.SEEN_REPLY));
        assertEquals(1, f.table.count() - (f.table.inUse(first) && first != f.lastId ? 1 : 0));
    }

    @Test
    void synInEstablishedIsIgnoredButTracked() {
        f.handshake();
        assertEquals(IP_CT_ESTABLISHED, f.orig(SYN, f.cseq + 7777, 0, 64240, 0));
        assertEquals(ESTABLISHED, f.state());
    }

    @Test
    void synAckAnsweringAnIgnoredSynResyncs() {
        f.handshake();
        int newIsn = f.cseq + 900_000;
        f.orig(SYN, newIsn, 0, 64240, 0); // ignored: we think the old connection is alive
        assertEquals(IP_CT_ESTABLISHED_REPLY, f.reply(SYN | ACK, 77, newIsn + 1, 65160, 0));
        assertEquals(SYN_RECV, f.state());
        f.orig(ACK, newIsn + 1, 78, 502, 0);
        assertEquals(ESTABLISHED, f.state());
    }

    @Test
    void simultaneousOpenGoesThroughSynSent2() {
        f.orig(SYN, f.cseq, 0, 64240, 0);
        f.reply(SYN, f.sseq, 0, 65160, 0);
        assertEquals(SYN_SENT2, f.state());
        f.orig(SYN | ACK, f.cseq, f.sseq + 1, 64240, 0);
        assertEquals(SYN_RECV, f.state());
        f.reply(ACK, f.sseq + 1, f.cseq + 1, 509, 0);
        assertEquals(ESTABLISHED, f.state());
    }

    /** Handshake where both SYNs carry window scale {@code wscale} (-1: no option). */
    private static Flow handshakeWithScale(int wscale) {
        Flow g = new Flow();
        g.p.reset();
        g.p.tuple.set(Tuple.IPPROTO_TCP, Flow.CLIENT, Flow.SERVER, g.cport, g.sport);
        g.p.tcp(SYN, g.cseq, 0, 64240, 0).tcpOptions(wscale, true);
        g.run();
        g.p.reset();
        g.p.tuple.set(Tuple.IPPROTO_TCP, Flow.SERVER, Flow.CLIENT, g.sport, g.cport);
        g.p.tcp(SYN | ACK, g.sseq, g.cseq + 1, 65160, 0).tcpOptions(wscale, true);
        g.run();
        g.cseq++;
        g.sseq++;
        g.orig(ACK, g.cseq, g.sseq, 502, 0);
        return g;
    }

    @Test
    void windowScaleFromBothSynsScalesTheAdvertisedWindow() {
        Flow g = handshakeWithScale(7);
        g.reply(ACK, g.sseq, g.cseq, 2000, 0); // 2000 << 7 = 256000 bytes
        assertEquals(IP_CT_ESTABLISHED, g.orig(ACK | PSH, g.cseq + 140_000, g.sseq, 502, 100));
    }

    @Test
    void withoutWindowScaleTheSameSegmentIsOverTheWindow() {
        Flow g = handshakeWithScale(-1);
        g.reply(ACK, g.sseq, g.cseq, 2000, 0);
        assertEquals(INVALID, g.orig(ACK | PSH, g.cseq + 140_000, g.sseq, 502, 100));
    }

    @Test
    void slightlyOverTheWindowIsIgnoredNotInvalid() {
        Flow g = handshakeWithScale(-1);
        g.reply(ACK, g.sseq, g.cseq, 2000, 0);
        // 10000 bytes past the 65160-byte window the SYN/ACK advertised: within one max window.
        assertEquals(IP_CT_ESTABLISHED, g.orig(ACK | PSH, g.cseq + 75_000, g.sseq, 502, 100));
    }

    @Test
    void establishedExpiresAfterFiveDays() {
        f.handshake();
        f.advance(432000 * SEC - 1);
        assertNotEquals(ConnTable.NOT_FOUND, f.lookupOrig());
        f.advance(1);
        assertEquals(ConnTable.NOT_FOUND, f.lookupOrig());
    }

    @Test
    void synSentExpiresAfter120s() {
        f.orig(SYN, f.cseq, 0, 64240, 0);
        f.advance(120 * SEC);
        assertEquals(ConnTable.NOT_FOUND, f.lookupOrig());
        assertEquals(0, f.table.count(), "lookup reaps the expired entry");
    }

    @Test
    void timeWaitExpiresAfter120sAndCloseAfter10s() {
        f.handshake();
        f.reply(RST, f.sseq, 0, 0, 0);
        f.advance(10 * SEC - 1);
        assertNotEquals(ConnTable.NOT_FOUND, f.lookupOrig());
        f.advance(1);
        assertEquals(ConnTable.NOT_FOUND, f.lookupOrig());
    }

    @Test
    void countersCountAcceptedPacketsPerDirection() {
        f.table.setAccounting(true); // net.netfilter.nf_conntrack_acct=1
        f.handshake();
        f.clientData(100);
        assertEquals(3, f.table.packets(f.lastId, ORIGINAL));
        assertEquals(40 + 40 + 140, f.table.bytes(f.lastId, ORIGINAL));
        assertEquals(1, f.table.packets(f.lastId, REPLY));
    }

    @Test
    void withoutAccountingThereAreNoCounters() {
        // nf_conntrack_acct defaults to 0: no nf_conn_acct extension, nothing counted
        assertFalse(f.table.accounting());
        f.handshake();
        f.clientData(100);
        assertEquals(0, f.table.packets(f.lastId, ORIGINAL));
        assertEquals(0, f.table.bytes(f.lastId, REPLY));
    }

    @Test
    void kernelDefaultTimeoutsPerState() {
        long[] expected = {0, 120, 60, 432000, 120, 60, 30, 120, 10, 120};
        for (int s = SYN_SENT; s <= SYN_SENT2; s++) assertEquals(expected[s] * SEC, TcpTracker.timeout(s), name(s));
        assertEquals(300 * SEC, TcpTracker.timeout(RETRANS));
        assertEquals(300 * SEC, TcpTracker.timeout(UNACK));
    }
}

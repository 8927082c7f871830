package jnat.conntrack;

import org.junit.jupiter.api.Test;

import java.util.List;

import static jnat.conntrack.Flow.SEC;
import static org.junit.jupiter.api.Assertions.*;

/**
 * conntrack -S's counters, moved where nf_conntrack_core.c moves them (the comparison with the
 * kernel's own counters is KernelComparisonTest.ourStatisticsOfReplayedTrafficEqualTheKernels),
 * and the -S and -G command lines, with conntrack-tools 1.4.7's messages for bad ones.
 */
class ConntrackStatTest {
    static final int A = Tuple.parseIp("172.17.0.2"), B = Tuple.parseIp("198.51.100.8");
    long now = 1_000 * SEC;

    private static Tuple udp(int src, int dst, int sport, int dport) {
        return new Tuple().set(Tuple.IPPROTO_UDP, src, dst, sport, dport);
    }

    private static int track(Conntrack ct, Tuple t, long now) {
        CtPacket p = new CtPacket();
        p.tuple.copyFrom(t);
        int r = ct.in(p, now);
        if (r == Conntrack.IP_CT_NEW) ct.table().confirm(p.id, now);
        return r;
    }

    private static ConntrackTool.Result tool(ConnTable t, long now, String... args) {
        return ConntrackTool.run(t, List.of(args), now);
    }

    @Test
    void aFoundEntryAndAConfirmedOneCountNothing() {
        ConnTable t = new ConnTable(16);
        Conntrack ct = new Conntrack(t);
        track(ct, udp(A, B, 1000, 53), now);
        track(ct, udp(A, B, 1000, 53), now);
        track(ct, udp(B, A, 53, 1000), now);
        assertEquals("cpu=0   \tfound=0 invalid=0 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 "
                + "search_restart=0 clash_resolve=0 chaintoolong=0 \n", tool(t, now, "-S").stdout());
    }

    @Test
    void anEchoReplyWithoutItsRequestCountsInvalid() {
        ConnTable t = new ConnTable(16);
        Conntrack ct = new Conntrack(t);
        assertEquals(Conntrack.INVALID, track(ct, new Tuple().setIcmp(A, B, 7, Tuple.ICMP_ECHOREPLY, 0), now));
        assertEquals(1, t.stat().invalid());
        assertEquals(0, t.stat().error());
    }

    @Test
    void anIcmpErrorQuotingNoConnectionCountsError() {
        ConnTable t = new ConnTable(16);
        Conntrack ct = new Conntrack(t);
        CtPacket p = new CtPacket();
        p.tuple.setIcmp(B, A, 0, 3, 3);
        p.quoted.copyFrom(udp(A, B, 1000, 53));
        assertEquals(Conntrack.INVALID, ct.in(p, now));
        assertEquals(1, t.stat().error());
        assertEquals(0, t.stat().invalid());
    }

    @Test
    void anIcmpTypeAboveNrIcmpTypesCountsError() {
        ConnTable t = new ConnTable(16);
        Conntrack ct = new Conntrack(t);
        assertEquals(Conntrack.INVALID, track(ct, new Tuple().setIcmp(A, B, 0, 200, 0), now));
        assertEquals(1, t.stat().error());
    }

    @Test
    void aFullTableWithNothingToEvictCountsDrop() {
        ConnTable t = new ConnTable(2, 2, 1);
        Conntrack ct = new Conntrack(t);
        for (int i = 0; i < 2; i++) {
            track(ct, udp(A, B, 1000 + i, 53), now);
            t.setStatus(ConnTable.id(t.find(udp(A, B, 1000 + i, 53), now)), Status.ASSURED);
        }
        assertEquals(Conntrack.DROP, track(ct, udp(A, B, 3000, 53), now));
        assertEquals(1, t.stat().drop());
        assertEquals(0, t.stat().earlyDrop());
    }

    @Test
    void evictingAnUnassuredEntryCountsEarlyDrop() {
        ConnTable t = new ConnTable(2, 2, 1);
        Conntrack ct = new Conntrack(t);
        for (int i = 0; i < 2; i++) track(ct, udp(A, B, 1000 + i, 53), now);
        assertEquals(Conntrack.IP_CT_NEW, track(ct, udp(A, B, 3000, 53), now));
        assertEquals(1, t.stat().earlyDrop());
        assertEquals(0, t.stat().drop());
    }

    @Test
    void aClashAtConfirmCountsInsertFailedAndDrop() {
        ConnTable t = new ConnTable(16);
        Tuple o = udp(A, B, 1000, 53), r = new Tuple();
        o.invert(r);
        int second = t.alloc(o, r, now); // unconfirmed while the same tuple's packet is tracked and confirmed
        track(new Conntrack(t), o, now);
        assertFalse(t.confirm(second, now));
        assertEquals(1, t.stat().insertFailed());
        assertEquals(1, t.stat().drop());
    }

    @Test
    void aTakenTupleCountsFound() {
        ConnTable t = new ConnTable(16);
        Conntrack ct = new Conntrack(t);
        track(ct, udp(A, B, 1000, 53), now);
        assertTrue(t.tupleTaken(udp(B, A, 53, 1000), -1, now));
        assertFalse(t.tupleTaken(udp(B, A, 53, 1001), -1, now));
        assertEquals(1, t.stat().found());
    }

    @Test
    void statsOfExpectationsAreZeroWithoutHelpers() {
        assertEquals("cpu=0   \texpect_new=0 expect_create=0 expect_delete=0 \n", tool(new ConnTable(16), now, "-S", "expect").stdout());
    }

    @Test
    void statsRefuseFiltersAsConntrackDoes() {
        ConntrackTool.Result r = tool(new ConnTable(16), now, "-S", "-p", "udp");
        assertEquals(2, r.exitCode());
        assertEquals("conntrack v1.4.7 (conntrack-tools): Illegal option `--protonum' with this command\n"
                + "Try `conntrack -h' or 'conntrack --help' for more information.\n", r.stderr());
        assertTrue(tool(new ConnTable(16), now, "-S", "-f", "ipv6").stderr().contains("Illegal option `--family'"));
        assertTrue(tool(new ConnTable(16), now, "-S", "-s", "1.2.3.4").stderr().contains("Illegal option `--src'"));
        assertTrue(tool(new ConnTable(16), now, "-S", "foo").stderr().contains("unknown type `foo'"));
    }

    @Test
    void getNamesOneConnectionAndHoldsAReference() {
        ConnTable t = new ConnTable(16);
        track(new Conntrack(t), udp(A, B, 1000, 53), now);
        ConntrackTool.Result r = tool(t, now, "-G", "-s", "172.17.0.2", "-d", "198.51.100.8", "-p", "udp",
                "--sport", "1000", "--dport", "53");
        assertEquals(0, r.exitCode());
        assertEquals("udp      17 30 src=172.17.0.2 dst=198.51.100.8 sport=1000 dport=53 [UNREPLIED] "
                + "src=198.51.100.8 dst=172.17.0.2 sport=53 dport=1000 mark=0 use=2\n", r.stdout());
        assertEquals("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n", r.stderr());
        ConntrackTool.Result none = tool(t, now, "-G", "-s", "172.17.0.2", "-d", "198.51.100.8", "-p", "udp",
                "--sport", "1000", "--dport", "54");
        assertEquals(1, none.exitCode());
        assertEquals("conntrack v1.4.7 (conntrack-tools): Operation failed: such conntrack doesn't exist\n", none.stderr());
    }

    @Test
    void getWantsTheWholeTupleWithConntracksMessages() {
        ConnTable t = new ConnTable(16);
        assertTrue(tool(t, now, "-G", "-s", "1.1.1.1", "-d", "2.2.2.2").stderr()
                .contains("You need to supply the `--protonum' option for this command"));
        assertTrue(tool(t, now, "-G", "-d", "2.2.2.2", "-p", "udp", "--sport", "1", "--dport", "2").stderr()
                .contains("you have to specify `--src' and `--dst'"));
        assertTrue(tool(t, now, "-G", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "udp", "--sport", "1").stderr()
                .contains("you have to specify `--sport' and `--dport'"));
        assertTrue(tool(t, now, "-G", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "icmp").stderr()
                .contains("You need to supply the `--icmp-type' option for this command"));
        assertTrue(tool(t, now, "-G", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "udp", "--sport", "1", "--dport", "2", "-n")
                .stderr().contains("Illegal option `--src-nat' with this command"));
    }

    @Test
    void outputIdEndsTheLineWithTheEntrysId() {
        ConnTable t = new ConnTable(16);
        track(new Conntrack(t), udp(A, B, 1000, 53), now);
        int id = ConnTable.id(t.find(udp(A, B, 1000, 53), now));
        assertTrue(tool(t, now, "-L", "-o", "extended,id").stdout().startsWith("ipv4     2 udp      17 "));
        assertTrue(tool(t, now, "-L", "-o", "id").stdout().endsWith("mark=0 use=1 id=" + id + "\n"));
    }
}

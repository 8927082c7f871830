package jnat.nat;

import jnat.wire.Jhash;
import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Status;
import jnat.conntrack.Tuple;
import jnat.rules.NatRange;
import jnat.wire.Ipv6Address;
import org.junit.jupiter.api.Test;


import static jnat.nat.NatCore.MANIP_DST;
import static jnat.nat.NatCore.MANIP_SRC;
import static org.junit.jupiter.api.Assertions.*;

/** nf_nat_core over IPv6 connections: get_unique_tuple with IPv6 ranges, by-source, null bindings. */
class NatCoreIpv6Test {
    static final long NOW = 1_000_000_000_000L;
    final ConnTable table = new ConnTable(1024);
    final NatCore core = new NatCore(table, new Prandom(1));
    final Conntrack conntrack = new Conntrack(table);

    NatCoreIpv6Test() {
        table.setDestroyListener(core::destroyed);
    }

    static long[] a(String text) {
        byte[] b = Ipv6Address.parse(text);
        return new long[] {Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0)};
    }

    static Tuple t6(int proto, String src, String dst, int sport, int dport) {
        long[] s = a(src), d = a(dst);
        return new Tuple().set6(proto, s[0], s[1], d[0], d[1], sport, dport);
    }

    static InetNatRange range(int flags, String min, String max, int minPort, int maxPort) {
        long[] lo = a(min), hi = a(max);
        return new InetNatRange().set6(flags, lo[0], lo[1], hi[0], hi[1], minPort, maxPort);
    }

    static InetNatRange to(String addr) {
        return range(NatRange.MAP_IPS, addr, addr, 0, 0);
    }

    /** A new connection as conntrack makes it (NEW, 30 s), bound by {@code range} (null: a null binding); its id. */
    int bind(Tuple orig, InetNatRange range, int manip) {
        CtPacket p = new CtPacket().reset();
        p.tuple.copyFrom(orig);
        if (orig.protocol == Tuple.IPPROTO_TCP) p.tcp(CtPacket.SYN, 1000, 0, 64240, 0);
        p.ipLength = 60;
        assertEquals(Conntrack.IP_CT_NEW, conntrack.in(p, NOW));
        if (range != null) core.setupInfo(p.id, range, manip, NOW);
        else core.nullBinding(p.id, manip, NOW);
        return p.id;
    }

    /** {@link #bind}, then confirmed as the packet leaves. */
    int bindAndConfirm(Tuple orig, InetNatRange range, int manip) {
        int id = bind(orig, range, manip);
        assertTrue(table.confirm(id, NOW));
        return id;
    }

    Tuple reply(int id) {
        return table.tuple(id, ConnTable.REPLY, new Tuple());
    }

    static String text(long hi, long lo) {
        return Ipv6Address.format(hi, lo);
    }

    @Test
    void jhash2OverTheFourWordsOfAnIpv4AddressIsJhash2Ipv4() {
        int addr = Tuple.parseIp("172.17.0.2"), init = Jhash.wordOf(Tuple.parseIp("8.8.8.8"));
        assertEquals(Jhash.jhash2Ipv4(addr, init), Jhash.jhash2(Integer.reverseBytes(addr), 0, 0, 0, init));
    }

    @Test
    void snatToOneIpv6AddressRewritesTheReplyDestination() {
        int id = bind(t6(17, "fd00:1::2", "2001:db8::53", 5000, 53), to("2001:db8:ffff::1"), MANIP_SRC);
        Tuple r = reply(id);
        assertEquals("2001:db8:ffff::1", text(r.dstHi, r.dstLo));
        assertEquals(5000, r.dstPort);
        assertTrue(table.hasStatus(id, Status.SRC_NAT | Status.SRC_NAT_DONE));
    }

    @Test
    void dnatToAnIpv6AddressAndPortRewritesTheReplySource() {
        int id = bind(t6(6, "2001:db8::9", "2001:db8:ffff::1", 40000, 8080),
                range(NatRange.MAP_IPS | NatRange.PROTO_SPECIFIED, "fd49:efd7:54aa::2", "fd49:efd7:54aa::2", 80, 80), MANIP_DST);
        Tuple r = reply(id);
        assertEquals("fd49:efd7:54aa::2", text(r.srcHi, r.srcLo));
        assertEquals(80, r.srcPort);
        assertTrue(table.hasStatus(id, Status.DST_NAT));
    }

    @Test
    void sourceAlreadyInTheRangeKeepsItsTuple() {
        int id = bind(t6(17, "2001:db8::5", "2001:db8:1::53", 5000, 53),
                range(NatRange.MAP_IPS, "2001:db8::1", "2001:db8::ff", 0, 0), MANIP_SRC);
        assertFalse(table.hasStatus(id, Status.SRC_NAT));
        Tuple r = reply(id);
        assertEquals("2001:db8::5", text(r.dstHi, r.dstLo));
    }

    @Test
    void theSameIpv6SourceKeepsItsMappingForAnotherDestination() {
        InetNatRange wide = range(NatRange.MAP_IPS, "2001:db8:ffff::", "2001:db8:ffff::ffff", 0, 0);
        int first = bindAndConfirm(t6(17, "fd00::2", "2001:db8::1", 5000, 53), wide, MANIP_SRC);
        int second = bind(t6(17, "fd00::2", "2001:db8::77", 5000, 53), wide, MANIP_SRC);
        Tuple a = reply(first), b = reply(second);
        assertEquals(text(a.dstHi, a.dstLo), text(b.dstHi, b.dstLo));
        assertEquals(a.dstPort, b.dstPort);
    }

    @Test
    void anIpv4SourceWithTheSameFoldDoesNotReuseAnIpv6Mapping() {
        Tuple v6 = t6(17, "fd00::2", "2001:db8::1", 5000, 53);
        bindAndConfirm(v6, to("2001:db8:ffff::1"), MANIP_SRC);
        Tuple v4 = new Tuple(17, v6.src, Tuple.parseIp("198.51.100.1"), 5000, 53);
        int id = bind(v4, new InetNatRange().set4(NatRange.MAP_IPS, Tuple.parseIp("203.0.113.1"),
                Tuple.parseIp("203.0.113.9"), 0, 0), MANIP_SRC);
        Tuple r = reply(id);
        assertEquals(Tuple.NFPROTO_IPV4, r.family);
        int chosen = r.dst;
        assertTrue(Integer.compareUnsigned(chosen, Tuple.parseIp("203.0.113.1")) >= 0
                && Integer.compareUnsigned(chosen, Tuple.parseIp("203.0.113.9")) <= 0, Tuple.ip(chosen));
    }

    @Test
    void aTakenIpv6TupleMovesTheSourcePort() {
        InetNatRange one = to("2001:db8:ffff::1");
        int first = bindAndConfirm(t6(17, "fd00::2", "2001:db8::53", 5000, 53), one, MANIP_SRC);
        int second = bind(t6(17, "fd00::3", "2001:db8::53", 5000, 53), one, MANIP_SRC);
        assertEquals(5000, reply(first).dstPort);
        int moved = reply(second).dstPort;
        assertNotEquals(5000, moved);
        assertTrue(moved >= 1024 && moved <= 65535, "port " + moved);
    }

    @Test
    void aTakenIcmpv6IdIsSearchedLikeIcmps() {
        InetNatRange one = to("2001:db8:ffff::1");
        Tuple echo1 = new Tuple().setIcmp6(a("fd00::2")[0], a("fd00::2")[1], a("2001:db8::1")[0], a("2001:db8::1")[1],
                7, Tuple.ICMPV6_ECHO_REQUEST, 0);
        Tuple echo2 = new Tuple().setIcmp6(a("fd00::3")[0], a("fd00::3")[1], a("2001:db8::1")[0], a("2001:db8::1")[1],
                7, Tuple.ICMPV6_ECHO_REQUEST, 0);
        int first = bindAndConfirm(echo1, one, MANIP_SRC);
        int second = bind(echo2, one, MANIP_SRC);
        assertEquals(7, reply(first).srcPort);
        assertNotEquals(7, reply(second).srcPort, "the id moved");
        assertEquals(Tuple.ICMPV6_ECHO_REPLY, reply(second).icmpType());
    }

    @Test
    void nullBindingOfAnIpv6ConnectionMovesAPortThatClashes() {
        // fd00::3:5000 was SNATed to 2001:db8:ffff::1:5000; the host's own 2001:db8:ffff::1:5000 then clashes.
        bindAndConfirm(t6(17, "fd00::3", "2001:db8::53", 5000, 53), to("2001:db8:ffff::1"), MANIP_SRC);
        int own = bind(t6(17, "2001:db8:ffff::1", "2001:db8::53", 5000, 53), null, MANIP_SRC);
        Tuple r = reply(own);
        assertEquals("2001:db8:ffff::1", text(r.dstHi, r.dstLo));
        assertNotEquals(5000, r.dstPort);
    }

    @Test
    void aRangeOfTheOtherFamilyIsRefused() {
        CtPacket p = new CtPacket().reset();
        p.tuple.copyFrom(t6(17, "fd00::2", "2001:db8::1", 5000, 53));
        conntrack.in(p, NOW);
        int id = p.id;
        assertThrows(IllegalArgumentException.class, () -> core.setupInfo(id,
                new NatRange(NatRange.MAP_IPS, 1, 1, 0, 0), MANIP_SRC, NOW));
    }

    @Test
    void persistentRangeChoosesByTheSourceAlone() {
        InetNatRange p = range(NatRange.MAP_IPS | NatRange.PERSISTENT, "2001:db8:ffff::", "2001:db8:ffff::ffff", 0, 0);
        int x = bind(t6(17, "fd00::2", "2001:db8::1", 5000, 53), p, MANIP_SRC);
        int y = bind(t6(17, "fd00::2", "2001:db8::99", 5001, 53), p, MANIP_SRC);
        assertEquals(reply(x).dstLo, reply(y).dstLo);
    }

    @Test
    void destroyedIpv6ConnectionLeavesTheBySourceIndex() {
        InetNatRange wide = range(NatRange.MAP_IPS, "2001:db8:ffff::", "2001:db8:ffff::ffff", 0, 0);
        int first = bindAndConfirm(t6(17, "fd00::2", "2001:db8::1", 5000, 53), wide, MANIP_SRC);
        assertTrue(core.bySource().contains(first));
        table.kill(first);
        assertEquals(0, core.bySource().size());
    }
}

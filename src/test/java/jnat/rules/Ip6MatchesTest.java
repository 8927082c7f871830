package jnat.rules;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How each ip6tables rule decides on a packet (ip6_packet_match and the ip6t_* matches), on FakePacket6 packets. */
class Ip6MatchesTest {
    /** The first rule of "-A INPUT args" (or, with "-t T", of that table's chain) in a fresh IPv6 ruleset. */
    static Rule rule(String... args) {
        Ruleset rs = new Ruleset(true);
        List<String> argv = List.of(args);
        Iptables.run(rs, argv);
        String table = argv.get(0).equals("-t") ? argv.get(1) : "filter";
        String chain = argv.get(argv.indexOf("-A") + 1);
        return rs.table(table).chain(chain).rule(0);
    }

    static boolean hit(FakePacket6 p, String... args) {
        return rule(args).matches(p);
    }

    static FakePacket6 pkt() {
        return FakePacket6.of("fd49:efd7:54aa::2", "2001:db8::1");
    }

    static int[] tcp(int sport, int dport) {
        return new int[] {sport >> 8, sport & 0xFF, dport >> 8, dport & 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0,
            0, 0, 0, 0};
    }

    @Test
    void addressesPrefixesInterfacesAndProtocol() {
        FakePacket6 p = pkt().upper(6, tcp(40000, 8080));
        p.in = "eth0";
        assertTrue(hit(p, "-A", "INPUT", "-s", "fd49:efd7:54aa::/64", "-d", "2001:db8::1", "-p", "tcp"));
        assertFalse(hit(p, "-A", "INPUT", "!", "-s", "fd49:efd7:54aa::/64"));
        assertTrue(hit(p, "-A", "INPUT", "!", "-s", "fe80::/10", "-i", "eth+"));
        assertFalse(hit(p, "-A", "INPUT", "-d", "2001:db8::2"));
        assertTrue(hit(p, "-A", "INPUT", "-s", "fd49:0:54aa::/ffff:0:ffff::"));
        assertFalse(hit(p, "-A", "INPUT", "-p", "udp"));
        assertTrue(hit(p, "-A", "INPUT", "-p", "tcp", "-m", "tcp", "--dport", "8080"));
        // the upper layer is found past extension headers, as ipv6_find_hdr finds it
        FakePacket6 q = pkt().header(0, 0, 0, 1, 4, 0, 0, 0, 0).upper(17, 0, 53, 0, 53, 0, 8, 0, 0);
        assertTrue(hit(q, "-A", "INPUT", "-p", "udp", "-m", "udp", "--sport", "53"));
        assertTrue(hit(q, "-A", "INPUT", "-m", "hbh"));
    }

    @Test
    void icmp6TypesAndCodes() {
        FakePacket6 echo = pkt().upper(58, 128, 0, 0, 0, 0, 1, 0, 1);
        FakePacket6 noRoute = pkt().upper(58, 1, 0, 0, 0, 0, 0, 0, 0);
        String[] echoRule = {"-A", "INPUT", "-p", "ipv6-icmp", "-m", "icmp6", "--icmpv6-type", "echo-request"};
        assertTrue(hit(echo, echoRule));
        assertFalse(hit(noRoute, echoRule));
        assertTrue(hit(noRoute, "-A", "INPUT", "-p", "icmpv6", "--icmpv6-type", "destination-unreachable"));
        assertTrue(hit(noRoute, "-A", "INPUT", "-p", "icmpv6", "--icmpv6-type", "1/0"));
        assertFalse(hit(noRoute, "-A", "INPUT", "-p", "icmpv6", "--icmpv6-type", "port-unreachable"));
        assertTrue(hit(noRoute, "-A", "INPUT", "-p", "icmpv6", "!", "--icmpv6-type", "port-unreachable"));
    }

    /** A fragment header: next, reserved, offset << 3 | M, identification. */
    static int[] frag(int offset, boolean more, long id) {
        int fo = offset << 3 | (more ? 1 : 0);
        return new int[] {0, 0, fo >> 8, fo & 0xFF, (int) (id >>> 24), (int) (id >> 16) & 0xFF, (int) (id >> 8) & 0xFF,
            (int) id & 0xFF};
    }

    @Test
    void fragmentHeaderIdsAndFlags() {
        FakePacket6 first = pkt().header(44, frag(0, true, 6)).upper(17, 0, 1, 0, 2, 0, 8, 0, 0);
        FakePacket6 last = pkt().header(44, frag(100, false, 6));
        assertTrue(hit(first, "-A", "INPUT", "-m", "frag", "--fragid", "5:7", "--fragfirst", "--fragmore"));
        assertFalse(hit(first, "-A", "INPUT", "-m", "frag", "--fraglast"));
        assertTrue(hit(last, "-A", "INPUT", "-m", "frag", "--fraglast"));
        assertFalse(hit(last, "-A", "INPUT", "-m", "frag", "--fragfirst"));
        assertFalse(hit(last, "-A", "INPUT", "-m", "frag", "!", "--fragid", "6"));
        assertFalse(hit(pkt(), "-A", "INPUT", "-m", "frag"), "no fragment header");
        // a non-first fragment has no transport header: -p udp --sport cannot match it
        assertFalse(hit(last, "-A", "INPUT", "-p", "udp", "-m", "udp", "--sport", "1"));
    }

    @Test
    void hopByHopAndDestinationOptions() {
        // hbh, length 8: PadN(2 bytes of data), then router alert (type 5, len 2)
        FakePacket6 p = pkt().header(0, 0, 0, 1, 0, 5, 2, 0, 0).header(60, 0, 0, 1, 4, 0, 0, 0, 0);
        assertTrue(hit(p, "-A", "INPUT", "-m", "hbh", "--hbh-len", "8", "--hbh-opts", "1:0,5:2"));
        assertTrue(hit(p, "-A", "INPUT", "-m", "hbh", "--hbh-opts", "1,5"));
        assertFalse(hit(p, "-A", "INPUT", "-m", "hbh", "--hbh-opts", "5"), "options are matched in order from the start");
        assertFalse(hit(p, "-A", "INPUT", "-m", "hbh", "!", "--hbh-len", "8"));
        assertTrue(hit(p, "-A", "INPUT", "-m", "dst", "--dst-len", "8", "--dst-opts", "1:4"));
        assertFalse(hit(pkt(), "-A", "INPUT", "-m", "dst"));
    }

    @Test
    void routingHeaderTypeSegmentsAndAddresses() {
        // type 0, 2 segments left, two addresses: hdrlen 4 (40 bytes)
        int[] rh = new int[40];
        rh[1] = 4;
        rh[2] = 0;
        rh[3] = 2;
        rh[8] = 0xfd;
        rh[23] = 1;
        rh[24] = 0xfd;
        rh[39] = 2;
        FakePacket6 p = pkt().header(43, rh);
        assertTrue(hit(p, "-A", "INPUT", "-m", "rt", "--rt-type", "0", "--rt-segsleft", "1:2", "--rt-len", "40", "--rt-0-res"));
        assertTrue(hit(p, "-A", "INPUT", "-m", "rt", "--rt-type", "0", "--rt-0-addrs", "fd00::1,fd00::2"));
        assertFalse(hit(p, "-A", "INPUT", "-m", "rt", "--rt-type", "0", "--rt-0-addrs", "fd00::2"), "strict: all, in order");
        assertTrue(hit(p, "-A", "INPUT", "-m", "rt", "--rt-type", "0", "--rt-0-addrs", "fd00::2", "--rt-0-not-strict"));
        assertFalse(hit(p, "-A", "INPUT", "-m", "rt", "!", "--rt-type", "0"));
    }

    @Test
    void ipv6headerExactAndSoft() {
        FakePacket6 p = pkt().header(0, 0, 0, 1, 4, 0, 0, 0, 0).header(44, frag(0, true, 1)).upper(6, tcp(1, 2));
        assertTrue(hit(p, "-A", "INPUT", "-m", "ipv6header", "--header", "hop,frag,prot"));
        assertFalse(hit(p, "-A", "INPUT", "-m", "ipv6header", "--header", "hop,frag"));
        assertTrue(hit(p, "-A", "INPUT", "-m", "ipv6header", "--header", "frag", "--soft"));
        assertFalse(hit(p, "-A", "INPUT", "-m", "ipv6header", "--header", "dst", "--soft"));
        assertTrue(hit(p, "-A", "INPUT", "-m", "ipv6header", "!", "--header", "hop"));
        assertTrue(hit(pkt(), "-A", "INPUT", "-m", "ipv6header", "--header", "none"));
    }

    @Test
    void authenticationHeaderMobilityHeaderHopLimitEui64() {
        // AH: next, len 4 ((4+2)*4 = 24 bytes), reserved, spi 0x100, sequence, 12 bytes of ICV
        FakePacket6 ah = pkt().header(51, 0, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertTrue(hit(ah, "-A", "INPUT", "-m", "ah", "--ahspi", "255:256", "--ahlen", "24", "--ahres"));
        assertFalse(hit(ah, "-A", "INPUT", "-m", "ah", "!", "--ahspi", "256"));
        FakePacket6 bu = pkt().upper(135, 59, 1, 5, 0, 0, 0, 0, 0);
        assertTrue(hit(bu, "-A", "INPUT", "-p", "mh", "-m", "mh", "--mh-type", "binding-update"));
        assertFalse(hit(bu, "-A", "INPUT", "-p", "mh", "-m", "mh", "--mh-type", "0:4"));
        FakePacket6 hl = pkt().hopLimit(1);
        assertTrue(hit(hl, "-A", "INPUT", "-m", "hl", "--hl-lt", "2"));
        assertTrue(hit(hl, "-A", "INPUT", "-m", "hl", "!", "--hl-eq", "64"));
        assertFalse(hit(hl, "-A", "INPUT", "-m", "hl", "--hl-gt", "1"));
        // fe80::211:22ff:fe33:4455 is the modified EUI-64 of 00:11:22:33:44:55
        FakePacket6 ll = FakePacket6.of("fe80::211:22ff:fe33:4455", "ff02::1");
        ll.mac = 0x001122334455L;
        assertTrue(hit(ll, "-A", "INPUT", "-m", "eui64"));
        ll.mac = 0x001122334456L;
        assertFalse(hit(ll, "-A", "INPUT", "-m", "eui64"));
        ll.mac = -1;
        assertFalse(hit(ll, "-A", "INPUT", "-m", "eui64"), "no MAC header");
    }

    @Test
    void commonMatchesOverIpv6() {
        FakePacket6 p = pkt().upper(6, tcp(40000, 443));
        assertTrue(hit(p, "-A", "INPUT", "-m", "iprange", "--src-range", "fd49:efd7:54aa::1-fd49:efd7:54aa::9"));
        assertFalse(hit(p, "-A", "INPUT", "-m", "iprange", "!", "--dst-range", "2001:db8::-2001:db8::ff"));
        p.local = new long[] {p.dstAddressHi(), p.dstAddressLo()};
        assertTrue(hit(p, "-A", "INPUT", "-m", "addrtype", "--dst-type", "LOCAL"));
        assertFalse(hit(p, "-A", "INPUT", "-m", "addrtype", "--src-type", "LOCAL"));
        p.ct[0] = p.srcAddressHi();
        p.ct[1] = p.srcAddressLo();
        assertTrue(hit(p, "-A", "INPUT", "-m", "conntrack", "--ctstate", "NEW", "--ctorigsrc", "fd49:efd7:54aa::/48"));
        assertFalse(hit(p, "-A", "INPUT", "-m", "conntrack", "!", "--ctorigsrc", "fd49:efd7:54aa::2"));
        assertTrue(hit(p, "-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443"));
    }

    @Test
    void hopLimitTargetSetsRaisesAndLowers() {
        FakePacket6 p = pkt().hopLimit(3);
        rule("-t", "mangle", "-A", "PREROUTING", "-j", "HL", "--hl-dec", "5").target.apply(p);
        assertEquals(0, p.hopLimit());
        rule("-t", "mangle", "-A", "PREROUTING", "-j", "HL", "--hl-inc", "200").target.apply(p);
        rule("-t", "mangle", "-A", "PREROUTING", "-j", "HL", "--hl-inc", "200").target.apply(p);
        assertEquals(255, p.hopLimit());
        rule("-t", "mangle", "-A", "PREROUTING", "-j", "HL", "--hl-set", "7").target.apply(p);
        assertEquals(7, p.hopLimit());
    }

    @Test
    void prefixTranslationIsRfc6296sExample() {
        // RFC 6296 section 3.6: fd01:203:405:1::1234 behind fd01:203:405::/48 leaves as 2001:db8:1:d550::1234
        FakePacket6 p = FakePacket6.of("fd01:203:405:1::1234", "2001:db8::1");
        Target snpt = rule("-t", "mangle", "-A", "POSTROUTING", "-j", "SNPT", "--src-pfx", "fd01:203:405::/48",
                "--dst-pfx", "2001:db8:1::/48").target;
        assertTrue(snpt.apply(p));
        assertEquals("2001:db8:1:d550::1234", Inet6.format(p.srcAddressHi(), p.srcAddressLo()));
        // and back: DNPT of the reply's destination
        FakePacket6 r = FakePacket6.of("2001:db8::1", "2001:db8:1:d550::1234");
        assertTrue(rule("-t", "mangle", "-A", "PREROUTING", "-j", "DNPT", "--src-pfx", "2001:db8:1::/48",
                "--dst-pfx", "fd01:203:405::/48").target.apply(r));
        assertEquals("fd01:203:405:1::1234", Inet6.format(r.dstAddressHi(), r.dstAddressLo()));
        // outside --src-pfx: ip6t_npt_map_pfx does not check, the prefix is replaced all the same
        FakePacket6 out = FakePacket6.of("fd99::1", "2001:db8::1");
        assertTrue(snpt.apply(out));
        assertEquals("2001:db8:1:", Inet6.format(out.srcAddressHi(), out.srcAddressLo()).substring(0, 11));
    }

    @Test
    void aWordTheAdjustmentMakesFfffIsWrittenZero() {
        // adjustment 0xd54f (RFC 6296's prefixes); a subnet word of 0x2ab0 gives 0x2ab0 + 0xd54f = 0xffff
        FakePacket6 p = FakePacket6.of("fd01:203:405:2ab0::1", "2001:db8::1");
        assertTrue(rule("-t", "mangle", "-A", "POSTROUTING", "-j", "SNPT", "--src-pfx", "fd01:203:405::/48",
                "--dst-pfx", "2001:db8:1::/48").target.apply(p));
        assertEquals("2001:db8:1::1", Inet6.format(p.srcAddressHi(), p.srcAddressLo()), "CSUM_MANGLED_0 written 0");
    }

    @Test
    void aPrefixLongerThan48AdjustsTheFirstWordAfterItThatIsNotFfff() {
        Target snpt = rule("-t", "mangle", "-A", "POSTROUTING", "-j", "SNPT", "--src-pfx", "fd01:203:405:100::/56",
                "--dst-pfx", "2001:db8:1:200::/56").target;
        FakePacket6 p = FakePacket6.of("fd01:203:405:1ab:ffff:1::1", "2001:db8::1");
        assertTrue(snpt.apply(p));
        String a = Inet6.format(p.srcAddressHi(), p.srcAddressLo());
        assertTrue(a.startsWith("2001:db8:1:2ab:ffff:"), a + ": word 4 is 0xffff, word 5 takes the adjustment");
        FakePacket6 before = FakePacket6.of("fd01:203:405:1ab:ffff:1::1", "::");
        assertEquals(sum16(before.srcAddressHi(), before.srcAddressLo()) % 0xffff, sum16(p.srcAddressHi(), p.srcAddressLo()) % 0xffff,
                "checksum-neutral: the address's one's complement sum is unchanged");
        // every word after the prefix 0xffff: nothing to adjust, the kernel's parameter problem and drop
        assertFalse(snpt.apply(FakePacket6.of("fd01:203:405:1ff:ffff:ffff:ffff:ffff", "2001:db8::1")));
    }

    /** The one's complement sum of an address's eight words. */
    static int sum16(long hi, long lo) {
        int s = 0;
        for (int i = 0; i < 64; i += 16) s += (int) (hi >>> i & 0xffff) + (int) (lo >>> i & 0xffff);
        while (s >>> 16 != 0) s = (s & 0xffff) + (s >>> 16);
        return s;
    }

    @Test
    void nat66TargetsCarryTheirIpv6Ranges() {
        NatTarget d = (NatTarget) rule("-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-j", "DNAT", "--to-destination",
                "[fd49::2-fd49::9]:80-90").target;
        assertTrue(d.range.ipv6);
        assertEquals("fd49::2", Inet6.format(d.range.minAddrHi, d.range.minAddrLo));
        assertEquals("fd49::9", Inet6.format(d.range.maxAddrHi, d.range.maxAddrLo));
        assertEquals(80, d.range.minPort);
        assertEquals(90, d.range.maxPort);
        NatTarget n = (NatTarget) rule("-t", "nat", "-A", "PREROUTING", "-j", "NETMAP", "--to", "fd00:1::/64").target;
        assertEquals("fd00:1::ffff:ffff:ffff:ffff", Inet6.format(n.range.maxAddrHi, n.range.maxAddrLo));
        RejectTarget r = (RejectTarget) rule("-A", "INPUT", "-j", "REJECT", "--reject-with", "icmp6-adm-prohibited").target;
        assertEquals(1, r.icmpCode);
        assertTrue(r.ipv6);
        assertTrue(((RejectTarget) rule("-A", "INPUT", "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset").target)
                .tcpReset());
    }

    @Test
    void ipv4PacketContextsSeeNoIpv6() {
        FakePacket v4 = new FakePacket();
        assertFalse(v4.ipv6());
        assertEquals(-1, v4.ipv6FindHeader(44));
        assertEquals(-1, v4.sourceMac());
    }
}

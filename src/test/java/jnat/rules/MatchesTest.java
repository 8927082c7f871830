package jnat.rules;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each match decides as the kernel's match function does (ip_packet_match, xt_*.c). */
class MatchesTest {
    /** True if the rule (iptables arguments after "-A X") matches the packet. */
    private static boolean m(String spec, Consumer<FakePacket> packet) {
        Ruleset rs = new Ruleset();
        Iptables.run(rs, List.of("-t", "mangle", "-N", "X"));
        List<String> argv = new ArrayList<>(List.of("-t", "mangle", "-A", "X"));
        argv.addAll(Restore.tokenize(spec));
        Iptables.run(rs, argv);
        FakePacket p = new FakePacket().from("10.0.0.5", 40000).to("203.0.113.1", 80);
        packet.accept(p);
        return rs.existing("mangle").chain("X").rule(0).matches(p);
    }

    @Test
    void sourceAndDestinationCompareUnderTheirMasks() {
        assertTrue(m("-s 10.0.0.0/8", p -> { }));
        assertFalse(m("-s 10.0.0.0/255.255.255.0", p -> p.src = FakePacket.ip("10.0.1.5")));
        assertTrue(m("-s 10.0.0.0/255.0.255.0", p -> p.src = FakePacket.ip("10.9.0.5")));
        assertTrue(m("! -d 203.0.113.0/25", p -> p.dst = FakePacket.ip("203.0.113.200")));
        assertFalse(m("! -d 203.0.113.0/25", p -> { }));
    }

    @Test
    void interfacePlusIsAPrefixWildcardAndBangInverts() {
        assertTrue(m("-i veth+", p -> p.in = "veth12ab"));
        assertFalse(m("-i veth", p -> p.in = "veth12ab"));
        assertTrue(m("-i eth0", p -> p.in = "eth0"));
        assertFalse(m("-i eth0", p -> p.in = "eth01"));
        assertTrue(m("! -o docker0", p -> p.out = "eth0"));
        assertFalse(m("! -o docker0", p -> p.out = "docker0"));
    }

    @Test
    void protocolByNameNumberAndInverted() {
        assertTrue(m("-p tcp", p -> { }));
        assertTrue(m("-p 17", p -> p.proto = 17));
        assertTrue(m("-p all", p -> p.proto = 47));
        assertFalse(m("! -p tcp", p -> { }));
    }

    @Test
    void fragmentFlagMatchesOnlyNonFirstFragments() {
        assertTrue(m("-f", p -> p.fragment = true));
        assertFalse(m("-f", p -> { }));
        assertTrue(m("! -f", p -> { }));
    }

    @Test
    void portsSingleRangeAndInverted() {
        assertTrue(m("-p tcp --dport 80", p -> { }));
        assertTrue(m("-p tcp --sport 1024:65535 --dport 1:1023", p -> { }));
        assertFalse(m("-p tcp ! --dport 80", p -> { }));
        assertTrue(m("-p udp -m udp --dport 53:", p -> { p.proto = 17; p.dstPort = 60000; }));
        assertFalse(m("-p tcp --dport 80", p -> p.fragment = true));
    }

    @Test
    void tcpFlagsCompareUnderTheMask() {
        assertTrue(m("-p tcp --syn", p -> p.tcpFlags = 0x02));
        assertFalse(m("-p tcp --syn", p -> p.tcpFlags = 0x12));
        assertTrue(m("-p tcp ! --syn", p -> p.tcpFlags = 0x10));
        assertTrue(m("-p tcp --tcp-flags ALL NONE", p -> p.tcpFlags = 0));
        assertTrue(m("-p tcp --tcp-flags SYN,ACK SYN,ACK", p -> p.tcpFlags = 0x12 | 0x08));
    }

    @Test
    void icmpTypeAndCode() {
        assertTrue(m("-p icmp --icmp-type echo-request", p -> { p.proto = 1; p.icmpType = 8; }));
        assertFalse(m("-p icmp --icmp-type 3/1", p -> { p.proto = 1; p.icmpType = 3; p.icmpCode = 3; }));
        assertTrue(m("-p icmp --icmp-type destination-unreachable", p -> { p.proto = 1; p.icmpType = 3; p.icmpCode = 3; }));
        assertTrue(m("-p icmp --icmp-type any", p -> { p.proto = 1; p.icmpType = 13; }));
        assertTrue(m("-p icmp ! --icmp-type 8", p -> { p.proto = 1; p.icmpType = 0; }));
    }

    @Test
    void multiportListsRangesAndEither() {
        assertTrue(m("-p tcp -m multiport --dports 22,80,8000:8080", p -> p.dstPort = 8042));
        assertFalse(m("-p tcp -m multiport --dports 22,80,8000:8080", p -> p.dstPort = 443));
        assertTrue(m("-p tcp -m multiport --ports 40000", p -> { }));
        assertTrue(m("-p tcp -m multiport ! --sports 1:1023", p -> { }));
    }

    @Test
    void addrtypeAsksTheHostAndLimitsTheInterface() {
        int local = FakePacket.ip("203.0.113.1");
        assertTrue(m("-m addrtype --dst-type LOCAL", p -> p.local = new int[] {local}));
        assertFalse(m("-m addrtype --dst-type LOCAL", p -> { }));
        assertTrue(m("-m addrtype ! --dst-type LOCAL --src-type UNICAST,MULTICAST", p -> { }));
        assertTrue(m("-m addrtype --dst-type MULTICAST", p -> p.dst = FakePacket.ip("224.0.0.251")));
    }

    @Test
    void markComparesUnderTheMask() {
        assertTrue(m("-m mark --mark 0x4000/0x4000", p -> p.mark = 0x4001));
        assertFalse(m("-m mark --mark 0x4000", p -> p.mark = 0x4001));
        assertTrue(m("-m mark ! --mark 0x4000/0x4000", p -> p.mark = 0x1));
    }

    @Test
    void conntrackStateDirectionAndOriginalTuple() {
        assertTrue(m("-m conntrack --ctstate RELATED,ESTABLISHED", p -> p.ctState = PacketContext.CT_ESTABLISHED));
        assertFalse(m("-m conntrack --ctstate RELATED,ESTABLISHED", p -> { }));
        assertTrue(m("-m conntrack --ctstate DNAT", p -> p.ctState = PacketContext.CT_ESTABLISHED | PacketContext.CT_DNAT));
        assertTrue(m("-m conntrack ! --ctstate NEW", p -> p.ctState = PacketContext.CT_INVALID));
        assertFalse(m("-m conntrack --ctdir ORIGINAL", p -> p.ctDir = PacketContext.DIR_REPLY));
        assertTrue(m("-m conntrack --ctdir REPLY", p -> p.ctDir = PacketContext.DIR_REPLY));
        assertTrue(m("-m conntrack --ctorigsrc 10.0.0.0/24 --ctorigdstport 80", p -> { }));
        assertFalse(m("-m conntrack ! --ctorigdst 203.0.113.1", p -> { }));
        assertFalse(m("-m conntrack --ctorigsrc 10.0.0.0/24", p -> p.ctState = PacketContext.CT_UNTRACKED));
    }

    @Test
    void iprangeComparesUnsigned() {
        assertTrue(m("-m iprange --dst-range 200.0.0.0-210.0.0.0", p -> { }));
        assertFalse(m("-m iprange --src-range 10.0.0.6-10.0.0.9", p -> { }));
        assertTrue(m("-m iprange ! --src-range 10.0.0.6-10.0.0.9", p -> { }));
    }

    @Test
    void commentAlwaysMatches() {
        assertTrue(m("-m comment --comment \"kubernetes service portals\"", p -> { }));
    }
}

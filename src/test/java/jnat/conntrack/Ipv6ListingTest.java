package jnat.conntrack;

import org.junit.jupiter.api.Test;

import java.util.List;

import static jnat.conntrack.Flow.SEC;
import static jnat.conntrack.Flow.tuple6;
import static org.junit.jupiter.api.Assertions.*;

/**
 * conntrack -L lines of IPv6 entries, as conntrack-tools 1.4.7 printed them for the same traffic
 * (ping -6, a UDP datagram and a raw protocol-253 packet from fd00:6::1 to fd00:6::2, a ping to
 * 198.51.100.2 beside them), and conntrack's family options over a mixed table.
 */
class Ipv6ListingTest {
    static final String UDP = "udp      17 29 src=fd00:6::1 dst=fd00:6::2 sport=42018 dport=5354 [UNREPLIED] "
            + "src=fd00:6::2 dst=fd00:6::1 sport=5354 dport=42018 mark=0 use=1";
    static final String ICMPV6 = "icmpv6   58 29 src=fd00:6::1 dst=fd00:6::2 type=128 code=0 id=709 "
            + "src=fd00:6::2 dst=fd00:6::1 type=129 code=0 id=709 mark=0 use=1";
    static final String UNKNOWN = "unknown  253 599 src=fd00:6::1 dst=fd00:6::2 [UNREPLIED] src=fd00:6::2 dst=fd00:6::1 mark=0 use=1";
    static final String ICMP = "icmp     1 29 src=198.51.100.1 dst=198.51.100.2 type=8 code=0 id=714 "
            + "src=198.51.100.2 dst=198.51.100.1 type=0 code=0 id=714 mark=0 use=1";

    final Flow f = new Flow();
    final long start = f.now;

    Ipv6ListingTest() {
        send(tuple6(17, "fd00:6::1", "fd00:6::2", 42018, 5354));
        send(tuple6(58, "fd00:6::1", "fd00:6::2", 709, 128 << 8));
        send(tuple6(58, "fd00:6::2", "fd00:6::1", 709, 129 << 8));
        send(tuple6(253, "fd00:6::1", "fd00:6::2", 0, 0));
        Tuple ping = new Tuple();
        send(ping.setIcmp(Tuple.parseIp("198.51.100.1"), Tuple.parseIp("198.51.100.2"), 714, 8, 0));
        send(new Tuple().setIcmp(Tuple.parseIp("198.51.100.2"), Tuple.parseIp("198.51.100.1"), 714, 0, 0));
    }

    private void send(Tuple t) {
        f.p.reset();
        f.p.tuple.copyFrom(t);
        f.run();
    }

    private ConntrackTool.Result tool(String... args) {
        return ConntrackTool.run(f.table, List.of(args), start + SEC / 2);
    }

    @Test
    void ipv6EntriesPrintAsConntrackPrintsThem() {
        assertEquals(UDP + "\n" + ICMPV6 + "\n" + UNKNOWN + "\n" + ICMP + "\n", new ConntrackPrinter().list(f.table, start + SEC / 2));
    }

    @Test
    void extendedOutputNamesIpv6AsFamily10() {
        String out = new ConntrackPrinter().extended(true).list(f.table, start + SEC / 2);
        assertEquals(List.of("ipv6     10 " + UDP, "ipv6     10 " + ICMPV6, "ipv6     10 " + UNKNOWN, "ipv4     2 " + ICMP),
                out.lines().toList());
    }

    @Test
    void listingWithoutAFamilyShowsBoth() {
        ConntrackTool.Result r = tool("-L");
        assertEquals(4, r.stdout().lines().count());
        assertEquals("conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.\n", r.stderr());
    }

    @Test
    void familyIpv6ListsOnlyIpv6Entries() {
        assertEquals(UDP + "\n" + ICMPV6 + "\n" + UNKNOWN + "\n", tool("-L", "-f", "ipv6").stdout());
    }

    @Test
    void familyIpv4ListsOnlyIpv4Entries() {
        assertEquals(ICMP + "\n", tool("-L", "-f", "ipv4").stdout());
    }

    @Test
    void ipv6SourceFilterMatchesTheFullAddress() {
        assertEquals(3, tool("-L", "-s", "fd00:6::1").stdout().lines().count());
        assertEquals(0, tool("-L", "-s", "fd00:6::3").stdout().lines().count());
        assertEquals(3, tool("-L", "-q", "fd00:6::1").stdout().lines().count());
    }

    @Test
    void protocolIcmpv6IsKnownByName() {
        assertEquals(ICMPV6 + "\n", tool("-L", "-p", "icmpv6").stdout());
    }

    @Test
    void addressOfTheOtherFamilyThanFIsMismatched() {
        ConntrackTool.Result r = tool("-L", "-f", "ipv4", "-s", "fd00:6::1");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().startsWith("conntrack v1.4.7 (conntrack-tools): mismatched address family\n"), r.stderr());
    }

    @Test
    void unknownFamilyIsAnUnsupportedProtocol() {
        ConntrackTool.Result r = tool("-L", "-f", "bogus");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().startsWith("conntrack v1.4.7 (conntrack-tools): `bogus' unsupported protocol\n"), r.stderr());
    }

    @Test
    void deleteByIpv6DestinationKillsOnlyThoseEntries() {
        assertEquals(0, tool("-D", "-d", "fd00:6::2").exitCode());
        assertEquals(ICMP + "\n", tool("-L").stdout());
    }
}

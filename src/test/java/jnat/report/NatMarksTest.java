package jnat.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rewritten fields, from tcpdump's lines before and after (the seed article's lines). */
class NatMarksTest {
    static final String SYN_IN = "06:7c:16:88:fe:87 > 56:00:04:7c:7c:23, ethertype IPv4 (0x0800), length 78: "
            + "114.246.99.100.60677 > 45.77.200.180.10000: Flags [S], seq 2189230313, win 65535, length 0";
    static final String SYN_OUT = "02:42:d5:35:3a:3c > 02:42:ac:11:00:02, ethertype IPv4 (0x0800), length 78: "
            + "114.246.99.100.60677 > 172.17.0.2.8000: Flags [S], seq 2189230313, win 65535, length 0";

    static String marked(String line, int[] m) {
        StringBuilder b = new StringBuilder();
        int at = 0;
        for (int i = 0; i < m.length; i += 3) {
            b.append(line, at, m[i]).append('[').append("sdi".charAt(m[i + 2])).append(':').append(line, m[i], m[i + 1]).append(']');
            at = m[i + 1];
        }
        return b.append(line.substring(at)).toString();
    }

    @Test
    void dnatMarksTheDestinationAddressAndPort() {
        assertTrue(marked(SYN_OUT, NatMarks.marks(SYN_IN, SYN_OUT)).endsWith(
                "114.246.99.100.60677 > [d:172.17.0.2].[d:8000]: Flags [S], seq 2189230313, win 65535, length 0"));
    }

    @Test
    void masqueradeOfAnEchoMarksTheSourceAddressButNotTheUnchangedId() {
        String in = "02:42:ac:11:00:02 > 02:42:d5:35:3a:3c, ethertype IPv4 (0x0800), length 98: 172.17.0.2 > 8.8.8.8: ICMP echo request, id 28, seq 265, length 64";
        String out = "56:00:04:7c:7c:23 > 06:7c:16:88:fe:87, ethertype IPv4 (0x0800), length 98: 45.77.200.180 > 8.8.8.8: ICMP echo request, id 28, seq 265, length 64";
        assertEquals("56:00:04:7c:7c:23 > 06:7c:16:88:fe:87, ethertype IPv4 (0x0800), length 98: [s:45.77.200.180] > 8.8.8.8: ICMP echo request, id 28, seq 265, length 64",
                marked(out, NatMarks.marks(in, out)));
    }

    @Test
    void aRemappedEchoIdIsMarked() {
        String in = "IP 172.17.0.3 > 8.8.8.8: ICMP echo request, id 28, seq 1, length 64";
        String out = "IP 45.77.200.180 > 8.8.8.8: ICMP echo request, id 1024, seq 1, length 64";
        assertEquals("IP [s:45.77.200.180] > 8.8.8.8: ICMP echo request, [i:id 1024], seq 1, length 64", marked(out, NatMarks.marks(in, out)));
    }

    @Test
    void ipv6AddressesAndPortsAreToldApartAtTheLastDot() {
        String in = "IP6 fd49:efd7:54aa::2.40000 > 2001:db8:1::8.443: Flags [S], seq 1000, win 64240, length 0";
        String out = "IP6 2001:db8::10.40000 > 2001:db8:1::8.443: Flags [S], seq 1000, win 64240, length 0";
        assertEquals("IP6 [s:2001:db8::10].40000 > 2001:db8:1::8.443: Flags [S], seq 1000, win 64240, length 0", marked(out, NatMarks.marks(in, out)));
    }

    @Test
    void aPacketForwardedUnchangedHasNoMarks() {
        assertArrayEquals(NatMarks.NONE, NatMarks.marks(SYN_OUT, SYN_OUT.replace("02:42:d5:35:3a:3c", "56:00:04:7c:7c:23")));
        assertArrayEquals(NatMarks.NONE, NatMarks.marks("ARP, Request who-has 172.17.0.1 tell 172.17.0.2, length 28", "IP 1.2.3.4 > 5.6.7.8: ICMP"));
    }

    @Test
    void conntracksLinesNameTheTranslation() {
        assertEquals("DNAT to 172.17.0.2:8000", ReportWriter.natOf("tcp      6 120 TIME_WAIT src=114.246.99.100 dst=45.77.200.180 sport=60677 "
                + "dport=10000 src=172.17.0.2 dst=114.246.99.100 sport=8000 dport=60677 [ASSURED] mark=0 use=1"));
        assertEquals("SNAT to 45.77.200.180", ReportWriter.natOf("icmp     1 30 src=172.17.0.2 dst=8.8.8.8 type=8 code=0 id=28 "
                + "src=8.8.8.8 dst=45.77.200.180 type=0 code=0 id=28 mark=0 use=1"));
        assertEquals("SNAT to 45.77.200.180:1024", ReportWriter.natOf("udp      17 30 src=172.17.0.2 dst=8.8.8.8 sport=5353 dport=53 "
                + "src=8.8.8.8 dst=45.77.200.180 sport=53 dport=1024 mark=0 use=1"));
        assertEquals("", ReportWriter.natOf("udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5 mark=0 use=1"));
    }

    @Test
    void aListingLineMovedWhenItsPacketsAreNotZero() {
        assertTrue(ReportWriter.moved("    3   211 MASQUERADE  all  --  *      !docker0  172.17.0.0/16        0.0.0.0/0"));
        assertFalse(ReportWriter.moved("    0     0 RETURN     all  --  docker0 *       0.0.0.0/0            0.0.0.0/0"));
        assertTrue(ReportWriter.moved("Chain POSTROUTING (policy ACCEPT 33 packets, 2238 bytes)"));
        assertFalse(ReportWriter.moved("Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)"));
        assertFalse(ReportWriter.moved("Chain DOCKER (2 references)"));
        assertFalse(ReportWriter.moved(" pkts bytes target     prot opt in     out     source               destination"));
    }
}

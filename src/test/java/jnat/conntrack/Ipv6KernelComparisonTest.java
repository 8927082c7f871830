package jnat.conntrack;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link KernelComparisonTest}'s traffic over IPv6 (ping -6, three TCP connections, three UDP
 * flows, a raw protocol-253 packet) with an IPv4 ping beside it: the real conntrack's listings
 * of both families, of -f ipv6 (plain and -o extended) and of -p icmpv6 must be ours.
 */
class Ipv6KernelComparisonTest {
    @Test
    void ourIpv6ListingsOfReplayedTrafficEqualTheKernels() throws Exception {
        String ours = KernelComparisonTest.replay(KernelComparisonTest.IPV6, List.of(
                List.of("-L", "-f", "ipv6"),
                List.of("-L"),
                List.of("-L", "-f", "ipv6", "-o", "extended"),
                List.of("-L", "-o", "extended"),
                List.of("-L", "-p", "icmpv6")));
        int n = (int) ours.lines().count();
        assertEquals(8, n, "ping -6, 3 TCP, 3 UDP, 1 other: " + ours);
        assertTrue(ours.contains("icmpv6   58 "), ours);
        assertTrue(ours.contains(" ESTABLISHED "), ours);
        assertTrue(ours.contains(" CLOSE "), ours);
        assertTrue(ours.contains(" TIME_WAIT "), ours);
    }
}

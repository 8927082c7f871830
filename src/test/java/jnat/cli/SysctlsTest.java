package jnat.cli;

import jnat.nat.NfCtFrag6;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --sysctl's IPv6 settings: nf_defrag_ipv6's two sysctls and net.ipv6.icmp.ratelimit, as sysctl -w names them. */
class SysctlsTest {
    @Test
    void theIpv6ReassemblySysctlsSetNfCtFrag6sConfig() {
        Sysctls.Settings s = Sysctls.parse(List.of("net.netfilter.nf_conntrack_frag6_timeout=5",
                "net/netfilter/nf_conntrack_frag6_high_thresh=65536"));
        assertEquals(5_000_000_000L, s.defrag6().timeoutNanos());
        assertEquals(65536, s.defrag6().highThresh());
        assertEquals(jnat.nat.IpDefrag.Config.defaults(), s.defrag(), "IPv4's reassembly untouched");
    }

    @Test
    void withoutThemNfCtFrag6HasTheKernelsDefaults() {
        assertEquals(NfCtFrag6.Config.defaults(), Sysctls.parse(List.of()).defrag6());
        assertEquals(60_000_000_000L, NfCtFrag6.Config.defaults().timeoutNanos(), "IPV6_FRAG_TIMEOUT");
    }

    @Test
    void theIpv6IcmpRatelimitIsTaken() {
        assertEquals(250, Sysctls.parse(List.of("net.ipv6.icmp.ratelimit=250")).icmp().ratelimit6Ms());
    }

    @Test
    void aBadIpv6ReassemblyValueIsAUsageError() {
        UsageError e = assertThrows(UsageError.class, () -> Sysctls.parse(List.of("net.netfilter.nf_conntrack_frag6_timeout=soon")));
        assertTrue(e.getMessage().contains("nf_conntrack_frag6_timeout: not a number: soon"), e.getMessage());
        assertThrows(UsageError.class, () -> Sysctls.parse(List.of("net.netfilter.nf_conntrack_frag6_high_thresh=-1")));
    }
}

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

    @Test
    void nfConntrackMaxAndChecksumAreTaken() {
        Sysctls.Settings s = Sysctls.parse(List.of("net.netfilter.nf_conntrack_max=4096", "net/netfilter/nf_conntrack_checksum=0"));
        assertEquals(4096, s.conntrackMax());
        assertEquals(0, s.conntrackChecksum());
        Sysctls.Settings none = Sysctls.parse(List.of());
        assertEquals(-1, none.conntrackMax(), "not set: the option's or the default");
        assertEquals(-1, none.conntrackChecksum());
    }

    @Test
    void anNfConntrackMaxBelowOneIsRefusedAsSysctlRefusesIt() {
        UsageError e = assertThrows(UsageError.class, () -> Sysctls.parse(List.of("net.netfilter.nf_conntrack_max=0")));
        assertTrue(e.getMessage().contains("setting key \"net.netfilter.nf_conntrack_max\": Invalid argument"), e.getMessage());
    }

    @Test
    void aSysctlFileIsReadAsSysctlPReadsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("sysctl.conf");
        java.nio.file.Files.writeString(f, "# a comment\n; another\n\nnet.ipv4.icmp_ratelimit = 0\n  net.ipv6.icmp.ratelimit=250 \n");
        assertEquals(List.of("net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=250"), Sysctls.readFile(f));
    }

    @Test
    void aSysctlFileLineWithoutEqualsIsAUsageErrorNamingTheLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("sysctl.conf");
        java.nio.file.Files.writeString(f, "net.ipv4.icmp_ratelimit = 0\nnet.ipv4.ip_forward\n");
        UsageError e = assertThrows(UsageError.class, () -> Sysctls.readFile(f));
        assertEquals(f + ":2: expected NAME = VALUE, not net.ipv4.ip_forward", e.getMessage());
    }
}

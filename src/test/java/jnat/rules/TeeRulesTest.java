package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static jnat.rules.RealIptables.cmd;
import static jnat.rules.RealIptables.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * -j TEE (libxt_TEE.c, xt_TEE.c) as iptables and ip6tables 1.8.9 parse, list and save it, in every
 * table (TEE has no table or hook restriction), with and without --oif; and the rules they refuse,
 * the kernel's gateway 0.0.0.0 / :: among them. What the copies do is {@code TeeKernelTest}'s.
 */
class TeeRulesTest {
    static final List<String> FILTER4 = List.of(
            "-A INPUT -j TEE --gateway 1.1.1.1",
            "-A FORWARD -p udp -j TEE --gateway 10.0.0.1 --oif eth0",
            "-A OUTPUT -j TEE --gateway 127.0.0.1",
            "-A OUTPUT -j TEE --gateway 198.51.100.1 --oif abcdefghijklmnopqrstu");
    static final List<String> MANGLE4 = List.of(
            "-A PREROUTING -j TEE --gateway 198.51.100.1",
            "-A INPUT -p tcp --dport 22 -j TEE --gateway 203.0.113.7",
            "-A POSTROUTING -o lo -j TEE --gateway 203.0.113.9 --oif nosuchdevice");
    static final List<String> RAW4 = List.of(
            "-A PREROUTING -j TEE --gateway 198.51.100.2",
            "-A OUTPUT -j TEE --gateway 198.51.100.3 --oif lo");

    static final List<String> FILTER6 = List.of(
            "-A INPUT -j TEE --gateway 2001:db8::1",
            "-A FORWARD -p udp -j TEE --gateway 2001:DB8:0:0:0:0:0:a --oif eth0",
            "-A OUTPUT -j TEE --gateway ::1",
            "-A OUTPUT -j TEE --gateway fe80::1 --oif abcdefghijklmnopqrstu");
    static final List<String> MANGLE6 = List.of(
            "-A PREROUTING -j TEE --gateway 2001:db8:1::2",
            "-A POSTROUTING -o lo -j TEE --gateway ::ffff:198.51.100.1 --oif nosuchdevice");
    static final List<String> RAW6 = List.of("-A OUTPUT -j TEE --gateway 2001:db8::3 --oif lo");

    @Test
    void iptablesListsAndSavesTeeAsIptables189() {
        ExtensionModulesTest.compare(false, FILTER4, MANGLE4, RAW4);
    }

    @Test
    void ip6tablesListsAndSavesTeeAsIp6tables189() {
        ExtensionModulesTest.compare(true, FILTER6, MANGLE6, RAW6);
    }

    @Test
    void badTeeRulesAreRefusedWithIptablesMessageAndExitCode() {
        Tools.require("iptables");
        List<String> bad = List.of(
                "-A INPUT -j TEE",
                "-A INPUT -j TEE ! --gateway 1.1.1.1",
                "-A INPUT -j TEE --gateway 1.1.1.1 --gateway 1.1.1.2",
                "-A INPUT -j TEE --gateway 1.1.1.1 --oif a --oif b",
                "-A INPUT -j TEE --oif eth0",
                "-A INPUT -j TEE --gateway ::1",
                "-t mangle -A PREROUTING -j TEE --gateway 0.0.0.0",
                "-t raw -A OUTPUT -j TEE --gateway 0.0.0.0 --oif lo");
        try (Netns ns = Netns.create("tee-bad")) {
            assertEquals(List.of(), RealIptables.refusalDifferences(ns, bad, Ruleset::new, false));
        }
    }

    /** ip6tables refuses ::, as the kernel does (EINVAL, exit 4), and an IPv4 gateway (getaddrinfo in AF_INET6). */
    @Test
    void ip6tablesRefusesTheUnspecifiedGatewayAndAnIpv4One() {
        Tools.require("ip6tables");
        try (Netns ns = Netns.create("tee-bad6")) {
            for (String rule : List.of("-t mangle -A PREROUTING -j TEE --gateway ::", "-A INPUT -j TEE --gateway 1.1.1.1")) {
                Tools.Result real = ns.exec(cmd("ip6tables", words(rule)));
                RuleError e = assertThrows(RuleError.class, () -> Iptables.run(new Ruleset(true), words(rule)));
                assertEquals(real.exitCode(), e.exitCode(), rule + ": " + real.stderr() + " / " + e.getMessage());
                String msg = real.stderr().lines().findFirst().orElse("").replace("ip6tables v1.8.9 (nf_tables): ", "").strip();
                assertEquals(true, e.getMessage().startsWith(msg), rule + ": real " + msg + ", jnat " + e.getMessage());
            }
        }
    }
}

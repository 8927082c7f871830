package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.rules.RealIptables.words;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * -j SYNPROXY as iptables and ip6tables 1.8.9 parse, list and save it (the documented ruleset and
 * every option, through the real tools in a namespace and through jnat, with ExtensionModulesTest's
 * rig), the rules the kernel's checkentry and x_tables refuse, and the engine's refusal to run it.
 */
class SynproxyRulesTest {
    static final List<String> FILTER = List.of(
            "-A INPUT -p tcp -m tcp --dport 42 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 9 --mss 1460",
            "-A INPUT -p tcp -m tcp --dport 80 -m state --state INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --mss 1460 --wscale 7",
            "-A INPUT -p tcp -m conntrack --ctstate INVALID -j DROP",
            "-A FORWARD -p tcp -j SYNPROXY",
            "-A FORWARD -p tcp -j SYNPROXY --ecn --mss 1 --wscale 14 --timestamp --sack-perm",
            "-A FORWARD -p tcp -j SYNPROXY --wscale 300 --mss 70000",
            "-A FORWARD -p tcp -j SYNPROXY --ti --sa --ws 0 --ms 0");
    static final List<String> MANGLE = List.of("-A INPUT -p tcp -j SYNPROXY --timestamp", "-A FORWARD -p 6 -j SYNPROXY --ecn");
    static final List<String> RAW = List.of("-A PREROUTING -p tcp -m tcp --syn -j CT --notrack");

    @Test
    void iptablesListsAndSavesSynproxyAsIptables189() {
        ExtensionModulesTest.compare(false, FILTER, MANGLE, RAW);
    }

    @Test
    void ip6tablesListsAndSavesSynproxyAsIp6tables189() {
        ExtensionModulesTest.compare(true, FILTER, MANGLE, RAW);
    }

    /** synproxy_tg4_check (-p tcp, not inverted), the INPUT|FORWARD hooks, libxt_SYNPROXY's option checks. */
    static final List<String> BAD = List.of(
            "-A INPUT -j SYNPROXY",
            "-A INPUT ! -p tcp -j SYNPROXY",
            "-A INPUT -p udp -j SYNPROXY",
            "-A OUTPUT -p tcp -j SYNPROXY",
            "-t mangle -A PREROUTING -p tcp -j SYNPROXY",
            "-t mangle -A POSTROUTING -p tcp -j SYNPROXY",
            "-t raw -A PREROUTING -p tcp -j SYNPROXY",
            "-A INPUT -p tcp -j SYNPROXY --mss x",
            "-A INPUT -p tcp -j SYNPROXY --mss 4294967296",
            "-A INPUT -p tcp -j SYNPROXY --wscale -1",
            "-A INPUT -p tcp -j SYNPROXY ! --ecn",
            "-A INPUT -p tcp -j SYNPROXY --mss 5 --mss 6",
            "-A INPUT -p tcp -j SYNPROXY --timestamp --timestamp");

    @Test
    void badRulesAreRefusedWithIptablesMessageAndExitCode() {
        Tools.require("iptables");
        List<String> wrong;
        try (Netns ns = Netns.create("spxb")) {
            wrong = RealIptables.refusalDifferences(ns, BAD, Ruleset::new, false);
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void synproxyTakesConntrackAsNfCtNetnsGetDoes() {
        Ruleset r = new Ruleset();
        Iptables.run(r, words("-A FORWARD -p tcp -j ACCEPT"));
        assertFalse(r.usesConntrack());
        Iptables.run(r, words("-A FORWARD -p tcp -j SYNPROXY --mss 1460"));
        assertTrue(r.usesConntrack());
    }

    @Test
    void theEngineTakesAnIp6tablesRulesetWithSynproxy() {
        Ruleset r = new Ruleset(true);
        Iptables.run(r, words("-A FORWARD -p tcp -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460"));
        assertDoesNotThrow(() -> new jnat.nat.NatEngine(new jnat.host.Host(), new Ruleset()).setRuleset6(r));
    }

    @Test
    void theEngineTakesAnIptablesRulesetWithSynproxy() {
        Ruleset r = new Ruleset(false);
        Iptables.run(r, words("-A FORWARD -p tcp -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460"));
        assertDoesNotThrow(() -> new jnat.nat.NatEngine(new jnat.host.Host(), r));
    }
}

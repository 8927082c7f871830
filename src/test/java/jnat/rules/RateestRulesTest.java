package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * -j RATEEST and -m rateest loaded into iptables and ip6tables 1.8.9 and into jnat: the targets'
 * intervals and time constants as libxt_RATEEST rounds them, the matches' rates as libxt_rateest
 * prints them (bits, Kbit, Mbit; bytes with -n), every mode; bad rules refused with iptables'
 * message and exit code, including the kernel's (an estimator that no rule made: ENOENT; no mode,
 * or an estimator named again with other parameters: EINVAL).
 */
class RateestRulesTest {
    static final List<String> RULES = List.of(
            "-A INPUT -j RATEEST --rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms",
            "-A INPUT -j RATEEST --rateest-name RE2 --rateest-interval 1s --rateest-ewmalog 2s",
            "-A INPUT -j RATEEST --rateest-name long-name-of-20chars --rateest-interval 8s --rateest-ewmalog 10000s",
            "-A INPUT -j RATEEST --rateest-name RE3 --rateest-interval 300 --rateest-ewmalog 1.5s",
            "-A INPUT -j RATEEST --rateest-name RE4 --rateest-interval 2.5SEC --rateest-ewmalog 30000msecs",
            "-A INPUT -p udp -j RATEEST --rateest-name RE1 --rateest-interval 0.2s --rateest-ewmalog 0.5s",
            "-A INPUT -m rateest --rateest RE1 --rateest-lt --rateest-bps 8bit",
            "-A INPUT -m rateest --rateest RE1 --rateest-eq --rateest-pps 5",
            "-A INPUT -m rateest --rateest RE1 --rateest-gt --rateest-bps 5kbit",
            "-A INPUT -m rateest --rateest RE1 ! --rateest-gt --rateest-bps 4500",
            "-A INPUT -m rateest --rateest RE1 --rateest-gt --rateest-bps 36kbit",
            "-A INPUT -m rateest --rateest RE1 --rateest-gt --rateest-bps 1.5GBps",
            "-A INPUT -m rateest --rateest RE1 --rateest-lt --rateest-bps 4.5KiBps -j DROP",
            "-A INPUT -m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit",
            "-A INPUT -m rateest --rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2",
            "-A INPUT -m rateest --rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2",
            "-A INPUT -m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-eq --rateest-bps2 16bit",
            "-A INPUT -m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-gt --rateest-pps2 9",
            "-A INPUT -m rateest --rateest RE2 --rateest-pps --rateest-bps 1mbit --rateest-gt",
            "-A INPUT -m rateest --rateest1 RE2 ! --rateest-eq --rateest-pps --rateest2 RE3",
            "-A INPUT -m rateest --rateest long-name-of-20chars --rateest-eq --rateest-pps 0",
            "-A OUTPUT -j RATEEST --rateest-name out --rateest-interval 4s --rateest-ewmalog 8s",
            "-A OUTPUT -m rateest --rateest out --rateest-gt --rateest-bps 1Tibit");

    @Test
    void iptablesListsAndSavesRateestAsIptables189() {
        ExtensionModulesTest.compare(false, RULES, List.of(), List.of());
    }

    @Test
    void ip6tablesListsAndSavesRateestAsIp6tables189() {
        ExtensionModulesTest.compare(true, RULES, List.of(), List.of());
    }

    static final List<String> BAD = List.of(
            "-A INPUT -m rateest --rateest NOPE --rateest-eq --rateest-pps 0",
            "-A INPUT -m rateest --rateest RE1",
            "-A INPUT -m rateest --rateest RE1 --rateest-pps 3",
            "-A INPUT -m rateest",
            "-A INPUT -m rateest ! --rateest RE1",
            "-A INPUT -m rateest --rateest RE1 ! --rateest-bps 1 --rateest-eq",
            "-A INPUT -m rateest --rateest RE1 --rateest-eq --rateest-bps foo",
            "-A INPUT -m rateest --rateest RE1 --rateest-eq --rateest-pps 1x",
            "-A INPUT -m rateest --rateest RE1 --rateest-eq --rateest-eq --rateest-pps 1",
            "-A INPUT -m rateest --rateest RE1 --rateest RE1 --rateest-eq --rateest-pps 1",
            "-A INPUT -m rateest --rateest1 RE1 --rateest-eq --rateest-pps --rateest2 NOPE",
            "-A INPUT -j RATEEST --rateest-name RE1 --rateest-interval 1s --rateest-ewmalog 2s",
            "-A INPUT -j RATEEST --rateest-name X --rateest-interval 9s --rateest-ewmalog 20s",
            "-A INPUT -j RATEEST --rateest-name X --rateest-interval 1s --rateest-ewmalog 1",
            "-A INPUT -j RATEEST --rateest-name X --rateest-interval 1x --rateest-ewmalog 1",
            "-A INPUT -j RATEEST --rateest-name X --rateest-interval 1s --rateest-ewmalog 2y",
            "-A INPUT -j RATEEST --rateest-name X --rateest-interval 1s",
            "-A INPUT -j RATEEST --rateest-interval 1s --rateest-ewmalog 2s",
            "-A INPUT -j RATEEST --rateest-name X --rateest-name Y --rateest-interval 1s --rateest-ewmalog 2s");

    @Test
    void badRateestRulesAreRefusedAsIptablesRefusesThem() {
        Tools.require("iptables");
        List<String> wrong;
        try (Netns ns = Netns.create("rateest-bad")) {
            String first = "-A INPUT -j RATEEST --rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms";
            ns.exec(RealIptables.cmd("iptables", RealIptables.words(first))).checked();
            wrong = RealIptables.refusalDifferences(ns, BAD, () -> {
                Ruleset rs = new Ruleset();
                Iptables.run(rs, RealIptables.words(first));
                return rs;
            }, false);
        }
        assertEquals(List.of(), wrong);
    }
}

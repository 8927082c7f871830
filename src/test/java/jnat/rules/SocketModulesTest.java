package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.rules.RealIptables.cmd;
import static jnat.rules.RealIptables.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * -m owner, -m socket and -j TPROXY as iptables and ip6tables 1.8.9 parse, list and save them
 * (the same rules through the real tools in a namespace and through jnat: -S, -L, -L -n, -nvL and
 * -save of mangle), and the rules they refuse, with their messages and exit codes.
 */
class SocketModulesTest {
    static final List<String> MANGLE = List.of(
            "-A PREROUTING -p tcp -j TPROXY --on-port 15006 --tproxy-mark 1337/0xffffffff",
            "-A PREROUTING -p tcp -j TPROXY --on-port 15006 --tproxy-mark 0x1",
            "-A PREROUTING -p udp -j TPROXY --on-port 0 --tproxy-mark 0x5/0x7",
            "-A PREROUTING -p tcp -j TPROXY --on-p 53 --tp 3",
            "-A PREROUTING -p tcp -m socket --transparent --nowildcard --restore-skmark -j ACCEPT",
            "-A PREROUTING -p tcp -m socket -j ACCEPT",
            "-A PREROUTING -m socket --transparent",
            "-A INPUT -m socket --nowildcard -j MARK --set-mark 1",
            "-A INPUT -m socket --restore-skmark",
            "-A OUTPUT -m owner --uid-owner 1337 -j MARK --set-mark 1338",
            "-A OUTPUT -m owner ! --uid-owner 0 -j ACCEPT",
            "-A OUTPUT -m owner --uid-owner root --gid-owner root",
            "-A OUTPUT -m owner --uid-owner 10-20 ! --gid-owner 5-6",
            "-A OUTPUT -m owner --gid-owner 1337 --suppl-groups",
            "-A POSTROUTING -m owner --socket-exists",
            "-A POSTROUTING -m owner ! --socket-exists --uid-owner 1337 --gid-owner 10-20 --suppl-groups -j ACCEPT",
            "-A POSTROUTING -m owner --gid-owner 4294967294");

    static final List<String> MANGLE4 = List.of(
            "-A PREROUTING -p tcp -j TPROXY --on-port 15006 --on-ip 10.0.0.1",
            "-A PREROUTING -p tcp ! -f -j TPROXY --on-port http",
            "-A PREROUTING -d 198.51.100.0/24 -p udp -j TPROXY --on-ip 127.0.0.1 --on-port 53 --tproxy-mark 0x10/0x10");

    static final List<String> MANGLE6 = List.of(
            "-A PREROUTING -p tcp -j TPROXY --on-port 15006 --on-ip ::1",
            "-A PREROUTING -d 2001:db8::/32 -p udp -j TPROXY --on-ip 2001:db8::1 --on-port 53 --tproxy-mark 0x10/0x10");

    static final List<List<String>> LISTINGS = List.of(List.of("-S"), List.of("-L"), List.of("-L", "-n"), List.of("-nvL"));


    private static void compare(boolean ipv6, List<String> own) {
        String tool = ipv6 ? "ip6tables" : "iptables";
        Tools.require(tool);
        Ruleset ours = new Ruleset(ipv6);
        List<String> rules = new ArrayList<>(MANGLE);
        rules.addAll(own);
        try (Netns ns = Netns.create("tprm")) {
            for (String r : rules) {
                List<String> a = words("-t mangle " + r);
                ns.exec(cmd(tool, a)).checked();
                Iptables.run(ours, a);
            }
            for (List<String> l : LISTINGS) {
                List<String> a = new ArrayList<>(List.of("-t", "mangle"));
                a.addAll(l);
                assertEquals(Dumps.normaliseProt(ns.exec(cmd(tool, a)).checked().stdout()),
                        Dumps.normaliseProt(Dumps.run(ours, a.toArray(String[]::new))), tool + " " + a);
            }
            assertEquals(Dumps.withoutComments(ns.exec(tool + "-save", "-t", "mangle").checked().stdout()),
                    Dumps.withoutComments(ours.save("mangle", false, true)), tool + "-save -t mangle");
        }
    }

    @Test
    void iptablesListsAndSavesOwnerSocketAndTproxyAsIptables189() {
        compare(false, MANGLE4);
    }

    @Test
    void ip6tablesListsAndSavesOwnerSocketAndTproxyAsIp6tables189() {
        compare(true, MANGLE6);
    }

    /** Misuse iptables refuses: TPROXY outside mangle PREROUTING or without -p tcp|udp, owner and socket in the wrong hooks. */
    static final List<String> BAD = List.of(
            "-t nat -A PREROUTING -p tcp -j TPROXY --on-port 1",
            "-t mangle -A OUTPUT -p tcp -j TPROXY --on-port 1",
            "-t mangle -A PREROUTING -j TPROXY --on-port 1",
            "-t mangle -A PREROUTING ! -p tcp -j TPROXY --on-port 1",
            "-t mangle -A PREROUTING -p icmp -j TPROXY --on-port 1",
            "-t mangle -A PREROUTING -p tcp -j TPROXY",
            "-t mangle -A PREROUTING -p tcp -j TPROXY --on-port 1 --on-port 2",
            "-t mangle -A PREROUTING -p tcp -j TPROXY --on-port 1 --tproxy-mark x",
            "-t mangle -A PREROUTING -p tcp -j TPROXY --on-port 1 --tproxy-mark 1/x",
            "-t mangle -A INPUT -m owner --uid-owner 0",
            "-t mangle -A PREROUTING -m owner --uid-owner 0",
            "-A INPUT -m owner --gid-owner 0",
            "-t mangle -A OUTPUT -m socket",
            "-t mangle -A POSTROUTING -m socket --transparent",
            "-t mangle -A OUTPUT -m owner",
            "-t mangle -A OUTPUT -m owner --uid-owner nosuchuser",
            "-t mangle -A OUTPUT -m owner --uid-owner 5 --uid-owner 6",
            "-t mangle -A OUTPUT -m owner --suppl-groups",
            "-t mangle -A OUTPUT -m owner --uid-owner 20-10",
            "-t mangle -A OUTPUT -m owner --gid-owner 7-6",
            "-t mangle -A OUTPUT -m owner --uid-owner 4294967295");

    private static final String PREFIX = "iptables v1.8.9 (nf_tables): ";

    @Test
    void misuseIsRefusedWithIptablesMessageAndExitCode() {
        Tools.require("iptables");
        List<String> wrong;
        try (Netns ns = Netns.create("tprb")) {
            ns.exec("iptables", "-t", "mangle", "-N", "X").checked();
            wrong = RealIptables.refusalDifferences(ns, BAD, Ruleset::new, false);
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void tproxyInAUserChainIsCheckedWhenPreroutingReachesIt() {
        Tools.require("iptables");
        try (Netns ns = Netns.create("tprc")) {
            Ruleset ours = new Ruleset();
            for (String r : List.of("-t mangle -N DIVERT", "-t mangle -A DIVERT -p tcp -j TPROXY --on-port 15006",
                    "-t mangle -A PREROUTING -j DIVERT")) {
                ns.exec(cmd("iptables", words(r))).checked();
                Iptables.run(ours, words(r));
            }
            Tools.Result real = ns.exec(cmd("iptables", words("-t mangle -A INPUT -j DIVERT")));
            RuleError e = org.junit.jupiter.api.Assertions.assertThrows(RuleError.class,
                    () -> Iptables.run(ours, words("-t mangle -A INPUT -j DIVERT")));
            // iptables-nft names the chain appended to (INPUT), not the one holding the target (DIVERT)
            String msg = real.stderr().lines().findFirst().orElse("").replace(PREFIX, "").strip();
            assertEquals("RULE_APPEND failed (Invalid argument): rule in chain INPUT", msg);
            assertEquals(msg, e.getMessage());
            assertEquals(real.exitCode(), e.exitCode());
        }
    }
}

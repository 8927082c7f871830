package jnat.rules;

import jnat.ipset.IpSetCore;
import jnat.ipset.Ipset;
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
 * -m set and -j SET loaded into the real iptables and ip6tables 1.8.9 (after the same ipset
 * creates in the namespace) and into jnat: -S, -L, -L -n, -nvL and the save byte for byte; bad
 * rules refused with iptables' message and exit code; the rules' references as ipset lists them.
 */
class SetRulesTest {
    static final List<String> SETS = List.of("create ips hash:ip initval 1", "create nets hash:net initval 2",
            "create ipport hash:ip,port initval 3", "create netport hash:net,port counters initval 4",
            "create ips6 hash:ip family inet6 initval 5", "create nets6 hash:net family inet6 initval 6",
            "create ipport6 hash:ip,port family inet6 initval 7", "create ports bitmap:port range 1-1024 counters",
            "create ipportip hash:ip,port,ip initval 8", "create ifaces hash:net,iface initval 9",
            "create ifaces6 hash:net,iface family inet6 initval 10", "create both list:set", "add both ips", "add both ips6", "add both ipport before ips");

    static final List<String> RULES4 = List.of(
            "-A INPUT -m set --match-set ips src",
            "-A INPUT -m set ! --match-set nets dst -j DROP",
            "-A INPUT -m set --match-set ipport src,dst --return-nomatch",
            "-A INPUT -m set --match-set netport dst,dst ! --update-counters ! --update-subcounters",
            "-A INPUT -m set --match-set netport src,src --packets-eq 5 --bytes-gt 100",
            "-A INPUT -m set --match-set netport src,dst ! --packets-eq 0 --bytes-lt 7",
            "-A INPUT -m set --match-set ips src,dst,src -j ACCEPT",
            "-A INPUT -p tcp -m set --match-set ips src -m set --match-set nets dst",
            "-A FORWARD -j SET --add-set ips src",
            "-A FORWARD -j SET --add-set ipport src,dst --exist --timeout 600",
            "-A FORWARD -j SET --del-set nets dst",
            "-A FORWARD -j SET --add-set ips dst --del-set nets src",
            "-A FORWARD -j SET --add-set netport dst,src --timeout 0",
            "-A OUTPUT -m set --set ips dst",
            "-A OUTPUT -p tcp -m set --match-set ports dst -j SET --add-set ports src --exist",
            "-A OUTPUT -m set --match-set both dst,dst -j SET --add-set both src",
            "-A INPUT -m set --match-set ipportip src,dst,dst -j SET --del-set ipportip src,dst,dst",
            "-A FORWARD -m set ! --match-set ifaces src,dst -j SET --add-set ifaces dst,src");

    static final List<String> RULES6 = List.of(
            "-A INPUT -m set --match-set ips6 src",
            "-A INPUT -m set ! --match-set nets6 dst -j DROP",
            "-A INPUT -m set --match-set ipport6 src,dst --return-nomatch",
            "-A FORWARD -j SET --add-set ips6 src --exist",
            "-A FORWARD -j SET --del-set ipport6 dst,dst",
            "-A OUTPUT -m set ! --match-set ports src --bytes-eq 3",
            "-A OUTPUT -m set --match-set both src",
            "-A FORWARD -m set --match-set ifaces6 dst,src");


    private static IpSetCore sets(Netns ns) {
        IpSetCore core = new IpSetCore();
        for (String s : SETS) {
            ns.exec(cmd("ipset", words(s))).checked();
            assertEquals(0, Ipset.run(core, words(s), null).exitCode(), s);
        }
        return core;
    }

    @Test
    void rulesListAndSaveAsIptablesAndIp6tables189() {
        Tools.require("iptables");
        Tools.require("ipset");
        try (Netns ns = Netns.create("setrul")) {
            IpSetCore core = sets(ns);
            for (boolean ipv6 : new boolean[] {false, true}) {
                String tool = ipv6 ? "ip6tables" : "iptables";
                Ruleset ours = new Ruleset(ipv6);
                ours.sets = core;
                for (String r : ipv6 ? RULES6 : RULES4) {
                    ns.exec(cmd(tool, words(r))).checked();
                    Iptables.run(ours, words(r));
                }
                for (List<String> l : List.of(List.of("-S"), List.of("-L"), List.of("-L", "-n"), List.of("-nvL"))) {
                    assertEquals(Dumps.normaliseProt(ns.exec(cmd(tool, l)).checked().stdout()),
                            Dumps.normaliseProt(Dumps.run(ours, l.toArray(String[]::new))), tool + " " + l);
                }
                assertEquals(Dumps.withoutComments(ns.exec(tool + "-save", "-t", "filter").checked().stdout()),
                        Dumps.withoutComments(ours.save("filter", false, true)), tool + "-save");
                XtNet net = new XtNet();
                net.bind(ours);
            }
        }
    }

    @Test
    void referencesAreTheRulesNamingTheSetAndKeepItFromBeingDestroyed() {
        Tools.require("iptables");
        Tools.require("ipset");
        try (Netns ns = Netns.create("setref")) {
            IpSetCore core = sets(ns);
            Ruleset v4 = new Ruleset(false), v6 = new Ruleset(true);
            v4.sets = v6.sets = core;
            for (String r : RULES4) {
                ns.exec(cmd("iptables", words(r))).checked();
                Iptables.run(v4, words(r));
            }
            for (String r : RULES6) {
                ns.exec(cmd("ip6tables", words(r))).checked();
                Iptables.run(v6, words(r));
            }
            XtNet net = new XtNet();
            net.bind(v4);
            net.bind(v6);
            assertEquals(ns.exec("ipset", "list", "-t").checked().stdout(), Ipset.run(core, List.of("list", "-t"), null).out());
            Tools.Result real = ns.exec("ipset", "destroy", "ips");
            Ipset.Result ours = Ipset.run(core, List.of("destroy", "ips"), null);
            assertEquals(real.exitCode() + real.stderr(), ours.exitCode() + ours.err());
        }
    }

    static final List<String> BAD = List.of(
            "-A INPUT -m set --match-set nosuch src",
            "-A INPUT -m set --match-set ips6 src",
            "-A INPUT -m set --match-set ips",
            "-A INPUT -m set --match-set ips -j ACCEPT",
            "-A INPUT -m set --match-set ips foo",
            "-A INPUT -m set --match-set ips src,dst,src,dst,src,dst,src",
            "-A INPUT -m set --match-set ips src --match-set nets dst",
            "-A INPUT -m set --match-set ips src ! --return-nomatch",
            "-A INPUT -m set --match-set ips src --packets-eq 1 --packets-lt 2",
            "-A INPUT -m set --match-set ips src ! --packets-gt 1",
            "-A INPUT -m set --match-set ips src --bytes-eq x",
            "-A INPUT -m set",
            "-A INPUT -m set --match-set aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa src",
            "-A INPUT -j SET",
            "-A INPUT -j SET --add-set nosuch src",
            "-A INPUT -j SET --del-set ips src --exist",
            "-A INPUT -j SET --del-set ips src --timeout 5",
            "-A INPUT -j SET --add-set ips src --timeout x",
            "-A INPUT -j SET --add-set ips src --add-set nets dst",
            "-A INPUT -j SET --add-set ips");

    @Test
    void badRulesAreRefusedWithIptablesMessageAndExitCode() {
        Tools.require("iptables");
        Tools.require("ipset");
        List<String> wrong;
        try (Netns ns = Netns.create("setbad")) {
            IpSetCore core = sets(ns);
            wrong = RealIptables.refusalDifferences(ns, BAD, () -> {
                Ruleset ours = new Ruleset();
                ours.sets = core;
                return ours;
            }, true);
        }
        assertEquals(List.of(), wrong);
    }
}

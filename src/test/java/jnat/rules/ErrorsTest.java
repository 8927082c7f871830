package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands iptables refuses: jnat refuses them with iptables' own message and exit code, and
 * leaves the rules as they were. The same commands run against real iptables in a namespace.
 */
class ErrorsTest {
    /** Rules every case starts from: chain A referenced from PREROUTING, chain Q with a rule. */
    static final List<List<String>> SETUP = List.of(
            List.of("-t", "nat", "-N", "A"),
            List.of("-t", "nat", "-N", "Q"),
            List.of("-t", "nat", "-A", "Q", "-j", "RETURN"),
            List.of("-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "80", "-j", "A"));

    record Case(String message, int exitCode, List<String> argv) {
        Case withTable(String table) {
            List<String> a = new ArrayList<>(argv);
            a.set(1, table);
            return new Case(message, exitCode, a);
        }

        @Override
        public String toString() {
            return String.join(" ", argv);
        }
    }

    static Case c(String message, int exitCode, String... argv) {
        List<String> a = new ArrayList<>(List.of("-t", "nat"));
        a.addAll(List.of(argv));
        return new Case(message, exitCode, a);
    }

    static Stream<Case> cases() {
        return Stream.of(
                c("unknown option \"--foo\"", 2, "-A", "PREROUTING", "--foo"),
                c("unknown option \"--dport\"", 2, "-A", "PREROUTING", "--dport", "80", "-j", "ACCEPT"),
                c("Couldn't load match `nope':No such file or directory", 2, "-A", "PREROUTING", "-m", "nope"),
                c("host/network `1.2.3.999' not found", 2, "-A", "PREROUTING", "-s", "1.2.3.999", "-j", "ACCEPT"),
                c("invalid port/service `99999' specified", 2, "-A", "PREROUTING", "-p", "tcp", "--dport", "99999"),
                c("Port `99999' not valid", 2, "-A", "PREROUTING", "-p", "tcp", "-j", "DNAT", "--to-destination", "1.2.3.4:99999"),
                // found by jnat.fuzz.RulesFuzzTest: was accepted, and its save could not be read back
                c("Bad IP address \"\"", 2, "-A", "PREROUTING", "-p", "tcp", "-j", "DNAT", "--to-destination", ""),
                c("Bad IP address \"\"", 2, "-A", "POSTROUTING", "-j", "SNAT", "--to-source", ""),
                c("Chain 'NOPE' does not exist", 2, "-A", "PREROUTING", "-j", "NOPE"),
                c("CHAIN_DEL failed (Device or resource busy): chain A", 4, "-X", "A"),
                c("CHAIN_DEL failed (Device or resource busy): chain Q", 4, "-X", "Q"),
                c("Chain already exists.", 1, "-N", "A"),
                c("No chain/target/match by that name.", 1, "-A", "NOPE", "-j", "ACCEPT"),
                c("No chain/target/match by that name.", 1, "-F", "NOPE"),
                c("Index of deletion too big.", 1, "-D", "PREROUTING", "9"),
                c("Index of insertion too big.", 1, "-I", "PREROUTING", "9", "-j", "ACCEPT"),
                c("Index of replacement too big.", 1, "-R", "PREROUTING", "9", "-j", "ACCEPT"),
                c("Bad rule (does a matching rule exist in that chain?).", 1, "-D", "PREROUTING", "-j", "ACCEPT"),
                c("Bad rule (does a matching rule exist in that chain?).", 1, "-C", "PREROUTING", "-j", "ACCEPT"),
                c("Bad built-in chain name.", 1, "-P", "A", "ACCEPT"),
                c("Bad policy name.", 1, "-P", "INPUT", "FOO"),
                c("File exists.", 1, "-E", "A", "Q"),
                c("Can't use -o with PREROUTING", 2, "-A", "PREROUTING", "-o", "eth0", "-j", "ACCEPT"),
                c("Can't use -i with POSTROUTING", 2, "-A", "POSTROUTING", "-i", "eth0", "-j", "ACCEPT"),
                c("The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.", 2,
                        "-A", "PREROUTING", "-j", "DROP"),
                c("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'", 2,
                        "-A", "PREROUTING", "-m", "multiport", "--dports", "80"),
                c("Need TCP, UDP, SCTP or DCCP with port specification", 2,
                        "-A", "PREROUTING", "-j", "DNAT", "--to-destination", "1.2.3.4:80"),
                c("unknown protocol \"foo\" specified", 2, "-A", "PREROUTING", "-p", "foo"),
                c("interface name `0123456789abcdefgh' must be shorter than IFNAMSIZ (15)", 2,
                        "-A", "PREROUTING", "-i", "0123456789abcdefgh"),
                c("statistic: option \"--mode\" cannot be inverted.", 2,
                        "-A", "PREROUTING", "-m", "statistic", "!", "--mode", "random", "--probability", "0.5"),
                c("statistic: option \"--every\" also requires \"--packet\".", 2,
                        "-A", "PREROUTING", "-m", "statistic", "--mode", "nth", "--every", "2"),
                c("The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.", 2,
                        "-P", "OUTPUT", "DROP"),
                c("TCP match requires '-p tcp'", 2, "-A", "PREROUTING", "-m", "tcp", "--dport", "80"),
                c("UDP match requires '-p udp'", 2, "-A", "PREROUTING", "-p", "tcp", "-m", "udp", "--dport", "80"),
                c("table 'foo' does not exist", 3, "-L").withTable("foo"),
                c("chain name may not clash with target name", 2, "-N", "DNAT"),
                c("No chain/target/match by that name.", 1, "-X", "NOPE"),
                c("multiple -j flags not allowed", 2, "-A", "PREROUTING", "-j", "ACCEPT", "-j", "RETURN"),
                c("! not allowed with multiple source or destination IP addresses", 2,
                        "-A", "PREROUTING", "!", "-s", "1.1.1.1,2.2.2.2", "-j", "ACCEPT"),
                c("Bad argument `INPUT'", 2, "-L", "-n", "INPUT"),
                c("no command specified", 2, "-p", "tcp"),
                c("Bad state \"FOO\"", 2, "-A", "PREROUTING", "-m", "state", "--state", "NEW,FOO"),
                c("state: option \"--state\" must be specified", 2, "-A", "PREROUTING", "-m", "state"),
                c("length: bad value for option \"--length\" near \"70000\", or out of range (0-65535).", 2,
                        "-A", "PREROUTING", "-m", "length", "--length", "70000"),
                c("length: bad value for option \"--length\" near \"70000\", or out of range (0-65535).", 2,
                        "-A", "PREROUTING", "-m", "length", "--length", "10:70000"),
                c("length: option \"--length\" must be specified", 2, "-A", "PREROUTING", "-m", "length"));
    }

    private static Ruleset setUp() {
        Ruleset rs = new Ruleset();
        for (List<String> a : SETUP) Iptables.run(rs, a);
        return rs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithIptablesMessageAndNothingChanged(Case k) {
        Ruleset rs = setUp();
        String before = rs.save(null, true, false);
        RuleError e = assertThrows(RuleError.class, () -> Iptables.run(rs, k.argv()));
        assertEquals(k.message(), e.getMessage());
        assertEquals(k.exitCode(), e.exitCode());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(before, rs.save(null, true, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void realIptablesGivesTheSameMessageAndExitCode(Case k) {
        Tools.require("iptables");
        try (Netns ns = Netns.create("rules-err")) {
            for (List<String> a : SETUP) ns.exec(cmd(a)).checked();
            Tools.Result r = ns.exec(cmd(k.argv()));
            assertEquals(k.exitCode(), r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains(k.message()), r.stderr());
        }
    }

    private static String[] cmd(List<String> argv) {
        List<String> c = new ArrayList<>(List.of("iptables"));
        c.addAll(argv);
        return c.toArray(String[]::new);
    }

    @Test
    void moduleLinuxHasButJnatLacksIsNamed() {
        RuleError e = assertThrows(RuleError.class,
                () -> Iptables.run(setUp(), List.of("-t", "nat", "-A", "PREROUTING", "-m", "ipvs", "--ipvs")));
        assertEquals("match `ipvs' is not supported by jnat: jnat has no IPVS", e.getMessage());
    }

    @Test
    void targetLinuxHasButJnatLacksIsNamed() {
        RuleError e = assertThrows(RuleError.class,
                () -> Iptables.run(setUp(), List.of("-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "-j", "LED")));
        assertEquals("target `LED' is not supported by jnat: jnat has no LED triggers", e.getMessage());
    }

    @Test
    void loopThroughUserChainsIsRefused() {
        Ruleset rs = setUp();
        Iptables.run(rs, List.of("-t", "nat", "-A", "A", "-j", "Q"));
        String before = rs.save(null, true, false);
        RuleError e = assertThrows(RuleError.class, () -> Iptables.run(rs, List.of("-t", "nat", "-A", "Q", "-j", "A")));
        assertTrue(e.getMessage().startsWith("Too many levels of symbolic links"), e.getMessage());
        assertEquals(before, rs.save(null, true, false), "the refused rule was left in Q");
    }

    @Test
    void natTargetInAHookTheKernelRefusesIsRefused() {
        RuleError e = assertThrows(RuleError.class,
                () -> Iptables.run(setUp(), List.of("-t", "nat", "-A", "POSTROUTING", "-p", "tcp", "-j", "DNAT",
                        "--to-destination", "1.2.3.4")));
        assertEquals("DNAT target is not valid in chain POSTROUTING", e.getMessage());
    }

    @Test
    void natTargetReachedThroughAUserChainFromAWrongHookIsRefused() {
        Ruleset rs = setUp();
        Iptables.run(rs, List.of("-t", "nat", "-A", "Q", "-j", "MASQUERADE"));
        String before = rs.save(null, true, false);
        RuleError e = assertThrows(RuleError.class,
                () -> Iptables.run(rs, List.of("-t", "nat", "-A", "OUTPUT", "-j", "Q")));
        assertEquals("MASQUERADE target is not valid in chain OUTPUT (reached through chain Q)", e.getMessage());
        assertEquals(before, rs.save(null, true, false), "the refused rule was left in OUTPUT"); // found by fuzzing
    }

    @Test
    void restoreWithoutCommitNamesTheLine() {
        RuleError e = assertThrows(RuleError.class,
                () -> Restore.apply(new Ruleset(), "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j ACCEPT\n", false, false));
        assertEquals("COMMIT expected at line 4", e.getMessage());
    }

    @Test
    void restoreWithABadLineNamesTheLineAndTheProblem() {
        RuleError e = assertThrows(RuleError.class,
                () -> Restore.apply(new Ruleset(), "*nat\n-A PREROUTING -j ACCEPT\nbogus line\nCOMMIT\n", false, false));
        assertEquals("line 3: Bad argument `bogus'", e.getMessage());
    }

    @Test
    void restoreWithAnUnknownTableNamesIt() {
        RuleError e = assertThrows(RuleError.class, () -> Restore.apply(new Ruleset(), "*nosuch\nCOMMIT\n", false, false));
        assertEquals("line 1: table name 'nosuch' invalid", e.getMessage());
    }

    @Test
    void restoreWithARuleBeforeATableNamesTheLine() {
        RuleError e = assertThrows(RuleError.class, () -> Restore.apply(new Ruleset(), "-A PREROUTING -j ACCEPT\nCOMMIT\n", false, false));
        assertEquals("line 1 failed", e.getMessage()); // xtables-restore's words, exit 1
        assertEquals(1, e.exitCode());
    }

    @Test
    void restoreWithABadRuleNamesTheLineAndTheRuleProblem() {
        RuleError e = assertThrows(RuleError.class,
                () -> Restore.apply(new Ruleset(), "*nat\n:X - [0:0]\n-A X -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n", false, false));
        assertEquals("line 3: invalid port/service `99999' specified", e.getMessage());
    }

    @Test
    void restoreRefusesTheTableOption() {
        RuleError e = assertThrows(RuleError.class,
                () -> Restore.apply(new Ruleset(), "*nat\n-t nat -A PREROUTING -j ACCEPT\nCOMMIT\n", false, false));
        assertEquals("line 2: The -t option cannot be used in iptables-restore.", e.getMessage());
    }
}

package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules tests' shared rig for running a rule through the real iptables and through jnat's. */
final class RealIptables {
    private RealIptables() {}

    private static final String PREFIX = "iptables v1.8.9 (nf_tables): ";

    /** A rule's words, as a shell would split it (the rules here have no quoting). */
    static List<String> words(String rule) {
        return new ArrayList<>(List.of(rule.split(" ")));
    }

    static String[] cmd(String tool, List<String> args) {
        List<String> c = new ArrayList<>(List.of(tool));
        c.addAll(args);
        return c.toArray(String[]::new);
    }

    /**
     * Each rule, which the real iptables in {@code ns} must refuse, given to jnat's on a fresh ruleset:
     * what differs (accepted by jnat, another exit code, another message: equal to iptables' first
     * stderr line, or, unless {@code exactMessage}, starting with it, where jnat also says why).
     */
    static List<String> refusalDifferences(Netns ns, List<String> bad, Supplier<Ruleset> fresh, boolean exactMessage) {
        List<String> wrong = new ArrayList<>();
        for (String rule : bad) {
            Tools.Result real = ns.exec(cmd("iptables", words(rule)));
            assertTrue(real.exitCode() != 0, "iptables accepted " + rule);
            String msg = real.stderr().lines().findFirst().orElse("").replace(PREFIX, "").strip();
            try {
                Iptables.run(fresh.get(), words(rule));
                wrong.add(rule + ": accepted by jnat");
            } catch (RuleError e) {
                boolean same = exactMessage ? e.getMessage().equals(msg) : e.getMessage().startsWith(msg);
                if (!same || e.exitCode() != real.exitCode()) {
                    wrong.add(rule + ":\n  real " + real.exitCode() + " " + msg + "\n  jnat " + e.exitCode() + " " + e.getMessage());
                }
            }
        }
        return wrong;
    }
}

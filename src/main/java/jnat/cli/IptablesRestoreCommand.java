package jnat.cli;

import jnat.rules.Restore;
import jnat.rules.RuleError;
import jnat.rules.Ruleset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jnat iptables-restore --rules FILE [flags] < dump}: loads a dump, all or nothing. */
@Command(name = "iptables-restore",
        description = "Load an iptables-save dump (stdin or FILE) into the rules file (--rules) or a running jnat "
                + "gateway (--control, atomically: each packet sees the old ruleset or the new one); on any error "
                + "nothing changes.")
public class IptablesRestoreCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--rules", paramLabel = "FILE", description = "the rules file (iptables-save format)")
    Path rules;

    @Option(names = "--control", paramLabel = "SOCKET", description = "the control socket of a running jnat gateway "
            + "(instead of --rules)")
    Path control;

    @Option(names = "--acct", paramLabel = "FILE", description = "the accounting objects file (nfacct list format) that "
            + "-m nfacct rules name; with --rules")
    Path acct;

    @Option(names = {"-n", "--noflush"}, description = "add to the present tables instead of replacing them")
    boolean noflush;

    @Option(names = {"-c", "--counters"}, description = "restore the [packets:bytes] counters")
    boolean counters;

    @Option(names = {"-t", "--test"}, description = "only parse and check; change nothing")
    boolean test;

    @Option(names = {"-T", "--table"}, paramLabel = "TABLE", description = "restore only this table")
    String table;

    @Option(names = {"-w", "--wait"}, arity = "0..1", hidden = true, description = "accepted and ignored (no lock)")
    String waitSeconds;

    @Parameters(arity = "0..1", paramLabel = "DUMP", description = "the dump to load (default: stdin)")
    Path dump;

    /** Where the dump is read from when no file is given; tests replace it. */
    static InputStream stdin = System.in;

    /** ip6tables-restore's subclass answers true. */
    boolean ipv6() {
        return false;
    }

    @Override
    public Integer call() {
        Control.requireOne(rules, control);
        String text;
        try {
            text = dump != null ? Files.readString(dump, StandardCharsets.UTF_8)
                    : new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) { // its own message is "Input length = 1"
            throw new UsageError("cannot read " + dump + ": not a text file (invalid UTF-8)");
        } catch (IOException e) {
            throw new UsageError("cannot read " + (dump != null ? dump : "stdin") + ": " + e.getMessage());
        }
        if (control != null) {
            java.util.List<String> args = new java.util.ArrayList<>();
            if (noflush) args.add("-n");
            if (counters) args.add("-c");
            if (test) args.add("-t");
            if (table != null) args.addAll(java.util.List.of("-T", table));
            return Control.run(spec.commandLine(), control, ipv6() ? "ip6tables-restore" : "iptables-restore", args, text);
        }
        Ruleset rs = RulesFile.load(rules, ipv6(), null, acct == null ? null : NfacctCommand.load(acct));
        Ruleset work = rs.copy();
        try {
            // ip6tables-restore 1.8.9 keeps no rule counters, only the policies'
            Restore.apply(work, text, noflush, counters, table, !ipv6());
        } catch (RuleError e) {
            throw RulesFile.error(e);
        }
        if (!test) RulesFile.store(rules, work);
        return 0;
    }
}

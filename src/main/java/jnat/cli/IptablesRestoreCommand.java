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
        description = "Load an iptables-save dump (stdin or FILE) into the rules file; on any error the file is left as it was.")
public final class IptablesRestoreCommand implements Callable<Integer> {
    @Option(names = "--rules", required = true, paramLabel = "FILE", description = "the rules file (iptables-save format)")
    Path rules;

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

    @Override
    public Integer call() {
        String text;
        try {
            text = dump != null ? Files.readString(dump, StandardCharsets.UTF_8)
                    : new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageError("cannot read " + (dump != null ? dump : "stdin") + ": " + e.getMessage());
        }
        Ruleset rs = RulesFile.load(rules);
        Ruleset work = rs.copy();
        try {
            Restore.apply(work, text, noflush, counters, table);
        } catch (RuleError e) {
            throw RulesFile.error(e);
        }
        if (!test) RulesFile.store(rules, work);
        return 0;
    }
}

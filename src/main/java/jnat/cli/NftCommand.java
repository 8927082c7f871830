package jnat.cli;

import jnat.nft.Nft;
import jnat.nft.NftRuleset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jnat nft --rules FILE <nft arguments>}: nft 1.0 against a rules file, each call one transaction. */
@Command(name = "nft",
        description = {"Run an nft command (nft 1.0.6 arguments: -f FILE, -a, -s, -n, -c, list/add/insert/replace/"
                + "delete/flush ...) against a rules file (--rules) or a running gateway (--control); a change replaces the file or the gateway's "
                + "ruleset atomically, an error changes nothing.",
            "Example: jnat nft --rules nft.rules -f ruleset.nft; jnat nft --rules nft.rules -a list ruleset"})
public class NftCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "FILE",
            description = "the rules file (jnat's: nft -a list ruleset text with the handle counters)")
    Path rules;

    @Option(names = "--control", paramLabel = "SOCKET",
            description = "a running gateway's control socket: the command runs on its ruleset as one transaction "
                    + "(-f FILE is read here and sent; list ruleset shows the live counters)")
    Path control;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        Control.requireOne(rules, control);
        if (control != null) {
            String file = Nft.fileArgument(args), text = null;
            if (file != null) {
                try {
                    text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                            : Files.readString(Path.of(file), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    spec.commandLine().getErr().println("Error: Could not process rule: No such file or directory");
                    return 1;
                }
            }
            return Control.run(spec.commandLine(), control, "nft", args, text);
        }
        NftRuleset rs = load(rules);
        Nft.Result r = Nft.run(rs, args);
        if (r.changed()) store(rules, rs);
        var out = spec.commandLine().getOut();
        out.print(r.out());
        out.flush();
        var err = spec.commandLine().getErr();
        err.print(r.err());
        err.flush();
        return r.exitCode();
    }

    static NftRuleset load(Path file) {
        if (!Files.exists(file)) return new NftRuleset();
        try {
            return Nft.load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UsageError("cannot read rules file " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageError("rules file " + file + ": " + e.getMessage().strip());
        }
    }

    static void store(Path file, NftRuleset rs) {
        RulesFile.replace(file, Nft.save(rs), "rules file");
    }
}

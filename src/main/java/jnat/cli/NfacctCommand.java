package jnat.cli;

import jnat.rules.Nfacct;
import jnat.rules.NfnlAcct;
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

/** {@code jnat nfacct --acct FILE | --control SOCKET <nfacct arguments>}: nfacct 1.0.2 against an objects file or a running gateway. */
@Command(name = "nfacct",
        description = {"Run an nfacct command (nfacct 1.0.2 arguments, unchanged: list [reset] [xml], add NAME [byte|packet QUOTA], "
                + "delete NAME, get NAME [reset] [xml], flush, restore, version, help) against an accounting objects file "
                + "in `nfacct list` format (changes replace the file atomically) or a running jnat gateway (--control). "
                + "-m nfacct rules count into these objects (jnat iptables/replay/gateway --acct FILE).",
            "Example: jnat nfacct --acct gw.acct add http; jnat iptables --rules gw.rules --acct gw.acct -A INPUT -p tcp --dport 80 -m nfacct --nfacct-name http"})
public class NfacctCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--acct", paramLabel = "FILE", description = "the accounting objects file (nfacct list format)")
    Path acct;

    @Option(names = "--control", paramLabel = "SOCKET", description = "the control socket of a running jnat gateway "
            + "(instead of --acct)")
    Path control;

    @Option(names = "--rules", paramLabel = "FILE", description = "the rules file (iptables-save format) whose -m nfacct "
            + "rules hold objects, which then cannot be deleted (as the kernel's rules hold theirs); with --acct")
    Path rules;

    @Option(names = "--rules6", paramLabel = "FILE", description = "the same for an ip6tables-save rules file")
    Path rules6;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (acct == null && control == null) {
            int usage = Control.usageIfAsked(spec.commandLine(), args);
            if (usage >= 0) return usage;
        }
        if ((acct == null) == (control == null)) {
            throw new UsageError("give either --acct FILE (an accounting objects file) or --control SOCKET (a running gateway)", 2);
        }
        String stdin = !args.isEmpty() && !args.get(0).isEmpty() && "restore".startsWith(args.get(0))
                && !"list".startsWith(args.get(0)) ? Control.readStdin() : null;
        if (control != null) return Control.run(spec.commandLine(), control, "nfacct", args, stdin);
        NfnlAcct objects = load(acct);
        if (rules != null) objects.holdFor(RulesFile.load(rules, false, null, objects));
        if (rules6 != null) objects.holdFor(RulesFile.load(rules6, true, null, objects));
        Nfacct.Result r = Nfacct.run(objects, args, stdin);
        if (r.changed()) RulesFile.replace(acct, Nfacct.saveFile(objects), "accounting objects file");
        return Control.print(spec.commandLine(), r.out(), r.err(), r.exitCode());
    }


    /** Reads an accounting objects file (a missing file, or none given, is no objects). */
    static NfnlAcct load(Path file) {
        NfnlAcct objects = new NfnlAcct();
        if (file == null || !Files.exists(file)) return objects;
        try {
            Nfacct.load(objects, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UsageError("cannot read accounting objects file " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageError("accounting objects file " + file + ": " + e.getMessage());
        }
        return objects;
    }
}

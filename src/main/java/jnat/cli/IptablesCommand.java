package jnat.cli;

import jnat.rules.Iptables;
import jnat.rules.RuleError;
import jnat.rules.Ruleset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jnat iptables --rules FILE | --control SOCKET <iptables arguments>}: iptables 1.8 against a rules file or a running gateway. */
@Command(name = "iptables",
        description = {"Run an iptables command (iptables 1.8 arguments, unchanged) against a rules file in "
                + "iptables-save format (changes replace the file atomically) or against a running jnat gateway "
                + "(changes replace its ruleset atomically, between two packets).",
            "Example: jnat iptables --rules nat.rules -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE"})
public class IptablesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "FILE", description = "the rules file (iptables-save format)")
    Path rules;

    @Option(names = "--control", paramLabel = "SOCKET", description = "the control socket of a running jnat gateway "
            + "(instead of --rules)")
    Path control;

    @Option(names = "--sets", paramLabel = "FILE", description = "the sets file (ipset save format, as jnat ipset --sets "
            + "writes it) that -m set and -j SET rules name; with --rules")
    Path sets;

    @Option(names = "--acct", paramLabel = "FILE", description = "the accounting objects file (nfacct list format, as "
            + "jnat nfacct --acct writes it) that -m nfacct rules name; with --rules")
    Path acct;

    @Unmatched
    List<String> args = new ArrayList<>();

    /** ip6tables' subclass answers true: the rules file holds ip6tables-save text. */
    boolean ipv6() {
        return false;
    }

    @Override
    public Integer call() {
        Control.requireOne(rules, control);
        if (control != null) {
            return Control.run(spec.commandLine(), control, ipv6() ? "ip6tables" : "iptables", args, null);
        }
        Ruleset rs = RulesFile.load(rules, ipv6(), sets == null ? null : IpsetCommand.load(sets),
                acct == null ? null : NfacctCommand.load(acct));
        Iptables.Result r;
        try {
            r = Iptables.run(rs, args);
        } catch (RuleError e) {
            throw RulesFile.error(e);
        }
        if (r.changed()) RulesFile.store(rules, rs);
        var out = spec.commandLine().getOut();
        out.print(r.output());
        out.flush();
        return 0;
    }
}

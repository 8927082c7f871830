package jnat.cli;

import jnat.rules.Ruleset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jnat iptables-save --rules FILE [-c] [-t TABLE]}: prints the rules as iptables-save does. */
@Command(name = "iptables-save", description = "Print the tables of a rules file (--rules) or of a running jnat "
        + "gateway (--control) as iptables-save prints them.")
public class IptablesSaveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "FILE", description = "the rules file (iptables-save format)")
    Path rules;

    @Option(names = "--control", paramLabel = "SOCKET", description = "the control socket of a running jnat gateway "
            + "(instead of --rules)")
    Path control;

    @Option(names = "--acct", paramLabel = "FILE", description = "the accounting objects file (nfacct list format) that "
            + "-m nfacct rules name; with --rules")
    Path acct;

    @Option(names = {"-c", "--counters"}, description = "print packet and byte counters before each rule")
    boolean counters;

    @Option(names = {"-t", "--table"}, paramLabel = "TABLE", description = "only this table")
    String table;

    /** ip6tables-save's subclass answers true. */
    boolean ipv6() {
        return false;
    }

    @Override
    public Integer call() {
        Control.requireOne(rules, control);
        if (control != null) {
            java.util.List<String> args = new java.util.ArrayList<>();
            if (counters) args.add("-c");
            if (table != null) args.addAll(java.util.List.of("-t", table));
            return Control.run(spec.commandLine(), control, ipv6() ? "ip6tables-save" : "iptables-save", args, null);
        }
        Ruleset rs = RulesFile.load(rules, ipv6(), null, acct == null ? null : NfacctCommand.load(acct));
        if (table != null && rs.existing(table) == null) {
            boolean known = ipv6() ? jnat.rules.Table.create(table) != null
                    : table.equals("nat") || table.equals("filter") || table.equals("mangle");
            if (!known && ipv6()) throw new UsageError("Table `" + table + "' does not exist", 1); // as ip6tables-save 1.8.9
            if (!known) {
                throw new UsageError("Cannot initialize: Table does not exist (do you need to insmod?)");
            }
            rs.table(table);
        }
        var out = spec.commandLine().getOut();
        out.print(rs.save(table, counters, true));
        out.flush();
        return 0;
    }
}

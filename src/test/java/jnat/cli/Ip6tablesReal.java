package jnat.cli;

import jnat.rules.Dumps;
import jnat.testing.Netns;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static jnat.cli.CliRun.jnat;

/**
 * Compares jnat's ip6tables with the real ip6tables 1.8.9 on one ruleset: jnat's rules file (loaded
 * through {@code jnat ip6tables-restore}) against a namespace the same dump was restored into.
 * Listings are compared byte for byte except the prot column of -n listings (1.8.9 prints
 * numbers there, every other version names: Dumps.normaliseProt).
 */
final class Ip6tablesReal {
    private Ip6tablesReal() {}

    static final List<List<String>> LISTINGS = List.of(List.of("-S"), List.of("-nvL"),
            List.of("-nvxL", "--line-numbers"), List.of("-L", "-n"), List.of("-L"), List.of("-S", "-v"));

    /** The tables a dump holds, in its order. */
    static Set<String> tables(String dump) {
        Set<String> t = new LinkedHashSet<>();
        for (String line : dump.split("\n")) if (line.startsWith("*")) t.add(line.substring(1).strip());
        return t;
    }

    /** Loads {@code dump} into the rules file with jnat ip6tables-restore; the error text, or null. */
    static String restore(Path rules, String dump, String... flags) {
        String[] err = new String[1];
        IptablesRestoreStdin.with(dump, () -> {
            List<String> a = new ArrayList<>(List.of("ip6tables-restore", "--rules", rules.toString()));
            a.addAll(List.of(flags));
            CliRun r = jnat(a.toArray(String[]::new));
            if (r.exit() != 0) err[0] = r.err();
        });
        return err[0];
    }

    /** Every listing of every table of {@code dump} and ip6tables-save: the differences, empty when none. */
    static List<String> differences(Netns ns, Path rules, String dump) {
        List<String> diffs = new ArrayList<>();
        for (String table : tables(dump)) {
            for (List<String> l : LISTINGS) {
                List<String> real = new ArrayList<>(List.of("ip6tables", "-t", table));
                real.addAll(l);
                List<String> ours = new ArrayList<>(List.of("ip6tables", "--rules", rules.toString(), "-t", table));
                ours.addAll(l);
                String r = Dumps.normaliseProt(ns.exec(real.toArray(String[]::new)).checked().stdout());
                CliRun o = jnat(ours.toArray(String[]::new));
                String j = Dumps.normaliseProt(o.out());
                if (!r.equals(j)) diffs.add(String.join(" ", real) + ":\n--- ip6tables\n" + r + "\n--- jnat\n" + j + o.err());
            }
        }
        for (String[] save : new String[][] {{"ip6tables-save"}, {"ip6tables-save", "-c"}}) {
            String r = Dumps.withoutComments(ns.exec(save).checked().stdout());
            List<String> ours = new ArrayList<>(List.of(save));
            ours.addAll(List.of("--rules", rules.toString()));
            String j = Dumps.withoutComments(jnat(ours.toArray(String[]::new)).out());
            if (!r.equals(j)) diffs.add(String.join(" ", save) + ":\n--- ip6tables\n" + r + "--- jnat\n" + j);
        }
        return diffs;
    }
}

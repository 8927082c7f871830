package jnat.nft;

import jnat.testing.Netns;
import jnat.testing.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One ruleset loaded with {@code -f} and listed three ways ({@code list ruleset}, {@code -a list ruleset},
 * the load's stderr and exit code), by jnat or by the real nft in a fresh network namespace, the error
 * messages' file name being the base name in both.
 */
record NftRun(String err, String list, String listHandles) {
    /** jnat: a fresh ruleset, the file loaded, then listed. */
    static NftRun jnat(String name, String text) {
        Path f = write(name, text);
        NftRuleset rs = new NftRuleset();
        Nft.Result load = Nft.run(rs, List.of("-f", f.toString()));
        String err = load.err().replace(f.toString(), name) + "rc=" + load.exitCode() + "\n";
        return new NftRun(err, Nft.run(rs, List.of("list", "ruleset")).out(),
                Nft.run(rs, List.of("-a", "list", "ruleset")).out());
    }

    /** The real nft in a namespace of its own (table handles start at 1 there, as in jnat's fresh ruleset). */
    static NftRun real(String name, String text) {
        Tools.require("nft");
        Path f = write(name, text);
        try (Netns ns = Netns.create("nft")) {
            Tools.Result load = ns.exec("nft", "-f", f.toString());
            String err = load.stderr().replace(f.toString(), name) + "rc=" + load.exitCode() + "\n";
            return new NftRun(err, ns.exec("nft", "list", "ruleset").stdout(), ns.exec("nft", "-a", "list", "ruleset").stdout());
        }
    }

    /** The real nft running commands one after the other in one namespace: each command's stderr, then the listing. */
    static List<String> realCommands(List<String> commands, String... listArgs) {
        Tools.require("nft");
        List<String> out = new ArrayList<>();
        try (Netns ns = Netns.create("nft")) {
            for (String c : commands) {
                List<String> cmd = new ArrayList<>(List.of("nft"));
                cmd.add(c);
                Tools.Result r = ns.exec(cmd.toArray(String[]::new));
                out.add(r.stderr() + r.stdout() + "rc=" + r.exitCode() + "\n");
            }
            List<String> list = new ArrayList<>(List.of("nft"));
            list.addAll(List.of(listArgs));
            out.add(ns.exec(list.toArray(String[]::new)).stdout());
        }
        return out;
    }

    /** jnat running the same commands on one ruleset. */
    static List<String> jnatCommands(List<String> commands, String... listArgs) {
        NftRuleset rs = new NftRuleset();
        List<String> out = new ArrayList<>();
        for (String c : commands) {
            Nft.Result r = Nft.run(rs, List.of(c));
            out.add(r.err() + r.out() + "rc=" + r.exitCode() + "\n");
        }
        out.add(Nft.run(rs, List.of(listArgs)).out());
        return out;
    }

    static Path write(String name, String text) {
        try {
            Path dir = Files.createTempDirectory("jnat-nft");
            dir.toFile().deleteOnExit();
            Path f = dir.resolve(name);
            Files.writeString(f, text);
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    String joined() {
        return "--- stderr\n" + err + "--- list ruleset\n" + list + "--- -a list ruleset\n" + listHandles;
    }
}

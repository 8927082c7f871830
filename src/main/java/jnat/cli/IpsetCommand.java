package jnat.cli;

import jnat.ipset.IpSetCore;
import jnat.ipset.IpSetError;
import jnat.ipset.Ipset;
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

/** {@code jnat ipset --sets FILE | --control SOCKET <ipset arguments>}: ipset 7.17 against a sets file or a running gateway. */
@Command(name = "ipset",
        description = {"Run an ipset command (ipset 7.17 arguments, unchanged: create, add, del, test, list, save, restore, "
                + "flush, destroy, rename, swap; -exist, -quiet, -sorted, -name, -terse, -output, -file) against a sets file "
                + "in ipset save format (changes replace the file atomically) or a running jnat gateway (--control).",
            "Example: jnat ipset --sets gw.sets create blocked hash:net; jnat ipset --sets gw.sets add blocked 198.51.100.0/24"})
public class IpsetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--sets", paramLabel = "FILE", description = "the sets file (ipset save format)")
    Path sets;

    @Option(names = "--control", paramLabel = "SOCKET", description = "the control socket of a running jnat gateway "
            + "(instead of --sets)")
    Path control;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (sets == null && control == null) {
            int usage = Control.usageIfAsked(spec.commandLine(), args);
            if (usage >= 0) return usage;
        }
        if ((sets == null) == (control == null)) {
            throw new UsageError("give either --sets FILE (a sets file) or --control SOCKET (a running gateway)", 2);
        }
        String stdin = restoresFromStdin(args) ? Control.readStdin() : null;
        if (control != null) return Control.run(spec.commandLine(), control, "ipset", args, stdin);
        IpSetCore core = load(sets);
        Ipset.Result r = Ipset.run(core, args, stdin);
        if (r.changed()) store(sets, core);
        return Control.print(spec.commandLine(), r.out(), r.err(), r.exitCode());
    }

    /** ipset restore without -file reads its standard input. */
    private static boolean restoresFromStdin(List<String> args) {
        boolean restore = false;
        for (String a : args) {
            if (a.equals("-file") || a.equals("-f") || a.equals("--file")) return false;
            if (a.equals("restore") || a.equals("-R") || a.equals("r") || a.startsWith("res") && "restore".startsWith(a)) restore = true;
        }
        return restore;
    }


    /** Reads a sets file (a missing file is no sets); element timeouts run on the wall clock from here. */
    static IpSetCore load(Path file) {
        IpSetCore core = new IpSetCore();
        core.clock = () -> System.currentTimeMillis() * 1_000_000L; // the epoch: a file's expiries are absolute
        if (!Files.exists(file)) return core;
        try {
            Ipset.load(core, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UsageError("cannot read sets file " + file + ": " + e.getMessage());
        } catch (IpSetError e) {
            throw new UsageError("sets file " + file + ": " + e.getMessage());
        }
        return core;
    }

    /**
     * The sets of a replay or gateway (--sets FILE, null for none): the file's elements with their
     * remaining timeouts counted from the engine's first packet.
     */
    static IpSetCore loadForEngine(Path file) {
        IpSetCore core = new IpSetCore();
        core.startAtFirstTick();
        if (file == null) return core;
        try {
            Ipset.load(core, Files.readString(file, StandardCharsets.UTF_8), false);
        } catch (IOException e) {
            throw new UsageError("cannot read sets file " + file + ": " + e.getMessage());
        } catch (IpSetError e) {
            throw new UsageError("sets file " + file + ": " + e.getMessage());
        }
        return core;
    }

    /** Writes the sets to a temporary file beside the file, then renames it over. */
    static void store(Path file, IpSetCore core) {
        RulesFile.replace(file, Ipset.saveFile(core), "sets file");
    }
}

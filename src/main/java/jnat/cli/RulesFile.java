package jnat.cli;

import jnat.rules.RuleError;
import jnat.rules.Ruleset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The --rules FILE of the iptables commands: an iptables-save dump, replaced atomically. */
final class RulesFile {
    private RulesFile() {}

    /** Reads the file (a missing file is an empty ruleset). */
    static Ruleset load(Path file) {
        return load(file, false);
    }

    /** As {@link #load(Path)}, the file holding ip6tables-save text with {@code ipv6}. */
    static Ruleset load(Path file, boolean ipv6) {
        return load(file, ipv6, null);
    }

    /** As {@link #load(Path, boolean)}, the rules' -m set and -j SET sets found in {@code sets}. */
    static Ruleset load(Path file, boolean ipv6, jnat.ipset.IpSetCore sets) {
        return load(file, ipv6, sets, null);
    }

    /** As {@link #load(Path, boolean, jnat.ipset.IpSetCore)}, the -m nfacct rules' objects found in {@code acct}. */
    static Ruleset load(Path file, boolean ipv6, jnat.ipset.IpSetCore sets, jnat.rules.NfnlAcct acct) {
        if (!Files.exists(file)) {
            Ruleset rs = new Ruleset(ipv6);
            rs.sets = sets;
            rs.acct = acct;
            return rs;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) { // its own message is "Input length = 1"
            throw new UsageError("cannot read rules file " + file + ": not a text file (invalid UTF-8)");
        } catch (IOException e) {
            throw new UsageError("cannot read rules file " + file + ": " + e.getMessage());
        }
        try {
            return Ruleset.parse(text, ipv6, sets, acct);
        } catch (RuleError e) {
            throw new UsageError("rules file " + file + ": " + e.getMessage());
        }
    }

    /** Writes the ruleset (counters included) to a temporary file beside it, then renames it over. */
    static void store(Path file, Ruleset rs) {
        replace(file, rs.save(null, true, false), "rules file");
    }

    /**
     * Writes {@code text} to a temporary file beside {@code file}, then renames it over (atomically
     * where the file system can), so a reader sees the old file or the new one, never a part:
     * the rules, nft and sets files the commands edit. {@code kind} names the file in the error.
     */
    static void replace(Path file, String text, String kind) {
        Path abs = file.toAbsolutePath();
        try {
            Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UsageError("cannot write " + kind + " " + file + ": " + e.getMessage());
        }
    }

    static UsageError error(RuleError e) {
        return new UsageError(e.getMessage(), e.exitCode());
    }
}

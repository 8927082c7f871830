package jnat.fuzz;

import jnat.rules.Iptables;
import jnat.rules.RuleError;
import jnat.rules.Ruleset;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule language on damaged input: {@link Ruleset#parse} on real iptables-save dumps (Docker's,
 * kube-proxy's, Podman's, libvirt's) with bytes flipped and lines cut, and {@link Iptables#run}
 * on their rules' argument vectors with arguments dropped, repeated, swapped and damaged. Either
 * it works or it throws a {@link RuleError} with a one-line message; a dump that parsed saves
 * and parses back to the same dump; a failing command leaves the ruleset as it was.
 */
class RulesFuzzTest {
    static final List<String> DUMPS = dumps();

    static List<String> dumps() {
        List<String> all = new ArrayList<>();
        for (byte[] b : Mutations.files(Mutations.RULESETS, ".rules")) {
            String s = new String(b, StandardCharsets.UTF_8);
            all.add(s.length() > 6000 ? s.substring(0, s.indexOf("\nCOMMIT\n", 0) + 8) : s); // kube-proxy: its first table
        }
        all.add(new String(Mutations.files(Path.of("scripts"), ".rules").getFirst(), StandardCharsets.UTF_8));
        return all;
    }

    /** Every rule of the dumps as an iptables command line: "-t nat -A CHAIN ...". */
    static final List<List<String>> COMMANDS = commands();

    static List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        for (String dump : DUMPS) {
            String table = "filter";
            for (String line : dump.lines().toList()) {
                if (line.startsWith("*")) table = line.substring(1);
                if (line.startsWith("-A ") && !line.contains("\"")) {
                    List<String> argv = new ArrayList<>(List.of("-t", table));
                    argv.addAll(Arrays.asList(line.split(" ")));
                    all.add(argv);
                }
            }
        }
        all.add(List.of("-t", "nat", "-nvL", "--line-numbers"));
        all.add(List.of("-t", "nat", "-D", "POSTROUTING", "1"));
        all.add(List.of("-t", "nat", "-I", "PREROUTING", "2", "-p", "tcp", "--dport", "80", "-j", "REDIRECT", "--to-ports", "8080"));
        return all;
    }

    static final List<String> WORDS = List.of("-A", "-I", "-D", "-R", "-N", "-X", "-F", "-Z", "-P", "-E", "-L", "-S",
            "-t", "-j", "-g", "-m", "-p", "!", "-s", "-d", "-i", "-o", "--dport", "--to-destination", "--to-source",
            "nat", "filter", "DOCKER", "PREROUTING", "POSTROUTING", "MASQUERADE", "DNAT", "SNAT", "ACCEPT", "RETURN",
            "tcp", "udp", "icmp", "0", "1", "65535", "65536", "-1", "10.0.0.0/33", "1.2.3.4:5-4", "", "--", "-nvxL");

    @Provide
    Arbitrary<String> dumpsDamaged() {
        return Mutations.mutatedText(DUMPS, 6);
    }

    @Property
    void parsesOrFailsWithOneLineAndWhatParsedSavesTheSame(@ForAll("dumpsDamaged") String dump) {
        Ruleset rs;
        try {
            rs = Ruleset.parse(dump);
        } catch (RuleError e) {
            assertOneLine(e);
            return;
        }
        String saved = rs.save(null, true, false);
        assertEquals(saved, Ruleset.parse(saved).save(null, true, false));
        for (String table : List.of("nat", "filter")) Iptables.run(rs, List.of("-t", table, "-nvxL"));
    }

    @Provide
    Arbitrary<List<String>> argvDamaged() {
        Arbitrary<ArgvEdit> edit = Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers(),
                Arbitraries.of(WORDS), Mutations.edit()).as(ArgvEdit::new);
        return Combinators.combine(Arbitraries.of(COMMANDS), edit.list().ofMaxSize(4)).as((argv, edits) -> {
            List<String> a = new ArrayList<>(argv);
            for (ArgvEdit e : edits) e.apply(a);
            return a;
        });
    }

    record ArgvEdit(int kind, int position, String word, Mutations.Edit bytes) {
        void apply(List<String> a) {
            int at = a.isEmpty() ? 0 : Math.floorMod(position, a.size());
            switch (kind) {
                case 0 -> { if (!a.isEmpty()) a.remove(at); }
                case 1 -> a.add(at, word);
                case 2 -> { if (!a.isEmpty()) a.set(at, word); }
                case 3 -> { if (!a.isEmpty()) a.add(at, a.get(at)); }
                default -> {
                    if (!a.isEmpty()) a.set(at, new String(bytes.apply(a.get(at).getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
                }
            }
        }
    }

    static final String DOCKER = DUMPS.stream().filter(d -> d.contains("DOCKER")).findFirst().orElseThrow();

    @Property
    void commandWorksOrFailsWithOneLineAndChangesNothing(@ForAll("argvDamaged") List<String> argv) {
        Ruleset rs = Ruleset.parse(DOCKER); // the nat table only: another table named appears, empty, as in the kernel
        String before = rs.save("nat", true, false);
        try {
            Iptables.run(rs, argv);
        } catch (RuleError e) {
            // iptables quotes a bad argument verbatim, newline included: one line only if the arguments have none
            if (argv.stream().noneMatch(a -> a.indexOf('\n') >= 0)) assertOneLine(e);
            assertEquals(before, rs.save("nat", true, false), "a failing command changed the nat table: " + argv);
            for (var t : rs.tables()) {
                if (!t.name.equals("nat")) assertTrue(!rs.save(t.name, false, false).contains("\n-A "), "rules added by " + argv);
            }
            return;
        }
        String saved = rs.save(null, true, false);
        assertEquals(saved, Ruleset.parse(saved).save(null, true, false), "after " + argv);
    }

    static void assertOneLine(RuleError e) {
        Mutations.assertOneLine(e.getMessage());
    }
}

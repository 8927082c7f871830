package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each real dump is loaded into real iptables (Debian's 1.8.9, inside a network namespace this
 * test creates) and into jnat; every listing must be byte-identical, the prot column aside.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealIptablesComparisonTest {
    private final Map<String, Netns> namespaces = new HashMap<>();

    static final List<List<String>> LISTINGS = List.of(
            List.of("-t", "nat", "-S"),
            List.of("-t", "nat", "-S", "-v"),
            List.of("-t", "nat", "-nvL"),
            List.of("-t", "nat", "-nvxL", "--line-numbers"),
            List.of("-t", "nat", "-L", "-n"),
            List.of("-t", "nat", "-n", "--line-numbers", "-L"),
            List.of("-t", "nat", "-nvL", "POSTROUTING"),
            List.of("-t", "nat", "-S", "POSTROUTING"),
            List.of("-t", "nat", "-L"),
            List.of("-t", "nat", "-vL", "--line-numbers"),
            List.of("-t", "nat", "-xvL"));

    @BeforeAll
    void loadIntoRealIptables() {
        Tools.require("iptables");
        Tools.require("iptables-restore");
        for (String name : Dumps.ALL) {
            Netns ns = Netns.create("rules");
            namespaces.put(name, ns);
            ns.execIn(Dumps.rules(name), "iptables-restore", "-c").checked();
        }
    }

    @AfterAll
    void deleteNamespaces() {
        namespaces.values().forEach(Netns::close);
    }

    Stream<Object[]> cases() {
        List<Object[]> all = new ArrayList<>();
        for (String d : Dumps.ALL) for (List<String> l : LISTINGS) all.add(new Object[] {d, l});
        return all.stream();
    }

    @ParameterizedTest(name = "{0}: iptables {1}")
    @MethodSource("cases")
    void listingIsWhatRealIptablesPrints(String dump, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("iptables"));
        cmd.addAll(args);
        String real = namespaces.get(dump).exec(cmd.toArray(String[]::new)).checked().stdout();
        String ours = Dumps.run(Ruleset.parse(Dumps.rules(dump)), args.toArray(String[]::new));
        assertEquals(Dumps.normaliseProt(real), Dumps.normaliseProt(ours));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void iptablesSaveIsWhatRealIptablesSavePrints(String dump) {
        Ruleset rs = Ruleset.parse(Dumps.rules(dump));
        Netns ns = namespaces.get(dump);
        assertEquals(Dumps.withoutComments(ns.exec("iptables-save", "-t", "nat").checked().stdout()),
                Dumps.withoutComments(rs.save("nat", false, true)));
        assertEquals(Dumps.withoutComments(ns.exec("iptables-save", "-c").checked().stdout()),
                Dumps.withoutComments(rs.save(null, true, true)));
    }

    Stream<String> dumps() {
        return Dumps.ALL.stream();
    }
}

package jnat.rules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each real dump goes through restore and save unchanged, byte for byte. */
class RoundTripTest {
    static Stream<String> dumps() {
        return Dumps.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void restoreThenSaveWithCountersGivesTheDumpBack(String dump) {
        String text = Dumps.rules(dump);
        Ruleset rs = new Ruleset();
        Restore.apply(rs, text, false, true);
        assertEquals(text, rs.save(null, true, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void restoreWithoutCountersZeroesRuleCounters(String dump) {
        Ruleset rs = new Ruleset();
        Restore.apply(rs, Dumps.rules(dump), false, false);
        for (Table t : rs.tables()) {
            for (Chain c : t.chains()) {
                assertEquals(0, c.policyPackets, c.name());
                for (Rule r : c.rules()) assertEquals(0, r.packets, r.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void listRulesThenReplayThemGivesTheSameTable(String dump) {
        Ruleset rs = Ruleset.parse(Dumps.rules(dump));
        String s = Dumps.run(rs, "-t", "nat", "-S");
        Ruleset again = new Ruleset();
        for (String line : s.split("\n")) {
            if (line.startsWith("-P ")) { // iptables refuses -P DROP in nat; iptables-restore takes it
                String[] f = line.split(" ");
                Restore.apply(again, "*nat\n:" + f[1] + " " + f[2] + " [0:0]\nCOMMIT\n", true, false);
                continue;
            }
            java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("-t", "nat"));
            argv.addAll(Restore.tokenize(line));
            Iptables.run(again, argv);
        }
        assertEquals(rs.save("nat", false, false).replaceAll("\\[[0-9]+:[0-9]+\\]", "[0:0]"),
                again.save("nat", false, false));
    }
}

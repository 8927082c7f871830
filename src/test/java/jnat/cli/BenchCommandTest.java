package jnat.cli;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.*;

/** jnat bench's command line: what it prints, and its JSON line (issue 7's contract). No speed is asserted. */
class BenchCommandTest {
    static double field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":([0-9.]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void jsonIsTheLastLineAndCarriesTheFiguresOfTheRun() {
        CliRun r = jnat("bench", "--flows", "2000", "--seconds", "0.05", "--json");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        String json = lines[lines.length - 1];
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        assertEquals(2000, field(json, "flows"));
        assertEquals(2000, field(json, "new_connections"), "every flow's SYN made a connection");
        assertTrue(field(json, "rules") > 0);
        assertTrue(field(json, "established_pps") > 0);
        assertTrue(field(json, "new_connections_per_s") > 0);
        assertTrue(field(json, "bytes_per_connection") > 0);
        assertEquals(2000, field(json, "conntrack_max"), "the max defaults to the flows");
    }

    @Test
    void aConntrackMaxBelowTheFlowsIsAUsageError() {
        CliRun r = jnat("bench", "--flows", "2000", "--conntrack-max", "1000");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--conntrack-max must be at least --flows"), r.err());
    }
}

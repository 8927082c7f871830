package jnat.rules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which tables lanes may walk at once (Table.concurrentSafe): those whose matches and targets keep no state. */
class ConcurrentSafeTest {
    private static Ruleset resource(String name) throws IOException {
        try (InputStream in = ConcurrentSafeTest.class.getResourceAsStream(name)) {
            return Ruleset.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void dockersFilterTablesAreConcurrentSafe() throws IOException {
        assertTrue(resource("/filter/docker-filter.rules").concurrentSafe(), "docker-filter.rules");
    }

    @Test
    void mobysIp6tablesFilterTablesAreConcurrentSafe() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(ConcurrentSafeTest.class.getResource("/moby-ip6tables").toURI());
        int n = 0;
        try (var files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".golden")).toList()) {
                Ruleset rs = Ruleset.parse(java.nio.file.Files.readString(f), true);
                if (rs.existing("filter") == null) continue;
                assertTrue(rs.existing("filter").concurrentSafe(), f.getFileName().toString());
                n++;
            }
        }
        assertTrue(n > 10, n + " filter tables");
    }

    @Test
    void dockersNatTableIsNotConcurrentSafe() {
        // MASQUERADE and DNAT pick addresses and ports: new connections' business, under the exclusive lock
        Ruleset rs = jnat.demo.SeedDemo.rules();
        assertFalse(rs.existing("nat").concurrentSafe());
        assertFalse(rs.concurrentSafe());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-A FORWARD -m limit --limit 5/s -j ACCEPT", "-A FORWARD -m recent --set --name seen",
            "-A FORWARD -j LOG --log-prefix fwd", "-A FORWARD -m statistic --mode random --probability 0.5 -j DROP",
            "-A FORWARD -m connlabel --label 1 --set"})
    void aRuleWithStateOfItsOwnMakesTheTableUnsafe(String rule) throws IOException {
        Ruleset rs = resource("/filter/docker-filter.rules");
        Iptables.run(rs, Restore.tokenize(rule));
        assertFalse(rs.existing("filter").concurrentSafe());
        assertFalse(rs.concurrentSafe());
    }

    @Test
    void markingAndHeaderMatchesKeepItSafe() throws IOException {
        Ruleset rs = resource("/filter/docker-filter.rules");
        for (String rule : List.of("-t mangle -A PREROUTING -p tcp -m multiport --dports 80,443 -j MARK --set-mark 0x1",
                "-t mangle -A POSTROUTING -m iprange --src-range 172.17.0.2-172.17.0.9 -j DSCP --set-dscp 10",
                "-A FORWARD -m mark --mark 0x1 -m comment --comment web -j ACCEPT")) {
            Iptables.run(rs, Restore.tokenize(rule));
        }
        assertTrue(rs.concurrentSafe());
    }
}

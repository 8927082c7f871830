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
        assertTrue(json.contains("\"family\":\"ipv4\""), json);
        assertEquals(64, field(json, "frame_bytes"));
        assertEquals(field(json, "established_packets"), field(json, "transmitted_packets"), "every timed packet was forwarded");
    }

    @Test
    void ipv6MeasuresIpv6FlowsThroughDockersIp6tablesMasquerade() {
        CliRun r = jnat("bench", "--ipv6", "--flows", "2000", "--seconds", "0.05", "--json");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        String json = lines[lines.length - 1];
        assertTrue(lines[0].startsWith("IPv6 flows 2000, rules 4,"), lines[0]);
        assertTrue(json.contains("\"family\":\"ipv6\""), json);
        assertEquals(74, field(json, "frame_bytes"), "the smallest IPv6 TCP frame");
        assertEquals(2000, field(json, "new_connections"), "every flow's SYN made a connection");
        assertEquals(4, field(json, "rules"), "the nat table of Docker's ip6tables rules");
        assertTrue(field(json, "established_pps") > 0);
        assertTrue(field(json, "bytes_per_connection") > 0);
        assertEquals(field(json, "established_packets"), field(json, "transmitted_packets"), "every timed packet was forwarded");
    }

    @Test
    void ipv6TakesAnIp6tablesSaveFileAsItsRules(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path rules = dir.resolve("nat6.rules");
        java.nio.file.Files.writeString(rules, "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s fd49:efd7:54aa::/64 -o eth0 -j MASQUERADE\nCOMMIT\n");
        CliRun r = jnat("bench", "--ipv6", "--rules", rules.toString(), "--flows", "1000", "--seconds", "0.05", "--json");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        String json = lines[lines.length - 1];
        assertEquals(1, field(json, "rules"));
        assertEquals(field(json, "established_packets"), field(json, "transmitted_packets"), "every timed packet was forwarded");
    }

    @Test
    void aMissingRulesFileIsAUsageErrorNotAnEmptyRuleset(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        CliRun r = jnat("bench", "--ipv6", "--rules", dir.resolve("none.rules").toString(), "--flows", "10");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no rules file"), r.err());
    }

    @Test
    void kubeNftWithoutKubeServicesIsAUsageError() {
        CliRun r = jnat("bench", "--kube-nft");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--kube-nft needs --kube-services"), r.err());
    }

    @Test
    void anNftRulesetRunsAndForwardsEveryTimedPacket() {
        CliRun r = jnat("bench", "--nft", "scripts/seed-docker.nft", "--flows", "1000", "--seconds", "0.05", "--json");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        String json = lines[lines.length - 1];
        assertEquals(0, field(json, "rules"), "no iptables rule: the NAT is the nft ruleset's");
        assertEquals(1000, field(json, "new_connections"));
        assertEquals(field(json, "established_packets"), field(json, "transmitted_packets"), "every timed packet was forwarded");
    }

    @Test
    void kubeProxysNftablesModeRunsAndForwardsEveryTimedPacket() {
        CliRun r = jnat("bench", "--kube-services", "50", "--kube-nft", "--flows", "500", "--seconds", "0.05", "--json");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        String json = lines[lines.length - 1];
        assertEquals(500, field(json, "new_connections"));
        assertEquals(field(json, "established_packets"), field(json, "transmitted_packets"), "every timed packet was forwarded");
    }

    @Test
    void ipv6WithKubeServicesIsAUsageError() {
        CliRun r = jnat("bench", "--ipv6", "--kube-services", "10");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--kube-services is IPv4 only"), r.err());
    }

    @Test
    void aConntrackMaxBelowTheFlowsIsAUsageError() {
        CliRun r = jnat("bench", "--flows", "2000", "--conntrack-max", "1000");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--conntrack-max must be at least --flows"), r.err());
    }

    @Test
    void randomOrderAndTheBatchAreInTheJsonAndEveryTimedPacketIsForwarded() {
        for (String batch : new String[] {"1", "64"}) {
            CliRun r = jnat("bench", "--flows", "3000", "--seconds", "0.05", "--order", "random", "--batch", batch, "--json");
            assertEquals(0, r.exit(), r.err());
            String[] lines = r.out().strip().split("\n");
            String json = lines[lines.length - 1];
            assertTrue(json.contains("\"order\":\"random\""), json);
            assertEquals(Double.parseDouble(batch), field(json, "batch"));
            assertEquals(3000, field(json, "new_connections"), "every flow's SYN made a connection");
            assertEquals(field(json, "established_packets"), field(json, "transmitted_packets"), "every timed packet was forwarded");
            assertTrue(r.out().contains("flows in random order, batches of " + batch), r.out());
            assertTrue(field(json, "established_cpu_pps") >= field(json, "established_pps") * 0.99,
                    "the thread ran at most the whole timed phase: " + json);
        }
    }

    @Test
    void theDefaultOrderIsCreationOrderInBatchesOfTheNapiWeight() {
        CliRun r = jnat("bench", "--flows", "1000", "--seconds", "0.05", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"order\":\"creation\""), r.out());
        assertTrue(r.out().contains("\"batch\":64"), r.out());
    }

    @Test
    void anUnknownOrderIsAUsageError() {
        CliRun r = jnat("bench", "--flows", "10", "--order", "sorted");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--order must be creation or random"), r.err());
    }

    @Test
    void anEmptyBatchIsAUsageError() {
        CliRun r = jnat("bench", "--flows", "10", "--batch", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--batch must be between 1 and 4096"), r.err());
    }
}

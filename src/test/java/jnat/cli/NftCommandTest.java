package jnat.cli;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code jnat nft --rules FILE}: each call one transaction on the file, handles kept across calls as the kernel keeps them. */
class NftCommandTest {
    @TempDir
    Path dir;

    static final List<List<String>> CALLS = List.of(
            List.of("add table inet t"),
            List.of("add chain inet t c { type filter hook input priority 0; }"),
            List.of("add rule inet t c tcp dport { 22, 80 } counter accept"),
            List.of("add set inet t s { type ipv4_addr; flags interval; }"),
            List.of("add element inet t s { 198.51.100.0/24 }"),
            List.of("insert rule inet t c ip saddr @s drop"),
            List.of("add rule inet t c bogus"),
            List.of("delete rule inet t c handle 4"),
            List.of("add rule inet t c udp dport 53 accept"),
            List.of("-c", "add rule inet t c drop"),
            List.of("-a", "list", "ruleset"),
            List.of("list", "set", "inet", "t", "s"));

    @Test
    void callsOnTheRulesFileGiveWhatTheRealNftGives() throws IOException {
        Tools.require("nft");
        Path rules = dir.resolve("nft.rules");
        List<String> jnat = new ArrayList<>(), real = new ArrayList<>();
        try (Netns ns = Netns.create("nftcli")) {
            for (List<String> call : CALLS) {
                List<String> args = new ArrayList<>(List.of("nft", "--rules", rules.toString()));
                args.addAll(call);
                CliRun r = CliRun.jnat(args.toArray(String[]::new));
                jnat.add(r.out() + r.err() + "rc=" + r.exit());
                List<String> cmd = new ArrayList<>(List.of("nft"));
                cmd.addAll(call);
                Tools.Result t = ns.exec(cmd.toArray(String[]::new));
                real.add(t.stdout() + t.stderr() + "rc=" + t.exitCode());
            }
        }
        assertEquals(real, jnat);
    }

    @Test
    void anErrorLeavesTheRulesFileAsItWas() throws IOException {
        Path rules = dir.resolve("nft.rules");
        assertEquals(0, CliRun.jnat("nft", "--rules", rules.toString(), "add table ip t").exit());
        String before = Files.readString(rules);
        Path bad = dir.resolve("bad.nft");
        Files.writeString(bad, "add chain ip t c\nadd rule ip t c accept\nadd rule ip t c jump nowhere\n");
        CliRun r = CliRun.jnat("nft", "--rules", rules.toString(), "-f", bad.toString());
        assertEquals(1, r.exit());
        assertEquals(bad + ":3:22-28: Error: Could not process rule: No such file or directory\n"
                + "add rule ip t c jump nowhere\n                     ^^^^^^^\n", r.err());
        assertEquals(before, Files.readString(rules));
    }
}

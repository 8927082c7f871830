package jnat.nft;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Bad input gets nft's messages: the same stderr (location, source line, caret and tilde marks) and exit
 * code as the real nft 1.0.6 for the same command after the same setup, and the ruleset is unchanged.
 */
class NftErrorsTest {
    static final List<String> SETUP = List.of(
            "add table ip t",
            "add chain ip t c",
            "add chain ip t b { type filter hook input priority 0; }",
            "add set ip t s { type ipv4_addr; }",
            "add map ip t m { type ifname : verdict; }",
            "add rule ip t c accept");

    static Stream<String> commands() {
        return Stream.of(
                "create table ip t",
                "create chain ip t c",
                "add chain ip t c { type filter hook input priority 0; }",
                "delete chain ip t x",
                "delete table ip x",
                "add rule ip t x accept",
                "add rule ip x c accept",
                "add rule ip t c jump nope",
                "add rule ip t c goto b",
                "add rule ip t c ip saddr @nope accept",
                "add rule ip t c tcp dport foo accept",
                "add rule ip t c meta mark 0x100000000 accept",
                "add rule ip t c tcp dport 80 udp dport 53 accept",
                "add rule ip t c bogus accept",
                "add rule ip t c ip saddr",
                "add rule ip t c accept drop",
                "add rule ip t c counter accept drop",
                "delete rule ip t c handle 99",
                "add rule ip t c handle 99 accept",
                "add chain ip t d { type filter hook prerouting priority srcnat; }",
                "add chain ip t d { type nat hook output priority foo; }",
                "add chain ip t d { type filter hook bogus priority 0; }",
                "add chain ip t d { type bogus hook input priority 0; }",
                "add rule ip t c iifname vmap @nope",
                "add rule ip t c tcp dport @s accept",
                "add element ip t nope { 1.2.3.4 }",
                "add element ip t m { \"eth0\" : jump nope }",
                "delete element ip t s { 1.2.3.4 }",
                "list table ip nope",
                "list chain ip t nope",
                "add rule ip t c ip daddr 10.0.0.5-10.0.0.1 accept",
                "add rule ip t c ct state bogus accept",
                "add rule ip t c dnat to 1.2.3.4:80",
                "add rule ip t c masquerade to :80",
                "add table foo t");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void commandLineErrorsAreNfts(String bad) {
        List<String> cmds = new ArrayList<>(SETUP);
        cmds.add(bad);
        List<String> real = NftRun.realCommands(cmds, "-a", "list", "ruleset");
        List<String> jnat = NftRun.jnatCommands(cmds, "-a", "list", "ruleset");
        assertEquals(real, jnat);
        assertNotEquals("rc=0\n", real.get(SETUP.size()), "not an error in nft either");
    }

    /** Files: syntax errors (with recovery: every line's error), bad blocks, and that nothing of the file is applied. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "table ip t {\n\tchain c {\n\t\taccept }\n}\n",
        "table inet t { chain c {\n accept\n}}\n",
        "table ip t {\n\tchain c {\n\t\tip saddr 1.2.3.4 accept\n\t\tip daddr @nope drop\n\t\ttcp dport { 1, 2 } bogus\n\t}\n}\n",
        "table ip t {\n\tset s { type bogus_t; }\n}\n",
        "table ip t {\n\tchain c {\n\t\tjump x\n\t}\n}\n",
        "add table ip t\nadd chain ip t c\nadd rule ip t c accept\nadd rule ip t c bogus\n",
        "table ip t {\n\tchain c {\n\t\ttype filter hook input priority filter; policy maybe;\n\t}\n}\n",
        "table ip t {\n\tchain c {\n",
        "table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.0/8 }\n\t}\n}\n",
        "table ip t { chain c {\n udp dport 1 reject with tcp reset\n meta l4proto udp reject with tcp reset\n}\n}\n",
        "table ip6 t {\n\tchain c {\n\t\tip saddr 198.51.100.1 accept\n\t\tdnat ip to 198.51.100.2\n\t}\n}\n",
    })
    void fileErrorsAreNftsAndChangeNothing(String text) {
        NftRun real = NftRun.real("bad.nft", text);
        NftRun jnat = NftRun.jnat("bad.nft", text);
        assertEquals(real.joined(), jnat.joined());
        assertEquals("", jnat.list(), "the transaction applied part of a bad file");
    }
}

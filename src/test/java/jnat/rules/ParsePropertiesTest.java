package jnat.rules;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Properties of the parsers and printers: what is saved parses back to the same rule. */
class ParsePropertiesTest {
    @Property
    void addressPrintsAndParsesBack(@ForAll int addr) {
        assertEquals(addr, Inet.parseAddress(Inet.format(addr)));
    }

    @Property
    void prefixMaskAndLengthAgree(@ForAll @IntRange(min = 0, max = 32) int len) {
        assertEquals(len, Inet.prefixLength(Inet.prefixMask(len)));
        assertEquals(Inet.prefixMask(len), Inet.parseMask(Integer.toString(len)));
    }

    @Property
    void networkIsMaskedAsIptablesMasksIt(@ForAll int addr, @ForAll @IntRange(min = 0, max = 32) int len) {
        int[] n = Inet.parseNetwork(Inet.format(addr) + "/" + len);
        assertEquals(addr & Inet.prefixMask(len), n[0]);
        assertEquals(Inet.prefixMask(len), n[1]);
    }

    @Provide
    Arbitrary<String> ruleSpecs() {
        Arbitrary<String> src = Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 32),
                Arbitraries.of("", "! ")).as((a, l, inv) -> inv + "-s " + Inet.format(a) + "/" + l);
        Arbitrary<String> ports = Combinators.combine(Arbitraries.integers().between(0, 65535),
                Arbitraries.integers().between(0, 65535), Arbitraries.of("", "! "))
                .as((a, b, inv) -> "-p tcp " + inv + "--dport " + Math.min(a, b) + ":" + Math.max(a, b));
        Arbitrary<String> iface = Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(14),
                Arbitraries.of("", "+"), Arbitraries.of("", "! ")).as((n, plus, inv) -> inv + "-i " + n + plus);
        Arbitrary<String> mark = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as((v, k) -> "-j MARK --set-xmark 0x" + Integer.toHexString(v) + "/0x" + Integer.toHexString(k));
        Arbitrary<String> comment = Arbitraries.strings().ofMinLength(1).ofMaxLength(40)
                .withChars("abc XYZ_-/\"\\':;.,0123456789").map(c -> "-m comment --comment " + quote(c));
        Arbitrary<String> stat = Arbitraries.integers().between(0, Integer.MAX_VALUE)
                .map(p -> "-m statistic --mode random --probability " + (p / (double) 0x80000000L));
        return Combinators.combine(src, ports, iface, comment, stat, mark)
                .as((a, b, c, d, e, f) -> String.join(" ", a, b, c, d, e, f));
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') sb.append('\\');
            sb.append(ch);
        }
        return sb.append('"').toString();
    }

    @Property
    void savedRuleParsesBackToTheSameSavedRule(@ForAll("ruleSpecs") String spec) {
        Ruleset rs = new Ruleset();
        List<String> argv = new ArrayList<>(List.of("-t", "mangle", "-A", "PREROUTING"));
        argv.addAll(Restore.tokenize(spec));
        Iptables.run(rs, argv);
        String saved = rs.save("mangle", true, false);
        Ruleset again = Ruleset.parse(saved);
        assertEquals(saved, again.save("mangle", true, false));
    }
}

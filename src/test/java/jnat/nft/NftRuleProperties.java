package jnat.nft;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random rules built from the language's pieces (matches, statements, verdicts, in ip, ip6 and inet
 * tables, including combinations nft refuses): jnat prints what the real nft prints, errors included, and
 * what jnat lists loads back to the same listing.
 */
class NftRuleProperties {
    static final List<String> MATCHES = List.of(
            "ip saddr 198.51.100.0/24", "ip daddr != 203.0.113.1", "ip saddr { 198.51.100.1, 203.0.113.0/25 }",
            "ip6 daddr 2001:db8::/48", "ip6 saddr != { 2001:db8::1, 2001:db8::2 }", "tcp dport { 22, 80, 443 }",
            "tcp sport 1024-65535", "udp dport 53", "th dport != 5000-6000", "ct state new,established",
            "ct state invalid", "ct status snat", "meta l4proto udp", "meta l4proto { tcp, udp }",
            "iifname \"eth*\"", "oifname != \"lo\"", "meta mark 0x10", "meta mark and 0xff == 0x1",
            "tcp flags syn", "tcp flags & (syn|ack) == syn", "icmp type echo-request", "icmpv6 type nd-neighbor-solicit",
            "ip protocol tcp", "ip6 nexthdr udp", "meta nfproto ipv4", "fib daddr type local", "fib saddr . iif oif 0",
            "ct mark 0x1", "ip ttl 64", "ip6 hoplimit 1", "meta pkttype broadcast", "ip dscp cs1", "numgen random mod 2 0",
            "ip saddr . tcp dport { 198.51.100.1 . 22, 203.0.113.2 . 80 }", "ct original ip daddr 198.51.100.9");
    static final List<String> STATEMENTS = List.of("", "counter", "log prefix \"x \"", "limit rate 5/second",
            "quota 1 mbytes", "meta mark set 0x2", "ct mark set meta mark", "meta mark set meta mark | 0x4000", "notrack");
    static final List<String> VERDICTS = List.of("", "accept", "drop", "return", "continue", "reject",
            "reject with tcp reset", "masquerade", "dnat ip to 198.51.100.5", "meta l4proto tcp redirect to :8080");

    @Provide
    Arbitrary<String> rulesets() {
        Arbitrary<String> family = Arbitraries.of("ip", "ip6", "inet");
        Arbitrary<String> type = Arbitraries.of("filter", "nat");
        Arbitrary<List<String>> matches = Arbitraries.of(MATCHES).list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(family, type, matches, Arbitraries.of(STATEMENTS), Arbitraries.of(VERDICTS))
                .as((f, t, m, s, v) -> "table " + f + " t {\n\tchain c {\n\t\ttype " + t + " hook "
                        + (t.equals("nat") ? "postrouting priority srcnat" : "input priority filter") + "; policy accept;\n\t\t"
                        + String.join(" ", m) + (s.isEmpty() ? "" : " " + s) + (v.isEmpty() ? "" : " " + v) + "\n\t}\n}\n");
    }

    @Property(tries = 60)
    void aRuleListsAsTheRealNftListsIt(@ForAll("rulesets") String text) {
        assertEquals(NftRun.real("r.nft", text).joined(), NftRun.jnat("r.nft", text).joined(), text);
    }

    @Property(tries = 300)
    void aListingLoadsBackToItself(@ForAll("rulesets") String text) {
        NftRun first = NftRun.jnat("r.nft", text);
        if (!first.err().equals("rc=0\n")) return;
        NftRun again = NftRun.jnat("r.nft", first.list());
        assertEquals("rc=0\n", again.err(), first.list());
        assertEquals(first.list(), again.list());
    }
}

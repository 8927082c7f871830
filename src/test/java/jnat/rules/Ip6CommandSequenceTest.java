package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The same ip6tables commands against the real ip6tables (in a namespace) and jnat leave the same tables. */
class Ip6CommandSequenceTest {
    static Stream<CommandSequenceTest.Sequence> sequences() {
        return Stream.of(
                CommandSequenceTest.seq("docker publishes a port over IPv6",
                        "-t nat -N DOCKER",
                        "-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
                        "-t nat -A OUTPUT ! -d ::1/128 -m addrtype --dst-type LOCAL -j DOCKER",
                        "-t nat -A POSTROUTING -s fd49:efd7:54aa::/64 ! -o br-x -j MASQUERADE",
                        "-t nat -A DOCKER ! -s fe80::/10 ! -i br-x -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd49:efd7:54aa::2]:80",
                        "-t nat -I POSTROUTING 1 -s fd49:efd7:54aa::2/128 -d fd49:efd7:54aa::2/128 -p tcp -m tcp --dport 80 -j MASQUERADE",
                        "-t raw -A PREROUTING -d fd49:efd7:54aa::2/128 ! -i br-x -j DROP",
                        "-A FORWARD -o br-x -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
                CommandSequenceTest.seq("comma lists of IPv6 addresses; -I, -D, -R, -C by spec and number",
                        "-A INPUT -s fd00::1,fd00::2 -d 2001:db8::/64,2001:db8:1::/64 -p udp -j ACCEPT",
                        "-I INPUT 2 -s fe80::1 -p ipv6-icmp --icmpv6-type echo-request -j ACCEPT",
                        "-D INPUT -s fd00::2 -d 2001:db8::/64,2001:db8:1::/64 -p udp -j ACCEPT",
                        "-R INPUT 1 -s fd00::/ffff:ffff:0:ffff:: -j DROP",
                        "-C INPUT -s fe80::1/128 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT",
                        "-D INPUT 2"),
                CommandSequenceTest.seq("user chains, rename, policies, counters zeroed",
                        "-N OLD", "-A OLD -m hl --hl-lt 2 -j REJECT --reject-with icmp6-adm-prohibited", "-A INPUT -j OLD",
                        "-E OLD NEW", "-P FORWARD DROP", "-A OUTPUT -j LOG --log-prefix v6", "-Z", "-t mangle -A PREROUTING -j HL --hl-inc 1"),
                CommandSequenceTest.seq("NAT66 ranges, ports and abbreviations",
                        "-t nat -A PREROUTING -p udp -j DNAT --to [fd00::2-fd00::9]:53-60",
                        "-t nat -A POSTROUTING -p tcp -j SNAT --to-s fd00::1 --random-f",
                        "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080-8090 --random",
                        "-t nat -A POSTROUTING -o eth0 -j NETMAP --to 2001:db8:1::/48",
                        "-t mangle -A POSTROUTING -o eth0 -j SNPT --src-pfx fd00:1::/48 --dst-pfx 2001:db8:1::/48"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void leavesTheSameTablesAsRealIp6tables(CommandSequenceTest.Sequence s) {
        Tools.require("ip6tables");
        Ruleset rs = new Ruleset(true);
        try (Netns ns = Netns.create("ip6-seq")) {
            for (String c : s.commands()) {
                List<String> argv = Restore.tokenize(c);
                Iptables.run(rs, argv);
                List<String> real = new ArrayList<>(List.of("ip6tables"));
                real.addAll(argv);
                ns.exec(real.toArray(String[]::new)).checked();
            }
            for (String t : List.of("filter", "nat", "mangle", "raw")) {
                rs.table(t);
                ns.exec("ip6tables", "-t", t, "-S").checked();
                assertEquals(Dumps.withoutComments(ns.exec("ip6tables-save", "-c", "-t", t).checked().stdout()),
                        rs.save(t, true, false), t);
                assertEquals(Dumps.normaliseProt(ns.exec("ip6tables", "-t", t, "-nvL", "--line-numbers").checked().stdout()),
                        Dumps.normaliseProt(Dumps.run(rs, "-t", t, "-nvL", "--line-numbers")), t);
            }
        }
    }
}

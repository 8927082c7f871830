package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same iptables commands run against real iptables (in a namespace) and against jnat leave
 * the same table behind, as iptables-save -c prints it, and list the same.
 */
class CommandSequenceTest {
    record Sequence(String name, List<String> commands) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Sequence seq(String name, String... commands) {
        return new Sequence(name, List.of(commands));
    }

    static Stream<Sequence> sequences() {
        return Stream.of(
                seq("docker publishes a port",
                        "-N DOCKER",
                        "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
                        "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER",
                        "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
                        "-A DOCKER -i docker0 -j RETURN",
                        "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000",
                        "-I POSTROUTING 2 -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 8000 -j MASQUERADE"),
                seq("comma lists expand; -I puts them at one position; -D removes them",
                        "-A PREROUTING -p tcp -j REDIRECT",
                        "-A PREROUTING -s 10.0.0.1,10.0.0.2 -d 192.168.1.0/24,192.168.2.0/24 -p udp -j RETURN",
                        "-I PREROUTING 1 -s 10.9.0.1,10.9.0.2 -j RETURN",
                        "-D PREROUTING -s 10.0.0.2 -d 192.168.1.0/24,192.168.2.0/24 -p udp -j RETURN"),
                seq("delete by number and by spec, replace, check",
                        "-A OUTPUT -p tcp --dport 1 -j RETURN",
                        "-A OUTPUT -p tcp --dport 2 -j RETURN",
                        "-A OUTPUT -p tcp --dport 3 -j RETURN",
                        "-D OUTPUT 2",
                        "-R OUTPUT 1 -p udp --sport 5 -j ACCEPT",
                        "-C OUTPUT -p tcp -m tcp --dport 3 -j RETURN",
                        "-D OUTPUT -p tcp -m tcp --dport 3 -j RETURN"),
                seq("rename, flush, delete chains, policy",
                        "-N OLD", "-N GONE", "-A OLD -j RETURN", "-A PREROUTING -j OLD", "-E OLD NEW",
                        "-A NEW -g GONE", "-F NEW", "-X GONE", "-P OUTPUT ACCEPT"),
                seq("counters set, zeroed per rule and per chain",
                        "-A PREROUTING -p tcp -j RETURN -c 10 1000",
                        "-A PREROUTING -p udp -j RETURN -c 123456 7654321",
                        "-A OUTPUT -j RETURN -c 5 50",
                        "-Z PREROUTING 1",
                        "-Z OUTPUT"),
                seq("flush all and delete all user chains",
                        "-N A", "-N B", "-A A -j B", "-A PREROUTING -j A", "-F", "-X"),
                seq("long options abbreviated as getopt_long allows",
                        "-A PREROUTING -p tcp --dport 80 -j DNAT --to 10.0.0.1:8080",
                        "-A POSTROUTING -p udp -j SNAT --to-s 192.0.2.1 --random-f",
                        "-A OUTPUT -m comment --comm abbreviated -m addrtype --dst-t LOCAL -j RETURN"),
                seq("interface wildcards and inversions",
                        "-A PREROUTING -i veth+ ! -s 10.0.0.0/8 -p tcp ! --dport 22 -j REDIRECT --to-ports 8080",
                        "-A POSTROUTING ! -o br-+ -j MASQUERADE",
                        "-A POSTROUTING -o + -p udp -j SNAT --to-source 192.168.0.1-192.168.0.9:1024-2047 --persistent"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void leavesTheSameTableAsRealIptables(Sequence s) {
        Tools.require("iptables");
        Ruleset rs = new Ruleset();
        try (Netns ns = Netns.create("rules-seq")) {
            for (String c : s.commands()) {
                List<String> argv = new ArrayList<>(List.of("-t", "nat"));
                argv.addAll(Restore.tokenize(c));
                Iptables.run(rs, argv);
                List<String> real = new ArrayList<>(List.of("iptables"));
                real.addAll(argv);
                ns.exec(real.toArray(String[]::new)).checked();
            }
            rs.table("nat");
            assertEquals(Dumps.withoutComments(ns.exec("iptables-save", "-c", "-t", "nat").checked().stdout()),
                    rs.save("nat", true, false));
            assertEquals(Dumps.normaliseProt(ns.exec("iptables", "-t", "nat", "-nvL", "--line-numbers").checked().stdout()),
                    Dumps.normaliseProt(Dumps.run(rs, "-t", "nat", "-nvL", "--line-numbers")));
        }
    }

    @ParameterizedTest(name = "[{index}] iptables-restore {0}")
    @MethodSource("restores")
    void restoreFlagsActAsRealIptablesRestore(String flag) {
        Tools.require("iptables-restore");
        String base = Dumps.rules("docker-default-bridge");
        String more = "*nat\n:DOCKER - [0:0]\n:EXTRA - [0:0]\n[7:700] -A DOCKER -p udp -j RETURN\n-A PREROUTING -j EXTRA\nCOMMIT\n";
        try (Netns ns = Netns.create("rules-restore")) {
            ns.execIn(base, "iptables-restore", "-c").checked();
            List<String> cmd = new ArrayList<>(List.of("iptables-restore"));
            if (!flag.isEmpty()) cmd.addAll(List.of(flag.split(" ")));
            String both = more + "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-mark 1\nCOMMIT\n";
            ns.execIn(both, cmd.toArray(String[]::new)).checked();
            Ruleset rs = Ruleset.parse(base);
            String only = flag.contains("-T ") ? flag.substring(flag.indexOf("-T ") + 3).split(" ")[0] : null;
            Restore.apply(rs, both, flag.contains("--noflush"), flag.contains("--counters"), only);
            assertEquals(Dumps.withoutComments(ns.exec("iptables-save", "-c").checked().stdout()), rs.save(null, true, false));
        }
    }

    static Stream<String> restores() {
        return Stream.of("", "--noflush", "--counters", "--noflush --counters", "-T nat", "-T mangle --counters");
    }
}

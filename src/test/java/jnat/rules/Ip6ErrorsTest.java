package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 rules ip6tables refuses: jnat refuses them with ip6tables' message and exit code, rules untouched. */
class Ip6ErrorsTest {
    record Case(String message, int exitCode, List<String> argv) {
        @Override
        public String toString() {
            return String.join(" ", argv);
        }
    }

    static Case c(String message, int exitCode, String... argv) {
        return new Case(message, exitCode, List.of(argv));
    }

    static final String EINVAL = "RULE_APPEND failed (Invalid argument): rule in chain ";

    static Stream<Case> cases() {
        return Stream.of(
                c("host/network `1.2.3.4' not found", 2, "-A", "INPUT", "-s", "1.2.3.4", "-j", "ACCEPT"),
                c("invalid mask `129' specified", 2, "-A", "INPUT", "-s", "fe80::/129", "-j", "ACCEPT"),
                c("invalid mask `ab' specified", 2, "-A", "INPUT", "-d", "fe80::/ab", "-j", "ACCEPT"),
                c("host/network `fe80:::1' not found", 2, "-A", "INPUT", "-s", "fe80:::1", "-j", "ACCEPT"),
                c("`-f' is not supported in IPv6, use -m frag instead", 2, "-A", "INPUT", "-f", "-j", "ACCEPT"),
                c("Couldn't load match `icmp':No such file or directory", 2, "-A", "INPUT", "-p", "icmp", "-m", "icmp",
                        "--icmp-type", "8", "-j", "ACCEPT"),
                c(EINVAL + "INPUT", 4, "-A", "INPUT", "-m", "icmp6", "--icmpv6-type", "128", "-j", "ACCEPT"),
                c("Unknown ICMPv6 type `foo'", 2, "-A", "INPUT", "-p", "ipv6-icmp", "-m", "icmp6", "--icmpv6-type", "foo"),
                c("Unknown ICMPv6 type `300'", 2, "-A", "INPUT", "-p", "ipv6-icmp", "-m", "icmp6", "--icmpv6-type", "300"),
                c("Ambiguous ICMPv6 type `ne': `neighbour-solicitation' or `neighbor-solicitation'?", 2,
                        "-A", "INPUT", "-p", "ipv6-icmp", "-m", "icmp6", "--icmpv6-type", "ne"),
                c(EINVAL + "INPUT", 4, "-A", "INPUT", "-m", "addrtype", "--dst-type", "BROADCAST", "-j", "ACCEPT"),
                c("unknown reject type \"icmp-port-unreachable\"", 2, "-A", "INPUT", "-p", "tcp", "-j", "REJECT",
                        "--reject-with", "icmp-port-unreachable"),
                c(EINVAL + "INPUT", 4, "-A", "INPUT", "-p", "udp", "-j", "REJECT", "--reject-with", "tcp-reset"),
                c("unknown reject type \"foo\"", 2, "-A", "INPUT", "-j", "REJECT", "--reject-with", "foo"),
                c("Bad IP address \"1.2.3.4\"", 2, "-t", "nat", "-A", "POSTROUTING", "-j", "SNAT", "--to-source", "1.2.3.4"),
                c("Invalid address format", 2, "-t", "nat", "-A", "POSTROUTING", "-p", "tcp", "-j", "SNAT", "--to-source", "[fd00::1"),
                c("Need TCP, UDP, SCTP or DCCP with port specification", 2, "-t", "nat", "-A", "POSTROUTING", "-j", "SNAT",
                        "--to-source", "[fd00::1]:80"),
                c("Port `99999' not valid", 2, "-t", "nat", "-A", "POSTROUTING", "-p", "tcp", "-j", "SNAT",
                        "--to-source", "[fd00::1]:99999"),
                c("Invalid port:port syntax - use dash", 2, "-t", "nat", "-A", "POSTROUTING", "-p", "tcp", "-j", "SNAT",
                        "--to-source", "[fd00::1]:80:90"),
                c("Port range `80' funky", 2, "-t", "nat", "-A", "POSTROUTING", "-p", "tcp", "-j", "SNAT",
                        "--to-source", "[fd00::1]:90-80"),
                c("Port `:2]:80' not valid", 2, "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-j", "DNAT",
                        "--to-destination", "[fd00::1]-[fd00::2]:80"),
                c("Need TCP, UDP, SCTP or DCCP with port specification", 2, "-t", "nat", "-A", "PREROUTING", "-j",
                        "REDIRECT", "--to-ports", "80"),
                c("frag: option \"--fragmore\" cannot be used together with \"--fraglast\".", 2, "-A", "INPUT", "-m", "frag",
                        "--fragmore", "--fraglast"),
                c("frag: bad value for option \"--fragid\" near \"x\", or out of range (0-4294967295).", 2,
                        "-A", "INPUT", "-m", "frag", "--fragid", "5:x"),
                c("`--rt-type 0' required before `--rt-0-res'", 2, "-A", "INPUT", "-m", "rt", "--rt-0-res"),
                c("HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'", 2, "-A", "INPUT", "-m", "hl"),
                c("hl: option \"--hl-lt\" cannot be used together with \"--hl-eq\".", 2, "-A", "INPUT", "-m", "hl",
                        "--hl-eq", "5", "--hl-lt", "3"),
                c(EINVAL + "INPUT", 4, "-A", "INPUT", "-m", "mh", "--mh-type", "5"),
                c("unknown header `foo' specified", 2, "-A", "INPUT", "-m", "ipv6header", "--header", "foo"),
                c(EINVAL + "INPUT", 4, "-A", "INPUT", "-j", "HL", "--hl-set", "5"),
                c("HL: You must specify an action", 2, "-t", "mangle", "-A", "INPUT", "-j", "HL"),
                c(EINVAL + "POSTROUTING", 4, "-t", "mangle", "-A", "POSTROUTING", "-j", "SNPT", "--src-pfx", "dead::1/64",
                        "--dst-pfx", "1c3::/64"),
                c("SNPT: option \"--dst-pfx\" must be specified", 2, "-t", "mangle", "-A", "POSTROUTING", "-j", "SNPT",
                        "--src-pfx", "dead::/64"),
                c(EINVAL + "OUTPUT", 4, "-t", "mangle", "-A", "OUTPUT", "-m", "eui64"),
                c("iprange: Bad value for \"--src-range\" option: \"1.2.3.4\"", 2, "-A", "INPUT", "-m", "iprange",
                        "--src-range", "1.2.3.4-1.2.3.5"),
                c("getaddrinfo: Address family for hostname not supported", 2, "-A", "INPUT", "-m", "conntrack",
                        "--ctorigsrc", "10.0.0.1"),
                c("! not allowed with multiple source or destination IP addresses", 2, "-A", "INPUT", "!", "-s",
                        "fd00::1,fd00::2", "-j", "ACCEPT"),
                c("The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.", 2,
                        "-t", "nat", "-A", "PREROUTING", "-j", "DROP"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithIp6tablesMessageAndNothingChanged(Case k) {
        Ruleset rs = new Ruleset(true);
        Iptables.run(rs, List.of("-A", "INPUT", "-s", "fd00::/8", "-j", "ACCEPT"));
        String before = rs.save("filter", true, false);
        RuleError e = assertThrows(RuleError.class, () -> Iptables.run(rs, k.argv()));
        // jnat says why the kernel would refuse a target in the wrong table after iptables-nft's words
        if (k.message().startsWith(EINVAL)) assertTrue(e.getMessage().startsWith(k.message()), e.getMessage());
        else assertEquals(k.message(), e.getMessage());
        assertEquals(k.exitCode(), e.exitCode());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(before, rs.save("filter", true, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void realIp6tablesGivesTheSameMessageAndExitCode(Case k) {
        Tools.require("ip6tables");
        try (Netns ns = Netns.create("ip6err")) {
            List<String> cmd = new ArrayList<>(List.of("ip6tables"));
            cmd.addAll(k.argv());
            Tools.Result r = ns.exec(cmd.toArray(String[]::new));
            assertEquals(k.exitCode(), r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains(k.message()), r.stderr());
        }
    }
}

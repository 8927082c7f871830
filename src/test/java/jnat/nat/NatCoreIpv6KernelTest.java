package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Tuple;
import jnat.rules.NatRange;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel as the oracle for find_best_ips_proto over IPv6: UDP datagrams from four sources to
 * three destinations leave a namespace through an ip6tables SNAT rule with an address range, and
 * the address the kernel chose for each (conntrack -L's reply destination) must be ours. The
 * ranges cover one word, a range across a word boundary (whose later words the kernel takes
 * whole: the chosen address may fall below min) and --persistent.
 */
class NatCoreIpv6KernelTest {
    static final String[] SOURCES = {"fd00:6::1", "fd00:6::2", "fd00:6::3", "fd00:6::abcd:1234"};
    static final String[] DESTINATIONS = {"fd00:6::99", "fd00:6::1:5", "fd00:6:0:0:ffff::7"};
    static final String SEND = """
            import socket, sys
            p = int(sys.argv[1])
            for s in sys.argv[2].split(","):
                for d in sys.argv[3].split(","):
                    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind((s, p)); p += 1
                    u.sendto(b"x", (d, 9)); u.close()
            """;
    static final Pattern LINE = Pattern.compile(
            "^udp +17 \\d+ src=(\\S+) dst=(\\S+) sport=(\\d+) dport=9 \\[UNREPLIED] src=\\S+ dst=(\\S+) sport=9 dport=(\\d+) .*$");

    record Rule(String min, String max, boolean persistent) {}

    @Test
    void addressesChosenFromIpv6RangesAreTheKernels() {
        Tools.requireRoot();
        Tools.require("ip6tables");
        Tools.require("conntrack");
        Tools.require("python3");
        List<Rule> rules = List.of(
                new Rule("fd00:7::100", "fd00:7::1ff", false),
                new Rule("fd00:7::ffff:ffff:ff00", "fd00:7::1:0:0:ff", false),
                new Rule("fd00:7::", "fd00:7::ffff:ffff", true),
                new Rule("fd00:7::1:0:0:0", "fd00:8::", false));
        int compared = 0;
        try (Netns ns = Netns.create("nat6")) {
            ns.exec("ip", "link", "add", "vA", "type", "veth", "peer", "name", "vB").checked();
            ns.exec("ip", "link", "set", "vA", "up").checked();
            ns.exec("ip", "link", "set", "vB", "up").checked();
            for (String s : SOURCES) ns.exec("ip", "addr", "add", s + "/64", "dev", "vA", "nodad").checked();
            int port = 20000;
            for (Rule rule : rules) {
                ns.exec("ip6tables", "-t", "nat", "-F").checked();
                List<String> add = new ArrayList<>(List.of("ip6tables", "-t", "nat", "-A", "POSTROUTING", "-o", "vA",
                        "-p", "udp", "-j", "SNAT", "--to-source", rule.min() + "-" + rule.max()));
                if (rule.persistent()) add.add("--persistent");
                ns.exec(add.toArray(String[]::new)).checked();
                ns.exec("conntrack", "-F").checked();
                ns.exec("python3", "-c", SEND, String.valueOf(port), String.join(",", SOURCES), String.join(",", DESTINATIONS))
                        .checked();
                port += SOURCES.length * DESTINATIONS.length;
                String listing = ns.exec("conntrack", "-L", "-f", "ipv6", "-p", "udp").checked().stdout();
                compared += compare(rule, listing);
            }
        }
        assertEquals(rules.size() * SOURCES.length * DESTINATIONS.length, compared);
    }

    /** Binds each connection the kernel listed through our NatCore; returns how many were compared. */
    private static int compare(Rule rule, String listing) {
        ConnTable table = new ConnTable(1024);
        Conntrack conntrack = new Conntrack(table);
        NatCore core = new NatCore(table, new Prandom(1));
        long[] min = addr(rule.min()), max = addr(rule.max());
        InetNatRange range = new InetNatRange().set6(NatRange.MAP_IPS | (rule.persistent() ? NatRange.PERSISTENT : 0),
                min[0], min[1], max[0], max[1], 0, 0);
        CtPacket p = new CtPacket();
        int n = 0;
        for (String line : listing.lines().toList()) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), line);
            long[] s = addr(m.group(1)), d = addr(m.group(2));
            p.reset();
            p.tuple.set6(Tuple.IPPROTO_UDP, s[0], s[1], d[0], d[1], Integer.parseInt(m.group(3)), 9);
            assertEquals(Conntrack.IP_CT_NEW, conntrack.in(p, 0));
            core.setupInfo(p.id, range, NatCore.MANIP_SRC, 0);
            Tuple reply = table.tuple(p.id, ConnTable.REPLY, new Tuple());
            assertEquals(m.group(4), Ipv6Address.format(reply.dstHi, reply.dstLo), rule + ": " + line);
            assertEquals(Integer.parseInt(m.group(5)), reply.dstPort, line);
            assertTrue(table.confirm(p.id, 0));
            n++;
        }
        return n;
    }

    private static long[] addr(String text) {
        byte[] b = Ipv6Address.parse(text);
        return new long[] {Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0)};
    }
}

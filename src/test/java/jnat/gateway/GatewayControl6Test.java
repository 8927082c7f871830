package jnat.gateway;

import jnat.cli.CliRun;
import jnat.cli.IptablesRestoreStdin;
import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import jnat.wire.IcmpRepr;
import jnat.wire.Icmpv6Repr;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control socket speaking ip6tables, against a gateway on the lab's host with both rulesets
 * (scripts/lab.rules and scripts/lab6.rules), without devices: packets are handed to
 * {@link Gateway#receive} directly, commands go through the real socket and the real jnat command
 * line (in-process).
 */
class GatewayControl6Test {
    static final int DOCKER0 = 0, ETH0 = 1;
    static final String CTR = "fd49:efd7:54aa::2", SERVER = "2001:db8:2::8", GW_WAN = "2001:db8:1::10";

    @TempDir
    Path dir;
    Path socket;
    NatEngine engine;
    Gateway gateway;
    ControlServer server;
    /** What left: "k src > dst" (k the loop index). */
    final List<String> sent = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        Host host = Host.fromFile(Path.of("scripts/lab-host.ip"));
        engine = new NatEngine(host, Ruleset.parse(Files.readString(Path.of("scripts/lab.rules"))));
        engine.setRuleset6(Ruleset.parse(Files.readString(Path.of("scripts/lab6.rules")), true));
        gateway = new Gateway(engine, List.of(new Gateway.Attachment(host.device("docker0"), "jnat-docker0"),
                new Gateway.Attachment(host.device("eth0"), "jnat-eth0")));
        socket = dir.resolve("ctl.sock");
        server = ControlServer.start(socket, new GatewayControl(gateway));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    CliRun control(String tool, String... args) {
        List<String> a = new ArrayList<>(List.of(tool, "--control", socket.toString()));
        a.addAll(List.of(args));
        return jnat(a.toArray(String[]::new));
    }

    CliRun restore(String tool, String dump, String... args) {
        List<String> a = new ArrayList<>(List.of(tool, "--control", socket.toString()));
        a.addAll(List.of(args));
        CliRun[] r = new CliRun[1];
        IptablesRestoreStdin.with(dump, () -> r[0] = jnat(a.toArray(String[]::new)));
        return r[0];
    }

    /** An IPv6 packet from the container into docker0. */
    void containerSends(byte[] ip) {
        byte[] buf = new byte[65535];
        System.arraycopy(ip, 0, buf, 0, ip.length);
        gateway.receive(DOCKER0, buf, 0, ip.length, System.nanoTime(), (k, b, off, len) -> {
            if ((b[off] & 0xf0) != 0x60) {
                sent.add(k + " ipv4");
                return;
            }
            Ipv6Packet p = new Ipv6Packet();
            assertEquals(WireError.OK, p.wrap(b, off, len));
            sent.add(k + " " + Ipv6Address.format(p.srcHi(), p.srcLo()) + " > " + Ipv6Address.format(p.dstHi(), p.dstLo()));
        });
    }

    void ping6(int id) {
        containerSends(Ipv6Repr.of(CTR, SERVER).packet(Icmpv6Repr.echoRequest(id, 1, new byte[56])));
    }

    @Test
    void ip6tablesListsTheLiveIpv6RulesetWithTheCountersThePacketsMoved() {
        ping6(7);
        assertEquals(List.of(ETH0 + " " + GW_WAN + " > " + SERVER), sent);
        CliRun r = control("ip6tables", "-t", "nat", "-nvxL", "POSTROUTING");
        assertEquals(0, r.exit(), r.err());
        // one echo request of 40 + 8 + 56 bytes
        assertTrue(r.out().contains("       1      104 MASQUERADE  all  --  *      !docker0  fd49:efd7:54aa::/64  ::/0"), r.out());
    }

    @Test
    void ip6tablesRuleInsertedThroughTheSocketAppliesToTheNextPacket() {
        CliRun i = control("ip6tables", "-t", "nat", "-I", "POSTROUTING", "-p", "udp", "-j", "SNAT", "--to-source", "2001:db8:1::99");
        assertEquals(0, i.exit(), i.err());
        containerSends(Ipv6Repr.of(CTR, SERVER).packet(new UdpRepr(5000, 53, new byte[4])));
        assertEquals(List.of(ETH0 + " 2001:db8:1::99 > " + SERVER), sent);
        assertTrue(control("ip6tables-save", "-t", "nat").out()
                .contains("-A POSTROUTING -p udp -j SNAT --to-source 2001:db8:1::99\n"));
    }

    @Test
    void ip6tablesChangesLeaveTheIptablesRulesetAlone() {
        Ruleset v4 = engine.ruleset();
        assertEquals(0, control("ip6tables", "-t", "nat", "-F").exit());
        assertSame(v4, engine.ruleset());
        assertTrue(control("iptables-save", "-t", "nat").out().contains("-j MASQUERADE"));
        assertFalse(control("ip6tables-save", "-t", "nat").out().contains("-j MASQUERADE"));
    }

    @Test
    void ipv4AddressInAnIp6tablesRuleGetsIp6tablesMessageAndChangesNothing() {
        Ruleset before = engine.ruleset6();
        CliRun r = control("ip6tables", "-A", "FORWARD", "-s", "10.0.0.1", "-j", "DROP");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("host/network `10.0.0.1' not found"), r.err());
        assertSame(before, engine.ruleset6());
    }

    @Test
    void ip6tablesSaveWithCountersPrintsTheLiveRules() {
        ping6(7);
        CliRun r = control("ip6tables-save", "-c", "-t", "nat");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("# Generated by jnat ip6tables-save"), r.out());
        assertTrue(r.out().contains("[1:104] -A POSTROUTING -s fd49:efd7:54aa::/64 ! -o docker0 -j MASQUERADE\n"), r.out());
        assertTrue(r.out().contains("-A DOCKER ! -s fe80::/10 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd49:efd7:54aa::2]:80\n"), r.out());
    }

    @Test
    void ip6tablesSaveOfAnUnknownTableSaysWhatIp6tablesSaveSays() {
        CliRun r = control("ip6tables-save", "-t", "nosuch");
        assertEquals(1, r.exit());
        assertEquals("ip6tables-save: Table `nosuch' does not exist\n", r.err());
    }

    @Test
    void ip6tablesRestoreReplacesTheIpv6RulesetWhole() {
        String dump = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                + "-A POSTROUTING -o eth0 -j SNAT --to-source 2001:db8:1::77\nCOMMIT\n";
        CliRun r = restore("ip6tables-restore", dump);
        assertEquals(0, r.exit(), r.err());
        ping6(8);
        assertEquals(List.of(ETH0 + " 2001:db8:1::77 > " + SERVER), sent);
        assertTrue(engine.ruleset6().existing("filter") != null, "a table the dump lacks is kept, as iptables-restore keeps it");
    }

    @Test
    void ip6tablesRestoreThatFailsHalfWayChangesNothing() {
        Ruleset before = engine.ruleset6();
        String dump = "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -j SNAT --to-source 2001:db8:1::77\nCOMMIT\n"
                + "*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -m nosuchmatch -j DROP\nCOMMIT\n";
        CliRun r = restore("ip6tables-restore", dump);
        assertTrue(r.exit() != 0, r.err());
        assertTrue(r.err().startsWith("ip6tables-restore: "), r.err());
        assertSame(before, engine.ruleset6());
        ping6(9);
        assertEquals(List.of(ETH0 + " " + GW_WAN + " > " + SERVER), sent);
    }

    @Test
    void ip6tablesRestoreOfPrefixTranslationGoesLive() {
        Ruleset before = engine.ruleset6();
        String dump = "*mangle\n:POSTROUTING ACCEPT [0:0]\n"
                + "-A POSTROUTING -o eth0 -j SNPT --src-pfx fd49:efd7:54aa::/64 --dst-pfx 2001:db8:1::/64\nCOMMIT\n";
        CliRun r = restore("ip6tables-restore", dump);
        assertEquals(0, r.exit(), r.err());
        assertNotSame(before, engine.ruleset6());
        assertTrue(control("ip6tables-save", "-t", "mangle").out().contains("-j SNPT --src-pfx fd49:efd7:54aa::/64"));
    }

    @Test
    void ip6tablesRestoreTableOptionRestoresOnlyThatTable() {
        String dump = "*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:FORWARD DROP [0:0]\nCOMMIT\n";
        assertEquals(0, restore("ip6tables-restore", dump, "-T", "filter").exit());
        assertTrue(control("ip6tables-save", "-t", "nat").out().contains("-j MASQUERADE"), "nat untouched");
        assertTrue(control("ip6tables-save", "-t", "filter").out().contains(":FORWARD DROP"));
    }

    @Test
    void conntrackFamilyOptionPicksTheIpv6Connections() {
        ping6(7);
        byte[] buf = new byte[65535];
        byte[] p4 = Ipv4Repr.of("172.17.0.2", "198.51.100.8").packet(IcmpRepr.echoRequest(5, 1, new byte[8]));
        System.arraycopy(p4, 0, buf, 0, p4.length);
        gateway.receive(DOCKER0, buf, 0, p4.length, System.nanoTime(), (k, b, off, len) -> {});

        CliRun six = control("conntrack", "-L", "-f", "ipv6");
        assertEquals(0, six.exit(), six.err());
        assertTrue(six.out().matches("icmpv6   58 \\d+ src=fd49:efd7:54aa::2 dst=2001:db8:2::8 type=128 code=0 id=7 "
                + "\\[UNREPLIED\\] src=2001:db8:2::8 dst=2001:db8:1::10 type=129 code=0 id=7 mark=0 use=1\n"), six.out());
        assertEquals("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n", six.err());
        assertTrue(control("conntrack", "-L", "-f", "ipv4").out().startsWith("icmp     1 "));
        assertEquals("2\n", control("conntrack", "-C").out());
    }
}

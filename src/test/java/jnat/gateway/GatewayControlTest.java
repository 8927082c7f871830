package jnat.gateway;

import jnat.cli.CliRun;
import jnat.cli.IptablesRestoreStdin;
import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static jnat.cli.CliRun.jnat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control socket against a gateway on the lab's host and rules, without devices: packets are
 * handed to {@link Gateway#receive} directly, commands go through the real socket and the real
 * jnat command line (in-process).
 */
class GatewayControlTest {
    static final int DOCKER0 = 0, ETH0 = 1;

    @TempDir
    Path dir;
    Path socket;
    NatEngine engine;
    Gateway gateway;
    ControlServer server;
    final List<int[]> sent = new ArrayList<>(); // {loop index, length}

    @BeforeEach
    void start() throws IOException {
        Host host = Host.fromFile(Path.of("scripts/lab-host.ip"));
        engine = new NatEngine(host, Ruleset.parse(Files.readString(Path.of("scripts/lab.rules"))));
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

    /** A packet from the container to the internet server, into docker0. */
    void containerSends(byte[] ip) {
        byte[] buf = new byte[14 + 65535];
        System.arraycopy(ip, 0, buf, 14, ip.length);
        gateway.receive(DOCKER0, buf, 14, ip.length, System.nanoTime(), (k, b, off, len) -> {
            Ipv4Packet p = new Ipv4Packet();
            assertEquals(WireError.OK, p.wrap(b, off, len));
            sent.add(new int[] {k, p.src()});
        });
    }

    void ping(int id) {
        containerSends(Ipv4Repr.of("172.17.0.2", "198.51.100.8").packet(IcmpRepr.echoRequest(id, 1, new byte[8])));
    }

    @Test
    void forwardedPacketLeavesOnTheAttachedInterfaceMasqueraded() {
        ping(7);
        assertEquals(1, sent.size());
        assertEquals(ETH0, sent.getFirst()[0]);
        assertEquals(Ipv4Address.parse("203.0.113.10"), sent.getFirst()[1]);
    }

    @Test
    void conntrackListShowsTheFlowWithTheSummaryOnStderr() {
        ping(7);
        CliRun r = control("conntrack", "-L");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("icmp     1 \\d+ src=172\\.17\\.0\\.2 dst=198\\.51\\.100\\.8 type=8 code=0 id=7 "
                + "\\[UNREPLIED\\] src=198\\.51\\.100\\.8 dst=203\\.0\\.113\\.10 type=0 code=0 id=7 mark=0 use=1\n"), r.out());
        assertEquals("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n", r.err());
    }

    @Test
    void conntrackExtendedOutputStartsWithTheLayer3Protocol() {
        ping(7);
        CliRun r = control("conntrack", "-L", "-o", "extended");
        assertTrue(r.out().startsWith("ipv4     2 icmp     1 "), r.out());
    }

    @Test
    void conntrackDeleteRemovesOnlyMatchingFlows() {
        ping(7);
        containerSends(Ipv4Repr.of("172.17.0.2", "198.51.100.8").packet(new UdpRepr(5000, 53, new byte[4])));
        CliRun d = control("conntrack", "-D", "-p", "udp", "--dport", "53");
        assertEquals(0, d.exit(), d.err());
        assertTrue(d.out().startsWith("udp      17 "), d.out());
        assertEquals("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n", d.err());
        assertEquals("1\n", control("conntrack", "-C").out());
        assertTrue(control("conntrack", "-L").out().startsWith("icmp "));
    }

    @Test
    void conntrackDeleteOfNothingExitsOne() {
        CliRun d = control("conntrack", "-D", "-s", "10.9.9.9");
        assertEquals(1, d.exit());
        assertEquals("conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n", d.err());
    }

    @Test
    void conntrackFlushEmptiesTheTable() {
        ping(7);
        ping(8);
        CliRun f = control("conntrack", "-F");
        assertEquals("conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n", f.err());
        assertEquals(0, engine.connections().count());
    }

    @Test
    void conntrackPortFilterWithoutProtocolIsAParameterProblem() {
        CliRun r = control("conntrack", "-L", "--sport", "5");
        assertEquals(2, r.exit());
        assertEquals("conntrack v1.4.7 (conntrack-tools): unknown option `--sport'\n"
                + "Try `conntrack -h' or 'conntrack --help' for more information.\n", r.err());
    }

    @Test
    void iptablesAppendSwapsInANewRulesetAndListsItsCounters() {
        Ruleset before = engine.ruleset();
        CliRun a = control("iptables", "-t", "nat", "-A", "POSTROUTING", "-p", "udp", "-j", "MASQUERADE");
        assertEquals(0, a.exit(), a.err());
        assertNotSame(before, engine.ruleset());
        ping(7);
        CliRun l = control("iptables", "-t", "nat", "-nvL", "POSTROUTING");
        assertTrue(l.out().contains("    1    36 MASQUERADE  all  --  *      !docker0  172.17.0.0/16"), l.out());
        assertTrue(l.out().contains("    0     0 MASQUERADE  udp  --  *      *       0.0.0.0/0"), l.out());
    }

    @Test
    void ipsetThroughTheControlSocketChangesTheSetsTheRulesLookUpBetweenPackets() {
        assertEquals(0, control("ipset", "create", "blocked", "hash:net", "counters", "initval", "7").exit());
        CliRun rule = control("iptables", "-I", "FORWARD", "-m", "set", "--match-set", "blocked", "dst", "-j", "DROP");
        assertEquals(0, rule.exit(), rule.err());
        ping(1);
        assertEquals(1, sent.size()); // not in the set yet
        assertEquals(0, control("ipset", "add", "blocked", "198.51.100.0/24").exit());
        ping(2);
        assertEquals(1, sent.size()); // dropped now
        CliRun list = control("ipset", "list", "blocked");
        assertTrue(list.out().contains("References: 1\n"), list.out());
        assertTrue(list.out().contains("198.51.100.0/24 packets 1 bytes 36\n"), list.out());
        CliRun destroy = control("ipset", "destroy", "blocked");
        assertEquals(1, destroy.exit());
        assertEquals("ipset v7.17: Set cannot be destroyed: it is in use by a kernel component\n", destroy.err());
        CliRun missing = control("iptables", "-A", "FORWARD", "-m", "set", "--match-set", "nosuch", "src");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("Set nosuch doesn't exist."), missing.err());
    }

    @Test
    void nfacctThroughTheControlSocketMakesTheObjectsRulesCountInto() {
        CliRun missing = control("iptables", "-I", "FORWARD", "-m", "nfacct", "--nfacct-name", "fwd");
        assertEquals(4, missing.exit()); // the kernel's ENOENT: no such object yet
        assertEquals(0, control("nfacct", "add", "fwd").exit());
        CliRun rule = control("iptables", "-I", "FORWARD", "-m", "nfacct", "--nfacct-name", "fwd");
        assertEquals(0, rule.exit(), rule.err());
        ping(2);
        ping(3);
        assertEquals("{ pkts = 00000000000000000002, bytes = 00000000000000000072 } = fwd;\n", control("nfacct", "list").out());
        CliRun del = control("nfacct", "del", "fwd");
        assertEquals(1, del.exit());
        assertEquals("nfacct v1.0.2: error: Device or resource busy\n", del.err());
    }

    @Test
    void failingIptablesCommandChangesNothing() {
        Ruleset before = engine.ruleset();
        CliRun r = control("iptables", "-t", "nat", "-A", "NOSUCHCHAIN", "-j", "ACCEPT");
        assertTrue(r.exit() != 0);
        assertTrue(r.err().startsWith("iptables: "), r.err());
        assertSame(before, engine.ruleset());
    }

    @Test
    void listingDoesNotReplaceTheRuleset() {
        Ruleset before = engine.ruleset();
        assertEquals(0, control("iptables", "-t", "nat", "-S").exit());
        assertSame(before, engine.ruleset());
    }

    @Test
    void iptablesSaveWithCountersShowsWhatPacketsMoved() {
        ping(7);
        CliRun s = control("iptables-save", "-c", "-t", "nat");
        assertTrue(s.out().contains("[1:36] -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE"), s.out());
    }

    @Test
    void restoreReplacesTheTableWhole() {
        IptablesRestoreStdin.with("*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j SNAT --to-source 203.0.113.10\nCOMMIT\n", () -> {
            CliRun r = control("iptables-restore");
            assertEquals(0, r.exit(), r.err());
        });
        String save = engine.ruleset().save("nat", false, false);
        assertTrue(save.contains("-A POSTROUTING -o eth0 -j SNAT --to-source 203.0.113.10"), save);
        assertFalse(save.contains("DOCKER"), save);
    }

    @Test
    void restoreWithAnErrorChangesNothing() {
        Ruleset before = engine.ruleset();
        IptablesRestoreStdin.with("*nat\n-A POSTROUTING -j NOSUCHTARGET\nCOMMIT\n", () -> {
            CliRun r = control("iptables-restore");
            assertTrue(r.exit() != 0);
            assertTrue(r.err().startsWith("iptables-restore: "), r.err());
        });
        assertSame(before, engine.ruleset());
    }

    @Test
    void malformedRequestGetsAnErrorReplyAndChangesNothing() throws IOException {
        Ruleset before = engine.ruleset();
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap("iptables -F\n".getBytes(StandardCharsets.UTF_8)));
            c.shutdownOutput();
            ControlProtocol.Reply r = ControlProtocol.readReply(new DataInputStream(Channels.newInputStream(c)));
            assertEquals(2, r.exitCode());
            assertTrue(r.stderr().startsWith("jnat gateway: malformed control request: bad magic"), r.stderr());
        }
        assertSame(before, engine.ruleset());
    }

    @Test
    void truncatedRequestIsMalformed() {
        byte[] half = {0x6a, 0x6e, 0x63, 0x31, 0, 0, 0, 2, 0, 0, 0, 9, 'i', 'p'};
        assertThrows(ControlProtocol.MalformedException.class,
                () -> ControlProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(half))));
    }

    @Test
    void requestCutInsideTheArgumentCountIsMalformed() {
        byte[] cut = {0x6a, 0x6e, 0x63, 0x31, 0, 0, 0}; // found by jnat.fuzz.ControlFuzzTest: was a bare EOFException, no reply
        var e = assertThrows(ControlProtocol.MalformedException.class,
                () -> ControlProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(cut))));
        assertEquals("truncated message", e.getMessage());
    }

    @Test
    void rulesAndControlAreMutuallyExclusive() {
        CliRun r = jnat("iptables", "--rules", dir.resolve("x.rules").toString(), "--control", socket.toString(), "-S");
        assertEquals(2, r.exit());
        assertEquals("iptables: give either --rules FILE (a rules file) or --control SOCKET (a running gateway)\n", r.err());
    }

    @Test
    void noGatewayBehindTheSocketIsOneClearLine() {
        Path none = dir.resolve("none.sock");
        CliRun r = jnat("conntrack", "--control", none.toString(), "-L");
        assertEquals(1, r.exit());
        assertEquals("conntrack: cannot connect to control socket " + none + ": No such file or directory "
                + "(is jnat gateway running with --control " + none + "?)\n", r.err());
    }

    @Test
    void socketOfALiveGatewayIsNotTakenOver() {
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(socket, req -> null));
        assertEquals(socket + " is in use by a running gateway", e.getMessage());
    }

    @Test
    void staleSocketFileIsReplaced() throws IOException {
        server.close();
        Path stale = dir.resolve("stale.sock");
        try (var ch = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale)); // closed without unlinking, as by a killed gateway
        }
        assertTrue(Files.exists(stale));
        server = ControlServer.start(stale, new GatewayControl(gateway));
        socket = stale;
        assertEquals(0, control("conntrack", "-C").exit());
    }

    @Test
    void controlCommandsRunBetweenPacketsWhileTrafficFlows() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread traffic = Thread.ofPlatform().start(() -> {
            byte[] buf = new byte[14 + 100];
            try {
                for (int id = 0; !done.get(); id = (id + 1) & 0xffff) {
                    byte[] ip = Ipv4Repr.of("172.17.0.2", "198.51.100.8").packet(IcmpRepr.echoRequest(id, 1, new byte[8]));
                    System.arraycopy(ip, 0, buf, 14, ip.length);
                    gateway.receive(DOCKER0, buf, 14, ip.length, System.nanoTime(), (k, b, off, len) -> { });
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            for (int i = 0; i < 10; i++) {
                for (List<String> cmd : List.of(List.of("conntrack", "-F"),
                        List.of("iptables", "-t", "nat", "-I", "POSTROUTING", "-p", "udp", "-j", "MASQUERADE"),
                        List.of("iptables", "-t", "nat", "-D", "POSTROUTING", "1"))) {
                    CliRun r = control(cmd.getFirst(), cmd.subList(1, cmd.size()).toArray(String[]::new));
                    assertEquals(0, r.exit(), cmd + ": " + r.err());
                }
                CliRun d = control("conntrack", "-D", "-p", "icmp");
                assertTrue(d.exit() <= 1, d.err());
            }
        } finally {
            done.set(true);
            traffic.join();
        }
        if (failure.get() != null) throw new AssertionError("the packet path failed", failure.get());
        gateway.withEngine(e -> {
            e.connections().checkConsistency();
            return null;
        });
        assertTrue(control("iptables", "-t", "nat", "-nvL", "POSTROUTING").out().lines()
                .noneMatch(l -> l.contains("udp")), "the inserted rule was deleted each time");
    }

    @Test
    void closingTheServerRemovesTheSocketFile() {
        server.close();
        assertFalse(Files.exists(socket));
    }
}

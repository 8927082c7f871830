package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.Ruleset;
import jnat.wire.EthernetFrame;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static jnat.nat.NatEngineTest.fromContainer;
import static jnat.nat.NatEngineTest.fromInternet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * More connections to one destination than a MASQUERADE port range has ports: as in the kernel,
 * get_unique_tuple finds nothing free and the new connection clashes at confirm and is dropped;
 * jnat counts it as {@link DropReason#NAT_NO_FREE_TUPLE}. Connections already bound keep working.
 */
class PortExhaustionTest {
    static final int FIRST = 40000, PORTS = 10;
    static final String SERVER = "198.51.100.8", PUBLIC = "45.77.200.180";
    static final long MS = 1_000_000L;

    record Sent(String dev, Ipv4Packet ip) {}

    Host host;
    NatEngine engine;
    Interface eth0, docker0;
    final List<Sent> sent = new ArrayList<>();
    long now = 1000_000 * MS;

    @BeforeEach
    void tenPortRange() {
        host = Host.fromResource("/hosts/seed-docker-host.ip");
        engine = new NatEngine(host, Ruleset.parse(String.join("\n", "*nat",
                ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
                "-A POSTROUTING -s 172.17.0.0/16 -o eth0 -p tcp -j MASQUERADE --to-ports " + FIRST + "-" + (FIRST + PORTS - 1),
                "COMMIT", "")));
        eth0 = host.device("eth0");
        docker0 = host.device("docker0");
    }

    void receive(Interface in, byte[] frame) {
        now += MS;
        engine.receive(in, frame, 0, frame.length, now, (out, buf, off, len) -> {
            Ipv4Packet p = new Ipv4Packet();
            byte[] copy = Arrays.copyOfRange(buf, off, off + len);
            assertEquals(WireError.OK, p.wrap(copy, EthernetFrame.HEADER_LENGTH, len - EthernetFrame.HEADER_LENGTH));
            sent.add(new Sent(out.name(), p));
        });
    }

    /** The container opens a connection from {@code sport}; returns the translated SYN, or null when dropped. */
    Ipv4Packet syn(int sport, String dst) {
        sent.clear();
        receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", dst),
                TcpRepr.of(sport, 80).withSeq(sport * 1000).withFlags(TcpSegment.SYN).withWindow(64240)));
        assertTrue(sent.size() <= 1);
        return sent.isEmpty() ? null : sent.getFirst().ip();
    }

    @Test
    void connectionsBeyondThePortRangeToOneDestinationAreDroppedAndCounted() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < PORTS; i++) {
            Ipv4Packet out = syn(50000 + i, SERVER);
            assertTrue(out != null, "connection " + i + " dropped");
            assertEquals(Ipv4Address.parse(PUBLIC), out.src());
            assertTrue(out.srcPort() >= FIRST && out.srcPort() < FIRST + PORTS, "port " + out.srcPort());
            ports.add(out.srcPort());
        }
        assertEquals(PORTS, ports.size(), "each connection its own port");
        for (int i = PORTS; i < PORTS + 5; i++) assertEquals(null, syn(50000 + i, SERVER), "connection " + i);
        assertEquals(5, engine.drops(DropReason.NAT_NO_FREE_TUPLE));
        assertEquals(0, engine.drops(DropReason.CONNTRACK_CLASH));
        assertEquals(PORTS, engine.connections().count());
    }

    @Test
    void establishedConnectionsKeepWorkingWhileNewOnesAreRefused() {
        int[] mapped = new int[PORTS];
        for (int i = 0; i < PORTS; i++) mapped[i] = syn(50000 + i, SERVER).srcPort();
        assertEquals(null, syn(50099, SERVER));
        for (int i = 0; i < PORTS; i++) {
            int sport = 50000 + i;
            sent.clear();
            receive(eth0, fromInternet(Ipv4Repr.of(SERVER, PUBLIC), TcpRepr.of(80, mapped[i]).withSeq(7)
                    .withAck(sport * 1000 + 1).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240)));
            assertEquals(1, sent.size(), "SYN-ACK " + i);
            assertEquals("docker0", sent.getFirst().dev());
            assertEquals(sport, sent.getFirst().ip().dstPort());
            assertEquals(Ipv4Address.parse("172.17.0.2"), sent.getFirst().ip().dst());
            sent.clear();
            receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", SERVER), TcpRepr.of(sport, 80)
                    .withSeq(sport * 1000 + 1).withAck(8).withFlags(TcpSegment.ACK | TcpSegment.PSH).withWindow(64240)
                    .withPayload(new byte[100])));
            assertEquals(1, sent.size(), "data " + i);
            assertEquals(mapped[i], sent.getFirst().ip().srcPort());
        }
        assertEquals(1, engine.drops(DropReason.NAT_NO_FREE_TUPLE));
    }

    @Test
    void theRangeIsPerDestinationSoAnotherServerStillGetsAPort() {
        for (int i = 0; i < PORTS; i++) syn(50000 + i, SERVER);
        assertEquals(null, syn(50010, SERVER));
        Ipv4Packet other = syn(50011, "198.51.100.9");
        assertTrue(other != null, "dropped");
        assertTrue(other.srcPort() >= FIRST && other.srcPort() < FIRST + PORTS);
    }
}

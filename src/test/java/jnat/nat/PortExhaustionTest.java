package jnat.nat;

import jnat.host.Interface;
import jnat.nat.EngineRig.Sent;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
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

    final EngineRig rig = EngineRig.seedDockerHost().ipv4Only().rules(String.join("\n", "*nat",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
            "-A POSTROUTING -s 172.17.0.0/16 -o eth0 -p tcp -j MASQUERADE --to-ports " + FIRST + "-" + (FIRST + PORTS - 1),
            "COMMIT", ""));
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final List<Sent> sent = rig.sent();
    final NatEngine engine = rig.engine();

    /** The container opens a connection from {@code sport}; returns the translated SYN, or null when dropped. */
    Ipv4Packet syn(int sport, String dst) {
        sent.clear();
        rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", dst),
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
        assertEquals(5, rig.drops(DropReason.NAT_NO_FREE_TUPLE));
        assertEquals(0, rig.drops(DropReason.CONNTRACK_CLASH));
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
            rig.receive(eth0, fromInternet(Ipv4Repr.of(SERVER, PUBLIC), TcpRepr.of(80, mapped[i]).withSeq(7)
                    .withAck(sport * 1000 + 1).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240)));
            assertEquals(1, sent.size(), "SYN-ACK " + i);
            assertEquals("docker0", sent.getFirst().dev());
            assertEquals(sport, sent.getFirst().ip().dstPort());
            assertEquals(Ipv4Address.parse("172.17.0.2"), sent.getFirst().ip().dst());
            sent.clear();
            rig.receive(docker0, fromContainer(Ipv4Repr.of("172.17.0.2", SERVER), TcpRepr.of(sport, 80)
                    .withSeq(sport * 1000 + 1).withAck(8).withFlags(TcpSegment.ACK | TcpSegment.PSH).withWindow(64240)
                    .withPayload(new byte[100])));
            assertEquals(1, sent.size(), "data " + i);
            assertEquals(mapped[i], sent.getFirst().ip().srcPort());
        }
        assertEquals(1, rig.drops(DropReason.NAT_NO_FREE_TUPLE));
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

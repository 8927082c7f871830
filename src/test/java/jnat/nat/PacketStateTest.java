package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.demo.SeedDemo;
import jnat.host.Host;
import jnat.host.RouteResult;
import jnat.wire.Ipv4Address;
import jnat.wire.Offload;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The output device and route a packet left by are not the next packet's (PacketState keeps the references, clears by flag). */
class PacketStateTest {
    private final Host host = SeedDemo.host();
    private final PacketState p = new PacketState(host, new ConnTable(1024));
    private final Transmit tx = (out, buf, off, len) -> { };
    private final Offload none = new Offload();

    private RouteResult routeToTheInternet() {
        return host.routeInput(Ipv4Address.parse("198.51.100.1"), Ipv4Address.parse("172.17.0.2"), host.device("docker0"));
    }

    @Test
    void aNewPacketHasNoOutDeviceNorRouteBeforeRouting() {
        p.reset(host.device("docker0"), 1, none, tx, false);
        p.routeTo(routeToTheInternet());
        assertEquals("eth0", p.outInterface());
        p.reset(host.device("eth0"), 2, none, tx, false);
        assertNull(p.out());
        assertNull(p.route());
        assertEquals("", p.outInterface());
    }

    @Test
    void theSameRouteAgainIsTheRouteAgain() {
        RouteResult rt = routeToTheInternet();
        for (int i = 0; i < 3; i++) {
            p.reset(host.device("docker0"), i, none, tx, false);
            p.routeTo(rt);
            assertSame(rt, p.route());
            assertSame(host.device("eth0"), p.out());
        }
    }

    @Test
    void clearingTheOutDeviceLeavesNone() {
        p.reset(host.device("docker0"), 1, none, tx, false);
        p.setOut(host.device("eth0"));
        p.setOut(null);
        assertNull(p.out());
        assertEquals(0, p.outIfindex());
    }
}

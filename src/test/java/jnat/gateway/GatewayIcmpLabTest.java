package jnat.gateway;

import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ICMP the gateway sends itself, seen by real programs through {@code jnat gateway} in
 * scripts/lab.sh's namespaces: traceroute and {@code ping -t 1} from the container see the
 * gateway's time exceeded for the first hop, and pings to the gateway's own addresses are answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayIcmpLabTest {
    static final String SERVER = LabGateway.SERVER, GATEWAY_WAN = LabGateway.GATEWAY_WAN, DOCKER_GW = "172.17.0.1";

    LabGateway lab;

    @BeforeAll
    void up() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "ping", "traceroute")) Tools.require(t);
        lab = new LabGateway("jgi", Path.of("scripts/lab.rules"));
    }

    @AfterAll
    void down() {
        if (lab != null) lab.close();
    }

    @Test
    void pingWithTtlOneFromTheContainerGetsTheGatewaysTimeExceeded() {
        var ping = lab.in("ctr", "ping", "-n", "-c", "1", "-t", "1", "-W", "3", SERVER);
        assertTrue(ping.stdout().contains("From " + DOCKER_GW + " icmp_seq=1 Time to live exceeded"), ping.stdout() + ping.stderr());
    }

    @Test
    void tracerouteFromTheContainerShowsTheGatewayThenTheServer() {
        for (String[] how : List.of(new String[] {}, new String[] {"-I"}, new String[] {"-T", "-p", "9"})) {
            List<String> cmd = new java.util.ArrayList<>(List.of("traceroute", "-n", "-q", "1", "-w", "3", "-m", "3"));
            cmd.addAll(List.of(how));
            cmd.add(SERVER);
            var tr = lab.in("ctr", cmd.toArray(String[]::new));
            String out = tr.stdout();
            assertEquals(0, tr.exitCode(), String.join(" ", cmd) + "\n" + out + tr.stderr());
            assertTrue(out.matches("(?s).*\\n 1  " + DOCKER_GW.replace(".", "\\.") + "  .*"), String.join(" ", cmd) + "\n" + out);
            assertTrue(out.matches("(?s).*\\n 2  " + SERVER.replace(".", "\\.") + "  .*"), String.join(" ", cmd) + "\n" + out);
        }
    }

    @Test
    void pingsToTheGatewaysAddressesAreAnswered() {
        var fromContainer = lab.in("ctr", "ping", "-n", "-c", "2", "-i", "0.2", "-W", "3", DOCKER_GW);
        assertTrue(fromContainer.stdout().contains("2 packets transmitted, 2 received"), fromContainer.stdout());
        var uplinkFromContainer = lab.in("ctr", "ping", "-n", "-c", "2", "-i", "0.2", "-W", "3", GATEWAY_WAN);
        assertTrue(uplinkFromContainer.stdout().contains("2 packets transmitted, 2 received"), uplinkFromContainer.stdout());
        var fromWan = lab.in("wan", "ping", "-n", "-c", "2", "-i", "0.2", "-W", "3", GATEWAY_WAN);
        assertTrue(fromWan.stdout().contains("2 packets transmitted, 2 received"), fromWan.stdout());
    }
}

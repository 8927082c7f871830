package jnat.gateway;

import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fragments through {@code jnat gateway} in the lab, from real stacks: the container's kernel
 * fragments a 4000-byte ping and a 6000-byte UDP datagram onto its TUN link (MTU 1500); jnat
 * reassembles them, masquerades them whole and sends them on as fragments; the server's kernel
 * reassembles what arrives, and its answers come back the same way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FragmentLabTest {
    static final String SERVER = LabGateway.SERVER, GATEWAY_WAN = LabGateway.GATEWAY_WAN, CONTAINER = LabGateway.CONTAINER;

    LabGateway lab;

    @BeforeAll
    void up() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "ping", "tcpdump", "curl", "python3")) Tools.require(t);
        lab = new LabGateway("jfr", Path.of("scripts/lab.rules"));
    }

    @AfterAll
    void down() {
        if (lab != null) lab.close();
    }

    @Test
    void aPingOf4000BytesGetsItsRepliesAndLeavesInFragmentsFromTheGatewaysAddress() throws Exception {
        double before = lab.metric("jnat_ip_reassembled_total{family=\"ipv4\"}");
        LabGateway.Bg tcpdump = lab.startIn("wan", "listening on", "tcpdump", "-n", "-l", "-v", "-c", "6",
                "-i", "jnat-eth0", "icmp or (ip[6:2] & 0x1fff != 0)");
        var ping = lab.in("ctr", "ping", "-n", "-c", "2", "-i", "0.3", "-W", "5", "-s", "4000", SERVER);
        assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
        assertTrue(ping.stdout().contains("2 packets transmitted, 2 received"), ping.stdout());
        assertTrue(ping.stdout().contains("4008 bytes from " + SERVER), ping.stdout());
        String seen = LabGateway.rest(tcpdump, 10);
        assertTrue(seen.contains(GATEWAY_WAN + " > " + SERVER + ": ICMP echo request"), seen);
        assertTrue(seen.contains("flags [+]"), "fragments on the wire: " + seen);
        assertFalse(seen.contains(CONTAINER), seen);
        // Two requests in, two replies back: four datagrams reassembled by jnat.
        assertEquals(before + 4, lab.metric("jnat_ip_reassembled_total{family=\"ipv4\"}"));
        assertTrue(lab.metric("jnat_ip_fragments_sent_total{family=\"ipv4\"}") >= 12);
        assertEquals(0, lab.metric("jnat_ipfrag_queues{family=\"ipv4\"}"));
    }

    @Test
    void aUdpDatagramOf6000BytesCrossesWholeBothWays() throws Exception {
        var server = lab.startIn("wan", "ready", "python3", "-u", "-c", String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.bind(('" + SERVER + "', 5400))",
                "print('ready', flush=True)",
                "data, peer = s.recvfrom(65535)",
                "s.sendto(bytes(reversed(data)) + peer[0].encode(), peer)"));
        var client = lab.in("ctr", "python3", "-c", String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.settimeout(5)",
                "data = bytes(i * 7 % 251 for i in range(6000))",
                "s.sendto(data, ('" + SERVER + "', 5400))",
                "back = s.recvfrom(65535)[0]",
                "assert back[:6000] == bytes(reversed(data)), 'corrupted'",
                "print(len(back), back[6000:].decode())"));
        assertEquals(0, client.exitCode(), client.stdout() + client.stderr());
        assertEquals("6012 " + GATEWAY_WAN, client.stdout().trim());
        server.process().destroy();
    }
}

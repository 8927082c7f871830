package jnat.gateway;

import jnat.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's TUN offloads end to end: an 8 MB file crosses jnat each way byte for byte (sha256),
 * and tcpdump on the peers sees it cross in translated segments far larger than the 1500-byte MTU
 * (GSO packets handed through whole); a UDP_SEGMENT send crosses as one packet and arrives as its
 * datagrams; with --no-offload, byte for byte too, and nothing above the MTU.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OffloadLabTest {
    static final String SERVER = LabGateway.SERVER, GATEWAY_WAN = LabGateway.GATEWAY_WAN, CONTAINER = LabGateway.CONTAINER;

    Path dir;
    String sha256;

    @BeforeAll
    void file() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "tcpdump", "curl", "python3")) Tools.require(t);
        dir = Files.createTempDirectory("jnat-offload");
        byte[] blob = new byte[8 << 20];
        new Random(7).nextBytes(blob);
        Files.write(dir.resolve("blob"), blob);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
    }

    @AfterAll
    void clean() throws Exception {
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    /** The largest "length N" (TCP payload) among tcpdump's lines. */
    static int largest(String tcpdump) {
        Matcher m = Pattern.compile("length (\\d+)$", Pattern.MULTILINE).matcher(tcpdump);
        int max = 0;
        while (m.find()) max = Math.max(max, Integer.parseInt(m.group(1)));
        return max;
    }

    /** Downloads the file from the server into the container (MASQUERADE); returns what tcpdump in the container saw. */
    String download(LabGateway lab, String tcpdumpFilter, int seconds) throws Exception {
        lab.startIn("wan", "Serving HTTP", "python3", "-u", "-m", "http.server", "8081", "--bind", SERVER,
                "--directory", dir.toString());
        LabGateway.Bg tcpdump = lab.startIn("ctr", "listening on", "timeout", Integer.toString(seconds), "tcpdump", "-n", "-l",
                "-i", "jnat-docker0", "-c", "3", tcpdumpFilter);
        Path got = dir.resolve("got-" + lab.prefix);
        var curl = lab.in("ctr", "curl", "-sS", "-m", "60", "-o", got.toString(), "http://" + SERVER + ":8081/blob");
        assertEquals(0, curl.exitCode(), curl.stderr());
        assertEquals(sha256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(got))),
                "the download is byte-exact");
        return LabGateway.rest(tcpdump, seconds + 5);
    }

    /** Sends the file from the container to a server that answers with its sha256 (SNAT); returns what tcpdump in wan saw. */
    String upload(LabGateway lab, String tcpdumpFilter, int seconds) throws Exception {
        LabGateway.Bg server = lab.startIn("wan", "ready", "python3", "-u", "-c", String.join("\n",
                "import socket, hashlib",
                "s = socket.socket()",
                "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "s.bind(('" + SERVER + "', 9000))",
                "s.listen(1)",
                "print('ready', flush=True)",
                "c, peer = s.accept()",
                "h = hashlib.sha256()",
                "while True:",
                "    b = c.recv(1 << 16)",
                "    if not b: break",
                "    h.update(b)",
                "print(peer[0], h.hexdigest(), flush=True)"));
        LabGateway.Bg tcpdump = lab.startIn("wan", "listening on", "timeout", Integer.toString(seconds), "tcpdump", "-n", "-l",
                "-i", "jnat-eth0", "-c", "3", tcpdumpFilter);
        var client = lab.in("ctr", "python3", "-c", String.join("\n",
                "import socket",
                "s = socket.create_connection(('" + SERVER + "', 9000), timeout=30)",
                "s.sendall(open('" + dir.resolve("blob") + "', 'rb').read())",
                "s.close()"));
        assertEquals(0, client.exitCode(), client.stderr());
        assertEquals(GATEWAY_WAN + " " + sha256 + "\n", LabGateway.rest(server, 30), "the upload is byte-exact, from the gateway's address");
        return LabGateway.rest(tcpdump, seconds + 5);
    }

    @Test
    void withOffloadsTransfersAreByteExactAndCrossAsLargeTranslatedSegments() throws Exception {
        try (LabGateway lab = new LabGateway("joff", Path.of("scripts/lab.rules"))) {
            String in = download(lab, "tcp src port 8081 and greater 3000", 20);
            assertTrue(in.contains("IP " + SERVER + ".8081 > " + CONTAINER + "."), in);
            assertTrue(largest(in) > 1448, "segments larger than the MTU reach the container: " + in);

            String out = upload(lab, "tcp dst port 9000 and greater 3000", 20);
            assertTrue(out.contains("IP " + GATEWAY_WAN + "."), out);
            assertFalse(out.contains(CONTAINER), out);
            assertTrue(largest(out) > 1448, "segments larger than the MTU leave the gateway: " + out);
        }
    }

    @Test
    void withoutOffloadsTransfersAreByteExactAndNoPacketExceedsTheMtu() throws Exception {
        try (LabGateway lab = new LabGateway("jnoo", Path.of("scripts/lab.rules"), "--no-offload")) {
            // tcpdump -c 3 of packets above 1500 bytes: it captures none, and timeout ends it
            String in = download(lab, "greater 1501", 6);
            assertFalse(in.contains(" IP "), in);
            String out = upload(lab, "greater 1501", 6);
            assertFalse(out.contains(" IP "), out);
            assertTrue(in.contains("0 packets captured"), in);
        }
    }

    @Test
    void udpSegmentationOffloadCrossesAsOnePacketAndArrivesAsItsDatagrams() throws Exception {
        try (LabGateway lab = new LabGateway("juso", Path.of("scripts/lab.rules"))) {
            LabGateway.Bg server = lab.startIn("wan", "ready", "python3", "-u", "-c", String.join("\n",
                    "import socket",
                    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                    "s.bind(('" + SERVER + "', 7000))",
                    "s.settimeout(3)",
                    "print('ready', flush=True)",
                    "sizes = []",
                    "try:",
                    "    while True:",
                    "        d, peer = s.recvfrom(65535)",
                    "        sizes.append(len(d))",
                    "except socket.timeout:",
                    "    pass",
                    "print(peer[0], sizes, flush=True)"));
            LabGateway.Bg tcpdump = lab.startIn("wan", "listening on", "timeout", "10", "tcpdump", "-n", "-l",
                    "-i", "jnat-eth0", "-c", "1", "udp port 7000");
            // one sendto of 10240 bytes with UDP_SEGMENT 1400: the kernel hands jnat one USO packet
            var client = lab.in("ctr", "python3", "-c", String.join("\n",
                    "import socket",
                    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                    "s.setsockopt(socket.IPPROTO_UDP, 103, 1400)",
                    "s.sendto(bytes(range(256)) * 40, ('" + SERVER + "', 7000))"));
            assertEquals(0, client.exitCode(), client.stderr());
            String seen = LabGateway.rest(tcpdump, 15);
            assertTrue(seen.contains("IP " + GATEWAY_WAN + "."), seen);
            assertTrue(seen.contains("(10240)") || seen.contains("length 10240"), "one 10240-byte packet: " + seen);
            assertEquals(GATEWAY_WAN + " [1400, 1400, 1400, 1400, 1400, 1400, 1400, 440]\n", LabGateway.rest(server, 15));
        }
    }
}

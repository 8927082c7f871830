package jnat.wire;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel as the judge of our incremental rewrites: frames injected (tcpreplay) from a "container"
 * namespace are forwarded and MASQUERADEd by a router namespace and captured on the far side. Our
 * views, applying the same rewrite (new source address, TTL - 1), must give the kernel's bytes exactly,
 * checksums included: UDP "no checksum" left 0, a computed 0 sent as 0xffff (CSUM_MANGLED_0).
 */
class KernelNatAgreementTest {
    static final String CONTAINER_MAC = "02:00:00:00:0a:0a";
    static final String ROUTER_IN_MAC = "02:00:00:00:01:01";
    static final String ROUTER_OUT_MAC = "02:00:00:00:01:02";
    static final String SERVER_MAC = "02:00:00:00:0b:0b";
    static final int ROUTER_OUT = Ipv4Address.parse("203.0.113.1");
    static final int SERVER = Ipv4Address.parse("203.0.113.7");
    static final int CONTAINER = Ipv4Address.parse("172.17.0.2");

    @TempDir
    Path tmp;

    @Test
    void masqueradedFramesEqualOurRewrite() throws Exception {
        Tools.requireRoot();
        Tools.require("tcpdump");
        Tools.require("tcpreplay");
        Tools.require("iptables");
        List<byte[]> sent = framesToSend();
        try (Netns a = Netns.create("wa"); Netns r = Netns.create("wr"); Netns b = Netns.create("wb")) {
            r.exec("ip", "link", "add", "r1", "address", ROUTER_IN_MAC, "type", "veth",
                    "peer", "name", "a0", "address", CONTAINER_MAC, "netns", a.name()).checked();
            r.exec("ip", "link", "add", "r2", "address", ROUTER_OUT_MAC, "type", "veth",
                    "peer", "name", "b0", "address", SERVER_MAC, "netns", b.name()).checked();
            a.exec("ip", "addr", "add", "172.17.0.2/16", "dev", "a0").checked();
            a.exec("ip", "link", "set", "a0", "up").checked();
            r.exec("ip", "addr", "add", "172.17.0.1/16", "dev", "r1").checked();
            r.exec("ip", "addr", "add", "203.0.113.1/24", "dev", "r2").checked();
            r.exec("ip", "link", "set", "r1", "up").checked();
            r.exec("ip", "link", "set", "r2", "up").checked();
            r.exec("ip", "neigh", "replace", "203.0.113.7", "lladdr", SERVER_MAC, "dev", "r2", "nud", "permanent").checked();
            r.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked();
            r.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "172.17.0.0/16", "-o", "r2", "-j", "MASQUERADE").checked();
            b.exec("ip", "addr", "add", "203.0.113.7/24", "dev", "b0").checked();
            b.exec("ip", "link", "set", "b0", "up").checked();

            Path in = tmp.resolve("in.pcap");
            Path out = tmp.resolve("out.pcap");
            PcapFile.write(in, sent);
            Process capture = new ProcessBuilder("ip", "netns", "exec", b.name(), "tcpdump", "-i", "b0", "-U", "-n",
                    "-c", String.valueOf(sent.size()), "-w", out.toString(), "ip and dst host 203.0.113.7").start();
            try {
                var err = new BufferedReader(new InputStreamReader(capture.getErrorStream(), StandardCharsets.UTF_8));
                String line = err.readLine();
                assertTrue(line != null && line.contains("listening"), "tcpdump: " + line);
                a.exec("tcpreplay", "-q", "-i", "a0", in.toString()).checked();
                assertTrue(capture.waitFor(20, TimeUnit.SECONDS), "tcpdump did not see every frame");
            } finally {
                capture.destroy();
            }

            List<byte[]> got = PcapFile.parse(Files.readAllBytes(out)).frames();
            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                byte[] expected = ourMasquerade(sent.get(i));
                byte[] kernel = Arrays.copyOfRange(got.get(i), 14, got.get(i).length);
                assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(kernel), "frame " + (i + 1));
            }
            // The corner cases were really exercised: "no checksum" kept, a computed 0 sent as 0xffff.
            assertEquals(0, Bytes.u16(got.get(2), 14 + 20 + 6));
            assertEquals(0xffff, Bytes.u16(got.get(3), 14 + 20 + 6));
        }
    }

    /** MASQUERADE as our views do it: source address of the outgoing interface, TTL - 1; ports kept. */
    private static byte[] ourMasquerade(byte[] frame) {
        byte[] p = Arrays.copyOfRange(frame, 14, frame.length);
        Ipv4Packet ip = new Ipv4Packet();
        assertEquals(WireError.OK, ip.wrap(p, 0, p.length));
        ip.decrementTtl();
        ip.setSrc(ROUTER_OUT);
        return p;
    }

    private static List<byte[]> framesToSend() {
        EthernetRepr l2 = EthernetRepr.of(CONTAINER_MAC, ROUTER_IN_MAC);
        Ipv4Repr ip = Ipv4Repr.of(CONTAINER, SERVER).withIdentification(0x1234);
        List<byte[]> frames = new ArrayList<>();
        frames.add(l2.frame(ip, TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN).withSeq(0x7f000001).withLinuxSynOptions(99)));
        frames.add(l2.frame(ip, UdpRepr.of(53001, 53).withPayload("plain udp".getBytes())));
        byte[] noChecksum = l2.frame(ip, UdpRepr.of(53002, 53).withPayload("no checksum".getBytes()));
        Bytes.put16(noChecksum, 14 + 20 + 6, 0);
        frames.add(noChecksum);
        frames.add(l2.frame(ip, udpWhoseChecksumAfterNatComputesToZero()));
        frames.add(l2.frame(ip, IcmpRepr.echoRequest(0x1c, 1, new byte[56])));
        return frames;
    }

    /**
     * A datagram whose checksum, once the source is the router's address, computes to 0: its first
     * payload word is the masqueraded datagram's checksum with that word 0 (found by a fresh emission,
     * not by the code under test), so the sum becomes 0xffff.
     */
    private static UdpRepr udpWhoseChecksumAfterNatComputesToZero() {
        UdpRepr base = UdpRepr.of(53003, 53).withPayload(new byte[] {0, 0, 'z', 'e', 'r', 'o'});
        byte[] after = Ipv4Repr.of(ROUTER_OUT, SERVER).packet(base);
        int c = Bytes.u16(after, 26);
        return base.withPayload(new byte[] {(byte) (c >>> 8), (byte) c, 'z', 'e', 'r', 'o'});
    }
}

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
 * The kernel as the judge of our incremental rewrites. Frames are injected (tcpreplay) from a
 * "container" namespace, forwarded and MASQUERADEd by a router namespace to a server namespace, which
 * answers. Our views, applying the same rewrites, must give the kernel's bytes exactly, checksums
 * included.
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

    /** container a0 172.17.0.2 -- r1 172.17.0.1 [router, MASQUERADE out r2] r2 203.0.113.1 -- b0 203.0.113.7 server. */
    private static final class Lab implements AutoCloseable {
        final Netns container = Netns.create("wa");
        final Netns router = Netns.create("wr");
        final Netns server = Netns.create("wb");

        Lab() {
            router.exec("ip", "link", "add", "r1", "address", ROUTER_IN_MAC, "type", "veth",
                    "peer", "name", "a0", "address", CONTAINER_MAC, "netns", container.name()).checked();
            router.exec("ip", "link", "add", "r2", "address", ROUTER_OUT_MAC, "type", "veth",
                    "peer", "name", "b0", "address", SERVER_MAC, "netns", server.name()).checked();
            container.exec("ip", "addr", "add", "172.17.0.2/16", "dev", "a0").checked();
            container.exec("ip", "link", "set", "a0", "up").checked();
            router.exec("ip", "addr", "add", "172.17.0.1/16", "dev", "r1").checked();
            router.exec("ip", "addr", "add", "203.0.113.1/24", "dev", "r2").checked();
            router.exec("ip", "link", "set", "r1", "up").checked();
            router.exec("ip", "link", "set", "r2", "up").checked();
            router.exec("ip", "neigh", "replace", "203.0.113.7", "lladdr", SERVER_MAC, "dev", "r2", "nud", "permanent").checked();
            router.exec("ip", "neigh", "replace", "172.17.0.2", "lladdr", CONTAINER_MAC, "dev", "r1", "nud", "permanent").checked();
            router.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked();
            router.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "172.17.0.0/16", "-o", "r2", "-j", "MASQUERADE").checked();
            server.exec("ip", "addr", "add", "203.0.113.7/24", "dev", "b0").checked();
            server.exec("ip", "link", "set", "b0", "up").checked();
        }

        @Override
        public void close() {
            server.close();
            router.close();
            container.close();
        }
    }

    /** A tcpdump writing {@code count} frames matching {@code filter} on {@code dev} in {@code ns}, started and listening. */
    private static Process capture(Netns ns, String dev, int count, Path out, String filter) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "tcpdump", "-i", dev, "-U", "-n",
                "-c", String.valueOf(count), "-w", out.toString(), filter).start();
        var err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line = err.readLine();
        assertTrue(line != null && line.contains("listening"), "tcpdump: " + line);
        return p;
    }

    private static List<byte[]> finish(Process capture, Path out) throws Exception {
        try {
            assertTrue(capture.waitFor(20, TimeUnit.SECONDS), "tcpdump did not see every frame");
        } finally {
            capture.destroy();
        }
        return PcapFile.parse(Files.readAllBytes(out)).frames();
    }

    private static void requireTools() {
        Tools.requireRoot();
        Tools.require("tcpdump");
        Tools.require("tcpreplay");
        Tools.require("iptables");
    }

    private static String ipHex(byte[] frame) {
        return HexFormat.of().formatHex(frame, 14, frame.length);
    }

    /**
     * Outbound: new source address, TTL - 1, ports kept; UDP "no checksum" stays 0 and a computed 0 is
     * sent as 0xffff (CSUM_MANGLED_0), as __udp_manip_pkt does.
     */
    @Test
    void masqueradedFramesEqualOurRewrite() throws Exception {
        requireTools();
        List<byte[]> sent = framesToSend();
        try (Lab lab = new Lab()) {
            Path in = tmp.resolve("in.pcap");
            Path out = tmp.resolve("out.pcap");
            PcapFile.write(in, sent);
            Process cap = capture(lab.server, "b0", sent.size(), out, "ip and dst host 203.0.113.7");
            lab.container.exec("tcpreplay", "-q", "-i", "a0", in.toString()).checked();
            List<byte[]> got = finish(cap, out);

            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                byte[] ours = sent.get(i).clone();
                Ipv4Packet ip = new Ipv4Packet();
                assertEquals(WireError.OK, ip.wrap(ours, 14, ours.length - 14));
                ip.decrementTtl();
                ip.setSrc(ROUTER_OUT);
                assertEquals(ipHex(ours), ipHex(got.get(i)), "frame " + (i + 1));
            }
            // The corner cases were really exercised.
            assertEquals(0, Bytes.u16(got.get(2), 14 + 20 + 6));
            assertEquals(0xffff, Bytes.u16(got.get(3), 14 + 20 + 6));
        }
    }

    /**
     * Inbound: the server's ICMP port unreachables and echo reply come back through the router; for
     * errors nf_nat_icmp_reply_translation rewrites the quoted datagram's source and the outer
     * destination (and recomputes the ICMP checksum, which we update incrementally). TCP is left out:
     * the server's RST leaves with an offloaded (partial) checksum on veth.
     */
    @Test
    void repliesAndIcmpErrorsTranslatedBackEqualOurRewrite() throws Exception {
        requireTools();
        List<byte[]> sent = framesToSend();
        try (Lab lab = new Lab()) {
            Path in = tmp.resolve("in.pcap");
            Path fromServer = tmp.resolve("server.pcap");
            Path toContainer = tmp.resolve("container.pcap");
            PcapFile.write(in, sent);
            int replies = sent.size() - 1; // all but the TCP SYN
            Process atServer = capture(lab.server, "b0", replies, fromServer, "ip and src host 203.0.113.7 and not tcp");
            Process atContainer = capture(lab.container, "a0", replies, toContainer, "ip and dst host 172.17.0.2 and not tcp");
            lab.container.exec("tcpreplay", "-q", "-i", "a0", in.toString()).checked();
            List<byte[]> answered = finish(atServer, fromServer);
            List<byte[]> received = finish(atContainer, toContainer);

            assertEquals(replies, answered.size());
            assertEquals(replies, received.size());
            int errors = 0;
            for (int i = 0; i < replies; i++) {
                byte[] ours = answered.get(i).clone();
                Ipv4Packet outer = new Ipv4Packet();
                assertEquals(WireError.OK, outer.wrap(ours, 14, ours.length - 14));
                IcmpPacket icmp = new IcmpPacket();
                assertEquals(WireError.OK, icmp.wrap(ours, outer.payloadOffset(), outer.payloadLength()));
                if (icmp.isError()) {
                    Ipv4Packet inner = new Ipv4Packet();
                    assertEquals(WireError.OK, icmp.quoted(inner));
                    inner.setSrc(CONTAINER);
                    errors++;
                }
                outer.decrementTtl();
                outer.setDst(CONTAINER);
                assertEquals(ipHex(ours), ipHex(received.get(i)), "reply " + (i + 1));
            }
            assertEquals(3, errors);
        }
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

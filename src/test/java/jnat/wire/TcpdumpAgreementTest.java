package jnat.wire;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcpdump 4.99 (print-ip.c, print-tcp.c, print-udp.c, print-icmp.c) as the judge of our checksums. */
class TcpdumpAgreementTest {
    private static final Pattern PACKET_START = Pattern.compile("^\\s*(\\d+)\\s+\\d\\d:\\d\\d:\\d\\d\\.\\d+ ");

    @TempDir
    Path tmp;

    /** tcpdump -vvv output per packet (index 0 = first packet). */
    private static List<String> tcpdumpPerPacket(Path pcap) {
        Tools.require("tcpdump");
        String out = Tools.run("tcpdump", "-nn", "-vvv", "-#", "-r", pcap.toString()).checked().stdout();
        List<String> packets = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : out.split("\n")) {
            Matcher m = PACKET_START.matcher(line);
            if (m.find()) {
                if (cur != null) packets.add(cur.toString());
                assertEquals(packets.size() + 1, Integer.parseInt(m.group(1)));
                cur = new StringBuilder();
            }
            if (cur != null) cur.append(line).append('\n');
        }
        if (cur != null) packets.add(cur.toString());
        return packets;
    }

    private static boolean tcpdumpSaysIpHeaderBad(String text) {
        return text.lines().findFirst().orElse("").contains("bad cksum");
    }

    private static boolean tcpdumpSaysTransportBad(String text) {
        return text.contains("(incorrect") || text.contains("bad udp cksum") || text.contains("wrong icmp cksum");
    }

    private static Path copyResource(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        try (var in = TcpdumpAgreementTest.class.getResourceAsStream("/captures/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    /** Returns how many packets were compared. */
    private int compareVerdicts(String capture) throws IOException {
        Path pcap = copyResource(tmp, capture);
        List<String> verdicts = tcpdumpPerPacket(pcap);
        List<byte[]> frames = PcapFile.resource(capture).frames();
        assertEquals(frames.size(), verdicts.size());
        EthernetFrame eth = new EthernetFrame();
        Ipv4Packet ip = new Ipv4Packet();
        int compared = 0;
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            if (eth.wrap(f, 0, f.length) != WireError.OK || eth.etherType() != EtherType.IPV4) continue;
            if (ip.wrap(f, eth.payloadOffset(), eth.payloadLength()) != WireError.OK) continue;
            String text = verdicts.get(i);
            String where = capture + " packet " + (i + 1) + ":\n" + text;
            assertEquals(tcpdumpSaysIpHeaderBad(text), !ip.verifyChecksum(), where);
            int proto = ip.protocol();
            if (!ip.isFragment() && (proto == IpProtocol.TCP || proto == IpProtocol.UDP || proto == IpProtocol.ICMP)) {
                assertEquals(tcpdumpSaysTransportBad(text), !ip.verifyTransportChecksum(), where);
                compared++;
            }
        }
        return compared;
    }

    @Test
    void checksumVerdictsAgreeWithTcpdumpOnTheTcpreplayCapture() throws IOException {
        assertTrue(compareVerdicts("tcpreplay_test.pcap") > 100);
    }

    @Test
    void checksumVerdictsAgreeWithTcpdumpOnOffloadedContainerTraffic() throws IOException {
        // Frames captured on the sending host before checksum offload: many "incorrect" TCP checksums.
        assertTrue(compareVerdicts("dnscap_dnso1tcp.pcap") > 100);
    }

    @Test
    void checksumVerdictsAgreeWithTcpdumpOnVlanTaggedTraffic() throws IOException {
        assertTrue(compareVerdicts("dnscap_vlan11.pcap") > 100);
    }

    /** Frames built by the reprs, then NAT-rewritten through the views: tcpdump finds every checksum right. */
    @Test
    void tcpdumpFindsEveryChecksumOfBuiltAndRewrittenFramesCorrect() throws IOException {
        EthernetRepr l2 = EthernetRepr.of("02:42:ac:11:00:02", "02:42:7b:9a:3c:01");
        Ipv4Repr ip = Ipv4Repr.of("172.17.0.2", "198.51.100.7");
        byte[] syn = l2.frame(ip, TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN).withSeq(1000).withLinuxSynOptions(77));
        byte[] dns = l2.frame(ip, UdpRepr.of(53000, 53).withPayload("not really dns".getBytes()));
        byte[] ping = l2.frame(ip, IcmpRepr.echoRequest(0x1c, 1, new byte[56]));
        byte[] error = l2.frame(Ipv4Repr.of("198.51.100.7", "203.0.113.5"),
                IcmpRepr.destUnreachable(IcmpPacket.PORT_UNREACH, Ipv4Repr.of("203.0.113.5", "198.51.100.7")
                        .packet(UdpRepr.of(1024, 53).withPayload("query".getBytes()))));
        List<byte[]> frames = new ArrayList<>(List.of(syn, dns, ping, error));
        for (byte[] original : List.of(syn, dns, ping)) {
            byte[] f = original.clone();
            Ipv4Packet v = new Ipv4Packet();
            v.wrap(f, 14, f.length - 14);
            v.setSrc(Ipv4Address.parse("203.0.113.5"));   // MASQUERADE
            if (v.hasPorts()) v.setSrcPort(1024);
            if (v.hasIcmpId()) v.setIcmpId(7);
            v.decrementTtl();
            frames.add(f);
        }
        byte[] e = error.clone();
        Ipv4Packet outer = new Ipv4Packet();
        IcmpPacket icmp = new IcmpPacket();
        Ipv4Packet inner = new Ipv4Packet();
        outer.wrap(e, 14, e.length - 14);
        icmp.wrap(e, outer.payloadOffset(), outer.payloadLength());
        icmp.quoted(inner);
        inner.setSrc(Ipv4Address.parse("172.17.0.2"));  // de-MASQUERADE the quoted datagram
        inner.setSrcPort(53000);
        outer.setDst(Ipv4Address.parse("172.17.0.2"));
        frames.add(e);

        Path pcap = tmp.resolve("built.pcap");
        PcapFile.write(pcap, frames);
        List<String> out = tcpdumpPerPacket(pcap);
        assertEquals(frames.size(), out.size());
        for (String text : out) {
            assertFalse(tcpdumpSaysIpHeaderBad(text), text);
            assertFalse(tcpdumpSaysTransportBad(text), text);
        }
        assertTrue(out.get(0).contains("cksum") && out.get(0).contains("(correct)"), out.get(0));
        assertTrue(out.get(1).contains("[udp sum ok]"), out.get(1));
        assertTrue(out.get(4).contains("203.0.113.5.1024 > 198.51.100.7.80"), out.get(4));
        assertTrue(out.get(7).contains("172.17.0.2.53000 > 198.51.100.7.53"), out.get(7));
    }

    @Test
    void tcpdumpPrintsBuiltSynOptionsAsItPrintsLinuxs() throws IOException {
        byte[] syn = EthernetRepr.of("02:42:ac:11:00:02", "02:42:7b:9a:3c:01").frame(Ipv4Repr.of("172.17.0.2", "198.51.100.7"),
                TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN).withLinuxSynOptions(1022106786));
        Path pcap = tmp.resolve("syn.pcap");
        PcapFile.write(pcap, List.of(syn));
        String text = tcpdumpPerPacket(pcap).get(0);
        assertTrue(text.contains("options [mss 1460,sackOK,TS val 1022106786 ecr 0,nop,wscale 7]"), text);
    }
}

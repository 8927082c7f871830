package jnat.cli;

import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * -j NFLOG's packets in DIR/nflog-GROUP.pcap against what the kernel gives `tcpdump -i
 * nflog:GROUP -w` for the same rules and datagrams (UDP to 127.0.0.1 from the host itself, in a
 * namespace): the same records' TLVs in the same order (less the socket's uid and gid, which jnat
 * does not model), and tcpdump reads both files to the same lines, the IP id and the kernel's
 * partial loopback checksum aside.
 */
class NflogPcapTest {
    static final String RULES = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + "-A OUTPUT -p udp --dport 9 -j NFLOG --nflog-group 5 --nflog-prefix \"hello world\"\n"
            + "-A OUTPUT -p udp --dport 10 -j NFLOG --nflog-group 5 --nflog-size 20\n"
            + "-A INPUT -p udp --dport 10 -j MARK --set-mark 7\n"
            + "-A INPUT -p udp --dport 10 -j NFLOG --nflog-group 5\n"
            + "COMMIT\n";

    static final String SEND = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(b"abc", ("127.0.0.1", 9))
            s.sendto(b"0123456789", ("127.0.0.1", 10))
            """;

    /** Each record's TLV types, in order. */
    static List<List<Integer>> tlvTypes(Path pcap) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(239, b.getInt(20), "LINKTYPE_NFLOG");
        List<List<Integer>> out = new ArrayList<>();
        int p = 24;
        while (p + 16 <= b.limit()) {
            int caplen = b.getInt(p + 8);
            int r = p + 16, end = r + caplen;
            List<Integer> types = new ArrayList<>();
            for (int t = r + 4; t + 4 <= end;) {
                int len = b.getShort(t) & 0xffff;
                types.add(b.getShort(t + 2) & 0xffff);
                t += len + 3 & ~3;
            }
            out.add(types);
            p = end;
        }
        return out;
    }

    /**
     * tcpdump -r -e -v's lines, without the time, the record length (the kernel's has the uid and
     * gid TLVs more), the IP id and DF, and the UDP checksum's verdict (the kernel's loopback
     * packets keep a partial checksum).
     */
    static List<String> tcpdump(Path pcap) {
        String out = Tools.run("tcpdump", "-nn", "-e", "-v", "-r", pcap.toString()).stdout();
        List<String> lines = new ArrayList<>();
        for (String l : out.lines().toList()) {
            lines.add(l.replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d+ ", "").replaceAll("\\(2\\), length \\d+:", "(2), length N:")
                    .replaceAll("id \\d+", "id X").replaceAll("flags \\[DF]", "flags [X]").replaceAll("flags \\[none]", "flags [X]")
                    .replaceAll("\\[bad udp cksum [^]]*] ", "").replaceAll("\\[udp sum ok] ", ""));
        }
        return lines;
    }

    @Test
    void loggedPacketsReadAsTheKernelsNflogCapture(@TempDir Path dir) throws Exception {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("tcpdump");
        Tools.require("python3");
        Path kernel = dir.resolve("kernel.pcap");
        try (Netns ns = Netns.create("nflog")) {
            ns.exec("ip", "link", "set", "lo", "up").checked();
            ns.execIn(RULES, "iptables-restore").checked();
            Tools.Result[] capture = new Tools.Result[1];
            Thread t = new Thread(() -> capture[0] = ns.exec("timeout", "4", "tcpdump", "-i", "nflog:5", "-U", "-w", kernel.toString()));
            t.start();
            Thread.sleep(1500);
            ns.exec("python3", "-c", SEND).checked();
            t.join();
        }
        Host host = Host.parse("link set dev lo up\n", "nflog.ip");
        NatEngine engine = new NatEngine(host, Ruleset.parse(RULES));
        NflogPcap nflog = new NflogPcap(dir);
        engine.xtNet().nflog.listen(nflog);
        long now = 1_000_000_000L;
        for (int[] d : new int[][] {{9, 3}, {10, 10}}) {
            byte[] p = Ipv4Repr.of("127.0.0.1", "127.0.0.1").packet(UdpRepr.of(40000, d[0]).withPayload("0123456789".substring(0, d[1]).getBytes()));
            engine.send(p, 0, p.length, now += 1_000_000L, (out, buf, off, len) -> { });
        }
        nflog.close();
        Path ours = dir.resolve("nflog-5.pcap");

        List<List<Integer>> k = tlvTypes(kernel), o = tlvTypes(ours);
        List<List<Integer>> expected = new ArrayList<>();
        for (List<Integer> r : k) expected.add(r.stream().filter(x -> x != 11 && x != 14).toList()); // NFULA_UID, NFULA_GID
        assertEquals(3, k.size(), "the kernel logged " + k);
        assertEquals(expected, o, "TLVs per record");
        List<String> kl = tcpdump(kernel), ol = tcpdump(ours);
        assertTrue(kl.getFirst().contains("resource ID 5, family IPv4 (2)"), kl.toString());
        assertEquals(kl.size(), ol.size(), kl + "\n" + ol);
        for (int i = 0; i < kl.size(); i++) {
            // the kernel's sender port is its socket's; ours is 40000
            assertEquals(kl.get(i).replaceAll("127\\.0\\.0\\.1\\.\\d+ >", "127.0.0.1.P >"),
                    ol.get(i).replaceAll("127\\.0\\.0\\.1\\.\\d+ >", "127.0.0.1.P >"));
        }
    }
}

package jnat.nat;

import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Repr;
import jnat.wire.TcpRepr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * -j LOG writes the kernel's line: the same packets (UDP datagrams and an ICMP echo request from a
 * local address to another, looping through lo, so each is logged at OUTPUT with OUT=lo and at
 * INPUT with IN=lo and lo's MAC=) go through the same LOG rules, with prefixes, levels, the
 * --log-ip-options/--log-tcp-sequence/--log-macdecode flags and a MARK, in a namespace and in the
 * engine. The kernel's lines are read from dmesg (the namespace's own only with
 * net.netfilter.nf_log_all_netns=1, which the test sets and restores), found by a prefix that
 * carries the test's pid; they must equal the engine's, line for line. The TCP rules take only the
 * segments sent (--sport 40000): the kernel answers them with a RST from its closed port, which
 * jnat's host does not send yet (README: local ports).
 */
class LogKernelComparisonTest {
    static final String SRC = "198.51.100.1", DST = "198.51.100.200", SRC6 = "2001:db8::1", DST6 = "2001:db8::200";
    static final String TAG = "jn" + ProcessHandle.current().pid();

    static List<String> rules4() {
        return List.of(
                "-A OUTPUT -p udp -j LOG --log-prefix " + TAG + "o:",
                "-A OUTPUT -p udp --dport 10 -j MARK --set-mark 0x2a",
                "-A OUTPUT -p udp --dport 10 -j LOG --log-prefix " + TAG + "m: --log-level 7 --log-uid",
                "-A INPUT -p udp -j LOG --log-prefix " + TAG + "i: --log-ip-options --log-tcp-sequence --log-tcp-options --log-uid",
                "-A INPUT -p udp --dport 11 -j LOG --log-prefix " + TAG + "d: --log-macdecode",
                "-A INPUT -p icmp --icmp-type echo-request -j LOG --log-prefix " + TAG + "e:",
                "-A INPUT -p tcp --sport 40000 -j LOG --log-prefix " + TAG + "t: --log-tcp-sequence --log-tcp-options",
                "-A INPUT -p tcp --sport 40000 -j LOG --log-prefix " + TAG + "u:");
    }

    static List<String> rules6() {
        return List.of(
                "-A OUTPUT -p udp -j LOG --log-prefix " + TAG + "o6: --log-uid",
                "-A INPUT -p udp -j LOG --log-prefix " + TAG + "i6: --log-ip-options");
    }

    static final String SEND = """
            import socket, sys
            fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
            for port in sys.argv[3].split(","):
                u = socket.socket(fam, socket.SOCK_DGRAM)
                u.bind((sys.argv[1], 40000)); u.sendto(b"x" * int(port), (sys.argv[2], int(port))); u.close()
            if fam == socket.AF_INET:
                r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                r.bind((sys.argv[1], 0))
                echo = bytearray(b"\\x08\\x00\\x00\\x00\\x12\\x34\\x00\\x07" + b"y" * 8)
                s = sum((echo[i] << 8) + echo[i + 1] for i in range(0, len(echo), 2))
                s = (s & 0xffff) + (s >> 16); s = ~((s & 0xffff) + (s >> 16)) & 0xffff
                echo[2] = s >> 8; echo[3] = s & 0xff
                r.sendto(bytes(echo), (sys.argv[2], 0))
                # a SYN with an MSS option and ECE/CWR, then a FIN/PSH/ACK with URG, laid out by hand
                t = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
                t.bind((sys.argv[1], 0))
                def seg(flags, seq, ack, opts, urg):
                    h = bytearray(40000 .to_bytes(2, "big") + (22).to_bytes(2, "big") + seq.to_bytes(4, "big") + ack.to_bytes(4, "big")
                                  + bytes([(5 + len(opts) // 4) << 4, flags]) + (29200).to_bytes(2, "big") + bytes(2) + urg.to_bytes(2, "big") + opts)
                    ph = socket.inet_aton(sys.argv[1]) + socket.inet_aton(sys.argv[2]) + bytes([0, 6]) + len(h).to_bytes(2, "big")
                    d = ph + h
                    c = sum((d[i] << 8) + d[i + 1] for i in range(0, len(d), 2))
                    c = (c & 0xffff) + (c >> 16); c = ~((c & 0xffff) + (c >> 16)) & 0xffff
                    h[16] = c >> 8; h[17] = c & 0xff
                    return bytes(h)
                t.sendto(seg(0xC2, 123456789, 0, bytes([2, 4, 5, 0xb4]), 0), (sys.argv[2], 0))
                t.sendto(seg(0x39, 4000000000, 77, b"", 5), (sys.argv[2], 0))
            """;

    static final List<Integer> PORTS = List.of(9, 10, 11);

    /** The kernel's lines carrying {@link #TAG}, in the order dmesg holds them, without their timestamps. */
    static List<String> kernel() throws Exception {
        Path sysctl = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");
        String before = Files.readString(sysctl).strip();
        try (Netns ns = Netns.create("log")) {
            Files.writeString(sysctl, "1");
            ns.execIn("link set lo up\naddr add " + SRC + "/32 dev lo\naddr add " + DST + "/32 dev lo\naddr add " + SRC6
                    + "/128 dev lo nodad\naddr add " + DST6 + "/128 dev lo nodad\n", "ip", "-batch", "-").checked();
            ns.exec("sysctl", "-qw", "net.ipv6.auto_flowlabels=0").checked();
            for (String r : rules4()) ns.exec(cmd("iptables", r)).checked();
            for (String r : rules6()) ns.exec(cmd("ip6tables", r)).checked();
            String ports = String.join(",", PORTS.stream().map(String::valueOf).toList());
            ns.exec("python3", "-c", SEND, SRC, DST, ports).checked();
            ns.exec("python3", "-c", SEND, SRC6, DST6, ports).checked();
            Thread.sleep(200);
            List<String> lines = new ArrayList<>();
            for (String l : Tools.run("dmesg", "--notime").checked().stdout().split("\n")) {
                int at = l.indexOf(TAG);
                if (at >= 0) lines.add(l.substring(at));
            }
            return lines;
        } finally {
            Files.writeString(sysctl, before);
        }
    }

    private static String[] cmd(String tool, String rule) {
        List<String> c = new ArrayList<>(List.of(tool));
        c.addAll(List.of(rule.split(" ")));
        return c.toArray(String[]::new);
    }

    /**
     * The IP IDs the kernel's sockets chose (ip_select_ident: random per destination since 6.x), in the
     * order the packets were sent, from the OUTPUT lines; the engine's packets carry the same.
     */
    static List<Integer> ids(List<String> kernel) {
        List<Integer> ids = new ArrayList<>();
        for (String l : kernel) {
            if (!l.startsWith(TAG + "o:") && !l.startsWith(TAG + "e:") && !l.startsWith(TAG + "u:")) continue;
            int at = l.indexOf(" ID=") + 4;
            ids.add(Integer.parseInt(l.substring(at, l.indexOf(' ', at))));
        }
        return ids;
    }

    /** The same packets through the engine, the host's own as the kernel's sockets sent them. */
    static List<String> jnat(List<Integer> ids) {
        String host = "link set dev lo up\naddr add " + SRC + "/32 dev lo\naddr add " + DST + "/32 dev lo\naddr add " + SRC6
                + "/128 dev lo\naddr add " + DST6 + "/128 dev lo\n";
        StringBuilder r4 = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (String r : rules4()) r4.append(r).append('\n');
        StringBuilder r6 = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (String r : rules6()) r6.append(r).append('\n');
        EngineRig rig = EngineRig.host(host).rules(r4.append("COMMIT\n").toString()).rules6(r6.append("COMMIT\n").toString());
        List<String> lines = new ArrayList<>();
        rig.engine().xtNet().log.listen((level, text) -> lines.add(text.toString()));
        int n = 0;
        for (int port : PORTS) {
            rig.send(Ipv4Repr.of(SRC, DST).withIdentification(ids.get(n++)).packet(UdpRepr.of(40000, port).withPayload(new byte[port])));
        }
        byte[] y = "yyyyyyyy".getBytes();
        rig.send(Ipv4Repr.of(SRC, DST).withIdentification(ids.get(n++)).packet(IcmpRepr.echoRequest(0x1234, 7, y)));
        rig.send(Ipv4Repr.of(SRC, DST).withIdentification(ids.get(n++)).packet(TcpRepr.of(40000, 22).withSeq(123456789)
                .withFlags(0xC2).withWindow(29200).withMss(1460)));
        rig.send(Ipv4Repr.of(SRC, DST).withIdentification(ids.get(n)).packet(TcpRepr.of(40000, 22).withSeq((int) 4000000000L)
                .withAck(77).withFlags(0x39).withWindow(29200).withUrgentPointer(5)));
        for (int port : PORTS) rig.send(Ipv6Repr.of(SRC6, DST6).packet(UdpRepr.of(40000, port).withPayload(new byte[port])));
        return lines;
    }

    @Test
    void logLinesAreTheKernels() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("ip6tables");
        Tools.require("python3");
        Tools.require("dmesg");
        List<String> k = kernel();
        System.out.println("kernel's lines:\n" + String.join("\n", k));
        assertFalse(k.isEmpty(), "the kernel logged nothing");
        assertEquals(String.join("\n", k), String.join("\n", jnat(ids(k))));
    }
}

package jnat.nat;

import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * -j TRACE is the kernel's: the same packets (a UDP datagram DNATed at OUTPUT, a TCP SYN REJECTed
 * with a RST, an ICMP echo request, each sent by the host to another of its addresses and so looping
 * through lo) go through the same ruleset (raw TRACE rules at OUTPUT and PREROUTING, a MARK in mangle,
 * DNAT and a jump to an empty user chain in nat, filter's INPUT policy DROP with a jump to a chain
 * that RETURNs, a goto to one that REJECTs and a jump to one that falls off its end), in a namespace
 * under {@code xtables-monitor --trace} and in the engine under {@link jnat.rules.NfTablesTrace}.
 * The lines must be equal, with two fields normalised: the trace ids (the kernel's are siphash
 * values of the sk_buff; jnat's count them) are numbered by first appearance, and the IP ID of the
 * host's own ICMP error (ip_select_ident's random choice) is left out. The IDs of the packets the
 * test sends are the kernel's, read from its lines and given to the engine's packets; the host's own
 * packets (the port unreachable, REJECT's RST, both traced too) are the engine's.
 */
class NfTablesTraceKernelTest {
    static final String SRC = "198.51.100.1", DST = "198.51.100.200";

    /** In iptables-save's order (user chains by name), so the kernel's handles are those jnat gives. */
    static final String RULES = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -p tcp -j TRACE
            -A OUTPUT -p udp -m udp --dport 9 -j TRACE
            -A OUTPUT -p icmp -j TRACE
            COMMIT
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A OUTPUT -p udp -j MARK --set-xmark 0x2a/0xffffffff
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :N - [0:0]
            -A OUTPUT -p udp -m udp --dport 9 -j DNAT --to-destination 198.51.100.200:10
            -A POSTROUTING -j N
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :G - [0:0]
            :U - [0:0]
            :V - [0:0]
            -A INPUT -p udp -j U
            -A INPUT -p icmp -j V
            -A INPUT -p tcp -g G
            -A INPUT -p udp -m udp --dport 10 -j ACCEPT
            -A OUTPUT -p icmp -j LOG --log-prefix x
            -A G -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
            -A U -p udp -m udp --dport 1 -j DROP
            -A U -j RETURN
            -A V -p icmp -m icmp --icmp-type 3 -j ACCEPT
            COMMIT
            """;

    static final String SEND = """
            import socket, sys
            src, dst = sys.argv[1], sys.argv[2]
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind((src, 40000)); u.sendto(b"hello", (dst, 9)); u.close()
            def csum(d):
                s = sum((d[i] << 8) + d[i + 1] for i in range(0, len(d), 2))
                s = (s & 0xffff) + (s >> 16); return ~((s & 0xffff) + (s >> 16)) & 0xffff
            t = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
            t.bind((src, 0))
            h = bytearray((40001).to_bytes(2, "big") + (23).to_bytes(2, "big") + (1000).to_bytes(4, "big") + bytes(4)
                          + bytes([5 << 4, 0x02]) + (29200).to_bytes(2, "big") + bytes(4))
            c = csum(socket.inet_aton(src) + socket.inet_aton(dst) + bytes([0, 6]) + len(h).to_bytes(2, "big") + h)
            h[16] = c >> 8; h[17] = c & 0xff
            t.sendto(bytes(h), (dst, 0))
            r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            r.bind((src, 0))
            echo = bytearray(b"\\x08\\x00\\x00\\x00\\x12\\x34\\x00\\x07" + b"y" * 8)
            c = csum(echo); echo[2] = c >> 8; echo[3] = c & 0xff
            r.sendto(bytes(echo), (dst, 0))
            """;

    /** xtables-monitor --trace's PACKET and TRACE lines for the test's packets. */
    static List<String> kernel() throws Exception {
        try (Netns ns = Netns.create("nftrace")) {
            ns.execIn("addr add " + SRC + "/32 dev lo\naddr add " + DST + "/32 dev lo\n", "ip", "-batch", "-").checked();
            ns.execIn(RULES, "iptables-restore").checked();
            Path out = Files.createTempFile("xtables-monitor", ".txt");
            Process monitor = new ProcessBuilder("ip", "netns", "exec", ns.name(), "xtables-monitor", "--trace")
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                Thread.sleep(500); // subscribed to NFNLGRP_NFTRACE
                ns.exec("python3", "-c", SEND, SRC, DST).checked();
                Thread.sleep(700);
            } finally {
                monitor.destroy();
                monitor.waitFor(5, TimeUnit.SECONDS);
            }
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(out)) if (l.startsWith("PACKET: ") || l.startsWith(" TRACE: ")) lines.add(l);
            Files.delete(out);
            return lines;
        }
    }

    /** The IP IDs of the packets the test sent (UDP, the SYN, the echo request), from their first PACKET lines. */
    static List<Integer> ids(List<String> kernel) {
        List<Integer> ids = new ArrayList<>();
        for (String proto : new String[] {"SPORT=40000 DPORT=9 ", "SPORT=40001 DPORT=23 ", "LEN=36 "}) {
            for (String l : kernel) {
                if (l.startsWith("PACKET: ") && l.contains(proto) && l.contains("SRC=" + SRC + " ")) {
                    Matcher m = Pattern.compile(" ID=(\\d+) ").matcher(l);
                    assertTrue(m.find(), l);
                    ids.add(Integer.parseInt(m.group(1)));
                    break;
                }
            }
        }
        assertEquals(3, ids.size(), "the kernel traced each packet sent: " + kernel);
        return ids;
    }

    static List<String> jnat(List<Integer> ids) {
        EngineRig rig = EngineRig.host("link set dev lo up\naddr add " + SRC + "/32 dev lo\naddr add " + DST + "/32 dev lo\n")
                .rules(RULES);
        List<String> lines = new ArrayList<>();
        rig.engine().xtNet().trace.listen(text -> lines.add(text.toString()));
        rig.send(Ipv4Repr.of(SRC, DST).withIdentification(ids.get(0)).withDontFragment(true)
                .packet(UdpRepr.of(40000, 9).withPayload("hello".getBytes())));
        rig.send(Ipv4Repr.of(SRC, DST).withIdentification(ids.get(1)).withDontFragment(true)
                .packet(TcpRepr.of(40001, 23).withSeq(1000).withFlags(0x02).withWindow(29200)));
        rig.send(Ipv4Repr.of(SRC, DST).withIdentification(ids.get(2)).withDontFragment(true)
                .packet(IcmpRepr.echoRequest(0x1234, 7, "yyyyyyyy".getBytes())));
        return lines;
    }

    /**
     * The trace ids numbered by first appearance; the host's own ICMP error's IP ID (the kernel's
     * random ip_select_ident) left out.
     */
    static String normalise(List<String> lines) {
        Map<String, String> ids = new HashMap<>();
        Pattern id = Pattern.compile("^(PACKET: | TRACE: )(\\d+) ([0-9a-f]{8}) ");
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            Matcher m = id.matcher(l);
            assertTrue(m.find(), l);
            String n = ids.computeIfAbsent(m.group(3), k -> "id" + (ids.size() + 1));
            String rest = l.substring(m.end());
            if (rest.contains("SRC=" + DST + " DST=" + SRC + " ") && rest.contains(" TOS=0xc0 ")) {
                rest = rest.replaceFirst(" ID=\\d+ ", " ID=(the host's) ");
            }
            b.append(m.group(1)).append(m.group(2)).append(' ').append(n).append(' ').append(rest).append('\n');
        }
        return b.toString();
    }

    @Test
    void xtablesMonitorTraceLinesAreTheKernels() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("xtables-monitor");
        Tools.require("python3");
        List<String> k = kernel();
        System.out.println("xtables-monitor --trace:\n" + String.join("\n", k));
        assertFalse(k.isEmpty(), "the kernel traced nothing");
        assertEquals(normalise(k), normalise(jnat(ids(k))));
    }
}

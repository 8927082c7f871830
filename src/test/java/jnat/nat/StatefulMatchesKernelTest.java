package jnat.nat;

import jnat.rules.Chain;
import jnat.rules.Rule;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel as the oracle for -m recent: the same UDP datagrams, from many local addresses to
 * one, go through the same INPUT rules in a namespace (sent by a Python socket each, so they loop
 * through lo) and through the engine ({@link NatEngine#send}, looping the same way); every
 * rule's packet count and what each list holds (/proc/net/xt_recent/NAME: address, TTL,
 * oldest_pkt and how many times, the jiffies aside) must agree. The datagrams go out within a
 * second and the windows are a minute long, so the kernel's clock and the engine's agree on
 * every --seconds question.
 */
class StatefulMatchesKernelTest {
    static final String DST = "198.51.100.200";
    static final List<String> RULES = List.of(
            "-p udp --dport 9 -m recent --update --seconds 60 --hitcount 3 --name a -j DROP",
            "-p udp --dport 9 -m recent --set --name a",
            "-p udp --dport 10 -m recent --remove --name a",
            "-p udp --dport 11 -m recent --rcheck --hitcount 2 --name b --rdest",
            "-p udp --dport 11 -m recent --set --name b --rdest",
            "-p udp --dport 12 -m recent --set --name c --mask 255.255.255.248",
            "-p udp --dport 12 -m recent --rcheck --hitcount 3 --name c --mask 255.255.255.248",
            "-p udp --dport 13 -m recent --set --name e",
            "-p udp --dport 14 -m recent --rcheck --seconds 60 --reap --name a",
            "-p udp --dport 14 -m recent ! --rcheck --name e",
            "-p udp --dport 15 -m recent --update --rttl --name a");

    /** The datagrams: (source's last byte, destination port), in order. */
    static List<int[]> sequence() {
        List<int[]> s = new ArrayList<>();
        for (int i = 0; i < 5; i++) s.add(new int[] {1, 9});
        for (int i = 0; i < 2; i++) s.add(new int[] {2, 9});
        s.add(new int[] {3, 9});
        s.add(new int[] {1, 10});
        for (int i = 0; i < 4; i++) s.add(new int[] {1, 9});
        for (int i = 0; i < 3; i++) s.add(new int[] {3, 11});
        for (int src : new int[] {4, 5, 6, 9, 12, 13, 14, 15}) s.add(new int[] {src, 12});
        for (int src = 1; src <= 110; src++) s.add(new int[] {src, 13});
        for (int src : new int[] {1, 2, 3, 7, 105}) s.add(new int[] {src, 14});
        for (int src : new int[] {1, 2, 8}) s.add(new int[] {src, 15});
        return s;
    }

    static final String SEND = """
            import socket, sys
            socks = {}
            for item in sys.argv[2].split(","):
                src, port = item.split(":")
                if src not in socks:
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("198.51.100." + src, 0)); socks[src] = u
                socks[src].sendto(b"x", (sys.argv[1], int(port)))
            """;

    @Test
    void recentListsAndRuleCountsAreTheKernels() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        List<int[]> seq = sequence();
        String kernelCounts, kernelLists;
        try (Netns ns = Netns.create("recent")) {
            StringBuilder batch = new StringBuilder("link add d0 type veth peer name d1\nlink set d0 up\nlink set d1 up\nlink set lo up\naddr add " + DST + "/24 dev d0\n");
            for (int i = 1; i <= 110; i++) batch.append("addr add 198.51.100.").append(i).append("/32 dev d0\n");
            ns.execIn(batch.toString(), "ip", "-batch", "-").checked();
            for (String r : RULES) {
                List<String> cmd = new ArrayList<>(List.of("iptables", "-A", "INPUT"));
                cmd.addAll(List.of(r.split(" ")));
                ns.exec(cmd.toArray(String[]::new)).checked();
            }
            StringBuilder items = new StringBuilder();
            for (int[] d : seq) items.append(items.isEmpty() ? "" : ",").append(d[0]).append(':').append(d[1]);
            ns.exec("python3", "-c", SEND, DST, items.toString()).checked();
            kernelCounts = counts(ns.exec("iptables", "-nvxL", "INPUT").checked().stdout());
            StringBuilder lists = new StringBuilder();
            for (String name : List.of("a", "b", "c", "e")) {
                lists.append(name).append(":\n").append(normalise(ns.exec("cat", "/proc/net/xt_recent/" + name).checked().stdout()));
            }
            kernelLists = lists.toString();
        }

        StringBuilder host = new StringBuilder("link add d0 type veth peer name d1\nlink set dev d0 up\nlink set dev d1 up\naddr add " + DST + "/24 dev d0\n");
        for (int i = 1; i <= 110; i++) host.append("addr add 198.51.100.").append(i).append("/32 dev d0\n");
        StringBuilder rules = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (String r : RULES) rules.append("-A INPUT ").append(r).append('\n');
        EngineRig rig = EngineRig.host(host.toString()).clock(0, EngineRig.MS).rules(rules.append("COMMIT\n").toString());
        for (int[] d : seq) {
            rig.send(Ipv4Repr.of("198.51.100." + d[0], DST).packet(UdpRepr.of(40000, d[1]).withPayload(new byte[] {'x'})));
        }
        StringBuilder ours = new StringBuilder();
        Chain input = rig.engine().ruleset().existing("filter").chain("INPUT");
        for (Rule r : input.rules()) ours.append(r.packets).append('\n');
        StringBuilder lists = new StringBuilder();
        for (String name : List.of("a", "b", "c", "e")) {
            lists.append(name).append(":\n").append(normalise(rig.engine().xtNet().recent.show(name)));
        }
        System.out.println("kernel's rule counts:\n" + kernelCounts + "kernel's lists:\n" + kernelLists);
        assertEquals(kernelCounts, ours.toString(), "each rule's packets");
        assertEquals(kernelLists, lists.toString(), "the lists");
    }

    /** The pkts column of each rule of iptables -nvxL. */
    private static String counts(String listing) {
        StringBuilder out = new StringBuilder();
        listing.lines().skip(2).forEach(l -> out.append(l.strip().split("\\s+")[0]).append('\n'));
        return out.toString();
    }

    /** Each entry as "src ttl oldest_pkt times", sorted (the kernel's order follows a random hash). */
    private static String normalise(String proc) {
        List<String> lines = new ArrayList<>();
        for (String l : proc.lines().toList()) {
            String[] w = l.split(" ");
            // src=A ttl: T last_seen: J oldest_pkt: N J1, J2, ...
            int times = l.substring(l.indexOf("oldest_pkt: ")).split(",").length;
            lines.add(w[0] + " ttl=" + w[2] + " oldest_pkt=" + w[6] + " times=" + times);
        }
        lines.sort(null);
        return String.join("\n", lines) + (lines.isEmpty() ? "" : "\n");
    }
}

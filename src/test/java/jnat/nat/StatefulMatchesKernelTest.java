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

    /**
     * Each item "SRC:PORT:SIZE:REPLY:PAUSE": from 198.51.100.SRC port 40000 to DST:PORT, or (REPLY 1) back
     * from DST:PORT, PAUSE milliseconds after the item before it.
     */
    static final String SEND = """
            import socket, sys, time
            socks = {}
            def sock(addr, port):
                if (addr, port) not in socks:
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    u.bind((addr, port)); socks[(addr, port)] = u
                return socks[(addr, port)]
            for item in sys.argv[2].split(","):
                src, port, size, reply, pause = item.split(":")
                if pause != "0":
                    time.sleep(int(pause) / 1000)
                a = "198.51.100." + src
                if reply == "1":
                    sock(sys.argv[1], int(port)).sendto(b"x" * int(size), (a, 40000))
                else:
                    sock(a, 40000).sendto(b"x" * int(size), (sys.argv[1], int(port)))
            """;

    /** What one run leaves: each INPUT rule's packet count, and a text of the modules' tables. */
    record Outcome(String counts, String tables) {}

    /** The datagrams (source's last byte, destination port, payload bytes) through {@code rules} in a namespace. */
    static Outcome kernel(List<String> rules, List<int[]> seq, java.util.function.Function<Netns, String> tables) {
        return kernel(rules, seq, ns -> {}, tables);
    }

    /** As {@link #kernel(List, List, java.util.function.Function)}, {@code before} run in the namespace before the rules go in. */
    static Outcome kernel(List<String> rules, List<int[]> seq, java.util.function.Consumer<Netns> before,
            java.util.function.Function<Netns, String> tables) {
        try (Netns ns = Netns.create("xtstate")) {
            StringBuilder batch = new StringBuilder("link add d0 type veth peer name d1\nlink set d0 up\nlink set d1 up\nlink set lo up\naddr add " + DST + "/24 dev d0\n");
            for (int i = 1; i <= 110; i++) batch.append("addr add 198.51.100.").append(i).append("/32 dev d0\n");
            ns.execIn(batch.toString(), "ip", "-batch", "-").checked();
            before.accept(ns);
            for (String r : rules) {
                List<String> cmd = new ArrayList<>(List.of("iptables", "-A", "INPUT"));
                cmd.addAll(List.of(r.split(" ")));
                ns.exec(cmd.toArray(String[]::new)).checked();
            }
            StringBuilder items = new StringBuilder();
            for (int[] d : seq) items.append(items.isEmpty() ? "" : ",").append(d[0]).append(':').append(d[1]).append(':').append(size(d))
                    .append(':').append(d.length > 3 ? d[3] : 0)
                    .append(':').append(pause(d));
            ns.exec("python3", "-c", SEND, DST, items.toString()).checked();
            return new Outcome(counts(ns.exec("iptables", "-nvxL", "INPUT").checked().stdout()), tables.apply(ns));
        }
    }

    private static int size(int[] d) {
        return d.length > 2 ? d[2] : 1;
    }

    /** The milliseconds the datagram waits after the one before it (a fifth item; 0 without). */
    private static int pause(int[] d) {
        return d.length > 4 ? d[4] : 0;
    }

    /** The same datagrams through the engine (the host's own, looping through lo), a millisecond apart and the pauses. */
    static EngineRig jnat(List<String> rules, List<int[]> seq) {
        return jnat(rules, seq, null);
    }

    /** As {@link #jnat(List, List)}, the rules' -m nfacct objects in {@code acct}. */
    static EngineRig jnat(List<String> rules, List<int[]> seq, jnat.rules.NfnlAcct acct) {
        StringBuilder host = new StringBuilder("link add d0 type veth peer name d1\nlink set dev d0 up\nlink set dev d1 up\naddr add " + DST + "/24 dev d0\n");
        for (int i = 1; i <= 110; i++) host.append("addr add 198.51.100.").append(i).append("/32 dev d0\n");
        StringBuilder rs = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (String r : rules) rs.append("-A INPUT ").append(r).append('\n');
        String text = rs.append("COMMIT\n").toString();
        EngineRig rig = EngineRig.host(host.toString()).clock(0, EngineRig.MS);
        if (acct == null) {
            rig.rules(text);
        } else { // the rig builds its engine from text alone: the ruleset with the objects goes in after
            rig.rules("*filter\nCOMMIT\n");
            rig.engine().setRuleset(jnat.rules.Ruleset.parse(text, false, null, acct));
        }
        for (int[] d : seq) {
            boolean reply = d.length > 3 && d[3] == 1;
            String a = "198.51.100." + d[0];
            rig.now += pause(d) * EngineRig.MS;
            rig.send(reply ? Ipv4Repr.of(DST, a).packet(UdpRepr.of(d[1], 40000).withPayload(new byte[size(d)]))
                    : Ipv4Repr.of(a, DST).packet(UdpRepr.of(40000, d[1]).withPayload(new byte[size(d)])));
        }
        return rig;
    }

    static String counts(EngineRig rig) {
        StringBuilder ours = new StringBuilder();
        Chain input = rig.engine().ruleset().existing("filter").chain("INPUT");
        for (Rule r : input.rules()) ours.append(r.packets).append('\n');
        return ours.toString();
    }

    @Test
    void recentListsAndRuleCountsAreTheKernels() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        List<String> names = List.of("a", "b", "c", "e");
        Outcome k = kernel(RULES, sequence(), ns -> {
            StringBuilder lists = new StringBuilder();
            for (String name : names) {
                lists.append(name).append(":\n").append(normalise(ns.exec("cat", "/proc/net/xt_recent/" + name).checked().stdout()));
            }
            return lists.toString();
        });
        EngineRig rig = jnat(RULES, sequence());
        StringBuilder lists = new StringBuilder();
        for (String name : names) lists.append(name).append(":\n").append(normalise(rig.engine().xtNet().recent.show(name)));
        System.out.println("kernel's rule counts:\n" + k.counts() + "kernel's lists:\n" + k.tables());
        assertEquals(k.counts(), counts(rig), "each rule's packets");
        assertEquals(k.tables(), lists.toString(), "the lists");
    }

    /**
     * Slow rates (a minute or an hour per packet) so the bursts, not the clocks, decide: per-source
     * buckets, a source prefix, ports in the key, one bucket for all, above, a full table
     * (htable-max: the next group's packet is dropped), and a byte rate's buckets.
     */
    static final List<String> HASHLIMIT = List.of(
            "-p udp --dport 20 -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-name s",
            "-p udp --dport 21 -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 4 --hashlimit-mode srcip --hashlimit-srcmask 29 --hashlimit-name m",
            "-p udp --dport 22:23 -m hashlimit --hashlimit-above 2/hour --hashlimit-burst 2 --hashlimit-mode srcip,dstport --hashlimit-name p",
            "-p udp --dport 24 -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 2 --hashlimit-name one",
            "-p udp --dport 25 -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-name full --hashlimit-htable-size 2 --hashlimit-htable-max 3",
            "-p udp --dport 25",
            "-p udp --dport 26 -m hashlimit --hashlimit-upto 1kb/s --hashlimit-burst 2kb --hashlimit-mode srcip --hashlimit-name b",
            "-p udp --dport 27 -m hashlimit ! --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name inv");

    static List<int[]> hashlimitSequence() {
        List<int[]> s = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int src : new int[] {1, 2, 3}) s.add(new int[] {src, 20});
        }
        for (int src = 1; src <= 20; src++) s.add(new int[] {src, 21});
        for (int i = 0; i < 4; i++) {
            s.add(new int[] {1, 22});
            s.add(new int[] {1, 23});
            s.add(new int[] {2, 22});
        }
        for (int src = 1; src <= 5; src++) s.add(new int[] {src, 24});
        for (int src = 1; src <= 6; src++) {
            s.add(new int[] {src, 25});
            s.add(new int[] {src, 25});
        }
        for (int i = 0; i < 5; i++) s.add(new int[] {1, 26, 1000});
        for (int i = 0; i < 2; i++) s.add(new int[] {2, 26, 3000});
        for (int src = 1; src <= 4; src++) s.add(new int[] {src, 27});
        return s;
    }

    @Test
    void hashlimitCountsAreTheKernels() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        Outcome k = kernel(HASHLIMIT, hashlimitSequence(), ns -> "");
        EngineRig rig = jnat(HASHLIMIT, hashlimitSequence());
        System.out.println("kernel's rule counts:\n" + k.counts());
        assertEquals(k.counts(), counts(rig), "each rule's packets");
    }

    /** The pkts column of each rule of iptables -nvxL. */
    static String counts(String listing) {
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

    /**
     * -m conntrack's status, protocol, direction, expiry and tuple options over UDP flows with and
     * without replies. The kernel's clock decides two things here, so the timing is explicit: a
     * connection that has seen a reply becomes a stream (ASSURED, 120 s) on a packet more than 2 s
     * after its first packet (udp_packet's stream_ts), so the sequence pauses 2.5 s (a loaded
     * machine can only lengthen a pause) before the packets that may, every other packet following
     * the one before it at once; and --ctexpire reads nf_ct_expires(ct) / HZ just after this packet's
     * own refresh, but jiffies may tick between the refresh at LOCAL_OUT and the match at INPUT
     * (the datagram crosses lo's backlog, later under load), so a fresh 30 s timeout reads 30 or 29:
     * no bound lies between those two.
     */
    static final List<String> CONNTRACK = List.of(
            "-p udp -m conntrack --ctstatus CONFIRMED",
            "-p udp -m conntrack --ctstatus SEEN_REPLY",
            "-p udp -m conntrack ! --ctstatus SEEN_REPLY",
            "-p udp -m conntrack --ctstatus ASSURED",
            "-p udp -m conntrack --ctstatus NONE",
            "-p udp -m conntrack --ctstatus EXPECTED,SEEN_REPLY",
            "-p udp -m conntrack --ctproto udp --ctdir REPLY",
            "-p udp -m conntrack ! --ctproto tcp --ctdir ORIGINAL",
            "-p udp -m conntrack --ctexpire 25:30",
            "-p udp -m conntrack --ctexpire 100:120",
            "-p udp -m conntrack ! --ctexpire 0:28",
            "-p udp -m conntrack ! --ctexpire 0:100",
            "-p udp -m conntrack --ctorigsrc 198.51.100.2 --ctreplsrc 198.51.100.200",
            "-p udp -m conntrack --ctorigdstport 9:10 --ctreplsrcport 10",
            "-p udp -m conntrack --ctrepldst 198.51.100.0/30 --ctorigsrcport 40000");

    static List<int[]> conntrackSequence() {
        return List.of(new int[] {1, 9}, new int[] {1, 9}, new int[] {1, 9, 1, 1}, new int[] {1, 9}, new int[] {2, 10},
                new int[] {2, 10, 1, 1}, new int[] {2, 10, 1, 1}, new int[] {3, 11}, new int[] {4, 12}, new int[] {4, 12, 1, 1},
                // 2.5 s on: 1:9 and 2:10 become streams (ASSURED, 120 s); 3:11's first reply is not one yet
                // (IPS_SEEN_REPLY is set after udp_packet looked), the packet after it is
                new int[] {1, 9, 1, 0, 2500}, new int[] {2, 10, 1, 1}, new int[] {3, 11, 1, 1}, new int[] {3, 11});
    }

    @Test
    void conntrackStatusExpiryAndTupleCountsAreTheKernels() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        Outcome k = kernel(CONNTRACK, conntrackSequence(), ns -> "");
        EngineRig rig = jnat(CONNTRACK, conntrackSequence());
        System.out.println("kernel's rule counts:\n" + k.counts());
        assertEquals(k.counts(), counts(rig), "each rule's packets");
    }
}

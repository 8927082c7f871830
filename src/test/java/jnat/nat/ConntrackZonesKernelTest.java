package jnat.nat;

import jnat.conntrack.ConntrackTool;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel as the oracle for conntrack zones (-j CT --zone, --zone-orig, --zone-reply, --zone
 * mark): the host's own UDP datagrams through lo, some sent twice with the same tuple but a
 * length that puts the second in another zone, so the same tuple makes two connections; NAT to
 * a single source port, which two connections may share only in different zones (a third in
 * the default zone finds none and is dropped). conntrack -L (and -L --zone N) in the namespace and jnat's must list the same
 * entries (timeouts aside), and every rule's count must be the kernel's.
 */
class ConntrackZonesKernelTest {
    static final String HOST = "198.51.100.200";
    static final String RAW = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A OUTPUT -p udp --dport 5001 -m length --length 31 -j CT --zone 5
            -A OUTPUT -p udp --dport 5002 -m length --length 31 -j CT --zone-orig 6
            -A OUTPUT -p udp --dport 5003 -m length --length 31 -j CT --zone-reply 7
            -A OUTPUT -p udp --dport 5004 -j MARK --set-mark 0x10009
            -A OUTPUT -p udp --dport 5004 -m length --length 31 -j CT --zone mark
            -A OUTPUT -p udp --dport 5005 -m length --length 31 -j CT --zone 65535
            -A OUTPUT -s 198.51.100.3 -p udp --dport 5006 -j CT --zone 5
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A POSTROUTING -p udp --dport 5006 -j SNAT --to-source 198.51.100.1:7000
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -p udp -m conntrack --ctstate NEW
            -A INPUT -p udp -m conntrack --ctstate ESTABLISHED
            COMMIT
            """;

    /** (source's last byte, source port, destination port, payload bytes: 2 is 30 bytes of IP, 3 is 31) */
    static final int[][] DATAGRAMS = {
        {1, 40000, 5000, 2}, {1, 40000, 5000, 3},
        {1, 40001, 5001, 2}, {1, 40001, 5001, 3}, {1, 40001, 5001, 3},
        {1, 40002, 5002, 2}, {1, 40002, 5002, 3},
        {1, 40003, 5003, 2}, {1, 40003, 5003, 3},
        {1, 40004, 5004, 2}, {1, 40004, 5004, 3},
        {1, 40005, 5005, 3}, {1, 40005, 5005, 2},
        {2, 40006, 5006, 2}, {3, 40006, 5006, 2}, {4, 40016, 5006, 2},
    };

    /** Sends the datagrams, each from its own bound socket; one NAT cannot place is dropped (EPERM). */
    static final String SEND = """
            import socket, sys
            socks = {}
            for item in sys.argv[2].split(","):
                src, sport, dport, size = item.split(":")
                a = "198.51.100." + src
                if (a, sport) not in socks:
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    u.bind((a, int(sport))); socks[(a, sport)] = u
                try:
                    socks[(a, sport)].sendto(b"x" * int(size), (sys.argv[1], int(dport)))
                except PermissionError:  # NF_DROP: no free source port for SNAT in the zone
                    print("dropped", item)
            """;

    private static String items() {
        StringBuilder sb = new StringBuilder();
        for (int[] d : DATAGRAMS) sb.append(sb.isEmpty() ? "" : ",").append(d[0]).append(':').append(d[1]).append(':').append(d[2]).append(':').append(d[3]);
        return sb.toString();
    }

    /** conntrack -L's lines sorted, each timeout (the third word) as T, and its summary line. */
    static String normalise(String list) {
        List<String> lines = new ArrayList<>();
        for (String l : list.lines().toList()) {
            l = l.replaceFirst("^(udp +17 )\\d+ ", "$1T ");
            // the clash of its reply tuple with the zone-0 connection's is NATed away to a port
            // nf_nat_l4proto_unique_tuple draws at random (get_random_u16)
            if (l.contains("zone-orig=")) l = l.replaceFirst("dport=\\d+ mark=", "dport=P mark=");
            lines.add(l);
        }
        Collections.sort(lines);
        return String.join("\n", lines) + "\n";
    }

    static final List<List<String>> LISTINGS = List.of(List.of("-L"), List.of("-L", "--zone", "5"), List.of("-L", "-w", "65535"),
            List.of("-L", "--zone", "6"), List.of("-L", "-p", "udp", "--dport", "5006"));

    @Test
    void zonesKeepConnectionsWithTheSameTupleApartAsTheKernelDoes() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("conntrack");
        Tools.require("python3");
        List<String> kernel = new ArrayList<>();
        String kernelCounts;
        try (Netns ns = Netns.create("zones")) {
            ns.execIn("link add d0 type veth peer name d1\nlink set d0 up\nlink set d1 up\nlink set lo up\naddr add " + HOST
                    + "/24 dev d0\naddr add 198.51.100.1/32 dev d0\naddr add 198.51.100.2/32 dev d0\naddr add 198.51.100.3/32 dev d0\n"
                    + "addr add 198.51.100.4/32 dev d0\n", "ip", "-batch", "-").checked();
            ns.execIn(RAW, "iptables-restore").checked();
            ns.exec("python3", "-c", SEND, HOST, items()).checked();
            for (List<String> l : LISTINGS) {
                List<String> cmd = new ArrayList<>(List.of("conntrack"));
                cmd.addAll(l);
                Tools.Result r = ns.exec(cmd.toArray(String[]::new));
                kernel.add(normalise(r.stdout()) + r.stderr());
            }
            kernelCounts = StatefulMatchesKernelTest.counts(ns.exec("iptables", "-nvxL", "INPUT").checked().stdout());
        }
        EngineRig rig = EngineRig.host("link add d0 type veth peer name d1\nlink set dev d0 up\nlink set dev d1 up\naddr add " + HOST
                + "/24 dev d0\naddr add 198.51.100.1/32 dev d0\naddr add 198.51.100.2/32 dev d0\naddr add 198.51.100.3/32 dev d0\n"
                + "addr add 198.51.100.4/32 dev d0\n").clock(0, EngineRig.MS).rules(RAW);
        for (int[] d : DATAGRAMS) {
            rig.send(Ipv4Repr.of("198.51.100." + d[0], HOST).packet(UdpRepr.of(d[1], d[2]).withPayload(new byte[d[3]])));
        }
        List<String> ours = new ArrayList<>();
        for (List<String> l : LISTINGS) {
            ConntrackTool.Result r = ConntrackTool.run(rig.engine().connections(), l, rig.now);
            ours.add(normalise(r.stdout()) + r.stderr());
        }
        System.out.println("kernel's conntrack -L:\n" + kernel.getFirst());
        assertEquals(kernel, ours, "conntrack's listings");
        assertEquals(kernelCounts, StatefulMatchesKernelTest.counts(rig), "each INPUT rule's packets");
    }
}

package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Tuple;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DNAT's shifted port ranges ("--to-destination A:p-q/base", NF_NAT_RANGE_PROTO_OFFSET): the
 * destination port becomes p + (port - base) % (q - p + 1), the difference taken as a u16, and the
 * range is searched even when the port already lies in it. The kernel is the oracle: UDP
 * datagrams the host sends through nat OUTPUT rules in a namespace, and the reply source port of
 * each connection conntrack -L lists, against the engine's for the same datagrams.
 */
class ShiftedPortRangeKernelTest {
    static final String DST = "198.51.100.200";
    static final List<String> RULES = List.of(
            "-p udp --dport 80:90 -j DNAT --to-destination " + DST + ":8000-8010/80",
            "-p udp --dport 20:30 -j DNAT --to-destination " + DST + ":9000-9006/100",
            "-p udp --dport 8003 -j DNAT --to-destination " + DST + ":8000-8010/8000");
    static final int[] PORTS = {80, 85, 90, 20, 25, 30, 8003};
    static final Pattern LINE = Pattern.compile("^udp +17 \\d+ src=\\S+ dst=\\S+ sport=\\d+ dport=(\\d+) \\[UNREPLIED] src=\\S+ dst=\\S+ sport=(\\d+) .*$");

    @Test
    void shiftedRangesMapPortsAsTheKernelDoes() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("conntrack");
        Tools.require("python3");
        TreeMap<Integer, Integer> kernel = new TreeMap<>();
        try (Netns ns = Netns.create("shift")) {
            ns.execIn("link add d0 type veth peer name d1\nlink set d0 up\nlink set d1 up\nlink set lo up\naddr add " + DST
                    + "/24 dev d0\n", "ip", "-batch", "-").checked();
            for (String r : RULES) {
                List<String> cmd = new ArrayList<>(List.of("iptables", "-t", "nat", "-A", "OUTPUT"));
                cmd.addAll(List.of(r.split(" ")));
                ns.exec(cmd.toArray(String[]::new)).checked();
            }
            StringBuilder ports = new StringBuilder();
            for (int p : PORTS) ports.append(ports.isEmpty() ? "" : ",").append(p);
            ns.exec("python3", "-c", """
                    import socket, sys
                    for p in sys.argv[1].split(","):
                        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", ("198.51.100.1", int(p))); s.close()
                    """, ports.toString()).checked();
            for (String l : ns.exec("conntrack", "-L", "-p", "udp").checked().stdout().lines().toList()) {
                Matcher m = LINE.matcher(l);
                if (m.matches()) kernel.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            }
        }
        StringBuilder rules = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n");
        for (String r : RULES) rules.append("-A OUTPUT ").append(r).append('\n');
        EngineRig rig = EngineRig.host("link add d0 type veth peer name d1\nlink set dev d0 up\nlink set dev d1 up\naddr add " + DST
                + "/24 dev d0\n").clock(0, EngineRig.MS)
                .rules(rules.append("COMMIT\n").toString());
        int sport = 41000;
        for (int p : PORTS) rig.send(Ipv4Repr.of(DST, "198.51.100.1").packet(UdpRepr.of(sport++, p).withPayload(new byte[] {'x'})));
        TreeMap<Integer, Integer> ours = new TreeMap<>();
        ConnTable ct = rig.engine().connections();
        for (int id = ct.nextConfirmed(0); id >= 0; id = ct.nextConfirmed(id + 1)) {
            Tuple orig = ct.tuple(id, ConnTable.ORIGINAL, new Tuple()), reply = ct.tuple(id, ConnTable.REPLY, new Tuple());
            ours.put(orig.dstPort, reply.srcPort);
        }
        System.out.println("kernel's dport -> DNAT port: " + kernel);
        assertEquals(PORTS.length, kernel.size(), kernel.toString());
        assertEquals(kernel, ours);
    }
}

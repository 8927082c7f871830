package jnat.rules;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A kube-proxy-sized nat table (thousands of services) restores, saves and walks. */
class LargeTableTest {
    static final int SERVICES = 2000;

    /** KUBE-SERVICES with one KUBE-SVC and two KUBE-SEP chains per service, in iptables-save order. */
    static String dump() {
        List<String> chains = new ArrayList<>();
        List<String> rules = new ArrayList<>();
        rules.add("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        chains.add("KUBE-MARK-MASQ");
        chains.add("KUBE-SERVICES");
        for (int i = 0; i < SERVICES; i++) {
            String svc = String.format("KUBE-SVC-%06d", i);
            chains.add(svc);
            String ip = "172.30." + (i / 250) + "." + (i % 250 + 1);
            rules.add("-A KUBE-SERVICES -d " + ip + "/32 -p tcp -m comment --comment \"ns/svc" + i
                    + ":p80 cluster IP\" -m tcp --dport 80 -j " + svc);
            for (int e = 0; e < 2; e++) {
                String sep = String.format("KUBE-SEP-%06d%d", i, e);
                chains.add(sep);
                String ep = "10." + (180 + e) + "." + (i / 250) + "." + (i % 250 + 1);
                rules.add("-A " + sep + " -s " + ep + "/32 -m comment --comment \"ns/svc" + i + ":p80\" -j KUBE-MARK-MASQ");
                rules.add("-A " + sep + " -p tcp -m comment --comment \"ns/svc" + i + ":p80\" -m tcp -j DNAT --to-destination "
                        + ep + ":8080");
                rules.add("-A " + svc + " -m comment --comment \"ns/svc" + i + ":p80 -> " + ep + ":8080\""
                        + (e == 0 ? " -m statistic --mode random --probability 0.50000000000" : "") + " -j " + sep);
            }
        }
        rules.add("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000");
        java.util.Collections.sort(chains);
        // rules in chain order: built-ins first, then user chains by name
        java.util.Map<String, List<String>> byChain = new java.util.HashMap<>();
        for (String r : rules) byChain.computeIfAbsent(r.split(" ")[1], k -> new ArrayList<>()).add(r);
        List<String> ordered = new ArrayList<>(byChain.get("PREROUTING"));
        for (String c : chains) ordered.addAll(byChain.getOrDefault(c, List.of()));
        StringBuilder sb = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n");
        for (String c : chains) sb.append(':').append(c).append(" - [0:0]\n");
        for (String r : ordered) sb.append("[0:0] ").append(r).append('\n');
        return sb.append("COMMIT\n").toString();
    }

    @Test
    void restoresAndSavesUnchangedAndTheLastServiceIsReached() {
        String dump = dump();
        Ruleset rs = Ruleset.parse(dump);
        String saved = rs.save(null, true, false);
        if (!dump.equals(saved)) {
            String[] a = dump.split("\n"), b = saved.split("\n");
            for (int i = 0; i < Math.min(a.length, b.length); i++) assertEquals(a[i], b[i], "line " + (i + 1));
            assertEquals(a.length, b.length);
        }
        FakePacket p = new FakePacket().from("10.99.0.1", 40000).to("172.30.7.250", 80);
        Target t = rs.existing("nat").traverse(Hook.PREROUTING, p);
        String s = t.toString();
        assertEquals(true, s.equals("DNAT --to-destination 10.180.7.250:8080") || s.equals("DNAT --to-destination 10.181.7.250:8080"), s);
    }
}

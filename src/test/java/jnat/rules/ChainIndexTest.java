package jnat.rules;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The indexed walk of long port-and-address runs finds what the linear walk finds. */
class ChainIndexTest {
    @AfterEach
    void indexOn() {
        ChainIndex.enabled = true;
    }

    /** A KUBE-SERVICES-like chain: services with duplicate keys, non-indexable rules between runs, jumps. */
    static String dump(long seed, int services) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n:SVC - [0:0]\n:A - [0:0]\n:B - [0:0]\n");
        b.append("-A PREROUTING -j SVC\n");
        for (int i = 0; i < services; i++) {
            int kind = r.nextInt(10);
            String proto = r.nextBoolean() ? "tcp" : "udp";
            String dst = "10.0.0." + r.nextInt(8);
            int port = 80 + r.nextInt(3);
            String target = switch (r.nextInt(3)) {
                case 0 -> "-j A";
                case 1 -> "-j B";
                default -> "-j DNAT --to-destination 172.17.0." + (2 + i % 200) + ":8080";
            };
            if (kind == 0) b.append("-A SVC -s 10.1.0.0/16 -j MARK --set-xmark 0x1/0x1\n"); // breaks the run
            else if (kind == 1) b.append("-A SVC -d ").append(dst).append("/32 -p ").append(proto).append(" -m ").append(proto)
                    .append(" --dport ").append(port).append(" -m comment --comment \"svc ").append(i).append("\" ").append(target).append('\n');
            else b.append("-A SVC -d ").append(dst).append("/32 -p ").append(proto).append(" -m comment --comment \"svc ")
                    .append(i).append("\" -m ").append(proto).append(" --dport ").append(port).append(' ').append(target).append('\n');
        }
        b.append("-A A -p tcp -m tcp --dport 81 -j RETURN\n-A A -j MARK --set-xmark 0x2/0x2\n");
        b.append("-A B -j RETURN\n");
        return b.append("COMMIT\n").toString();
    }

    static List<String> walk(Table t, List<FakePacket> packets) {
        List<String> out = new ArrayList<>();
        for (FakePacket p : packets) {
            Target v = t.traverse(Hook.PREROUTING, p);
            StringBuilder s = new StringBuilder(v.name());
            v.print(s, true);
            out.add(s.append(" mark=").append(p.mark).toString());
        }
        for (Chain c : t.chains()) {
            for (Rule r : c.rules()) out.add(c.name() + " " + r.packets + "/" + r.bytes);
            out.add(c.name() + " policy " + c.policyPackets);
        }
        return out;
    }

    @Property(tries = 200)
    void indexedWalkEqualsLinearWalkInVerdictsMarksAndCounters(@ForAll long seed,
            @ForAll @IntRange(min = 16, max = 80) int services,
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 1023) Integer> packets) {
        String d = dump(seed, services);
        List<FakePacket> ps1 = new ArrayList<>(), ps2 = new ArrayList<>();
        for (int code : packets) {
            for (List<FakePacket> ps : List.of(ps1, ps2)) {
                FakePacket p = new FakePacket().from("10.1.2." + (code & 1), 40000).to("10.0.0." + ((code >> 1) & 7), 80 + ((code >> 4) % 4));
                p.proto = (code & 0x40) != 0 ? 17 : (code & 0x80) != 0 ? 1 : 6;
                p.fragment = (code & 0x300) == 0x300;
                ps.add(p);
            }
        }
        ChainIndex.enabled = false;
        List<String> linear = walk(Ruleset.parse(d).existing("nat"), ps1);
        ChainIndex.enabled = true;
        List<String> indexed = walk(Ruleset.parse(d).existing("nat"), ps2);
        assertEquals(linear, indexed);
    }

    @Test
    void kubeServicesChainIsIndexedAndAShortChainIsNot() {
        Table t = Ruleset.parse(dump(1, 40).replaceAll("-A SVC -s 10.1.0.0/16 -j MARK --set-xmark 0x1/0x1\n", "")).existing("nat");
        assertNotNull(t.chain("SVC").index());
        assertNull(t.chain("A").index());
    }

    @Test
    void indexFollowsChangesToTheChain() {
        Ruleset rs = Ruleset.parse(dump(2, 30));
        Table t = rs.existing("nat");
        FakePacket p = new FakePacket().from("10.1.2.1", 40000).to("10.0.0.99", 9999);
        assertEquals("ACCEPT", t.traverse(Hook.PREROUTING, p).name());
        Iptables.run(rs, List.of("-t", "nat", "-I", "SVC", "5", "-d", "10.0.0.99/32", "-p", "tcp", "-m", "tcp",
                "--dport", "9999", "-j", "DNAT", "--to-destination", "172.17.0.99"));
        assertEquals("DNAT", t.traverse(Hook.PREROUTING, new FakePacket().from("10.1.2.1", 40000).to("10.0.0.99", 9999)).name());
    }
}

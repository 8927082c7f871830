package jnat.rules;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two lanes (PacketContext.cpu 0 and 1) walk one compiled table at once, as two CPUs run
 * ipt_do_table on one xt_table_info: Docker's filter FORWARD chain, its jumps to DOCKER-USER,
 * DOCKER-ISOLATION-STAGE-1/2 (two deep) and DOCKER, and their RETURNs. Every verdict is the one the
 * rules give and every counter is the exact sum of both lanes' packets (a shared jump stack sends a
 * walk back to the other lane's return point, shared counters lose increments).
 */
class XtTableInfoPerCpuTest {
    static final int PACKETS = 200_000;

    /**
     * The five packets each lane sends, in turn: what they are, their verdict, and the rules they
     * hit ("FORWARD 1" is FORWARD's first rule, "FORWARD policy" its policy), from the rules of
     * docker-filter.rules.
     */
    record Kind(FakePacket packet, Target verdict, List<String> hits) {}

    static List<Kind> kinds(int cpu) {
        List<String> common = List.of("FORWARD 1", "DOCKER-USER 1", "FORWARD 2");
        return List.of(
                // eth0 -> docker0, established: the conntrack rule accepts it
                new Kind(packet(cpu, "eth0", "docker0", "198.51.100.7", 40000, "172.17.0.2", 8000, PacketContext.CT_ESTABLISHED, 60),
                        Target.ACCEPT, cat(common, "DOCKER-ISOLATION-STAGE-1 2", "FORWARD 3")),
                // eth0 -> docker0, new, to the published port: DOCKER accepts it
                new Kind(packet(cpu, "eth0", "docker0", "198.51.100.7", 40001, "172.17.0.2", 8000, PacketContext.CT_NEW, 70),
                        Target.ACCEPT, cat(common, "DOCKER-ISOLATION-STAGE-1 2", "FORWARD 4", "DOCKER 1")),
                // eth0 -> docker0, new, to another port: back from DOCKER, nothing takes it, the policy drops it
                new Kind(packet(cpu, "eth0", "docker0", "198.51.100.7", 40002, "172.17.0.2", 22, PacketContext.CT_NEW, 80),
                        Target.DROP, cat(common, "DOCKER-ISOLATION-STAGE-1 2", "FORWARD 4", "FORWARD policy")),
                // docker0 -> eth0, new: through both isolation stages (two return points) and out
                new Kind(packet(cpu, "docker0", "eth0", "172.17.0.2", 40003, "198.51.100.7", 443, PacketContext.CT_NEW, 90),
                        Target.ACCEPT, cat(common, "DOCKER-ISOLATION-STAGE-1 1", "DOCKER-ISOLATION-STAGE-2 2",
                                "DOCKER-ISOLATION-STAGE-1 2", "FORWARD 5")),
                // docker0 -> docker0, new: DOCKER's rule wants another input device, the bridge rule accepts it
                new Kind(packet(cpu, "docker0", "docker0", "172.17.0.3", 40004, "172.17.0.2", 22, PacketContext.CT_NEW, 100),
                        Target.ACCEPT, cat(common, "DOCKER-ISOLATION-STAGE-1 2", "FORWARD 4", "FORWARD 6")));
    }

    private static FakePacket packet(int cpu, String in, String out, String src, int sport, String dst, int dport, int state, int length) {
        FakePacket p = new FakePacket().from(src, sport).to(dst, dport);
        p.in = in;
        p.out = out;
        p.ctState = state;
        p.tcpFlags = state == PacketContext.CT_NEW ? 0x02 : 0x10;
        p.length = length;
        p.cpu = cpu;
        return p;
    }

    private static List<String> cat(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }

    static Ruleset dockerFilter() throws IOException {
        try (InputStream in = XtTableInfoPerCpuTest.class.getResourceAsStream("/filter/docker-filter.rules")) {
            return Ruleset.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Both lanes walk {@code t} PACKETS times each, starting together; returns the wrong verdicts each saw. */
    private static int[] walkOnTwoLanes(Table t) throws Exception {
        int[] wrong = new int[2];
        CyclicBarrier start = new CyclicBarrier(2);
        Thread[] lanes = new Thread[2];
        Throwable[] failed = new Throwable[2];
        for (int cpu = 0; cpu < 2; cpu++) {
            int lane = cpu;
            List<Kind> kinds = kinds(lane);
            lanes[cpu] = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < PACKETS; i++) {
                        Kind k = kinds.get((i + 2 * lane) % kinds.size());
                        if (t.traverse(Hook.FORWARD, k.packet) != k.verdict) wrong[lane]++;
                    }
                } catch (Throwable e) {
                    failed[lane] = e;
                }
            });
            lanes[cpu].start();
        }
        for (Thread l : lanes) l.join();
        for (Throwable e : failed) if (e != null) throw new AssertionError("a lane failed", e);
        return wrong;
    }

    /** Every rule's and policy's counters as "CHAIN n packets/bytes", expected from the hit lists. */
    private static Map<String, String> expected(Table t) {
        Map<String, long[]> sums = new java.util.TreeMap<>();
        for (Chain c : t.chains()) {
            for (int i = 1; i <= c.size(); i++) sums.put(c.name() + " " + i, new long[2]);
            if (c.builtin()) sums.put(c.name() + " policy", new long[2]);
        }
        for (int cpu = 0; cpu < 2; cpu++) {
            List<Kind> kinds = kinds(cpu);
            for (int k = 0; k < kinds.size(); k++) {
                long n = PACKETS / kinds.size(); // PACKETS is a multiple of the kinds
                for (String h : kinds.get(k).hits) {
                    long[] s = sums.get(h);
                    s[0] += n;
                    s[1] += n * kinds.get(k).packet.length;
                }
            }
        }
        Map<String, String> out = new java.util.TreeMap<>();
        sums.forEach((k, s) -> out.put(k, s[0] + "/" + s[1]));
        return out;
    }

    private static Map<String, String> counted(Table t) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Chain c : t.chains()) {
            for (int i = 1; i <= c.size(); i++) out.put(c.name() + " " + i, c.rule(i - 1).packets + "/" + c.rule(i - 1).bytes);
            if (c.builtin()) out.put(c.name() + " policy", c.policyPackets + "/" + c.policyBytes);
        }
        return out;
    }

    @Test
    void twoLanesWalkingDockersForwardChainAtOnceGetEveryVerdictAndCountEveryPacket() throws Exception {
        Ruleset rs = dockerFilter();
        rs.setCpus(2);
        Table t = rs.existing("filter");
        int[] wrong = walkOnTwoLanes(t);
        assertEquals("0 0", wrong[0] + " " + wrong[1], "wrong verdicts on lanes 0 and 1");
        assertEquals(expected(t), counted(t));
    }

    @Test
    void twoLanesFindingNoCompiledFormBuildOneAndCountEveryPacket() throws Exception {
        Ruleset rs = dockerFilter();
        rs.setCpus(2);
        Table t = rs.existing("filter");
        t.changed(); // dropped, as by a change through no command: the first walkers build it
        int[] wrong = walkOnTwoLanes(t);
        assertEquals("0 0", wrong[0] + " " + wrong[1], "wrong verdicts on lanes 0 and 1");
        assertEquals(expected(t), counted(t));
    }

    @Test
    void listingAndSaveSumTheLanesAndZeroingClearsThemAll() throws Exception {
        Ruleset rs = dockerFilter();
        rs.setCpus(2);
        Table t = rs.existing("filter");
        t.traverse(Hook.FORWARD, kinds(0).get(0).packet);
        t.traverse(Hook.FORWARD, kinds(1).get(0).packet);
        t.traverse(Hook.FORWARD, kinds(1).get(2).packet);
        String list = Iptables.run(rs, List.of("-L", "FORWARD", "-v", "-n", "-x")).output();
        assertEquals("Chain FORWARD (policy DROP 1 packets, 80 bytes)", list.lines().findFirst().orElseThrow());
        assertEquals("[3:200] -A FORWARD -j DOCKER-USER", rs.save("filter", true, false).lines()
                .filter(l -> l.endsWith("-j DOCKER-USER")).findFirst().orElseThrow());
        Iptables.run(rs, List.of("-Z"));
        assertEquals(List.of("0/0"), counted(t).values().stream().distinct().toList());
        t.traverse(Hook.FORWARD, kinds(1).get(0).packet);
        assertEquals("1/60", counted(t).get("FORWARD 3"));
    }

    @Test
    void aRulesetsLanesReachTablesAddedLaterAndItsCopies() {
        Ruleset rs = new Ruleset();
        rs.setCpus(4);
        Iptables.run(rs, List.of("-t", "nat", "-A", "POSTROUTING", "-j", "MASQUERADE"));
        Restore.apply(rs, "*mangle\n-A PREROUTING -j MARK --set-mark 1\nCOMMIT\n", false, false);
        assertEquals(4, rs.existing("nat").cpus());
        assertEquals(4, rs.existing("mangle").cpus());
        assertEquals(4, rs.copy().existing("nat").cpus());
        FakePacket p = new FakePacket();
        p.cpu = 3;
        rs.existing("mangle").traverse(Hook.PREROUTING, p);
        assertEquals(1, rs.existing("mangle").chain("PREROUTING").rule(0).packets);
    }
}

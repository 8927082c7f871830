package jnat.rules;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Table.traverse walks chains as ipt_do_table does. */
class TraversalTest {
    private static Table table(String... commands) {
        Ruleset rs = new Ruleset();
        for (String c : commands) {
            if (c.startsWith("-P ")) { // iptables refuses -P DROP in nat; iptables-restore takes it
                String[] f = c.split(" ");
                Restore.apply(rs, "*nat\n:" + f[1] + " " + f[2] + " [0:0]\nCOMMIT\n", true, false);
                continue;
            }
            List<String> argv = new java.util.ArrayList<>(List.of("-t", "nat"));
            argv.addAll(Restore.tokenize(c));
            Iptables.run(rs, argv);
        }
        return rs.existing("nat");
    }

    private static Rule rule(Table t, String chain, int n) {
        return t.chain(chain).rule(n - 1);
    }

    @Test
    void noMatchingRuleFallsToThePolicyAndCountsIt() {
        Table t = table("-A PREROUTING -p udp -j RETURN");
        FakePacket p = new FakePacket().from("198.51.100.7", 1234).to("203.0.113.1", 80);
        assertSame(Target.ACCEPT, t.traverse(Hook.PREROUTING, p));
        assertEquals(1, t.chain("PREROUTING").policyPackets);
        assertEquals(60, t.chain("PREROUTING").policyBytes);
        assertEquals(0, rule(t, "PREROUTING", 1).packets);
    }

    @Test
    void dropPolicyIsTheVerdict() {
        Table t = table("-P OUTPUT DROP");
        assertSame(Target.DROP, t.traverse(Hook.OUTPUT, new FakePacket()));
    }

    @Test
    void jumpRuleAndNatRuleBothCountThePacketAndTheNatTargetIsReturned() {
        Table t = table("-N DOCKER", "-A PREROUTING -j DOCKER",
                "-A DOCKER ! -i docker0 -p tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000");
        FakePacket p = new FakePacket().from("198.51.100.7", 40000).to("203.0.113.1", 10000);
        p.in = "eth0";
        p.length = 74;
        Target v = t.traverse(Hook.PREROUTING, p);
        NatTarget nat = (NatTarget) v;
        assertEquals(NatTarget.Kind.DNAT, nat.kind);
        assertEquals(NatRange.MAP_IPS | NatRange.PROTO_SPECIFIED, nat.range.flags);
        assertEquals(FakePacket.ip("172.17.0.2"), nat.range.minAddr);
        assertEquals(FakePacket.ip("172.17.0.2"), nat.range.maxAddr);
        assertEquals(8000, nat.range.minPort);
        assertEquals(8000, nat.range.maxPort);
        assertEquals(1, rule(t, "PREROUTING", 1).packets);
        assertEquals(74, rule(t, "PREROUTING", 1).bytes);
        assertEquals(1, rule(t, "DOCKER", 1).packets);
        assertEquals(0, t.chain("PREROUTING").policyPackets);
    }

    @Test
    void returnInAUserChainResumesAfterTheJump() {
        Table t = table("-N U", "-A PREROUTING -j U", "-A PREROUTING -p tcp -j REDIRECT --to-ports 3128",
                "-A U -j RETURN", "-A U -j REDIRECT");
        Target v = t.traverse(Hook.PREROUTING, new FakePacket());
        assertEquals(NatRange.PROTO_SPECIFIED, ((NatTarget) v).range.flags);
        assertEquals(3128, ((NatTarget) v).range.minPort);
        assertEquals(1, rule(t, "U", 1).packets);
        assertEquals(0, rule(t, "U", 2).packets);
    }

    @Test
    void endOfAUserChainResumesAfterTheJump() {
        Table t = table("-N U", "-A PREROUTING -j U", "-A PREROUTING -j REDIRECT", "-A U -p udp -j REDIRECT --to-ports 1");
        assertEquals(NatTarget.Kind.REDIRECT, ((NatTarget) t.traverse(Hook.PREROUTING, new FakePacket())).kind);
        assertEquals(1, rule(t, "PREROUTING", 2).packets);
    }

    @Test
    void returnFromAGotoChainGoesBackToTheCallerOfTheCaller() {
        Table t = table("-N U", "-N G", "-A PREROUTING -j U", "-A PREROUTING -j REDIRECT",
                "-A U -g G", "-A U -j NETMAP --to 10.0.0.0/8", "-A G -j RETURN");
        Target v = t.traverse(Hook.PREROUTING, new FakePacket());
        assertEquals(NatTarget.Kind.REDIRECT, ((NatTarget) v).kind);
        assertEquals(0, rule(t, "U", 2).packets);
    }

    @Test
    void gotoFromABuiltinChainEndsInItsPolicy() {
        Table t = table("-N G", "-A PREROUTING -g G", "-A PREROUTING -j REDIRECT", "-A G -j RETURN");
        assertSame(Target.ACCEPT, t.traverse(Hook.PREROUTING, new FakePacket()));
        assertEquals(1, t.chain("PREROUTING").policyPackets);
        assertEquals(0, rule(t, "PREROUTING", 2).packets);
    }

    @Test
    void returnInABuiltinChainAppliesAndCountsThePolicy() {
        Table t = table("-P OUTPUT DROP", "-A OUTPUT -j RETURN", "-A OUTPUT -j REDIRECT");
        assertSame(Target.DROP, t.traverse(Hook.OUTPUT, new FakePacket()));
        assertEquals(1, t.chain("OUTPUT").policyPackets);
    }

    @Test
    void markAndLogAreNotTerminalAndLaterRulesSeeTheMark() {
        Table t = table("-A POSTROUTING -j LOG", "-A POSTROUTING -j MARK --or-mark 0x4000",
                "-A POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE");
        FakePacket p = new FakePacket();
        p.mark = 0x1;
        assertEquals(NatTarget.Kind.MASQUERADE, ((NatTarget) t.traverse(Hook.POSTROUTING, p)).kind);
        assertEquals(0x4001, p.mark);
        assertEquals(1, rule(t, "POSTROUTING", 1).packets);
    }

    @Test
    void markTargetsComputeAsTheKernel() {
        FakePacket p = new FakePacket();
        String[][] ops = {{"--set-mark 0x5", "5"}, {"--set-xmark 0x5/0xf0", "a"}, {"--or-mark 0x100", "1ff"},
            {"--and-mark 0x0f", "f"}, {"--xor-mark 0x1", "fe"}, {"--set-mark 0x1/0x3", "fd"}};
        for (String[] op : ops) {
            Table t = table("-A PREROUTING -j MARK " + op[0]);
            p.mark = 0xff;
            t.traverse(Hook.PREROUTING, p);
            assertEquals(Integer.parseInt(op[1], 16), p.mark, op[0]);
        }
    }

    @Test
    void ruleWithoutTargetCountsAndContinues() {
        Table t = table("-A PREROUTING -p tcp", "-A PREROUTING -j REDIRECT");
        t.traverse(Hook.PREROUTING, new FakePacket());
        assertEquals(1, rule(t, "PREROUTING", 1).packets);
        assertEquals(1, rule(t, "PREROUTING", 2).packets);
    }

    @Test
    void nthStatisticMatchesEveryNthPacketFromTheGivenOne() {
        Table t = table("-A PREROUTING -m statistic --mode nth --every 3 --packet 0 -j REDIRECT");
        StringBuilder hits = new StringBuilder();
        for (int i = 0; i < 7; i++) hits.append(t.traverse(Hook.PREROUTING, new FakePacket()) instanceof NatTarget ? 'x' : '.');
        // libxt_statistic starts the counter at every-1-packet, so --packet 0 is the first packet (checked
        // against the kernel by the conformance harness)
        assertEquals("x..x..x", hits.toString());
        Table u = table("-A PREROUTING -m statistic --mode nth --every 3 --packet 1 -j REDIRECT");
        hits.setLength(0);
        for (int i = 0; i < 7; i++) hits.append(u.traverse(Hook.PREROUTING, new FakePacket()) instanceof NatTarget ? 'x' : '.');
        assertEquals(".x..x..", hits.toString());
    }

    @Test
    void randomStatisticFollowsItsProbabilityWithASeededSource() {
        Table t = table("-A PREROUTING -m statistic --mode random --probability 0.25 -j REDIRECT");
        t.setRandom(new SplittableRandom(42));
        int hits = 0;
        for (int i = 0; i < 40000; i++) if (t.traverse(Hook.PREROUTING, new FakePacket()) instanceof NatTarget) hits++;
        assertTrue(hits > 9400 && hits < 10600, "hits " + hits);
        Table zero = table("-A PREROUTING -m statistic --mode random --probability 0 -j REDIRECT");
        for (int i = 0; i < 1000; i++) assertSame(Target.ACCEPT, zero.traverse(Hook.PREROUTING, new FakePacket()));
    }

    /** xt_statistic compares u32s: --probability 1 (0x80000000) takes every packet (found by the per-module scenarios). */
    @Test
    void randomStatisticWithProbabilityOneTakesEveryPacket() {
        Table t = table("-A PREROUTING -m statistic --mode random --probability 1.0 -j REDIRECT");
        t.setRandom(new SplittableRandom(7));
        for (int i = 0; i < 1000; i++) assertTrue(t.traverse(Hook.PREROUTING, new FakePacket()) instanceof NatTarget);
        Table inverted = table("-A PREROUTING -m statistic --mode random ! --probability 1 -j REDIRECT");
        inverted.setRandom(new SplittableRandom(7));
        for (int i = 0; i < 1000; i++) assertSame(Target.ACCEPT, inverted.traverse(Hook.PREROUTING, new FakePacket()));
    }

    @Test
    void seedDockerRulesDnatThePublishedPortAndMasqueradeTheContainer() {
        Ruleset rs = Ruleset.parse(Dumps.rules("docker-default-bridge"));
        Table t = rs.existing("nat");
        FakePacket in = new FakePacket().from("198.51.100.7", 60677).to("203.0.113.10", 10000);
        in.in = "eth0";
        in.local = new int[] {FakePacket.ip("203.0.113.10"), FakePacket.ip("172.17.0.1")};
        long before = rule(t, "DOCKER", 2).packets;
        NatTarget dnat = (NatTarget) t.traverse(Hook.PREROUTING, in);
        assertEquals("DNAT --to-destination 172.17.0.2:8000", dnat.toString());
        assertEquals(before + 1, rule(t, "DOCKER", 2).packets);

        FakePacket fromContainer = new FakePacket().from("172.17.0.2", 8000).to("198.51.100.7", 60677);
        fromContainer.in = "docker0";
        fromContainer.local = in.local;
        assertSame(Target.ACCEPT, t.traverse(Hook.PREROUTING, fromContainer)); // DOCKER -i docker0 -j RETURN, policy

        FakePacket ping = new FakePacket().from("172.17.0.2", 0).to("8.8.8.8", 0);
        ping.proto = 1;
        ping.out = "eth0";
        ping.local = in.local;
        assertEquals(NatTarget.Kind.MASQUERADE, ((NatTarget) t.traverse(Hook.POSTROUTING, ping)).kind);

        FakePacket hairpin = new FakePacket().from("172.17.0.2", 5555).to("172.17.0.2", 8000);
        hairpin.out = "docker0";
        hairpin.local = in.local;
        assertEquals(NatTarget.Kind.MASQUERADE, ((NatTarget) t.traverse(Hook.POSTROUTING, hairpin)).kind);
        assertEquals(2, rule(t, "POSTROUTING", 3).packets); // hairpin rule: 1 from the dump, 1 now
    }

    @Test
    void kubeProxyRulesDnatAClusterIpAndMarkHairpinTrafficForMasquerade() {
        Table t = Ruleset.parse(Dumps.rules("kube-proxy")).existing("nat");
        FakePacket p = new FakePacket().from("10.180.0.1", 33000).to("172.30.0.41", 80);
        p.in = "cni0";
        assertEquals("DNAT --to-destination 10.180.0.1:80", t.traverse(Hook.PREROUTING, p).toString());
        assertEquals(0x4000, p.mark); // KUBE-SEP-...: -s 10.180.0.1 -j KUBE-MARK-MASQ
        p.dst = FakePacket.ip("10.180.0.1");
        p.out = "cni0";
        p.in = "";
        Target post = t.traverse(Hook.POSTROUTING, p);
        assertEquals("MASQUERADE --random-fully", post.toString());
        assertEquals(0, p.mark); // KUBE-POSTROUTING -j MARK --xor-mark 0x4000

        FakePacket other = new FakePacket().from("10.180.0.2", 33000).to("172.30.0.41", 80);
        assertEquals("DNAT --to-destination 10.180.0.1:80", t.traverse(Hook.PREROUTING, other).toString());
        assertEquals(0, other.mark);
        assertSame(Target.ACCEPT, t.traverse(Hook.POSTROUTING, other)); // KUBE-POSTROUTING RETURN, policy
    }

    @Test
    void traversalAllocatesNothing() {
        Table t = Ruleset.parse(Dumps.rules("kube-proxy")).existing("nat");
        FakePacket p = new FakePacket().from("10.180.0.1", 33000).to("172.30.0.44", 80);
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20000; i++) t.traverse(Hook.PREROUTING, p);
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20000; i++) {
            p.mark = 0;
            t.traverse(Hook.PREROUTING, p);
            t.traverse(Hook.POSTROUTING, p);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4096, allocated + " bytes allocated by 40000 traversals");
    }
}

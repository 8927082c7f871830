package jnat.rules;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compiled walk (XtTableInfo) gives what the walk of the Rule objects gives: verdicts, marks, counters, listings. */
class XtTableInfoTest {
    @AfterEach
    void compiledOn() {
        XtTableInfo.enabled = true;
    }

    private static final String[] CHAINS = {"FORWARD", "C1", "C2", "C3"};

    /** A random rule of chain k: header fields, inlined and called matches, every kind of verdict. */
    static String rule(Random r, int k, boolean ipv6) {
        StringBuilder b = new StringBuilder("-A ").append(CHAINS[k]);
        if (r.nextInt(3) == 0) b.append(r.nextBoolean() ? " ! -s " : " -s ").append(ipv6 ? "2001:db8::" + r.nextInt(4) + "/127" : "10.0.0." + r.nextInt(4) + "/31");
        if (r.nextInt(3) == 0) b.append(r.nextBoolean() ? " ! -d " : " -d ").append(ipv6 ? "2001:db8:1::" + r.nextInt(4) : "10.1.0." + r.nextInt(4));
        if (r.nextInt(4) == 0) b.append(r.nextBoolean() ? " ! -i " : " -i ").append(r.nextBoolean() ? "eth0" : "eth+");
        if (r.nextInt(4) == 0) b.append(r.nextBoolean() ? " ! -o " : " -o ").append(r.nextBoolean() ? "eth1" : "docker0");
        String proto = switch (r.nextInt(4)) {
            case 0 -> "tcp";
            case 1 -> "udp";
            default -> null;
        };
        if (proto != null) b.append(" -p ").append(proto);
        else if (r.nextInt(5) == 0) b.append(" ! -p tcp");
        if (!ipv6 && r.nextInt(8) == 0) b.append(r.nextBoolean() ? " -f" : " ! -f");
        int matches = r.nextInt(4);
        for (int m = 0; m < matches; m++) {
            switch (r.nextInt(8)) {
                case 0 -> {
                    if (proto == null) continue;
                    b.append(" -m ").append(proto).append(r.nextBoolean() ? " --dport " : " ! --dport ").append(80 + r.nextInt(3));
                    if (r.nextBoolean()) b.append(" --sport 1000:").append(1000 + r.nextInt(3));
                    if (proto.equals("tcp") && r.nextBoolean()) b.append(r.nextBoolean() ? " --syn" : " ! --tcp-flags SYN,ACK ACK");
                }
                case 1 -> b.append(" -m mark").append(r.nextBoolean() ? " ! --mark " : " --mark ").append(r.nextInt(4)).append("/0x3");
                case 2 -> b.append(" -m conntrack").append(r.nextBoolean() ? " ! --ctstate " : " --ctstate ")
                        .append(r.nextBoolean() ? "NEW" : "RELATED,ESTABLISHED").append(r.nextInt(3) == 0 ? ",INVALID" : "");
                case 3 -> b.append(" -m conntrack --ctstate NEW --ctdir ORIGINAL");
                case 4 -> {
                    if (proto == null) continue;
                    b.append(" -m multiport --dports 81,").append(82 + r.nextInt(2));
                }
                case 5 -> b.append(" -m comment --comment \"c").append(r.nextInt(9)).append('"');
                case 6 -> b.append(" -m statistic --mode nth --every ").append(2 + r.nextInt(3));
                default -> b.append(" -m state --state ESTABLISHED");
            }
        }
        int v = r.nextInt(8);
        if (v == 0) b.append(" -j ACCEPT");
        else if (v == 1) b.append(" -j DROP");
        else if (v == 2) b.append(" -j RETURN");
        else if (v == 3) b.append(" -j MARK --set-xmark 0x").append(1 + r.nextInt(3)).append("/0x3");
        else if (v <= 6 && k < 3) b.append(r.nextBoolean() ? " -j " : " -g ").append(CHAINS[k + 1 + r.nextInt(3 - k)]);
        return b.toString();
    }

    /** A ruleset of random rules, the ones iptables refuses left out, with a run long enough for the chain index. */
    static Ruleset ruleset(long seed, int rules, boolean ipv6) {
        Random r = new Random(seed);
        Ruleset rs = new Ruleset(ipv6);
        for (int k = 1; k < CHAINS.length; k++) Iptables.run(rs, List.of("-N", CHAINS[k]));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rules; i++) lines.add(rule(r, r.nextInt(CHAINS.length), ipv6));
        if (!ipv6 && r.nextBoolean()) {
            int at = r.nextInt(lines.size() + 1);
            for (int i = 0; i < 20; i++) {
                lines.add(at, "-A C1 -d 10.1.0." + r.nextInt(4) + "/32 -p tcp -m comment --comment svc -m tcp --dport "
                        + (80 + r.nextInt(3)) + (r.nextBoolean() ? " -j C2" : " -j ACCEPT"));
            }
        }
        for (String line : lines) {
            try {
                Iptables.run(rs, Restore.tokenize(line));
            } catch (RuleError e) {
                // a combination iptables refuses: not part of this ruleset
            }
        }
        return rs;
    }

    static PacketContext packet(int code, boolean ipv6) {
        String[] ins = {"eth0", "eth1", "docker0", ""};
        int[] states = {PacketContext.CT_NEW, PacketContext.CT_ESTABLISHED, PacketContext.CT_RELATED, PacketContext.CT_INVALID,
            PacketContext.CT_UNTRACKED};
        int proto = (code & 3) == 0 ? 6 : (code & 3) == 1 ? 17 : 1;
        int sport = 1000 + (code >> 2 & 3), dport = 80 + (code >> 4 & 3);
        int tcpFlags = (code & 0x40) != 0 ? 0x02 : 0x10;
        if (ipv6) {
            FakePacket6 p = FakePacket6.of("2001:db8::" + (code >> 7 & 3), "2001:db8:1::" + (code >> 9 & 3));
            p.upper(proto, sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, tcpFlags, 0, 0, 0, 0, 0, 0);
            p.in = ins[code >> 11 & 3];
            p.out = ins[code >> 13 & 3];
            p.mark = code >> 15 & 3;
            p.ctState = states[(code >>> 17) % 5];
            return p;
        }
        FakePacket p = new FakePacket().from("10.0.0." + (code >> 7 & 3), sport).to("10.1.0." + (code >> 9 & 3), dport);
        p.proto = proto;
        p.tcpFlags = tcpFlags;
        p.in = ins[code >> 11 & 3];
        p.out = ins[code >> 13 & 3];
        p.mark = code >> 15 & 3;
        p.ctState = states[(code >>> 17) % 5];
        p.fragment = (code >>> 20 & 7) == 0;
        return p;
    }

    /** Each packet's verdict and mark, then the table as iptables -nvxL and iptables-save -c show it. */
    static List<String> walk(Ruleset rs, int[] codes, boolean ipv6) {
        Table t = rs.existing("filter");
        List<String> out = new ArrayList<>();
        for (int code : codes) {
            PacketContext p = packet(code, ipv6);
            Target v = t.traverse(Hook.FORWARD, p);
            out.add(v.name() + " mark=" + p.mark());
        }
        out.add(Iptables.run(rs, List.of("-t", "filter", "-nvxL")).output());
        out.add(rs.save("filter", true, false));
        return out;
    }

    private static void assertSameWalks(long seed, int rules, int packetSeed, boolean ipv6) {
        int[] codes = new Random(packetSeed).ints(200, 0, 1 << 23).toArray();
        XtTableInfo.enabled = false;
        List<String> objects = walk(ruleset(seed, rules, ipv6), codes, ipv6);
        XtTableInfo.enabled = true;
        List<String> compiled = walk(ruleset(seed, rules, ipv6), codes, ipv6);
        assertEquals(objects, compiled);
    }

    @Property(tries = 300)
    void compiledWalkEqualsTheRuleWalkInVerdictsMarksAndCounters(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 60) int rules, @ForAll int packetSeed) {
        assertSameWalks(seed, rules, packetSeed, false);
    }

    @Property(tries = 200)
    void compiledIpv6WalkEqualsTheRuleWalk(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int rules,
            @ForAll int packetSeed) {
        assertSameWalks(seed, rules, packetSeed, true);
    }

    private static Ruleset forwardRules(String... rules) {
        Ruleset rs = new Ruleset();
        for (String r : rules) Iptables.run(rs, Restore.tokenize(r));
        return rs;
    }

    private static String counts(Ruleset rs) {
        return rs.save("filter", true, false).lines().filter(l -> l.startsWith("[")).toList().toString();
    }

    @Test
    void countersCountedInTheCompiledFormSurviveAChangeToTheTable() {
        Ruleset rs = forwardRules("-A FORWARD -p tcp -j ACCEPT");
        Table t = rs.existing("filter");
        for (int i = 0; i < 3; i++) t.traverse(Hook.FORWARD, new FakePacket().from("10.0.0.1", 1000).to("10.1.0.1", 80));
        Iptables.run(rs, Restore.tokenize("-I FORWARD -p udp -j DROP"));
        t.traverse(Hook.FORWARD, new FakePacket().from("10.0.0.1", 1000).to("10.1.0.1", 80));
        assertEquals("[[0:0] -A FORWARD -p udp -j DROP, [4:240] -A FORWARD -p tcp -j ACCEPT]", counts(rs));
    }

    @Test
    void zeroingClearsTheCompiledCounters() {
        Ruleset rs = forwardRules("-A FORWARD -p tcp -j ACCEPT", "-A FORWARD -j DROP");
        Table t = rs.existing("filter");
        t.traverse(Hook.FORWARD, new FakePacket().from("10.0.0.1", 1000).to("10.1.0.1", 80));
        Iptables.run(rs, List.of("-Z", "FORWARD", "1"));
        FakePacket udp = new FakePacket().from("10.0.0.1", 1000).to("10.1.0.1", 53);
        udp.proto = 17;
        t.traverse(Hook.FORWARD, udp);
        assertEquals("[[0:0] -A FORWARD -p tcp -j ACCEPT, [1:60] -A FORWARD -j DROP]", counts(rs));
        Iptables.run(rs, List.of("-Z"));
        t.traverse(Hook.FORWARD, new FakePacket().from("10.0.0.1", 1000).to("10.1.0.1", 80));
        assertEquals("[[1:60] -A FORWARD -p tcp -j ACCEPT, [0:0] -A FORWARD -j DROP]", counts(rs));
    }

    @Test
    void aRestoredTableIsWalkedAsRestoredAndKeepsItsCounters() {
        Ruleset rs = Ruleset.parse("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + "[5:300] -A FORWARD -p tcp -j ACCEPT\nCOMMIT\n");
        Table t = rs.existing("filter");
        assertEquals(Target.ACCEPT, t.traverse(Hook.FORWARD, new FakePacket().from("10.0.0.1", 1000).to("10.1.0.1", 80)));
        assertEquals("[[6:360] -A FORWARD -p tcp -j ACCEPT]", counts(rs));
        Restore.apply(rs, "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p udp -j ACCEPT\nCOMMIT\n", false, false);
        Table t2 = rs.existing("filter");
        assertEquals(Target.DROP, t2.traverse(Hook.FORWARD, new FakePacket().from("10.0.0.1", 1000).to("10.1.0.1", 80)));
    }

    @Test
    void aNewConnectionsWalkOfTenThousandKubeProxyServicesAllocatesNothing() {
        Table t = Ruleset.parse(jnat.bench.KubeProxyRules.generate(10_000)).existing("nat");
        FakePacket[] ps = new FakePacket[1000];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = new FakePacket().from("172.17.0.2", 40000 + i).to(jnat.wire.Ipv4Address.format(jnat.bench.KubeProxyRules.clusterIp(i * 7)), 80);
        }
        for (int round = 0; round < 20; round++) for (FakePacket p : ps) t.traverse(Hook.PREROUTING, p); // compiled
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 10; round++) for (FakePacket p : ps) t.traverse(Hook.PREROUTING, p);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "10,000 walks allocated " + allocated + " bytes");
        assertEquals(30, t.chain("KUBE-SERVICES").rule(7).packets, "service 7's rule counted its 30 walks");
    }
}

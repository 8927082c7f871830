package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static jnat.conformance.ScenarioGenerator.ACK;
import static jnat.conformance.ScenarioGenerator.FIN;
import static jnat.conformance.ScenarioGenerator.ICMP;
import static jnat.conformance.ScenarioGenerator.ICMPV6;
import static jnat.conformance.ScenarioGenerator.PSH;
import static jnat.conformance.ScenarioGenerator.ROUTER_MAC;
import static jnat.conformance.ScenarioGenerator.SYN;
import static jnat.conformance.ScenarioGenerator.TCP;
import static jnat.conformance.ScenarioGenerator.UDP;

/**
 * Per-module scenarios on the dual-stack harness host ({@link ScenarioGenerator6#HOST}): each scenario
 * takes a few of the iptables/ip6tables modules jnat has ({@link #MODULES}), every module its own
 * destination ports (so the modules of one scenario never meet), and gives each module's rules, in
 * both families where the module has both, packets that exercise what the module does to a packet:
 * counters, marks (seen in the conntrack table through CONNMARK), drops, rewritten headers (TTL, hop
 * limit, TOS, DSCP, ECN, MSS), the host's answers (REJECT). Rate limits are slow (per minute or hour)
 * so the burst decides, not the clock. Module choices and their parameters come from the seed; scenario
 * {@code i} takes modules {@code 4i..4i+3} of a seeded shuffle of the catalogue, so the first
 * {@code ceil(|MODULES| / 4)} scenarios cover every module once.
 */
final class ModuleScenarioGenerator {
    static final String HOST = ScenarioGenerator6.HOST;
    /** How many modules one scenario has. */
    static final int PER_SCENARIO = 4;

    /** One module's part of a scenario: its rules and flows, on ports {@code base..base+99}. */
    interface Module {
        void add(Build b, int base);
    }

    record Entry(String name, Module module) {}

    static final List<Entry> MODULES = List.of(
            new Entry("recent", ModuleScenarioGenerator::recent),
            new Entry("limit", ModuleScenarioGenerator::limit),
            new Entry("hashlimit", ModuleScenarioGenerator::hashlimit),
            new Entry("state", ModuleScenarioGenerator::state),
            new Entry("conntrack", ModuleScenarioGenerator::conntrack),
            new Entry("connmark", ModuleScenarioGenerator::connmark),
            new Entry("mark", ModuleScenarioGenerator::mark),
            new Entry("length", ModuleScenarioGenerator::length),
            new Entry("ttl", ModuleScenarioGenerator::ttl),
            new Entry("tos", ModuleScenarioGenerator::tos),
            new Entry("dscp", ModuleScenarioGenerator::dscp),
            new Entry("ecn", ModuleScenarioGenerator::ecn),
            new Entry("tcpmss", ModuleScenarioGenerator::tcpmss),
            new Entry("pkttype", ModuleScenarioGenerator::pkttype),
            new Entry("mac", ModuleScenarioGenerator::mac),
            new Entry("quota", ModuleScenarioGenerator::quota),
            new Entry("multiport", ModuleScenarioGenerator::multiport),
            new Entry("iprange", ModuleScenarioGenerator::iprange),
            new Entry("addrtype", ModuleScenarioGenerator::addrtype),
            new Entry("statistic", ModuleScenarioGenerator::statistic),
            new Entry("checksum", ModuleScenarioGenerator::checksum),
            new Entry("log", ModuleScenarioGenerator::log),
            new Entry("nfqueue", ModuleScenarioGenerator::nfqueue),
            new Entry("reject", ModuleScenarioGenerator::reject),
            new Entry("policy", ModuleScenarioGenerator::policy),
            new Entry("rpfilter", ModuleScenarioGenerator::rpfilter),
            new Entry("local", ModuleScenarioGenerator::local),
            new Entry("ecn-set", ModuleScenarioGenerator::ecnSet),
            new Entry("esp", ModuleScenarioGenerator::esp),
            new Entry("nat-state", ModuleScenarioGenerator::natState));

    /** Module {@code k}'s first port. */
    static int base(int k) {
        return 20000 + 100 * k;
    }

    /** The UDP ports a silent socket holds in the lab's host: each module's first five (the ones its local flows use). */
    static int[] listenerPorts() {
        int[] p = new int[MODULES.size() * 5];
        for (int k = 0; k < MODULES.size(); k++) for (int i = 0; i < 5; i++) p[k * 5 + i] = base(k) + i;
        return p;
    }

    private final long seed;

    ModuleScenarioGenerator(long seed) {
        this.seed = seed;
    }

    /** The modules of scenario {@code index}: a window of a shuffle of the catalogue, reshuffled each round. */
    List<Integer> modules(int index) {
        int n = MODULES.size(), perRound = (n + PER_SCENARIO - 1) / PER_SCENARIO;
        int round = index / perRound, at = index % perRound * PER_SCENARIO;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) order.add(i);
        SplittableRandom r = new SplittableRandom(seed * 7919 + round);
        for (int i = n - 1; i > 0; i--) java.util.Collections.swap(order, i, r.nextInt(i + 1));
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < PER_SCENARIO; i++) out.add(order.get((at + i) % n));
        return out;
    }

    /** Scenario {@code index}: the same seed and index give the same scenario. */
    Scenario scenario(int index) {
        List<Integer> ks = modules(index);
        List<String> names = new ArrayList<>();
        for (int k : ks) names.add(MODULES.get(k).name());
        Build b = new Build(index, new SplittableRandom(seed * 1_000_003L + index));
        List<List<Step>> perModule = new ArrayList<>();
        for (int k : ks) {
            b.steps = new ArrayList<>();
            MODULES.get(k).module().add(b, base(k));
            perModule.add(b.steps);
        }
        Scenario sc = new Scenario(index, seed, b.save(false), names);
        sc.rules6 = b.save(true);
        sc.flows.addAll(b.flows);
        // the modules' steps interleaved at random, each module's in its order
        int[] next = new int[perModule.size()];
        int left = 0;
        for (List<Step> l : perModule) left += l.size();
        while (left > 0) {
            int m = b.rnd.nextInt(perModule.size());
            if (next[m] == perModule.get(m).size()) continue;
            sc.steps.add(perModule.get(m).get(next[m]++));
            left--;
        }
        return sc;
    }

    // ---- the scenario being built ------------------------------------------------------------

    /** Where a flow goes: a LAN host to the internet (forwarded), the internet or the LAN to the host (local). */
    enum Path { LAN_OUT, IN_HOST, LAN_HOST, IN_LAN, HOST_OUT, HOST_LAN }

    static final String[] TABLES = {"raw", "mangle", "nat", "filter"};
    static final Map<String, List<String>> CHAINS = Map.of(
            "raw", List.of("PREROUTING", "OUTPUT"),
            "mangle", List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
            "nat", List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
            "filter", List.of("INPUT", "FORWARD", "OUTPUT"));

    static final class Build {
        final int index;
        final SplittableRandom rnd;
        final List<Flow> flows = new ArrayList<>();
        List<Step> steps;
        private final Map<String, List<String>> rules4 = new LinkedHashMap<>(), rules6 = new LinkedHashMap<>();
        private int clientPort = 33000;

        Build(int index, SplittableRandom rnd) {
            this.index = index;
            this.rnd = rnd;
        }

        /** A name unique to this scenario (xt_recent's and hashlimit's tables outlive a rule replaced by one of the same name). */
        String name(String what) {
            return what + index;
        }

        /** {@code -A CHAIN spec} in {@code table}, of IPv6's rules when {@code v6}. */
        void rule(boolean v6, String table, String chain, String spec) {
            (v6 ? rules6 : rules4).computeIfAbsent(table + " " + chain, k -> new ArrayList<>()).add("-A " + chain + " " + spec);
        }

        String save(boolean v6) {
            Map<String, List<String>> rules = v6 ? rules6 : rules4;
            StringBuilder sb = new StringBuilder();
            for (String t : TABLES) {
                // as iptables-nft: a table without rules is not created (no hooks, no counters)
                if (CHAINS.get(t).stream().noneMatch(c -> rules.containsKey(t + " " + c))) continue;
                sb.append('*').append(t).append('\n');
                for (String c : CHAINS.get(t)) sb.append(':').append(c).append(" ACCEPT [0:0]\n");
                for (String c : CHAINS.get(t)) for (String r : rules.getOrDefault(t + " " + c, List.of())) sb.append(r).append('\n');
                sb.append("COMMIT\n");
            }
            return sb.toString();
        }

        /**
         * A new flow: {@code host} picks the LAN host (2-5: 10.1.0.h, fd00:1::h) or the internet host
         * (198.51.100.h, 2001:db8:100::h) at the client's or the server's end.
         */
        Flow flow(boolean v6, int protocol, Path path, int host, int dstPort, String what) {
            int id = flows.size();
            int port = protocol == ICMP || protocol == ICMPV6 ? 0x4000 + id : clientPort++;
            Flow f = switch (path) {
                case LAN_OUT -> v6 ? new Flow(id, protocol, "eth1", lanMac(host), LAN6_HI, host, port, NET6_HI, 0x10 + id % 50, dstPort, what)
                        : new Flow(id, protocol, "eth1", lanMac(host), LAN4 + host, port, NET4 + 10 + id % 50, dstPort, what);
                case IN_HOST -> v6 ? new Flow(id, protocol, "eth0", ROUTER_MAC, NET6_HI, host, port, PUBLIC6[0], PUBLIC6[1], dstPort, what)
                        : new Flow(id, protocol, "eth0", ROUTER_MAC, NET4 + host, port, ScenarioGenerator.PUBLIC, dstPort, what);
                case LAN_HOST -> v6 ? new Flow(id, protocol, "eth1", lanMac(host), LAN6_HI, host, port, LAN6_HI, 1, dstPort, what)
                        : new Flow(id, protocol, "eth1", lanMac(host), LAN4 + host, port, LAN4 + 1, dstPort, what);
                case HOST_OUT -> v6 ? new Flow(id, protocol, Scenario.LOCAL, 0, PUBLIC6[0], PUBLIC6[1], host, NET6_HI, 0x10 + id % 50, dstPort, what)
                        : new Flow(id, protocol, Scenario.LOCAL, 0, ScenarioGenerator.PUBLIC, host, NET4 + 10 + id % 50, dstPort, what);
                case HOST_LAN -> v6 ? new Flow(id, protocol, Scenario.LOCAL, 0, LAN6_HI, 1, dstPort, LAN6_HI, 2 + id % 4, dstPort, what)
                        : new Flow(id, protocol, Scenario.LOCAL, 0, LAN4 + 1, dstPort, LAN4 + 2 + id % 4, dstPort, what);
                case IN_LAN -> v6 ? new Flow(id, protocol, "eth0", ROUTER_MAC, NET6_HI, 0x10 + id % 50, port, LAN6_HI, host, dstPort, what)
                        : new Flow(id, protocol, "eth0", ROUTER_MAC, NET4 + 10 + id % 50, port, LAN4 + host, dstPort, what);
            };
            flows.add(f);
            return f;
        }

        /** A flow from an arbitrary source address on eth0 to the host ({@code src}: IPv4 address or IPv6 high/low words). */
        Flow spoofed(boolean v6, long srcHi, long srcLo, int dstPort, String what) {
            int id = flows.size();
            Flow f = v6 ? new Flow(id, UDP, "eth0", ROUTER_MAC, srcHi, srcLo, clientPort++, PUBLIC6[0], PUBLIC6[1], dstPort, what)
                    : new Flow(id, UDP, "eth0", ROUTER_MAC, (int) srcLo, clientPort++, ScenarioGenerator.PUBLIC, dstPort, what);
            flows.add(f);
            return f;
        }

        void data(Flow f, Kind k, int length) {
            steps.add(Step.data(f, k, length));
        }

        void data(Flow f, int times, int length) {
            for (int i = 0; i < times; i++) steps.add(Step.data(f, Kind.ORIGINAL, length));
        }

        void echo(Flow f, Kind k, int seq) {
            steps.add(Step.echo(f, k, seq));
        }

        /** A TCP handshake and a segment of data each way ({@code synFlags}, {@code synAckFlags}: the SYN's and SYN/ACK's flags). */
        void handshake(Flow f, int synFlags, int synAckFlags, boolean data) {
            int c = 1000 + f.id * 7919, s = 50000 + f.id * 104729;
            steps.add(Step.tcp(f, Kind.ORIGINAL, synFlags, c, 0, 0));
            steps.add(Step.tcp(f, Kind.REPLY, synAckFlags, s, c + 1, 0));
            steps.add(Step.tcp(f, Kind.ORIGINAL, ACK, c + 1, s + 1, 0));
            if (data) {
                steps.add(Step.tcp(f, Kind.ORIGINAL, PSH | ACK, c + 1, s + 1, 100));
                steps.add(Step.tcp(f, Kind.REPLY, PSH | ACK, s + 1, c + 101, 200));
            }
        }

        void handshake(Flow f) {
            handshake(f, SYN, SYN | ACK, true);
        }

        /** Both families, or one of them at random (every module has IPv4; IPv6 where the module has it). */
        boolean[] families() {
            return switch (rnd.nextInt(4)) {
                case 0 -> new boolean[] {false};
                case 1 -> new boolean[] {true};
                default -> new boolean[] {false, true};
            };
        }

        int between(int lo, int hi) {
            return lo + rnd.nextInt(hi - lo + 1);
        }
    }

    static final int LAN4 = ScenarioGenerator.ip("10.1.0.0"), NET4 = ScenarioGenerator.ip("198.51.100.0");
    static final long LAN6_HI = ScenarioGenerator6.addr("fd00:1::")[0], NET6_HI = ScenarioGenerator6.addr("2001:db8:100::")[0];
    static final long[] PUBLIC6 = ScenarioGenerator6.PUBLIC6;

    static long lanMac(int host) {
        return 0x020000000200L + host;
    }

    static String lanHost(boolean v6, int host) {
        return v6 ? "fd00:1::" + Integer.toHexString(host) : "10.1.0." + host;
    }

    static String udp(int port) {
        return "-p udp -m udp --dport " + port;
    }

    static String tcp(int port) {
        return "-p tcp -m tcp --dport " + port;
    }

    static String icmp(boolean v6) {
        return v6 ? "-p ipv6-icmp" : "-p icmp";
    }

    // ---- the modules -------------------------------------------------------------------------

    /** -m recent: --set, --update/--rcheck with --seconds and --hitcount, --rsource/--rdest, --mask, --remove. */
    static void recent(Build b, int p) {
        for (boolean v6 : b.families()) {
            String a = b.name(v6 ? "r6a" : "r4a"), d = b.name(v6 ? "r6d" : "r4d"), m = b.name(v6 ? "r6m" : "r4m");
            int hits = b.between(2, 4);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m recent --update --seconds 60 --hitcount " + hits + " --name " + a
                    + " --mask " + (v6 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" : "255.255.255.255") + " --rsource -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m recent --set --name " + a + " --rsource");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m recent --rcheck --hitcount 2 --name " + d + " --rdest -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m recent --set --name " + d + " --rdest");
            String mask = v6 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc" : "255.255.255.252";
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -m recent --set --name " + m + " --mask " + mask);
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -m recent --rcheck --seconds 60 --hitcount 3 --name " + m + " --mask " + mask
                    + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 3) + " -m recent --remove --name " + a);
            String t = b.name(v6 ? "r6t" : "r4t");
            b.rule(v6, "filter", "FORWARD", udp(p + 4) + " -m recent --set --name " + t);
            b.rule(v6, "filter", "FORWARD", udp(p + 5) + " -m recent --update --rttl --name " + t + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 5) + " -m recent --rcheck --seconds 60 --reap --name " + t);
            b.rule(v6, "filter", "FORWARD", udp(p + 5) + " -m recent ! --rcheck --name " + t);
            Flow x = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "recent --update --hitcount " + hits);
            Flow y = b.flow(v6, UDP, Path.LAN_OUT, 3, p, "recent --update, a second source");
            Flow rm = b.flow(v6, UDP, Path.LAN_OUT, 2, p + 3, "recent --remove");
            for (int i = 0; i < hits + 2; i++) {
                b.data(x, Kind.ORIGINAL, 20 + i);
                if (i % 2 == 1) b.data(y, Kind.ORIGINAL, 30);
                if (i == hits) b.data(rm, Kind.ORIGINAL, 10);
            }
            Flow r1 = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 1, "recent --rdest");
            Flow r2 = b.flow(v6, UDP, Path.LAN_OUT, 5, p + 1, "recent --rdest, another source");
            r2 = sameServer(b, r2, r1);
            b.data(r1, 2, 40);
            b.data(r2, 2, 40);
            for (int h : new int[] {2, 3, 4, 5, 3}) b.data(b.flow(v6, UDP, Path.LAN_OUT, h, p + 2, "recent --mask, host " + h), 1, 25);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 4, "recent --set, TTL 64").header(0, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 5, "recent --rttl, the same TTL").header(0, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 5, "recent --rttl, another TTL").header(0, 33), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 5, p + 5, "recent, a source not in the list"), 1, 20);
        }
    }

    /** {@code g} with {@code f}'s server (a new flow of the same id). */
    private static Flow sameServer(Build b, Flow g, Flow f) {
        Flow n = g.ipv6 ? new Flow(g.id, g.protocol, g.clientDevice, g.clientMac, g.clientHi, g.clientLo, g.clientPort, f.dstHi, f.dstLo,
                f.dstPort, g.what) : new Flow(g.id, g.protocol, g.clientDevice, g.clientMac, g.client, g.clientPort, f.dst, f.dstPort, g.what);
        b.flows.set(g.id, n);
        return n;
    }

    /** -m limit: per hour and per minute, the burst deciding. */
    static void limit(Build b, int p) {
        for (boolean v6 : b.families()) {
            int burst = b.between(1, 4);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m limit --limit 1/hour --limit-burst " + burst + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m limit --limit 2/min -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -j DROP");
            b.rule(v6, "filter", "INPUT", icmp(v6) + " -m limit --limit 3/hour --limit-burst 2 -j ACCEPT");
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "limit 1/hour burst " + burst);
            Flow g = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "limit 2/min (burst 5)");
            for (int i = 0; i < burst + 2; i++) b.data(f, Kind.ORIGINAL, 20);
            b.data(f, Kind.REPLY, 30);
            b.data(g, 7, 20);
            Flow ping = b.flow(v6, v6 ? ICMPV6 : ICMP, Path.IN_HOST, 7, 0, "ping the host, INPUT limit");
            for (int i = 1; i <= 3; i++) b.echo(ping, Kind.ORIGINAL, i);
        }
    }

    /** -m hashlimit: --hashlimit-upto and -above, modes srcip and srcip,dstport, --hashlimit-srcmask. */
    static void hashlimit(Build b, int p) {
        for (boolean v6 : b.families()) {
            int burst = b.between(1, 3);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m hashlimit --hashlimit-upto 1/min --hashlimit-burst " + burst
                    + " --hashlimit-mode srcip --hashlimit-name " + b.name(v6 ? "h6u" : "h4u") + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m hashlimit --hashlimit-above 1/hour --hashlimit-burst 2"
                    + " --hashlimit-mode srcip,dstport --hashlimit-srcmask " + (v6 ? 64 : 24) + " --hashlimit-name "
                    + b.name(v6 ? "h6a" : "h4a") + " -j DROP");
            Flow x = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "hashlimit-upto burst " + burst + ", source 2");
            Flow y = b.flow(v6, UDP, Path.LAN_OUT, 3, p, "hashlimit-upto, source 3");
            for (int i = 0; i < burst + 2; i++) {
                b.data(x, Kind.ORIGINAL, 20);
                b.data(y, Kind.ORIGINAL, 20);
            }
            Flow z = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 1, "hashlimit-above, srcmask: source 4");
            Flow w = b.flow(v6, UDP, Path.LAN_OUT, 5, p + 1, "hashlimit-above, srcmask: source 5, the same bucket");
            b.data(z, 2, 20);
            b.data(w, 2, 20);
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 2"
                    + " --hashlimit-mode dstip --hashlimit-dstmask " + (v6 ? 120 : 28) + " --hashlimit-name " + b.name(v6 ? "h6d" : "h4d") + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 3) + " -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 5"
                    + " --hashlimit-mode srcip --hashlimit-htable-max 2 --hashlimit-name " + b.name(v6 ? "h6m" : "h4m"));
            for (int h = 2; h <= 5; h++) b.data(b.flow(v6, UDP, Path.LAN_OUT, h, p + 3, "hashlimit htable-max 2, source " + h), 1, 20);
            Flow d1 = b.flow(v6, UDP, Path.LAN_OUT, 2, p + 2, "hashlimit mode dstip: one server");
            for (int h = 3; h <= 5; h++) b.data(sameServer(b, b.flow(v6, UDP, Path.LAN_OUT, h, p + 2, "hashlimit mode dstip, host " + h), d1), 1, 20);
            b.data(d1, 1, 20);
        }
    }

    /** -m state: NEW, ESTABLISHED, RELATED (an ICMP error), INVALID (SYN+FIN), UNTRACKED (NOTRACK). */
    static void state(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", tcp(p) + " -m state --state NEW");
            b.rule(v6, "filter", "FORWARD", "-p tcp -m tcp --sport " + p + " -m state --state ESTABLISHED");
            b.rule(v6, "filter", "FORWARD", tcp(p) + " -m state --state ESTABLISHED,RELATED");
            b.rule(v6, "filter", "FORWARD", tcp(p + 1) + " -m state --state INVALID -j DROP");
            b.rule(v6, "raw", "PREROUTING", udp(p + 2) + " -j NOTRACK");
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -m state --state UNTRACKED");
            b.rule(v6, "filter", "FORWARD", icmp(v6) + " -m state --state RELATED");
            Flow t = b.flow(v6, TCP, Path.LAN_OUT, 2, p, "tcp, state NEW then ESTABLISHED");
            b.handshake(t);
            Flow bad = b.flow(v6, TCP, Path.LAN_OUT, 3, p + 1, "tcp SYN+FIN: INVALID");
            b.steps.add(Step.tcp(bad, Kind.ORIGINAL, SYN | FIN, 4242, 0, 0));
            Flow un = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 2, "udp NOTRACK: UNTRACKED");
            b.data(un, 2, 20);
            Flow rel = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 3, "udp answered with a port unreachable: RELATED");
            b.data(rel, Kind.ORIGINAL, 20);
            b.steps.add(Step.error(rel, Kind.ERROR_ABOUT_ORIGINAL, v6 ? 1 : 3, v6 ? 4 : 3, 0));
        }
    }

    /** -m conntrack: --ctstate (with DNAT), --ctstatus, --ctproto, --ctorig/--ctrepl addresses and ports, --ctdir, --ctexpire. */
    static void conntrack(Build b, int p) {
        for (boolean v6 : b.families()) {
            String lan = v6 ? "fd00:1::/64" : "10.1.0.0/24";
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate NEW --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstatus SEEN_REPLY --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstatus ASSURED --ctproto 6 --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctdir REPLY --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctorigsrc " + lan + " --ctrepldst " + lanHost(v6, 2) + " --ctproto tcp "
                    + "--ctorigdstport " + p + " --ctreplsrcport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctexpire 100:120 --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctexpire 431000:432000 --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack ! --ctstate NEW,ESTABLISHED --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate NEW --ctproto udp ! --ctorigsrc " + lan);
            String to = v6 ? "[fd00:1::4]" : "10.1.0.4";
            b.rule(v6, "nat", "PREROUTING", "-i eth0 " + udp(p + 1) + " -j DNAT --to-destination " + to + ":" + (p + 2));
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate DNAT --ctorigdst " + (v6 ? "2001:db8:0:1::2" : "203.0.113.2")
                    + " --ctreplsrc " + lanHost(v6, 4) + " --ctproto udp --ctorigdstport " + (p + 1) + " --ctrepldstport " + "33000:40000");
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate SNAT");
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate DNAT --ctdir ORIGINAL");
            b.rule(v6, "raw", "PREROUTING", "-i eth1 " + udp(p + 4) + " -j CT --notrack");
            b.rule(v6, "filter", "FORWARD", icmp(v6) + " -m conntrack --ctstate INVALID");
            b.rule(v6, "filter", "FORWARD", icmp(v6) + " -m conntrack --ctstate RELATED --ctstatus CONFIRMED");
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstatus CONFIRMED --ctproto udp --ctorigdstport " + (p + 5));
            b.rule(v6, "filter", "FORWARD", "-m conntrack ! --ctstatus CONFIRMED --ctproto udp --ctorigdstport " + (p + 5));
            Flow orphan = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 4, "udp NOTRACKed, its port unreachable INVALID (no connection)");
            b.data(orphan, Kind.ORIGINAL, 20);
            b.steps.add(Step.error(orphan, Kind.ERROR_ABOUT_ORIGINAL, v6 ? 1 : 3, v6 ? 4 : 3, 0));
            Flow rel = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 5, "udp answered with a port unreachable (RELATED, CONFIRMED)");
            b.data(rel, Kind.ORIGINAL, 20);
            b.data(rel, Kind.ORIGINAL, 20);
            b.steps.add(Step.error(rel, Kind.ERROR_ABOUT_ORIGINAL, v6 ? 1 : 3, v6 ? 4 : 3, 0));
            Flow t = b.flow(v6, TCP, Path.LAN_OUT, 2, p, "tcp through the conntrack rules");
            b.handshake(t);
            if (b.rnd.nextBoolean()) {
                int c = 1000 + t.id * 7919 + 101, s = 50000 + t.id * 104729 + 201;
                b.steps.add(Step.tcp(t, Kind.ORIGINAL, FIN | ACK, c, s, 0));
                b.steps.add(Step.tcp(t, Kind.REPLY, FIN | ACK, s, c + 1, 0));
            }
            Flow d = b.flow(v6, UDP, Path.IN_HOST, 9, p + 1, "udp DNATed to the LAN");
            b.data(d, Kind.ORIGINAL, 30);
            b.data(d, Kind.REPLY, 40);
            b.data(d, Kind.ORIGINAL, 30);
        }
    }

    /** CONNMARK --set-xmark, --save-mark and --restore-mark with --nfmask/--ctmask and the shifts; -m connmark. */
    static void connmark(Build b, int p) {
        for (boolean v6 : b.families()) {
            int v = b.between(1, 0xff) << 4;
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j CONNMARK --restore-mark --nfmask 0xffff --ctmask 0xff0");
            b.rule(v6, "mangle", "PREROUTING", "-p udp -m udp --sport " + p + " -j CONNMARK --restore-mark --nfmask 0xffff --ctmask 0xff0");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m mark --mark 0x0/0xff0 -j MARK --set-xmark 0x" + Integer.toHexString(v | 0x10007)
                    + "/0xfffff");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j CONNMARK --save-mark --nfmask 0xfff0 --ctmask 0xff0f0");
            b.rule(v6, "mangle", "FORWARD", udp(p + 1) + " -j CONNMARK --set-xmark 0x500/0xf00");
            b.rule(v6, "mangle", "FORWARD", udp(p + 1) + " -j CONNMARK --or-mark 0x3");
            b.rule(v6, "mangle", "FORWARD", "-p udp -m udp --sport " + (p + 1) + " -m connmark --mark 0x500/0xf00 -j MARK --set-mark 0x7");
            b.rule(v6, "filter", "FORWARD", "-m connmark --mark 0x" + Integer.toHexString(v & 0xf0) + "/0xf0");
            b.rule(v6, "filter", "FORWARD", "-m connmark ! --mark 0x0");
            b.rule(v6, "filter", "FORWARD", "-m mark --mark 0x7");
            b.rule(v6, "filter", "FORWARD", "-m mark --mark 0x" + Integer.toHexString(v | 7) + "/0xfff");
            int sh = b.between(1, 12);
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -j MARK --set-mark 0x" + Integer.toHexString(b.between(1, 0xffff)));
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -j CONNMARK --save-mark --mask 0xff00 --right-shift-mark " + sh);
            b.rule(v6, "mangle", "PREROUTING", "-p udp -m udp --sport " + (p + 2) + " -j CONNMARK --restore-mark --mask 0xffff"
                    + " --left-shift-mark " + sh);
            b.rule(v6, "mangle", "PREROUTING", udp(p + 3) + " -j CONNMARK --set-xmark 0x3/0xf --left-shift-mark " + sh);
            b.rule(v6, "filter", "FORWARD", "-p udp -m udp --sport " + (p + 2) + " -m mark ! --mark 0x0");
            Flow sf = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 2, "udp, CONNMARK with shifts both ways");
            b.data(sf, Kind.ORIGINAL, 20);
            b.data(sf, Kind.REPLY, 30);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 5, p + 3, "udp, CONNMARK --set-xmark shifted"), 1, 20);
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp, connmark saved and restored");
            b.data(f, Kind.ORIGINAL, 20);
            b.data(f, Kind.REPLY, 30);
            b.data(f, Kind.ORIGINAL, 20);
            Flow g = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "udp, CONNMARK --set-xmark then -m connmark on the reply");
            b.data(g, Kind.ORIGINAL, 20);
            b.data(g, Kind.REPLY, 30);
        }
    }

    /** MARK --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark; -m mark with masks and !. */
    static void mark(Build b, int p) {
        for (boolean v6 : b.families()) {
            int x = b.between(1, 0xffff);
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j MARK --set-xmark 0x" + Integer.toHexString(x) + "/0xffffffff");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j MARK --or-mark 0x30000");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j MARK --and-mark 0x3fff0");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j MARK --xor-mark 0x100");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 1) + " -j MARK --set-mark 0x2/0x3");
            b.rule(v6, "mangle", "FORWARD", "-m mark --mark 0x30000/0x30000 -j CONNMARK --save-mark");
            b.rule(v6, "filter", "FORWARD", "-m mark --mark 0x" + Integer.toHexString(((x | 0x30000) & 0x3fff0) ^ 0x100));
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m mark ! --mark 0x0/0x30000");
            b.rule(v6, "filter", "FORWARD", "-m mark --mark 0x2/0x3 -j DROP");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp, marks combined"), 2, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "udp, --set-mark 0x2/0x3 then dropped by -m mark"), 1, 20);
        }
    }

    /** -m length: ranges of the packet's length (IPv6: the payload length and the header). */
    static void length(Build b, int p) {
        for (boolean v6 : b.families()) {
            int cut = b.between(60, 140);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length --length 0:" + cut);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length --length " + (cut + 1) + ":200");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length ! --length 0:300 -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length --length " + (cut + 8));
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp of several lengths");
            for (int len : new int[] {0, cut - 28, cut - 48, cut - 20, cut - 27, 180, 300}) b.data(f, Kind.ORIGINAL, Math.max(0, len));
        }
    }

    /** -m ttl / -m hl and the TTL and HL targets: --ttl-set, --ttl-dec (to 0: time exceeded), --ttl-inc (to 255). */
    static void ttl(Build b, int p) {
        for (boolean v6 : b.families()) {
            String m = v6 ? "hl" : "ttl", t = v6 ? "HL" : "TTL";
            int set = b.between(20, 50);
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m " + m + " --" + m + "-lt 30 -j " + t + " --" + m + "-set " + set);
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m " + m + " --" + m + "-eq " + (v6 ? 60 : 64) + " -j " + t + " --" + m + "-dec 3");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m " + m + " --" + m + "-gt 200 -j " + t + " --" + m + "-inc 5");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 1) + " -j " + t + " --" + m + "-dec 5");
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 2) + " -j " + t + " --" + m + "-dec 5");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 5, p + 2, m + " 4, forwarded with 3, dec 5 after: 0").header(0, 4), 1, 20);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m " + m + " --" + m + "-gt 50");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m " + m + " ! --" + m + "-eq " + (set - 1));
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, m + " below 30: set").header(0, 20), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, m + " the default: dec 3"), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p, m + " 253: inc 5 to 255").header(0, 253), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p, m + " 100: untouched").header(0, 100), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 1, m + " 4, dec 5: 0, time exceeded").header(0, 4), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 1, m + " 7, dec 5: 2").header(0, 7), 1, 20);
        }
    }

    /** -m tos and the TOS target: --set-tos with a mask, --and-tos, --or-tos, --xor-tos (IPv6: the traffic class). */
    static void tos(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m tos --tos 0x10/0x3f -j TOS --set-tos 0x08/0x0f");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 1) + " -j TOS --and-tos 0x0c");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -j TOS --or-tos 0x21");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 3) + " -j TOS --xor-tos 0xff");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 4) + " -j TOS --set-tos Minimize-Delay");
            b.rule(v6, "filter", "FORWARD", "-m tos --tos 0x08/0x0f");
            b.rule(v6, "filter", "FORWARD", "-m tos ! --tos 0x00");
            int tos = b.between(0, 255);
            for (int i = 0; i < 5; i++) {
                b.data(b.flow(v6, UDP, Path.LAN_OUT, 2 + i % 3, p + i, "tos 0x10 port " + i).header(0x10 | 0x02, 0), 1, 20);
                b.data(b.flow(v6, UDP, Path.LAN_OUT, 2 + i % 3, p + i, "tos " + tos + " port " + i).header(tos, 0), 1, 20);
            }
        }
    }

    /** -m dscp (--dscp, --dscp-class) and DSCP --set-dscp, --set-dscp-class: the ECN bits kept. */
    static void dscp(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "mangle", "FORWARD", udp(p) + " -m dscp --dscp 0x0a -j DSCP --set-dscp 0x2e");
            b.rule(v6, "mangle", "FORWARD", udp(p) + " -m dscp --dscp-class AF41 -j DSCP --set-dscp-class CS1");
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 1) + " -j DSCP --set-dscp 0x3f");
            b.rule(v6, "filter", "FORWARD", "-m dscp ! --dscp 0x00");
            b.rule(v6, "filter", "FORWARD", "-m dscp --dscp-class EF");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "dscp 0x0a, ECT(1)").header(0x0a << 2 | 1, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "dscp AF41, CE").header(34 << 2 | 3, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p, "dscp 0").header(0, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "dscp set to 0x3f, ECT(0)").header(0x02, 0), 1, 20);
        }
    }

    /** -m ecn (--ecn-tcp-cwr, --ecn-tcp-ece, --ecn-ip-ect) and ECN --ecn-tcp-remove (IPv4 only). */
    static void ecn(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "mangle", "FORWARD", tcp(p) + " -m ecn --ecn-tcp-cwr");
            b.rule(v6, "mangle", "FORWARD", "-p tcp -m ecn --ecn-tcp-ece");
            b.rule(v6, "mangle", "FORWARD", "-p tcp -m ecn ! --ecn-tcp-ece");
            b.rule(v6, "mangle", "FORWARD", "-p tcp -m ecn --ecn-ip-ect 2");
            if (!v6) b.rule(false, "mangle", "POSTROUTING", tcp(p + 1) + " -j ECN --ecn-tcp-remove");
            Flow f = b.flow(v6, TCP, Path.LAN_OUT, 2, p, "tcp ECN setup (SYN with ECE|CWR), ECT(0)").header(0x02, 0);
            b.handshake(f, SYN | 0xc0, SYN | ACK | 0x40, true);
            Flow g = b.flow(v6, TCP, Path.LAN_OUT, 3, p + 1, "tcp ECN setup, --ecn-tcp-remove").header(0x02, 0);
            b.handshake(g, SYN | 0xc0, SYN | ACK | 0x40, true);
        }
    }

    /** TCPMSS --set-mss (lowering only, inserting one into a SYN without) and --clamp-mss-to-pmtu (both routes); -m tcpmss. */
    static void tcpmss(Build b, int p) {
        for (boolean v6 : b.families()) {
            int mss = b.between(1000, 1400);
            String syn = " -m tcp --tcp-flags SYN,RST SYN";
            b.rule(v6, "mangle", "FORWARD", "-p tcp --dport " + p + syn + " -j TCPMSS --set-mss " + mss);
            b.rule(v6, "mangle", "FORWARD", "-p tcp --dport " + (p + 1) + syn + " -j TCPMSS --clamp-mss-to-pmtu");
            b.rule(v6, "mangle", "FORWARD", "-p tcp --sport " + (p + 1) + syn + " -j TCPMSS --clamp-mss-to-pmtu");
            b.rule(v6, "mangle", "FORWARD", "-p tcp --dport " + (p + 2) + syn + " -j TCPMSS --set-mss 1500");
            b.rule(v6, "mangle", "FORWARD", "-p tcp --dport " + (p + 3) + syn + " -j TCPMSS --set-mss 1300");
            b.rule(v6, "filter", "FORWARD", "-p tcp -m tcpmss --mss 1000:1400");
            b.rule(v6, "filter", "FORWARD", "-p tcp -m tcpmss ! --mss 1460");
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 2, p, "tcp, --set-mss " + mss));
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 3, p + 1, "tcp out, clamped to the LAN's MTU (the reverse route)"));
            b.handshake(b.flow(v6, TCP, Path.IN_LAN, 3, p + 1, "tcp in to the LAN, clamped to its MTU (the forward route)"), SYN, SYN | ACK, false);
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 4, p + 2, "tcp, --set-mss above the SYN's: untouched"), SYN, SYN | ACK, false);
            Flow none = b.flow(v6, TCP, Path.LAN_OUT, 5, p + 3, "tcp SYN without an MSS option: one inserted");
            b.steps.add(new Step(none, Kind.ORIGINAL, SYN, 777, 0, 0, false, 0, 0, 0, 0));
            Flow data = b.flow(v6, TCP, Path.LAN_OUT, 4, p + 3, "tcp SYN with data, without an MSS option: none inserted");
            b.steps.add(new Step(data, Kind.ORIGINAL, SYN, 888, 0, 12, false, 0, 0, 0, 0));
        }
    }

    /** -m pkttype: unicast, broadcast (IPv4), multicast, to the host; -m addrtype --dst-type BROADCAST/MULTICAST beside it. */
    static void pkttype(Build b, int p) {
        for (boolean v6 : b.families()) {
            for (String t : List.of("unicast", "broadcast", "multicast")) {
                b.rule(v6, "filter", "INPUT", udp(p) + " -m pkttype --pkt-type " + t);
            }
            b.rule(v6, "filter", "INPUT", udp(p) + " -m addrtype --dst-type " + (v6 ? "MULTICAST" : "BROADCAST"));
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m pkttype ! --pkt-type unicast -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m pkttype --pkt-type unicast");
            b.data(b.flow(v6, UDP, Path.LAN_HOST, 2, p, "udp unicast to the host"), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp unicast forwarded"), 1, 20);
            if (v6) {
                Flow m = b.flow(true, UDP, Path.LAN_HOST, 3, p, "udp to ff02::1 (multicast)");
                Flow mc = new Flow(m.id, UDP, "eth1", lanMac(3), LAN6_HI, 3, m.clientPort, 0xff02L << 48, 1, p, m.what)
                        .toMac(0x333300000001L);
                b.flows.set(m.id, mc);
                b.data(mc, 2, 20);
            } else {
                Flow bc = b.flow(false, UDP, Path.LAN_HOST, 3, p, "udp to 10.1.0.255 (broadcast)");
                Flow bcast = new Flow(bc.id, UDP, "eth1", lanMac(3), LAN4 + 3, bc.clientPort, LAN4 + 255, p, bc.what)
                        .toMac(0xffffffffffffL);
                b.flows.set(bc.id, bcast);
                b.data(bcast, 2, 20);
                Flow all = b.flow(false, UDP, Path.LAN_HOST, 4, p, "udp to 255.255.255.255");
                Flow lim = new Flow(all.id, UDP, "eth1", lanMac(4), LAN4 + 4, all.clientPort, -1, p, all.what).toMac(0xffffffffffffL);
                b.flows.set(all.id, lim);
                b.data(lim, 1, 20);
                Flow mc = b.flow(false, UDP, Path.LAN_HOST, 5, p, "udp to 224.0.0.1 (multicast)");
                Flow m = new Flow(mc.id, UDP, "eth1", lanMac(5), LAN4 + 5, mc.clientPort, ScenarioGenerator.ip("224.0.0.1"), p, mc.what)
                        .toMac(0x01005e000001L);
                b.flows.set(mc.id, m);
                b.data(m, 1, 20);
            }
        }
    }

    /** -m mac --mac-source, and !. */
    static void mac(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m mac --mac-source 02:00:00:00:02:02 -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m mac ! --mac-source 02:00:00:00:02:03");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j DROP");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m mac --mac-source 02:00:00:00:01:FE");
            for (int h = 2; h <= 4; h++) b.data(b.flow(v6, UDP, Path.LAN_OUT, h, p, "udp from LAN host " + h), 1, 20);
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p, "udp to the host from the router's MAC"), 1, 20);
        }
    }

    /** -m quota: each rule's bytes counted down, the packet that no longer fits and every one after it refused. */
    static void quota(Build b, int p) {
        for (boolean v6 : b.families()) {
            int q = b.between(150, 400);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m quota --quota " + q + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m quota ! --quota 100 -j DROP");
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp against a quota of " + q);
            for (int i = 0; i < 6; i++) b.data(f, Kind.ORIGINAL, b.between(10, 90));
            b.data(f, Kind.ORIGINAL, 0);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "udp against ! --quota 100"), 3, 30);
        }
    }

    /** -m multiport --dports, --sports, --ports with ranges, and !. */
    static void multiport(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", "-p tcp -m multiport --dports " + p + "," + (p + 2) + ":" + (p + 4) + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", "-p udp -m multiport --ports " + (p + 1) + "," + (p + 5));
            b.rule(v6, "filter", "FORWARD", "-p udp -m multiport ! --dports " + (p + 1) + "," + (p + 5) + " -m multiport --sports 33000:34000");
            b.rule(v6, "filter", "FORWARD", "-p tcp -m multiport --dports " + (p + 1) + ":" + (p + 9) + " -j DROP");
            for (int i : new int[] {0, 1, 3, 5, 6}) {
                b.steps.add(Step.tcp(b.flow(v6, TCP, Path.LAN_OUT, 2, p + i, "tcp SYN to port +" + i), Kind.ORIGINAL, SYN, 100 + i, 0, 0));
            }
            for (int i : new int[] {1, 5, 7}) {
                Flow f = b.flow(v6, UDP, Path.LAN_OUT, 3, p + i, "udp to port +" + i);
                b.data(f, Kind.ORIGINAL, 20);
                b.data(f, Kind.REPLY, 20);
            }
        }
    }

    /** -m iprange --src-range, --dst-range, and !. */
    static void iprange(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m iprange --src-range " + lanHost(v6, 2) + "-" + lanHost(v6, 3) + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m iprange ! --dst-range " + lanHost(v6, 2) + "-" + lanHost(v6, 5));
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m iprange --src-range " + lanHost(v6, 4) + "-" + lanHost(v6, 4) + " -j DROP");
            for (int h = 2; h <= 5; h++) {
                Flow f = b.flow(v6, UDP, Path.LAN_OUT, h, p, "udp from LAN host " + h);
                b.data(f, Kind.ORIGINAL, 20);
                b.data(f, Kind.REPLY, 20);
            }
        }
    }

    /** -m addrtype --src-type, --dst-type (LOCAL, UNICAST), --limit-iface-in and --limit-iface-out. */
    static void addrtype(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "INPUT", udp(p) + " -m addrtype --dst-type LOCAL");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m addrtype --dst-type LOCAL --limit-iface-in");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m addrtype --src-type UNICAST ! --dst-type UNICAST");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m addrtype --dst-type UNICAST ! --src-type LOCAL");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m addrtype --dst-type UNICAST --limit-iface-out");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m addrtype --dst-type LOCAL -j DROP");
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p, "udp to eth0's address"), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_HOST, 2, p, "udp to eth1's address"), 1, 20);
            Flow other = b.flow(v6, UDP, Path.IN_HOST, 8, p, "udp from eth0 to eth1's address (local, not on the in device)");
            Flow o = v6 ? new Flow(other.id, UDP, "eth0", ROUTER_MAC, NET6_HI, 8, other.clientPort, LAN6_HI, 1, p, other.what)
                    : new Flow(other.id, UDP, "eth0", ROUTER_MAC, NET4 + 8, other.clientPort, LAN4 + 1, p, other.what);
            b.flows.set(other.id, o);
            b.data(o, 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p, "udp forwarded"), 1, 20);
        }
    }

    /** -m statistic --mode nth --every --packet, and !. */
    static void statistic(Build b, int p) {
        for (boolean v6 : b.families()) {
            int every = b.between(2, 4), packet = b.rnd.nextInt(every);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m statistic --mode nth --every " + every + " --packet " + packet + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m statistic --mode nth ! --every 2 --packet 1");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m statistic --mode random --probability 1.0");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m statistic --mode random --probability 0.0 -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m statistic --mode random ! --probability 0.0");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "udp, random with probability 1 and 0"), 3, 20);
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp, nth " + every + "/" + packet);
            for (int i = 0; i < 7; i++) b.data(f, Kind.ORIGINAL, 20 + i);
        }
    }

    /** CHECKSUM --checksum-fill: only packets with a checksum left to complete (none here): unchanged. */
    static void checksum(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "mangle", "POSTROUTING", udp(p) + " -j CHECKSUM --checksum-fill");
            b.rule(v6, "mangle", "POSTROUTING", "-p tcp --dport " + p + " -j CHECKSUM --checksum-fill");
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp through CHECKSUM");
            b.data(f, Kind.ORIGINAL, 20);
            if (!v6) b.steps.add(Step.data(f, Kind.ORIGINAL, 21).mangled(Step.NO_UDP_CHECKSUM));
            b.data(f, Kind.REPLY, 20);
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 3, p, "tcp through CHECKSUM"), SYN, SYN | ACK, false);
        }
    }

    /** LOG and NFLOG: the packet goes on (no logger in a namespace, no NFLOG listener). */
    static void log(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j LOG --log-prefix \"mod " + p + ": \" --log-level 6 --log-ip-options");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j NFLOG --nflog-group 5 --nflog-prefix m" + p + " --nflog-threshold 1");
            b.rule(v6, "filter", "FORWARD", "-p tcp --dport " + p + " -j LOG --log-tcp-sequence --log-tcp-options --log-uid");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length --length 0:60 -j DROP");
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp logged");
            b.data(f, Kind.ORIGINAL, 10);
            b.data(f, Kind.ORIGINAL, 40);
            b.data(f, Kind.REPLY, 20);
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 3, p, "tcp logged"), SYN, SYN | ACK, false);
        }
    }

    /** NFQUEUE with no listener: the packet dropped; with --queue-bypass, accepted (the table's walk ends). */
    static void nfqueue(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j NFQUEUE --queue-num " + b.between(1, 100));
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -j NFQUEUE --queue-num 7 --queue-bypass");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -j NFQUEUE --queue-balance 3:5 --queue-bypass");
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 1));
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 2));
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp queued, no listener: dropped"), 2, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p + 1, "udp queued with --queue-bypass: accepted"), 2, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 2, "udp --queue-balance --queue-bypass: accepted"), 1, 20);
        }
    }

    static final List<String> REJECT4 = List.of("icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable",
            "icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited", "icmp-admin-prohibited");
    static final List<String> REJECT6 = List.of("icmp6-no-route", "icmp6-adm-prohibited", "icmp6-addr-unreachable",
            "icmp6-port-unreachable");

    /** REJECT's answers: every ICMP and ICMPv6 kind, tcp-reset (for a SYN and for a segment with ACK), at FORWARD and INPUT. */
    static void reject(Build b, int p) {
        for (boolean v6 : b.families()) {
            List<String> kinds = v6 ? REJECT6 : REJECT4;
            for (int i = 0; i < kinds.size(); i++) {
                b.rule(v6, "filter", "FORWARD", udp(p + 10 + i) + " -j REJECT --reject-with " + kinds.get(i));
            }
            b.rule(v6, "filter", "FORWARD", tcp(p) + " -j REJECT --reject-with tcp-reset");
            b.rule(v6, "filter", "FORWARD", icmp(v6) + " -j REJECT");
            b.rule(v6, "filter", "INPUT", udp(p + 1) + " -j REJECT");
            b.rule(v6, "filter", "INPUT", tcp(p + 1) + " -j REJECT --reject-with tcp-reset");
            int pick = b.rnd.nextInt(kinds.size());
            for (int i = 0; i < kinds.size(); i++) {
                if (i != pick && b.rnd.nextBoolean()) continue;
                b.data(b.flow(v6, UDP, Path.LAN_OUT, 2 + i % 4, p + 10 + i, "udp, REJECT " + kinds.get(i)), 1, 20 + i);
            }
            Flow t = b.flow(v6, TCP, Path.LAN_OUT, 3, p, "tcp, REJECT tcp-reset");
            b.steps.add(Step.tcp(t, Kind.ORIGINAL, SYN, 3000, 0, 0));
            b.steps.add(Step.tcp(t, Kind.ORIGINAL, PSH | ACK, 3001, 9000, 50));
            b.echo(b.flow(v6, v6 ? ICMPV6 : ICMP, Path.LAN_OUT, 4, 0, "ping, REJECT"), Kind.ORIGINAL, 1);
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p + 1, "udp to the host, REJECT"), 1, 20);
            b.steps.add(Step.tcp(b.flow(v6, TCP, Path.IN_HOST, 7, p + 1, "tcp to the host, REJECT tcp-reset"), Kind.ORIGINAL, SYN, 5, 0, 0));
        }
    }

    /** -m policy: no IPsec here, so --pol none matches in both directions and --pol ipsec never. */
    static void policy(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m policy --dir in --pol none");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m policy --dir out --pol none");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m policy --dir in --pol ipsec -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m policy --dir out --pol ipsec --strict --proto esp --mode tunnel"
                    + " --tunnel-src " + (v6 ? "2001:db8:100::1" : "198.51.100.1") + " --tunnel-dst " + (v6 ? "2001:db8:100::2" : "198.51.100.2")
                    + " -j DROP");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m policy --dir in --pol none");
            b.rule(v6, "mangle", "POSTROUTING", udp(p) + " -m policy --dir out --pol none");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp forwarded"), 2, 20);
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p, "udp to the host"), 1, 20);
        }
    }

    /** -m rpfilter in raw and mangle PREROUTING: strict, --loose, --invert; sources the reverse route refuses. */
    static void rpfilter(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "raw", "PREROUTING", udp(p) + " -m rpfilter --invert -j DROP");
            b.rule(v6, "raw", "PREROUTING", udp(p + 1) + " -m rpfilter --loose --invert -j DROP");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -m rpfilter");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -m rpfilter --loose");
            b.rule(v6, "raw", "PREROUTING", udp(p + 3) + " -m rpfilter --accept-local");
            b.rule(v6, "raw", "PREROUTING", udp(p + 3) + " -m rpfilter --validmark --loose");
            b.rule(v6, "raw", "PREROUTING", udp(p + 3) + " -m rpfilter");
            long[][] srcs = v6 ? new long[][] {{NET6_HI, 0x33}, {LAN6_HI, 9}, {ScenarioGenerator6.addr("2001:db8:9::1")[0], 1}}
                    : new long[][] {{0, NET4 + 33}, {0, LAN4 + 9}, {0, ScenarioGenerator.ip("10.9.0.1")}};
            String[] what = {"a source routed back through eth0", "a LAN source on eth0", "a source with an unreachable route"};
            for (int port = p; port <= p + 2; port++) {
                for (int s = 0; s < 3; s++) b.data(b.spoofed(v6, srcs[s][0], srcs[s][1], port, "udp to port +" + (port - p) + ", " + what[s]), 1, 20);
            }
            b.data(b.spoofed(v6, v6 ? PUBLIC6[0] : 0, v6 ? PUBLIC6[1] : ScenarioGenerator.PUBLIC, p + 3,
                    "udp from the host's own address on eth0 (an IPv4 martian)"), 1, 20);
            Flow own = b.flow(v6, UDP, Path.IN_LAN, 2, p + 3, "udp forwarded to the LAN from eth1's own address, on eth0");
            Flow o = v6 ? new Flow(own.id, UDP, "eth0", ROUTER_MAC, LAN6_HI, 1, own.clientPort, LAN6_HI, 2, p + 3, own.what)
                    : new Flow(own.id, UDP, "eth0", ROUTER_MAC, LAN4 + 1, own.clientPort, LAN4 + 2, p + 3, own.what);
            b.flows.set(own.id, o);
            b.data(o, 1, 20);
            b.data(b.spoofed(v6, srcs[0][0], srcs[0][1], p + 3, "udp to port +3, " + what[0]), 1, 20);
        }
    }

    /** The host's own packets through OUTPUT and POSTROUTING: MARK, TOS, TTL/HL, addrtype --src-type LOCAL, TCPMSS, REJECT. */
    static void local(Build b, int p) {
        for (boolean v6 : b.families()) {
            String m = v6 ? "hl" : "ttl", t = v6 ? "HL" : "TTL";
            b.rule(v6, "mangle", "OUTPUT", udp(p + 10) + " -j MARK --set-mark 0x" + Integer.toHexString(b.between(1, 0xfff)));
            b.rule(v6, "mangle", "OUTPUT", udp(p + 10) + " -j TOS --set-tos 0x10/0x3f");
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 10) + " -m mark ! --mark 0x0 -j " + t + " --" + m + "-set " + b.between(10, 40));
            b.rule(v6, "filter", "OUTPUT", "-m addrtype --src-type LOCAL " + udp(p + 10));
            b.rule(v6, "filter", "OUTPUT", "-m addrtype --src-type LOCAL --limit-iface-out " + udp(p + 10));
            b.rule(v6, "filter", "OUTPUT", udp(p + 11) + " -j REJECT");
            b.rule(v6, "filter", "OUTPUT", tcp(p + 13) + " -j REJECT --reject-with tcp-reset");
            b.rule(v6, "filter", "INPUT", "-i lo");
            b.rule(v6, "mangle", "POSTROUTING", "-p tcp --dport " + (p + 12) + " -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu");
            b.rule(v6, "filter", "OUTPUT", "-m tos --tos 0x10/0x3f");
            Flow out = b.flow(v6, UDP, Path.HOST_OUT, p, p + 10, "the host's own datagram to the internet: marked, TOS, TTL");
            b.data(out, Kind.ORIGINAL, 20);
            b.data(out, Kind.REPLY, 30);
            b.data(b.flow(v6, UDP, Path.HOST_LAN, 0, p + 10, "the host's own datagram to the LAN"), 1, 20);
            b.data(b.flow(v6, UDP, Path.HOST_OUT, p + 1, p + 11, "the host's own datagram, REJECT at OUTPUT"), 1, 20);
            Flow syn = b.flow(v6, TCP, Path.HOST_LAN, 0, p + 12, "the host's own SYN to the LAN: clamped to eth1's MTU");
            b.steps.add(Step.tcp(syn, Kind.ORIGINAL, SYN, 31337, 0, 0));
            Flow rst = b.flow(v6, TCP, Path.HOST_OUT, p + 2, p + 13, "the host's own SYN, REJECT tcp-reset at OUTPUT");
            b.steps.add(Step.tcp(rst, Kind.ORIGINAL, SYN, 4711, 0, 0));
        }
    }

    /** ECN --ecn-tcp-ece, --ecn-tcp-cwr, --ecn-ip-ect (IPv4's ipt_ECN): set or cleared on each packet. */
    static void ecnSet(Build b, int p) {
        b.rule(false, "mangle", "POSTROUTING", tcp(p) + " -j ECN --ecn-tcp-ece 1 --ecn-tcp-cwr 0");
        b.rule(false, "mangle", "POSTROUTING", "-p tcp -m tcp --sport " + p + " -j ECN --ecn-tcp-cwr 1");
        b.rule(false, "mangle", "POSTROUTING", udp(p + 1) + " -j ECN --ecn-ip-ect " + b.between(0, 3));
        b.rule(false, "mangle", "POSTROUTING", tcp(p + 2) + " -j ECN --ecn-ip-ect 1 --ecn-tcp-remove");
        b.handshake(b.flow(false, TCP, Path.LAN_OUT, 2, p, "tcp, ECE set, CWR cleared; CWR set on the replies").header(0x02, 0),
                SYN | 0xc0, SYN | ACK, true);
        for (int tos : new int[] {0, 1, 2, 3, 0x10}) b.data(b.flow(false, UDP, Path.LAN_OUT, 3, p + 1, "udp tos " + tos).header(tos, 0), 1, 20);
        b.handshake(b.flow(false, TCP, Path.LAN_OUT, 4, p + 2, "tcp, ECT(1) and the TCP bits removed").header(0x03, 0), SYN | 0xc0, SYN | ACK, false);
    }

    /** -m esp --espspi (ranges, !): -p esp only; a header shorter than 8 bytes hotdrops the packet. */
    static void esp(Build b, int p) {
        for (boolean v6 : b.families()) {
            int lo = b.between(100, 200), hi = lo + b.between(0, 50);
            b.rule(v6, "filter", "FORWARD", "-p esp -m esp --espspi " + lo + ":" + hi + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", "-p esp -m esp ! --espspi 0x1000");
            b.rule(v6, "filter", "FORWARD", "-p esp -m esp --espspi 0x1000 -j DROP");
            b.rule(v6, "filter", "FORWARD", "-p esp");
            for (int spi : new int[] {lo, hi, hi + 1, 0x1000, 7}) {
                Flow f = b.flow(v6, Harness.ESP, Path.LAN_OUT, 2 + spi % 3, 0, "esp spi " + spi);
                b.steps.add(new Step(f, Kind.ORIGINAL, 0, spi, 0, 24, false, 0, 0, 0, 0));
            }
            Flow s = b.flow(v6, Harness.ESP, Path.LAN_OUT, 5, 0, "esp, a 3-byte header");
            b.steps.add(new Step(s, Kind.ORIGINAL, 0, lo, 0, 0, false, 0, 0, 0, Step.SHORT_HEADER));
        }
    }

    /**
     * conntrack's NAT facts (--ctstate SNAT, --ctrepldst the masqueraded address) under MASQUERADE, and the
     * host's own packets: -m state at OUTPUT, NFQUEUE at OUTPUT (dropped, or accepted with --queue-bypass),
     * REJECT at INPUT of its own datagram to itself (answered through lo again).
     */
    static void natState(Build b, int p) {
        for (boolean v6 : b.families()) {
            String lan = v6 ? "fd00:1::/64" : "10.1.0.0/24", pub = v6 ? "2001:db8:0:1::2" : "203.0.113.2";
            b.rule(v6, "nat", "POSTROUTING", "-s " + lan + " -o eth0 " + udp(p) + " -j MASQUERADE");
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate SNAT --ctproto udp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctrepldst " + pub + " --ctorigsrc " + lan + " --ctstatus SEEN_REPLY");
            b.rule(v6, "filter", "FORWARD", "-m conntrack ! --ctstate SNAT,DNAT --ctproto udp --ctorigdstport " + (p + 5));
            b.rule(v6, "filter", "OUTPUT", udp(p + 6) + " -m state --state NEW");
            b.rule(v6, "filter", "OUTPUT", "-p udp -m udp --sport " + (p + 3) + " -m state --state ESTABLISHED");
            b.rule(v6, "filter", "OUTPUT", udp(p + 7) + " -j NFQUEUE --queue-num 4");
            b.rule(v6, "filter", "OUTPUT", udp(p + 8) + " -j NFQUEUE --queue-num 4 --queue-bypass");
            b.rule(v6, "filter", "INPUT", "-i lo " + udp(p + 9) + " -j REJECT");
            b.rule(v6, "filter", "INPUT", "-i lo " + icmp(v6));
            Flow m = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp masqueraded out of eth0");
            b.data(m, Kind.ORIGINAL, 20);
            b.data(m, Kind.REPLY, 30);
            b.data(m, Kind.ORIGINAL, 20);
            Flow n = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 5, "udp not NATed");
            b.data(n, Kind.ORIGINAL, 20);
            b.data(n, Kind.REPLY, 30);
            Flow own = b.flow(v6, UDP, Path.HOST_OUT, p + 3, p + 6, "the host's own datagram and its answer");
            b.data(own, Kind.ORIGINAL, 20);
            b.data(own, Kind.REPLY, 30);
            b.data(own, Kind.ORIGINAL, 20);
            b.data(b.flow(v6, UDP, Path.HOST_OUT, p + 4, p + 7, "the host's own datagram, NFQUEUE at OUTPUT"), 1, 20);
            b.data(b.flow(v6, UDP, Path.HOST_OUT, p + 4, p + 8, "the host's own datagram, NFQUEUE --queue-bypass"), 1, 20);
            Flow self = b.flow(v6, UDP, Path.HOST_OUT, p + 4, p + 9, "the host's datagram to itself, REJECT at INPUT");
            Flow s2 = v6 ? new Flow(self.id, UDP, Scenario.LOCAL, 0, PUBLIC6[0], PUBLIC6[1], p + 4, PUBLIC6[0], PUBLIC6[1], p + 9, self.what)
                    : new Flow(self.id, UDP, Scenario.LOCAL, 0, ScenarioGenerator.PUBLIC, p + 4, ScenarioGenerator.PUBLIC, p + 9, self.what);
            b.flows.set(self.id, s2);
            b.data(s2, 1, 20);
        }
    }
}

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
 * {@code ceil(|MODULES| / 4)} scenarios cover every module once. This class is the scenario being
 * built ({@link Build}: rules of both families, flows, steps); the modules are {@link PacketModules}'
 * and {@link StateModules}'.
 */
final class ModuleScenarioGenerator {
    static final String HOST = ScenarioGenerator6.HOST + """
            # devgroup and realm: eth1 is device group 3, docker0 16; realms on the LAN and part of the internet
            link set dev eth1 group 3
            link set dev docker0 group 16
            route add 10.1.0.0/25 dev eth1 realm 7
            route add 198.51.100.0/27 via 203.0.113.1 dev eth0 realms 2/5
            """;
    /** How many modules one scenario has. */
    static final int PER_SCENARIO = 4;

    /** One module's part of a scenario: its rules and flows, on ports {@code base..base+99}. */
    interface Module {
        void add(Build b, int base);
    }

    record Entry(String name, Module module) {}

    static final List<Entry> MODULES = List.of(
            new Entry("recent", StateModules::recent),
            new Entry("limit", StateModules::limit),
            new Entry("hashlimit", StateModules::hashlimit),
            new Entry("state", StateModules::state),
            new Entry("conntrack", StateModules::conntrack),
            new Entry("connmark", StateModules::connmark),
            new Entry("mark", StateModules::mark),
            new Entry("length", PacketModules::length),
            new Entry("ttl", PacketModules::ttl),
            new Entry("tos", PacketModules::tos),
            new Entry("dscp", PacketModules::dscp),
            new Entry("ecn", PacketModules::ecn),
            new Entry("tcpmss", PacketModules::tcpmss),
            new Entry("pkttype", PacketModules::pkttype),
            new Entry("mac", PacketModules::mac),
            new Entry("quota", StateModules::quota),
            new Entry("multiport", PacketModules::multiport),
            new Entry("iprange", PacketModules::iprange),
            new Entry("addrtype", PacketModules::addrtype),
            new Entry("statistic", StateModules::statistic),
            new Entry("checksum", PacketModules::checksum),
            new Entry("log", StateModules::log),
            new Entry("nfqueue", StateModules::nfqueue),
            new Entry("reject", StateModules::reject),
            new Entry("policy", StateModules::policy),
            new Entry("rpfilter", StateModules::rpfilter),
            new Entry("local", StateModules::local),
            new Entry("ecn-set", PacketModules::ecnSet),
            new Entry("esp", PacketModules::esp),
            new Entry("nat-state", StateModules::natState),
            new Entry("devgroup", PacketModules::devgroup),
            new Entry("realm", PacketModules::realm));

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

    /** {@code g} with {@code f}'s server (a new flow of the same id). */
    static Flow sameServer(Build b, Flow g, Flow f) {
        Flow n = g.ipv6 ? new Flow(g.id, g.protocol, g.clientDevice, g.clientMac, g.clientHi, g.clientLo, g.clientPort, f.dstHi, f.dstLo,
                f.dstPort, g.what) : new Flow(g.id, g.protocol, g.clientDevice, g.clientMac, g.client, g.clientPort, f.dst, f.dstPort, g.what);
        b.flows.set(g.id, n);
        return n;
    }
}

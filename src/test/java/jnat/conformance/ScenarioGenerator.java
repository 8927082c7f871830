package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.wire.Ipv4Address;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded, reproducible scenarios on one host shape ({@link #HOST}): a Docker host (docker0,
 * containers 172.17.0.2-6, published ports, hairpin), a LAN behind it (eth1, 10.1.0.0/24: SNAT with
 * address and port ranges, --random, --random-fully, --persistent, NETMAP both ways, REDIRECT to a
 * local socket), kube-proxy-style service chains (statistic --mode nth, KUBE-MARK-MASQ, MASQUERADE
 * --random-fully) and the internet (eth0, servers in 198.51.100.0/24 via 203.0.113.1). Traffic:
 * TCP handshakes, data, FIN and RST teardowns, refused connections, UDP, ICMP echo, ICMP errors
 * quoting NATed packets in both directions, source port (and echo id) clashes between containers,
 * and packets conntrack deems INVALID (bad checksums, SYN+FIN, stray RST/FIN).
 */
final class ScenarioGenerator {
    static final String HOST = """
            # The conformance harness host: internet on eth0, Docker bridge on docker0, a LAN on eth1.
            link add eth0 type dummy
            link set dev eth0 address 02:00:00:00:01:01 mtu 1500 up
            addr add 203.0.113.2/24 dev eth0
            route add default via 203.0.113.1 dev eth0
            neigh add 203.0.113.1 lladdr 02:00:00:00:01:fe dev eth0
            link add docker0 type dummy
            link set dev docker0 address 02:42:d5:35:3a:3c mtu 1500 up
            addr add 172.17.0.1/16 dev docker0
            neigh add 172.17.0.2 lladdr 02:42:ac:11:00:02 dev docker0
            neigh add 172.17.0.3 lladdr 02:42:ac:11:00:03 dev docker0
            neigh add 172.17.0.4 lladdr 02:42:ac:11:00:04 dev docker0
            neigh add 172.17.0.5 lladdr 02:42:ac:11:00:05 dev docker0
            neigh add 172.17.0.6 lladdr 02:42:ac:11:00:06 dev docker0
            link add eth1 type dummy
            link set dev eth1 address 02:00:00:00:02:01 mtu 1400 up
            addr add 10.1.0.1/24 dev eth1
            neigh add 10.1.0.2 lladdr 02:00:00:00:02:02 dev eth1
            neigh add 10.1.0.3 lladdr 02:00:00:00:02:03 dev eth1
            neigh add 10.1.0.4 lladdr 02:00:00:00:02:04 dev eth1
            neigh add 10.1.0.5 lladdr 02:00:00:00:02:05 dev eth1
            route add unreachable 10.9.0.0/16
            route add prohibit 10.8.0.0/16
            route add blackhole 10.7.0.0/16
            """;
    static final List<String> DEVICES = List.of("eth0", "docker0", "eth1");
    /** The UDP port REDIRECT sends to; a silent socket listens there in the kernel's host. */
    static final int REDIRECT_PORT = 5353;
    /** UDP ports the host's own flows send from; silent sockets listen there so replies draw no error. */
    static final int LOCAL_PORT_BASE = 41000, LOCAL_PORTS = 10;

    /** The UDP port the iprange rule publishes; a silent socket takes what the range leaves to the host. */
    static final int IPRANGE_PORT = 9200;

    static int[] listenerPorts() {
        int[] p = new int[LOCAL_PORTS + 2];
        p[0] = REDIRECT_PORT;
        p[1] = IPRANGE_PORT;
        for (int i = 0; i < LOCAL_PORTS; i++) p[i + 2] = LOCAL_PORT_BASE + i;
        return p;
    }

    static final int TCP = 6, UDP = 17, ICMP = 1, ICMPV6 = 58;
    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
    static final long ROUTER_MAC = 0x0200000001feL;
    static final int PUBLIC = ip("203.0.113.2"), DOCKER_GW = ip("172.17.0.1"), INTERNET_ROUTER = ip("198.51.100.254");
    static final int SERVICE = ip("10.96.0.10");

    private record Publish(int protocol, int hostPort, int container, int containerPort) {}

    private final long seed;
    private SplittableRandom rnd;
    /** Decides the fragmented steps apart from {@link #rnd}, so adding them left the other steps as they were. */
    private SplittableRandom fragRnd;
    private Scenario sc;
    private final List<List<Step>> perFlow = new ArrayList<>();
    private final List<Integer> usedClientPorts = new ArrayList<>();
    private int tsval;
    private int localPorts;

    ScenarioGenerator(long seed) {
        this.seed = seed;
    }

    static int ip(String s) {
        return Ipv4Address.parse(s);
    }

    /** Scenario {@code index} of this generator's seed: the same seed and index give the same scenario. */
    Scenario scenario(int index) {
        begin(index, Integer.MAX_VALUE);
        return finish();
    }

    /**
     * The rules and the flows of scenario {@code index}, at most {@code maxFlows} of them (the same
     * choices as {@link #scenario} up to there), their steps not yet merged: a caller may add flows
     * ({@link ScenarioGenerator6} adds IPv6 ones) before {@link #finish}.
     */
    Scenario begin(int index, int maxFlows) {
        seed(index);

        boolean userlandProxy = rnd.nextBoolean();
        List<Publish> published = new ArrayList<>();
        int nPub = 1 + rnd.nextInt(3);
        for (int i = 0; i < nPub; i++) {
            int proto = rnd.nextInt(4) == 0 ? UDP : TCP;
            published.add(new Publish(proto, 10000 + i * 7 + rnd.nextInt(5), container(), pickInt(80, 8000, 8080, 5432, 53)));
        }
        String lan = pick("none", "snat", "snat-ports", "snat-random", "snat-random-fully", "snat-persistent", "netmap",
                "masquerade-ports");
        boolean dnatRange = rnd.nextInt(4) == 0, matches = rnd.nextInt(4) == 0;
        boolean netmapIn = rnd.nextInt(3) == 0, redirect = rnd.nextInt(3) == 0, kube = rnd.nextInt(3) == 0;
        int snatLo = 0, snatHi = 0, portLo = 0, portHi = 0;
        if (lan.startsWith("snat")) {
            snatLo = ip("203.0.113.10");
            snatHi = snatLo + rnd.nextInt(3);
            if (lan.equals("snat-ports") || rnd.nextBoolean() && !lan.equals("snat")) {
                portLo = 20000 + rnd.nextInt(100);
                portHi = portLo + 5 + rnd.nextInt(200);
            }
        }
        int kubeEvery = 2 + rnd.nextInt(2);
        List<Integer> endpoints = new ArrayList<>();
        for (int i = 0; i < kubeEvery; i++) endpoints.add(ip("172.17.0.2") + i);

        List<String> features = new ArrayList<>();
        features.add(userlandProxy ? "docker" : "docker-hairpin");
        if (!lan.equals("none")) features.add(lan);
        if (netmapIn) features.add("netmap-in");
        if (dnatRange) features.add("dnat-range");
        if (matches) features.add("multiport-iprange-icmp");
        if (redirect) features.add("redirect");
        if (kube) features.add("kube-nth" + kubeEvery);

        StringBuilder r = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n");
        if (kube) {
            r.append(":KUBE-MARK-MASQ - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-WEB - [0:0]\n");
            for (int i = 0; i < endpoints.size(); i++) r.append(":KUBE-SEP-").append(i).append(" - [0:0]\n");
            r.append("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
            r.append("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
        }
        if (netmapIn) r.append("-A PREROUTING -d 100.65.0.0/24 -i eth0 -j NETMAP --to 10.1.0.0/24\n");
        if (matches) {
            r.append("-A PREROUTING -i eth0 -p tcp -m multiport --dports 9100,9101:9103 -j DNAT --to-destination 172.17.0.5:80\n");
            r.append("-A PREROUTING -i eth0 -p udp -m iprange --src-range 198.51.100.10-198.51.100.100 -m udp --dport "
                    + IPRANGE_PORT + " -j DNAT --to-destination 172.17.0.6:53\n");
            r.append("-A PREROUTING -d 203.0.113.3/32 -i eth0 -p icmp -m icmp --icmp-type 8 -j DNAT --to-destination 172.17.0.4\n");
        }
        if (dnatRange) {
            r.append("-A PREROUTING -d 203.0.113.2/32 -i eth0 -p tcp -m tcp --dport 9000 -j DNAT --to-destination 172.17.0.2-172.17.0.4:7000-7002\n");
            r.append("-A PREROUTING -d 203.0.113.2/32 -i eth0 -p udp -m udp --dport 9000 -j DNAT --to-destination 172.17.0.3-172.17.0.6\n");
        }
        if (redirect) r.append("-A PREROUTING -i eth1 -p udp -m udp --dport 53 -j REDIRECT --to-ports " + REDIRECT_PORT + "\n");
        r.append("-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n");
        r.append("-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\n");
        r.append("-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n");
        for (Publish p : published) {
            String proto = p.protocol == TCP ? "tcp" : "udp";
            r.append("-A POSTROUTING -s ").append(Ipv4Address.format(p.container)).append("/32 -d ")
                    .append(Ipv4Address.format(p.container)).append("/32 -p ").append(proto).append(" -m ").append(proto)
                    .append(" --dport ").append(p.containerPort).append(" -j MASQUERADE\n");
        }
        if (lan.startsWith("snat")) {
            String flags = switch (lan) {
                case "snat-random" -> " --random";
                case "snat-random-fully" -> " --random-fully";
                case "snat-persistent" -> " --persistent";
                default -> "";
            };
            String addrs = Ipv4Address.format(snatLo) + (snatHi != snatLo ? "-" + Ipv4Address.format(snatHi) : "");
            if (portLo > 0) { // ports need a protocol; the rest (ICMP) gets the addresses alone
                for (String p : List.of("tcp", "udp")) {
                    r.append("-A POSTROUTING -s 10.1.0.0/24 -o eth0 -p ").append(p).append(" -j SNAT --to-source ")
                            .append(addrs).append(':').append(portLo).append('-').append(portHi).append(flags).append('\n');
                }
            }
            r.append("-A POSTROUTING -s 10.1.0.0/24 -o eth0 -j SNAT --to-source ").append(addrs).append(flags).append('\n');
        } else if (lan.equals("masquerade-ports")) {
            portLo = 30000 + rnd.nextInt(100);
            portHi = portLo + 5 + rnd.nextInt(100);
            for (String p : List.of("tcp", "udp")) {
                r.append("-A POSTROUTING -s 10.1.0.0/24 -o eth0 -p ").append(p).append(" -j MASQUERADE --to-ports ")
                        .append(portLo).append('-').append(portHi).append('\n');
            }
            r.append("-A POSTROUTING -s 10.1.0.0/24 -o eth0 -j MASQUERADE\n");
        } else if (lan.equals("netmap")) {
            r.append("-A POSTROUTING -s 10.1.0.0/24 -o eth0 -j NETMAP --to 100.64.0.0/24\n");
        }
        if (userlandProxy) r.append("-A DOCKER -i docker0 -j RETURN\n");
        for (Publish p : published) {
            String proto = p.protocol == TCP ? "tcp" : "udp";
            r.append("-A DOCKER ").append(userlandProxy ? "! -i docker0 " : "").append("-p ").append(proto).append(" -m ")
                    .append(proto).append(" --dport ").append(p.hostPort).append(" -j DNAT --to-destination ")
                    .append(Ipv4Address.format(p.container)).append(':').append(p.containerPort).append('\n');
        }
        if (kube) {
            r.append("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n");
            r.append("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n");
            r.append("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n");
            r.append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
            r.append("-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web cluster IP\" -m tcp --dport 80 -j KUBE-SVC-WEB\n");
            r.append("-A KUBE-SVC-WEB ! -s 172.17.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ\n");
            for (int i = 0; i < endpoints.size(); i++) {
                int left = endpoints.size() - i;
                r.append("-A KUBE-SVC-WEB ");
                if (left > 1) r.append("-m statistic --mode nth --every ").append(left).append(" --packet 0 ");
                r.append("-j KUBE-SEP-").append(i).append('\n');
            }
            for (int i = 0; i < endpoints.size(); i++) {
                String ep = Ipv4Address.format(endpoints.get(i));
                r.append("-A KUBE-SEP-").append(i).append(" -s ").append(ep).append("/32 -j KUBE-MARK-MASQ\n");
                r.append("-A KUBE-SEP-").append(i).append(" -p tcp -m tcp -j DNAT --to-destination ").append(ep).append(":8080\n");
            }
        }
        r.append("COMMIT\n");
        sc = new Scenario(index, seed, r.toString(), features);

        // Traffic: 3 to 7 flows from the patterns the rules make interesting.
        int n = Math.min(3 + rnd.nextInt(5), maxFlows);
        for (int i = 0; i < n; i++) {
            int pattern = rnd.nextInt(18);
            switch (pattern) {
                case 0, 1 -> containerOut();
                case 2, 3 -> {
                    Publish p = published.get(rnd.nextInt(published.size()));
                    session(newFlow(p.protocol, "eth0", ROUTER_MAC, internetHost(), ephemeral(), PUBLIC, p.hostPort,
                            "internet to published port " + p.hostPort), true);
                }
                case 4 -> {
                    if (userlandProxy) { containerOut(); break; }
                    Publish p = published.get(rnd.nextInt(published.size()));
                    int c = rnd.nextBoolean() ? p.container : container();
                    session(newFlow(p.protocol, "docker0", containerMac(c), c, ephemeral(), PUBLIC, p.hostPort,
                            "hairpin " + Ipv4Address.format(c) + " to published port " + p.hostPort), true);
                }
                case 5 -> clash();
                case 6, 7 -> {
                    if (lan.equals("none")) { containerOut(); break; }
                    lanOut(lan, portLo, portHi);
                }
                case 8 -> {
                    if (!netmapIn) { containerOut(); break; }
                    int host = 2 + rnd.nextInt(4);
                    session(newFlow(pickInt(TCP, UDP, ICMP), "eth0", ROUTER_MAC, internetHost(), ephemeral(),
                            ip("100.65.0.0") + host, pickInt(22, 80, 443), "NETMAP in to 10.1.0." + host), true);
                }
                case 11 -> {
                    if (!dnatRange) { invalid(); break; }
                    int proto = pickInt(TCP, UDP);
                    session(newFlow(proto, "eth0", ROUTER_MAC, internetHost(), ephemeral(), PUBLIC, 9000,
                            "internet to the DNAT range on :9000"), true);
                }
                case 12 -> invalid();
                case 14 -> {
                    if (!matches) { containerOut(); break; }
                    switch (rnd.nextInt(3)) {
                        case 0 -> session(newFlow(TCP, "eth0", ROUTER_MAC, internetHost(), ephemeral(), PUBLIC, 9100 + rnd.nextInt(4),
                                "internet to the multiport DNAT"), true);
                        case 1 -> session(newFlow(UDP, "eth0", ROUTER_MAC, internetHost(), ephemeral(), PUBLIC, IPRANGE_PORT,
                                "internet to the iprange DNAT"), true);
                        default -> session(newFlow(ICMP, "eth0", ROUTER_MAC, internetHost(), 0, ip("203.0.113.3"), 0,
                                "internet pings the icmp-type DNAT"), true);
                    }
                }
                case 13 -> local(published);
                case 15 -> ttlExpires(published, lan, portLo, portHi);
                case 16 -> pingsTheHost();
                case 17 -> tooBig(netmapIn);
                case 9 -> {
                    if (!redirect) { containerOut(); break; }
                    int h = lanHost();
                    Flow f = newFlow(UDP, "eth1", lanMac(h), h, ephemeral(), ip("198.51.100.53"), 53, "REDIRECT to local :" + REDIRECT_PORT);
                    for (int k = 1 + rnd.nextInt(2); k > 0; k--) add(f, Step.data(f, Kind.ORIGINAL, 20 + rnd.nextInt(40)));
                }
                case 10 -> {
                    if (!kube) { containerOut(); break; }
                    boolean fromLan = rnd.nextBoolean();
                    int c = fromLan ? lanHost() : container();
                    Flow f = newFlow(TCP, fromLan ? "eth1" : "docker0", fromLan ? lanMac(c) : containerMac(c), c, ephemeral(),
                            SERVICE, 80, "kube service from " + Ipv4Address.format(c));
                    // Marked for MASQUERADE --random-fully when from outside the cluster, or back to itself.
                    if (fromLan || endpoints.contains(c)) f.random(1024, 65535);
                    session(f, true);
                }
                default -> containerOut();
            }
        }
        return sc;
    }

    private void seed(int index) {
        long s = new SplittableRandom(seed).split().nextLong() ^ (index * 0x9e3779b97f4a7c15L);
        rnd = new SplittableRandom(s);
        fragRnd = new SplittableRandom(s ^ 0x6672616773L);
        perFlow.clear();
        usedClientPorts.clear();
        localPorts = 0;
        tsval = rnd.nextInt(1 << 30);
    }

    /**
     * Begins {@code sc}, a scenario whose rules another generator wrote ({@link NftScenarioGenerator}), with
     * this generator's random choices for its index: flows are added with {@link #newFlow4}, {@link #newFlow6}
     * and {@link #session}, and merged by {@link #finish}.
     */
    Scenario begin(Scenario sc) {
        seed(sc.index);
        this.sc = sc;
        return sc;
    }

    /** Merges the flows' steps into the scenario begun last. */
    Scenario finish() {
        interleave();
        return sc;
    }

    // ---- flows -------------------------------------------------------------------------------

    /** The generator of the fragmented steps of the scenario begun last (apart from {@link #random()}). */
    SplittableRandom fragRandom() {
        return fragRnd;
    }

    /** The random generator of the scenario begun last (a caller adding flows draws from it too). */
    SplittableRandom random() {
        return rnd;
    }

    /** Adds an IPv6 flow to the scenario begun last; {@code protocol} 58: ICMPv6 echo (a random id). */
    Flow newFlow6(int protocol, String dev, long mac, long[] client, int clientPort, long[] dst, int dstPort, String what) {
        boolean icmp = protocol == ICMPV6;
        Flow f = new Flow(sc.flows.size(), protocol, dev, mac, client[0], client[1], icmp ? rnd.nextInt(65536) : clientPort,
                dst[0], dst[1], icmp ? 0 : dstPort, (protocol == TCP ? "tcp6 " : protocol == UDP ? "udp6 " : "icmp6 ") + what);
        sc.flows.add(f);
        perFlow.add(new ArrayList<>());
        return f;
    }

    /** Adds an IPv4 flow to the scenario begun last ({@link ScenarioGenerator6}'s neighbours the host file lacks). */
    Flow newFlow4(int protocol, String dev, long mac, int client, int clientPort, int dst, int dstPort, String what) {
        return newFlow(protocol, dev, mac, client, clientPort, dst, dstPort, what);
    }

    private Flow newFlow(int protocol, String dev, long mac, int client, int clientPort, int dst, int dstPort, String what) {
        Flow f = new Flow(sc.flows.size(), protocol, dev, mac, client, protocol == ICMP ? rnd.nextInt(65536) : clientPort,
                dst, protocol == ICMP ? 0 : dstPort, (protocol == TCP ? "tcp " : protocol == UDP ? "udp " : "icmp ") + what);
        sc.flows.add(f);
        perFlow.add(new ArrayList<>());
        return f;
    }

    void add(Flow f, Step s) {
        perFlow.get(f.id).add(s);
    }

    private void containerOut() {
        int c = container();
        session(newFlow(pickInt(TCP, TCP, UDP, ICMP), "docker0", containerMac(c), c, ephemeral(), internetHost(),
                pickInt(80, 443, 53, 123, 8443), "container " + Ipv4Address.format(c) + " out (MASQUERADE)"), true);
    }

    /**
     * The host's own traffic (OUTPUT, then POSTROUTING): ping and UDP to the internet and to containers
     * (answered: the answers are delivered to the host), TCP SYNs to the internet and to its own
     * published port (DNAT in OUTPUT); unanswered, as the kernel would reset a connection no socket holds.
     */
    private void local(List<Publish> published) {
        int kind = rnd.nextInt(6);
        Publish p = published.get(rnd.nextInt(published.size()));
        int udpPort = LOCAL_PORT_BASE + localPorts++ % LOCAL_PORTS;
        Flow f = switch (kind) {
            case 0 -> newFlow(ICMP, Scenario.LOCAL, 0, PUBLIC, 0, internetHost(), 0, "host pings the internet");
            case 1 -> newFlow(UDP, Scenario.LOCAL, 0, PUBLIC, udpPort, internetHost(), pickInt(53, 123), "host to the internet");
            case 2 -> newFlow(UDP, Scenario.LOCAL, 0, DOCKER_GW, udpPort, container(), 53, "host to a container");
            case 3 -> newFlow(TCP, Scenario.LOCAL, 0, PUBLIC, ephemeral(), internetHost(), 443, "host connects to the internet");
            case 4 -> newFlow(UDP, Scenario.LOCAL, 0, DOCKER_GW, udpPort, PUBLIC, LOCAL_PORT_BASE + rnd.nextInt(LOCAL_PORTS),
                    "host to itself (through lo)");
            default -> newFlow(p.protocol, Scenario.LOCAL, 0, PUBLIC, p.protocol == UDP ? udpPort : ephemeral(), PUBLIC,
                    p.hostPort, "host to its own published port " + p.hostPort);
        };
        if (f.protocol == TCP) {
            add(f, Step.tcp(f, Kind.ORIGINAL, SYN, rnd.nextInt(), 0, 0));
            if (rnd.nextBoolean()) add(f, perFlow.get(f.id).getFirst()); // retransmitted
        } else {
            session(f, true);
        }
    }

    /**
     * Packets whose TTL runs out at the host (a traceroute's first hop): the host answers time
     * exceeded to the sender, quoting the packet as PREROUTING left it; the error belongs to the
     * connection and is translated on its way out. Before the connection (its first packet) or in
     * it, in either direction.
     */
    private void ttlExpires(List<Publish> published, String lan, int portLo, int portHi) {
        Flow f;
        int c = container();
        switch (rnd.nextInt(3)) {
            case 0 -> f = newFlow(pickInt(TCP, UDP, ICMP), "docker0", containerMac(c), c, ephemeral(), internetHost(),
                    pickInt(33434, 80, 53), "traceroute from container " + Ipv4Address.format(c));
            case 1 -> {
                Publish p = published.get(rnd.nextInt(published.size()));
                f = newFlow(p.protocol, "eth0", ROUTER_MAC, internetHost(), ephemeral(), PUBLIC, p.hostPort,
                        "traceroute to published port " + p.hostPort);
            }
            default -> {
                int h = lanHost();
                f = newFlow(pickInt(UDP, ICMP), "eth1", lanMac(h), h, ephemeral(), internetHost(), 33434,
                        "traceroute from LAN " + Ipv4Address.format(h));
                lanRandom(f, lan, portLo, portHi);
            }
        }
        if (f.protocol == TCP) add(f, Step.tcp(f, Kind.ORIGINAL, SYN, rnd.nextInt(), 0, 0).mangled(Step.TTL_ONE));
        else if (f.protocol == UDP) add(f, Step.data(f, Kind.ORIGINAL, 8 + rnd.nextInt(1000)).mangled(Step.TTL_ONE));
        else add(f, Step.echo(f, Kind.ORIGINAL, 1).mangled(Step.TTL_ONE));
        if (rnd.nextBoolean()) return;
        session(f, false);
        if (f.protocol == UDP && rnd.nextBoolean()) {
            // in the connection: the client's packet, or the server's answer, expires here
            add(f, Step.data(f, rnd.nextBoolean() ? Kind.ORIGINAL : Kind.REPLY, 8 + rnd.nextInt(600)).mangled(Step.TTL_ONE));
        } else if (f.protocol == ICMP && rnd.nextBoolean()) {
            add(f, Step.echo(f, Kind.ORIGINAL, 9).mangled(Step.TTL_ONE));
        }
    }

    /** Echo requests to the host's own addresses (on the device they come in on, or another): it answers. */
    private void pingsTheHost() {
        int[] own = {PUBLIC, DOCKER_GW, ip("10.1.0.1")};
        int to = own[rnd.nextInt(own.length)];
        Flow f = switch (rnd.nextInt(3)) {
            case 0 -> {
                int c = container();
                yield newFlow(ICMP, "docker0", containerMac(c), c, 0, to, 0, "container pings the host's " + Ipv4Address.format(to));
            }
            case 1 -> {
                int h = lanHost();
                yield newFlow(ICMP, "eth1", lanMac(h), h, 0, to, 0, "LAN pings the host's " + Ipv4Address.format(to));
            }
            default -> newFlow(ICMP, "eth0", ROUTER_MAC, internetHost(), 0, PUBLIC, 0, "internet pings the host");
        };
        int pings = 1 + rnd.nextInt(3);
        for (int i = 1; i <= pings; i++) {
            Step s = Step.echo(f, Kind.ORIGINAL, i);
            add(f, rnd.nextInt(4) == 0 ? s.mangled(Step.TTL_ONE) : s); // delivered: TTL 1 is no matter
        }
    }

    /**
     * A packet with DF set larger than eth1's MTU (1400) on its way to the LAN: the host answers
     * fragmentation needed with the next-hop MTU. From a container (masqueraded: the error comes
     * before POSTROUTING, so about the packet as the container sent it), or from the internet
     * through NETMAP (the error is translated back to the address the sender used).
     */
    private void tooBig(boolean netmapIn) {
        Flow f;
        if (netmapIn && rnd.nextBoolean()) {
            int host = 2 + rnd.nextInt(4);
            f = newFlow(UDP, "eth0", ROUTER_MAC, internetHost(), ephemeral(), ip("100.65.0.0") + host, 5004,
                    "too big for eth1, NETMAP in to 10.1.0." + host);
        } else {
            int c = container();
            f = newFlow(UDP, "docker0", containerMac(c), c, ephemeral(), lanHost(), 5004,
                    "too big for eth1, container " + Ipv4Address.format(c) + " to the LAN");
        }
        add(f, Step.data(f, Kind.ORIGINAL, 1380 + rnd.nextInt(80)));
        if (rnd.nextBoolean()) session(f, false); // then sizes that fit
    }

    /** Two containers open the same source port (or echo id) to the same server: the second is remapped. */
    private void clash() {
        int proto = pickInt(TCP, UDP, ICMP);
        int c1 = container(), c2;
        do c2 = container(); while (c2 == c1);
        int port = ephemeral(), server = internetHost(), dport = pickInt(80, 443, 53);
        Flow a = newFlow(proto, "docker0", containerMac(c1), c1, port, server, dport, "clash first " + Ipv4Address.format(c1));
        Flow b = newFlow(proto, "docker0", containerMac(c2), c2, port, server, dport, "clash second " + Ipv4Address.format(c2));
        if (proto == ICMP) {
            b = replaceClientPort(b, a.clientPort);
            b.random(0, 65535);
        } else {
            b.random(1024, 65535);
        }
        session(a, true);
        session(b, true);
    }

    Flow replaceClientPort(Flow f, int port) {
        Flow g = f.withClientPort(port);
        sc.flows.set(f.id, g);
        return g;
    }

    private void lanOut(String lan, int portLo, int portHi) {
        int h = lanHost();
        int proto = pickInt(TCP, TCP, UDP, ICMP);
        int sport = ephemeral();
        if (portLo > 0 && proto != ICMP && rnd.nextBoolean()) sport = portLo + rnd.nextInt(portHi - portLo + 1);
        Flow f = newFlow(proto, "eth1", lanMac(h), h, sport, internetHost(), pickInt(80, 443, 53), "LAN " + Ipv4Address.format(h) + " out (" + lan + ")");
        lanRandom(f, lan, portLo, portHi);
        session(f, true);
    }

    /** Where the LAN's source NAT may choose {@code f}'s port (or echo id) at random. */
    private static void lanRandom(Flow f, String lan, int portLo, int portHi) {
        int proto = f.protocol;
        boolean randomAll = lan.equals("snat-random") || lan.equals("snat-random-fully");
        int port = f.clientPort;
        if (portLo > 0 && proto != ICMP) {
            if (randomAll || port < portLo || port > portHi) f.random(portLo, portHi);
        } else if (randomAll) {
            if (proto == ICMP) f.random(0, 65535);
            else f.random(1024, 65535);
        }
    }

    private void invalid() {
        int c = container();
        int kind = rnd.nextInt(6);
        int proto = kind <= 2 ? TCP : UDP;
        String[] what = {"SYN+FIN", "stray RST/FIN", "SYN, bad checksum", "bad UDP checksum", "bad IP checksum", "UDP checksum 0"};
        Flow f = newFlow(proto, "docker0", containerMac(c), c, ephemeral(), internetHost(), 80,
                "odd packet (" + what[kind] + ") from " + Ipv4Address.format(c));
        int seq = rnd.nextInt();
        switch (kind) {
            case 0 -> add(f, Step.tcp(f, Kind.ORIGINAL, SYN | FIN, seq, 0, 0));
            case 1 -> add(f, Step.tcp(f, Kind.ORIGINAL, pickInt(RST, FIN | ACK, RST | ACK), seq, rnd.nextInt(), 0));
            case 2 -> add(f, Step.tcp(f, Kind.ORIGINAL, SYN, seq, 0, 0).mangled(Step.BAD_L4_CHECKSUM));
            case 3 -> add(f, Step.data(f, Kind.ORIGINAL, 10 + rnd.nextInt(30)).mangled(Step.BAD_L4_CHECKSUM));
            case 4 -> add(f, Step.data(f, Kind.ORIGINAL, 10 + rnd.nextInt(30)).mangled(Step.BAD_IP_CHECKSUM));
            default -> add(f, Step.data(f, Kind.ORIGINAL, 10 + rnd.nextInt(30)).mangled(Step.NO_UDP_CHECKSUM));
        }
        // And the same flow done right afterwards, sometimes.
        if (rnd.nextBoolean()) session(f, false);
    }

    /** A conversation on {@code f}: TCP handshake, data, teardown; UDP request/answer; ping. */
    void session(Flow f, boolean allowErrors) {
        switch (f.protocol) {
            case TCP -> tcpSession(f, allowErrors);
            case UDP -> {
                int rounds = 1 + rnd.nextInt(3);
                for (int i = 0; i < rounds; i++) {
                    add(f, Step.data(f, Kind.ORIGINAL, 8 + rnd.nextInt(200)));
                    fragmented(f, 0);
                    int what = allowErrors ? rnd.nextInt(8) : 0;
                    if (what == 6) {
                        add(f, portUnreachable(f, Kind.ERROR_ABOUT_ORIGINAL));
                        return;
                    }
                    if (what == 7 && !f.clientDevice.equals("eth0")) {
                        add(f, routerError(f));
                        continue;
                    }
                    if (what == 5) continue; // unanswered
                    add(f, Step.data(f, Kind.REPLY, 8 + rnd.nextInt(400)));
                    fragmented(f, 0);
                    if (what == 4 && allowErrors) {
                        add(f, portUnreachable(f, Kind.ERROR_ABOUT_REPLY)); // the client has gone
                        return;
                    }
                }
            }
            default -> {
                int pings = 1 + rnd.nextInt(3);
                for (int i = 1; i <= pings; i++) {
                    add(f, Step.echo(f, Kind.ORIGINAL, i));
                    if (allowErrors && rnd.nextInt(6) == 0 && !f.clientDevice.equals("eth0")) {
                        add(f, routerError(f));
                        return;
                    }
                    if (rnd.nextInt(5) != 0) add(f, Step.echo(f, Kind.REPLY, i));
                }
                fragmented(f, 100);
            }
        }
    }

    /**
     * Sometimes a large datagram of {@code f} (UDP, or an echo numbered from {@code seq}) each way as
     * fragments: of 8 to 1376 bytes, in order or last first, DF as the flow sends it. Not for flows
     * whose NAT port is random (a fragment's checksum does not cover its data alone) or the host's own.
     */
    private void fragmented(Flow f, int seq) {
        if (f.isRandom() || f.clientDevice.equals(Scenario.LOCAL) || fragRnd.nextInt(4) != 0) return;
        int length = 1200 + fragRnd.nextInt(3000);
        int size = fragmentSize(8 * (1 + fragRnd.nextInt(185)), f.ipv6);
        boolean reversed = fragRnd.nextBoolean();
        add(f, Step.fragmented(f, Kind.ORIGINAL, seq, length, size, reversed));
        if (fragRnd.nextBoolean()) {
            add(f, Step.fragmented(f, Kind.REPLY, seq, length + 100, fragmentSize(8 * (1 + fragRnd.nextInt(185)), f.ipv6),
                    !reversed));
        }
    }

    /** A fragment's data size that fits every link of the lab, eth1's 1400-byte MTU included (an AF_PACKET send of a bigger frame fails). */
    static int fragmentSize(int drawn, boolean ipv6) {
        int header = ipv6 ? 40 + 8 : 20; // IPv6: the fixed header and the fragment header
        return Math.min(drawn, 1400 - header - (1400 - header) % 8);
    }

    private void tcpSession(Flow f, boolean allowErrors) {
        int c = rnd.nextInt(), s = rnd.nextInt();
        add(f, Step.tcp(f, Kind.ORIGINAL, SYN, c, 0, 0));
        if (rnd.nextInt(8) == 0) add(f, Step.tcp(f, Kind.ORIGINAL, SYN, c, 0, 0)); // retransmitted
        int start = rnd.nextInt(10);
        if (start == 0) return; // unanswered SYN
        if (start == 1) {
            add(f, Step.tcp(f, Kind.REPLY, RST | ACK, 0, c + 1, 0)); // connection refused
            return;
        }
        if (start == 2 && allowErrors && !f.clientDevice.equals("eth0")) {
            add(f, routerError(f));
            return;
        }
        add(f, Step.tcp(f, Kind.REPLY, SYN | ACK, s, c + 1, 0));
        c++;
        s++;
        add(f, Step.tcp(f, Kind.ORIGINAL, ACK, c, s, 0));
        int rounds = rnd.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            int len = 1 + rnd.nextInt(600);
            add(f, Step.tcp(f, Kind.ORIGINAL, PSH | ACK, c, s, len));
            c += len;
            int back = rnd.nextInt(900);
            if (back > 0) {
                add(f, Step.tcp(f, Kind.REPLY, PSH | ACK, s, c, back));
                s += back;
            } else {
                add(f, Step.tcp(f, Kind.REPLY, ACK, s, c, 0));
            }
            add(f, Step.tcp(f, Kind.ORIGINAL, ACK, c, s, 0));
        }
        if (rnd.nextInt(8) == 0 && !(f.ipv6 ? ScenarioGenerator6.isPublic6(f) : f.dst == PUBLIC)) {
            // Far outside the receiver's window: conntrack lets it pass untracked, so not NATed.
            // (Not to the host's own address: there the kernel would answer with a RST.)
            add(f, Step.tcp(f, Kind.ORIGINAL, PSH | ACK, c + 0x40000000, s, 100).mangled(Step.OUT_OF_WINDOW));
        }
        boolean reopen = allowErrors && rnd.nextInt(6) == 0;
        switch (rnd.nextInt(5)) {
            case 0, 1 -> { // the client closes first
                add(f, Step.tcp(f, Kind.ORIGINAL, FIN | ACK, c, s, 0));
                add(f, Step.tcp(f, Kind.REPLY, FIN | ACK, s, c + 1, 0));
                add(f, Step.tcp(f, Kind.ORIGINAL, ACK, c + 1, s + 1, 0));
            }
            case 2 -> { // the server closes first
                add(f, Step.tcp(f, Kind.REPLY, FIN | ACK, s, c, 0));
                add(f, Step.tcp(f, Kind.ORIGINAL, FIN | ACK, c, s + 1, 0));
                add(f, Step.tcp(f, Kind.REPLY, ACK, s + 1, c + 1, 0));
            }
            case 3 -> add(f, rnd.nextBoolean() ? Step.tcp(f, Kind.ORIGINAL, RST | ACK, c, s, 0)
                    : Step.tcp(f, Kind.REPLY, RST | ACK, s, c, 0));
            default -> { // left established
                return;
            }
        }
        if (reopen) tcpSession(f, false); // the same 4-tuple again: conntrack reopens a closed connection
    }

    /** The peer's port unreachable about the flow's last packet of {@code kind}'s direction. */
    private static Step portUnreachable(Flow f, Kind kind) {
        return f.ipv6 ? Step.error(f, kind, 1, 4, 0) : Step.error(f, kind, 3, 3, 0);
    }

    /** An ICMP error from a router on the way about the last original-direction packet. */
    Step routerError(Flow f) {
        if (f.ipv6) return ScenarioGenerator6.routerError6(f, rnd);
        int[][] kinds = {{3, 1}, {3, 0}, {11, 0}, {3, 4}, {3, 13}};
        int[] k = kinds[rnd.nextInt(kinds.length)];
        int rest = k[1] == 4 ? 1280 + rnd.nextInt(200) : 0; // next-hop MTU of a frag-needed
        return rnd.nextBoolean() ? Step.error(f, Kind.ERROR_ABOUT_ORIGINAL, k[0], k[1], INTERNET_ROUTER).mangled(0)
                .withRest(rest) : Step.shortError(f, Kind.ERROR_ABOUT_ORIGINAL, k[0], k[1], INTERNET_ROUTER, rest);
    }

    /** Merges the flows' steps at random, each flow in order, flows starting in creation order. */
    private void interleave() {
        int[] next = new int[perFlow.size()];
        int started = 0;
        while (true) {
            List<Integer> ready = new ArrayList<>();
            for (int i = 0; i < started; i++) if (next[i] < perFlow.get(i).size()) ready.add(i);
            if (started < perFlow.size()) ready.add(started);
            if (ready.isEmpty()) break;
            int i = ready.get(rnd.nextInt(ready.size()));
            if (i == started) started++;
            if (next[i] < perFlow.get(i).size()) sc.steps.add(perFlow.get(i).get(next[i]++));
        }
    }

    // ---- choices -----------------------------------------------------------------------------

    private int container() {
        return ip("172.17.0.2") + rnd.nextInt(5);
    }

    private static long containerMac(int addr) {
        return 0x0242ac110000L | (addr & 0xff);
    }

    private int lanHost() {
        return ip("10.1.0.2") + rnd.nextInt(4);
    }

    private static long lanMac(int addr) {
        return 0x020000000200L | (addr & 0xff);
    }

    private int internetHost() {
        return ip("198.51.100.10") + rnd.nextInt(190);
    }

    /** A fresh ephemeral port (Linux's 32768-60999), never one an earlier flow of this scenario used. */
    int ephemeral() {
        int p;
        do p = 32768 + rnd.nextInt(60999 - 32768 + 1); while (usedClientPorts.contains(p));
        usedClientPorts.add(p);
        return p;
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[rnd.nextInt(choices.length)];
    }

    private int pickInt(int... choices) {
        return choices[rnd.nextInt(choices.length)];
    }
}

package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.nat.NatEngine;
import jnat.nft.Nft;
import jnat.nft.NftRuleset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static jnat.conformance.ScenarioGenerator.ICMP;
import static jnat.conformance.ScenarioGenerator.ICMPV6;
import static jnat.conformance.ScenarioGenerator.ROUTER_MAC;
import static jnat.conformance.ScenarioGenerator.TCP;
import static jnat.conformance.ScenarioGenerator.UDP;
import static jnat.conformance.ScenarioGenerator.ip;
import static jnat.conformance.ScenarioGenerator6.addr;

/**
 * Scenarios with nf_tables rulesets, loaded on the kernel's side with {@code nft -f} in the router
 * namespace and on jnat's with {@link NatEngine#setNftRuleset}, on the dual-stack harness host
 * ({@link ScenarioGenerator6#HOST}). Five kinds, in turn by index:
 * <ul>
 * <li>{@code moby}: one of moby's nftablesdoc rulesets (Docker 29's nftables firewall backend, a table ip
 * docker-bridges), its second bridge {@code bridge1} (192.0.2.0/24, which live tests must not use) moved to
 * the host's LAN on eth1 (10.1.0.0/24) and nat-OUTPUT's {@code priority dstnat} written -100 (nft 1.0.6
 * takes the name at prerouting only);
 * <li>{@code moby6}: the same ruleset as the table ip6 dockerd writes beside it (ip6 matches, the ULAs);
 * <li>{@code kube-proxy}: kube-proxy's nftables mode: its base rules (pkg/proxy/nftables, {@code baseRules})
 * with services in the shape its proxier writes (service-ips and service-nodeports verdict maps on
 * {@code ip daddr . meta l4proto . th dport}, mark-for-masquerade, {@code masquerade fully-random},
 * {@code numgen ... mod N vmap} to the endpoints, services without endpoints rejected through reject-chain);
 * <li>{@code hand}: a table inet written for this, with interval, concatenated and named sets, verdict
 * maps on {@code iifname . oifname}, {@code fib}, {@code ct state}/{@code status}/{@code mark set},
 * {@code meta mark set}, {@code numgen inc}, {@code limit}, {@code quota}, {@code reject} in its forms,
 * dnat/snat/masquerade/redirect for both families;
 * <li>{@code mixed}: iptables-nft's tables (iptables-restore: nat and filter) and native ip and inet tables
 * at priorities around them.
 * </ul>
 * Multi-endpoint services use {@code numgen inc} where kube-proxy writes {@code numgen random}: the kernel's
 * random pick cannot be compared (single-endpoint ones keep {@code random mod 1}, as kube-proxy writes them).
 * After the steps, every native table's {@code nft list table} (its counters, quotas' use) is compared with
 * jnat's listing ({@link #compareListings}).
 */
final class NftScenarioGenerator {
    static final String[] KINDS = {"moby", "moby6", "kube-proxy", "hand", "mixed"};
    private static final String[] MOBY = {"usernet-portmap", "usernet-portmap-noicc", "usernet-portmap-natunprot",
            "usernet-portmap-noproxy", "usernet-portmap-routed", "new-daemon"};
    static final int PUBLIC = ip("203.0.113.2");
    /**
     * The dual-stack harness host with device groups and route realms for the meta-keys chains (iifgroup,
     * oifgroup, rtclassid): eth1 in group 3, docker0 in 16, half the LAN in realm 7, part of the internet
     * in realms 2/5, as ModuleScenarioGenerator's host has them.
     */
    static final String HOST = ScenarioGenerator6.HOST + """
            link set dev eth1 group 3
            link set dev docker0 group 16
            route add 10.1.0.0/25 dev eth1 realm 7
            route add 198.51.100.0/27 via 203.0.113.1 dev eth0 realms 2/5
            """;
    static final long[] PUBLIC6 = ScenarioGenerator6.PUBLIC6;

    private final long seed;
    private final ScenarioGenerator gen;
    private SplittableRandom rnd;

    NftScenarioGenerator(long seed) {
        this.seed = seed;
        this.gen = new ScenarioGenerator(seed);
    }

    /** jnat's side of a scenario's nft ruleset: parsed as nft -f parses it and set on the engine. */
    static NftRuleset load(NatEngine engine, Scenario sc) {
        NftRuleset rs;
        try {
            rs = Nft.parse("scenario.nft", sc.nft);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(sc + ": jnat nft refuses the ruleset:\n" + e.getMessage() + "\n" + sc.nft, e);
        }
        engine.setNftRuleset(rs);
        return rs;
    }

    /** nft list table of every native table, the kernel's and jnat's (set elements' expiry times aside). */
    static List<String> compareListings(Scenario sc, KernelLab kernel, NftRuleset rs) {
        List<String> bad = new ArrayList<>();
        for (String line : Nft.run(rs, List.of("list", "tables")).out().lines().toList()) {
            String[] w = line.split(" ");
            String k = timeless(kernel.nftListing(w[1], w[2]));
            String j = timeless(Nft.run(rs, List.of("list", "table", w[1], w[2])).out());
            if (!k.equals(j)) bad.add(sc + ": nft list table " + w[1] + " " + w[2] + " differs\n--- kernel\n" + k + "--- jnat\n" + j);
        }
        return bad;
    }

    /**
     * The listing without set elements' expiry times, each elements block's elements sorted: a hash set's
     * dump follows its buckets, which the kernel seeds at random (nft_hash_init, rhashtable), so two loads
     * of one ruleset list them in different orders.
     */
    static String timeless(String listing) {
        String s = listing.replaceAll(" expires [0-9hms.]+", "");
        StringBuilder out = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("elements = \\{ ([^}]*) \\}").matcher(s);
        int at = 0;
        while (m.find()) {
            List<String> els = new ArrayList<>();
            for (String e : m.group(1).split(",\\s*")) els.add(e.strip());
            java.util.Collections.sort(els);
            out.append(s, at, m.start()).append("elements = { ").append(String.join(", ", els)).append(" }");
            at = m.end();
        }
        return out.append(s.substring(at)).toString();
    }

    /** Scenario {@code index}: the same seed and index give the same scenario. */
    Scenario scenario(int index) {
        String kind = KINDS[index % KINDS.length];
        rnd = new SplittableRandom(seed * 31 + index);
        Scenario sc;
        switch (kind) {
            case "moby" -> {
                String file = MOBY[rnd.nextInt(MOBY.length)];
                sc = new Scenario(index, seed, "", List.of("nft moby " + file));
                sc.nft = moby(file);
                gen.begin(sc);
                mobyFlows(false, file);
            }
            case "moby6" -> {
                String file = MOBY[rnd.nextInt(MOBY.length)];
                sc = new Scenario(index, seed, "", List.of("nft moby ip6 " + file));
                sc.nft = moby6(moby(file));
                gen.begin(sc);
                mobyFlows(true, file);
            }
            case "kube-proxy" -> {
                int services = 2 + rnd.nextInt(3);
                sc = new Scenario(index, seed, "", List.of("nft kube-proxy " + services + " services"));
                sc.nft = kubeProxy(services);
                gen.begin(sc);
                kubeFlows(services);
            }
            case "hand" -> {
                sc = new Scenario(index, seed, "", List.of("nft inet every expression"));
                sc.nft = HAND;
                gen.begin(sc);
                handFlows();
            }
            default -> {
                sc = new Scenario(index, seed, MIXED_IPTABLES, List.of("iptables-nft and native nft tables"));
                sc.nft = MIXED_NFT;
                gen.begin(sc);
                mixedFlows();
            }
        }
        return gen.finish();
    }

    // ---- rulesets ----------------------------------------------------------------------------

    static String moby(String file) {
        try {
            return Files.readString(Path.of("src/test/resources/nft/moby/" + file + ".nft"))
                    .replace("hook output priority dstnat;", "hook output priority -100;")
                    .replace("bridge1", "eth1").replace("192.0.2.0/24", "10.1.0.0/24").replace("192.0.2.2", "10.1.0.2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ip6 table dockerd writes beside the ip one: the same chains over ip6 matches and the ULAs. */
    static String moby6(String ip) {
        return ip.replace("table ip ", "table ip6 ").replace("ip saddr", "ip6 saddr").replace("ip daddr", "ip6 daddr")
                .replace("ip protocol icmp", "meta l4proto ipv6-icmp")
                .replace("127.0.0.0/8", "::1").replace("172.17.0.0/16", "fd49:efd7:54aa::/64").replace("10.1.0.0/24", "fd00:1::/64")
                .replace("10.1.0.2:80", "[fd00:1::2]:80").replace("10.1.0.2", "fd00:1::2");
    }

    /** kube-proxy's base rules, its cluster CIDR the lab's 10.96.0.0/16, the node's address the host's. */
    static String kubeBase() {
        try {
            return Files.readString(Path.of("src/test/resources/nft/kube-proxy/base.nft"))
                    .replace("172.30.0.0/16", "10.96.0.0/16").replace("192.168.0.2", "203.0.113.2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last of three or more services has no endpoints. */
    private static boolean noEndpoints(int s, int services) {
        return s == services - 1 && services > 2;
    }

    /**
     * Odd services are UDP, and so is one without endpoints: its node port's packets are delivered to the
     * host, where a TCP segment the input chain let through (not NEW: an ACK of no connection) would draw
     * the kernel's RST from a host jnat has no sockets for.
     */
    private static boolean udpService(int s, int services) {
        return s % 2 == 1 || noEndpoints(s, services);
    }

    /** Service {@code s}: cluster IP 10.96.0.(10+s) port 80 (tcp) or 53 (udp for odd s), node port 30000+s; endpoints on docker0. */
    private String kubeProxy(int services) {
        StringBuilder sb = new StringBuilder(kubeBase());
        for (int s = 0; s < services; s++) {
            String proto = udpService(s, services) ? "udp" : "tcp";
            int port = udpService(s, services) ? 53 : 80, target = udpService(s, services) ? 5353 : 8080;
            String cip = "10.96.0." + (10 + s), svc = "service-S" + s + "-ns/svc" + s + "/" + proto + "/p" + port;
            String ext = "external-S" + s + "-ns/svc" + s + "/" + proto + "/p" + port;
            int endpoints = noEndpoints(s, services) ? 0 : 1 + (s == 0 ? rnd.nextInt(3) : 0);
            sb.append("\n# svc").append(s).append('\n');
            sb.append("add element ip kube-proxy cluster-ips { ").append(cip).append(" }\n");
            if (endpoints == 0) {
                sb.append("add element ip kube-proxy no-endpoint-services { ").append(cip).append(" . ").append(proto).append(" . ")
                        .append(port).append(" comment \"ns/svc").append(s).append(":p").append(port).append("\" : goto reject-chain }\n");
                sb.append("add element ip kube-proxy no-endpoint-nodeports { ").append(proto).append(" . ").append(30000 + s)
                        .append(" comment \"ns/svc").append(s).append(":p").append(port).append("\" : drop }\n");
                continue;
            }
            sb.append("add chain ip kube-proxy ").append(svc).append('\n');
            sb.append("add rule ip kube-proxy ").append(svc).append(" ip daddr ").append(cip)
                    .append(" ip saddr != 172.17.0.0/16 jump mark-for-masquerade\n");
            StringBuilder vmap = new StringBuilder();
            for (int e = 0; e < endpoints; e++) {
                String ep = "172.17.0." + (2 + s + e);
                String chain = "endpoint-E" + s + e + "-ns/svc" + s + "/" + proto + "/p" + port + "__" + ep + "/" + target;
                sb.append("add chain ip kube-proxy ").append(chain).append('\n');
                sb.append("add rule ip kube-proxy ").append(chain).append(" ip saddr ").append(ep).append(" jump mark-for-masquerade\n");
                sb.append("add rule ip kube-proxy ").append(chain).append(" meta l4proto ").append(proto).append(" dnat to ")
                        .append(ep).append(':').append(target).append('\n');
                vmap.append(e == 0 ? "" : " , ").append(e).append(" : goto ").append(chain);
            }
            sb.append("add rule ip kube-proxy ").append(svc).append(endpoints == 1 ? " numgen random mod 1" : " numgen inc mod " + endpoints)
                    .append(" vmap { ").append(vmap).append(" }\n");
            sb.append("add chain ip kube-proxy ").append(ext).append('\n');
            sb.append("add rule ip kube-proxy ").append(ext).append(" jump mark-for-masquerade\n");
            sb.append("add rule ip kube-proxy ").append(ext).append(" goto ").append(svc).append('\n');
            sb.append("add element ip kube-proxy service-ips { ").append(cip).append(" . ").append(proto).append(" . ").append(port)
                    .append(" : goto ").append(svc).append(" }\n");
            sb.append("add element ip kube-proxy service-nodeports { ").append(proto).append(" . ").append(30000 + s)
                    .append(" : goto ").append(ext).append(" }\n");
        }
        return sb.toString();
    }

    static final String HAND = """
            table inet hand {
            	set blocked4 {
            		type ipv4_addr
            		flags interval
            		elements = { 198.51.100.200-198.51.100.209, 198.51.100.240/28 }
            	}

            	set blocked6 {
            		type ipv6_addr
            		flags interval
            		elements = { 2001:db8:100::c8/125 }
            	}

            	set lan-services {
            		type inet_proto . inet_service
            		elements = { tcp . 443, udp . 53, tcp . 22 }
            	}

            	map forward-jumps {
            		type ifname . ifname : verdict
            		elements = { "eth1" . "eth0" : jump lan-out, "docker0" . "eth0" : jump containers-out }
            	}

            	chain pre {
            		type filter hook prerouting priority -150; policy accept;
            		ip saddr @blocked4 counter drop
            		ip6 saddr @blocked6 counter drop
            		udp dport 7001 meta mark set 0x7 counter
            		meta mark 0x7 ct state new ct mark set meta mark counter
            	}

            	chain nat-pre {
            		type nat hook prerouting priority dstnat; policy accept;
            		fib daddr type local tcp dport 2222 counter dnat ip to 172.17.0.3:22
            		fib daddr type local tcp dport 2222 counter dnat ip6 to [fd49:efd7:54aa::3]:22
            		meta mark 0x7 counter dnat ip to 172.17.0.4
            		ip daddr 203.0.113.2 udp dport 6000-6009 counter dnat ip to 172.17.0.5-172.17.0.6
            		ip6 daddr 2001:db8:0:1::2 udp dport 6000-6009 counter dnat ip6 to fd49:efd7:54aa::5
            		fib daddr type local udp dport 5300 counter redirect to :5353
            	}

            	chain forward {
            		type filter hook forward priority filter; policy drop;
            		ct state established,related counter accept
            		ct state invalid counter drop
            		iifname . oifname vmap @forward-jumps
            		iifname "eth0" oifname "docker0" ct status dnat counter accept
            		iifname "eth0" tcp dport 25 counter reject with tcp reset
            		ip daddr 10.1.0.0/24 counter reject with icmp host-prohibited
            		ip6 daddr fd00:1::/64 counter reject with icmpv6 admin-prohibited
            		counter reject with icmpx admin-prohibited
            	}

            	chain lan-out {
            		meta l4proto . th dport @lan-services counter accept
            		tcp flags & (syn | ack) == syn limit rate 1/minute burst 3 packets counter accept
            		meta l4proto tcp counter reject
            		meta l4proto { udp, icmp, ipv6-icmp } counter accept
            	}

            	chain containers-out {
            		ip daddr 198.51.100.0/24 meta l4proto udp quota 600 bytes counter accept
            		meta l4proto udp counter reject
            		numgen inc mod 2 vmap { 0 : accept, 1 : jump counted }
            	}

            	chain counted {
            		counter accept
            	}

            	chain input {
            		type filter hook input priority filter; policy accept;
            		icmp type echo-request limit rate over 1/minute burst 2 packets counter drop
            		icmpv6 type echo-request limit rate over 1/minute burst 2 packets counter drop
            		udp dport 41005 counter reject
            		ct mark 0x7 counter accept
            	}

            	chain meta-keys-pre {
            		type filter hook prerouting priority -145; policy accept;
            		meta rtclassid 0 counter
            		oifgroup 0 counter
            		iifgroup 3 counter
            		iifgroup "default" counter
            		meta length > 100 counter
            		meta iiftype ether counter
            	}

            	chain meta-keys-fwd {
            		type filter hook forward priority -5; policy accept;
            		iifgroup 3 counter
            		oifgroup 16 counter
            		iifgroup "default" oifgroup != 0 counter
            		meta rtclassid 7 counter
            		meta rtclassid 5 counter
            		meta rtclassid != 0 counter
            		meta length 40-60 counter
            		meta length < 0x100 counter
            		ct l3proto ipv6 counter
            		ct protocol udp counter
            		ct zone 0 counter
            		ct original zone 0 counter
            		ct reply zone 5 counter
            	}

            	chain meta-keys-in {
            		type filter hook input priority 5; policy accept;
            		iifgroup 3 counter
            		oifgroup 0 counter
            		meta rtclassid != 0 counter
            		ct protocol udp counter
            	}

            	chain meta-keys-out {
            		type filter hook output priority 5; policy accept;
            		iifgroup 0 counter
            		oifgroup 3 counter
            		oifgroup "default" counter
            		meta rtclassid 7 counter
            		meta length >= 56 counter
            	}

            	chain post {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "eth0" ip saddr 10.1.0.0/24 counter snat ip to 203.0.113.10-203.0.113.12
            		oifname "eth0" ip saddr 172.17.0.0/16 counter masquerade
            		oifname "eth0" ip6 saddr fd49:efd7:54aa::/64 counter masquerade
            		oifname "eth0" ip6 saddr fd00:1::/64 counter snat ip6 to 2001:db8:0:1::2
            	}
            }
            """;

    static final String MIXED_IPTABLES = String.join("\n",
            "*nat",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
            "-A PREROUTING -d 203.0.113.2/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80",
            "-A POSTROUTING -s 10.1.0.0/24 -o eth0 -j MASQUERADE",
            "COMMIT",
            "*filter",
            ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
            "-A FORWARD -i eth0 -o eth1 -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP",
            "-A FORWARD -o docker0 -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset",
            "COMMIT", "");

    static final String MIXED_NFT = """
            table ip native {
            	chain forward-early {
            		type filter hook forward priority -10; policy accept;
            		ip daddr 172.17.0.0/16 tcp dport != { 22, 80 } ct state new counter drop
            		counter
            	}

            	chain post {
            		type nat hook postrouting priority 50; policy accept;
            		oifname "eth0" ip saddr 172.17.0.0/16 counter masquerade
            	}
            }
            table inet native6 {
            	chain forward {
            		type filter hook forward priority 10; policy accept;
            		meta nfproto ipv6 iifname "eth0" ct status dnat counter accept
            		meta nfproto ipv6 iifname "eth0" ct state new counter drop
            		meta nfproto ipv4 counter
            	}

            	chain pre {
            		type nat hook prerouting priority -100; policy accept;
            		ip6 daddr 2001:db8:0:1::2 tcp dport 8080 counter dnat ip6 to [fd49:efd7:54aa::2]:80
            	}

            	chain post {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "eth0" ip6 saddr { fd00:1::/64, fd49:efd7:54aa::/64 } counter masquerade
            	}
            }
            """;

    // ---- flows -------------------------------------------------------------------------------

    private void mobyFlows(boolean v6, String file) {
        int n = 3 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(7)) {
                case 0, 1 -> containerOut(v6);
                case 2 -> lanOut(v6, false);
                // the host has no sockets of its own in jnat: TCP to it only where the ruleset publishes the port
                case 3 -> {
                    if (publishes(file)) inbound(v6, TCP, 8080, "internet to the published port");
                    else pingHost(v6);
                }
                case 4 -> direct(v6, rnd.nextBoolean() ? 2 : 3, pickInt(80, 22), "internet straight to the LAN host");
                case 5 -> lanToContainer(v6);
                default -> pingHost(v6);
            }
        }
    }

    private static boolean publishes(String mobyFile) {
        return moby(mobyFile).contains("dnat to");
    }

    private void kubeFlows(int services) {
        int n = 3 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            int s = rnd.nextInt(services);
            int proto = udpService(s, services) ? UDP : TCP, port = udpService(s, services) ? 53 : 80;
            switch (rnd.nextInt(6)) {
                case 0, 1 -> { // a pod or a LAN client to the cluster IP
                    boolean lan = rnd.nextBoolean();
                    int c = lan ? lanHost() : container();
                    Flow f = gen.newFlow4(proto, lan ? "eth1" : "docker0", lan ? lanMac(c) : containerMac(c), c, gen.ephemeral(),
                            ip("10.96.0.10") + s, port, "to service " + s + " from " + jnat.wire.Ipv4Address.format(c));
                    // masquerade fully-random: from outside the pods, or a pod hairpinned to itself (any of s's endpoints)
                    if (lan || c >= ip("172.17.0.2") + s && c <= ip("172.17.0.4") + s) f.random(1024, 65535);
                    gen.session(f, true);
                }
                case 2 -> { // the node port from the internet: marked, masqueraded fully-random
                    Flow f = gen.newFlow4(proto, "eth0", ROUTER_MAC, internetHost(), gen.ephemeral(), PUBLIC, 30000 + s,
                            "internet to node port of service " + s);
                    f.random(1024, 65535);
                    gen.session(f, true);
                }
                case 3 -> { // a cluster IP at a port no service has: cluster-ips-check rejects it
                    int c = container();
                    gen.session(gen.newFlow4(TCP, "docker0", containerMac(c), c, gen.ephemeral(), ip("10.96.0.10") + s, 8443,
                            "to service " + s + " at a port it lacks"), false);
                }
                case 4 -> { // an unallocated cluster IP: dropped
                    int c = container();
                    gen.session(gen.newFlow4(UDP, "docker0", containerMac(c), c, gen.ephemeral(), ip("10.96.0.200"), 53,
                            "to an unallocated cluster IP"), false);
                }
                default -> containerOut(false);
            }
        }
    }

    private void handFlows() {
        int n = 4 + rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            boolean v6 = rnd.nextBoolean();
            switch (rnd.nextInt(10)) {
                case 0, 1 -> containerOut(v6);
                case 2, 3 -> lanOut(v6, true);
                case 4 -> inbound(v6, TCP, 2222, "internet to :2222 (dnat to a container's ssh)");
                case 5 -> inbound(v6, UDP, 6000 + rnd.nextInt(10), "internet to the dnat range :6000-6009");
                case 6 -> {
                    if (v6) pingHost(true);
                    else inbound(false, UDP, 7001, "internet to :7001 (marked, dnat by mark)");
                }
                case 7 -> {
                    long[] h6 = lanHost6();
                    Flow f = v6 ? gen.newFlow6(UDP, "eth1", lanMac6(h6), h6, gen.ephemeral(), ScenarioGenerator6.LAN_GW6, 5300,
                            "LAN to the host's :5300 (redirect to :5353)")
                            : gen.newFlow4(UDP, "eth1", lanMac(ip("10.1.0.3")), ip("10.1.0.3"), gen.ephemeral(), ip("10.1.0.1"), 5300,
                            "LAN to the host's :5300 (redirect to :5353)");
                    gen.session(f, false);
                }
                case 8 -> pingHost(v6);
                default -> {
                    if (rnd.nextBoolean()) direct(v6, 2 + rnd.nextInt(3), pickInt(25, 80, 53), "internet straight to the LAN");
                    else inbound(v6, UDP, 41005, "internet to the host's :41005 (reject)");
                }
            }
        }
    }

    private void mixedFlows() {
        int n = 3 + rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            boolean v6 = rnd.nextBoolean();
            switch (rnd.nextInt(6)) {
                case 0, 1 -> containerOut(v6);
                case 2 -> lanOut(v6, false);
                case 3 -> inbound(v6, TCP, 8080, "internet to the published port");
                case 4 -> lanToContainer(v6);
                default -> direct(v6, 2 + rnd.nextInt(3), pickInt(22, 80), "internet straight to the LAN");
            }
        }
    }

    private void containerOut(boolean v6) {
        int proto = pickInt(TCP, TCP, UDP, v6 ? ICMPV6 : ICMP);
        int dport = proto == UDP ? pickInt(53, 123) : 443;
        if (v6) {
            long[] c = container6();
            gen.session(gen.newFlow6(proto, "docker0", containerMac6(c), c, gen.ephemeral(), internetHost6(), dport,
                    "container " + ScenarioGenerator6.format(c) + " out"), true);
        } else {
            int c = container();
            gen.session(gen.newFlow4(proto, "docker0", containerMac(c), c, gen.ephemeral(), internetHost(), dport,
                    "container " + jnat.wire.Ipv4Address.format(c) + " out"), true);
        }
    }

    private void lanOut(boolean v6, boolean services) {
        int proto = pickInt(TCP, TCP, UDP, v6 ? ICMPV6 : ICMP);
        int dport = proto == UDP ? 53 : services ? pickInt(443, 22, 80, 8000) : 443;
        if (v6) {
            long[] h = lanHost6();
            gen.session(gen.newFlow6(proto, "eth1", lanMac6(h), h, gen.ephemeral(), internetHost6(), dport,
                    "LAN " + ScenarioGenerator6.format(h) + " out"), true);
        } else {
            int h = lanHost();
            gen.session(gen.newFlow4(proto, "eth1", lanMac(h), h, gen.ephemeral(), internetHost(), dport,
                    "LAN " + jnat.wire.Ipv4Address.format(h) + " out"), true);
        }
    }

    private void inbound(boolean v6, int proto, int port, String what) {
        gen.session(v6 ? gen.newFlow6(proto, "eth0", ROUTER_MAC, internetHost6(), gen.ephemeral(), PUBLIC6, port, what)
                : gen.newFlow4(proto, "eth0", ROUTER_MAC, internetHost(), gen.ephemeral(), PUBLIC, port, what), true);
    }

    private void direct(boolean v6, int host, int port, String what) {
        int proto = port == 53 ? UDP : TCP;
        if (v6) {
            long[] h = {ScenarioGenerator6.LAN_GW6[0], host};
            gen.session(gen.newFlow6(proto, "eth0", ROUTER_MAC, internetHost6(), gen.ephemeral(), h, port, what), false);
        } else {
            gen.session(gen.newFlow4(proto, "eth0", ROUTER_MAC, internetHost(), gen.ephemeral(), ip("10.1.0.0") + host, port, what),
                    false);
        }
    }

    private void lanToContainer(boolean v6) {
        int port = pickInt(80, 22, 5432);
        if (v6) {
            long[] h = lanHost6();
            gen.session(gen.newFlow6(TCP, "eth1", lanMac6(h), h, gen.ephemeral(), container6(), port, "LAN to a container"), false);
        } else {
            int h = lanHost();
            gen.session(gen.newFlow4(TCP, "eth1", lanMac(h), h, gen.ephemeral(), container(), port, "LAN to a container"), false);
        }
    }

    /** Echo requests to the host (not in fragments: the harness tells the host's own reply by its ICMP header). */
    private void pingHost(boolean v6) {
        Flow f = v6 ? gen.newFlow6(ICMPV6, "eth0", ROUTER_MAC, internetHost6(), 0, PUBLIC6, 0, "ping the host")
                : gen.newFlow4(ICMP, "eth0", ROUTER_MAC, internetHost(), 0, PUBLIC, 0, "ping the host");
        int n = 1 + rnd.nextInt(4);
        for (int i = 1; i <= n; i++) gen.add(f, Scenario.Step.echo(f, Scenario.Kind.ORIGINAL, i));
    }

    private int container() {
        return ip("172.17.0.2") + rnd.nextInt(5);
    }

    private static long containerMac(int a) {
        return 0x0242ac110000L | (a & 0xff);
    }

    private long[] container6() {
        return new long[] {ScenarioGenerator6.CONTAINER[0], ScenarioGenerator6.CONTAINER[1] + rnd.nextInt(5)};
    }

    private static long containerMac6(long[] a) {
        return 0x0242ac110000L | (a[1] & 0xff);
    }

    private int lanHost() {
        return ip("10.1.0.2") + rnd.nextInt(4);
    }

    private static long lanMac(int a) {
        return 0x020000000200L | (a & 0xff);
    }

    private long[] lanHost6() {
        return new long[] {ScenarioGenerator6.LAN_GW6[0], ScenarioGenerator6.LAN_GW6[1] + 1 + rnd.nextInt(4)};
    }

    private static long lanMac6(long[] a) {
        return 0x020000000200L | (a[1] & 0xff);
    }

    private int internetHost() {
        return ip("198.51.100.10") + rnd.nextInt(240); // 200-209 and 240-249 are in blocked4
    }

    private long[] internetHost6() {
        return new long[] {addr("2001:db8:100::")[0], 10 + rnd.nextInt(200)}; // c8-cf are in blocked6
    }

    private int pickInt(int... choices) {
        return choices[rnd.nextInt(choices.length)];
    }
}

package jnat.bench;

/**
 * A kube-proxy (iptables mode) nat table of N services, shaped as proxier.go writes it: each
 * service's cluster IP in KUBE-SERVICES, a KUBE-SVC chain marking off-cluster sources for
 * masquerade and jumping to its endpoint's KUBE-SEP chain, which DNATs; KUBE-POSTROUTING
 * masquerades marked packets. Endpoints live in 198.51.100.0/24 so the seed host routes them.
 */
public final class KubeProxyRules {
    private KubeProxyRules() {}

    /** Service i's cluster IP: 10.96.0.0/16 from .0.1 on. */
    public static int clusterIp(int i) {
        return 0x0a600000 + 1 + i;
    }

    public static String generate(int services) {
        return generate(services, 1);
    }

    /**
     * As {@link #generate(int)} with {@code endpoints} endpoints a service: its KUBE-SVC chain picks
     * one with {@code -m statistic --mode random --probability 1/(n-j)} rules, the last without, each
     * jumping to the endpoint's KUBE-SEP chain (proxier.go's writeServiceToEndpointRules, its
     * probability printed "%0.10f").
     */
    public static String generate(int services, int endpoints) {
        if (endpoints < 1) throw new IllegalArgumentException("a service needs an endpoint");
        StringBuilder b = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n");
        for (int i = 0; i < services; i++) {
            b.append(":KUBE-SVC-").append(name(i)).append(" - [0:0]\n");
            for (int j = 0; j < endpoints; j++) b.append(":KUBE-SEP-").append(sep(i, j, services)).append(" - [0:0]\n");
        }
        b.append("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        b.append("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        b.append("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
        b.append("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n");
        b.append("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n");
        b.append("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n");
        b.append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
        for (int i = 0; i < services; i++) {
            String ip = jnat.wire.Ipv4Address.format(clusterIp(i));
            b.append("-A KUBE-SERVICES -d ").append(ip).append("/32 -p tcp -m comment --comment \"ns/svc").append(i)
                    .append(":http cluster IP\" -m tcp --dport 80 -j KUBE-SVC-").append(name(i)).append('\n');
        }
        for (int i = 0; i < services; i++) {
            String ip = jnat.wire.Ipv4Address.format(clusterIp(i));
            b.append("-A KUBE-SVC-").append(name(i)).append(" ! -s 10.244.0.0/16 -d ").append(ip)
                    .append("/32 -p tcp -m comment --comment \"ns/svc").append(i)
                    .append(":http cluster IP\" -m tcp --dport 80 -j KUBE-MARK-MASQ\n");
            for (int j = 0; j < endpoints; j++) {
                b.append("-A KUBE-SVC-").append(name(i)).append(" -m comment --comment \"ns/svc").append(i)
                        .append(":http -> ").append(endpoint(i, j)).append(":8080\"");
                if (j < endpoints - 1) {
                    b.append(" -m statistic --mode random --probability ")
                            .append(String.format(java.util.Locale.ROOT, "%.10f", 1.0 / (endpoints - j)));
                }
                b.append(" -j KUBE-SEP-").append(sep(i, j, services)).append('\n');
            }
            for (int j = 0; j < endpoints; j++) {
                String ep = endpoint(i, j);
                b.append("-A KUBE-SEP-").append(sep(i, j, services)).append(" -s ").append(ep).append("/32 -m comment --comment \"ns/svc")
                        .append(i).append(":http\" -j KUBE-MARK-MASQ\n");
                b.append("-A KUBE-SEP-").append(sep(i, j, services)).append(" -p tcp -m comment --comment \"ns/svc")
                        .append(i).append(":http\" -m tcp -j DNAT --to-destination ").append(ep).append(":8080\n");
            }
        }
        return b.append("COMMIT\n").toString();
    }

    /** Service i's endpoint j, in 198.51.100.0/24 (the seed host routes it out of eth0). */
    static String endpoint(int i, int j) {
        return "198.51.100." + (1 + (i + 7 * j) % 250);
    }

    /** The KUBE-SEP chain suffix of service i's endpoint j: the first's is the service's. */
    static String sep(int i, int j, int services) {
        return name(j == 0 ? i : j * services + i);
    }

    /**
     * The same N services in kube-proxy's nftables mode, shaped as pkg/proxy/nftables/proxier.go
     * writes its table (its TestOverallNFTablesRules' expected ruleset: the service-ips verdict
     * map to a service chain per service, which marks off-cluster sources for masquerade and picks
     * an endpoint with numgen, whose chain DNATs; masquerading in nat-postrouting), as nft -f text.
     */
    public static String generateNft(int services) {
        StringBuilder b = new StringBuilder("""
                table ip kube-proxy {
                	comment "rules for kube-proxy"
                	map service-ips {
                		type ipv4_addr . inet_proto . inet_service : verdict
                		comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
                """);
        if (services > 0) {
            b.append("\t\telements = { ");
            for (int i = 0; i < services; i++) {
                b.append(i == 0 ? "" : ",\n\t\t\t     ").append(jnat.wire.Ipv4Address.format(clusterIp(i))).append(" . tcp . 80 : goto service-")
                        .append(name(i));
            }
            b.append(" }\n");
        }
        b.append("""
                	}
                	chain mark-for-masquerade {
                		meta mark set meta mark | 0x00004000
                	}
                	chain masquerading {
                		meta mark & 0x00004000 == 0x00000000 return
                		meta mark set meta mark ^ 0x00004000
                		masquerade fully-random
                	}
                	chain nat-output {
                		type nat hook output priority -100; policy accept;
                		jump services
                	}
                	chain nat-postrouting {
                		type nat hook postrouting priority srcnat; policy accept;
                		jump masquerading
                	}
                	chain nat-prerouting {
                		type nat hook prerouting priority dstnat; policy accept;
                		jump services
                	}
                	chain services {
                		ip daddr . meta l4proto . th dport vmap @service-ips
                	}
                """);
        for (int i = 0; i < services; i++) {
            String ip = jnat.wire.Ipv4Address.format(clusterIp(i)), ep = "198.51.100." + (1 + i % 250);
            b.append("\tchain service-").append(name(i)).append(" {\n\t\tip daddr ").append(ip)
                    .append(" ip saddr != 10.244.0.0/16 jump mark-for-masquerade\n\t\tnumgen random mod 1 vmap { 0 : goto endpoint-")
                    .append(name(i)).append(" }\n\t}\n");
            b.append("\tchain endpoint-").append(name(i)).append(" {\n\t\tip saddr ").append(ep)
                    .append(" jump mark-for-masquerade\n\t\tmeta l4proto tcp dnat to ").append(ep).append(":8080\n\t}\n");
        }
        return b.append("}\n").toString();
    }

    /** A 16-character chain suffix like kube-proxy's hashes. */
    static String name(int i) {
        return String.format("%016X", (i + 1) * 0x9E3779B97F4A7C15L).replace('0', 'Q').replace('1', 'Z');
    }
}

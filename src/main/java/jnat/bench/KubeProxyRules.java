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
        StringBuilder b = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n");
        for (int i = 0; i < services; i++) {
            b.append(":KUBE-SVC-").append(name(i)).append(" - [0:0]\n:KUBE-SEP-").append(name(i)).append(" - [0:0]\n");
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
            String ep = "198.51.100." + (1 + i % 250);
            b.append("-A KUBE-SVC-").append(name(i)).append(" ! -s 10.244.0.0/16 -d ").append(ip)
                    .append("/32 -p tcp -m comment --comment \"ns/svc").append(i)
                    .append(":http cluster IP\" -m tcp --dport 80 -j KUBE-MARK-MASQ\n");
            b.append("-A KUBE-SVC-").append(name(i)).append(" -m comment --comment \"ns/svc").append(i)
                    .append(":http -> ").append(ep).append(":8080\" -j KUBE-SEP-").append(name(i)).append('\n');
            b.append("-A KUBE-SEP-").append(name(i)).append(" -s ").append(ep).append("/32 -m comment --comment \"ns/svc")
                    .append(i).append(":http\" -j KUBE-MARK-MASQ\n");
            b.append("-A KUBE-SEP-").append(name(i)).append(" -p tcp -m comment --comment \"ns/svc").append(i)
                    .append(":http\" -m tcp -j DNAT --to-destination ").append(ep).append(":8080\n");
        }
        return b.append("COMMIT\n").toString();
    }

    /** A 16-character chain suffix like kube-proxy's hashes. */
    static String name(int i) {
        return String.format("%016X", (i + 1) * 0x9E3779B97F4A7C15L).replace('0', 'Q').replace('1', 'Z');
    }
}

package jnat.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Service and protocol names from /etc/services and /etc/protocols, as getservbyname() reads them. */
final class Services {
    private Services() {}

    private static Map<String, Integer> byName;
    private static Map<String, String> byPort;
    private static Map<String, Integer> protoByName;
    private static Map<Integer, String> protoByNumber;

    private static Map<Integer, String> hosts;
    private static Map<Integer, String> networks;

    /** xtables_ipaddr_to_anyname without DNS: /etc/hosts, then /etc/networks, then the number. */
    static synchronized String anyName(int addr) {
        if (hosts == null) {
            hosts = new HashMap<>();
            networks = new HashMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/etc/hosts"))) {
                    String[] f = strip(line);
                    if (f.length < 2 || !f[0].matches("[0-9.]+")) continue;
                    try {
                        hosts.putIfAbsent(Inet.parseAddress(f[0]), f[1]);
                    } catch (RuleError ignored) {
                        // not an IPv4 line
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // no hosts file
            }
            try {
                for (String line : Files.readAllLines(Path.of("/etc/networks"))) {
                    String[] f = strip(line);
                    if (f.length < 2) continue;
                    try {
                        networks.putIfAbsent(networkNumber(f[1]), f[0]);
                    } catch (RuntimeException ignored) {
                        // malformed line
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // no networks file
            }
        }
        String n = hosts.get(addr);
        if (n == null) n = networks.get(addr);
        return n != null ? n : Inet.format(addr);
    }

    private static Map<String, String> hosts6;

    /** xtables_ip6addr_to_anyname without DNS: an IPv6 line of /etc/hosts, else the number. */
    static synchronized String anyName6(long hi, long lo) {
        if (hosts6 == null) {
            hosts6 = new HashMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/etc/hosts"))) {
                    String[] f = strip(line);
                    if (f.length < 2 || !f[0].contains(":")) continue;
                    long[] a = Inet6.tryParse(f[0]);
                    if (a != null) hosts6.putIfAbsent(a[0] + "/" + a[1], f[1]);
                }
            } catch (IOException | RuntimeException ignored) {
                // no hosts file
            }
        }
        String n = hosts6.get(hi + "/" + lo);
        return n != null ? n : Inet6.format(hi, lo);
    }

    /** inet_network(): "127" is 127, "169.254" is 169.254.0.0 as getnetbyaddr compares it (host order). */
    private static int networkNumber(String s) {
        String[] p = s.split("\\.");
        int v = 0;
        for (String part : p) v = (v << 8) | Integer.parseInt(part);
        return v;
    }

    private static synchronized void load() {
        if (byName != null) return;
        byName = new HashMap<>();
        byPort = new HashMap<>();
        protoByName = new HashMap<>();
        protoByNumber = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/services"))) {
                String[] f = strip(line);
                if (f.length < 2 || !f[1].contains("/")) continue;
                String[] pp = f[1].split("/");
                int port = Integer.parseInt(pp[0]);
                for (int i = 0; i < f.length; i++) {
                    if (i == 1) continue;
                    byName.putIfAbsent(f[i] + "/" + pp[1], port);
                }
                byPort.putIfAbsent(port + "/" + pp[1], f[0]);
            }
        } catch (IOException | RuntimeException ignored) {
            // no services file: numbers only
        }
        try {
            for (String line : Files.readAllLines(Path.of("/etc/protocols"))) {
                String[] f = strip(line);
                if (f.length < 2) continue;
                int num = Integer.parseInt(f[1]);
                protoByName.putIfAbsent(f[0], num);
                for (int i = 2; i < f.length; i++) protoByName.putIfAbsent(f[i], num);
                protoByNumber.putIfAbsent(num, f[0]);
            }
        } catch (IOException | RuntimeException ignored) {
            // no protocols file: the built-in names only
        }
    }

    private static String[] strip(String line) {
        int hash = line.indexOf('#');
        if (hash >= 0) line = line.substring(0, hash);
        line = line.trim();
        return line.isEmpty() ? new String[0] : line.split("\\s+");
    }

    static int port(String name, String proto) {
        load();
        Integer p = byName.get(name + "/" + (proto == null ? "tcp" : proto));
        return p == null ? -1 : p;
    }

    static String serviceName(int port, String proto) {
        load();
        return byPort.get(port + "/" + proto);
    }

    static int protocol(String name) {
        load();
        Integer p = protoByName.get(name);
        return p == null ? -1 : p;
    }

    static String protocolName(int num) {
        load();
        return protoByNumber.get(num);
    }
}

package jnat.conformance;

import jnat.testing.Netns;
import jnat.testing.Tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kernel as the oracle: a host file's host built as a real network namespace, one veth pair per
 * interface (the host's end named as in the file, with its MAC, addresses, routes and permanent
 * neighbours; the far end, "x" + name, in a second namespace), {@code ip_forward=1}, no rp_filter,
 * no redirects; IPv6 off, or (a dual-stack lab) on in the host: forwarding, no duplicate address
 * detection, no router solicitations, flow labels 0 and no per-destination ICMPv6 rate limit (see
 * {@link #ICMP}); the far ends never have IPv6. One long-lived injector (src/test/resources/conformance/injector.py, raw
 * AF_PACKET sockets) sends frames on the far ends and reports what the host transmits. Built once
 * per host shape; scenarios reload the rules and flush conntrack in between.
 */
final class KernelLab implements AutoCloseable {
    /**
     * The ICMP sysctls of the lab's host, and of jnat's engine compared with it: the kernel's but
     * icmp_ratelimit 0, since the kernel's per-destination buckets (inet_peer) outlive the
     * scenarios of one lab while each scenario's engine starts afresh. The host-wide limit stays.
     */
    static final jnat.nat.IcmpConfig ICMP = jnat.nat.IcmpConfig.defaults().with("net.ipv4.icmp_ratelimit", "0")
            .with("net.ipv6.icmp.ratelimit", "0");

    /** A frame the host transmitted on {@code device}. */
    record Frame(String device, byte[] bytes) {}

    private final Netns router;
    /** The UDP ports a silent socket holds in the kernel's host: jnat's engine is given the same sockets. */
    final int[] udpListeners;
    private final Netns peer;
    private final List<Process> processes = new ArrayList<>();
    private final Process injector;
    private final Process localSender;
    private final PrintWriter toLocal;
    private final BufferedReader fromLocal;
    private final PrintWriter toInjector;
    private final BufferedReader fromInjector;
    private final Path script;
    private final boolean ipv6;

    /**
     * @param hostFile    the host in ip(8) syntax ({@code link add} lines are replaced by veths)
     * @param devices     the host's interfaces (not lo)
     * @param udpListeners UDP ports a silent socket listens on in the host (so local delivery draws no
     *                    port unreachable)
     */
    /** The same sockets in a jnat engine: the lab's listeners, so each side answers the same ports. */
    void listenIn(jnat.nat.NatEngine engine) {
        for (int port : udpListeners) {
            engine.sockets().listen("udp:0.0.0.0:" + port);
            if (ipv6) engine.sockets().listen("udp:[::]:" + port);
        }
    }

    KernelLab(String hostFile, List<String> devices, int... udpListeners) throws IOException {
        this(hostFile, devices, false, udpListeners);
    }

    /** {@code ipv6}: IPv6 on in the host (the host file's IPv6 lines are its addresses, routes and neighbours). */
    KernelLab(String hostFile, List<String> devices, boolean ipv6, int... udpListeners) throws IOException {
        this.ipv6 = ipv6;
        this.udpListeners = udpListeners.clone();
        router = Netns.create("cfr");
        try {
            peer = Netns.create("cfp");
            for (Netns ns : List.of(router, peer)) {
                // Before the veths exist, so they inherit it: no router solicitations or MLD.
                sysctl(ns, "net.ipv6.conf.default.disable_ipv6", "1");
                sysctl(ns, "net.ipv6.conf.all.disable_ipv6", "1");
                sysctl(ns, "net.ipv4.conf.default.rp_filter", "0");
                sysctl(ns, "net.ipv4.conf.all.rp_filter", "0");
                sysctl(ns, "net.ipv4.conf.default.send_redirects", "0");
                sysctl(ns, "net.ipv4.conf.all.send_redirects", "0");
            }
            sysctl(router, "net.ipv4.ip_forward", "1");
            sysctl(router, "net.ipv4.icmp_ratelimit", String.valueOf(ICMP.ratelimitMs()));
            if (ipv6) {
                for (String conf : List.of("default", "all")) {
                    // Before the veths exist, so they inherit it: no DAD (addresses usable at once, no
                    // solicitations from ::), no router solicitations, no autoconfiguration from adverts.
                    sysctl(router, "net.ipv6.conf." + conf + ".disable_ipv6", "0");
                    sysctl(router, "net.ipv6.conf." + conf + ".accept_dad", "0");
                    sysctl(router, "net.ipv6.conf." + conf + ".router_solicitations", "0");
                    sysctl(router, "net.ipv6.conf." + conf + ".accept_ra", "0");
                    sysctl(router, "net.ipv6.conf." + conf + ".forwarding", "1");
                    // MLD's unsolicited reports at once, not at random within a second or ten: they
                    // pass through LOCAL_OUT (ip6tables' OUTPUT counters), so they must be over
                    // before the first scenario (the constructor waits for them below).
                    sysctl(router, "net.ipv6.conf." + conf + ".mldv1_unsolicited_report_interval", "0");
                    sysctl(router, "net.ipv6.conf." + conf + ".mldv2_unsolicited_report_interval", "0");
                }
                // The host's own packets carry flow label 0 (jnat does not hash one) and no
                // per-destination ICMPv6 limit outlives a scenario (jnat's starts afresh).
                sysctl(router, "net.ipv6.auto_flowlabels", "0");
                sysctl(router, "net.ipv6.icmp.ratelimit", String.valueOf(ICMP.ratelimit6Ms()));
            }
            for (String dev : devices) {
                Tools.run("ip", "link", "add", dev, "netns", router.name(), "type", "veth",
                        "peer", "name", "x" + dev, "netns", peer.name()).checked();
                peer.exec("ip", "link", "set", "x" + dev, "up").checked();
                sysctl(router, "net.ipv4.conf." + dev + ".rp_filter", "0");
                sysctl(router, "net.ipv4.conf." + dev + ".send_redirects", "0");
            }
            StringBuilder batch = new StringBuilder(), batch6 = new StringBuilder();
            for (String line : hostFile.lines().toList()) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#") || l.startsWith("link add")) continue;
                // ip -batch takes no options on a line: the -6 lines go to an ip -6 -batch of their own
                if (l.startsWith("-6 ")) batch6.append(l.substring(3)).append('\n');
                else batch.append(l).append('\n');
            }
            router.execIn(batch.toString(), "ip", "-batch", "-").checked();
            if (!batch6.isEmpty()) router.execIn(batch6.toString(), "ip", "-6", "-batch", "-").checked();
            for (String dev : devices) router.exec("ip", "link", "set", dev, "up").checked();

            script = Files.createTempFile("jnat-injector", ".py");
            try (InputStream in = KernelLab.class.getResourceAsStream("/conformance/injector.py")) {
                Files.write(script, in.readAllBytes());
            }
            if (udpListeners.length > 0) {
                StringBuilder py = new StringBuilder("import socket, select\nss = []\n");
                for (int port : udpListeners) {
                    py.append("s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', ")
                            .append(port).append(")); ss.append(s)\n");
                    if (ipv6) {
                        py.append("s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); "
                                + "s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); s.bind(('::', ")
                                .append(port).append(")); ss.append(s)\n");
                    }
                }
                py.append("print('ready', flush=True)\nwhile True:\n    for s in select.select(ss, [], [])[0]: s.recv(65536)\n");
                Process listener = start(router, "python3", "-c", py.toString());
                expectLine(listener.inputReader(), "ready");
            }
            // The host's own packets: a raw socket (IP_HDRINCL) sends them through LOCAL_OUT as given.
            localSender = start(router, "python3", "-u", "-c", """
                    import socket, sys
                    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
                    s6 = None
                    print("ready", flush=True)
                    for line in sys.stdin:
                        dst, data = line.split()
                        try:
                            if ":" in dst:  # IPv6: IPPROTO_RAW is header-included (rawv6_send_hdrinc)
                                if s6 is None:
                                    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
                                s6.sendto(bytes.fromhex(data), (dst, 0))
                            else:
                                s.sendto(bytes.fromhex(data), (dst, 0))
                            print("ok", flush=True)
                        except PermissionError:
                            print("ok", flush=True)  # EPERM: a DROP at LOCAL_OUT (filter OUTPUT) refused it
                        except OSError as e:
                            print("error", e, flush=True)
                    """);
            toLocal = new PrintWriter(localSender.outputWriter(StandardCharsets.US_ASCII), false);
            fromLocal = localSender.inputReader(StandardCharsets.US_ASCII);
            expectLine(fromLocal, "ready");
            injector = start(peer, "python3", "-u", script.toString());
            toInjector = new PrintWriter(injector.outputWriter(StandardCharsets.US_ASCII), false);
            fromInjector = injector.inputReader(StandardCharsets.US_ASCII);
            StringBuilder open = new StringBuilder("open");
            for (String dev : devices) open.append(" x").append(dev);
            command(open.toString());
            expectLine(fromInjector, "ok");
            if (ipv6) drain(500); // the reports of the groups the host joined as its links came up
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
    }

    /** The host's namespace (ip netns's name), for tools run on it as a user would (jnat host capture --netns). */
    String hostNamespace() {
        return router.name();
    }

    private static void sysctl(Netns ns, String key, String value) {
        ns.exec("sysctl", "-q", "-w", key + "=" + value).checked();
    }

    private Process start(Netns ns, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        full.addAll(List.of(cmd));
        Process pr = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(pr);
        return pr;
    }

    private static void expectLine(BufferedReader r, String word) throws IOException {
        String line = r.readLine();
        if (line == null || !line.equals(word)) throw new IOException("expected " + word + ", got " + line);
    }

    private void command(String line) {
        toInjector.print(line);
        toInjector.print('\n');
        toInjector.flush();
    }

    /**
     * Loads the rules (iptables-restore, and ip6tables-restore of {@code rules6}, or of empty tables
     * when it is null: counters start at 0) and empties the conntrack table.
     */
    void load(String rules, String rules6) {
        load(rules, rules6, null);
    }

    /**
     * As {@link #load(String, String)}, and then {@code nft -f} of {@code nft} beside the iptables-nft tables.
     * Once an nft ruleset was loaded, every later load starts with {@code nft flush ruleset}, so no native
     * table outlives its scenario (iptables-restore then makes the iptables tables afresh).
     */
    void load(String rules, String rules6, String nft) {
        load(rules, rules6, nft, null);
    }

    /**
     * As {@link #load(String, String, String)}, with {@code ipset restore} of {@code ipset} first (the
     * rules name its sets); the sets a previous scenario left are destroyed after its rules are flushed.
     */
    void load(String rules, String rules6, String nft, String ipset) {
        if (ipsetLoaded || ipset != null) {
            router.execIn("*filter\nCOMMIT\n*nat\nCOMMIT\n*mangle\nCOMMIT\n*raw\nCOMMIT\n", "iptables-restore").checked();
            if (ipv6) router.execIn(EMPTY6, "ip6tables-restore").checked();
            router.exec("ipset", "destroy").checked();
        }
        if (ipset != null) {
            ipsetLoaded = true;
            router.execIn(ipset, "ipset", "restore").checked();
        }
        if (nft != null) nftLoaded = true;
        if (nftLoaded) router.exec("nft", "flush", "ruleset").checked();
        router.exec("ip", "-4", "neigh", "flush", "all").checked(); // as below, arp_tbl's
        if (ipv6) {
            // each scenario's neighbours fresh, as the engine it is compared with starts: the entries the
            // host resolved itself go (iproute2's flush leaves the permanent ones, the host file's), before
            // the rules are replaced, so that an entry still waiting (neigh_invalidate's unreachables for
            // its queue) counts in the old scenario's counters
            router.exec("ip", "-6", "neigh", "flush", "all").checked();
        }
        router.execIn(rules, "iptables-restore").checked();
        if (ipv6) router.execIn(rules6 != null ? rules6 : EMPTY6, "ip6tables-restore").checked();
        if (nft != null) router.execIn(nft, "nft", "-f", "-").checked();
        router.exec("conntrack", "-F");
    }

    private boolean nftLoaded, ipsetLoaded;

    /** {@code ipset list} in the host. */
    String ipsetListing() {
        return router.exec("ipset", "list").checked().stdout();
    }

    /**
     * Every later {@link #load} starts from no tables ({@code nft flush ruleset}): iptables-restore replaces only
     * the tables it is given, and iptables-nft creates a table only for rules or a policy other than ACCEPT, so a
     * scenario without a table must not find the one an earlier scenario left.
     */
    void freshTablesEachLoad() {
        nftLoaded = true;
    }

    /** {@code nft list table FAMILY NAME} in the host: its rules with their counters, its sets' elements. */
    String nftListing(String family, String table) {
        return router.exec("nft", "list", "table", family, table).checked().stdout();
    }

    /** What ip6tables-restore loads for a scenario without IPv6 rules: every table it may have had, empty. */
    private static final String EMPTY6 = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
            + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
            + "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n";

    /**
     * Transmits {@code frame} towards the host's {@code device}; returns what the host transmitted
     * (waiting for up to {@code expected} frames, then for a few quiet milliseconds).
     */
    List<Frame> send(String device, byte[] frame, int expected) throws IOException {
        command("send x" + device + " " + HexFormat.of().formatHex(frame) + " " + expected);
        return frames();
    }

    /**
     * The host itself sends the IPv4 or IPv6 packet {@code packet} (a raw socket in its namespace); returns
     * what it transmitted, as {@link #send}.
     */
    List<Frame> sendLocal(byte[] packet, int expected) throws IOException {
        String dst = (packet[0] & 0xf0) == 0x60 ? jnat.wire.Ipv6Address.format(packet, 24)
                : (packet[16] & 0xff) + "." + (packet[17] & 0xff) + "." + (packet[18] & 0xff) + "." + (packet[19] & 0xff);
        toLocal.print(dst + " " + HexFormat.of().formatHex(packet) + "\n");
        toLocal.flush();
        String answer = fromLocal.readLine();
        if (!"ok".equals(answer)) throw new IOException("local sender: " + answer);
        command("wait " + expected);
        return frames();
    }

    /** Whatever the host transmits in the next {@code millis} milliseconds. */
    List<Frame> drain(int millis) throws IOException {
        command("drain " + millis);
        return frames();
    }

    private List<Frame> frames() throws IOException {
        List<Frame> out = new ArrayList<>();
        while (true) {
            String line = fromInjector.readLine();
            if (line == null) throw new IOException("injector ended");
            if (line.equals("done")) return out;
            String[] w = line.split(" ");
            if (w.length != 3 || !w[0].equals("rx")) throw new IOException("injector: " + line);
            out.add(new Frame(w[1].substring(1), HexFormat.of().parseHex(w[2])));
        }
    }

    /** {@code iptables -t <table> -nvxL} in the host. */
    String listing(String table) {
        return router.exec("iptables", "-t", table, "-nvxL").checked().stdout();
    }

    /** {@code ip6tables -t <table> -nvxL} in the host. */
    String listing6(String table) {
        return router.exec("ip6tables", "-t", table, "-nvxL").checked().stdout();
    }

    /** {@code iptables -t nat -nvxL} in the host. */
    String natListing() {
        return router.exec("iptables", "-t", "nat", "-nvxL").checked().stdout();
    }

    /** {@code conntrack -L} in the host (stdout only). */
    String conntrackListing() {
        return router.exec("conntrack", "-L").checked().stdout();
    }

    @Override
    public void close() {
        for (Process pr : processes) {
            pr.destroy();
            try {
                pr.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (peer != null) peer.close();
        router.close();
        try {
            if (script != null) Files.deleteIfExists(script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

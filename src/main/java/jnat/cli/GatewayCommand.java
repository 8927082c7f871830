package jnat.cli;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jnat.gateway.ConntrackState;
import jnat.gateway.ControlServer;
import jnat.gateway.Gateway;
import jnat.gateway.GatewayControl;
import jnat.gateway.GatewayMetrics;
import jnat.gateway.StateSaver;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.linux.ErrnoException;
import jnat.linux.TunDevice;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code jnat gateway}: the engine live, between TUN devices. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {"Run the NAT engine live: create (or open) a TUN device for each attached host interface, in "
                + "the network namespace jnat runs in, and forward IP packets (IPv4 and IPv6) between them through "
                + "the iptables and ip6tables rules and connection tracking, until SIGINT or SIGTERM.",
            "The kernel side of each TUN device is the peer's interface: move it into the peer's namespace "
                + "(ip link set DEV netns NS; jnat keeps its file descriptor) and give it its address there "
                + "(scripts/lab.sh attach does this for the lab).",
            "Attached interfaces must be layer 3 in the host file (no MAC address, no neighbours): a TUN device "
                + "carries bare IP packets.",
            "On SIGINT/SIGTERM the devices are closed (they disappear, unless --state made them persistent), the conntrack table is saved (--state), the control socket file is removed and "
                + "the metrics server stops; the exit status is then 130 (SIGINT) or 143 (SIGTERM). Exit 1 when "
                + "a device fails (deleted under the gateway), 1 or 2 for errors at start.",
            "Example: ip netns exec jnat-gw ./jnat gateway --host scripts/lab-host.ip --rules scripts/lab.rules "
                + "--attach docker0=tun:jnat-docker0 --attach eth0=tun:jnat-eth0 --control /run/jnat.sock "
                + "--metrics 127.0.0.1:9100"})
public final class GatewayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", required = true, paramLabel = "FILE",
            description = "the gateway host: a file of ip(8) commands (link, addr, route); attached interfaces without MAC")
    Path hostFile;

    @Option(names = "--rules", paramLabel = "FILE",
            description = "initial nat rules in iptables-save format (default: none, every chain ACCEPT); the file is "
                    + "only read: change the running rules with jnat iptables --control")
    Path rulesFile;

    @Option(names = "--sets", paramLabel = "FILE",
            description = "ipsets in ipset save format (jnat ipset --sets writes them), loaded before the rules, which "
                    + "find their -m set and -j SET sets in them; element timeouts count from the first packet")
    Path setsFile;

    @Option(names = "--acct", paramLabel = "FILE",
            description = "nfacct accounting objects in nfacct list format (jnat nfacct --acct writes them), loaded before "
                    + "the rules, whose -m nfacct rules count into them")
    Path acctFile;

    @Option(names = "--rules6", paramLabel = "FILE",
            description = "initial IPv6 rules in ip6tables-save format (default: none, every chain ACCEPT; IPv6 is "
                    + "forwarded and tracked); only read: change them with jnat ip6tables --control. A target the "
                    + "engine's IPv6 path cannot run (SNPT, DNPT) is refused at start")
    Path rules6File;

    @Option(names = "--nft", paramLabel = "FILE",
            description = "an initial nf_tables ruleset as nft -f takes it, beside --rules/--rules6 as the kernel holds "
                    + "both; change it with jnat nft --control SOCKET (one atomic transaction)")
    Path nftFile;

    @Option(names = "--attach", required = true, paramLabel = "IFACE=tun:DEVNAME[@NETNS]",
            description = "host interface IFACE is the TUN device DEVNAME (at most 15 characters), created or opened "
                    + "in this network namespace (IFACE=tun:DEVNAME@NETNS: opened in namespace NETNS, for a persistent device "
                    + "a previous gateway left there, see --state); repeatable, one per interface that carries traffic")
    List<String> attach = new ArrayList<>();

    @Option(names = "--control", paramLabel = "SOCKET",
            description = "serve the control socket (a Unix domain socket, mode 0600) at SOCKET for jnat iptables, "
                    + "iptables-save, iptables-restore, their ip6tables twins and conntrack --control SOCKET; a stale "
                    + "socket file is replaced")
    Path control;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "serve Prometheus metrics (text format) at http://HOST:PORT/metrics; port 0 picks a free one")
    String metrics;

    @Option(names = "--conntrack-max", paramLabel = "N", description = "nf_conntrack_max (default "
            + NatEngine.Config.DEFAULT_CONNTRACK_MAX + ", or the sysctl's); "
            + "the conntrack hash is built for it up front, as the kernel's is, so a growing table never stops to rehash")
    Integer conntrackMax;

    @Option(names = "--state", paramLabel = "FILE",
            description = "keep the conntrack table across restarts: load FILE at start (entries whose time ran out are "
                    + "skipped; a missing FILE is an empty table), save it on SIGINT/SIGTERM and every --state-interval "
                    + "seconds (written to a temporary file and renamed). The TUN devices are made persistent: they "
                    + "stay after exit, where they were moved, so the next gateway reopens them (IFACE=tun:DEV@NETNS "
                    + "for a device moved to namespace NETNS); delete them with ip link del")
    Path stateFile;

    @Option(names = "--state-interval", paramLabel = "S", description = "seconds between saves of --state (default ${DEFAULT-VALUE}; 0: only at exit)")
    int stateInterval = 10;

    @Option(names = "--no-offload",
            description = "open the TUN devices without IFF_VNET_HDR: one packet of at most the MTU per read(2) and "
                    + "write(2), checksums done by the kernel. By default they carry a virtio_net_hdr and take checksum "
                    + "and segmentation offloads (TCP over IPv4 and IPv6 and UDP segments of up to 64 KB, translated whole), as a veth")
    boolean noOffload;

    @Option(names = "--workers", paramLabel = "N", description = "forwarding threads (default ${DEFAULT-VALUE}); more "
            + "than one opens each TUN device with N queues (IFF_MULTI_QUEUE), worker k reading queue k of every device. "
            + "One engine serves them all (one conntrack table and ruleset, as the kernel's CPUs share theirs): a worker "
            + "holds its lock for the engine's work only and writes outside it; conntrack -S prints a line per worker")
    int workers = 1;

    @Option(names = "--sysctl-file", paramLabel = "FILE", description = "sysctls as sysctl -p reads them (NAME = VALUE "
            + "a line, # comments), before any --sysctl: the DIR/sysctl.conf jnat host capture writes")
    Path sysctlFile;

    @Option(names = "--sysctl", paramLabel = "NAME=VALUE", description = Sysctls.HELP)
    List<String> sysctls = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", description = "seed for the choices the kernel makes at random "
            + "(ports after a clash, --random); default fixed")
    long seed = NatEngine.Config.DEFAULT_SEED;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Host host = ReplayCommand.loadHost(hostFile);
        jnat.ipset.IpSetCore sets = IpsetCommand.loadForEngine(setsFile);
        jnat.rules.NfnlAcct acct = NfacctCommand.load(acctFile);
        Ruleset rules = rulesFile == null ? Ruleset.parse("*nat\nCOMMIT\n", false, sets, acct)
                : RulesFile.load(rulesFile, false, sets, acct);
        List<Gateway.Attachment> attachments = attachments(host, attach);
        String[] metricsAddr = metrics == null ? null : hostPort(metrics);

        if (stateInterval < 0) throw new UsageError("--state-interval " + stateInterval + ": must be 0 or more seconds", 2);
        if (workers < 1 || workers > 64) throw new UsageError("--workers must be between 1 and 64, not " + workers, 2);
        if (conntrackMax != null && conntrackMax < 1) throw new UsageError("--conntrack-max must be at least 1, not " + conntrackMax, 2);
        List<String> settings = new ArrayList<>();
        if (sysctlFile != null) settings.addAll(Sysctls.readFile(sysctlFile));
        settings.addAll(sysctls);
        Sysctls.Settings sys = Sysctls.parse(settings);
        // an option given outright wins over a sysctl
        int max = conntrackMax != null ? conntrackMax : sys.conntrackMax() > 0 ? sys.conntrackMax() : NatEngine.Config.DEFAULT_CONNTRACK_MAX;
        NatEngine engine = new NatEngine(host, rules, new NatEngine.Config(max, seed, sys.conntrackChecksum() != 0, max)
                .withIcmp(sys.icmp()), sys.defrag(), sys.defrag6());
        if (rules6File != null) {
            try {
                engine.setRuleset6(RulesFile.load(rules6File, true, sets, acct));
            } catch (IllegalArgumentException e) {
                throw new UsageError(rules6File + ": " + e.getMessage(), 2);
            }
        }
        if (nftFile != null) engine.setNftRuleset(ReplayCommand.loadNft(nftFile, 2));
        String restored = "";
        if (stateFile != null && java.nio.file.Files.exists(stateFile)) {
            try {
                ConntrackState.Snapshot s = ConntrackState.read(stateFile);
                int n = ConntrackState.restore(engine, s, System.nanoTime());
                restored = "; restored " + n + " of " + s.rows() + " connections from " + stateFile;
            } catch (IOException e) {
                throw new UsageError("--state " + e.getMessage());
            }
        }
        Gateway gateway;
        try {
            gateway = Gateway.open(engine, attachments, stateFile != null, !noOffload, workers);
        } catch (ErrnoException e) {
            throw new UsageError(e.getMessage());
        }
        StateSaver saver = stateFile == null ? null : new StateSaver(gateway, stateFile, err);
        ControlServer controlServer = null;
        HTTPServer metricsServer = null;
        try {
            if (control != null) {
                try {
                    controlServer = ControlServer.start(control, new GatewayControl(gateway));
                } catch (IOException e) {
                    throw new UsageError("control socket " + control + ": " + e.getMessage());
                }
            }
            if (metricsAddr != null) {
                PrometheusRegistry registry = new PrometheusRegistry();
                GatewayMetrics.register(gateway, registry);
                try {
                    metricsServer = GatewayMetrics.serve(registry, metricsAddr[0], Integer.parseInt(metricsAddr[1]));
                } catch (IOException e) {
                    throw new UsageError("metrics " + metrics + ": " + e.getMessage());
                }
            }
        } catch (UsageError e) {
            close(gateway, controlServer, null, null);
            throw e;
        }
        ControlServer cs = controlServer;
        HTTPServer ms = metricsServer;
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("jnat-shutdown").unstarted(() -> close(gateway, cs, ms, saver)));
        gateway.start();
        if (saver != null && stateInterval > 0) saver.every(stateInterval);
        err.println("jnat gateway: forwarding " + String.join(", ", attachments.stream().map(Object::toString).toList())
                + (cs != null ? "; control " + cs.path() : "")
                + (ms != null ? "; metrics http://" + metricsAddr[0] + ":" + ms.getPort() + "/metrics" : "")
                + restored);
        err.flush();
        gateway.awaitTermination();
        Throwable failure = gateway.failure();
        close(gateway, cs, ms, saver);
        if (failure != null) throw new UsageError("stopped: " + failure.getMessage());
        return 0;
    }

    /** Stops forwarding, then the control socket, then metrics; the shutdown hook and the main thread may both call it. */
    private static synchronized void close(Gateway g, ControlServer cs, HTTPServer ms, StateSaver saver) {
        g.close();
        if (saver != null) saver.last(); // after the loop stopped: no packet moves the table after this snapshot
        if (cs != null) cs.close();
        if (ms != null) {
            try {
                ms.close();
            } catch (RuntimeException ignored) {
                // already stopped
            }
        }
    }

    /** Parses the --attach options: known, layer-3, distinct interfaces; valid, distinct device names. */
    static List<Gateway.Attachment> attachments(Host host, List<String> specs) {
        List<Gateway.Attachment> out = new ArrayList<>();
        Set<String> ifaces = new HashSet<>(), devices = new HashSet<>();
        for (String s : specs) {
            int eq = s.indexOf('=');
            if (eq <= 0 || !s.startsWith("tun:", eq + 1) || s.length() == eq + 5) {
                throw new UsageError("--attach " + s + ": expected IFACE=tun:DEVNAME", 2);
            }
            String name = s.substring(0, eq), dev = s.substring(eq + 5), netns = null;
            if (dev.indexOf('@') >= 0) {
                netns = dev.substring(dev.indexOf('@') + 1);
                dev = dev.substring(0, dev.indexOf('@'));
                if (netns.isBlank() || netns.contains("@")) throw new UsageError("--attach " + s + ": expected IFACE=tun:DEVNAME@NETNS", 2);
            }
            Interface iface = ReplayCommand.device(host, name);
            if (iface.isLoopback()) throw new UsageError("--attach " + s + ": " + name + " is the loopback device", 2);
            if (iface.hasMac()) {
                throw new UsageError("--attach " + s + ": " + name + " has a MAC address (" + iface.macString()
                        + ") in the host file, but a TUN device carries bare IP packets: describe " + name
                        + " as a layer-3 interface (no `address`, no neighbours)", 2);
            }
            if (dev.length() > TunDevice.MAX_NAME_LENGTH || dev.contains("/") || dev.isBlank()) {
                throw new UsageError("--attach " + s + ": TUN device name must be 1 to " + TunDevice.MAX_NAME_LENGTH
                        + " characters without '/'", 2);
            }
            if (!ifaces.add(name)) throw new UsageError("--attach: interface " + name + " attached twice", 2);
            if (!devices.add(dev)) throw new UsageError("--attach: device " + dev + " attached twice", 2);
            out.add(new Gateway.Attachment(iface, netns == null ? dev : dev + "@" + netns));
        }
        return out;
    }

    private static String[] hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) throw new UsageError("--metrics " + s + ": expected HOST:PORT", 2);
        String port = s.substring(colon + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new UsageError("--metrics " + s + ": bad port " + port, 2);
        }
        String h = s.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        return new String[] {h, port};
    }
}

package jnat.cli;

import jnat.bench.EngineBench;
import jnat.host.Host;
import jnat.rules.Ruleset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jnat bench}: the engine's throughput and memory on one core. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the NAT engine on one core, on the seed's Docker host: established-flow packets per "
                + "second (64-byte TCP frames MASQUERADEd, conntrack refresh included), new connections per second "
                + "through the nat chains, and heap bytes per tracked connection.",
            "With --ipv6 the same over IPv6: the containers fd49:efd7:54aa::2 and up behind Docker's --ipv6 bridge, "
                + "MASQUERADEd by the nat table of the ip6tables rules dockerd writes (--rules: an ip6tables-save "
                + "file), 74-byte frames (the smallest IPv6 TCP frame).",
            "With --json the last line is one JSON object (established_pps, new_connections_per_s, "
                + "bytes_per_connection, flows, rules, conntrack_max, family: ipv4 or ipv6, frame_bytes, "
                + "transmitted_packets: how many of the timed packets left the engine, order, batch, established_cpu_pps: "
                + "established packets per second of the bench thread's CPU time, steadier than the wall-clock rate on a shared machine, "
                + "new_connections_cpu_per_s: the same for the new connections, new_connection_allocated_bytes: heap "
                + "allocated per new connection, the connection table's growth included, ports: distinct or clashing, as "
                + "--port-clashes says). The SYNs are built off the clock, a few thousand at a time."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--flows", paramLabel = "N", description = "tracked connections (default ${DEFAULT-VALUE})")
    int flows = 100_000;

    @Option(names = "--kube-nft", description = "with --kube-services: kube-proxy's nftables mode (its ip kube-proxy table: "
            + "the service-ips verdict map, a chain per service and per endpoint) instead of its iptables mode")
    boolean kubeNft;

    @Option(names = "--nft", paramLabel = "FILE", description = "an nftables ruleset (nft -f format) the engine runs "
            + "as well; the iptables rules are then only those of --rules, none without it "
            + "(scripts/seed-docker.nft: the seed's Docker NAT in nftables with a forward chain)")
    Path nftFile;

    @Option(names = "--rules", paramLabel = "FILE", description = "nat rules (iptables-save format; with --ipv6 "
            + "ip6tables-save); default: Docker's rules of the seed's host")
    Path rulesFile;

    @Option(names = "--ipv6", description = "IPv6 flows through the ip6tables ruleset (the seed's host with Docker's --ipv6 bridge)")
    boolean ipv6;

    @Option(names = "--kube-services", paramLabel = "N", description = "use a generated kube-proxy nat table of N "
            + "services instead, new connections to their cluster IPs")
    int kubeServices;

    @Option(names = "--kube-endpoints", paramLabel = "N", description = "with --kube-services: endpoints per service, "
            + "picked by -m statistic --mode random rules in each KUBE-SVC chain as kube-proxy writes them (iptables mode; "
            + "default ${DEFAULT-VALUE})")
    int kubeEndpoints = 1;

    @Option(names = "--seconds", paramLabel = "S", description = "time spent on established flows (default ${DEFAULT-VALUE})")
    double seconds = 5;

    @Option(names = "--conntrack-max", paramLabel = "N", description = "nf_conntrack_max (default: the number of flows, "
            + "so the table ends full; a larger max shows the slack of a table that grows by doubling)")
    int conntrackMax;

    @Option(names = "--hashsize", paramLabel = "N", description = "connections the conntrack hash is built for up front, "
            + "as nf_conntrack's hashsize (default: the conntrack max; 0: the hash grows with the table, rehashing at each doubling)")
    int hashsize = -1;

    @Option(names = "--order", paramLabel = "ORDER", description = "the order the established packets visit the flows: "
            + "creation (the order the connections were made in, so their conntrack rows follow each other in memory) "
            + "or random (a fixed random permutation, as live traffic comes; default ${DEFAULT-VALUE})")
    String order = "creation";

    @Option(names = "--port-clashes", description = "the containers' source ports clash: the 260 containers that share a "
            + "server all use port 1024, then 1025, ..., so all but one connection per port need MASQUERADE's search for a "
            + "free port (nf_nat_l4proto_unique_tuple); by default no two flows to a server share a source port, so "
            + "MASQUERADE keeps each one, as for nearly every connection of containers with random ephemeral ports")
    boolean portClashes;

    @Option(names = "--batch", paramLabel = "N", description = "frames the engine receives per call in the timed phases "
            + "(NatEngine.receive of a PacketBatch: conntrack's lookups of a batch overlap); 1: one frame per call "
            + "(default ${DEFAULT-VALUE})")
    int batch = jnat.nat.PacketBatch.DEFAULT_CAPACITY;

    @Option(names = "--workers", paramLabel = "N", description = "N threads sending the established packets of their "
            + "share of the flows (flow i to worker i mod N) at once, IPv4 only; prints each worker's rate and the total "
            + "(default: the one-thread bench)")
    int workers;

    @Option(names = "--share", paramLabel = "HOW", description = "with --workers: lanes (one engine, a lane per worker, as jnat "
            + "gateway --workers runs it: established packets of all workers at once under a shared lock, anything else with "
            + "the engine to itself, as the kernel's CPUs share conntrack), lock (one engine, every batch under its lock: the "
            + "design before lanes) or none (an engine per worker with its own flows, nothing shared: the ceiling of "
            + "per-worker state); default ${DEFAULT-VALUE}")
    String share = "lanes";

    @Option(names = "--json", description = "end with one line of JSON")
    boolean json;

    @Option(names = {"--quiet", "-q"}, description = "no progress line on stderr (it is shown only when stderr is a terminal)")
    boolean quiet;

    /** The --nft file's text, read once. */
    private String nftText;

    @Override
    public Integer call() {
        if (flows < 1) throw new UsageError("--flows must be at least 1", 2);
        if (kubeServices > 0 && rulesFile != null) throw new UsageError("--rules and --kube-services exclude each other", 2);
        if (kubeServices > 0 && ipv6) throw new UsageError("--kube-services is IPv4 only: no IPv6 kube-proxy table is generated", 2);
        // RulesFile.load takes a missing file as an empty ruleset (iptables' file mode creates it); a
        // bench of no rules would measure another path than the one asked for.
        if (rulesFile != null && !java.nio.file.Files.isRegularFile(rulesFile)) throw new UsageError("no rules file " + rulesFile, 2);
        if (nftFile != null && kubeServices > 0) throw new UsageError("--nft and --kube-services exclude each other", 2);
        if (kubeNft && kubeServices <= 0) throw new UsageError("--kube-nft needs --kube-services N", 2);
        if (kubeEndpoints < 1) throw new UsageError("--kube-endpoints must be at least 1", 2);
        if (kubeEndpoints > 1 && (kubeServices <= 0 || kubeNft)) {
            throw new UsageError("--kube-endpoints needs --kube-services N (iptables mode)", 2);
        }
        String nft = null;
        if (nftFile != null) {
            try {
                nft = java.nio.file.Files.readString(nftFile);
            } catch (java.io.IOException e) {
                throw new UsageError("cannot read " + nftFile + ": " + e.getMessage(), 2);
            }
            try {
                jnat.nft.Nft.load(nft);
            } catch (IllegalArgumentException e) {
                throw new UsageError(nftFile + ": " + e.getMessage(), 2);
            }
        }
        Host host = ipv6 ? jnat.demo.SeedDemo6.host() : Host.fromResource("/hosts/seed-docker-host.ip");
        if (kubeNft) nft = jnat.bench.KubeProxyRules.generateNft(kubeServices);
        Ruleset rules = kubeNft ? new Ruleset()
                : kubeServices > 0 ? Ruleset.parse(jnat.bench.KubeProxyRules.generate(kubeServices, kubeEndpoints))
                : rulesFile != null ? RulesFile.load(rulesFile, ipv6)
                : nft != null ? new Ruleset()
                : ipv6 ? jnat.demo.SeedDemo6.natRules6() : jnat.demo.SeedDemo.rules();
        this.nftText = nft;
        if (workers > 0) return workers(host, rules);
        EngineBench bench = new EngineBench(host, rules).ipv6(ipv6).nft(nftText);
        if (kubeServices > 0) bench.destinations(EngineBench.services(kubeServices));
        if (conntrackMax < 0 || (conntrackMax > 0 && conntrackMax < flows)) {
            throw new UsageError("--conntrack-max must be at least --flows", 2);
        }
        bench.conntrackMax(conntrackMax);
        if (hashsize < -1) throw new UsageError("--hashsize must not be negative", 2);
        bench.hashsize(hashsize);
        if (!order.equals("creation") && !order.equals("random")) {
            throw new UsageError("--order must be creation or random, not " + order, 2);
        }
        bench.randomOrder(order.equals("random"));
        bench.portClashes(portClashes);
        if (batch < 1 || batch > 4096) throw new UsageError("--batch must be between 1 and 4096", 2);
        bench.batch(batch);
        Progress[] shown = {null};
        String[] phase = {null};
        if (!quiet && Progress.stderrIsTerminal()) {
            bench.progress((name, done, total, nanosLeft) -> {
                if (!name.equals(phase[0])) { // a phase of its own line
                    if (shown[0] != null) shown[0].done();
                    phase[0] = name;
                    shown[0] = new Progress(System.err, "bench: " + name, "packets", total, System::nanoTime);
                }
                shown[0].at(done, total, nanosLeft);
            });
        }
        EngineBench.Figures f = bench.run(flows, seconds);
        if (shown[0] != null) shown[0].done();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s flows %d, rules %d, conntrack max %d, %d-byte frames, one thread (%s)%n", ipv6 ? "IPv6" : "IPv4",
                f.flows(), f.rules(), f.conntrackMax(), f.frameBytes(), Runtime.version());
        out.printf("new connections:     %,.0f per second (%d SYNs through the nat chains, source ports %s; %,.0f per second "
                        + "of CPU time)%n",
                f.newConnectionsPerSecond(), f.newConnections(), f.ports(), f.newConnectionsCpuPerSecond());
        out.printf("established packets: %,.0f per second (%d packets in %.2f s, flows in %s order, batches of %d; "
                        + "%,.0f per second of CPU time)%n",
                f.establishedPps(), f.establishedPackets(), f.seconds(), f.order(), f.batch(), f.establishedCpuPps());
        out.printf("memory:              %.1f heap bytes per tracked connection%n", f.bytesPerConnection());
        if (json) out.println(f.json());
        out.flush();
        return 0;
    }

    private int workers(Host host, Ruleset rules) {
        if (ipv6 || kubeServices > 0) throw new UsageError("--workers runs the IPv4 Docker bench only", 2);
        if (workers > 64) throw new UsageError("--workers must be between 1 and 64", 2);
        if (!share.equals("lock") && !share.equals("lanes") && !share.equals("none")) {
            throw new UsageError("--share must be lock, lanes or none, not " + share, 2);
        }
        if (batch < 1 || batch > 4096) throw new UsageError("--batch must be between 1 and 4096", 2);
        jnat.bench.WorkersBench.Figures f;
        try {
            f = new jnat.bench.WorkersBench(host, rules).nft(nftText).run(workers, share, flows, seconds, batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("IPv4 flows %d, %d workers, state shared: %s, batches of %d (%s)%n", flows, workers, share, batch,
                Runtime.version());
        for (int w = 0; w < f.perWorker().size(); w++) {
            var r = f.perWorker().get(w);
            out.printf("worker %d: %,.0f established packets per second (%d in %.2f s; %,.0f per second of CPU time)%n", w,
                    r.packets() / r.seconds(), r.packets(), r.seconds(), r.cpuSeconds() > 0 ? r.packets() / r.cpuSeconds() : 0);
        }
        out.printf("total:    %,.0f established packets per second%n", f.totalPps());
        if (json) out.println(f.json());
        out.flush();
        return 0;
    }
}

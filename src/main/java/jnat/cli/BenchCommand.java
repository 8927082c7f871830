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
            "With --json the last line is one JSON object (established_pps, new_connections_per_s, "
                + "bytes_per_connection, flows, rules, conntrack_max)."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--flows", paramLabel = "N", description = "tracked connections (default ${DEFAULT-VALUE})")
    int flows = 100_000;

    @Option(names = "--rules", paramLabel = "FILE", description = "nat rules (iptables-save format); default: Docker's "
            + "rules of the seed's host")
    Path rulesFile;

    @Option(names = "--kube-services", paramLabel = "N", description = "use a generated kube-proxy nat table of N "
            + "services instead, new connections to their cluster IPs")
    int kubeServices;

    @Option(names = "--seconds", paramLabel = "S", description = "time spent on established flows (default ${DEFAULT-VALUE})")
    double seconds = 5;

    @Option(names = "--conntrack-max", paramLabel = "N", description = "nf_conntrack_max (default: the number of flows, "
            + "so the table ends full; a larger max shows the slack of a table that grows by doubling)")
    int conntrackMax;

    @Option(names = "--hashsize", paramLabel = "N", description = "connections the conntrack hash is built for up front, "
            + "as nf_conntrack's hashsize (default: the conntrack max; 0: the hash grows with the table, rehashing at each doubling)")
    int hashsize = -1;

    @Option(names = "--json", description = "end with one line of JSON")
    boolean json;

    @Option(names = {"--quiet", "-q"}, description = "no progress line on stderr (it is shown only when stderr is a terminal)")
    boolean quiet;

    @Override
    public Integer call() {
        if (flows < 1) throw new UsageError("--flows must be at least 1", 2);
        Host host = Host.fromResource("/hosts/seed-docker-host.ip");
        if (kubeServices > 0 && rulesFile != null) throw new UsageError("--rules and --kube-services exclude each other", 2);
        Ruleset rules = kubeServices > 0 ? Ruleset.parse(jnat.bench.KubeProxyRules.generate(kubeServices))
                : rulesFile == null ? jnat.demo.SeedDemo.rules() : RulesFile.load(rulesFile);
        EngineBench bench = new EngineBench(host, rules);
        if (kubeServices > 0) bench.destinations(EngineBench.services(kubeServices));
        if (conntrackMax < 0 || (conntrackMax > 0 && conntrackMax < flows)) {
            throw new UsageError("--conntrack-max must be at least --flows", 2);
        }
        bench.conntrackMax(conntrackMax);
        if (hashsize < -1) throw new UsageError("--hashsize must not be negative", 2);
        bench.hashsize(hashsize);
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
        out.printf("flows %d, rules %d, conntrack max %d, one thread (%s)%n", f.flows(), f.rules(), f.conntrackMax(),
                Runtime.version());
        out.printf("new connections:     %,.0f per second (%d SYNs through the nat chains)%n",
                f.newConnectionsPerSecond(), f.newConnections());
        out.printf("established packets: %,.0f per second (%d packets in %.2f s)%n",
                f.establishedPps(), f.establishedPackets(), f.seconds());
        out.printf("memory:              %.1f heap bytes per tracked connection%n", f.bytesPerConnection());
        if (json) out.println(f.json());
        out.flush();
        return 0;
    }
}

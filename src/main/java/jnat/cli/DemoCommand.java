package jnat.cli;

import jnat.demo.SeedDemo;
import jnat.demo.SeedDemo6;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Reruns the seed document's two experiments (MASQUERADE ping, DNAT -p 10000:8000), over IPv4 or IPv6. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Rerun the seed article's experiments on its Docker host: a container's ping MASQUERADEd, and a "
                + "published port (-p 10000:8000) DNATed. Prints what tcpdump shows on each interface, the nat "
                + "table's counters and the conntrack table, and compares the captures with the article's lines.",
            "With --ipv6 it runs the same experiments over IPv6 instead (only those: the host with Docker's --ipv6 "
                + "bridge fd49:efd7:54aa::/64 and the ip6tables rules dockerd writes), and compares the captures, "
                + "ip6tables' nat counters and the conntrack table with the kernel's for the same frames "
                + "(made by scripts/demo6-kernel.sh). The exit status is 0 either way."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ipv6", description = "the experiments over IPv6, compared with the kernel's capture")
    boolean ipv6;

    @Option(names = "--write-arrivals", paramLabel = "DIR", description = "with --ipv6: write the frames that reach "
            + "the host as DIR/docker0.pcap and DIR/eth0.pcap (what scripts/demo6-kernel.sh feeds the kernel) and stop")
    Path arrivals;

    @Option(names = "--report", paramLabel = "FILE", description = "also write the replays as one self-contained HTML "
            + "report: the host, the counters, each connection's sequence diagram before and after NAT, each packet's walk "
            + "through the netfilter hooks (the IPv4 demo)")
    Path report;

    @Override
    public Integer call() throws Exception {
        if (arrivals != null && !ipv6) throw new UsageError("--write-arrivals needs --ipv6", 2);
        if (report != null && ipv6) throw new UsageError("--report draws the IPv4 demo; it is not made for --ipv6 yet", 2);
        if (arrivals != null) {
            SeedDemo6.writeArrivals(arrivals);
            return 0;
        }
        if (ipv6) SeedDemo6.print(spec.commandLine().getOut());
        else SeedDemo.print(spec.commandLine().getOut(), report);
        return 0;
    }
}

package jnat.cli;

import jnat.demo.SeedDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Reruns the seed document's two experiments (MASQUERADE ping, DNAT -p 10000:8000). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Rerun the seed article's experiments on its Docker host: a container's ping MASQUERADEd, and a "
                + "published port (-p 10000:8000) DNATed. Prints what tcpdump shows on each interface, the nat "
                + "table's counters and the conntrack table, and compares the captures with the article's lines."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--report", paramLabel = "FILE", description = "also write the replays as one self-contained HTML "
            + "report: the host, the counters, each connection's sequence diagram before and after NAT, each packet's walk "
            + "through the netfilter hooks")
    Path report;

    @Override
    public Integer call() throws Exception {
        SeedDemo.print(spec.commandLine().getOut(), report);
        return 0;
    }
}

package jnat.cli;

import jnat.demo.SeedDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/** Reruns the seed document's two experiments (MASQUERADE ping, DNAT -p 10000:8000). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Rerun the seed article's experiments on its Docker host: a container's ping MASQUERADEd, and a "
                + "published port (-p 10000:8000) DNATed. Prints what tcpdump shows on each interface, the nat "
                + "table's counters and the conntrack table, and compares the captures with the article's lines."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SeedDemo.print(spec.commandLine().getOut());
        return 0;
    }
}

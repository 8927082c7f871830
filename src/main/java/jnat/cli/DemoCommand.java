package jnat.cli;

import picocli.CommandLine.Command;

/** Reruns the seed document's two experiments (MASQUERADE ping, DNAT -p 10000:8000). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Rerun the seed's experiments: a container's ping MASQUERADEd, and a published port DNATed.")
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("jnat demo: not built yet. The NAT engine that runs the seed's experiments is issue 4;");
        System.out.println("until it lands this command only says so.");
        return 0;
    }
}

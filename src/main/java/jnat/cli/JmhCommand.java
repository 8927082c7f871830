package jnat.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;

/** Runs the JMH benchmarks compiled into the jar (jnat.bench), passing every argument to JMH. */
@Command(name = "jmh",
        description = {"Run the JMH benchmarks in the jar; arguments go to JMH as they are.",
                "e.g. ./jnat jmh WireBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc   (./jnat jmh -h for JMH's help, -l to list)"})
public final class JmhCommand implements java.util.concurrent.Callable<Integer> {

    @Unmatched
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        // org.openjdk.jmh.Main exits the JVM itself on bad arguments; on success it returns.
        org.openjdk.jmh.Main.main(jmhArgs.toArray(new String[0]));
        return 0;
    }
}

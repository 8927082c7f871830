package jnat.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jnat conntrack --control SOCKET <conntrack arguments>}: conntrack(8) against a running gateway. */
@Command(name = "conntrack", mixinStandardHelpOptions = true,
        customSynopsis = "jnat conntrack [-hV] --control=SOCKET -L|-D|-F|-C|-G|-S|-E|-U [FILTERS] [-o extended,id,timestamp]",
        description = {"Run a conntrack command (conntrack-tools 1.4.7 arguments and output) against a running "
                + "jnat gateway's connection table.",
            "Commands: -L list, -D delete, -F flush, -C count, -G get one (-p, -s, -d and the protocol's fields), "
                + "-E events as they happen (-e NEW,UPDATES,DESTROY; the filters; -o timestamp prefixes each; until Ctrl-C), "
                + "-U update (-m MARK[/MASK], -t TIMEOUT; the filters), "
                + "-S [conntrack|expect] statistics (found, invalid, insert_failed, drop, early_drop, error, "
                + "clash_resolve, ... as the kernel counts them). Filters (-L, -D, -G): -s/--orig-src, -d/--orig-dst, "
                + "-r/--reply-src, -q/--reply-dst ADDR, -p/--protonum tcp|udp|icmp|icmpv6|N, with -p tcp|udp: "
                + "--sport/--orig-port-src, --dport/--orig-port-dst, --reply-port-src, --reply-port-dst PORT; "
                + "with -p icmp|icmpv6: --icmp-type, --icmp-code, --icmp-id; -m/--mark MARK[/MASK]; -f ipv4|ipv6; "
                + "-n (source-NATed), -g (destination-NATed). -o extended prefixes each line with the layer 3 "
                + "protocol, -o id ends it with the entry's id (jnat's row number; the kernel's ids are hashes).",
            "The summary line goes to stderr, as conntrack prints it; -D that deletes nothing exits 1.",
            "Example: jnat conntrack --control /run/jnat.sock -L -p tcp --dport 10000"})
public final class ConntrackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--control", required = true, paramLabel = "SOCKET",
            description = "the control socket of a running jnat gateway")
    Path control;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (jnat.conntrack.ConntrackTool.isEvents(args)) return events();
        return Control.run(spec.commandLine(), control, "conntrack", args, null);
    }

    /**
     * {@code -E}: the gateway's events as they happen, until Ctrl-C (or SIGTERM), which prints
     * event_sighandler's count as conntrack does, or until the gateway stops.
     */
    private int events() {
        List<String> argv = new ArrayList<>();
        argv.add("conntrack");
        argv.addAll(args);
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        java.util.concurrent.atomic.AtomicInteger shown = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean summarised = new java.util.concurrent.atomic.AtomicBoolean();
        Thread onSignal = new Thread(() -> {
            if (summarised.compareAndSet(false, true)) {
                err.print(jnat.conntrack.ConntrackTool.Events.summary(shown.get()));
                err.flush();
            }
        });
        int exit;
        try {
            exit = jnat.gateway.ControlClient.stream(control, argv, new jnat.gateway.ControlProtocol.StreamSink() {
                @Override
                public void stdout(String s) {
                    out.print(s);
                    out.flush();
                    shown.incrementAndGet();
                }

                @Override
                public void stderr(String s) {
                    // the gateway's own count ends its stream: conntrack prints one such line
                    if (s.endsWith("flow events have been shown.\n") && !summarised.compareAndSet(false, true)) return;
                    err.print(s);
                    err.flush();
                }
            }, () -> Runtime.getRuntime().addShutdownHook(onSignal));
        } catch (jnat.gateway.ControlClient.ControlException e) {
            throw new UsageError(e.getMessage());
        }
        return exit;
    }
}

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
        customSynopsis = "jnat conntrack [-hV] --control=SOCKET -L|-D|-F|-C|-G|-S [FILTERS] [-o extended,id]",
        description = {"Run a conntrack command (conntrack-tools 1.4.7 arguments and output) against a running "
                + "jnat gateway's connection table.",
            "Commands: -L list, -D delete, -F flush, -C count, -G get one (-p, -s, -d and the protocol's fields), "
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
        return Control.run(spec.commandLine(), control, "conntrack", args, null);
    }
}

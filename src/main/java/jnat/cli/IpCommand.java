package jnat.cli;

import jnat.host.Host;
import jnat.host.HostException;
import jnat.host.Interface;
import jnat.host.IpFormat;
import jnat.host.Route;
import jnat.host.RouteResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** ip(8) over a host file: shows what jnat's host model makes of it, in ip's own format. */
@Command(name = "ip", mixinStandardHelpOptions = true,
        description = {"Show a host file as ip(8) would show the host: route get A [from S iif DEV], route show [table T], addr show, neigh show.",
                "Without --host the built-in seed Docker host is used."})
public final class IpCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "FILE", description = "host file of ip(8) commands (default: the seed's Docker host)")
    Path hostFile;

    @Parameters(paramLabel = "COMMAND", description = "route get A [from S iif DEV] | route [show] [table main|local|all|default] | addr [show] | neigh [show]")
    List<String> words = List.of();

    @Override
    public Integer call() {
        Host host = loadHost();
        PrintWriter out = spec.commandLine().getOut();
        if (words.isEmpty()) throw new UsageError("ip: missing command (route get A, route show, addr show, neigh show)");
        String object = words.get(0);
        List<String> rest = words.subList(1, words.size());
        String cmd = rest.isEmpty() ? "show" : rest.get(0);
        if (matches(object, "route")) {
            if (matches(cmd, "get")) {
                return routeGet(host, rest.subList(1, rest.size()), out);
            } else if (matches(cmd, "show") || matches(cmd, "list")) {
                int table = Route.TABLE_MAIN;
                if (rest.size() == 3 && rest.get(1).equals("table")) {
                    table = switch (rest.get(2)) {
                        case "main" -> Route.TABLE_MAIN;
                        case "local" -> Route.TABLE_LOCAL;
                        case "default" -> Route.TABLE_DEFAULT;
                        case "all" -> 0;
                        default -> throw new UsageError("ip route show: table main, local, default or all");
                    };
                } else if (rest.size() > 1) {
                    throw new UsageError("ip route show: only \"table T\" is supported");
                }
                out.print(IpFormat.routes(host, table));
            } else {
                throw new UsageError("ip route: get or show");
            }
        } else if (matches(object, "address") && (matches(cmd, "show") || matches(cmd, "list")) && rest.size() <= 1) {
            out.print(IpFormat.addresses(host));
        } else if ((matches(object, "neighbour") || matches(object, "neighbor")) && (matches(cmd, "show") || matches(cmd, "list")) && rest.size() <= 1) {
            out.print(IpFormat.neighbours(host));
        } else {
            throw new UsageError("ip: supported: route get A, route show [table T], addr show, neigh show");
        }
        out.flush();
        return 0;
    }

    /** route get A [from S iif DEV]: the output route, or with iif the route of a packet arriving there. */
    private int routeGet(Host host, List<String> args, PrintWriter out) {
        if (args.isEmpty()) throw new UsageError("ip route get: an address is expected");
        int dst = address(args.get(0));
        Integer src = null;
        Interface in = null;
        for (int i = 1; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) throw new UsageError("ip route get: \"" + args.get(i) + "\" needs an argument");
            switch (args.get(i)) {
                case "from" -> src = address(args.get(i + 1));
                case "iif" -> {
                    in = host.device(args.get(i + 1));
                    if (in == null) throw new UsageError("Cannot find device \"" + args.get(i + 1) + "\"");
                }
                default -> throw new UsageError("ip route get: only \"from S iif DEV\" is supported, not \"" + args.get(i) + "\"");
            }
        }
        if ((src == null) != (in == null)) throw new UsageError("ip route get: \"from\" and \"iif\" go together here");
        RouteResult res = in == null ? host.routeOutput(dst) : host.routeInput(dst, src, in);
        String text = in == null ? IpFormat.routeGet(dst, res) : IpFormat.routeGetInput(dst, src, in, res);
        if (res.isError()) {
            spec.commandLine().getErr().print(text);
            spec.commandLine().getErr().flush();
            return 2;
        }
        out.print(text);
        out.flush();
        return 0;
    }

    private static int address(String s) {
        try {
            return IpFormat.parseAddress(s);
        } catch (IllegalArgumentException e) {
            throw new UsageError("Error: inet address is expected rather than \"" + s + "\".");
        }
    }

    private Host loadHost() {
        try {
            return hostFile == null ? Host.fromResource("/hosts/seed-docker-host.ip") : Host.fromFile(hostFile);
        } catch (HostException e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UsageError("cannot read " + hostFile + ": " + e.getMessage());
        }
    }

    private static boolean matches(String word, String full) {
        return !word.isEmpty() && full.startsWith(word);
    }
}

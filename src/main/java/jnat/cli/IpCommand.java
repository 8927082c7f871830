package jnat.cli;

import jnat.host.Host;
import jnat.host.HostException;
import jnat.host.Interface;
import jnat.host.IpFormat;
import jnat.host.IpFormat6;
import jnat.host.Route;
import jnat.host.RouteResult;
import jnat.host.RouteResult6;
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
        description = {"Show a host file as ip(8) would show the host: [-4|-6] route get A [from S [iif DEV]] [mark M], route show [table T], rule show, addr show [dev D], neigh show.",
                "Without --host the built-in seed Docker host is used. An address with a ':' (or -6) means IPv6."})
public final class IpCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "FILE", description = "host file of ip(8) commands (default: the seed's Docker host)")
    Path hostFile;

    @Option(names = "-6", description = "IPv6 (route, addr, neigh)")
    boolean ipv6;

    @Option(names = "-4", description = "IPv4 (route, neigh; the default for route)")
    boolean ipv4;

    @Parameters(paramLabel = "COMMAND", description = "route get A [from S [iif DEV]] [mark M] | route [show] [table main|local|all|default|N] | rule [show] | addr [show] [dev D] | neigh [show]")
    List<String> words = List.of();

    @Override
    public Integer call() {
        if (ipv4 && ipv6) throw new UsageError("ip: -4 and -6 exclude each other");
        Host host = loadHost();
        PrintWriter out = spec.commandLine().getOut();
        if (words.isEmpty()) throw new UsageError("ip: missing command (route get A, route show, addr show, neigh show)");
        String object = words.get(0);
        List<String> rest = words.subList(1, words.size());
        String cmd = rest.isEmpty() ? "show" : rest.get(0);
        boolean show = matches(cmd, "show") || matches(cmd, "list");
        if (matches(object, "route")) {
            if (matches(cmd, "get")) {
                return routeGet(host, rest.subList(1, rest.size()), out);
            } else if (show) {
                int table = Route.TABLE_MAIN;
                if (rest.size() == 3 && rest.get(1).equals("table")) {
                    table = switch (rest.get(2)) {
                        case "main" -> Route.TABLE_MAIN;
                        case "local" -> Route.TABLE_LOCAL;
                        case "default" -> Route.TABLE_DEFAULT;
                        case "all" -> 0;
                        default -> {
                            int t = rest.get(2).matches("[0-9]{1,10}") ? (int) Long.parseLong(rest.get(2)) : -1;
                            if (t <= 0) throw new UsageError("Error: argument \"" + rest.get(2) + "\" is wrong: table id value is invalid");
                            yield t;
                        }
                    };
                } else if (rest.size() > 1) {
                    throw new UsageError("ip route show: only \"table T\" is supported");
                }
                out.print(ipv6 ? IpFormat6.routes(host, table) : IpFormat.routes(host, table));
            } else {
                throw new UsageError("ip route: get or show");
            }
        } else if (matches(object, "rule") && show && rest.size() <= 1) {
            out.print(ipv6 ? host.rules6().format(host) : host.rules().format(host));
        } else if (matches(object, "address") && show && rest.size() <= 3) {
            if (ipv4) throw new UsageError("ip -4 addr show is not supported: ip addr show lists both families, ip -6 addr show IPv6");
            Interface dev = null;
            if (rest.size() > 1) {
                String name = rest.get(1).equals("dev") && rest.size() == 3 ? rest.get(2) : rest.size() == 2 ? rest.get(1) : null;
                if (name == null) throw new UsageError("ip addr show: only \"[dev] D\" is supported");
                dev = host.device(name);
                if (dev == null) throw new UsageError("Device \"" + name + "\" does not exist.");
            }
            if (ipv6) out.print(dev == null ? IpFormat6.addresses(host) : IpFormat6.addresses(dev));
            else out.print(dev == null ? IpFormat.addresses(host) : IpFormat.addresses(dev));
        } else if ((matches(object, "neighbour") || matches(object, "neighbor")) && show && rest.size() <= 1) {
            // without a family ip neigh dumps arp_tbl, then nd_tbl
            if (!ipv6) out.print(IpFormat.neighbours(host));
            if (!ipv4) out.print(IpFormat6.neighbours(host));
        } else {
            throw new UsageError("ip: supported: route get A, route show [table T], rule show, addr show [dev D], neigh show");
        }
        out.flush();
        return 0;
    }

    /** route get A [from S iif DEV]: the output route, or with iif the route of a packet arriving there. */
    private int routeGet(Host host, List<String> args, PrintWriter out) {
        if (args.isEmpty()) throw new UsageError("ip route get: an address is expected");
        String dstText = args.get(0);
        boolean v6 = ipv6 || (!ipv4 && dstText.indexOf(':') >= 0);
        String srcText = null;
        Interface in = null;
        int mark = 0;
        for (int i = 1; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) throw new UsageError("ip route get: \"" + args.get(i) + "\" needs an argument");
            switch (args.get(i)) {
                case "from" -> srcText = args.get(i + 1);
                case "iif" -> {
                    in = host.device(args.get(i + 1));
                    if (in == null) throw new UsageError("Cannot find device \"" + args.get(i + 1) + "\"");
                }
                case "mark" -> {
                    String m = args.get(i + 1);
                    try {
                        mark = (int) (m.startsWith("0x") ? Long.parseLong(m.substring(2), 16) : Long.parseLong(m));
                    } catch (NumberFormatException e) {
                        throw new UsageError("Error: argument \"" + m + "\" is wrong: mark value is invalid");
                    }
                }
                default -> throw new UsageError("ip route get: only \"from S [iif DEV] [mark M]\" is supported, not \"" + args.get(i) + "\"");
            }
        }
        if (in != null && srcText == null) throw new UsageError("ip route get: \"iif\" needs \"from\" here");
        String text;
        boolean error;
        if (v6) {
            long[] dst = address6(dstText);
            RouteResult6 res;
            if (in == null) {
                long[] src = srcText == null ? new long[] {0, 0} : address6(srcText);
                res = host.routeOutput6(dst[0], dst[1], src[0], src[1], mark, new jnat.host.RouteDecision6()).toResult();
                text = IpFormat6.routeGet(dst[0], dst[1], src[0], src[1], res);
            } else {
                long[] src = address6(srcText);
                res = host.routeInput6(dst[0], dst[1], src[0], src[1], in, mark, new jnat.host.RouteDecision6()).toResult();
                text = IpFormat6.routeGetInput(dst[0], dst[1], src[0], src[1], in, res);
            }
            error = text.startsWith("RTNETLINK answers: ");
        } else {
            int dst = address(dstText);
            int src = srcText == null ? 0 : address(srcText);
            boolean rules = host.rules().custom();
            RouteResult res = in == null ? host.routeOutput(dst, src, mark) : host.routeInput(dst, src, in, mark);
            text = in == null ? IpFormat.routeGet(dst, src, mark, res, rules) : IpFormat.routeGetInput(dst, src, in, mark, res, rules,
                    res.isError() ? 0 : host.inputClassid(res.type(), res.route(), res.out(), src, dst));
            error = res.isError();
        }
        if (error) {
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

    private static long[] address6(String s) {
        try {
            return IpFormat6.parseAddress(s);
        } catch (IllegalArgumentException e) {
            throw new UsageError("Error: inet6 address is expected rather than \"" + s + "\".");
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

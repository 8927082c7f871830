package jnat.cli;

import jnat.host.Host;
import jnat.host.HostCapture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code jnat host capture}: a copy of a real host (this machine or a network namespace) to replay through. */
@Command(name = "host", mixinStandardHelpOptions = true, subcommands = HostCommand.Capture.class,
        description = "Host files: `jnat host capture` writes one from a real host.")
public final class HostCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "capture", mixinStandardHelpOptions = true,
            description = {"Write DIR/host.ip (links with MACs and MTUs, addresses, every table's routes that are not the "
                    + "kernel's own, neighbours, policy routing rules: read with ip -j), DIR/rules.v4, DIR/rules.v6 (iptables-save, "
                    + "ip6tables-save), DIR/sysctl.conf (the sysctls the engine has, with the host's values) and, when "
                    + "the host has native nf_tables tables, DIR/ruleset.nft (nft list ruleset without the tables "
                    + "iptables-nft manages) from this machine or a network namespace, for jnat replay --host DIR/host.ip "
                    + "--rules DIR/rules.v4 --rules6 DIR/rules.v6 --sysctl-file DIR/sysctl.conf [--nft DIR/ruleset.nft].",
                "DIR/sockets.args holds the host's bound UDP and listening TCP sockets (ss -Hlntue) as --listen options, "
                    + "for jnat replay @DIR/sockets.args.",
                "A sysctl jnat's host cannot follow (ip_forward or IPv6 forwarding off, rp_filter or route_localnet on, "
                    + "conntrack timeouts or TCP tracking other than the kernel's defaults) is "
                    + "a warning on stderr and a comment in sysctl.conf, a policy rule with a selector jnat's rules lack "
                    + "a warning (the others are copied). Routes of the local table not the kernel's own are copied; connected sockets and conntrack's "
                    + "table are not.",
                "--from SRC reads what was captured elsewhere instead: SRC/link.json (ip -j -d link show), SRC/addr.json "
                    + "(ip -j addr show), SRC/route4.json (ip -j -4 route show table all, or table main), SRC/route6.json "
                    + "(ip -j -6 route show table all), SRC/neigh.json (ip -j neigh show), and SRC/local4.json, SRC/local6.json "
                    + "(ip -j -4|-6 route show table local), SRC/rule4.json, SRC/rule6.json (ip -j -4|-6 rule show), "
                    + "SRC/rules.v4, SRC/rules.v6, SRC/sysctl.txt (sysctl -a), SRC/ruleset.nft (nft list ruleset), SRC/ss.txt "
                    + "(ss -Hlntue) if there.",
                "Example: jnat host capture --netns router --out router/"})
    static final class Capture implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--netns", paramLabel = "NS", description = "the network namespace (ip netns) to capture")
        String netns;

        @Option(names = "--from", paramLabel = "SRC", description = "a directory of ip -j outputs captured elsewhere")
        Path from;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where host.ip, rules.v4, rules.v6, sysctl.conf, "
                + "ruleset.nft and sockets.args go")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (from != null && netns != null) throw new UsageError("--from and --netns: one or the other", 2);
            HostCapture.IpJson ip;
            String rules4, rules6, sysctl, nft, ss, where;
            if (from != null) {
                ip = new HostCapture.IpJson(read(from.resolve("link.json")), read(from.resolve("addr.json")),
                        read(from.resolve("route4.json")), read(from.resolve("route6.json")), read(from.resolve("neigh.json")),
                        orEmpty(from.resolve("local4.json")), orEmpty(from.resolve("local6.json")),
                        orEmpty(from.resolve("rule4.json")), orEmpty(from.resolve("rule6.json")));
                rules4 = optional(from.resolve("rules.v4"));
                rules6 = optional(from.resolve("rules.v6"));
                sysctl = optional(from.resolve("sysctl.txt"));
                nft = optional(from.resolve("ruleset.nft"));
                ss = optional(from.resolve("ss.txt"));
                where = "the ip -j outputs in " + from;
            } else {
                ip = new HostCapture.IpJson(ip("-d", "link", "show"), ip("addr", "show"), ip("-4", "route", "show", "table", "all"),
                        ip("-6", "route", "show", "table", "all"), ip("neigh", "show"), ip("-4", "route", "show", "table", "local"),
                        ip("-6", "route", "show", "table", "local"), ip("-4", "rule", "show"), ip("-6", "rule", "show"));
                rules4 = tool("iptables-save");
                rules6 = tool("ip6tables-save");
                List<String> names = new ArrayList<>(List.of("sysctl", "-e"));
                names.addAll(Sysctls.names());
                names.addAll(Sysctls.assumed(HostCapture.deviceNames(ip)).keySet());
                sysctl = tool(names.toArray(String[]::new));
                nft = tool("nft", "list", "ruleset");
                ss = tool("ss", "-Hlntue");
                where = netns == null ? "this machine" : "network namespace " + netns;
            }
            String header = "captured by jnat host capture from " + where;
            for (String w : HostCapture.ruleWarnings(ip)) spec.commandLine().getErr().println("jnat host capture: warning: " + w);
            String file = HostCapture.hostFile(ip, header);
            Host.parse(file, out.resolve("host.ip").toString()); // what jnat cannot model fails here, not at replay
            Files.createDirectories(out);
            Files.writeString(out.resolve("host.ip"), file);
            List<String> wrote = new ArrayList<>(List.of(out.resolve("host.ip").toString()));
            if (rules4 != null) write("rules.v4", rules4, wrote);
            if (rules6 != null) write("rules.v6", rules6, wrote);
            if (sysctl != null) {
                HostCapture.Sysctls s = HostCapture.sysctls(sysctl, Sysctls.names(), Sysctls.assumed(HostCapture.deviceNames(ip)),
                        header + "\nthe sysctls jnat's engine has, for jnat replay --sysctl-file (sysctl -p's format)");
                write("sysctl.conf", s.file(), wrote);
                for (String w : s.warnings()) spec.commandLine().getErr().println("jnat host capture: warning: " + w);
            }
            String tables = nft == null ? "" : HostCapture.nftRuleset(nft);
            if (!tables.isEmpty()) write("ruleset.nft", "# " + header + "\n# the native nf_tables tables, for jnat replay --nft "
                    + "(the iptables-nft ones are rules.v4 and rules.v6)\n" + tables, wrote);
            if (ss != null) {
                HostCapture.Sockets sk = HostCapture.sockets(ss);
                StringBuilder args = new StringBuilder("# " + header + "\n# the host's bound UDP and listening TCP sockets (ss -Hlntue), "
                        + "for jnat replay @DIR/sockets.args\n");
                for (String l : sk.listen()) args.append("--listen ").append(l).append('\n');
                write("sockets.args", args.toString(), wrote);
                for (String w : sk.warnings()) spec.commandLine().getErr().println("jnat host capture: warning: " + w);
            }
            spec.commandLine().getOut().println("wrote " + String.join(", ", wrote));
            return 0;
        }

        private static String read(Path p) throws IOException {
            if (!Files.exists(p)) throw new UsageError(p + ": No such file or directory", 1);
            return Files.readString(p);
        }

        private static String orEmpty(Path p) throws IOException {
            return Files.exists(p) ? Files.readString(p) : "";
        }

        private static String optional(Path p) throws IOException {
            return Files.exists(p) ? Files.readString(p) : null;
        }

        private String ip(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("ip", "-j"));
            if (netns != null) cmd.addAll(List.of("-n", netns));
            cmd.addAll(List.of(args));
            return run(cmd, true);
        }

        private void write(String name, String text, List<String> wrote) throws IOException {
            Files.writeString(out.resolve(name), text);
            wrote.add(name);
        }

        /** A tool's output in the host (iptables-save, sysctl, nft), null when it is missing or fails (no such tables). */
        private String tool(String... command) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>();
            if (netns != null) cmd.addAll(List.of("ip", "netns", "exec", netns));
            cmd.addAll(List.of(command));
            try {
                return run(cmd, false);
            } catch (IOException e) {
                return null;
            }
        }

        private static String run(List<String> cmd, boolean required) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            byte[] stdout = p.getInputStream().readAllBytes();
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                if (required) throw new UsageError(String.join(" ", cmd) + ": " + stderr.strip(), 1);
                throw new IOException(stderr);
            }
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }
}

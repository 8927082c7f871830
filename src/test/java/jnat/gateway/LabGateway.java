package jnat.gateway;

import jnat.cli.CliRun;
import jnat.testing.Tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/lab.sh's three namespaces under a prefix of their own and {@code jnat gateway} running in
 * the gw namespace as a child JVM, for the lab tests (GatewayLabTest, floods and scans).
 * Close it to stop the gateway and delete the namespaces.
 */
final class LabGateway implements AutoCloseable {
    static final String SERVER = "198.51.100.8", GATEWAY_WAN = "203.0.113.10", CONTAINER = "172.17.0.2";
    /** The dual-stack lab's IPv6 addresses (scripts/lab.sh --ipv6, scripts/lab-host.ip). */
    static final String SERVER6 = "2001:db8:2::8", GATEWAY_WAN6 = "2001:db8:1::10", CONTAINER6 = "fd49:efd7:54aa::2",
            ROUTER6 = "2001:db8:1::1";

    final String prefix;
    final Path socket;
    final Process gateway;
    final String metricsUrl;
    private final List<Process> background = new ArrayList<>();

    /** A program running in a namespace, and the reader over its merged stdout and stderr. */
    record Bg(Process process, BufferedReader out) {}

    /** The lab under prefix {@code name}+pid, its gateway running {@code rules} with the extra {@code gatewayArgs}. */
    LabGateway(String name, Path rules, String... gatewayArgs) throws Exception {
        this(name, false, rules, gatewayArgs);
    }

    /**
     * The dual-stack lab (scripts/lab.sh --ipv6): its gateway runs scripts/lab.rules and, with
     * --rules6, Docker's ip6tables rules scripts/lab6.rules, with the extra {@code gatewayArgs}.
     */
    static LabGateway dualStack(String name, String... gatewayArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--rules6", "scripts/lab6.rules"));
        args.addAll(List.of(gatewayArgs));
        return new LabGateway(name, true, Path.of("scripts/lab.rules"), args.toArray(String[]::new));
    }

    private LabGateway(String name, boolean ipv6, Path rules, String... gatewayArgs) throws Exception {
        prefix = name + ProcessHandle.current().pid() + "-";
        socket = Path.of("/tmp", prefix + "control.sock");
        Process started = null;
        try {
            (ipv6 ? lab("--ipv6", "up") : lab("up")).checked();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", prefix + "gw", java,
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "jnat.cli.Main",
                    "gateway", "--host", "scripts/lab-host.ip", "--rules", rules.toString(),
                    "--attach", "docker0=tun:jnat-docker0", "--attach", "eth0=tun:jnat-eth0",
                    "--control", socket.toString(), "--metrics", "127.0.0.1:0"));
            cmd.addAll(List.of(gatewayArgs));
            started = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String line = firstLine(started.getErrorStream(), 30);
            Matcher m = Pattern.compile("; metrics (http://\\S+)$").matcher(line);
            assertTrue(m.find(), "gateway said: " + line);
            metricsUrl = m.group(1);
            assertTrue(Files.exists(socket), line);
            lab("attach").checked();
        } catch (Throwable t) {
            if (started != null) started.destroyForcibly();
            lab("down");
            throw t;
        }
        gateway = started;
    }

    @Override
    public void close() {
        for (Process p : background) p.destroyForcibly();
        gateway.destroyForcibly();
        lab("down");
    }

    private static String firstLine(java.io.InputStream in, int seconds) throws Exception {
        var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(seconds, TimeUnit.SECONDS);
        return line == null ? "(nothing)" : line;
    }

    private Tools.Result lab(String... cmd) {
        List<String> full = new ArrayList<>(List.of("bash", "scripts/lab.sh", "--prefix", prefix));
        full.addAll(List.of(cmd));
        return Tools.run(full, null);
    }

    /** Runs {@code cmd} in namespace {@code ns} ("ctr", "gw", "wan") and waits for it. */
    Tools.Result in(String ns, String... cmd) {
        List<String> full = Tools.cmd("ip", "netns", "exec", prefix + ns);
        full.addAll(List.of(cmd));
        return Tools.run(full, null);
    }

    /** Starts {@code cmd} in namespace {@code ns}; returns once a line containing {@code ready} appeared. */
    Bg startIn(String ns, String ready, String... cmd) throws Exception {
        List<String> full = Tools.cmd("ip", "netns", "exec", prefix + ns);
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        background.add(p);
        var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        Boolean ok = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = r.readLine()) != null; ) {
                    seen.append(l).append('\n');
                    if (l.contains(ready)) return true;
                }
            } catch (IOException ignored) {
            }
            return false;
        }).get(20, TimeUnit.SECONDS);
        assertTrue(ok, String.join(" ", cmd) + " never said " + ready + ": " + seen);
        return new Bg(p, r);
    }

    /** Waits for a started program to end; returns what it printed after its ready line. */
    static String rest(Bg bg, int seconds) throws Exception {
        assertTrue(bg.process().waitFor(seconds, TimeUnit.SECONDS), "still running");
        StringBuilder sb = new StringBuilder();
        for (String l; (l = bg.out().readLine()) != null; ) sb.append(l).append('\n');
        return sb.toString();
    }

    /** A jnat control command (iptables, conntrack, ...) against the running gateway. */
    CliRun control(String tool, String... args) {
        List<String> a = new ArrayList<>(List.of(tool, "--control", socket.toString()));
        a.addAll(List.of(args));
        return CliRun.jnat(a.toArray(String[]::new));
    }

    /** The value of one metric sample (its name with labels, as printed), from the gateway's /metrics. */
    double metric(String sample) {
        var r = in("gw", "curl", "-sS", "-m", "5", metricsUrl);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " ([0-9.eE+-]+)$").matcher(r.stdout());
        assertTrue(m.find(), sample + " not in: " + r.stdout() + r.stderr());
        return Double.parseDouble(m.group(1));
    }

    /** The gateway JVM's resident set (VmRSS) in kB: ip netns exec execs the JVM, so its pid is the child's. */
    long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(gateway.pid()), "status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no VmRSS");
    }
}

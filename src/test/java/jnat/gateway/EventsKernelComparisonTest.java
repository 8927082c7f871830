package jnat.gateway;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code conntrack -E} from the kernel's NAT and from {@code jnat gateway}: the lab's three
 * namespaces twice, once with a kernel router running scripts/lab.rules (veths named docker0 and
 * eth0) and {@code conntrack -E} in it, once with jnat gateway and {@code jnat conntrack --control
 * SOCKET -E}; the same UDP exchange from the container to the server, then {@code conntrack -D -p udp}
 * (through the socket for jnat). The event lines, the summary printed on SIGTERM included, must be
 * equal but for what must differ: the timeouts (clocks run on) and the requester's portid.
 */
class EventsKernelComparisonTest {
    static final String ECHO = """
            import socket
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("198.51.100.8", 5353))
            print("ready", flush=True)
            d, a = u.recvfrom(100); u.sendto(d, a)
            """;
    static final String CLIENT = """
            import socket
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 40001)); u.settimeout(5)
            u.sendto(b"q", ("198.51.100.8", 5353)); print(u.recvfrom(100)[0])
            """;

    /** The -L filters run on the masqueraded UDP entry, each through both conntracks. */
    static final List<List<String>> LISTINGS = List.of(
            List.of("-L", "-n"), List.of("-L", "--src-nat", "203.0.113.10"), List.of("-L", "-n", "203.0.113.10:40001"),
            List.of("-L", "-n", "203.0.113.10:40002"), List.of("-L", "-n", "192.0.2.1"), List.of("-L", "-g"),
            List.of("-L", "--dst-nat", "203.0.113.10"), List.of("-L", "-j"), List.of("-L", "--any-nat", "203.0.113.10"),
            List.of("-L", "-n", "-g"), List.of("-L", "--orig-src", "172.17.0.2"), List.of("-L", "-s", "172.17.0.0/16"),
            List.of("-L", "--orig-dst", "198.51.100.9"), List.of("-L", "--reply-src", "198.51.100.8"),
            List.of("-L", "--reply-dst", "203.0.113.10"), List.of("-L", "-r", "198.51.100.0/24"),
            List.of("-L", "-p", "udp", "--orig-port-src", "40001"), List.of("-L", "-p", "udp", "--reply-port-dst", "40001"),
            List.of("-L", "-p", "udp", "--reply-port-src", "5354"), List.of("-L", "-w", "0"), List.of("-L", "--zone", "1"),
            List.of("-L", "--orig-zone", "0"), List.of("-L", "-u", "SEEN_REPLY"), List.of("-L", "-u", "ASSURED"),
            List.of("-L", "-u", "UNREPLIED"), List.of("-L", "-m", "0"), List.of("-L", "-m", "1/1"), List.of("-L", "-f", "ipv6"),
            List.of("-L", "-o", "extended"), List.of("-L", "-n", "-j"), List.of("-E", "-t", "5"), List.of("-L", "-e", "NEW"));

    @Test
    void eventsAndFilteredListingsOfTheSameFlowsEqualTheKernels() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "conntrack", "iptables-restore", "python3")) Tools.require(t);
        List<String> kernelListings = new ArrayList<>(), ourListings = new ArrayList<>();
        List<String> kernel = kernelEvents(kernelListings), ours = jnatEvents(ourListings);
        assertEquals(normalise(kernel), normalise(ours), "kernel:\n" + String.join("\n", kernel) + "\njnat:\n" + String.join("\n", ours));
        assertTrue(kernel.size() >= 4, kernel.toString());
        for (int k = 0; k < LISTINGS.size(); k++) {
            assertEquals(normalise(kernelListings.get(k).lines().toList()), normalise(ourListings.get(k).lines().toList()),
                    String.join(" ", LISTINGS.get(k)));
        }
    }

    /** One listing's exit code, stdout and stderr, as one string to compare. */
    static String listing(int exit, String out, String err) {
        return "exit " + exit + "\n" + out + err;
    }

    /** Timeouts and portids (with conntrack's progname, found or not) left out. */
    static List<String> normalise(List<String> lines) {
        return lines.stream().map(l -> l.replaceFirst("^( *\\[\\w+\\] |ipv4 +2 )?(udp +17 )\\d+ ", "$1$2T ")
                .replaceFirst(" \\[USERSPACE\\] portid=\\d+( progname=\\S+)?$", " [USERSPACE] portid=P")).toList();
    }

    private List<String> kernelEvents(List<String> listings) throws Exception {
        try (Netns ctr = Netns.create("evc"); Netns gw = Netns.create("evg"); Netns wan = Netns.create("evw")) {
            Tools.run("ip", "link", "add", "kd" + pid(), "netns", gw.name(), "type", "veth", "peer", "kc" + pid(), "netns", ctr.name()).checked();
            Tools.run("ip", "link", "add", "ke" + pid(), "netns", gw.name(), "type", "veth", "peer", "kw" + pid(), "netns", wan.name()).checked();
            gw.exec("ip", "link", "set", "kd" + pid(), "name", "docker0").checked();
            gw.exec("ip", "link", "set", "ke" + pid(), "name", "eth0").checked();
            for (String[] c : List.of(
                    new String[] {"ip", "addr", "add", "172.17.0.1/16", "dev", "docker0"},
                    new String[] {"ip", "addr", "add", "203.0.113.10/24", "dev", "eth0"},
                    new String[] {"ip", "link", "set", "docker0", "up"}, new String[] {"ip", "link", "set", "eth0", "up"},
                    new String[] {"ip", "route", "add", "default", "via", "203.0.113.1"},
                    new String[] {"sysctl", "-qw", "net.ipv4.ip_forward=1"})) gw.exec(c).checked();
            ctr.exec("ip", "addr", "add", "172.17.0.2/16", "dev", "kc" + pid()).checked();
            ctr.exec("ip", "link", "set", "kc" + pid(), "up").checked();
            ctr.exec("ip", "route", "add", "default", "via", "172.17.0.1").checked();
            wan.exec("ip", "addr", "add", "203.0.113.1/24", "dev", "kw" + pid()).checked();
            wan.exec("ip", "addr", "add", "198.51.100.8/32", "dev", "lo").checked();
            wan.exec("ip", "link", "set", "kw" + pid(), "up").checked();
            gw.execIn(java.nio.file.Files.readString(Path.of("scripts/lab.rules")), "iptables-restore").checked();
            Process events = new ProcessBuilder("ip", "netns", "exec", gw.name(), "conntrack", "-E").redirectErrorStream(true).start();
            Thread.sleep(500);
            flows(wan.name(), ctr.name());
            for (List<String> l : LISTINGS) {
                List<String> cmd = new ArrayList<>(List.of("conntrack"));
                cmd.addAll(l);
                Tools.Result r = gw.exec(cmd.toArray(String[]::new));
                listings.add(listing(r.exitCode(), r.stdout(), r.stderr()));
            }
            gw.exec("conntrack", "-D", "-p", "udp").checked();
            Thread.sleep(300);
            return stop(events);
        }
    }

    private List<String> jnatEvents(List<String> listings) throws Exception {
        try (LabGateway lab = new LabGateway("jev", Path.of("scripts/lab.rules"))) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process events = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "jnat.cli.Main",
                    "conntrack", "--control", lab.socket.toString(), "-E").redirectErrorStream(true).start();
            Thread.sleep(1500); // the JVM starts and the listener attaches
            flows(lab.prefix + "wan", lab.prefix + "ctr");
            for (List<String> l : LISTINGS) {
                var r = lab.control("conntrack", l.toArray(String[]::new));
                listings.add(listing(r.exit(), r.out(), r.err()));
            }
            assertEquals(0, lab.control("conntrack", "-D", "-p", "udp").exit());
            Thread.sleep(300);
            return stop(events);
        }
    }

    private static void flows(String wan, String ctr) throws Exception {
        Process echo = new ProcessBuilder("ip", "netns", "exec", wan, "python3", "-c", ECHO).redirectErrorStream(true).start();
        var r = new java.io.BufferedReader(new java.io.InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", r.readLine());
        Tools.run("ip", "netns", "exec", ctr, "python3", "-c", CLIENT).checked();
        assertTrue(echo.waitFor(5, TimeUnit.SECONDS));
    }

    /** SIGTERM, as conntrack's event_sighandler and jnat's shutdown hook both answer, then all it printed. */
    private static List<String> stop(Process p) throws Exception {
        var in = p.getInputStream();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "(" + e + ")";
            }
        });
        p.toHandle().destroy(); // SIGTERM, without closing the streams Process.destroy closes
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return new ArrayList<>(out.get(10, TimeUnit.SECONDS).lines().toList());
    }

    private static long pid() {
        return ProcessHandle.current().pid() % 100000;
    }
}

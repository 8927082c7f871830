package jnat.linux;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A process running the forwarding loop stops cleanly on SIGINT and SIGTERM: its TUN devices go away. */
class ShutdownTest {
    private Netns ns;

    @BeforeEach
    void namespace() {
        Tools.requireRoot();
        Tools.require("ip");
        ns = Netns.create("sig");
    }

    @AfterEach
    void removeNamespace() {
        if (ns != null) ns.close();
    }

    /**
     * Whether this process inherited {@code signal} ignored (SigIgn in /proc/self/status): a job a
     * non-interactive shell put in the background ignores SIGINT, and so do its children, the
     * stand-in's JVM among them (HotSpot leaves an ignored SIGINT ignored, as every Unix program does).
     */
    static boolean ignored(int signal) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> (signal - 1) & 1) != 0;
        }
        return false;
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    @Timeout(60)
    void signalClosesTheDevicesAndPrintsTheCounters(String signal) throws Exception {
        Assumptions.assumeFalse(ignored(signal.equals("INT") ? 2 : 15), "SIG" + signal + " is ignored in this process and its children");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), java, "--enable-native-access=ALL-UNNAMED",
                "-cp", "target/classes:target/test-classes", LabStandIn.class.getName())
                .redirectErrorStream(true).start();
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertEquals("forwarding [tun:jnat-docker0, tun:jnat-eth0] (one thread)", first);
            assertEquals(0, ns.exec("ip", "link", "show", "jnat-eth0").exitCode());

            Tools.run("kill", "-" + signal, Long.toString(p.pid())).checked();
            List<String> rest = out.lines().toList();
            assertEquals(128 + (signal.equals("INT") ? 2 : 15), p.waitFor());
            assertTrue(rest.getFirst().startsWith("InterfaceCounters[name=jnat-docker0, rxPackets=0"), rest.toString());
        } finally {
            p.destroyForcibly();
        }
        String links = ns.exec("ip", "-o", "link", "show").checked().stdout();
        assertEquals(List.of("lo"), links.lines().map(l -> l.split(": ")[1]).toList(), links);
    }
}

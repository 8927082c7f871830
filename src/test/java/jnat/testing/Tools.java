package jnat.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs real tools (tcpdump, iptables, ip, ...) for tests that compare jnat with them.
 * Without the tool (or without root, for those that need it) a test is skipped, unless
 * JNAT_REQUIRE_TOOLS is set (as .ci/run does): then it fails, so CI never passes by skipping.
 */
public final class Tools {
    private Tools() {}

    public static final boolean REQUIRED = System.getenv("JNAT_REQUIRE_TOOLS") != null;

    /** Skips (or fails under JNAT_REQUIRE_TOOLS) when {@code tool} is not on the PATH. */
    public static void require(String tool) {
        boolean found = which(tool) != null;
        if (REQUIRED && !found) {
            throw new AssertionError(tool + " is required (JNAT_REQUIRE_TOOLS is set) but not installed");
        }
        Assumptions.assumeTrue(found, tool + " not installed");
    }

    /** Skips (or fails under JNAT_REQUIRE_TOOLS) when not running as root. */
    public static void requireRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (REQUIRED && !root) {
            throw new AssertionError("root is required (JNAT_REQUIRE_TOOLS is set)");
        }
        Assumptions.assumeTrue(root, "not root");
    }

    public static Path which(String tool) {
        for (String dir : (System.getenv("PATH") + ":/usr/sbin:/sbin").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    public record Result(int exitCode, String stdout, String stderr) {
        public Result checked() {
            if (exitCode != 0) throw new AssertionError("exit " + exitCode + ": " + stderr + stdout);
            return this;
        }
    }

    /** Runs a command with an optional stdin and environment additions; 60 s limit. */
    public static Result run(List<String> cmd, String stdin, String... env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            for (int i = 0; i + 1 < env.length; i += 2) pb.environment().put(env[i], env[i + 1]);
            Process p = pb.start();
            if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            var errText = new StringBuilder();
            Thread t = Thread.ofVirtual().start(() -> {
                try { errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8)); }
                catch (IOException ignored) { }
            });
            String outText = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            t.join();
            return new Result(p.exitValue(), outText, errText.toString());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static Result run(String... cmd) {
        return run(List.of(cmd), null);
    }

    public static List<String> cmd(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
